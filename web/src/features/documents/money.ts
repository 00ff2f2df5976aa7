/**
 * Exact money arithmetic for the documents screens: decimal strings in major units ("1234.50") are read as BigInt
 * counts of minor units with the currency's scale, summed and compared as integers, and written back as decimal
 * strings. No float ever holds an amount. The scales are ISO 4217's, as the API uses them (src/domain/money.ts).
 */

/** ISO 4217 currencies whose minor unit is not 2 decimals (the API's table). */
const SCALE_EXCEPTIONS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Number of decimals of a currency's minor unit (CNY 2, JPY 0, KWD 3). */
export function currencyDecimals(currency: string): number {
  return SCALE_EXCEPTIONS[currency.toUpperCase()] ?? 2;
}

export type AmountProblem = 'format' | 'decimals';

/**
 * "1,234.5" → 123450n for a 2-decimal currency. Accepts an optional minus, thousands commas and spaces; refuses
 * more decimals than the currency has (no silent rounding). Answers the problem instead when it cannot read it.
 */
export function parseMinor(text: string, currency: string): bigint | AmountProblem {
  const cleaned = text.trim().replace(/[,\s]/g, '');
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(cleaned) ?? /^(-)?()\.(\d+)$/.exec(cleaned);
  if (!m) return 'format';
  const decimals = currencyDecimals(currency);
  const fraction = m[3] ?? '';
  if (fraction.length > decimals) return 'decimals';
  const minor = BigInt((m[2] || '0') + fraction.padEnd(decimals, '0'));
  return m[1] ? -minor : minor;
}

/** 123450n → "1234.50" (the API's form: dot, no separators, the currency's decimals). */
export function formatMinor(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals ? `.${fraction}` : ''}`;
}

/** An amount the API sent ("1234.50") as minor units; the API's amounts are always well-formed. */
export function apiMinor(amount: string, currency: string): bigint {
  const minor = parseMinor(amount, currency);
  if (typeof minor !== 'bigint') throw new Error(`the API sent an amount that is not a decimal: ${amount} ${currency}`);
  return minor;
}

/** Today's date ('YYYY-MM-DD') in a time zone: the company's business day, which need not be the browser's. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}
