/**
 * Dunning (issue 6, "Strategies and dunning"), pure: strategies as ordered steps relative to the due date, which
 * strategy a customer follows, and the run planner that decides, at an as-of date, which message of which step goes
 * to which customer with which items. No clock, no I/O, no floating point: the module loads the facts, calls
 * `planRun`, and persists what it returns.
 *
 * The planner's rules (docs/dunning.md):
 * - an item's step now due is the last step whose date (due date + offset days) is on or before the as-of date;
 * - an item moves up at most one step per run: it goes to the step now due, once; the earlier steps it never reached
 *   are recorded as skipped (after missed days no burst of stale reminders), and a step reached or skipped is never
 *   planned again for that item (so a second run the same day plans nothing new);
 * - a customer gets one message per step, grouping every item for which that step is now due;
 * - excluded: disputed items, items under an open promise until its deadline (promised date + grace), items in a
 *   payment plan, every item of a customer marked "do not dun" or in legal, and the items of a currency whose due
 *   total in the message is below the strategy's minimum.
 * - late interest (a step's flag): simple interest per year of 365 days on the item's open amount, from the later of
 *   its due date and the day interest was last charged up to, to the as-of date, at the tenant's yearly rate,
 *   rounded half up per item to minor units.
 */
import { daysBetween, type LocalDate } from './dates.ts';
import type { Decimal } from './decimal.ts';
import { invalid, type ErrorDetail } from './errors.ts';
import { roundHalfUp } from './money.ts';

export const DUNNING_CHANNELS = ['email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task'] as const;
export type DunningChannel = (typeof DUNNING_CHANNELS)[number];
/** Steps a person carries out (a call, a visit): they become tasks on the collector's worklist, not messages sent. */
/**
 * Steps a person does: a call, a visit, and the hand-over of the items to a collection agency or to legal action (a
 * decision with costs: the step puts it on the collector's list, and the case is opened from the escalation page).
 */
export const TASK_CHANNELS: readonly DunningChannel[] = ['call_task', 'visit_task', 'agency_task', 'legal_task'];
/** Steps printed as a letter (PDF). */
export const LETTER_CHANNELS: readonly DunningChannel[] = ['letter', 'final_notice', 'lawyer_letter'];

export const MAX_STEPS = 20;
/** Offsets are bounded: a year before or three years after the due date. */
export const MIN_OFFSET_DAYS = -365;
export const MAX_OFFSET_DAYS = 1095;

export interface DunningStep {
  id: string;
  /** 1, 2, 3…: the order. */
  seq: number;
  /** Days after the due date (negative: before it) on which the step is due. */
  offsetDays: number;
  channel: DunningChannel;
  templateKey: string;
  /** A fee charged when the step executes, in `feeCurrency`'s minor units; null: none. */
  feeMinor: bigint | null;
  feeCurrency: string | null;
  /** Charge late interest on the overdue items when the step executes. */
  lateInterest: boolean;
}

export interface DunningStrategy {
  id: string;
  code: string;
  /** Ordered by seq, offsets strictly increasing. */
  steps: readonly DunningStep[];
  /** Items of a currency whose due total in a message is below this (that currency's minor units) are not dunned. */
  minAmountMinor: bigint;
}

