import { describe, expect, it } from 'vitest';
import {
  closingProblem, commissionOf, evaluatePlan, installmentDates, parseRatePercent, planSchedule, planTermsProblems, rateText,
} from './payment-plans.ts';

describe('planSchedule', () => {
  it('down payment, three monthly installments with simple interest on the declining balance and a fee, to the cent', () => {
    // Items 10,000.00 open; 1,000.00 down on 06-01; 9,000.00 financed in 3 → 3,000.00 each. Rate 6.00% a year.
    // Interest 1: 9,000.00 × 6% × 30/365 (06-01→07-01) = 44.3836 → 44.38
    // Interest 2: 6,000.00 × 6% × 31/365 (07-01→08-01) = 30.5753 → 30.58
    // Interest 3: 3,000.00 × 6% × 31/365 (08-01→09-01) = 15.2877 → 15.29
    // Fee 100.00 split in 3: 33.34 + 33.33 + 33.33 (the leftover cent to the first).
    const s = planSchedule({ principalMinor: 1_000_000n, downPaymentMinor: 100_000n, startDate: '2026-06-01', installments: 3, firstDate: '2026-07-01', rateBp: 600, feeMinor: 10_000n });
    expect(s.installments.map((i) => [i.seq, i.dueDate, i.principalMinor, i.interestMinor, i.feeMinor, i.amountMinor, i.days])).toEqual([
      [0, '2026-06-01', 100_000n, 0n, 0n, 100_000n, 0],
      [1, '2026-07-01', 300_000n, 4_438n, 3_334n, 307_772n, 30],
      [2, '2026-08-01', 300_000n, 3_058n, 3_333n, 306_391n, 31],
      [3, '2026-09-01', 300_000n, 1_529n, 3_333n, 304_862n, 31],
    ]);
    // 10,000.00 + 90.25 interest + 100.00 fee = 10,190.25; the installments add up to it.
    expect([s.financedMinor, s.interestMinor, s.totalMinor]).toEqual([900_000n, 9_025n, 1_019_025n]);
    expect(s.installments.reduce((a, i) => a + i.amountMinor, 0n)).toBe(s.totalMinor);
  });

  it('splits without losing a cent and takes the dates given; no interest, no down payment', () => {
    // 1,000.00 in 3: 333.34 + 333.33 + 333.33.
    const s = planSchedule({ principalMinor: 100_000n, downPaymentMinor: 0n, startDate: '2026-06-01', installments: 3, dates: ['2026-06-15', '2026-07-20', '2026-09-30'], rateBp: 0, feeMinor: 0n });
    expect(s.installments.map((i) => `${i.seq} ${i.dueDate} ${i.amountMinor}`)).toEqual(['1 2026-06-15 33334', '2 2026-07-20 33333', '3 2026-09-30 33333']);
    expect(s.totalMinor).toBe(100_000n);
  });

  it('monthly dates keep the month end', () => {
    expect(installmentDates({ installments: 3, firstDate: '2026-01-31' })).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
  });

  it('names what is wrong with the terms', () => {
    const fields = (t: Parameters<typeof planTermsProblems>[0]) => planTermsProblems(t).map((p) => p.field);
    const base = { principalMinor: 100_000n, downPaymentMinor: 0n, startDate: '2026-06-01', installments: 3, firstDate: '2026-07-01', rateBp: 0, feeMinor: 0n };
    expect(fields(base)).toEqual([]);
    expect(fields({ ...base, downPaymentMinor: 100_000n })).toEqual(['downPayment']);
    expect(fields({ ...base, installments: 0 })).toEqual(['installments']);
    expect(fields({ ...base, firstDate: '2026-06-01' })).toEqual(['firstDate']);
    expect(fields({ ...base, installments: 0, firstDate: undefined, dates: ['2026-07-01', '2026-07-01'] })).toEqual(['dates.1']);
    expect(fields({ ...base, rateBp: 10_001 })).toEqual(['interestRate']);
  });
});

