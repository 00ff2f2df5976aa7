import { describe, expect, it } from 'vitest';
import { evaluatePromise, type PromiseTerms } from './promises.ts';

// 3,000.00 promised on 2026-06-01 for 2026-06-10, grace 3: payments count from 06-01 to 06-13 inclusive.
const promise: PromiseTerms = { amountMinor: 300_000n, createdOn: '2026-06-01', promisedDate: '2026-06-10', graceDays: 3 };
const paid = (date: string, amountMinor: bigint) => ({ date, amountMinor });

describe('a promise of 3,000.00 due 2026-06-10 with 3 days of grace (deadline 06-13)', () => {
  const payments = [paid('2026-06-08', 100_000n), paid('2026-06-14', 200_000n)];
  it.each([
    // asOf, status, paid so far in the window
    ['2026-06-07', 'open', 0n], // nothing yet, deadline ahead
    ['2026-06-08', 'open', 100_000n], // 1,000.00 of 3,000.00
    ['2026-06-13', 'open', 100_000n], // the last day of grace: the customer may still pay today
    ['2026-06-14', 'partly_kept', 100_000n], // the 2,000.00 on 06-14 is a day late and does not count
    ['2026-07-31', 'partly_kept', 100_000n],
  ] as const)('at %s is %s with %s paid', (asOf, status, paidMinor) => {
    expect(evaluatePromise(promise, payments, asOf)).toEqual({ status, paidMinor, deadline: '2026-06-13' });
  });
  it('is kept the day the whole amount is in, even before the promised date', () => {
    expect(evaluatePromise(promise, [paid('2026-06-05', 100_000n), paid('2026-06-06', 200_000n)], '2026-06-06')).toMatchObject({ status: 'kept', paidMinor: 300_000n });
  });
  it('is kept by a payment on the last day of grace', () => {
    expect(evaluatePromise(promise, [paid('2026-06-13', 300_000n)], '2026-06-20')).toMatchObject({ status: 'kept' });
  });
  it('is broken when nothing came by the deadline; payments before the promise was made do not count', () => {
    expect(evaluatePromise(promise, [paid('2026-05-31', 300_000n)], '2026-06-14')).toEqual({ status: 'broken', paidMinor: 0n, deadline: '2026-06-13' });
  });
  it('a payment reversed inside the window is taken back', () => {
    expect(evaluatePromise(promise, [paid('2026-06-09', 300_000n), paid('2026-06-11', -300_000n)], '2026-06-14')).toMatchObject({ status: 'broken', paidMinor: 0n });
  });
  it('with no grace, the deadline is the promised date', () => {
    expect(evaluatePromise({ ...promise, graceDays: 0 }, [paid('2026-06-11', 300_000n)], '2026-06-11')).toMatchObject({ status: 'broken', deadline: '2026-06-10' });
  });
});
