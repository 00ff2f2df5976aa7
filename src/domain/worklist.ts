/**
 * The collector's worklist priority (issue 6, "Collector workspace"): one integer score per customer from what is
 * overdue and what has happened with it, with the reasons that make it up, so a row shows why it ranks where it does.
 *
 * Pure: the caller gives the figures at an as-of date (amounts in the functional currency's minor units); no clock,
 * no floating point. Amounts are banded into points by comparing bigint minor units with thresholds in major units
 * scaled to the currency (no logarithm). The weights are WORKLIST_WEIGHTS; docs/collections.md shows the same table.
 */
import { addDays, daysBetween, type LocalDate } from './dates.ts';
import { currencyScale, formatAmount } from './money.ts';

/** The dunning steps a person does (src/domain/dunning.ts TASK_CHANNELS), and how the worklist names them. */
export type TaskChannel = 'call_task' | 'visit_task' | 'agency_task' | 'legal_task';
const TASK_WORDS: Record<TaskChannel, string> = { call_task: 'call', visit_task: 'visit', agency_task: 'hand-over to an agency', legal_task: 'hand-over to legal' };

/** Broken promises counted back this many days from the as-of date. */
export const BROKEN_PROMISE_WINDOW_DAYS = 90;
/** Payment history read for the predicted lateness: the allocations of this many days before the as-of date. */
export const LATENESS_HISTORY_DAYS = 365;
/** Fewer paid items than this is no history to predict from. */
export const LATENESS_MIN_ITEMS = 3;

/**
 * The weights. Bands are checked from the top: the first whose lower bound is reached gives its points.
 * - amount: the collectable overdue (overdue less what open disputes cover), lower bound in major units;
 * - daysPastDue: days past due of the oldest overdue item, lower bound in days;
 * - grade: the credit grade (credit_profiles); a customer not graded counts as `ungraded`;
 * - brokenPromise: per promise broken or partly kept with its deadline in the last 90 days, at most `maxCount`;
 * - openPromise: an open promise whose deadline (date + grace) is on or after the as-of date;
 * - followUp: the last activity's follow-up date, in the future, due today, or past;
 * - predictedLate: the customer's predicted lateness (their amount-weighted average days beyond terms over the last
 *   365 days, from at least 3 paid items), lower bound in days: a habitually late payer will likely be late again.
 */
export const WORKLIST_WEIGHTS = {
  amount: [
    { fromMajor: 1_000_000n, points: 40 },
    { fromMajor: 500_000n, points: 35 },
    { fromMajor: 100_000n, points: 30 },
    { fromMajor: 50_000n, points: 25 },
    { fromMajor: 10_000n, points: 20 },
    { fromMajor: 5_000n, points: 15 },
    { fromMajor: 1_000n, points: 10 },
    { fromMajor: 0n, points: 5 },
  ],
  daysPastDue: [
    { fromDays: 181, points: 40 },
    { fromDays: 91, points: 30 },
    { fromDays: 61, points: 20 },
    { fromDays: 31, points: 10 },
    { fromDays: 1, points: 5 },
  ],
  grade: { A: 0, B: 5, C: 10, D: 20, E: 30 } as Readonly<Record<string, number>>,
  ungraded: 10,
  brokenPromise: { points: 15, maxCount: 3 },
  openPromise: -30,
  followUp: { future: -20, today: 15, past: 20 },
  /** An open call or visit task from a dunning step (src/domain/dunning.ts): the next step due is a person's. */
  dunningTask: 15,
  predictedLate: [
    { fromDays: 60, points: 15 },
    { fromDays: 30, points: 10 },
    { fromDays: 10, points: 5 },
  ],
} as const;

export type WorklistReasonCode =
  | 'overdue' | 'disputed' | 'grade' | 'ungraded' | 'broken_promise' | 'open_promise' | 'follow_up_future' | 'follow_up_today' | 'follow_up_past'
  | 'dunning_task' | 'predicted_late';

/** One reason: its points, an English sentence, and the values a translated sentence needs. */
export interface WorklistReason {
  code: WorklistReasonCode;
  points: number;
  text: string;
  values: Record<string, string | number>;
}

