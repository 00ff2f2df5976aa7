/**
 * Receivables KPIs, pure: formulas over plain figures (minor units, day counts), exact until one rounding at the end.
 * The definitions, with a worked example each, are in docs/kpis.md; the SQL that loads the figures at an as-of date
 * is in src/modules/kpis.
 *
 * Rounding: every KPI is an exact fraction of whole numbers until it is presented; it is then rounded once, half
 * away from zero (四舍五入, `roundHalfUp`, arflow's one rounding rule), to KPI_DECIMALS of its unit: days to one
 * decimal, percentages and turnover to two. A KPI that is not defined (no sales in the period, nothing
 * outstanding) is null with the reason, never a division by zero.
 */
import { addDays, addMonths, daysBetween, type LocalDate } from './dates.ts';
import { assert } from './errors.ts';
import { roundHalfUp } from './money.ts';

export type KpiUnit = 'days' | 'percent' | 'times' | 'amount';

/** Decimal places each unit is shown with (amounts keep their currency's minor units). */
export const KPI_DECIMALS: Readonly<Record<Exclude<KpiUnit, 'amount'>, number>> = { days: 1, percent: 2, times: 2 };

/** A KPI's exact value as a fraction (denominator > 0), or why it has none. */
export type Ratio = { numerator: bigint; denominator: bigint } | { reason: string };

/** Default length of the period the flow KPIs (standard DSO, CEI, turnover, days to pay) look back over. */
export const DEFAULT_PERIOD_DAYS = 90;
export const MIN_PERIOD_DAYS = 7;
export const MAX_PERIOD_DAYS = 365;
/** How far countback DSO walks back before it gives up (receivables older than two years of sales). */
export const COUNTBACK_MAX_MONTHS = 24;
/** Days past due from which an amount counts in "over 90". */
export const OVER_DAYS = 90;
/** Concentration: the share of this many largest customers. */
export const TOP_CUSTOMERS = 10;

const ratio = (numerator: bigint, denominator: bigint): Ratio => {
  assert(denominator > 0n, 'a ratio needs a positive denominator');
  return { numerator, denominator };
};
const none = (reason: string): Ratio => ({ reason });

