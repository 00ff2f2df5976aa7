/**
 * Bad-debt provision (坏账准备), pure: the allowance by the aging method (账龄分析法) and by expected credit loss with a
 * provision matrix (IFRS 9 / CAS 22 simplified approach), and the allowance's movement between two runs.
 *
 * Rules:
 * - Rates are exact: a percentage of the aging method is a Decimal ("5" = 5%); a rate of the ECL matrix is an exact
 *   fraction of two balances (Ratio), kept unrounded through the chain product and the forward-looking factor.
 * - Rounding (the one rule, named ROUNDING_RULE): each customer-and-bucket line is rounded half up to minor units
 *   (roundHalfUp of src/domain/money.ts); every total is the sum of its rounded lines, so the per-customer
 *   allocations add up to the total exactly.
 * - ECL roll rate from bucket i to bucket i+1, for the month-end pair (m, next m): balance in bucket i+1 at the next
 *   month-end / balance in bucket i at m. Averaged over the window weighted by balance: Σ to / Σ from (a month with
 *   a large balance counts more than a quiet one). Capped at 1 (a bucket can gain from backdated documents).
 * - Terminal state: the last bucket. What reaches it is taken as lost (loss rate 100%); the loss rate of bucket i is
 *   the product of the roll rates from i to the last bucket, times the forward-looking factor, capped at 100%.
 * - A bucket with no balance in the window has no roll rate; it is taken as 0 and flagged (`noHistory`), so a new
 *   company sees why the matrix is empty and uses the aging method until it has history.
 */
import { AppError, assert, invalid } from './errors.ts';
import type { AgingBucket } from './aging.ts';
import { formatDecimal, parseDecimal, type Decimal } from './decimal.ts';
import { addMonths, endOfMonth, type LocalDate } from './dates.ts';
import { roundHalfUp } from './money.ts';

export const PROVISION_METHODS = ['aging', 'ecl'] as const;
export type ProvisionMethod = (typeof PROVISION_METHODS)[number];

export const ROUNDING_RULE = 'half-up per customer and bucket; totals are the sums of the rounded lines';

/** Most month-end transitions an ECL matrix looks back over. */
export const MAX_ECL_MONTHS = 36;

/** An exact non-negative fraction. */
export interface Ratio {
  num: bigint;
  den: bigint;
}

