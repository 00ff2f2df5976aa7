/**
 * How amounts and dates read in each language. Amounts come from the API as exact decimal strings in major units
 * ("1234.50"); they are formatted from the string (Intl takes decimal strings exactly), never through a float.
 * Business dates are 'YYYY-MM-DD' with no time zone; instants are shown in the company's time zone.
 */
import { currencyScale, isCurrency } from '../../../src/domain/money.ts';

const amountFormats = new Map<string, Intl.NumberFormat>();

/** "1234.5" in CNY → "¥1,234.50" (zh-CN) or "CN¥1,234.50" (en); the currency's own number of decimals. */
export function formatAmount(amount: string, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = amountFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 });
    }
    amountFormats.set(key, format);
  }
  if (!/^-?\d+(\.\d+)?$/.test(amount)) return amount;
  return format.format(amount as Intl.StringNumericLiteral);
}

/** "1234.5" → "1,234.50" with the currency's decimals and no symbol (for columns headed by the currency). */
export function formatNumber(amount: string, currency: string, locale: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(amount)) return amount;
  // The ledger's own decimals for the currency (src/domain/money.ts), as the API wrote the amount.
  const code = currency.toUpperCase();
  const digits = isCurrency(code) ? currencyScale(code) : 2;
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount as Intl.StringNumericLiteral);
}

/** '2026-03-01' → '2026/3/1' (zh-CN) or 'Mar 1, 2026' (en). The date is a calendar day: no time zone shifts it. */
export function formatDate(date: string | null | undefined, locale: string): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const utc = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: locale.startsWith('zh') ? 'numeric' : 'short', day: 'numeric', timeZone: 'UTC' }).format(utc);
}

/** An instant (ISO timestamp) in the company's time zone, to the second. */
export function formatInstant(instant: string | null | undefined, locale: string, timeZone: string): string {
  if (!instant) return '—';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone,
  }).format(date);
}

/** Is this decimal string below zero (for colouring)? */
export function isNegative(amount: string): boolean {
  return amount.trim().startsWith('-');
}