/** Problems with a strategy's steps, each naming its field; empty when fine. */
export function stepProblems(steps: readonly Pick<DunningStep, 'offsetDays' | 'channel' | 'templateKey' | 'feeMinor' | 'feeCurrency'>[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (steps.length === 0) problems.push({ field: 'steps', message: 'a strategy needs at least one step' });
  if (steps.length > MAX_STEPS) problems.push({ field: 'steps', message: `at most ${MAX_STEPS} steps` });
  steps.forEach((s, i) => {
    if (!Number.isInteger(s.offsetDays) || s.offsetDays < MIN_OFFSET_DAYS || s.offsetDays > MAX_OFFSET_DAYS) {
      problems.push({ field: `steps.${i}.offsetDays`, message: `a whole number of days from ${MIN_OFFSET_DAYS} to ${MAX_OFFSET_DAYS}` });
    }
    if (i > 0 && s.offsetDays <= steps[i - 1]!.offsetDays) {
      problems.push({ field: `steps.${i}.offsetDays`, message: `must be after the previous step's ${steps[i - 1]!.offsetDays} days: steps go in order, one per day at most` });
    }
    if (!(DUNNING_CHANNELS as readonly string[]).includes(s.channel)) problems.push({ field: `steps.${i}.channel`, message: `one of ${DUNNING_CHANNELS.join(', ')}` });
    if (s.feeMinor !== null && s.feeMinor <= 0n) problems.push({ field: `steps.${i}.fee`, message: 'a fee is above zero (leave it out for none)' });
    if ((s.feeMinor === null) !== (s.feeCurrency === null)) problems.push({ field: `steps.${i}.feeCurrency`, message: 'a fee needs its currency, and a currency its fee' });
  });
  return problems;
}

export function assertSteps(steps: Parameters<typeof stepProblems>[0]): void {
  const problems = stepProblems(steps);
  if (problems.length) throw invalid('DUNNING_STEPS_INVALID', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
}

// ---------------------------------------------------------------------------------------------------------------
// Which strategy a customer follows.

/** A strategy's assignment rule: every condition given must hold. */
export interface AssignmentRule {
  strategyId: string;
  /** Lower first. */
  priority: number;
  /** The customer's segment equals this. */
  segment: string | null;
  /** The customer's current credit grade is one of these. */
  grades: readonly string[] | null;
  /** The customer's open receivables (functional currency, minor units) are at least this. */
  minOpenMinor: bigint | null;
  /** At least this many broken (or partly kept) promises in the last 365 days. */
  minBrokenPromises: number | null;
  /** The fallback when no rule matches; at most one. */
  isDefault: boolean;
}

export interface CustomerFacts {
  segment: string | null;
  grade: string | null;
  openMinor: bigint;
  brokenPromises: number;
  /** A strategy pinned to the customer, which wins over every rule. */
  pinnedStrategyId: string | null;
}

/** The strategy a customer follows: the pinned one, else the first rule (by priority) that matches, else the default, else none. */
export function assignStrategy(facts: CustomerFacts, rules: readonly AssignmentRule[]): { strategyId: string; why: 'pinned' | 'rule' | 'default' } | null {
  if (facts.pinnedStrategyId) return { strategyId: facts.pinnedStrategyId, why: 'pinned' };
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || (a.strategyId < b.strategyId ? -1 : 1));
  for (const r of ordered) {
    if (r.isDefault && r.segment === null && r.grades === null && r.minOpenMinor === null && r.minBrokenPromises === null) continue;
    if (r.segment !== null && r.segment !== facts.segment) continue;
    if (r.grades !== null && (facts.grade === null || !r.grades.includes(facts.grade))) continue;
    if (r.minOpenMinor !== null && facts.openMinor < r.minOpenMinor) continue;
    if (r.minBrokenPromises !== null && facts.brokenPromises < r.minBrokenPromises) continue;
    return { strategyId: r.strategyId, why: 'rule' };
  }
  const fallback = ordered.find((r) => r.isDefault);
  return fallback ? { strategyId: fallback.strategyId, why: 'default' } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Late interest.

/**
 * Simple interest on `openMinor` at `ratePercent` a year for `days` days of a 365-day year, rounded half up:
 * open × rate / 100 × days / 365. 10,000.00 at 12% for 30 days → 1,000,000 × 12 × 30 / 36,500 = 9,863.01… → 98.63.
 */
export function lateInterestMinor(openMinor: bigint, ratePercent: Decimal, days: number): bigint {
  if (days <= 0 || openMinor <= 0n || ratePercent.units === 0n) return 0n;
  return roundHalfUp(openMinor * ratePercent.units * BigInt(days), 36_500n * 10n ** BigInt(ratePercent.scale));
}

/** The days interest runs for at `asOf`: from the later of the due date and the day it was last charged up to. */
export function interestDays(dueDate: LocalDate, chargedTo: LocalDate | null, asOf: LocalDate): { from: LocalDate; days: number } {
  const from = chargedTo && chargedTo > dueDate ? chargedTo : dueDate;
  return { from, days: Math.max(0, daysBetween(from, asOf)) };
}

// ---------------------------------------------------------------------------------------------------------------
// The run planner.

export interface DunningItem {
  itemId: string;
  customerId: string;
  documentNumber: string;
  /** The installment number. */
  seq: number;
  currency: string;
  dueDate: LocalDate;
  openMinor: bigint;
  /** Seqs of the steps of the customer's current strategy this item reached or skipped already. */
  stepsDone: readonly number[];
  /** The last day late interest was charged up to; null: never. */
  interestChargedTo: LocalDate | null;
  /**
   * The early-payment discount its terms give (2/10 net 30: 2% if paid within 10 days), while nothing is paid on it
   * yet: the amount off and the last day to take it. Absent: none.
   */
  discount?: { amountMinor: bigint; until: LocalDate } | null;
}

/** The discount a reminder on `asOf` may offer: the item's own, up to and including its last day; else null. */
export function discountOffered(item: Pick<DunningItem, 'discount'>, asOf: LocalDate): { amountMinor: bigint; until: LocalDate } | null {
  const d = item.discount;
  return d && d.amountMinor > 0n && asOf <= d.until ? d : null;
}

export interface DunningCustomer {
  customerId: string;
  /** The strategy it follows (assignStrategy); null: none applies. */
  strategyId: string | null;
  doNotDun: boolean;
  inLegal: boolean;
}

export interface DunningExclusions {
  /** Items in an open (or investigating) dispute. */
  disputedItemIds: ReadonlySet<string>;
  /** Items named by an open promise: the promise's deadline (promised date + grace). */
  promisedItemUntil: ReadonlyMap<string, LocalDate>;
  /** Customers with an open promise naming no items (it covers all their items): its deadline. */
  promisedCustomerUntil: ReadonlyMap<string, LocalDate>;
  /** Items in an active payment plan. */
  paymentPlanItemIds: ReadonlySet<string>;
  /** Items handed over to a collection agency or to legal action in an open case: the agency or the lawyer collects them. */
  escalatedItemIds: ReadonlySet<string>;
}

export const SKIP_REASONS = ['disputed', 'promise', 'payment_plan', 'escalated', 'do_not_dun', 'legal', 'below_minimum', 'no_strategy'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface PlannedItem {
  itemId: string;
  documentNumber: string;
  seq: number;
  currency: string;
  dueDate: LocalDate;
  /** asOf − due date; negative before the due date. */
  daysOverdue: number;
  openMinor: bigint;
  /** Late interest charged by this step (0 without the flag). */
  interestMinor: bigint;
  /** Interest runs from this day (exclusive) to asOf; null without interest. */
  interestFrom: LocalDate | null;
  /** Earlier steps never reached, recorded as skipped so they are never sent later. */
  skippedSeqs: number[];
  /** The early-payment discount still open on the run's date (offered in the reminder); null: none. */
  discount: { amountMinor: bigint; until: LocalDate } | null;
}

export interface PlannedTotal {
  currency: string;
  openMinor: bigint;
  interestMinor: bigint;
  /** The step's fee, when in this currency. */
  feeMinor: bigint;
  /** open + interest + fee. */
  totalMinor: bigint;
}

export interface PlannedMessage {
  /** Unique per run day, customer and step: the outbox's idempotency key. */
  key: string;
  customerId: string;
  strategyId: string;
  step: DunningStep;
  items: PlannedItem[];
  /** Per currency, alphabetical. */
  totals: PlannedTotal[];
}

export interface PlannedSkip {
  customerId: string;
  itemId: string | null;
  reason: SkipReason;
}

export interface RunPlan {
  asOf: LocalDate;
  messages: PlannedMessage[];
  skipped: PlannedSkip[];
}

export interface RunInput {
  asOf: LocalDate;
  customers: readonly DunningCustomer[];
  items: readonly DunningItem[];
  strategies: ReadonlyMap<string, DunningStrategy>;
  exclusions: DunningExclusions;
  /** The tenant's late interest rate, percent a year; null: no interest even on flagged steps. */
  interestRatePercent: Decimal | null;
}

export const messageKey = (asOf: LocalDate, customerId: string, stepId: string) => `${asOf}:${customerId}:${stepId}`;

/** The step now due for an item at `asOf`: the last one whose date is on or before it; null before the first. */
export function stepNowDue(steps: readonly DunningStep[], dueDate: LocalDate, asOf: LocalDate): DunningStep | null {
  // dueDate + offset ≤ asOf, counted in days: one date difference per item rather than a date per step.
  const daysFromDue = daysBetween(dueDate, asOf);
  let due: DunningStep | null = null;
  for (const s of steps) if (s.offsetDays <= daysFromDue) due = s;
  return due;
}

/**
 * Plans one run at `asOf`: per customer, one message per step now due for some of its items, and what was left out
 * and why. Deterministic: customers, steps and items come out sorted.
 */
export function planRun(input: RunInput): RunPlan {
  const { asOf, exclusions } = input;
  const itemsByCustomer = new Map<string, DunningItem[]>();
  for (const item of input.items) {
    if (item.openMinor <= 0n) continue;
    const list = itemsByCustomer.get(item.customerId);
    if (list) list.push(item);
    else itemsByCustomer.set(item.customerId, [item]);
  }
  const messages: PlannedMessage[] = [];
  const skipped: PlannedSkip[] = [];
  const customers = [...input.customers].sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  for (const customer of customers) {
    const items = itemsByCustomer.get(customer.customerId);
    if (!items?.length) continue;
    if (customer.doNotDun) { skipped.push({ customerId: customer.customerId, itemId: null, reason: 'do_not_dun' }); continue; }
    if (customer.inLegal) { skipped.push({ customerId: customer.customerId, itemId: null, reason: 'legal' }); continue; }
    const strategy = customer.strategyId ? input.strategies.get(customer.strategyId) : undefined;
    if (!strategy) { skipped.push({ customerId: customer.customerId, itemId: null, reason: 'no_strategy' }); continue; }
    const customerPromise = exclusions.promisedCustomerUntil.get(customer.customerId);
    const byStep = new Map<number, PlannedItem[]>();
    const sorted = [...items].sort((a, b) => (a.dueDate !== b.dueDate ? (a.dueDate < b.dueDate ? -1 : 1) : a.documentNumber < b.documentNumber ? -1 : a.documentNumber > b.documentNumber ? 1 : a.seq - b.seq));
    for (const item of sorted) {
      const step = stepNowDue(strategy.steps, item.dueDate, asOf);
      if (!step) continue;
      // Reached (or skipped) this step or a later one already: nothing new is due.
      if (item.stepsDone.some((seq) => seq >= step.seq)) continue;
      const done = new Set(item.stepsDone);
      const skip = (reason: SkipReason) => skipped.push({ customerId: customer.customerId, itemId: item.itemId, reason });
      if (exclusions.disputedItemIds.has(item.itemId)) { skip('disputed'); continue; }
      const itemPromise = exclusions.promisedItemUntil.get(item.itemId);
      if ((itemPromise && asOf <= itemPromise) || (customerPromise && asOf <= customerPromise)) { skip('promise'); continue; }
      if (exclusions.paymentPlanItemIds.has(item.itemId)) { skip('payment_plan'); continue; }
      if (exclusions.escalatedItemIds.has(item.itemId)) { skip('escalated'); continue; }
      const interest = step.lateInterest && input.interestRatePercent ? interestDays(item.dueDate, item.interestChargedTo, asOf) : null;
      const planned: PlannedItem = {
        itemId: item.itemId, documentNumber: item.documentNumber, seq: item.seq, currency: item.currency, dueDate: item.dueDate,
        daysOverdue: daysBetween(item.dueDate, asOf), openMinor: item.openMinor,
        interestMinor: interest ? lateInterestMinor(item.openMinor, input.interestRatePercent!, interest.days) : 0n,
        interestFrom: interest && interest.days > 0 ? interest.from : null,
        skippedSeqs: strategy.steps.filter((s) => s.seq < step.seq && !done.has(s.seq)).map((s) => s.seq),
        discount: discountOffered(item, asOf),
      };
      const list = byStep.get(step.seq);
      if (list) list.push(planned);
      else byStep.set(step.seq, [planned]);
    }
    for (const step of strategy.steps) {
      const stepItems = byStep.get(step.seq);
      if (!stepItems) continue;
      // The minimum, per currency: a currency's items whose due total is below it stay out.
      const openByCurrency = new Map<string, bigint>();
      for (const i of stepItems) openByCurrency.set(i.currency, (openByCurrency.get(i.currency) ?? 0n) + i.openMinor);
      const kept = stepItems.filter((i) => {
        if (openByCurrency.get(i.currency)! >= strategy.minAmountMinor) return true;
        skipped.push({ customerId: customer.customerId, itemId: i.itemId, reason: 'below_minimum' });
        return false;
      });
      if (!kept.length) continue;
      messages.push({ key: messageKey(asOf, customer.customerId, step.id), customerId: customer.customerId, strategyId: strategy.id, step, items: kept, totals: totalsOf(kept, step) });
    }
  }
  return { asOf, messages, skipped };
}

function totalsOf(items: readonly PlannedItem[], step: DunningStep): PlannedTotal[] {
  const by = new Map<string, PlannedTotal>();
  const get = (currency: string) => {
    let t = by.get(currency);
    if (!t) by.set(currency, (t = { currency, openMinor: 0n, interestMinor: 0n, feeMinor: 0n, totalMinor: 0n }));
    return t;
  };
  for (const i of items) {
    const t = get(i.currency);
    t.openMinor += i.openMinor;
    t.interestMinor += i.interestMinor;
  }
  if (step.feeMinor !== null && step.feeCurrency) get(step.feeCurrency).feeMinor += step.feeMinor;
  for (const t of by.values()) t.totalMinor = t.openMinor + t.interestMinor + t.feeMinor;
  return [...by.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
