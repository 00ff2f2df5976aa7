/** Credit measures, scorecard and limits, with every figure worked out by hand beside it. */
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import {
  auc, behaviourOf, checkScorecard, DEFAULT_SCORECARD, ks, ratio, ratiosOf, recommendedLimit, scoreOf, zScore,
  type Financials, type GradePolicy, type Scorecard,
} from './credit.ts';

const m = (major: number) => BigInt(major) * 100n; // CNY minor units

// A manufacturer, in CNY: CA 500,000 (cash 100,000, inventory 150,000, receivables 200,000), TA 1,000,000,
// CL 250,000, TL 600,000, equity 400,000, retained earnings 200,000, sales 1,500,000, EBIT 100,000, interest 20,000.
const maker: Financials = {
  periodEnd: '2025-12-31', currency: 'CNY',
  currentAssetsMinor: m(500_000), cashMinor: m(100_000), inventoryMinor: m(150_000), receivablesMinor: m(200_000),
  totalAssetsMinor: m(1_000_000), currentLiabilitiesMinor: m(250_000), totalLiabilitiesMinor: m(600_000), equityMinor: m(400_000),
  retainedEarningsMinor: m(200_000), salesMinor: m(1_500_000), ebitMinor: m(100_000), netIncomeMinor: m(60_000), interestExpenseMinor: m(20_000),
};

describe('ratios', () => {
  it('computes the liquidity, leverage and coverage ratios to 4 places', () => {
    const r = ratiosOf(maker);
    expect(r.current.value).toBe('2.0000'); // 500,000 / 250,000
    expect(r.quick.value).toBe('1.4000'); // (500,000 − 150,000) / 250,000
    expect(r.cash.value).toBe('0.4000'); // 100,000 / 250,000
    expect(r.debt.value).toBe('0.6000'); // 600,000 / 1,000,000
    expect(r.interestCoverage.value).toBe('5.0000'); // 100,000 / 20,000
    expect(r.workingCapitalMinor).toBe(m(250_000)); // 500,000 − 250,000
  });

  it('rounds half away from zero at the 4th place and says why a ratio is not computable', () => {
    expect(ratio(2n, 3n, 'x').value).toBe('0.6667'); // 0.66666…
    expect(ratio(1n, 20_000n, 'x').value).toBe('0.0001'); // 0.00005 → up
    expect(ratio(-1n, 8n, 'x').value).toBe('-0.1250');
    expect(ratio(-1n, 20_000n, 'x').value).toBe('-0.0001'); // −0.00005 → away from zero
    const r = ratiosOf({ ...maker, currentLiabilitiesMinor: 0n, interestExpenseMinor: 0n });
    expect(r.current).toEqual({ value: null, reason: 'current liabilities are zero' });
    expect(r.interestCoverage).toEqual({ value: null, reason: 'interest expense is zero' });
  });
});

describe('Altman Z-scores', () => {
  // A = WC/TA = 250,000/1,000,000 = 0.25; B = RE/TA = 0.2; C = EBIT/TA = 0.1; D = equity/TL = 400/600 = 2/3; E = S/TA = 1.5
  it('public Z = 1.2A + 1.4B + 3.3C + 0.6D + 1.0E', () => {
    // 0.3 + 0.28 + 0.33 + 0.4 + 1.5 = 2.81 → grey (1.81 … 2.99)
    expect(zScore(maker, 'public')).toEqual({ model: 'public', value: '2.8100', units: 28100n, zone: 'grey' });
  });
  it("private Z' = 0.717A + 0.847B + 3.107C + 0.420D + 0.998E", () => {
    // 0.17925 + 0.1694 + 0.3107 + 0.28 + 1.497 = 2.43635 → 2.4364 (half up) → grey (1.23 … 2.90)
    expect(zScore(maker, 'private')).toMatchObject({ value: '2.4364', zone: 'grey' });
  });
  it("non-manufacturing Z'' = 6.56A + 3.26B + 6.72C + 1.05D", () => {
    // 1.64 + 0.652 + 0.672 + 0.7 = 3.664 → safe (> 2.60)
    expect(zScore(maker, 'nonManufacturing')).toMatchObject({ value: '3.6640', zone: 'safe' });
  });
  it('puts a loss-making, indebted company in distress and refuses zero denominators', () => {
    // WC = 100 − 300 = −200 → A = −0.2; B = −100/1000 = −0.1; C = −50/1000 = −0.05; D = 100/900; E = 0.8
    const weak = { ...maker, currentAssetsMinor: m(100), currentLiabilitiesMinor: m(300), totalAssetsMinor: m(1000), totalLiabilitiesMinor: m(900), equityMinor: m(100), retainedEarningsMinor: m(-100), ebitMinor: m(-50), salesMinor: m(800) };
    // public: −0.24 − 0.14 − 0.165 + 0.0666… + 0.8 = 0.32166… → 0.3217 < 1.81
    expect(zScore(weak, 'public')).toMatchObject({ value: '0.3217', zone: 'distress' });
    expect(zScore({ ...maker, totalAssetsMinor: 0n }, 'public')).toEqual({ model: 'public', value: null, reason: 'total assets are zero' });
    expect(zScore({ ...maker, totalLiabilitiesMinor: 0n }, 'private').value).toBeNull();
  });
});