export interface WorklistFacts {
  customer: string;
  /** The functional currency of every amount. */
  currency: string;
  /** Open receivables past due at the as-of date (due date before it), minor units. */
  overdueMinor: bigint;
  /** Of the overdue, what open disputes cover at the as-of date. */
  disputedMinor: bigint;
  /** Days past due of the oldest overdue item (0 when nothing is overdue). */
  oldestDaysPastDue: number;
  grade: string | null;
  /** Promised dates of the promises broken or partly kept with a deadline in the last 90 days. */
  brokenPromiseDates: readonly LocalDate[];
  /** The open promise (deadline on or after the as-of date), if any; `amount` with its currency ("5,000.00 CNY"). */
  openPromise: { promisedDate: LocalDate; deadline: LocalDate; amount: string } | null;
  /** The follow-up date of the customer's last activity, if it set one. */
  followUpOn: LocalDate | null;
  /** The oldest open call or visit task dunning set for the customer on or before the as-of date. */
  dunningTask?: { channel: TaskChannel; since: LocalDate } | null;
  /**
   * The customer's payments of the last 365 days: the paid amount of their invoices (functional currency), the same
   * amounts times the days each was paid beyond its due date (early counts 0), and how many items they paid.
   */
  paymentHistory?: PaymentHistory | null;
}

export interface PaymentHistory { paidMinor: bigint; beyondWeightedMinorDays: bigint; items: number }

/**
 * The predicted lateness in whole days: the amount-weighted average days beyond terms of the history, rounded half
 * away from zero; null without enough history (fewer than LATENESS_MIN_ITEMS paid items or nothing paid).
 */
export function predictedDaysLate(h: PaymentHistory | null | undefined): number | null {
  if (!h || h.items < LATENESS_MIN_ITEMS || h.paidMinor <= 0n) return null;
  return Number((2n * h.beyondWeightedMinorDays + h.paidMinor) / (2n * h.paidMinor));
}

export interface WorklistScore {
  score: number;
  /** Overdue less disputed, never below zero. */
  collectableMinor: bigint;
  reasons: WorklistReason[];
}

/** Points for a collectable amount in minor units of `currency`. Zero for nothing collectable. */
export function amountPoints(amountMinor: bigint, currency: string): number {
  if (amountMinor <= 0n) return 0;
  const unit = 10n ** BigInt(currencyScale(currency));
  for (const band of WORKLIST_WEIGHTS.amount) if (amountMinor >= band.fromMajor * unit) return band.points;
  return 0;
}

/** Points for the days past due of the oldest overdue item. */
export function daysPoints(days: number): number {
  for (const band of WORKLIST_WEIGHTS.daysPastDue) if (days >= band.fromDays) return band.points;
  return 0;
}

