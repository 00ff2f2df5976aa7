/**
 * Money is an integer count of minor units (`amountMinor: bigint`) with its ISO 4217 currency. No floating point
 * touches money. Percentages and FX rates are exact decimals (see decimal.ts); every rounding goes through
 * `roundHalfUp` (commercial rounding, 四舍五入: halves away from zero).
 */
import { assert, invalid } from './errors.ts';

/** ISO 4217 minor units for the currencies whose scale is not 2. Every other listed code has 2. */
export const SCALE_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Active ISO 4217 currency codes (funds and precious metals excluded except CLF, UYI, UYW). */
const ISO_4217_CODES = (
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF ' +
  'CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD ' +
  'HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL ' +
  'LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR ' +
  'PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP ' +
  'TRY TTD TWD TZS UAH UGX USD UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
).split(' ');
const KNOWN = new Set(ISO_4217_CODES);

/** Largest absolute amount arflow accepts, in minor units: 10^17 (a thousand trillion yuan). */
export const MAX_ABS_AMOUNT_MINOR = 10n ** 17n;

export function isCurrency(code: string): boolean {
  return KNOWN.has(code);
}

/** Throws a user error naming `field` unless `code` is an ISO 4217 currency we know. */
export function checkCurrency(code: string, field = 'currency'): string {
  if (!KNOWN.has(code)) {
    throw invalid('INVALID_CURRENCY', `${field}: "${code}" is not an ISO 4217 currency code (use e.g. CNY, USD, EUR)`, [
      { field, message: 'unknown currency code' },
    ]);
  }
  return code;
}

/** Number of decimal places of a currency's minor unit (CNY 2, JPY 0, KWD 3). */
export function currencyScale(currency: string): number {
  assert(KNOWN.has(currency), `unknown currency ${currency}`);
  return SCALE_EXCEPTIONS[currency] ?? 2;
}

export interface ParseAmountOptions {
  /** Accept thousands separators ("1,234.50", "1 234.50"); import files have them, the API does not. */
  thousands?: boolean;
  /** Accept negative amounts. */
  allowNegative?: boolean;
}

/** Why a decimal string could not be read as an amount, or null when it can. Used to build field-named errors. */
export function amountProblem(text: string, currency: string, options: ParseAmountOptions = {}): string | null {
  const result = tryParseAmount(text, currency, options);
  return typeof result === 'string' ? result : null;
}

/**
 * Reads a decimal amount in major units ("1234.50") as minor units of `currency`. Never rounds: more decimals than
 * the currency has is an error, so no cent is invented or lost on the way in.
 */
export function parseAmount(text: string, currency: string, field = 'amount', options: ParseAmountOptions = {}): bigint {
  const result = tryParseAmount(text, currency, options);
  if (typeof result === 'string') {
    throw invalid('INVALID_AMOUNT', `${field}: ${result}`, [{ field, message: result }]);
  }
  return result;
}

const PLAIN_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

function tryParseAmount(text: string, currency: string, options: ParseAmountOptions): bigint | string {
  let s = text.trim();
  if (s === '') return 'is empty; give a decimal amount like "1234.50"';
  if (options.thousands) {
    // Accounting negatives "(1,234.50)" and the thousands separators ",", " ", "'" and "，".
    const paren = /^\((.*)\)$/.exec(s);
    if (paren) s = `-${paren[1]}`;
    if (/^[+-]?\d{1,3}([,， '\u00a0]\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/[,， '\u00a0]/g, '');
  }
  const m = PLAIN_DECIMAL.exec(s);
  if (!m) return `"${text}" is not a decimal amount; write it like "1234.50" (dot for decimals${options.thousands ? ', optional thousands separators' : ', no thousands separators'})`;
  const [, sign, whole, frac = ''] = m;
  const scale = currencyScale(currency);
  if (frac.length > scale) {
    const trimmed = frac.replace(/0+$/, '');
    if (trimmed.length > scale) {
      return `"${text}" has ${frac.length} decimals but ${currency} has ${scale}; round it in the source system`;
    }
  }
  const digits = `${whole}${frac.slice(0, scale).padEnd(scale, '0')}`;
  let minor = BigInt(digits);
  if (sign === '-') minor = -minor;
  if (minor < 0n && !options.allowNegative) return `"${text}" is negative; amounts here must be zero or more`;
  if (minor > MAX_ABS_AMOUNT_MINOR || minor < -MAX_ABS_AMOUNT_MINOR) return `"${text}" is larger than arflow accepts (10^17 minor units)`;
  return minor;
}

/**
 * Minor units as a plain decimal string in major units: 123450n CNY → "1234.50", -5n CNY → "-0.05". A number must be
 * a safe integer (reports that add up many sums keep them as numbers while they stay exact; see addMinor).
 */
export function formatAmount(amountMinor: bigint | number, currency: string): string {
  if (typeof amountMinor === 'number') assert(Number.isSafeInteger(amountMinor), `amount ${amountMinor} is not a safe integer of minor units`);
  const scale = currencyScale(currency);
  const negative = amountMinor < 0;
  const digits = (negative ? -amountMinor : amountMinor).toString();
  if (scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/**
 * An exact count of minor units, as a number while it is a safe integer and a bigint beyond: a report summing
 * hundreds of thousands of figures saves a bigint allocation per figure, and stays exact.
 */
export type Minor = number | bigint;

/** A whole number of minor units from SQL (a bigint, or the text of an int8 or an integral numeric), as a Minor. */
export function minorOf(value: unknown): Minor {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  const text = String(value);
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  return BigInt(text.includes('.') ? text.replace(/\.0*$/, '') : text);
}

/** a + b exactly: a number while the sum is a safe integer, else a bigint. */
export function addMinor(a: Minor, b: Minor): Minor {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}

/** a − b exactly, as addMinor. */
export function subtractMinor(a: Minor, b: Minor): Minor {
  return addMinor(a, typeof b === 'bigint' ? -b : -b);
}

/** a / b rounded half away from zero. The one rounding rule for money in arflow. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  assert(denominator !== 0n, 'division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const q = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -q : q;
}

/**
 * Splits `total` into parts proportional to `weights` without losing or inventing a minor unit: each part gets the
 * floor of its share, and the units left over go one each to the largest remainders (earlier parts first on ties).
 */
export function splitProportionally(total: bigint, weights: readonly bigint[]): bigint[] {
  assert(weights.length > 0, 'split needs at least one weight');
  assert(weights.every((w) => w >= 0n), 'weights must not be negative');
  const weightSum = weights.reduce((a, b) => a + b, 0n);
  assert(weightSum > 0n, 'weights must not all be zero');
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const parts = weights.map((w) => (abs * w) / weightSum);
  const remainders = weights.map((w, i) => ({ i, r: (abs * w) % weightSum }));
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = parts[i]! + 1n;
    left -= 1n;
  }
  return negative ? parts.map((p) => -p) : parts;
}

export function sumMinor(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
