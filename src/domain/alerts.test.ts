import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, evaluateRules, percentText, reconcile, type CustomerFacts, type Facts, type RuleKey, type RuleThresholds } from './alerts.ts';

const ASOF = '2026-06-30';

function customer(over: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    customerId: 'c1', code: 'C1', outstandingMinor: 0n, exposureMinor: 0n, creditLimitMinor: null, overdueMinor: 0n, overdueBeyondDaysMinor: 0n,
    daysBeyondTermsRecentTenths: null, daysBeyondTermsPriorTenths: null, grade: null, lastSeenGrade: null, openDowngradeFrom: null,
    reviewDue: null, ...over,
  };
}

function facts(customers: CustomerFacts[], totalOutstandingMinor = 0n, groups: Facts['groups'] = []): Facts {
  return { asOf: ASOF, currency: 'CNY', totalOutstandingMinor, customers, groups };
}

/** Only the one rule on, so each test sees its rule alone. */
function only(rule: RuleKey, over: Partial<RuleThresholds[RuleKey]> = {}): RuleThresholds {
  const t = structuredClone(DEFAULT_THRESHOLDS);
  for (const k of Object.keys(t) as RuleKey[]) t[k].enabled = k === rule;
  Object.assign(t[rule], over);
  return t;
}

describe('limit utilisation', () => {
  const t = only('limit_utilisation');
  // Limit 1,000.00 = 100,000 minor. 80% of it is 80,000 minor; 100% is 100,000.
  it('is silent one cent below 80%', () => {
    expect(evaluateRules(t, facts([customer({ creditLimitMinor: 100_000n, exposureMinor: 79_999n })]))).toEqual([]);
  });
  it('warns at exactly 80%', () => {
    const [a] = evaluateRules(t, facts([customer({ creditLimitMinor: 100_000n, exposureMinor: 80_000n })]));
    expect(a).toMatchObject({ rule: 'limit_utilisation', severity: 'warning', owner: 'credit_manager', figures: { utilisationPercent: '80.0', thresholdPercent: 80 } });
  });
  it('is critical at exactly 100%, and warning one cent below', () => {
    expect(evaluateRules(t, facts([customer({ creditLimitMinor: 100_000n, exposureMinor: 99_999n })]))[0]!.severity).toBe('warning');
    const [a] = evaluateRules(t, facts([customer({ creditLimitMinor: 100_000n, exposureMinor: 100_000n })]));
    expect(a).toMatchObject({ severity: 'critical', figures: { exposureMinor: 100_000n, creditLimitMinor: 100_000n, utilisationPercent: '100.0' } });
  });
  it('shows the utilisation rounded half up to one decimal', () => {
    // 83,350 / 100,000 = 83.35% → 83.4 (half up); 2/3 = 66.666…% → 66.7.
    expect(percentText(83_350n, 100_000n)).toBe('83.4');
    expect(percentText(2n, 3n)).toBe('66.7');
  });
  it('ignores customers without a limit', () => {
    expect(evaluateRules(t, facts([customer({ creditLimitMinor: null, exposureMinor: 5_000_000n })]))).toEqual([]);
  });
});

describe('overdue rules', () => {
  it('first overdue beyond N days fires when any amount is more than N days past due', () => {
    const t = only('overdue_days', { days: 30 });
    expect(evaluateRules(t, facts([customer({ overdueMinor: 50_000n, overdueBeyondDaysMinor: 0n })]))).toEqual([]);
    const [a] = evaluateRules(t, facts([customer({ overdueMinor: 50_000n, overdueBeyondDaysMinor: 20_000n })]));
    expect(a).toMatchObject({ rule: 'overdue_days', severity: 'warning', owner: 'collector', figures: { days: 30, overdueBeyondDaysMinor: 20_000n } });
  });
  it('overdue amount fires one minor unit above the threshold, not at it', () => {
    // Threshold 100,000.00 = 10,000,000 minor.
    const t = only('overdue_amount', { amountMinor: 10_000_000n });
    expect(evaluateRules(t, facts([customer({ overdueMinor: 10_000_000n })]))).toEqual([]);
    const [a] = evaluateRules(t, facts([customer({ overdueMinor: 10_000_001n })]));
    expect(a).toMatchObject({ rule: 'overdue_amount', owner: 'collector', figures: { overdueMinor: 10_000_001n, thresholdMinor: 10_000_000n } });
  });
});