/** "123,456.00": a formatted amount with thousands separators, for the reasons. */
export function grouped(amountMinor: bigint, currency: string): string {
  const [whole, fraction] = formatAmount(amountMinor, currency).split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const digits = whole!.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** The score of one customer at `asOf` with its reasons, in the order of the weights table. */
export function scoreCustomer(f: WorklistFacts, asOf: LocalDate): WorklistScore {
  const reasons: WorklistReason[] = [];
  const disputed = f.disputedMinor > f.overdueMinor ? f.overdueMinor : f.disputedMinor > 0n ? f.disputedMinor : 0n;
  const collectableMinor = f.overdueMinor - disputed;
  // The overdue reason carries the points of the whole overdue plus its age; a dispute takes back the points its
  // amount added (the disputed part is not collectable now), so the two together score the collectable amount.
  const overduePoints = amountPoints(f.overdueMinor, f.currency) + daysPoints(f.oldestDaysPastDue);
  reasons.push({
    code: 'overdue', points: overduePoints,
    text: `overdue ${grouped(f.overdueMinor, f.currency)} ${f.currency}, oldest ${f.oldestDaysPastDue} days`,
    values: { amount: grouped(f.overdueMinor, f.currency), currency: f.currency, days: f.oldestDaysPastDue },
  });
  if (disputed > 0n) {
    const points = amountPoints(collectableMinor, f.currency) - amountPoints(f.overdueMinor, f.currency);
    reasons.push({
      code: 'disputed', points,
      text: `disputed ${grouped(disputed, f.currency)} ${f.currency} not collectable now`,
      values: { amount: grouped(disputed, f.currency), currency: f.currency },
    });
  }
  const grade = f.grade?.trim().toUpperCase() || null;
  if (grade !== null && grade in WORKLIST_WEIGHTS.grade) {
    reasons.push({ code: 'grade', points: WORKLIST_WEIGHTS.grade[grade]!, text: `risk grade ${grade}`, values: { grade } });
  } else {
    reasons.push({ code: 'ungraded', points: WORKLIST_WEIGHTS.ungraded, text: grade === null ? 'no risk grade' : `risk grade ${grade} (not in A-E)`, values: { grade: grade ?? '' } });
  }
  const broken = [...f.brokenPromiseDates].sort().reverse().slice(0, WORKLIST_WEIGHTS.brokenPromise.maxCount);
  for (const date of broken) {
    reasons.push({ code: 'broken_promise', points: WORKLIST_WEIGHTS.brokenPromise.points, text: `broken promise on ${date}`, values: { date } });
  }
  if (f.openPromise && f.openPromise.deadline >= asOf) {
    reasons.push({
      code: 'open_promise', points: WORKLIST_WEIGHTS.openPromise,
      text: `promised ${f.openPromise.amount} by ${f.openPromise.promisedDate} (counts until ${f.openPromise.deadline})`,
      values: { amount: f.openPromise.amount, date: f.openPromise.promisedDate, deadline: f.openPromise.deadline },
    });
  }
  if (f.followUpOn) {
    if (f.followUpOn > asOf) {
      reasons.push({ code: 'follow_up_future', points: WORKLIST_WEIGHTS.followUp.future, text: `follow-up on ${f.followUpOn}`, values: { date: f.followUpOn } });
    } else if (f.followUpOn === asOf) {
      reasons.push({ code: 'follow_up_today', points: WORKLIST_WEIGHTS.followUp.today, text: 'follow-up due today', values: { date: f.followUpOn } });
    } else {
      const days = daysBetween(f.followUpOn, asOf);
      reasons.push({ code: 'follow_up_past', points: WORKLIST_WEIGHTS.followUp.past, text: `follow-up overdue since ${f.followUpOn} (${days} days)`, values: { date: f.followUpOn, days } });
    }
  }
  if (f.dunningTask) {
    const what = TASK_WORDS[f.dunningTask.channel];
    reasons.push({ code: 'dunning_task', points: WORKLIST_WEIGHTS.dunningTask, text: `dunning ${what} due since ${f.dunningTask.since}`, values: { channel: f.dunningTask.channel, date: f.dunningTask.since } });
  }
  const late = predictedDaysLate(f.paymentHistory);
  const latePoints = late === null ? 0 : WORKLIST_WEIGHTS.predictedLate.find((band) => late >= band.fromDays)?.points ?? 0;
  if (latePoints > 0) {
    reasons.push({
      code: 'predicted_late', points: latePoints,
      text: `predicted to pay ${late} days late (its average over ${f.paymentHistory!.items} items paid in the last ${LATENESS_HISTORY_DAYS} days)`,
      values: { days: late!, items: f.paymentHistory!.items },
    });
  }
  return { score: reasons.reduce((sum, r) => sum + r.points, 0), collectableMinor, reasons };
}

/** The first day whose deadline still counts as "in the last 90 days" at `asOf`: (asOf - 90, asOf]. */
export const brokenWindowStart = (asOf: LocalDate): LocalDate => addDays(asOf, -BROKEN_PROMISE_WINDOW_DAYS);

/** Ranks scored customers: score descending, then overdue descending, then customer code. */
export function rankWorklist<T extends { score: number; overdueMinor: bigint; customer: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.score !== b.score ? b.score - a.score
    : a.overdueMinor !== b.overdueMinor ? (a.overdueMinor > b.overdueMinor ? -1 : 1)
    : a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
}