describe('evaluatePlan', () => {
  // The schedule above: 0 06-01 1,000.00 · 1 07-01 3,077.72 · 2 08-01 3,063.91 · 3 09-01 3,048.62; grace 3, N = 10.
  const inst = [
    { seq: 0, dueDate: '2026-06-01', amountMinor: 100_000n },
    { seq: 1, dueDate: '2026-07-01', amountMinor: 307_772n },
    { seq: 2, dueDate: '2026-08-01', amountMinor: 306_391n },
    { seq: 3, dueDate: '2026-09-01', amountMinor: 304_862n },
  ];
  const pays = [{ date: '2026-06-01', amountMinor: 100_000n }, { date: '2026-07-03', amountMinor: 200_000n }, { date: '2026-07-10', amountMinor: 107_772n }];
  const at = (asOf: string, payments = pays) => evaluatePlan(inst, payments, '2026-06-01', asOf, 3, 10);
  const brief = (asOf: string, payments = pays) => at(asOf, payments).installments.map((i) => `${i.seq} ${i.status} ${i.paidMinor}${i.paidOn ? ` ${i.paidOn}` : ''}${i.late ? ' late' : ''}`);

  it('fills the installments in order: paid, partly paid within grace, missed after it, paid late', () => {
    // 07-04: 1,000.00 covers the down payment; 2,000.00 towards installment 1 (deadline 07-01 + 3 = 07-04): partly paid.
    expect(brief('2026-07-04')).toEqual(['0 paid 100000 2026-06-01', '1 partly_paid 200000', '2 due 0', '3 due 0']);
    // 07-05: a day after the deadline: missed, with the 2,000.00 paid towards it shown.
    expect(brief('2026-07-05')).toEqual(['0 paid 100000 2026-06-01', '1 missed 200000', '2 due 0', '3 due 0']);
    // 07-10: 1,077.72 more: 3,077.72 in all on installment 1, paid on 07-10, late.
    expect(brief('2026-07-10')).toEqual(['0 paid 100000 2026-06-01', '1 paid 307772 2026-07-10 late', '2 due 0', '3 due 0']);
  });

  it('is in default when an installment is unpaid more than N days after its date', () => {
    const short = pays.slice(0, 2);
    // 07-11: installment 1 unpaid 10 days after 07-01: not beyond N = 10.
    expect(at('2026-07-11', short).defaulted).toBeNull();
    // 07-12: 11 days: in default on installment 1.
    expect(at('2026-07-12', short).defaulted).toMatchObject({ seq: 1, daysOverdue: 11, paidMinor: 200_000n });
    expect(at('2026-07-12').defaulted).toBeNull();
  });

  it('ignores payments before the start and after the as-of date; a reversal takes a payment back; complete when all is paid', () => {
    expect(brief('2026-06-01', [{ date: '2026-05-31', amountMinor: 100_000n }])[0]).toBe('0 due 0');
    expect(brief('2026-07-03', [...pays, { date: '2026-07-03', amountMinor: -200_000n }])[1]).toBe('1 due 0');
    const all = at('2026-09-01', [{ date: '2026-06-01', amountMinor: 1_019_025n }]);
    expect([all.complete, all.paidMinor]).toEqual([true, 1_019_025n]);
  });
});

describe('escalation rules', () => {
  it('commission is recovered × basis points ÷ 10,000, half up', () => {
    // 12,345.67 × 15.00% = 1,851.8505 → 1,851.85; 0.03 × 25% = 0.0075 → 0.01.
    expect(commissionOf(1_234_567n, 1500)).toBe(185_185n);
    expect(commissionOf(3n, 2500)).toBe(1n);
  });
  it('closing needs the recoveries to match the outcome', () => {
    expect(closingProblem('closed_recovered', 100n, 99n)).toMatch(/closed_partly/);
    expect(closingProblem('closed_recovered', 100n, 100n)).toBeNull();
    expect(closingProblem('closed_partly', 100n, 0n)).toMatch(/closed_unrecoverable/);
    expect(closingProblem('closed_partly', 100n, 40n)).toBeNull();
    expect(closingProblem('closed_unrecoverable', 100n, 40n)).toBeNull();
  });
  it('reads and writes rates', () => {
    expect([parseRatePercent('6.5'), parseRatePercent('12'), parseRatePercent('6.555'), rateText(650)]).toEqual([650, 1200, null, '6.50']);
  });
});
