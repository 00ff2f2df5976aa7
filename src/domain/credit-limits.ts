/**
 * Credit limits, exposure, the credit check's verdict and the hold rules, as pure functions over plain data (no I/O,
 * no clock: every function takes its as-of date). Amounts are minor units of one currency, the limit's; the module
 * converts the parts before calling in here.
 */
import { daysBetween, type LocalDate } from './dates.ts';
import { roundHalfUp } from './money.ts';

export const CHECK_KINDS = ['order', 'shipment', 'invoice'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];
export const CHECK_OUTCOMES = ['pass', 'warn', 'hold', 'block'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];
export const HOLD_RULES = ['overdue_days', 'overdue_amount', 'grade_e', 'review_expired'] as const;
export type HoldRule = (typeof HOLD_RULES)[number];

/** A limit as approved: the base amount and an optional temporary increase valid on both ends of its window. */
export interface LimitTerms {
  limitMinor: bigint;
  temporary: { amountMinor: bigint; validFrom: LocalDate; validTo: LocalDate } | null;
}

/** The limit in force on `asOf`: the temporary increase counts from its first to its last day inclusive. */
export function effectiveLimit(terms: LimitTerms, asOf: LocalDate): { baseMinor: bigint; temporaryMinor: bigint; totalMinor: bigint } {
  const t = terms.temporary;
  const temporaryMinor = t && t.validFrom <= asOf && asOf <= t.validTo ? t.amountMinor : 0n;
  return { baseMinor: terms.limitMinor, temporaryMinor, totalMinor: terms.limitMinor + temporaryMinor };
}

/** Exposure parts in the limit's currency; a part switched off in the settings is passed as 0. */
export interface ExposureParts {
  receivablesMinor: bigint;
  ordersMinor: bigint;
  shipmentsMinor: bigint;
  checkedMinor: bigint;
  advancesMinor: bigint;
}

/** Exposure = open receivables + open orders + open shipments + the amount being checked − unapplied advance receipts. */
export function exposureOf(p: ExposureParts): bigint {
  return p.receivablesMinor + p.ordersMinor + p.shipmentsMinor + p.checkedMinor - p.advancesMinor;
}

/**
 * Utilisation as a percentage with one decimal, rounded half up (exposure × 100 / limit): 9,000.00 of 10,000.00 →
 * "90.0". A zero limit with any exposure is reported as null (infinite); a negative exposure as "0.0".
 */
export function utilisationPercent(exposureMinor: bigint, limitMinor: bigint): string | null {
  if (exposureMinor <= 0n) return '0.0';
  if (limitMinor === 0n) return null;
  const tenths = roundHalfUp(exposureMinor * 1000n, limitMinor);
  return `${tenths / 10n}.${tenths % 10n}`;
}

export interface CheckReason {
  code: 'NO_LIMIT' | 'WITHIN_LIMIT' | 'OVER_LIMIT' | 'OVER_GROUP_LIMIT' | 'WARN_BAND' | 'GROUP_WARN_BAND' | 'ON_HOLD_BLOCKS' | 'ON_HOLD';
  message: string;
  /** The facts the words are made of, for a screen to say them in its own language. */
  holds?: readonly string[];
  /** Over a limit: by how much, in the limit's minor units. */
  overMinor?: bigint;
  warnPercent?: number;
}

export interface CheckFacts {
  kind: CheckKind;
  /** The customer's limit in force and exposure (null: no limit set). */
  customer: { limitMinor: bigint; exposureMinor: bigint } | null;
  group: { limitMinor: bigint; exposureMinor: bigint } | null;
  /** Utilisation at or above this percentage warns; null: no warn band. */
  warnPercent: number | null;
  /** Active holds' rules, and the kinds a hold blocks. */
  holds: readonly string[];
  holdBlocks: readonly CheckKind[];
}

/**
 * The verdict: block when the customer is on hold and the hold blocks this kind; hold (for a credit decision) when
 * the exposure after this amount is above the customer's or the group's limit; warn in the warn band or on hold for
 * a kind the hold lets through; pass otherwise. Exactly at the limit is within it.
 */