describe('payment behaviour at an as-of date', () => {
  const c = (n: number) => m(n);
  it('weights days beyond terms by the amount paid and compares the last 3 months with the 9 before', () => {
    // as of 2026-06-30: the last 3 months are after 2026-03-31, the 12 months after 2025-06-30
    const b = behaviourOf('2026-06-30', [
      { paidOn: '2026-06-10', dueOn: '2026-05-31', amountMinor: c(1000) }, // 10 days late (recent)
      { paidOn: '2026-05-15', dueOn: '2026-05-20', amountMinor: c(3000) }, // early: 0 (recent)
      { paidOn: '2026-01-20', dueOn: '2026-01-10', amountMinor: c(2000) }, // 10 days late (earlier)
      { paidOn: '2025-10-01', dueOn: '2025-09-01', amountMinor: c(2000) }, // 30 days late (earlier)
      { paidOn: '2025-06-30', dueOn: '2025-01-01', amountMinor: c(9000) }, // outside the 12 months
      { paidOn: '2026-07-01', dueOn: '2026-05-01', amountMinor: c(9000) }, // after the as-of date
    ], 1, { brokenPromises: 2, disputes: 1 });
    // (1000×10 + 3000×0 + 2000×10 + 2000×30) / 8000 = 90,000 / 8000 = 11.25
    expect(b.averageDaysBeyondTerms.value).toBe('11.2500');
    expect(b.recentDaysBeyondTerms.value).toBe('2.5000'); // 10,000 / 4000
    expect(b.earlierDaysBeyondTerms.value).toBe('20.0000'); // 80,000 / 4000
    expect(b.trendDays.value).toBe('-17.5000'); // 2.5 − 20: paying earlier than before
    expect(b.lateShare.value).toBe('0.6250'); // (1000 + 2000 + 2000) / 8000
    expect(b.longestDelayDays).toBe(30);
    expect(b.paidMinor).toBe(c(8000));
    expect(b.payments).toBe(4);
    expect(b.reversedPayments).toBe(1);
    // What collections recorded in the 12 months is carried as counted.
    expect([b.brokenPromises, b.disputes]).toEqual([2, 1]);
  });
  it('gives reasons, not zeros, without payments', () => {
    const b = behaviourOf('2026-06-30', [], 0);
    expect(b.averageDaysBeyondTerms).toEqual({ value: null, reason: 'no payments in the period' });
    expect(b.trendDays.value).toBeNull();
    expect(b.longestDelayDays).toBeNull();
    expect([b.brokenPromises, b.disputes]).toEqual([0, 0]);
  });
});

const policy = (grade: string, minScore: number, limit: GradePolicy['limit']): GradePolicy => ({ grade, minScore, limit, termsCode: 'NET30', prepayment: false, guarantee: false, reviewMonths: 12 });

