/**
 * Exact money arithmetic for the documents screens: decimal strings in major units ("1234.50") are read as BigInt
 * counts of minor units with the currency's scale, summed and compared as integers, and written back as decimal
 * strings. No float ever holds an amount. The scales and the formatting are the ledger's own (src/domain/money.ts,
 * pure and shared with the server), so the browser and the API cannot disagree about a currency's decimals.
 */
import { currencyScale, formatAmount, isCurrency } from '../../../../src/domain/money.ts';

/** Number of decimals of a currency's minor unit (CNY 2, JPY 0, KWD 3): the ledger's own table (src/domain/money.ts). */
export function currencyDecimals(currency: string): number {
  const code = currency.toUpperCase();
  return isCurrency(code) ? currencyScale(code) : 2;
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

/** 123450n → "1234.50" (the API's form: dot, no separators, the currency's decimals), by the ledger's own rule. */
export function formatMinor(minor: bigint, currency: string): string {
  const code = currency.toUpperCase();
  if (isCurrency(code)) return formatAmount(minor, code);
  const digits = (minor < 0n ? -minor : minor).toString().padStart(3, '0');
  return `${minor < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
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
