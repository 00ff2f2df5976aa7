/**
 * Payment plans (分期还款协议), the pure rules: the installment schedule of a plan and the status of each installment
 * from the payments applied to the plan's items. No I/O, no clock.
 *
 * Schedule. The plan covers a customer's open items (their open amounts: the principal). A down payment (optional, due
 * on the start date) comes off first; the rest (financed) is split into n installments evenly with the ledger's split
 * rule (splitProportionally with equal weights: the floor of each share, the cents left over one each to the earliest
 * installments, so the parts add up to the financed amount exactly). Dates are given, or monthly from the first date
 * (addMonths: the 31st becomes the month's last day).
 *
 * Interest (optional): simple interest on the declining principal, per year of 365 days, rate in basis points, each
 * installment's part rounded half up:
 *     interest_k = round_half_up(balance_before_k × rateBp × days_k ÷ (10,000 × 365))
 * where days_k runs from the previous installment's date (the start date for the first) to installment k's date and
 * balance_before_k is the financed amount less the principal of the installments before k.
 * A fee (optional, a fixed amount) is split evenly over the installments by the same split rule.
 *
 * Status. Payments (allocations from a payment or advance receipt to the plan's items, dated from the plan's start)
 * fill the installments in order, down payment first (a waterfall). At an as-of date, installment k is
 *   - `paid` when the cumulative payments cover it (paidOn: the day they did; late when after date + grace);
 *   - `missed` when it is not fully paid and as-of is after its date + grace days (what was paid towards it shows);
 *   - `partly_paid` when something was paid towards it and it is not missed yet;
 *   - `due` otherwise.
 * The plan is `defaulted` at an as-of date when an installment is unpaid more than N days after its date (the alert
 * rule's and the auto-cancel's N).
 */
import { addDays, addMonths, daysBetween, type LocalDate } from './dates.ts';
import { roundHalfUp, splitProportionally } from './money.ts';

export const PLAN_STATUSES = ['active', 'completed', 'cancelled', 'replaced'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export const INSTALLMENT_STATUSES = ['due', 'partly_paid', 'paid', 'missed'] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];

export const MAX_PLAN_INSTALLMENTS = 60;
export const MAX_RATE_BP = 10_000; // 100% a year
export const DEFAULT_PLAN_GRACE_DAYS = 3;

export interface PlanTermsInput {
  /** The open amounts of the items in the plan, in minor units (their sum is the principal). */
  principalMinor: bigint;
  downPaymentMinor: bigint;
  /** The day the plan starts: the down payment's date and where the first interest period begins. */
  startDate: LocalDate;
  /** n installments, monthly from firstDate … or the dates given (then count = dates.length). */
  installments: number;
  firstDate?: LocalDate;
  dates?: readonly LocalDate[];
  /** Interest per year in basis points (650 = 6.50%); 0: none. */
  rateBp: number;
  feeMinor: bigint;
}

export interface ScheduledPlanInstallment {
  /** 0: the down payment; 1…n: the installments. */
  seq: number;
  dueDate: LocalDate;
  principalMinor: bigint;
  interestMinor: bigint;
  feeMinor: bigint;
  amountMinor: bigint;
  /** Interest days (0 for the down payment). */
  days: number;
}

export interface PlanSchedule {
  principalMinor: bigint;
  downPaymentMinor: bigint;
  financedMinor: bigint;
  interestMinor: bigint;
  feeMinor: bigint;
  /** principal + interest + fee: what the customer pays in all. */
  totalMinor: bigint;
  installments: ScheduledPlanInstallment[];
}

/** A problem with the plan's terms: the field and what to do. */
export interface PlanProblem { field: string; message: string }

