/**
 * Exact decimals for rates and percentages ("7.1234", "2.5"). Stored as an integer and a scale, so an FX rate or a
 * discount percentage never passes through floating point.
 */
import { assert, invalid } from './errors.ts';
import { currencyScale, roundHalfUp } from './money.ts';

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Most decimal places a rate or percentage may have. */
export const MAX_DECIMAL_SCALE = 10;

export function decimalProblem(text: string): string | null {
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return `"${text}" is not a positive decimal number like "7.1234"`;
  if ((m[2] ?? '').length > MAX_DECIMAL_SCALE) return `"${text}" has more than ${MAX_DECIMAL_SCALE} decimals`;
  return null;
}

/** Parses a non-negative decimal ("7.1234") exactly; `field` names it in the error. */
export function parseDecimal(text: string, field: string): Decimal {
  const problem = decimalProblem(text);
  if (problem) throw invalid('INVALID_DECIMAL', `${field}: ${problem}`, [{ field, message: problem }]);
  const [whole, frac = ''] = text.trim().split('.') as [string, string?];
  return normalize({ units: BigInt(whole + frac), scale: frac.length });
}

function normalize(d: Decimal): Decimal {
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

export function formatDecimal(d: Decimal): string {
  if (d.scale === 0) return d.units.toString();
  const s = d.units.toString().padStart(d.scale + 1, '0');
  return `${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`;
}

export const ONE: Decimal = { units: 1n, scale: 0 };

export function decimalEquals(a: Decimal, b: Decimal): boolean {
  const x = normalize(a);
  const y = normalize(b);
  return x.units === y.units && x.scale === y.scale;
}

/** amountMinor × d, rounded half up to whole minor units. */
export function multiplyAmount(amountMinor: bigint, d: Decimal): bigint {
  return roundHalfUp(amountMinor * d.units, 10n ** BigInt(d.scale));
}

/** amountMinor × percent / 100, rounded half up: 2% of 1000.00 → 20.00. */
export function percentOf(amountMinor: bigint, percent: Decimal): bigint {
  return roundHalfUp(amountMinor * percent.units, 100n * 10n ** BigInt(percent.scale));
}

/**
 * Converts an amount in `from` currency to `to` currency at `rate` (units of `to` per one unit of `from`), rounded
 * half up to `to`'s minor unit: 100.00 USD at 7.1234 → 712.34 CNY; 1000 JPY at 0.0482 CNY → 48.20 CNY.
 */
export function convertAmount(amountMinor: bigint, from: string, to: string, rate: Decimal): bigint {
  const shift = currencyScale(to) - currencyScale(from);
  const numerator = amountMinor * rate.units * (shift > 0 ? 10n ** BigInt(shift) : 1n);
  const denominator = 10n ** BigInt(rate.scale) * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
  return roundHalfUp(numerator, denominator);
}

/**
 * An exact positive ratio: a settlement rate between two currencies. A rate the user gives is a Decimal (7.15 =
 * 715/100); a cross rate through the functional currency is the quotient of two rates on file (EUR 7.82 ÷ USD 7.15),
 * which is exact only as a fraction: it is kept as one, and rounded only when an amount is converted.
 */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export const ratioOf = (d: Decimal): Ratio => ({ numerator: d.units, denominator: 10n ** BigInt(d.scale) });

/**
 * The rate of `debit` in units of `credit` per unit, from both currencies' rates to the functional currency (each in
 * functional units per unit; the functional currency's own is 1): USD 7.1 and CNY 1 → 7.1 CNY per USD; EUR 7.82 and
 * USD 7.15 → 7.82 / 7.15 USD per EUR.
 */
export function crossRate(debitToFunctional: Decimal, creditToFunctional: Decimal): Ratio {
  assert(debitToFunctional.units > 0n && creditToFunctional.units > 0n, 'cross rate of a zero rate');
  return {
    numerator: debitToFunctional.units * 10n ** BigInt(creditToFunctional.scale),
    denominator: creditToFunctional.units * 10n ** BigInt(debitToFunctional.scale),
  };
}

/**
 * Converts `amountMinor` of `from` into `to` at `ratio` (units of `to` per unit of `from`), rounded half away from
 * zero to `to`'s minor unit: 1,000.00 USD at 7.15 CNY/USD → 7,150.00 CNY.
 */
export function convertAtRatio(amountMinor: bigint, from: string, to: string, ratio: Ratio): bigint {
  const shift = currencyScale(to) - currencyScale(from);
  const numerator = amountMinor * ratio.numerator * (shift > 0 ? 10n ** BigInt(shift) : 1n);
  const denominator = ratio.denominator * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
  return roundHalfUp(numerator, denominator);
}

/** The inverse ratio: CNY per USD → USD per CNY. */
export const invertRatio = (r: Ratio): Ratio => ({ numerator: r.denominator, denominator: r.numerator });

/** A ratio as decimal text for people, rounded half away from zero to `places` decimals (trailing zeros dropped). */
export function formatRatio(r: Ratio, places = 6): string {
  return formatDecimal(normalize({ units: roundHalfUp(r.numerator * 10n ** BigInt(places), r.denominator), scale: places }));
}