export const ZERO_RATIO: Ratio = { num: 0n, den: 1n };
export const ONE_RATIO: Ratio = { num: 1n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

export function ratio(num: bigint, den: bigint): Ratio {
  assert(den > 0n && num >= 0n, 'a ratio is non-negative with a positive denominator');
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export const multiplyRatio = (a: Ratio, b: Ratio): Ratio => ratio(a.num * b.num, a.den * b.den);
export const minRatio = (a: Ratio, b: Ratio): Ratio => (a.num * b.den <= b.num * a.den ? a : b);
export const ratioOfDecimal = (d: Decimal): Ratio => ratio(d.units, 10n ** BigInt(d.scale));
/** A percentage ("5" → 5/100). */
export const ratioOfPercent = (d: Decimal): Ratio => ratio(d.units, 100n * 10n ** BigInt(d.scale));

/** A ratio as a percentage to `places` decimals, rounded half up, trailing zeros dropped; display only: 1/3 → "33.3333", 1/20 → "5". */
export function percentText(r: Ratio, places = 4): string {
  let units = roundHalfUp(r.num * 100n * 10n ** BigInt(places), r.den);
  let scale = places;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return formatDecimal({ units, scale });
}

/** amountMinor × rate, rounded half up to minor units: the ROUNDING_RULE for one line. */
export const applyRatio = (amountMinor: bigint, r: Ratio): bigint => roundHalfUp(amountMinor * r.num, r.den);

// ---------------------------------------------------------------------------------------------------------------
// Aging method settings.

/** Percentages by bucket key ("current", "1-30", …): every bucket of the set, each from 0 to 100. */
export type RateSet = Record<string, Decimal>;

/** Parses a rate set given as text ({"current": "1", "1-30": "3"}), checking it matches `buckets` exactly. */
export function parseRateSet(raw: Record<string, string>, buckets: readonly AgingBucket[], field: string): RateSet {
  const keys = buckets.map((b) => b.key);
  const problems: { field: string; message: string }[] = [];
  for (const key of keys) if (raw[key] === undefined) problems.push({ field: `${field}.${key}`, message: `give a rate for bucket ${key}` });
  for (const key of Object.keys(raw)) if (!keys.includes(key)) problems.push({ field: `${field}.${key}`, message: `no bucket ${key} in the buckets ${keys.join(', ')}` });
  const rates: RateSet = {};
  for (const key of keys) {
    const text = raw[key];
    if (text === undefined) continue;
    try {
      const d = parseDecimal(text.replace(/%$/, ''), `${field}.${key}`);
      if (d.units > 100n * 10n ** BigInt(d.scale)) problems.push({ field: `${field}.${key}`, message: `${text}: a rate is a percentage from 0 to 100` });
      rates[key] = d;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      problems.push({ field: `${field}.${key}`, message: `${text}: write a percentage from 0 to 100, e.g. "5" or "2.5"` });
    }
  }
  if (problems.length) throw invalid('INVALID_PROVISION_RATES', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
  return rates;
}

// ---------------------------------------------------------------------------------------------------------------
// Allowance lines.

/** A customer's open balance at the as-of date, by bucket key (current included), in minor units. */
export interface CustomerBalance {
  customer: string;
  name: string;
  segment: string | null;
  buckets: Record<string, bigint>;
}

export interface AllowanceLine {
  customer: string;
  bucket: string;
  balanceMinor: bigint;
  rate: Ratio;
  allowanceMinor: bigint;
}

export interface Allowance {
  lines: AllowanceLine[];
  byCustomer: Map<string, bigint>;
  byBucket: Map<string, { balanceMinor: bigint; allowanceMinor: bigint }>;
  totalBalanceMinor: bigint;
  totalMinor: bigint;
}

/** The allowance per customer and bucket at `rateOf(customer, bucket)`, by the ROUNDING_RULE. */
export function allowanceOf(balances: readonly CustomerBalance[], buckets: readonly AgingBucket[], rateOf: (c: CustomerBalance, bucket: string) => Ratio): Allowance {
  const lines: AllowanceLine[] = [];
  const byCustomer = new Map<string, bigint>();
  const byBucket = new Map(buckets.map((b) => [b.key, { balanceMinor: 0n, allowanceMinor: 0n }]));
  let totalBalanceMinor = 0n;
  let totalMinor = 0n;
  for (const c of balances) {
    for (const b of buckets) {
      const balanceMinor = c.buckets[b.key] ?? 0n;
      if (balanceMinor === 0n) continue;
      const rate = rateOf(c, b.key);
      const allowanceMinor = applyRatio(balanceMinor, rate);
      lines.push({ customer: c.customer, bucket: b.key, balanceMinor, rate, allowanceMinor });
      byCustomer.set(c.customer, (byCustomer.get(c.customer) ?? 0n) + allowanceMinor);
      const sums = byBucket.get(b.key)!;
      sums.balanceMinor += balanceMinor;
      sums.allowanceMinor += allowanceMinor;
      totalBalanceMinor += balanceMinor;
      totalMinor += allowanceMinor;
    }
  }
  return { lines, byCustomer, byBucket, totalBalanceMinor, totalMinor };
}

/** The aging method: the segment's rate set if it has one, else the default set. */
export function agingMethodRate(defaults: RateSet, segments: Readonly<Record<string, RateSet>>) {
  return (c: CustomerBalance, bucket: string): Ratio => {
    const set = (c.segment !== null && segments[c.segment]) || defaults;
    const rate = set[bucket];
    assert(rate !== undefined, `no rate for bucket ${bucket}`);
    return ratioOfPercent(rate);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Expected credit loss: the provision matrix from history.

/** The balances by bucket (current included) at one month-end. */
export interface MonthEndBalances {
  monthEnd: LocalDate;
  buckets: Record<string, bigint>;
}

export interface RollStep {
  /** The pair's first month-end and its balance in `from`; the next month-end and its balance in `to`. */
  monthEnd: LocalDate;
  nextMonthEnd: LocalDate;
  fromMinor: bigint;
  toMinor: bigint;
}

export interface RollRate {
  from: string;
  to: string;
  steps: RollStep[];
  sumFromMinor: bigint;
  sumToMinor: bigint;
  /** min(1, Σ to / Σ from); zero when `noHistory`. */
  rate: Ratio;
  noHistory: boolean;
  capped: boolean;
}

export interface LossRate {
  bucket: string;
  /** The roll rates multiplied, from this bucket to the terminal one (empty for the terminal bucket). */
  chain: string[];
  /** The chain's product (1 for the terminal bucket). */
  historical: Ratio;
  /** min(1, historical × factor). */
  rate: Ratio;
}

export interface EclMatrix {
  factor: Decimal;
  terminal: string;
  rollRates: RollRate[];
  lossRates: LossRate[];
}

/**
 * The provision matrix from month-end balances (oldest first, consecutive month-ends), with the forward-looking
 * `factor`. Every rate is exact; see the rules at the top of this file.
 */
export function eclMatrix(history: readonly MonthEndBalances[], buckets: readonly AgingBucket[], factor: Decimal): EclMatrix {
  assert(buckets.length >= 2, 'a matrix needs at least two buckets');
  const rollRates: RollRate[] = [];
  for (let i = 0; i + 1 < buckets.length; i++) {
    const from = buckets[i]!.key;
    const to = buckets[i + 1]!.key;
    const steps: RollStep[] = [];
    for (let m = 0; m + 1 < history.length; m++) {
      steps.push({
        monthEnd: history[m]!.monthEnd, nextMonthEnd: history[m + 1]!.monthEnd,
        fromMinor: history[m]!.buckets[from] ?? 0n, toMinor: history[m + 1]!.buckets[to] ?? 0n,
      });
    }
    const sumFromMinor = steps.reduce((s, x) => s + x.fromMinor, 0n);
    const sumToMinor = steps.reduce((s, x) => s + x.toMinor, 0n);
    const noHistory = sumFromMinor <= 0n;
    const raw = noHistory ? ZERO_RATIO : ratio(sumToMinor < 0n ? 0n : sumToMinor, sumFromMinor);
    const capped = !noHistory && raw.num > raw.den;
    rollRates.push({ from, to, steps, sumFromMinor, sumToMinor, rate: capped ? ONE_RATIO : raw, noHistory, capped });
  }
  const f = ratioOfDecimal(factor);
  const lossRates: LossRate[] = buckets.map((b, i) => {
    const chain = rollRates.slice(i).map((r) => `${r.from}→${r.to}`);
    const historical = rollRates.slice(i).reduce((p, r) => multiplyRatio(p, r.rate), ONE_RATIO);
    return { bucket: b.key, chain, historical, rate: minRatio(ONE_RATIO, multiplyRatio(historical, f)) };
  });
  return { factor, terminal: buckets[buckets.length - 1]!.key, rollRates, lossRates };
}

/** The ECL method: the matrix's loss rate of the bucket, for every customer. */
export function eclMethodRate(matrix: EclMatrix) {
  const byBucket = new Map(matrix.lossRates.map((l) => [l.bucket, l.rate]));
  return (_c: CustomerBalance, bucket: string): Ratio => {
    const rate = byBucket.get(bucket);
    assert(rate !== undefined, `no loss rate for bucket ${bucket}`);
    return rate;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Movement of the allowance between two runs.

export interface MovementInput {
  /** Per customer: the closing allowance of the previous run (opening), write-offs and recoveries since, this run's closing. */
  openingMinor: bigint;
  utilisedMinor: bigint;
  recoveredMinor: bigint;
  closingMinor: bigint;
}

export interface Movement extends MovementInput {
  /** Charged to profit or loss (positive: Dr 信用减值损失 / Cr 坏账准备) or released (negative: the reverse entry). */
  chargeMinor: bigint;
}

/**
 * closing = opening + charge − utilised + recovered, so charge = closing − opening + utilised − recovered.
 * A write-off uses the allowance (Dr 坏账准备 / Cr 应收账款); a recovery reinstates it (Dr 应收账款 / Cr 坏账准备).
 */
export function movementOf(m: MovementInput): Movement {
  return { ...m, chargeMinor: m.closingMinor - m.openingMinor + m.utilisedMinor - m.recoveredMinor };
}

/** The last `count` + 1 month-ends up to `asOf` (asOf itself if it is a month-end), oldest first. */
export function monthEndsBefore(asOf: LocalDate, count: number): LocalDate[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ECL_MONTHS) {
    throw invalid('INVALID_ECL_MONTHS', `months: give a whole number of months from 1 to ${MAX_ECL_MONTHS} (${count})`, [{ field: 'months', message: 'out of range' }]);
  }
  const last = endOfMonth(asOf) === asOf ? asOf : endOfMonth(addMonths(asOf, -1));
  const ends: LocalDate[] = [];
  for (let i = count; i >= 0; i--) ends.push(endOfMonth(addMonths(last, -i)));
  return ends;
}
