/** Provision rules, with every figure worked out by hand beside it. */
import { describe, expect, it } from 'vitest';
import { bucketsFrom } from './aging.ts';
import { parseDecimal } from './decimal.ts';
import { AppError } from './errors.ts';
import {
  agingMethodRate, allowanceOf, eclMatrix, eclMethodRate, monthEndsBefore, movementOf, parseRateSet, percentText, ratio,
  type CustomerBalance, type MonthEndBalances,
} from './provision.ts';

// current, 1-30, 31-60, over-60
const BUCKETS = bucketsFrom([30, 60]);
const d = (text: string) => parseDecimal(text, 'test');

const customer = (code: string, segment: string | null, buckets: Record<string, bigint>): CustomerBalance => ({ customer: code, name: code, segment, buckets });

describe('aging method', () => {
  const defaults = parseRateSet({ current: '1', '1-30': '3%', '31-60': '10', 'over-60': '50' }, BUCKETS, 'rates');
  const segments = { gov: parseRateSet({ current: '0', '1-30': '1', '31-60': '5', 'over-60': '20' }, BUCKETS, 'segments.gov') };

  it('applies the default rates, or the segment set over them, half up per line', () => {
    const a = allowanceOf([
      // A (no segment): current 1,000.00 × 1% = 10.00; 1-30 333.33 × 3% = 9.9999 → 10.00; over-60 12.35 × 50% = 6.175 → 6.18 (half up)
      customer('A', null, { current: 100000n, '1-30': 33333n, 'over-60': 1235n }),
      // B (gov): 31-60 1,000.01 × 5% = 50.0005 → 50.00; over-60 0.05 × 20% = 0.01
      customer('B', 'gov', { '31-60': 100001n, 'over-60': 5n }),
    ], BUCKETS, agingMethodRate(defaults, segments));
    expect(a.lines.map((l) => [l.customer, l.bucket, l.allowanceMinor])).toEqual([
      ['A', 'current', 1000n], ['A', '1-30', 1000n], ['A', 'over-60', 618n], ['B', '31-60', 5000n], ['B', 'over-60', 1n],
    ]);
    // A 10.00 + 10.00 + 6.18 = 26.18; B 50.00 + 0.01 = 50.01; total 76.19
    expect(a.byCustomer.get('A')).toBe(2618n);
    expect(a.byCustomer.get('B')).toBe(5001n);
    expect(a.totalMinor).toBe(7619n);
    // over-60: 6.18 + 0.01 on 12.35 + 0.05
    expect(a.byBucket.get('over-60')).toEqual({ balanceMinor: 1240n, allowanceMinor: 619n });
  });

  it('rounds each line and totals the rounded lines, so customers add up to the total exactly', () => {
    // three customers with 0.50 in 1-30 at 3%: 1.5 minor units each → 2 each; total 6, not 3% of 1.50 (4.5 → 5)
    const a = allowanceOf(['X', 'Y', 'Z'].map((c) => customer(c, null, { '1-30': 50n })), BUCKETS, agingMethodRate(defaults, {}));
    expect([...a.byCustomer.values()]).toEqual([2n, 2n, 2n]);
    expect(a.totalMinor).toBe(6n);
  });

  it('refuses rates outside 0–100% and sets that do not match the buckets, naming each field', () => {
    let error: AppError | undefined;
    try {
      parseRateSet({ current: '101', '1-30': 'x', '31-60': '10', 'over-90': '50' }, BUCKETS, 'rates');
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe('INVALID_PROVISION_RATES');
    expect(error?.details.map((p) => p.field).sort()).toEqual(['rates.1-30', 'rates.current', 'rates.over-60', 'rates.over-90']);
  });
});

describe('expected credit loss matrix', () => {
  const history: MonthEndBalances[] = [
    { monthEnd: '2025-12-31', buckets: { current: 1000n, '1-30': 400n, '31-60': 100n, 'over-60': 50n } },
    { monthEnd: '2026-01-31', buckets: { current: 1200n, '1-30': 300n, '31-60': 160n, 'over-60': 80n } },
    { monthEnd: '2026-02-28', buckets: { current: 800n, '1-30': 360n, '31-60': 120n, 'over-60': 100n } },
    { monthEnd: '2026-03-31', buckets: { current: 1000n, '1-30': 200n, '31-60': 90n, 'over-60': 110n } },
  ];
  const matrix = eclMatrix(history, BUCKETS, d('1.05'));

  it('averages roll rates weighted by balance: Σ next bucket a month later / Σ this bucket', () => {
    const [r0, r1, r2] = matrix.rollRates;
    // current → 1-30: (300 + 360 + 200) / (1000 + 1200 + 800) = 860 / 3000 = 43/150
    expect([r0!.sumToMinor, r0!.sumFromMinor, r0!.rate]).toEqual([860n, 3000n, ratio(43n, 150n)]);
    expect(r0!.steps[0]).toEqual({ monthEnd: '2025-12-31', nextMonthEnd: '2026-01-31', fromMinor: 1000n, toMinor: 300n });
    // 1-30 → 31-60: (160 + 120 + 90) / (400 + 300 + 360) = 370 / 1060 = 37/106
    expect(r1!.rate).toEqual(ratio(37n, 106n));
    // 31-60 → over-60: (80 + 100 + 110) / (100 + 160 + 120) = 290 / 380 = 29/38
    expect(r2!.rate).toEqual(ratio(29n, 38n));
  });

  it('chains roll rates to the last bucket (terminal, 100%) and applies the factor, capped at 100%', () => {
    const byBucket = Object.fromEntries(matrix.lossRates.map((l) => [l.bucket, l]));
    expect(matrix.terminal).toBe('over-60');
    // over-60: terminal, 1 × 1.05 capped at 1
    expect(byBucket['over-60']!.rate).toEqual(ratio(1n, 1n));
    // 31-60: 29/38 = 76.3158%; × 21/20 = 609/760 = 80.1316%
    expect(percentText(byBucket['31-60']!.historical)).toBe('76.3158');
    expect(byBucket['31-60']!.rate).toEqual(ratio(609n, 760n));
    // 1-30: 37/106 × 29/38 = 1073/4028 (26.6385%); × 21/20 = 22533/80560 (27.9705%)
    expect(byBucket['1-30']!.historical).toEqual(ratio(1073n, 4028n));
    expect(percentText(byBucket['1-30']!.rate)).toBe('27.9705');
    // current: 43/150 × 1073/4028 = 46139/604200; × 21/20 = 322973/4028000 (8.0182%)
    expect(byBucket.current!.rate).toEqual(ratio(322973n, 4028000n));
    expect(byBucket.current!.chain).toEqual(['current→1-30', '1-30→31-60', '31-60→over-60']);
  });

  it('gives the allowance from the exact rates, rounded once per line', () => {
    const a = allowanceOf([customer('A', null, { current: 100000n, '1-30': 100000n, '31-60': 5000n, 'over-60': 700n })], BUCKETS, eclMethodRate(matrix));
    // current 1,000.00 × 322973/4028000 = 80.1819… → 80.18; 1-30 1,000.00 × 22533/80560 = 279.7045… → 279.70;
    // 31-60 50.00 × 609/760 = 40.0657… → 40.07; over-60 7.00 × 1 = 7.00. Total 80.18 + 279.70 + 40.07 + 7.00 = 406.95
    expect(a.lines.map((l) => l.allowanceMinor)).toEqual([8018n, 27970n, 4007n, 700n]);
    expect(a.totalMinor).toBe(40695n);
  });

  it('flags a bucket with no history and caps a roll rate above 1', () => {
    const m = eclMatrix([
      { monthEnd: '2026-01-31', buckets: { current: 100n, '1-30': 0n, '31-60': 0n } },
      // 1-30 gained 150 from 100 of current (a backdated invoice): capped at 1
      { monthEnd: '2026-02-28', buckets: { current: 0n, '1-30': 150n, '31-60': 0n } },
    ], BUCKETS, d('1'));
    expect(m.rollRates[0]!.capped).toBe(true);
    expect(m.rollRates[0]!.rate).toEqual(ratio(1n, 1n));
    expect(m.rollRates[1]!.noHistory).toBe(true);
    expect(m.lossRates[0]!.rate).toEqual(ratio(0n, 1n));
  });

  it('looks back over whole month-ends, the as-of date itself when it is one', () => {
    expect(monthEndsBefore('2026-03-31', 3)).toEqual(['2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31']);
    expect(monthEndsBefore('2026-03-15', 2)).toEqual(['2025-12-31', '2026-01-31', '2026-02-28']);
    expect(() => monthEndsBefore('2026-03-31', 37)).toThrow(/1 to 36/);
  });
});

describe('movement', () => {
  it('derives the charge: closing − opening + utilised − recovered', () => {
    // opening 500.00, write-offs 120.00 used it, 30.00 recovered, closing 450.00: charge 450 − 500 + 120 − 30 = 40.00
    expect(movementOf({ openingMinor: 50000n, utilisedMinor: 12000n, recoveredMinor: 3000n, closingMinor: 45000n }).chargeMinor).toBe(4000n);
    // nothing written off, closing below opening: a release of 100.00
    expect(movementOf({ openingMinor: 50000n, utilisedMinor: 0n, recoveredMinor: 0n, closingMinor: 40000n }).chargeMinor).toBe(-10000n);
  });
});