export function decideCheck(f: CheckFacts): { outcome: CheckOutcome; reasons: CheckReason[] } {
  const reasons: CheckReason[] = [];
  let outcome: CheckOutcome = 'pass';
  const raise = (to: CheckOutcome) => {
    if (CHECK_OUTCOMES.indexOf(to) > CHECK_OUTCOMES.indexOf(outcome)) outcome = to;
  };
  if (f.holds.length) {
    if (f.holdBlocks.includes(f.kind)) {
      raise('block');
      reasons.push({ code: 'ON_HOLD_BLOCKS', message: `the customer is on credit hold (${f.holds.join(', ')}) and a hold blocks ${f.kind}s`, holds: f.holds });
    } else {
      raise('warn');
      reasons.push({ code: 'ON_HOLD', message: `the customer is on credit hold (${f.holds.join(', ')}); a hold does not block ${f.kind}s`, holds: f.holds });
    }
  }
  const limits = [['customer', f.customer, 'OVER_LIMIT', 'WARN_BAND'], ['group', f.group, 'OVER_GROUP_LIMIT', 'GROUP_WARN_BAND']] as const;
  for (const [scope, l, over, band] of limits) {
    if (!l) continue;
    if (l.exposureMinor > l.limitMinor) {
      raise('hold');
      reasons.push({ code: over, message: `the ${scope} exposure after this amount is above the ${scope} limit`, overMinor: l.exposureMinor - l.limitMinor });
    } else if (f.warnPercent !== null && l.exposureMinor * 100n >= BigInt(f.warnPercent) * l.limitMinor && l.exposureMinor > 0n) {
      raise('warn');
      reasons.push({ code: band, message: `the ${scope} utilisation is at or above ${f.warnPercent}%`, warnPercent: f.warnPercent });
    } else if (scope === 'customer') {
      reasons.push({ code: 'WITHIN_LIMIT', message: 'the exposure after this amount is within the limit' });
    }
  }
  if (!f.customer && !f.group) reasons.push({ code: 'NO_LIMIT', message: 'no credit limit is set for the customer or its group' });
  return { outcome, reasons };
}

export interface HoldRuleSettings {
  /** Hold when an open invoice is overdue by more than this many days (null: off). */
  overdueDays: number | null;
  /** Hold when the overdue amount (functional currency) is above this (null: off). */
  overdueAmountMinor: bigint | null;
  gradeE: boolean;
  reviewExpired: boolean;
}

export interface HoldFacts {
  /** The due date of the oldest overdue open item, or null. */
  oldestOverdueDue: LocalDate | null;
  overdueMinor: bigint;
  grade: string | null;
  reviewDue: LocalDate | null;
}

/** The hold rules that fire on `asOf`, each with the reason a credit manager reads. */
export function firingHoldRules(rules: HoldRuleSettings, facts: HoldFacts, asOf: LocalDate, overdueText: (minor: bigint) => string): { rule: HoldRule; reason: string }[] {
  const fired: { rule: HoldRule; reason: string }[] = [];
  if (rules.overdueDays !== null && facts.oldestOverdueDue !== null) {
    const days = daysBetween(facts.oldestOverdueDue, asOf);
    if (days > rules.overdueDays) fired.push({ rule: 'overdue_days', reason: `an item due ${facts.oldestOverdueDue} is ${days} days overdue on ${asOf} (rule: more than ${rules.overdueDays})` });
  }
  if (rules.overdueAmountMinor !== null && facts.overdueMinor > rules.overdueAmountMinor) {
    fired.push({ rule: 'overdue_amount', reason: `overdue ${overdueText(facts.overdueMinor)} on ${asOf} is above ${overdueText(rules.overdueAmountMinor)}` });
  }
  if (rules.gradeE && facts.grade === 'E') fired.push({ rule: 'grade_e', reason: 'the credit grade is E' });
  if (rules.reviewExpired && facts.reviewDue !== null && facts.reviewDue < asOf) {
    fired.push({ rule: 'review_expired', reason: `the credit review was due ${facts.reviewDue}` });
  }
  return fired;
}