/** What is wrong with the terms (empty: nothing). */
export function planTermsProblems(t: PlanTermsInput): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (t.principalMinor <= 0n) problems.push({ field: 'items', message: 'the items have nothing open: a plan needs an amount to spread' });
  if (t.downPaymentMinor < 0n) problems.push({ field: 'downPayment', message: 'must not be negative' });
  if (t.downPaymentMinor >= t.principalMinor && t.principalMinor > 0n) problems.push({ field: 'downPayment', message: 'must be below the amount of the items, or there is nothing left to spread' });
  if (t.feeMinor < 0n) problems.push({ field: 'fee', message: 'must not be negative' });
  if (!Number.isInteger(t.rateBp) || t.rateBp < 0 || t.rateBp > MAX_RATE_BP) problems.push({ field: 'interestRate', message: 'a yearly percentage between 0 and 100' });
  const dates = t.dates ?? [];
  const n = dates.length ? dates.length : t.installments;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PLAN_INSTALLMENTS) problems.push({ field: dates.length ? 'dates' : 'installments', message: `between 1 and ${MAX_PLAN_INSTALLMENTS} installments` });
  if (dates.length && t.installments && t.installments !== dates.length) problems.push({ field: 'installments', message: `${t.installments} installments but ${dates.length} dates given: give one or make them agree` });
  if (!dates.length && !t.firstDate) problems.push({ field: 'firstDate', message: 'give the first installment\'s date (the others follow monthly) or the dates' });
  const all = dates.length ? dates : t.firstDate ? [t.firstDate] : [];
  let previous = t.startDate;
  all.forEach((d, i) => {
    if (d <= previous) problems.push({ field: dates.length ? `dates.${i}` : 'firstDate', message: `${d} must be after ${i === 0 ? `the start date ${t.startDate}` : `the previous installment's date ${previous}`}` });
    previous = d;
  });
  return problems;
}

/** The installments' dates: given, or monthly from the first (the start date's day of month kept where it exists). */
export function installmentDates(t: Pick<PlanTermsInput, 'installments' | 'firstDate' | 'dates'>): LocalDate[] {
  if (t.dates && t.dates.length) return [...t.dates];
  return Array.from({ length: t.installments }, (_, i) => addMonths(t.firstDate!, i));
}

/** The schedule (assumes planTermsProblems is empty). */
export function planSchedule(t: PlanTermsInput): PlanSchedule {
  const dates = installmentDates(t);
  const financed = t.principalMinor - t.downPaymentMinor;
  const principals = splitProportionally(financed, dates.map(() => 1n));
  const fees = t.feeMinor > 0n ? splitProportionally(t.feeMinor, dates.map(() => 1n)) : dates.map(() => 0n);
  const installments: ScheduledPlanInstallment[] = [];
  if (t.downPaymentMinor > 0n) {
    installments.push({ seq: 0, dueDate: t.startDate, principalMinor: t.downPaymentMinor, interestMinor: 0n, feeMinor: 0n, amountMinor: t.downPaymentMinor, days: 0 });
  }
  let balance = financed;
  let previous = t.startDate;
  let interestTotal = 0n;
  dates.forEach((date, i) => {
    const days = daysBetween(previous, date);
    const interest = t.rateBp > 0 ? roundHalfUp(balance * BigInt(t.rateBp) * BigInt(days), 10_000n * 365n) : 0n;
    interestTotal += interest;
    installments.push({ seq: i + 1, dueDate: date, principalMinor: principals[i]!, interestMinor: interest, feeMinor: fees[i]!, amountMinor: principals[i]! + interest + fees[i]!, days });
    balance -= principals[i]!;
    previous = date;
  });
  return {
    principalMinor: t.principalMinor, downPaymentMinor: t.downPaymentMinor, financedMinor: financed, interestMinor: interestTotal, feeMinor: t.feeMinor,
    totalMinor: t.principalMinor + interestTotal + t.feeMinor, installments,
  };
}

/** A payment applied to the plan's items, on its allocation date; negative for a reversal. */
export interface PlanPayment { date: LocalDate; amountMinor: bigint }

export interface InstallmentState {
  seq: number;
  dueDate: LocalDate;
  amountMinor: bigint;
  /** Paid towards it by the as-of date (the waterfall). */
  paidMinor: bigint;
  status: InstallmentStatus;
  /** The day the payments covered it (paid only). */
  paidOn: LocalDate | null;
  /** Paid after its date + grace. */
  late: boolean;
  /** Days after its date while unpaid (0 when paid or not yet due). */
  daysOverdue: number;
}

export interface PlanState {
  paidMinor: bigint;
  installments: InstallmentState[];
  /** Every installment paid. */
  complete: boolean;
  /** The first installment unpaid more than `defaultDays` after its date (null: none). */
  defaulted: InstallmentState | null;
}

/**
 * The installments' status at `asOf` from the payments (any order; those before `startDate` or after `asOf` are
 * ignored). `defaultDays`: N of "missed beyond N days" (null: never in default).
 */
export function evaluatePlan(
  installments: readonly Pick<ScheduledPlanInstallment, 'seq' | 'dueDate' | 'amountMinor'>[], payments: readonly PlanPayment[],
  startDate: LocalDate, asOf: LocalDate, graceDays: number, defaultDays: number | null,
): PlanState {
  const counted = payments.filter((p) => p.date >= startDate && p.date <= asOf).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // The running total by date: when did the cumulative payments first reach each installment's cumulative amount?
  const running: { date: LocalDate; total: bigint }[] = [];
  let total = 0n;
  for (const p of counted) {
    total += p.amountMinor;
    const last = running[running.length - 1];
    if (last && last.date === p.date) last.total = total;
    else running.push({ date: p.date, total });
  }
  const paidTotal = total < 0n ? 0n : total;
  const sorted = [...installments].sort((a, b) => a.seq - b.seq);
  let before = 0n;
  const states: InstallmentState[] = sorted.map((i) => {
    const cumulative = before + i.amountMinor;
    const toward = paidTotal <= before ? 0n : paidTotal >= cumulative ? i.amountMinor : paidTotal - before;
    before = cumulative;
    const deadline = addDays(i.dueDate, graceDays);
    if (toward === i.amountMinor) {
      // The first day the running total reached the cumulative amount and stayed there (a later reversal may undo it).
      let paidOn: LocalDate | null = null;
      for (const r of running) {
        if (r.total >= cumulative) { if (paidOn === null) paidOn = r.date; } else paidOn = null;
      }
      return { seq: i.seq, dueDate: i.dueDate, amountMinor: i.amountMinor, paidMinor: toward, status: 'paid', paidOn, late: paidOn !== null && paidOn > deadline, daysOverdue: 0 };
    }
    const daysOverdue = asOf > i.dueDate ? daysBetween(i.dueDate, asOf) : 0;
    const status: InstallmentStatus = asOf > deadline ? 'missed' : toward > 0n ? 'partly_paid' : 'due';
    return { seq: i.seq, dueDate: i.dueDate, amountMinor: i.amountMinor, paidMinor: toward, status, paidOn: null, late: false, daysOverdue };
  });
  const defaulted = defaultDays === null ? null : states.find((s) => s.status === 'missed' && s.daysOverdue > defaultDays) ?? null;
  return { paidMinor: paidTotal, installments: states, complete: states.every((s) => s.status === 'paid'), defaulted };
}

/** "6.5" or "6.50" (percent a year) → 650 basis points; null when it is not a percentage with at most 2 decimals. */
export function parseRatePercent(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 650 → "6.50". */
export function rateText(bp: number): string {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Escalation: agencies and legal cases.

export const CASE_KINDS = ['agency', 'legal'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const CASE_STATUSES = ['open', 'in_progress', 'closed_recovered', 'closed_partly', 'closed_unrecoverable'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_OPEN_STATUSES: readonly CaseStatus[] = ['open', 'in_progress'];

const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['in_progress', 'closed_recovered', 'closed_partly', 'closed_unrecoverable'],
  in_progress: ['closed_recovered', 'closed_partly', 'closed_unrecoverable'],
  closed_recovered: [],
  closed_partly: [],
  closed_unrecoverable: [],
};

export function caseTransitions(from: CaseStatus): readonly CaseStatus[] {
  return CASE_TRANSITIONS[from];
}

/**
 * Why a case may not close this way (null: it may): `closed_recovered` needs everything handed over recovered,
 * `closed_partly` something but not all; `closed_unrecoverable` (the rest is lost, whatever came before) always may.
 */
export function closingProblem(to: CaseStatus, handedOverMinor: bigint, recoveredMinor: bigint): string | null {
  if (to === 'closed_recovered' && recoveredMinor < handedOverMinor) return 'closed_recovered needs the whole amount handed over recovered; close it as closed_partly or closed_unrecoverable';
  if (to === 'closed_partly' && (recoveredMinor <= 0n || recoveredMinor >= handedOverMinor)) return recoveredMinor <= 0n ? 'closed_partly needs something recovered; close it as closed_unrecoverable' : 'everything was recovered; close it as closed_recovered';
  return null;
}

/** The agency's commission on a recovery: recovered × rate (basis points) ÷ 10,000, rounded half up. */
export function commissionOf(recoveredMinor: bigint, commissionBp: number): bigint {
  return roundHalfUp(recoveredMinor * BigInt(commissionBp), 10_000n);
}
