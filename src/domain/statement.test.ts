import { describe, expect, it } from 'vitest';
import { buildSection, checkLineCount, checkPeriod, confirmationNumber, daysOutstanding, type StatementAllocation, type StatementDocument } from './statement.ts';

const doc = (date: string, kind: string, number: string, side: 'debit' | 'credit', amountMinor: bigint, reverses: string | null = null): StatementDocument =>
  ({ date, kind, number, side, amountMinor, dueDate: null, reverses, memo: null });
const applied = (date: string, creditNumber: string, debitNumber: string, amountMinor: bigint): StatementAllocation =>
  ({ date, creditKind: 'payment', creditNumber, debitKind: 'invoice', debitNumber, amountMinor });

describe('buildSection', () => {
  it.each([
    {
      name: 'no lines: closing is the opening',
      opening: 12_345n, documents: [], allocations: [],
      balances: [], debits: 0n, credits: 0n, closing: 12_345n,
    },
    {
      // 100.00 + 250.00 − 80.00 = 270.00; the allocation leaves the balance where it was.
      name: 'an invoice, a payment and what it paid',
      opening: 10_000n,
      documents: [doc('2026-04-03', 'payment', 'PAY-1', 'credit', 8_000n), doc('2026-04-01', 'invoice', 'INV-1', 'debit', 25_000n)],
      allocations: [applied('2026-04-03', 'PAY-1', 'INV-1', 8_000n)],
      balances: [['INV-1', 35_000n], ['PAY-1', 27_000n], ['PAY-1', 27_000n]], debits: 25_000n, credits: 8_000n, closing: 27_000n,
    },
    {
      // A payment (credit 50.00) reversed the same month: the reversal is a debit of 50.00; net nothing; the undone
      // allocation shows −50.00 applied.
      name: 'a bounced payment and its reversal',
      opening: 0n,
      documents: [doc('2026-05-02', 'payment', 'PAY-2', 'credit', 5_000n), doc('2026-05-05', 'reversal', 'REV-1', 'debit', 5_000n, 'PAY-2')],
      allocations: [applied('2026-05-02', 'PAY-2', 'INV-7', 5_000n), applied('2026-05-05', 'PAY-2', 'INV-7', -5_000n)],
      balances: [['PAY-2', -5_000n], ['PAY-2', -5_000n], ['REV-1', 0n], ['PAY-2', 0n]], debits: 5_000n, credits: 5_000n, closing: 0n,
    },
  ])('$name', ({ opening, documents, allocations, balances, debits, credits, closing }) => {
    const section = buildSection(opening, documents, allocations);
    expect(section.lines.map((l) => [l.number, l.balanceMinor])).toEqual(balances);
    expect([section.debitsMinor, section.creditsMinor, section.closingMinor]).toEqual([debits, credits, closing]);
    expect(section.closingMinor).toBe(section.openingMinor + section.debitsMinor - section.creditsMinor);
  });

  it('puts documents before the allocations of the same day and keeps a reversal\'s reference', () => {
    const section = buildSection(0n, [doc('2026-05-05', 'reversal', 'REV-1', 'debit', 1n, 'PAY-2')], [applied('2026-05-05', 'A', 'B', 1n)]);
    expect(section.lines.map((l) => [l.type, l.reference])).toEqual([['document', 'PAY-2'], ['allocation', 'B']]);
  });
});

describe('statement bounds', () => {
  it.each([
    ['2026-01-01', '2026-01-01', null],
    ['2021-05-01', '2026-04-30', null], // five years to the day before: allowed
    ['2021-05-01', '2026-05-01', 'PERIOD_TOO_LONG'],
    ['2026-02-01', '2026-01-31', 'INVALID_PERIOD'],
  ])('%s to %s', (from, to, code) => {
    if (code) expect(() => checkPeriod(from, to)).toThrow(expect.objectContaining({ code }));
    else expect(() => checkPeriod(from, to)).not.toThrow();
  });

  it('holds at most 20,000 lines', () => {
    expect(() => checkLineCount(20_000, '2026-01-01', '2026-12-31')).not.toThrow();
    expect(() => checkLineCount(20_001, '2026-01-01', '2026-12-31')).toThrow(expect.objectContaining({ code: 'STATEMENT_TOO_LARGE', kind: 'too_large' }));
  });
});

describe('confirmations', () => {
  it('counts days outstanding from the issue date, never below zero', () => {
    expect(daysOutstanding('2026-06-30', '2026-07-15')).toBe(15);
    expect(daysOutstanding('2026-06-30', '2026-06-30')).toBe(0);
    expect(daysOutstanding('2026-06-30', '2026-06-01')).toBe(0);
  });
  it('numbers by the year of the balance date', () => {
    expect(confirmationNumber('2026-03-31', 7)).toBe('BC-2026-000007');
  });
});
