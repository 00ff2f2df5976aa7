/** Aging rules, with every figure worked out by hand beside it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './dates.ts';
import { AppError } from './errors.ts';
import { ageLedger, bucketOf, bucketsFrom, parseBuckets, type AgingAllocation, type AgingItem } from './aging.ts';

const DEFAULT = bucketsFrom();
const AS_OF = '2026-03-31';

const debit = (itemId: string, dueDate: string, amountMinor: bigint, documentDate = '2026-01-01', groupKey = 'C1'): AgingItem =>
  ({ itemId, groupKey, side: 'debit', documentDate, dueDate, amountMinor });
const credit = (itemId: string, documentDate: string, amountMinor: bigint, groupKey = 'C1'): AgingItem =>
  ({ itemId, groupKey, side: 'credit', documentDate, dueDate: documentDate, amountMinor });
const allocation = (creditItemId: string, debitItemId: string, date: string, amountMinor: bigint): AgingAllocation =>
  ({ creditItemId, debitItemId, date, amountMinor });

describe('buckets', () => {
  it('are current, 1-30, 31-60, 61-90, 91-180, 181-365 and over 365 by default', () => {
    expect(DEFAULT.map((b) => [b.key, b.fromDays, b.toDays])).toEqual([
      ['current', null, 0], ['1-30', 1, 30], ['31-60', 31, 60], ['61-90', 61, 90], ['91-180', 91, 180], ['181-365', 181, 365], ['over-365', 366, null],
    ]);
  });

  it('put due today in current, 30 days past due in 1-30 and 31 in 31-60', () => {
    expect(bucketOf(-5, DEFAULT).key).toBe('current');
    expect(bucketOf(0, DEFAULT).key).toBe('current');
    expect(bucketOf(1, DEFAULT).key).toBe('1-30');
    expect(bucketOf(30, DEFAULT).key).toBe('1-30');
    expect(bucketOf(31, DEFAULT).key).toBe('31-60');
    expect(bucketOf(365, DEFAULT).key).toBe('181-365');
    expect(bucketOf(366, DEFAULT).key).toBe('over-365');
  });

  it('take limits as the CLI writes them, and refuse what is not growing whole days, naming the option', () => {
    expect(parseBuckets('15, 45').map((b) => b.key)).toEqual(['current', '1-15', '16-45', 'over-45']);
    for (const bad of ['', '30,30', '60,30', '30,x', '0,30', '30.5']) {
      let error: unknown;
      try {
        parseBuckets(bad, '--buckets');
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(AppError);
      expect((error as AppError).message, bad).toMatch(/^--buckets: /);
    }
  });

  it('leave no gap and no overlap: every number of days is in exactly one bucket', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: -400, max: 4000 }), (raw, days) => {
      const buckets = bucketsFrom([...raw].sort((a, b) => a - b));
      const holding = buckets.filter((b) => (b.fromDays === null || days >= b.fromDays) && (b.toDays === null || days <= b.toDays));
      expect(holding).toHaveLength(1);
    }));
  });
});

describe('ageLedger', () => {
  it('ages each installment by its own due date, after a partial payment', () => {
    // An invoice of 1,000.00 in two installments: 400.00 due 2026-02-15 (44 days past due at 03-31) and 600.00 due
    // 2026-04-15 (not yet due). A payment of 150.00 on 03-01 paid the first installment in part: 250.00 open.
    const { rows } = ageLedger(AS_OF, 'due', DEFAULT,
      [debit('i1', '2026-02-15', 40000n), debit('i2', '2026-04-15', 60000n), credit('p1', '2026-03-01', 15000n)],
      [allocation('p1', 'i1', '2026-03-01', 15000n)]);
    expect(rows).toEqual([{
      groupKey: 'C1', current: 60000n,
      buckets: { '1-30': 0n, '31-60': 25000n, '61-90': 0n, '91-180': 0n, '181-365': 0n, 'over-365': 0n },
      outstanding: 85000n, unapplied: 0n, net: 85000n,
    }]);
  });

  it('ignores a payment dated after the as-of date: the invoice was open then', () => {
    // 500.00 due 2026-03-01 (30 days past due at 03-31), paid in full on 04-02.
    const items = [debit('i1', '2026-03-01', 50000n), credit('p1', '2026-04-02', 50000n)];
    const allocations = [allocation('p1', 'i1', '2026-04-02', 50000n)];
    const then = ageLedger(AS_OF, 'due', DEFAULT, items, allocations);
    expect(then.rows[0]).toMatchObject({ buckets: { '1-30': 50000n }, outstanding: 50000n, unapplied: 0n });
    // At 04-02 it is paid: nothing is open for C1.
    expect(ageLedger('2026-04-02', 'due', DEFAULT, items, allocations).rows).toEqual([]);
  });

  it('ignores documents dated after the as-of date', () => {
    const { rows } = ageLedger(AS_OF, 'due', DEFAULT, [debit('i1', '2026-05-01', 10000n, '2026-04-01')], []);
    expect(rows).toEqual([]);
  });

  it('nets an applied credit note and shows an unapplied one in its own column', () => {
    // Invoice 800.00 due 2026-01-31 (59 days past due): credit note CN1 of 300.00 applied to it on 02-10 → 500.00
    // open in 31-60; credit note CN2 of 120.00 not applied: unapplied 120.00, net 500.00 − 120.00 = 380.00.
    const { rows } = ageLedger(AS_OF, 'due', DEFAULT,
      [debit('i1', '2026-01-31', 80000n), credit('cn1', '2026-02-10', 30000n), credit('cn2', '2026-03-05', 12000n)],
      [allocation('cn1', 'i1', '2026-02-10', 30000n)]);
    expect(rows[0]).toMatchObject({ current: 0n, buckets: { '31-60': 50000n }, outstanding: 50000n, unapplied: 12000n, net: 38000n });
  });

  it('takes back an allocation undone before the as-of date, but not one undone after it', () => {
    // 200.00 due 2026-03-20 (11 days past due), paid 03-21, the payment undone (a negative allocation) on 03-25.
    const items = [debit('i1', '2026-03-20', 20000n), credit('p1', '2026-03-21', 20000n)];
    const allocations = [allocation('p1', 'i1', '2026-03-21', 20000n), allocation('p1', 'i1', '2026-03-25', -20000n)];
    expect(ageLedger(AS_OF, 'due', DEFAULT, items, allocations).rows[0]).toMatchObject({ buckets: { '1-30': 20000n }, unapplied: 20000n, net: 0n });
    expect(ageLedger('2026-03-22', 'due', DEFAULT, items, allocations).rows).toEqual([]);
  });

  it('ages by document date on that basis', () => {
    // Dated 2026-02-28, due 2026-03-30: by due date 1 day past due (1-30); by document date 31 days old (31-60).
    const items = [debit('i1', '2026-03-30', 10000n, '2026-02-28')];
    expect(ageLedger(AS_OF, 'due', DEFAULT, items, []).rows[0]!.buckets['1-30']).toBe(10000n);
    expect(ageLedger(AS_OF, 'document', DEFAULT, items, []).rows[0]!.buckets['31-60']).toBe(10000n);
  });

  it('groups by key, sorted, with totals equal to the sum of the rows', () => {
    const { rows, totals } = ageLedger(AS_OF, 'due', DEFAULT,
      [debit('a', '2026-03-31', 100n, '2026-01-01', 'C2'), debit('b', '2025-01-01', 250n, '2024-12-01', 'C1'), credit('c', '2026-03-01', 40n, 'C2')], []);
    expect(rows.map((r) => r.groupKey)).toEqual(['C1', 'C2']);
    // C1: 250 over 365 days (2025-01-01 → 2026-03-31 is 454 days); C2: 100 current, 40 unapplied.
    expect(totals).toMatchObject({ current: 100n, buckets: { 'over-365': 250n }, outstanding: 350n, unapplied: 40n, net: 310n });
  });

  it('keeps current + buckets = outstanding and net = outstanding − unapplied, to the cent, for any ledger', () => {
    const arbitraryLedger = fc.array(fc.record({
      days: fc.integer({ min: -90, max: 800 }), amount: fc.bigInt({ min: 1n, max: 10n ** 12n }), paid: fc.bigInt({ min: 0n, max: 100n }),
      credit: fc.boolean(), group: fc.constantFrom('C1', 'C2', 'C3'),
    }), { maxLength: 40 });
    fc.assert(fc.property(arbitraryLedger, (lines) => {
      const items: AgingItem[] = [];
      const allocations: AgingAllocation[] = [];
      lines.forEach((line, i) => {
        if (line.credit) {
          items.push(credit(`c${i}`, '2026-01-15', line.amount, line.group));
        } else {
          items.push(debit(`d${i}`, addDays(AS_OF, -line.days), line.amount, '2024-01-01', line.group));
          const paid = (line.amount * line.paid) / 100n;
          if (paid > 0n) {
            items.push(credit(`p${i}`, '2026-01-15', paid, line.group));
            allocations.push(allocation(`p${i}`, `d${i}`, '2026-01-15', paid));
          }
        }
      });
      const { rows, totals } = ageLedger(AS_OF, 'due', DEFAULT, items, allocations);
      for (const row of [...rows, totals]) {
        expect(row.current + Object.values(row.buckets).reduce((a, b) => a + b, 0n)).toBe(row.outstanding);
        expect(row.net).toBe(row.outstanding - row.unapplied);
      }
      const owed = lines.reduce((sum, l) => sum + (l.credit ? 0n : l.amount - (l.amount * l.paid) / 100n), 0n);
      expect(totals.outstanding).toBe(owed);
    }));
  });
});
