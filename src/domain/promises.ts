/**
 * Promises to pay (付款承诺), the pure rule: kept, partly kept or broken, from the payments applied between the day the
 * promise was made and its deadline (the promised date plus the grace days, inclusive), seen at an as-of date.
 *
 * - paid ≥ promised (by the deadline, as far as asOf shows): kept, as soon as it is;
 * - asOf after the deadline: partly kept when something was paid in the window, broken when nothing was;
 * - otherwise still open.
 * A payment after the deadline does not count: the promise was about that date. A reversal of a payment in the
 * window (a negative allocation dated in it) takes it back.
 */
import { addDays, type LocalDate } from './dates.ts';

export const PROMISE_STATUSES = ['open', 'kept', 'partly_kept', 'broken'] as const;
export type PromiseStatus = (typeof PROMISE_STATUSES)[number];

export const DEFAULT_GRACE_DAYS = 3;
export const MAX_GRACE_DAYS = 60;

export interface PromiseTerms {
  amountMinor: bigint;
  /** The day the promise was made: payments from this day on count. */
  createdOn: LocalDate;
  promisedDate: LocalDate;
  graceDays: number;
}

/** A payment applied to the promise's items (or the customer's), on its allocation date; negative for a reversal. */
export interface PromisePayment {
  date: LocalDate;
  amountMinor: bigint;
}

export interface PromiseOutcome {
  status: PromiseStatus;
  /** Paid in the window up to min(asOf, deadline). */
  paidMinor: bigint;
  /** The last day a payment counts: promised date + grace. */
  deadline: LocalDate;
}

export function deadlineOf(p: Pick<PromiseTerms, 'promisedDate' | 'graceDays'>): LocalDate {
  return addDays(p.promisedDate, p.graceDays);
}

/** The promise's status at `asOf` from the payments (any order; those outside the window are ignored). */
export function evaluatePromise(p: PromiseTerms, payments: readonly PromisePayment[], asOf: LocalDate): PromiseOutcome {
  const deadline = deadlineOf(p);
  const until = asOf < deadline ? asOf : deadline;
  let paid = 0n;
  for (const x of payments) if (x.date >= p.createdOn && x.date <= until) paid += x.amountMinor;
  if (paid < 0n) paid = 0n;
  if (paid >= p.amountMinor) return { status: 'kept', paidMinor: paid, deadline };
  if (asOf > deadline) return { status: paid > 0n ? 'partly_kept' : 'broken', paidMinor: paid, deadline };
  return { status: 'open', paidMinor: paid, deadline };
}