describe('payment trend', () => {
  const t = only('payment_trend', { days: 10 });
  it('fires when days beyond terms worsened by exactly N days, not by N − 0.1', () => {
    // Prior 9 months: 5.0 days; last 3 months: 14.9 → worse by 9.9: silent. 15.0 → worse by 10.0: fires.
    expect(evaluateRules(t, facts([customer({ daysBeyondTermsPriorTenths: 50, daysBeyondTermsRecentTenths: 149 })]))).toEqual([]);
    const [a] = evaluateRules(t, facts([customer({ daysBeyondTermsPriorTenths: 50, daysBeyondTermsRecentTenths: 150 })]));
    expect(a).toMatchObject({ figures: { recentDays: '15.0', priorDays: '5.0', worsenedDays: '10.0', thresholdDays: 10 } });
  });
  it('needs payments in both windows', () => {
    expect(evaluateRules(t, facts([customer({ daysBeyondTermsPriorTenths: null, daysBeyondTermsRecentTenths: 400 })]))).toEqual([]);
  });
});

describe('grade downgrade', () => {
  const t = only('grade_downgrade');
  it('the first sight of a grade sets the baseline without an alert', () => {
    expect(evaluateRules(t, facts([customer({ grade: 'D', lastSeenGrade: null })]))).toEqual([]);
  });
  it('fires on B → C, not on C → B or on no change', () => {
    expect(evaluateRules(t, facts([customer({ grade: 'B', lastSeenGrade: 'C' })]))).toEqual([]);
    expect(evaluateRules(t, facts([customer({ grade: 'C', lastSeenGrade: 'C' })]))).toEqual([]);
    const [a] = evaluateRules(t, facts([customer({ grade: 'C', lastSeenGrade: 'B' })]));
    expect(a).toMatchObject({ severity: 'warning', figures: { fromGrade: 'B', toGrade: 'C' } });
  });
  it('a downgrade to the worst grade is critical', () => {
    expect(evaluateRules(t, facts([customer({ grade: 'E', lastSeenGrade: 'D' })]))[0]!.severity).toBe('critical');
  });
  it('an open downgrade holds while the grade stays below where it came from, and clears when it is back', () => {
    // Seen C last time (the alert B → C is open): still C → holds from B; back to B → clears.
    expect(evaluateRules(t, facts([customer({ grade: 'C', lastSeenGrade: 'C', openDowngradeFrom: 'B' })]))[0]!.figures).toEqual({ fromGrade: 'B', toGrade: 'C' });
    expect(evaluateRules(t, facts([customer({ grade: 'B', lastSeenGrade: 'C', openDowngradeFrom: 'B' })]))).toEqual([]);
  });
});

describe('review expired', () => {
  const t = only('review_expired');
  it('fires the day after the review was due, not on the day', () => {
    expect(evaluateRules(t, facts([customer({ reviewDue: '2026-06-30' })]))).toEqual([]);
    // Due 2026-06-29, as of 2026-06-30: one day expired.
    expect(evaluateRules(t, facts([customer({ reviewDue: '2026-06-29' })]))[0]).toMatchObject({ rule: 'review_expired', figures: { daysExpired: 1 } });
  });
});

describe('concentration', () => {
  const t = only('concentration', { percent: 20 });
  it('fires above 20% of all receivables, not at exactly 20%', () => {
    // Total 1,000,000 minor: 200,000 is exactly 20% (silent), 200,001 is above.
    expect(evaluateRules(t, facts([customer({ outstandingMinor: 200_000n })], 1_000_000n))).toEqual([]);
    const [a] = evaluateRules(t, facts([customer({ outstandingMinor: 200_001n })], 1_000_000n));
    expect(a).toMatchObject({ subjectType: 'customer', figures: { sharePercent: '20.0', thresholdPercent: 20 } });
  });
  it('compares the open receivables, not the credit exposure (orders do not concentrate receivables)', () => {
    // 100,000 open of 1,000,000 is 10%; 400,000 of open orders make the exposure 500,000 but not the receivables.
    expect(evaluateRules(t, facts([customer({ outstandingMinor: 100_000n, exposureMinor: 500_000n })], 1_000_000n))).toEqual([]);
  });
  it('sees a group of small customers', () => {
    // Two subsidiaries of 150,000 each (15% each, silent) make a group of 300,000 = 30%.
    const fired = evaluateRules(t, facts([customer({ customerId: 'a', code: 'A', outstandingMinor: 150_000n }), customer({ customerId: 'b', code: 'B', outstandingMinor: 150_000n })], 1_000_000n,
      [{ customerId: 'p', code: 'P', outstandingMinor: 300_000n, members: 3 }]));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ subjectType: 'group', code: 'P', figures: { sharePercent: '30.0', members: 3 } });
  });
});

