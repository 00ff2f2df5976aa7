import { describe, expect, it } from 'vitest';
import { decideCheck, effectiveLimit, exposureOf, firingHoldRules, utilisationPercent } from './credit-limits.ts';

const terms = { limitMinor: 1_000_000n, temporary: { amountMinor: 200_000n, validFrom: '2026-06-01', validTo: '2026-06-30' } };

describe('credit limits', () => {
  it('counts a temporary increase only inside its window, both ends included', () => {
    // 10,000.00 base; +2,000.00 from 06-01 to 06-30.
    expect(effectiveLimit(terms, '2026-05-31').totalMinor).toBe(1_000_000n);
    expect(effectiveLimit(terms, '2026-06-01').totalMinor).toBe(1_200_000n);
    expect(effectiveLimit(terms, '2026-06-30').totalMinor).toBe(1_200_000n);
    expect(effectiveLimit(terms, '2026-07-01').totalMinor).toBe(1_000_000n);
  });

  it('adds the exposure parts and takes off unapplied advances', () => {
    // 5,000.00 + 1,000.00 + 500.00 + 250.00 − 300.00 = 6,450.00
    expect(exposureOf({ receivablesMinor: 500_000n, ordersMinor: 100_000n, shipmentsMinor: 50_000n, checkedMinor: 25_000n, advancesMinor: 30_000n })).toBe(645_000n);
  });

  it('rounds utilisation half up to one decimal', () => {
    // 2 / 3 = 66.666…% → 66.7; 9,000.00 / 10,000.00 = 90.0
    expect(utilisationPercent(2n, 3n)).toBe('66.7');
    expect(utilisationPercent(900_000n, 1_000_000n)).toBe('90.0');
    expect(utilisationPercent(-5n, 100n)).toBe('0.0');
    expect(utilisationPercent(5n, 0n)).toBeNull();
  });

  it('passes exactly at the limit and holds one minor unit over', () => {
    const at = decideCheck({ kind: 'order', customer: { limitMinor: 1_000_000n, exposureMinor: 1_000_000n }, group: null, warnPercent: null, holds: [], holdBlocks: [] });
    expect(at.outcome).toBe('pass');
    const over = decideCheck({ kind: 'order', customer: { limitMinor: 1_000_000n, exposureMinor: 1_000_001n }, group: null, warnPercent: null, holds: [], holdBlocks: [] });
    expect(over.outcome).toBe('hold');
    expect(over.reasons.map((r) => r.code)).toEqual(['OVER_LIMIT']);
  });

  it('warns in the warn band, holds over the group limit, blocks a kind the hold blocks', () => {
    // 899,999 × 100 < 90 × 1,000,000 → pass; 900,000 × 100 = 90 × 1,000,000 → warn
    expect(decideCheck({ kind: 'order', customer: { limitMinor: 1_000_000n, exposureMinor: 899_999n }, group: null, warnPercent: 90, holds: [], holdBlocks: [] }).outcome).toBe('pass');
    expect(decideCheck({ kind: 'order', customer: { limitMinor: 1_000_000n, exposureMinor: 900_000n }, group: null, warnPercent: 90, holds: [], holdBlocks: [] }).outcome).toBe('warn');
    const group = decideCheck({ kind: 'order', customer: { limitMinor: 1_000_000n, exposureMinor: 10n }, group: { limitMinor: 100n, exposureMinor: 101n }, warnPercent: 90, holds: [], holdBlocks: [] });
    expect(group.outcome).toBe('hold');
    expect(group.reasons.map((r) => r.code)).toEqual(['WITHIN_LIMIT', 'OVER_GROUP_LIMIT']);
    expect(decideCheck({ kind: 'order', customer: null, group: null, warnPercent: 90, holds: ['manual'], holdBlocks: ['order', 'shipment'] }).outcome).toBe('block');
    const invoice = decideCheck({ kind: 'invoice', customer: null, group: null, warnPercent: 90, holds: ['manual'], holdBlocks: ['order', 'shipment'] });
    expect(invoice.outcome).toBe('warn');
    expect(invoice.reasons.map((r) => r.code)).toEqual(['ON_HOLD', 'NO_LIMIT']);
  });

  it('fires hold rules only past their thresholds', () => {
    const rules = { overdueDays: 30, overdueAmountMinor: 100_000n, gradeE: true, reviewExpired: true };
    const text = (m: bigint) => String(m);
    // Due 05-31, as of 06-30: 30 days overdue, not more than 30 → no; 07-01: 31 → fires.
    const base = { oldestOverdueDue: '2026-05-31', overdueMinor: 100_000n, grade: 'D', reviewDue: '2026-06-30' };
    expect(firingHoldRules(rules, base, '2026-06-30', text)).toEqual([]);
    expect(firingHoldRules(rules, base, '2026-07-01', text).map((r) => r.rule)).toEqual(['overdue_days', 'review_expired']);
    // 1,000.01 overdue > 1,000.00 → fires; grade E fires.
    expect(firingHoldRules(rules, { ...base, overdueMinor: 100_001n, grade: 'E' }, '2026-06-30', text).map((r) => r.rule)).toEqual(['overdue_amount', 'grade_e']);
  });
});
