import { describe, expect, it } from 'vitest';
import { amountPoints, daysPoints, rankWorklist, scoreCustomer, type WorklistFacts } from './worklist.ts';

const asOf = '2026-06-30';
const base: WorklistFacts = {
  customer: 'C1', currency: 'CNY', overdueMinor: 0n, disputedMinor: 0n, oldestDaysPastDue: 0, grade: 'A',
  brokenPromiseDates: [], openPromise: null, followUpOn: null,
};

describe('amount bands (bigint minor units, no logarithm)', () => {
  it.each([
    [0n, 'CNY', 0],
    [1n, 'CNY', 5], // 0.01 CNY
    [99_999n, 'CNY', 5], // 999.99
    [100_000n, 'CNY', 10], // 1,000.00
    [499_999n, 'CNY', 10], // 4,999.99
    [500_000n, 'CNY', 15], // 5,000.00
    [999_999n, 'CNY', 15], // 9,999.99
    [1_000_000n, 'CNY', 20], // 10,000.00
    [4_999_999n, 'CNY', 20],
    [5_000_000n, 'CNY', 25], // 50,000.00
    [10_000_000n, 'CNY', 30], // 100,000.00
    [50_000_000n, 'CNY', 35], // 500,000.00
    [100_000_000n, 'CNY', 40], // 1,000,000.00
    [1_000n, 'JPY', 10], // JPY has no minor unit: 1,000 yen
    [999n, 'JPY', 5],
    [1_000_000n, 'KWD', 10], // KWD has 3 decimals: 1,000.000
  ])('%s minor %s gives %i points', (minor, currency, points) => {
    expect(amountPoints(minor, currency)).toBe(points);
  });
});

describe('days past due bands', () => {
  it.each([[0, 0], [1, 5], [30, 5], [31, 10], [60, 10], [61, 20], [90, 20], [91, 30], [180, 30], [181, 40], [400, 40]])('%i days gives %i points', (days, points) => {
    expect(daysPoints(days)).toBe(points);
  });
});

describe('scoreCustomer', () => {
  const cases: { name: string; facts: Partial<WorklistFacts>; score: number; reasons: [string, number, string][] }[] = [
    {
      // 123,456.00 → 30 (≥ 100,000); 45 days → 10; grade C → 10. 30 + 10 + 10 = 50.
      name: 'overdue, age and grade',
      facts: { overdueMinor: 12_345_600n, oldestDaysPastDue: 45, grade: 'C' },
      score: 50,
      reasons: [['overdue', 40, 'overdue 123,456.00 CNY, oldest 45 days'], ['grade', 10, 'risk grade C']],
    },
    {
      // 60,000.00 overdue → 25, 100 days → 30: 55; 20,000.00 disputed leaves 40,000.00 → 20, so the dispute is
      // 20 − 25 = −5; no grade → 10. 55 − 5 + 10 = 60.
      name: 'a dispute takes its amount out',
      facts: { overdueMinor: 6_000_000n, disputedMinor: 2_000_000n, oldestDaysPastDue: 100, grade: null },
      score: 60,
      reasons: [['overdue', 55, 'overdue 60,000.00 CNY, oldest 100 days'], ['disputed', -5, 'disputed 20,000.00 CNY not collectable now'], ['ungraded', 10, 'no risk grade']],
    },
    {
      // Wholly disputed 8,000.00 (→ 15) at 10 days (→ 5): 20, and the dispute takes back all 15; grade B 5. 20 − 15 + 5 = 10.
      name: 'wholly disputed (and a dispute above the overdue is capped)',
      facts: { overdueMinor: 800_000n, disputedMinor: 900_000n, oldestDaysPastDue: 10, grade: 'b' },
      score: 10,
      reasons: [['overdue', 20, 'overdue 8,000.00 CNY, oldest 10 days'], ['disputed', -15, 'disputed 8,000.00 CNY not collectable now'], ['grade', 5, 'risk grade B']],
    },
    {
      // 2,000.00 → 10, 200 days → 40; E 30; four broken promises count three, newest first: 3 × 15 = 45. 10 + 40 + 30 + 45 = 125.
      name: 'broken promises, at most three',
      facts: { overdueMinor: 200_000n, oldestDaysPastDue: 200, grade: 'E', brokenPromiseDates: ['2026-04-10', '2026-06-12', '2026-05-01', '2026-04-20'] },
      score: 125,
      reasons: [['overdue', 50, 'overdue 2,000.00 CNY, oldest 200 days'], ['grade', 30, 'risk grade E'], ['broken_promise', 15, 'broken promise on 2026-06-12'],
        ['broken_promise', 15, 'broken promise on 2026-05-01'], ['broken_promise', 15, 'broken promise on 2026-04-20']],
    },
    {
      // 20,000.00 → 20, 35 days → 10; A 0; open promise −30; follow-up in the future −20. 30 − 30 − 20 = −20.
      name: 'an open promise and a follow-up to come lower it',
      facts: { overdueMinor: 2_000_000n, oldestDaysPastDue: 35, openPromise: { promisedDate: '2026-06-29', deadline: '2026-07-02', amount: '5,000.00 CNY' }, followUpOn: '2026-07-03' },
      score: -20,
      reasons: [['overdue', 30, 'overdue 20,000.00 CNY, oldest 35 days'], ['grade', 0, 'risk grade A'],
        ['open_promise', -30, 'promised 5,000.00 CNY by 2026-06-29 (counts until 2026-07-02)'], ['follow_up_future', -20, 'follow-up on 2026-07-03']],
    },
    {
      // A promise whose deadline has passed (not evaluated yet) lowers nothing; follow-up today +15. 30 + 0 + 15 = 45.
      name: 'a promise past its deadline does not lower; a follow-up due today raises',
      facts: { overdueMinor: 2_000_000n, oldestDaysPastDue: 35, openPromise: { promisedDate: '2026-06-20', deadline: '2026-06-23', amount: '5,000.00 CNY' }, followUpOn: asOf },
      score: 45,
      reasons: [['overdue', 30, 'overdue 20,000.00 CNY, oldest 35 days'], ['grade', 0, 'risk grade A'], ['follow_up_today', 15, 'follow-up due today']],
    },
    {
      // Follow-up 5 days late +20: 30 + 0 + 20 = 50.
      name: 'a follow-up past due raises',
      facts: { overdueMinor: 2_000_000n, oldestDaysPastDue: 35, followUpOn: '2026-06-25' },
      score: 50,
      reasons: [['overdue', 30, 'overdue 20,000.00 CNY, oldest 35 days'], ['grade', 0, 'risk grade A'], ['follow_up_past', 20, 'follow-up overdue since 2026-06-25 (5 days)']],
    },
    {
      // A grade outside A–E counts as ungraded: 5,000 JPY → 15 (≥ 5,000), 1 day → 5, ungraded 10 = 30.
      name: 'an unknown grade counts as ungraded; JPY has no decimals',
      facts: { currency: 'JPY', overdueMinor: 5_000n, oldestDaysPastDue: 1, grade: 'X' },
      score: 30,
      reasons: [['overdue', 20, 'overdue 5,000 JPY, oldest 1 days'], ['ungraded', 10, 'risk grade X (not in A-E)']],
    },
  ];
  it.each(cases)('$name', ({ facts, score, reasons }) => {
    const result = scoreCustomer({ ...base, ...facts }, asOf);
    expect(result.score).toBe(score);
    expect(result.reasons.map((r) => [r.code, r.points, r.text])).toEqual(reasons);
    // The score is the sum of its reasons: a row always shows all of why it ranks there.
    expect(result.reasons.reduce((s, r) => s + r.points, 0)).toBe(score);
  });

  it('collectable is overdue less disputed, never below zero', () => {
    expect(scoreCustomer({ ...base, overdueMinor: 6_000_000n, disputedMinor: 2_000_000n }, asOf).collectableMinor).toBe(4_000_000n);
    expect(scoreCustomer({ ...base, overdueMinor: 800_000n, disputedMinor: 900_000n }, asOf).collectableMinor).toBe(0n);
  });
});