describe('rules fed by the credit file', () => {
  it('Z-score in the distress zone as the credit file zones it: Z\' 1.2299 fires, 1.2300 does not (private cut-off 1.23)', () => {
    const t = only('z_score_distress', { model: 'private' });
    expect(evaluateRules(t, facts([customer({ zScore: { model: 'private', units: 12_300n } })]))).toEqual([]);
    expect(evaluateRules(t, facts([customer({ zScore: { model: 'private', units: 12_299n } })]))[0]).toMatchObject({ severity: 'critical', figures: { model: 'private', zScore: '1.2299', cutoff: '1.2300' } });
    // The customer's own form decides: 1.2000 is distress for the public Z (< 1.81); Z'' 1.1000 is at its cut-off, not below.
    expect(evaluateRules(t, facts([customer({ zScore: { model: 'public', units: 12_000n } })]))[0]).toMatchObject({ figures: { model: 'public', cutoff: '1.8100' } });
    expect(evaluateRules(t, facts([customer({ zScore: { model: 'nonManufacturing', units: 11_000n } })]))).toEqual([]);
    expect(evaluateRules(t, facts([customer({ zScore: null })]))).toEqual([]);
  });
  it('insured invoice: warns 7 days before the notification deadline, critical after it', () => {
    const t = only('insured_overdue', { daysBefore: 7 });
    // Due 2026-05-01, insurer wants notice within 60 days → deadline 2026-06-30. As of 2026-06-30: 60 days past due, 0 left.
    const item = (dueDate: string) => [{ document: 'INV-1', dueDate, notifyWithinDays: 60, openMinor: 5_000n }];
    expect(evaluateRules(t, facts([customer({ insuredOverdue: item('2026-05-01') })]))[0]).toMatchObject({ severity: 'warning', figures: { notifyBy: '2026-06-30', daysLeft: 0 } });
    // Due 2026-05-09: 52 days past due, 8 left → silent; due 2026-05-08: 53 past, 7 left → warns.
    expect(evaluateRules(t, facts([customer({ insuredOverdue: item('2026-05-09') })]))).toEqual([]);
    expect(evaluateRules(t, facts([customer({ insuredOverdue: item('2026-05-08') })]))[0]!.figures.daysLeft).toBe(7);
    // Due 2026-04-30: 61 past due, deadline passed yesterday → critical.
    expect(evaluateRules(t, facts([customer({ insuredOverdue: item('2026-04-30') })]))[0]).toMatchObject({ severity: 'critical', figures: { daysLeft: -1 } });
  });
});

describe('reconcile', () => {
  it('opens new alerts, refreshes open ones, clears the ones no longer firing among the rules evaluated', () => {
    const fired = evaluateRules(only('overdue_amount', { amountMinor: 0n }), facts([customer({ customerId: 'x', code: 'X', overdueMinor: 1n })]));
    const open = [
      { id: '1', rule: 'overdue_amount', subjectType: 'customer', customerId: 'x' },
      { id: '2', rule: 'overdue_amount', subjectType: 'customer', customerId: 'y' },
      { id: '3', rule: 'review_expired', subjectType: 'customer', customerId: 'y' },
    ];
    const r = reconcile(fired, open, ['overdue_amount']);
    expect(r.opened).toEqual([]);
    expect(r.refreshed.map((x) => x.alert.id)).toEqual(['1']);
    expect(r.cleared.map((x) => x.id)).toEqual(['2']);
  });
});

describe('dispute past its due date', () => {
  // As of 2026-06-30. The oldest open dispute of C1 was to be settled by 06-20: 10 days past it.
  const disputes = { count: 2, dueDate: '2026-06-20', ownerTeam: 'logistics', disputed: '1234.56', currency: 'CNY' };
  it('fires the day after the due date with the default 0 days, naming the oldest, warning up to 14 days beyond', () => {
    const [a] = evaluateRules(only('dispute_overdue'), facts([customer({ overdueDisputes: disputes })]));
    expect(a).toMatchObject({ rule: 'dispute_overdue', severity: 'warning', owner: 'credit_manager', figures: { count: 2, daysPast: 10, ownerTeam: 'logistics', disputed: '1234.56', thresholdDays: 0 } });
    // Due on 06-30 itself: not past yet.
    expect(evaluateRules(only('dispute_overdue'), facts([customer({ overdueDisputes: { ...disputes, dueDate: '2026-06-30' } })]))).toEqual([]);
  });
  it('waits for the company\'s days: 10 days past is not more than 10', () => {
    expect(evaluateRules(only('dispute_overdue', { days: 10 }), facts([customer({ overdueDisputes: disputes })]))).toEqual([]);
    expect(evaluateRules(only('dispute_overdue', { days: 9 }), facts([customer({ overdueDisputes: disputes })]))[0]!.severity).toBe('warning');
  });
  it('is critical more than 14 days beyond the company\'s days: due 06-15 is 15 days past 0', () => {
    expect(evaluateRules(only('dispute_overdue'), facts([customer({ overdueDisputes: { ...disputes, dueDate: '2026-06-16' } })]))[0]!.severity).toBe('warning');
    expect(evaluateRules(only('dispute_overdue'), facts([customer({ overdueDisputes: { ...disputes, dueDate: '2026-06-15' } })]))[0]!.severity).toBe('critical');
  });
});
