import { describe, expect, it } from 'vitest';
import {
  bucketColours, bucketsProblem, chartRows, compareAmount, normaliseBuckets, overdueAmount, overdueShare,
  sumAmounts, type AgingReport, type AgingRow,
} from './report.ts';

const buckets = [
  { key: 'current', fromDays: null, toDays: 0 },
  { key: '1-30', fromDays: 1, toDays: 30 },
  { key: 'over-30', fromDays: 31, toDays: null },
];

function row(key: string, current: string, b1: string, b2: string, unapplied = '0.00', name = `Name ${key}`): AgingRow {
  // Outstanding and net worked out by hand from the parts in each test's figures.
  const minor = (s: string) => BigInt(s.replace('.', ''));
  const outstanding = minor(current) + minor(b1) + minor(b2);
  const text = (n: bigint) => `${n < 0n ? '-' : ''}${(n < 0n ? -n : n) / 100n}.${((n < 0n ? -n : n) % 100n).toString().padStart(2, '0')}`;
  return {
    key, name, current, buckets: { '1-30': b1, 'over-30': b2 },
    outstanding: text(outstanding), unapplied, net: text(outstanding - minor(unapplied)),
  };
}

describe('buckets, as the API takes them', () => {
  it('accepts whole growing numbers of days and explains anything else', () => {
    expect(bucketsProblem('30,60,90,180,365')).toBeNull();
    expect(bucketsProblem(' 30 , 60 ')).toBeNull();
    expect(bucketsProblem('')).toBe('empty');
    expect(bucketsProblem(' , ')).toBe('empty');
    expect(bucketsProblem('30,6O')).toBe('format');
    expect(bucketsProblem('30.5')).toBe('format');
    expect(bucketsProblem('-30')).toBe('format');
    expect(bucketsProblem('0,30')).toBe('range');
    expect(bucketsProblem('36501')).toBe('range');
    expect(bucketsProblem('60,30')).toBe('order');
    expect(bucketsProblem('30,30')).toBe('order');
    expect(bucketsProblem('1,2,3,4,5,6,7,8,9,10')).toBeNull();
    expect(bucketsProblem('1,2,3,4,5,6,7,8,9,10,11')).toBe('tooMany');
    expect(normaliseBuckets(' 030, 60 ,,90')).toBe('30,60,90');
  });
});

describe('amounts as exact integers', () => {
  it('sorts by an amount column beyond what a float holds exactly', () => {
    const a = row('A', '90071992547409.93', '0.00', '0.00');
    const b = row('B', '90071992547409.92', '0.00', '0.00');
    expect(compareAmount(a, b, 'current', 'CNY')).toBe(1);
    expect(compareAmount(b, a, 'outstanding', 'CNY')).toBe(-1);
    expect(compareAmount(a, a, 'bucket:1-30', 'CNY')).toBe(0);
    expect(sumAmounts(['0.10', '0.20', '-0.05'], 'CNY')).toBe('0.25');
  });

  it('overdue is outstanding less current; its share is rounded half up to 0.01 %', () => {
    // 1,000.00 outstanding of which 876.55 current: 123.45 overdue = 12.345 % → 0.1235 (half up).
    const totals = row('T', '876.55', '100.00', '23.45');
    expect(overdueAmount(totals, 'CNY')).toBe('123.45');
    expect(overdueShare(totals, 'CNY')).toBe('0.1235');
    expect(overdueShare(row('T', '0.00', '1.00', '2.00'), 'CNY')).toBe('1.0000');
    expect(overdueShare(row('T', '2.00', '0.00', '1.00'), 'CNY')).toBe('0.3333');
    expect(overdueShare(row('T', '0.00', '0.00', '0.00'), 'CNY')).toBeNull();
  });
});

describe('the chart', () => {
  it('shows the largest rows by outstanding, then one row summing all the others', () => {
    const report: AgingReport = {
      asOf: '2026-06-30', basis: 'due', by: 'customer', currency: 'CNY', buckets,
      rows: [
        row('C1', '10.00', '0.00', '0.00'),
        row('C2', '0.00', '50.00', '0.00'),
        row('C3', '1.00', '2.00', '3.00'),
        row('C4', '0.01', '0.00', '0.02'),
        row('C5', '0.00', '0.00', '0.00', '5.00'), // only a credit: nothing to draw
      ],
      totals: row('', '11.01', '52.00', '3.02', '5.00'),
      page: { sort: 'key', limit: 100, offset: 0, total: 5, nextOffset: null },
    };
    const top = chartRows(report, 2);
    expect(top.map((r) => r.key)).toEqual(['C2', 'C1', null]);
    // Others: the totals less C2 and C1: current 11.01 − 10.00 = 1.01, 1–30 52.00 − 50.00 = 2.00, over 30 3.02,
    // outstanding 66.03 − 50.00 − 10.00 = 6.03 (C3 1 + 2 + 3 and C4 0.01 + 0.02); three rows (C3, C4, C5).
    expect(top[2]).toMatchObject({ amounts: { current: '1.01', '1-30': '2.00', 'over-30': '3.02' }, outstanding: '6.03', members: 3 });
    expect(chartRows(report, 10).map((r) => r.key)).toEqual(['C2', 'C1', 'C3', 'C4']);
  });

  it('draws the others from the totals when the answer holds only the first page', () => {
    // The server's first page of two by outstanding: C2 and C1 of five rows; the totals are every row's.
    const report: AgingReport = {
      asOf: '2026-06-30', basis: 'due', by: 'customer', currency: 'CNY', buckets,
      rows: [row('C2', '0.00', '50.00', '0.00'), row('C1', '10.00', '0.00', '0.00')],
      totals: row('', '11.01', '52.00', '3.02', '5.00'),
      page: { sort: 'outstanding', limit: 2, offset: 0, total: 5, nextOffset: 2 },
    };
    const chart = chartRows(report, 10);
    expect(chart.map((r) => r.key)).toEqual(['C2', 'C1', null]);
    expect(chart[2]).toMatchObject({ amounts: { current: '1.01', '1-30': '2.00', 'over-30': '3.02' }, outstanding: '6.03', members: 3 });
  });

  it('colours the buckets from green to red, one colour each', () => {
    const colours = bucketColours(7);
    expect(colours).toHaveLength(7);
    expect(colours[0]).toBe('#389e0d');
    expect(colours[6]).toBe('#820014');
    expect(new Set(colours).size).toBe(7);
    expect(bucketColours(1)).toEqual(['#389e0d']);
  });
});
