/** Exact amounts on the payment form: read, summed and written back in minor units, never through a float. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.ts';
import { checkApplication, fillOldestFirst, groupOpenItems, serverLineErrors, type OpenLine } from './apply.ts';
import { formatMinor, parseMinor, todayIn } from './money.ts';
import type { OpenItem } from './types.ts';

describe('parseMinor / formatMinor', () => {
  it('reads amounts in the currency’s minor units', () => {
    expect(parseMinor('1234.5', 'CNY')).toBe(123450n);
    expect(parseMinor('1,234.50', 'CNY')).toBe(123450n);
    expect(parseMinor('1500', 'JPY')).toBe(1500n);
    expect(parseMinor('1.234', 'KWD')).toBe(1234n);
    expect(parseMinor('.5', 'USD')).toBe(50n);
    expect(parseMinor('-0.01', 'CNY')).toBe(-1n);
  });
  it('keeps every cent a float would lose (2^53 + 1 cents)', () => {
    expect(parseMinor('90071992547409.93', 'CNY')).toBe(9007199254740993n);
    expect(formatMinor(9007199254740993n, 'CNY')).toBe('90071992547409.93');
  });
  it('refuses what is not an amount, and decimals the currency does not have', () => {
    expect(parseMinor('12a', 'CNY')).toBe('format');
    expect(parseMinor('', 'CNY')).toBe('format');
    expect(parseMinor('1.005', 'CNY')).toBe('decimals');
    expect(parseMinor('10.5', 'JPY')).toBe('decimals');
  });
  it('writes the API’s form back', () => {
    expect(formatMinor(5n, 'CNY')).toBe('0.05');
    expect(formatMinor(-123450n, 'CNY')).toBe('-1234.50');
    expect(formatMinor(1500n, 'JPY')).toBe('1500');
    expect(formatMinor(1n, 'KWD')).toBe('0.001');
  });
});

describe('todayIn', () => {
  it('is the company’s day, not UTC’s', () => {
    const lateUtc = new Date('2026-06-30T20:00:00Z');
    expect(todayIn('Asia/Shanghai', lateUtc)).toBe('2026-07-01');
    expect(todayIn('UTC', lateUtc)).toBe('2026-06-30');
    expect(todayIn('America/New_York', new Date('2026-07-01T02:00:00Z'))).toBe('2026-06-30');
  });
});

const item = (number: string, seq: number, dueDate: string, open: string, currency = 'CNY'): OpenItem => ({
  itemId: `${number}-${seq}`, kind: 'invoice', number, installment: seq, side: 'debit', currency, documentDate: '2026-01-01',
  dueDate, amount: open, open, discountDate: null, discountAmount: '0.00',
});

describe('applying a payment', () => {
  const lines: OpenLine[] = groupOpenItems([
    item('INV-1', 1, '2026-02-01', '100.00'),
    item('INV-2', 1, '2026-03-01', '250.10'),
    item('INV-1', 2, '2026-04-01', '50.00'),
    item('INV-3', 1, '2026-05-01', '99.99'),
  ]);

  it('shows one line per document with its installments added up, oldest due first', () => {
    expect(lines.map((l) => [l.number, l.openMinor, l.installments, l.dueDate])).toEqual([
      ['INV-1', 15000n, 2, '2026-02-01'], ['INV-2', 25010n, 1, '2026-03-01'], ['INV-3', 9999n, 1, '2026-05-01'],
    ]);
  });

  it('fills oldest first until the payment runs out', () => {
    expect(fillOldestFirst(lines, 30000n, 'CNY')).toEqual({ 'INV-1': '150.00', 'INV-2': '150.00' });
    expect(fillOldestFirst(lines, 100000n, 'CNY')).toEqual({ 'INV-1': '150.00', 'INV-2': '250.10', 'INV-3': '99.99' });
  });

  it('adds up what is applied and refuses more than open or more than the payment', () => {
    const ok = checkApplication(lines, { 'INV-1': '150', 'INV-3': '0.01', 'INV-2': '' }, 20000n, 'CNY');
    expect(ok).toEqual({ appliedMinor: 15001n, lineProblems: {}, overApplied: false, entries: [{ document: 'INV-1', amount: '150.00' }, { document: 'INV-3', amount: '0.01' }] });
    const bad = checkApplication(lines, { 'INV-1': '150.01', 'INV-2': '1.001', 'INV-3': '-1' }, 10000n, 'CNY');
    expect(bad.lineProblems).toEqual({ 'INV-1': 'moreThanOpen', 'INV-2': 'decimals', 'INV-3': 'notPositive' });
    expect(bad.overApplied).toBe(true);
  });

  it('takes a document in another currency with an amount in the credit’s currency and an optional rate', () => {
    // USD-1 has 100.00 USD open; 715.00 CNY is more than 100.00 as a number but not as money: no moreThanOpen here
    // (the server converts and checks); the rate goes with the entry.
    const usd: OpenLine = { kind: 'invoice', number: 'USD-1', documentDate: '2026-03-01', dueDate: '2026-03-31', installments: 1, currency: 'USD', openMinor: 10000n };
    const ok = checkApplication([usd], { 'USD-1': '715' }, 100000n, 'CNY', { 'USD-1': '7.15' });
    // 715.00 CNY applied of 1,000.00.
    expect(ok).toEqual({ appliedMinor: 71500n, lineProblems: {}, overApplied: false, entries: [{ document: 'USD-1', amount: '715.00', rate: '7.15' }] });
    expect(checkApplication([usd], { 'USD-1': '715' }, 100000n, 'CNY').entries).toEqual([{ document: 'USD-1', amount: '715.00' }]);
    expect(checkApplication([usd], { 'USD-1': '715' }, 100000n, 'CNY', { 'USD-1': '0' }).lineProblems).toEqual({ 'USD-1': 'rate' });
    expect(checkApplication([usd], { 'USD-1': '715' }, 100000n, 'CNY', { 'USD-1': '7,15' }).lineProblems).toEqual({ 'USD-1': 'rate' });
  });
});

describe('the API’s refusals of lines', () => {
  it('lands on the document each `appliesTo.N` / `to.N` names, in the order the request sent them', () => {
    const error = new ApiError(409, 'ALLOCATION_EXCEEDS_OPEN', 'cannot apply', [
      { field: 'appliesTo.1', message: 'INV-2 has only 10.00 CNY open' },
      { field: 'amount', message: 'not this one' },
    ]);
    const t = (key: string, options?: Record<string, unknown>) => `${key}: ${String(options?.message)}`;
    expect(serverLineErrors(error, [{ document: 'INV-1' }, { document: 'INV-2' }], t)).toEqual({ 'INV-2': 'apply.refused: INV-2 has only 10.00 CNY open' });
    expect(serverLineErrors(new ApiError(409, 'X', 'x', [{ field: 'to.0', message: 'gone' }]), [{ document: 'INV-9' }], t)).toEqual({ 'INV-9': 'apply.refused: gone' });
  });
});