describe('rankWorklist', () => {
  it('orders by score, then overdue amount, then code', () => {
    const rows = [
      { customer: 'B', score: 40, overdueMinor: 100n },
      { customer: 'A', score: 40, overdueMinor: 100n },
      { customer: 'C', score: 40, overdueMinor: 500n },
      { customer: 'D', score: 70, overdueMinor: 1n },
      { customer: 'E', score: -5, overdueMinor: 9_999n },
    ];
    expect(rankWorklist(rows).map((r) => r.customer)).toEqual(['D', 'C', 'A', 'B', 'E']);
  });
});

describe('predicted lateness', () => {
  it('is the amount-weighted days beyond terms, rounded half away from zero, from at least 3 paid items', async () => {
    const { predictedDaysLate } = await import('./worklist.ts');
    // 1,000.00 paid 40 days late, 3,000.00 paid 20 days late, 1,000.00 paid early (0):
    // (100,000 × 40 + 300,000 × 20 + 100,000 × 0) / 500,000 = 10,000,000 / 500,000 = 20 days.
    expect(predictedDaysLate({ paidMinor: 500_000n, beyondWeightedMinorDays: 10_000_000n, items: 3 })).toBe(20);
    // 12.5 days rounds to 13; 12.4 to 12.
    expect(predictedDaysLate({ paidMinor: 200n, beyondWeightedMinorDays: 2_500n, items: 3 })).toBe(13);
    expect(predictedDaysLate({ paidMinor: 500n, beyondWeightedMinorDays: 6_200n, items: 4 })).toBe(12);
    // Two items are no history; nothing paid is none either.
    expect(predictedDaysLate({ paidMinor: 500_000n, beyondWeightedMinorDays: 10_000_000n, items: 2 })).toBeNull();
    expect(predictedDaysLate(null)).toBeNull();
  });

  it('adds 5 from 10 days, 10 from 30 and 15 from 60, with the reason; a punctual payer adds nothing', () => {
    const facts = (paidMinor: bigint, beyond: bigint, items: number) => ({ ...base, overdueMinor: 100_000n, oldestDaysPastDue: 5, paymentHistory: { paidMinor, beyondWeightedMinorDays: beyond, items } });
    // Base: overdue 1,000.00 (10) + 5 days (5) + grade A (0) = 15.
    expect(scoreCustomer(facts(100_000n, 0n, 5), asOf).score).toBe(15);
    expect(scoreCustomer(facts(100_000n, 900_000n, 5), asOf).score).toBe(15); // 9 days: 0
    expect(scoreCustomer(facts(100_000n, 1_000_000n, 5), asOf).score).toBe(20); // 10 days: +5
    expect(scoreCustomer(facts(100_000n, 3_000_000n, 5), asOf).score).toBe(25); // 30 days: +10
    const habitual = scoreCustomer(facts(100_000n, 6_500_000n, 7), asOf); // 65 days: +15
    expect(habitual.score).toBe(30);
    expect(habitual.reasons.at(-1)).toEqual({
      code: 'predicted_late', points: 15, values: { days: 65, items: 7 },
      text: 'predicted to pay 65 days late (its average over 7 items paid in the last 365 days)',
    });
  });
});
