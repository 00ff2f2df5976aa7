/** Amounts are formatted from their exact decimal strings; dates are calendar days, never shifted by a time zone. */
import { describe, expect, it } from 'vitest';
import { formatAmount, formatDate, formatInstant, formatNumber } from './format.ts';

describe('formatAmount', () => {
  it('groups thousands and keeps the currency’s decimals, in each language', () => {
    expect(formatAmount('1234567.5', 'CNY', 'zh-CN')).toBe('¥1,234,567.50');
    expect(formatAmount('1234567.5', 'CNY', 'en')).toBe('CN¥1,234,567.50');
    expect(formatAmount('1500', 'JPY', 'en')).toBe('¥1,500');
    expect(formatAmount('-80.00', 'USD', 'en')).toBe('-$80.00');
  });
  it('keeps every digit of an amount a float would round (2^53 + 1 cents)', () => {
    expect(formatAmount('90071992547409.93', 'CNY', 'zh-CN')).toBe('¥90,071,992,547,409.93');
  });
  it('shows a value that is not a number as it came', () => {
    expect(formatAmount('n/a', 'CNY', 'en')).toBe('n/a');
  });
});

describe('formatNumber', () => {
  it('formats without a symbol, with the currency’s decimals', () => {
    expect(formatNumber('1000', 'CNY', 'en')).toBe('1,000.00');
    expect(formatNumber('1000', 'KWD', 'en')).toBe('1,000.000');
  });
});

describe('formatDate', () => {
  it('shows the same calendar day in both languages', () => {
    expect(formatDate('2026-03-01', 'zh-CN')).toBe('2026/3/1');
    expect(formatDate('2026-03-01', 'en')).toBe('Mar 1, 2026');
    expect(formatDate('2026-12-31', 'en')).toBe('Dec 31, 2026');
    expect(formatDate(null, 'en')).toBe('—');
  });
});

describe('formatInstant', () => {
  it('shows an instant in the company’s time zone', () => {
    // 16:30 UTC on 31 March is 00:30 on 1 April in Shanghai (UTC+8).
    expect(formatInstant('2026-03-31T16:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026/04/01 00:30:00');
  });
});