describe('scorecard', () => {
  const card: Scorecard = {
    factors: [
      { key: 'current', input: 'currentRatio', group: 'financial', weight: 60, missingPoints: 10, bins: [{ min: '-999999', points: 0 }, { min: '1', points: 40 }, { min: '2', points: 100 }] },
      { key: 'days', input: 'averageDaysBeyondTerms', group: 'behavioural', weight: 40, missingPoints: 60, bins: [{ min: '-999999', points: 100 }, { min: '15', points: 50 }, { min: '30', points: 0 }] },
    ],
    grades: [policy('A', 80, { kind: 'fixed', amount: '1000.00' }), policy('B', 50, { kind: 'fixed', amount: '500.00' }), policy('C', 0, { kind: 'fixed', amount: '0.00' })],
  };
  it('adds each factor\'s points × weight and grades the total', () => {
    // current 2.0000 reaches the bin "2" → 100 × 60% = 60; 20 days reach "15" → 50 × 40% = 20; 60 + 20 = 80 → A
    const r = scoreOf(card, { currentRatio: { units: 20000n }, averageDaysBeyondTerms: { units: 200000n } });
    expect(r.factors.map((f) => [f.key, f.points, f.contributionHundredths])).toEqual([['current', 100, 6000], ['days', 50, 2000]]);
    expect(r.score).toBe(80);
    expect(r.grade).toBe('A');
    // 1.9999 stays in the bin "1" → 40 × 60% = 24; + 20 = 44 → C (below B's 50)
    expect(scoreOf(card, { currentRatio: { units: 19999n }, averageDaysBeyondTerms: { units: 200000n } })).toMatchObject({ score: 44, grade: 'C' });
  });
  it('uses the missing points when a figure is not available and rounds the total half up', () => {
    // current missing → 10 × 60% = 6; days missing → 60 × 40% = 24; 30 → C
    const r = scoreOf(card, { currentRatio: { missing: 'current liabilities are zero' } });
    expect(r.score).toBe(30);
    expect(r.factors[0]!.note).toBe('current liabilities are zero');
    // weights 50/50, points 1 and 0 → 0.5 → rounds up to 1
    const half: Scorecard = { ...card, factors: [{ ...card.factors[0]!, weight: 50, bins: [{ min: '0', points: 1 }] }, { ...card.factors[1]!, weight: 50, bins: [{ min: '0', points: 0 }] }] };
    expect(scoreOf(half, { currentRatio: { units: 1n }, averageDaysBeyondTerms: { units: 1n } }).score).toBe(1);
  });
  it('refuses weights that do not add up to 100 and grades that leave scores without a grade', () => {
    expect(() => checkScorecard({ ...card, factors: [{ ...card.factors[0]!, weight: 50 }, card.factors[1]!] })).toThrow(/add up to 90/);
    expect(() => checkScorecard({ ...card, grades: [policy('A', 80, { kind: 'fixed', amount: '1.00' })] })).toThrow(AppError);
    expect(() => checkScorecard(DEFAULT_SCORECARD)).not.toThrow();
  });
  it('scores the default scorecard on the manufacturer', () => {
    // current 2.0 → 100×10 = 1000; debt 0.6 → 70×10 = 700; coverage 5 → 70×10 = 700; Z' grey → 50×15 = 750;
    // days 11.25 → 80×20 = 1600; late share 0.625 → 0×10 = 0; trend −17.5 → 100×5 = 500; rating BBB → 75×10 = 750;
    // years 12 → 80×5 = 400; reputation good → 100×5 = 500. Σ = 6900 hundredths → 69 → B (65 … 79)
    const r = scoreOf(DEFAULT_SCORECARD, {
      currentRatio: { units: 20000n }, debtRatio: { units: 6000n }, interestCoverage: { units: 50000n }, zScore: { text: 'grey' },
      averageDaysBeyondTerms: { units: 112500n }, lateShare: { units: 6250n }, trendDays: { units: -175000n },
      externalRating: { text: 'BBB' }, yearsInBusiness: { units: 120000n }, reputation: { text: 'good' },
    });
    expect(r.score).toBe(69);
    expect(r.grade).toBe('B');
  });
});

describe('recommended limit', () => {
  it('takes the smallest of the policy, insured and group caps', () => {
    // policy: 20% of equity 400,000 = 80,000; insured 60,000; group 150,000 − others' 100,000 = 50,000 → 50,000
    const r = recommendedLimit({
      policy: policy('A', 80, { kind: 'equityPercent', percent: 20 }), equityMinor: m(400_000), annualSalesMinor: m(1_500_000),
      insuredLimitMinor: m(60_000), group: { limitMinor: m(150_000), otherMembersOpenMinor: m(100_000), parent: 'GRP' },
    });
    expect(r.caps.map((c) => [c.kind, c.amountMinor])).toEqual([['policy', m(80_000)], ['insured', m(60_000)], ['group', m(50_000)]]);
    expect(r.amountMinor).toBe(m(50_000));
  });
  it('never goes below zero when the group is already over its limit, and shows a missing base', () => {
    // 100,000 − 130,000 < 0 → 0
    const r = recommendedLimit({ policy: policy('C', 0, { kind: 'salesPercent', percent: 5 }), equityMinor: null, annualSalesMinor: null, insuredLimitMinor: null, group: { limitMinor: m(100_000), otherMembersOpenMinor: m(130_000), parent: 'GRP' } });
    expect(r.caps[0]!.amountMinor).toBeNull();
    expect(r.amountMinor).toBe(0n);
    // 5% of sales 1,234,567.89 = 61,728.3945 → 61,728.39 (half up on the minor unit)
    const s = recommendedLimit({ policy: policy('C', 0, { kind: 'salesPercent', percent: 5 }), equityMinor: null, annualSalesMinor: 123_456_789n, insuredLimitMinor: null, group: null });
    expect(s.amountMinor).toBe(6_172_839n);
  });
});

describe('AUC and KS', () => {
  it('matches hand-counted pairs and cumulative shares', () => {
    // bads 0.35 and 0.8, goods 0.1 and 0.4: pairs (bad > good): 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4 = 0.75
    const scores = [0.1, 0.4, 0.35, 0.8];
    const bad = [false, false, true, true];
    expect(auc(scores, bad)).toBe(0.75);
    // from the top: 0.8 bad (½ − 0 = ½), 0.4 good (½ − ½ = 0), 0.35 bad (1 − ½ = ½), 0.1 good (0) → KS ½
    expect(ks(scores, bad)).toBe(0.5);
    // a tie counts one half; tied scores move together
    expect(auc([1, 1], [true, false])).toBe(0.5);
    expect(ks([1, 1], [true, false])).toBe(0);
  });
});