/** The fraction rounded half away from zero to `decimals` places, as a decimal string ("12.35", "-0.5", "0.0"). */
export function roundRatio(value: { numerator: bigint; denominator: bigint }, decimals: number): string {
  const scaled = roundHalfUp(value.numerator * 10n ** BigInt(decimals), value.denominator);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const body = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${body}` : body;
}

/** Standard DSO: AR ÷ credit sales of the period × days in the period. */
export function standardDso(arMinor: bigint, salesMinor: bigint, periodDays: number): Ratio {
  if (salesMinor <= 0n) return none('no credit sales in the period');
  return ratio(arMinor * BigInt(periodDays), salesMinor);
}

/** Best-possible DSO: current (not yet due) AR ÷ credit sales of the period × days in the period. */
export function bestPossibleDso(currentMinor: bigint, salesMinor: bigint, periodDays: number): Ratio {
  return standardDso(currentMinor, salesMinor, periodDays);
}

/** Average days delinquent = standard DSO − best-possible DSO = overdue AR ÷ credit sales × days, exactly. */
export function averageDaysDelinquent(arMinor: bigint, currentMinor: bigint, salesMinor: bigint, periodDays: number): Ratio {
  return standardDso(arMinor - currentMinor, salesMinor, periodDays);
}

/** One month of the countback walk, newest first: its length in days and its credit sales. */
export interface SalesMonth {
  from: LocalDate;
  to: LocalDate;
  days: number;
  salesMinor: bigint;
}

/**
 * Countback DSO: from the AR balance, subtract each month's credit sales, newest month first, adding the month's
 * days while the balance lasts; the month that exhausts it adds the fraction balance left ÷ that month's sales.
 */
export function countbackDso(arMinor: bigint, months: readonly SalesMonth[]): Ratio {
  if (arMinor <= 0n) return ratio(0n, 1n);
  let remaining = arMinor;
  let wholeDays = 0n;
  for (const month of months) {
    if (month.salesMinor >= remaining) {
      // wholeDays + remaining / sales × days, as one fraction.
      return ratio(wholeDays * month.salesMinor + remaining * BigInt(month.days), month.salesMinor);
    }
    remaining -= month.salesMinor;
    wholeDays += BigInt(month.days);
  }
  return none(`the receivables are more than the credit sales of the last ${months.length} months`);
}

/**
 * The months countback DSO walks, newest first: (asOf − 1 month, asOf], (asOf − 2 months, asOf − 1 month], …
 * At a month end these are the calendar months; a month end that the shorter month lacks is clamped (Mar 31 − 1
 * month = Feb 28).
 */
export function countbackMonths(asOf: LocalDate, count = COUNTBACK_MAX_MONTHS): { from: LocalDate; to: LocalDate; days: number }[] {
  const months: { from: LocalDate; to: LocalDate; days: number }[] = [];
  const atMonthEnd = addDays(asOf, 1).endsWith('-01');
  let to = asOf;
  for (let k = 1; k <= count; k++) {
    // At a month end, step by calendar months (Mar 31 → Feb 28 → Jan 31), not by clamped days of the month.
    const start = atMonthEnd ? addDays(addMonths(addDays(asOf, 1), -k), -1) : addMonths(asOf, -k);
    months.push({ from: addDays(start, 1), to, days: daysBetween(start, to) });
    to = start;
  }
  return months;
}

/** Adds daily credit sales into the countback months (days outside every month are ignored). */
export function salesByMonth(months: readonly { from: LocalDate; to: LocalDate; days: number }[], daily: readonly { date: LocalDate; salesMinor: bigint }[]): SalesMonth[] {
  const out = months.map((m) => ({ ...m, salesMinor: 0n }));
  for (const day of daily) {
    const month = out.find((m) => day.date >= m.from && day.date <= m.to);
    if (month) month.salesMinor += day.salesMinor;
  }
  return out;
}

/**
 * Collection effectiveness index over a period: (beginning AR + credit sales − ending AR) ÷ (beginning AR + credit
 * sales − ending current AR) × 100. What was collected of what could have been collected.
 */
export function collectionEffectivenessIndex(beginningMinor: bigint, salesMinor: bigint, endingMinor: bigint, endingCurrentMinor: bigint): Ratio {
  const collectible = beginningMinor + salesMinor - endingCurrentMinor;
  if (collectible <= 0n) return none('nothing was collectible in the period');
  return ratio((beginningMinor + salesMinor - endingMinor) * 100n, collectible);
}

/** AR turnover, times a year: credit sales of the period ÷ average AR ((beginning + ending) ÷ 2), × 365 ÷ period days. */
export function arTurnover(beginningMinor: bigint, endingMinor: bigint, salesMinor: bigint, periodDays: number): Ratio {
  if (salesMinor <= 0n) return none('no credit sales in the period');
  const doubleAverage = beginningMinor + endingMinor;
  if (doubleAverage <= 0n) return none('no receivables at the start or the end of the period');
  return ratio(2n * salesMinor * 365n, doubleAverage * BigInt(periodDays));
}

/** part ÷ whole × 100; null when nothing is outstanding. */
export function sharePercent(partMinor: bigint, wholeMinor: bigint, what = 'nothing is outstanding'): Ratio {
  if (wholeMinor <= 0n) return none(what);
  return ratio(partMinor * 100n, wholeMinor);
}

/** One payment applied to an invoice installment: how much, when, and the installment's document and due dates. */
export interface PaidAllocation {
  amountMinor: bigint;
  paidOn: LocalDate;
  documentDate: LocalDate;
  dueDate: LocalDate;
}

/** Weighted sums of payment behaviour: Σ amount, Σ amount × days to pay, Σ amount × days beyond terms. */
export interface PaymentSums {
  paidMinor: bigint;
  daysToPayWeighted: bigint;
  daysBeyondTermsWeighted: bigint;
}

/** The sums over allocations (the SQL computes the same with SUM). Days beyond terms are never negative: early is 0. */
export function paymentSums(allocations: readonly PaidAllocation[]): PaymentSums {
  const sums: PaymentSums = { paidMinor: 0n, daysToPayWeighted: 0n, daysBeyondTermsWeighted: 0n };
  for (const a of allocations) {
    sums.paidMinor += a.amountMinor;
    sums.daysToPayWeighted += a.amountMinor * BigInt(daysBetween(a.documentDate, a.paidOn));
    sums.daysBeyondTermsWeighted += a.amountMinor * BigInt(Math.max(0, daysBetween(a.dueDate, a.paidOn)));
  }
  return sums;
}

/** Average days from the document date to payment, weighted by the amount paid. */
export function averageDaysToPay(sums: PaymentSums): Ratio {
  if (sums.paidMinor <= 0n) return none('no payments applied in the period');
  return ratio(sums.daysToPayWeighted, sums.paidMinor);
}

/** Average days paid after the due date (early or on time counts 0), weighted by the amount paid. */
export function averageDaysBeyondTerms(sums: PaymentSums): Ratio {
  if (sums.paidMinor <= 0n) return none('no payments applied in the period');
  return ratio(sums.daysBeyondTermsWeighted, sums.paidMinor);
}

/** Everything the KPI set is computed from, loaded at one as-of date for one currency. */
export interface KpiFigures {
  asOf: LocalDate;
  periodDays: number;
  /** The day before the period: the period is (periodStart, asOf]. */
  periodStart: LocalDate;
  /** Open debit items at asOf (what customers owe, before unapplied credits). */
  outstandingMinor: bigint;
  /** Of which not yet due at asOf (due today included). */
  currentMinor: bigint;
  /** Of which more than OVER_DAYS days past due. */
  over90Minor: bigint;
  /** Of which the TOP_CUSTOMERS largest customers owe. */
  topCustomersMinor: bigint;
  /** Unapplied payments and advance receipts at asOf. */
  unappliedCashMinor: bigint;
  /** All unapplied credits (cash and credit notes) at asOf. */
  unappliedCreditsMinor: bigint;
  /** Open debit items at periodStart. */
  beginningMinor: bigint;
  /** Credit sales of the period (invoices, debit notes, charges, less their reversals). */
  salesMinor: bigint;
  /** Countback months, newest first. */
  months: SalesMonth[];
  payments: PaymentSums;
  /** Of outstanding, what open disputes cover at asOf; absent (older snapshots) or null: not known. */
  disputedMinor?: bigint | null;
}

export const KPI_KEYS = [
  'dsoCountback', 'dsoStandard', 'bestPossibleDso', 'averageDaysDelinquent', 'collectionEffectiveness', 'arTurnover',
  'overdueShare', 'over90Share', 'averageDaysToPay', 'averageDaysBeyondTerms', 'top10Concentration', 'disputedShare',
  'unappliedCash', 'arBalance',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

export interface KpiValue {
  /** A decimal string in the unit ("41.3" days, "87.50" percent, "1234.50" in the currency), or null with a reason. */
  value: string | null;
  unit: KpiUnit;
  reason?: string;
}

/** The reason disputed share has no value when the figures hold no disputed amount (snapshots from before disputes). */
export const DISPUTES_NOT_RECORDED = 'disputes are not recorded yet (they come with issue 6); nothing is counted as disputed';

/** The whole KPI set from its figures; `formatMoney` writes minor units as the currency's decimal string. */
export function computeKpis(f: KpiFigures, formatMoney: (minor: bigint) => string): Record<KpiKey, KpiValue> {
  const show = (r: Ratio, unit: Exclude<KpiUnit, 'amount'>): KpiValue =>
    ('reason' in r ? { value: null, unit, reason: r.reason } : { value: roundRatio(r, KPI_DECIMALS[unit]), unit });
  return {
    dsoCountback: show(countbackDso(f.outstandingMinor, f.months), 'days'),
    dsoStandard: show(standardDso(f.outstandingMinor, f.salesMinor, f.periodDays), 'days'),
    bestPossibleDso: show(bestPossibleDso(f.currentMinor, f.salesMinor, f.periodDays), 'days'),
    averageDaysDelinquent: show(averageDaysDelinquent(f.outstandingMinor, f.currentMinor, f.salesMinor, f.periodDays), 'days'),
    collectionEffectiveness: show(collectionEffectivenessIndex(f.beginningMinor, f.salesMinor, f.outstandingMinor, f.currentMinor), 'percent'),
    arTurnover: show(arTurnover(f.beginningMinor, f.outstandingMinor, f.salesMinor, f.periodDays), 'times'),
    overdueShare: show(sharePercent(f.outstandingMinor - f.currentMinor, f.outstandingMinor), 'percent'),
    over90Share: show(sharePercent(f.over90Minor, f.outstandingMinor), 'percent'),
    averageDaysToPay: show(averageDaysToPay(f.payments), 'days'),
    averageDaysBeyondTerms: show(averageDaysBeyondTerms(f.payments), 'days'),
    top10Concentration: show(sharePercent(f.topCustomersMinor, f.outstandingMinor), 'percent'),
    disputedShare: f.disputedMinor === undefined || f.disputedMinor === null
      ? { value: null, unit: 'percent', reason: DISPUTES_NOT_RECORDED }
      : show(sharePercent(f.disputedMinor, f.outstandingMinor), 'percent'),
    unappliedCash: { value: formatMoney(f.unappliedCashMinor), unit: 'amount' },
    arBalance: { value: formatMoney(f.outstandingMinor), unit: 'amount' },
  };
}

/** The KPIs a trend shows per month end. */
export const TREND_KEYS = ['dsoCountback', 'dsoStandard', 'collectionEffectiveness', 'overdueShare', 'over90Share', 'arBalance'] as const satisfies readonly KpiKey[];
export const MAX_TREND_MONTHS = 36;

/**
 * The dates of a trend of `months` points ending at asOf: the month ends before it, oldest first, and asOf itself
 * as the last point (itself a month end or not).
 */
export function trendDates(asOf: LocalDate, months: number): LocalDate[] {
  assert(Number.isInteger(months) && months >= 1 && months <= MAX_TREND_MONTHS, `months is 1..${MAX_TREND_MONTHS}`);
  const dates: LocalDate[] = [asOf];
  let monthEnd = addDays(`${asOf.slice(0, 7)}-01`, -1);
  while (dates.length < months) {
    dates.unshift(monthEnd);
    monthEnd = addDays(`${monthEnd.slice(0, 7)}-01`, -1);
  }
  return dates;
}

/** Figures as JSON (bigints as strings) for the snapshot table, and back. */
export function figuresToJson(f: KpiFigures): Record<string, unknown> {
  return JSON.parse(JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

const BIGINT_FIELDS = ['outstandingMinor', 'currentMinor', 'over90Minor', 'topCustomersMinor', 'unappliedCashMinor', 'unappliedCreditsMinor', 'beginningMinor', 'salesMinor'] as const;

export function figuresFromJson(json: Record<string, unknown>): KpiFigures {
  const big = (v: unknown) => BigInt(String(v));
  const f = { ...json } as Record<string, unknown>;
  for (const k of BIGINT_FIELDS) f[k] = big(json[k]);
  if (json.disputedMinor !== undefined && json.disputedMinor !== null) f.disputedMinor = big(json.disputedMinor);
  f.months = (json.months as Record<string, unknown>[]).map((m) => ({ ...m, salesMinor: big(m.salesMinor) }));
  const p = json.payments as Record<string, unknown>;
  f.payments = { paidMinor: big(p.paidMinor), daysToPayWeighted: big(p.daysToPayWeighted), daysBeyondTermsWeighted: big(p.daysBeyondTermsWeighted) };
  return f as unknown as KpiFigures;
}
