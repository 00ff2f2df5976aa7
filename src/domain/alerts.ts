/**
 * Early warning (预警): the rules, their per-company thresholds, and their evaluation over a snapshot of facts at an
 * as-of date. Pure: the alerts module loads the facts (open receivables, overdue amounts, payment behaviour, credit
 * profiles, the last grade seen) and persists what fires; this file decides what fires, how severe it is, and the
 * figures behind it, so a user can check each alert by hand.
 *
 * Integer arithmetic throughout: money in minor units (functional currency), percentages compared as cross-products
 * (`exposure × 100 ≥ threshold × limit`), never as floats. Shown percentages are rounded half up at one decimal
 * (ROUNDING_RULE). Days beyond terms come in tenths of a day (the KPI module's one-decimal figure).
 */
import { formatUnits, zoneOf, Z_FORMS, Z_MODELS as CREDIT_Z_MODELS, type ZModel as CreditZModel } from './credit.ts';
import { addDays, daysBetween, type LocalDate } from './dates.ts';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULES = [
  'limit_utilisation', 'overdue_days', 'overdue_amount', 'payment_trend', 'grade_downgrade', 'review_expired',
  'concentration', 'z_score_distress', 'insured_overdue', 'payment_plan_missed', 'promise_broken', 'dispute_overdue',
] as const;
export type RuleKey = (typeof RULES)[number];

/** Who an alert of a rule goes to: the customer's collector, the company's credit manager, or the salesperson. */
export const OWNER_ROLES = ['collector', 'credit_manager', 'salesperson'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

/** Rules defined but not fed yet (none: the credit file feeds the Z-score and insured-invoice rules). */
export const INACTIVE_RULES: readonly RuleKey[] = [];

export const ROUNDING_RULE = 'percentages are rounded half up to one decimal for display; thresholds are compared exactly';

/** The Altman forms of the credit file (src/domain/credit.ts): their formulas, zones and cut-offs are the same here. */
export const Z_MODELS = CREDIT_Z_MODELS;
export type ZModel = CreditZModel;

export interface RuleThresholds {
  limit_utilisation: { enabled: boolean; owner: OwnerRole; warningPercent: number; criticalPercent: number };
  overdue_days: { enabled: boolean; owner: OwnerRole; days: number };
  /** `amountMinor`: functional-currency minor units; fires when the overdue amount is above it. */
  overdue_amount: { enabled: boolean; owner: OwnerRole; amountMinor: bigint };
  /** Fires when days beyond terms of the last 3 months exceed those of the 9 before by `days` or more. */
  payment_trend: { enabled: boolean; owner: OwnerRole; days: number };
  /** `grades`: best first ("A,B,C,D,E"); a grade further right is worse. */
  grade_downgrade: { enabled: boolean; owner: OwnerRole; grades: string[] };
  review_expired: { enabled: boolean; owner: OwnerRole };
  /** Fires when a customer's (or a group's) share of all open receivables is above `percent`. */
  concentration: { enabled: boolean; owner: OwnerRole; percent: number };
  /** `model`: the Altman form for customers with statements but no credit file naming one. */
  z_score_distress: { enabled: boolean; owner: OwnerRole; model: ZModel };
  /** Fires `daysBefore` days before an insured invoice's overdue-notification deadline (critical once it is past). */
  insured_overdue: { enabled: boolean; owner: OwnerRole; daysBefore: number };
  /** Fires when an installment of an active payment plan is unpaid more than `days` days after its date. */
  payment_plan_missed: { enabled: boolean; owner: OwnerRole; days: number };
  /** Fires while a promise decided broken (or only partly kept) had its deadline in the last `days` days. */
  promise_broken: { enabled: boolean; owner: OwnerRole; days: number };
  /** Fires when a dispute still open is more than `days` days past the date it should have been settled by (its escalation). */
  dispute_overdue: { enabled: boolean; owner: OwnerRole; days: number };
}

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  limit_utilisation: { enabled: true, owner: 'credit_manager', warningPercent: 80, criticalPercent: 100 },
  overdue_days: { enabled: true, owner: 'collector', days: 30 },
  overdue_amount: { enabled: true, owner: 'collector', amountMinor: 10_000_000n },
  payment_trend: { enabled: true, owner: 'credit_manager', days: 10 },
  grade_downgrade: { enabled: true, owner: 'credit_manager', grades: ['A', 'B', 'C', 'D', 'E'] },
  review_expired: { enabled: true, owner: 'credit_manager' },
  concentration: { enabled: true, owner: 'credit_manager', percent: 20 },
  z_score_distress: { enabled: true, owner: 'credit_manager', model: 'private' },
  insured_overdue: { enabled: true, owner: 'collector', daysBefore: 7 },
  payment_plan_missed: { enabled: true, owner: 'collector', days: 7 },
  promise_broken: { enabled: true, owner: 'collector', days: 30 },
  dispute_overdue: { enabled: true, owner: 'credit_manager', days: 0 },
};

/** Everything the rules read about one customer at the as-of date. Absent facts make their rules silent. */
export interface CustomerFacts {
  customerId: string;
  code: string;
  /** Open receivables (debit items) in the functional currency: what concentration compares. */
  outstandingMinor: bigint;
  /**
   * The exposure the limit is compared with, as the credit check counts it (src/modules/credit-limits: receivables,
   * open orders and shipments, less unapplied advances, each as the credit settings say), in the functional currency.
   */
  exposureMinor: bigint;
  /** The customer's own limit in force at the as-of date (with its temporary increase), in the functional currency. */
  creditLimitMinor: bigint | null;
  /** Open debit items past due at the as-of date. */
  overdueMinor: bigint;
  /** Of which more than overdue_days.days past due. */
  overdueBeyondDaysMinor: bigint;
  /** Weighted average days beyond terms, in tenths of a day, of the last 3 months and of the 9 months before. */
  daysBeyondTermsRecentTenths: number | null;
  daysBeyondTermsPriorTenths: number | null;
  grade: string | null;
  /** The grade the previous evaluation saw (null: never seen; the first sight sets the baseline, no alert). */
  lastSeenGrade: string | null;
  /** The grade an open downgrade alert came from: the alert holds until the grade is back there or better. */
  openDowngradeFrom: string | null;
  reviewDue: LocalDate | null;
  /**
   * Altman Z of the latest financial statement on or before the as-of date, in the form the customer's credit file
   * names (else the rule's), as the credit file computes it: 4 decimal places in units of 1/10,000.
   */
  zScore?: { model: ZModel; units: bigint } | null;
  /** Insured invoices overdue: their number, due date and the insurer's days to notify an overdue. */
  insuredOverdue?: { document: string; dueDate: LocalDate; notifyWithinDays: number; openMinor: bigint }[];
  /**
   * The payment-plan installment unpaid longest beyond the rule's days (src/modules/payment-plans decides it): the
   * plan's number, the installment, its date, days unpaid since, and what is unpaid of it as text in the plan's currency.
   */
  planMissed?: { plan: string; seq: number; dueDate: LocalDate; daysOverdue: number; unpaid: string; currency: string } | null;
  /** Promises decided broken or partly kept (src/modules/collections) whose deadline is in the rule's window. */
  brokenPromises?: { count: number; lastDeadline: LocalDate; promised: string; paid: string; currency: string } | null;
  /**
   * The customer's open disputes (open or investigating) past their due date: how many, and the one longest past it
   * (its team, due date, and the amount disputed as text in its currency). Fed by src/modules/disputes.
   */
  overdueDisputes?: { count: number; dueDate: LocalDate; ownerTeam: string; disputed: string; currency: string } | null;
}

/** A group (a parent and its subsidiaries) for concentration: its open receivables. */
export interface GroupFacts {
  customerId: string;
  code: string;
  outstandingMinor: bigint;
  members: number;
}

export interface Facts {
  asOf: LocalDate;
  currency: string;
  /** All open receivables of the company (the denominator of concentration). */
  totalOutstandingMinor: bigint;
  customers: CustomerFacts[];
  /** Groups with at least one subsidiary. */
  groups: GroupFacts[];
}

/** Figures of an alert: money as minor units (bigint), everything else plain. Persisted as JSON text by the module. */
export type Figures = Record<string, string | number | bigint | null>;

export interface FiredAlert {
  rule: RuleKey;
  /** `customer` or `group` (a parent customer standing for its group). */
  subjectType: 'customer' | 'group';
  customerId: string;
  code: string;
  severity: Severity;
  owner: OwnerRole;
  figures: Figures;
}

/** `num/den` as a percentage rounded half up to one decimal, as text ("83.3"). */
export function percentText(num: bigint, den: bigint): string {
  if (den <= 0n) return '0.0';
  const tenths = (num * 1000n * 2n + den) / (2n * den);
  return `${tenths / 10n}.${tenths % 10n}`;
}

/** The rank of a grade in the scale (0 best), or null for a grade the scale does not know. */
export function gradeRank(grades: readonly string[], grade: string | null): number | null {
  if (grade === null) return null;
  const i = grades.indexOf(grade.trim().toUpperCase());
  return i < 0 ? null : i;
}

function customerRules(t: RuleThresholds, f: CustomerFacts, asOf: LocalDate): FiredAlert[] {
  const fired: FiredAlert[] = [];
  const fire = (rule: RuleKey, severity: Severity, figures: Figures) =>
    fired.push({ rule, subjectType: 'customer', customerId: f.customerId, code: f.code, severity, owner: t[rule].owner, figures });

  const lu = t.limit_utilisation;
  if (lu.enabled && f.creditLimitMinor !== null && f.exposureMinor > 0n) {
    const limit = f.creditLimitMinor;
    // exposure / limit ≥ p%  ⇔  exposure × 100 ≥ p × limit (a zero limit with any exposure is over it).
    const atLeast = (p: number) => f.exposureMinor * 100n >= BigInt(p) * limit;
    const severity: Severity | null = atLeast(lu.criticalPercent) ? 'critical' : atLeast(lu.warningPercent) ? 'warning' : null;
    if (severity) {
      fire('limit_utilisation', severity, {
        exposureMinor: f.exposureMinor, creditLimitMinor: limit, utilisationPercent: limit > 0n ? percentText(f.exposureMinor, limit) : null,
        thresholdPercent: severity === 'critical' ? lu.criticalPercent : lu.warningPercent,
      });
    }
  }
  const od = t.overdue_days;
  if (od.enabled && f.overdueBeyondDaysMinor > 0n) {
    fire('overdue_days', 'warning', { days: od.days, overdueBeyondDaysMinor: f.overdueBeyondDaysMinor, overdueMinor: f.overdueMinor });
  }
  const oa = t.overdue_amount;
  if (oa.enabled && f.overdueMinor > oa.amountMinor) {
    fire('overdue_amount', 'warning', { overdueMinor: f.overdueMinor, thresholdMinor: oa.amountMinor });
  }
  const pt = t.payment_trend;
  if (pt.enabled && f.daysBeyondTermsRecentTenths !== null && f.daysBeyondTermsPriorTenths !== null) {
    const worsenedTenths = f.daysBeyondTermsRecentTenths - f.daysBeyondTermsPriorTenths;
    if (worsenedTenths >= pt.days * 10) {
      fire('payment_trend', 'warning', {
        recentDays: tenthsText(f.daysBeyondTermsRecentTenths), priorDays: tenthsText(f.daysBeyondTermsPriorTenths),
        worsenedDays: tenthsText(worsenedTenths), thresholdDays: pt.days,
      });
    }
  }
  const gd = t.grade_downgrade;
  if (gd.enabled) {
    const now = gradeRank(gd.grades, f.grade);
    const last = gradeRank(gd.grades, f.lastSeenGrade);
    const open = gradeRank(gd.grades, f.openDowngradeFrom);
    // A new downgrade since the last evaluation, or one still below where an open alert says it came from.
    const from = now !== null && last !== null && now > last ? (open !== null && open < last ? f.openDowngradeFrom : f.lastSeenGrade)
      : now !== null && open !== null && now > open ? f.openDowngradeFrom : null;
    if (from !== null) {
      const worst = now === gd.grades.length - 1;
      fire('grade_downgrade', worst ? 'critical' : 'warning', { fromGrade: from, toGrade: f.grade });
    }
  }
  if (t.review_expired.enabled && f.reviewDue !== null && f.reviewDue < asOf) {
    fire('review_expired', 'warning', { reviewDue: f.reviewDue, daysExpired: daysBetween(f.reviewDue, asOf) });
  }
  const z = t.z_score_distress;
  if (z.enabled && f.zScore && zoneOf(f.zScore.model, f.zScore.units) === 'distress') {
    fire('z_score_distress', 'critical', { model: f.zScore.model, zScore: formatUnits(f.zScore.units), cutoff: formatUnits(Z_FORMS[f.zScore.model].distressBelow) });
  }
  const io = t.insured_overdue;
  if (io.enabled && f.insuredOverdue?.length) {
    // The invoice nearest its deadline decides: days left = due + notify days − as-of.
    let nearest: { document: string; deadline: LocalDate; daysLeft: number; openMinor: bigint } | null = null;
    for (const item of f.insuredOverdue) {
      if (item.dueDate >= asOf) continue;
      const daysLeft = item.notifyWithinDays - daysBetween(item.dueDate, asOf);
      if (daysLeft > io.daysBefore) continue;
      if (!nearest || daysLeft < nearest.daysLeft) nearest = { document: item.document, deadline: addDays(item.dueDate, item.notifyWithinDays), daysLeft, openMinor: item.openMinor };
    }
    if (nearest) {
      fire('insured_overdue', nearest.daysLeft < 0 ? 'critical' : 'warning', {
        document: nearest.document, notifyBy: nearest.deadline, daysLeft: nearest.daysLeft, openMinor: nearest.openMinor,
      });
    }
  }
  const pm = t.payment_plan_missed;
  if (pm.enabled && f.planMissed && f.planMissed.daysOverdue > pm.days) {
    const m = f.planMissed;
    fire('payment_plan_missed', m.daysOverdue > 3 * pm.days ? 'critical' : 'warning', {
      plan: m.plan, installment: m.seq, dueDate: m.dueDate, daysOverdue: m.daysOverdue, unpaid: m.unpaid, currency: m.currency, thresholdDays: pm.days,
    });
  }
  const pb = t.promise_broken;
  if (pb.enabled && f.brokenPromises && f.brokenPromises.count > 0 && f.brokenPromises.lastDeadline < asOf && daysBetween(f.brokenPromises.lastDeadline, asOf) <= pb.days) {
    const b = f.brokenPromises;
    fire('promise_broken', b.count > 1 ? 'critical' : 'warning', { count: b.count, deadline: b.lastDeadline, promised: b.promised, paid: b.paid, currency: b.currency, windowDays: pb.days });
  }
  const dx = t.dispute_overdue;
  if (dx.enabled && f.overdueDisputes && f.overdueDisputes.count > 0) {
    const d = f.overdueDisputes;
    const daysPast = daysBetween(d.dueDate, asOf);
    // Past its settlement date by more than the company's days: escalated; two weeks beyond that: critical.
    if (daysPast > dx.days) {
      fire('dispute_overdue', daysPast > dx.days + 14 ? 'critical' : 'warning', {
        count: d.count, dueDate: d.dueDate, daysPast, ownerTeam: d.ownerTeam, disputed: d.disputed, currency: d.currency, thresholdDays: dx.days,
      });
    }
  }
  return fired;
}

const tenthsText = (tenths: number) => `${tenths < 0 ? '-' : ''}${Math.floor(Math.abs(tenths) / 10)}.${Math.abs(tenths) % 10}`;

/** Every alert that fires at the as-of date, customers by code then rule order. */
export function evaluateRules(t: RuleThresholds, facts: Facts): FiredAlert[] {
  const fired: FiredAlert[] = [];
  const customers = [...facts.customers].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const f of customers) fired.push(...customerRules(t, f, facts.asOf));
  const c = t.concentration;
  if (c.enabled && facts.totalOutstandingMinor > 0n) {
    // share > p%  ⇔  part × 100 > p × total.
    const over = (part: bigint) => part * 100n > BigInt(c.percent) * facts.totalOutstandingMinor;
    for (const f of customers) {
      if (over(f.outstandingMinor)) {
        fired.push({
          rule: 'concentration', subjectType: 'customer', customerId: f.customerId, code: f.code, severity: 'warning', owner: c.owner,
          figures: { outstandingMinor: f.outstandingMinor, totalOutstandingMinor: facts.totalOutstandingMinor, sharePercent: percentText(f.outstandingMinor, facts.totalOutstandingMinor), thresholdPercent: c.percent },
        });
      }
    }
    for (const g of facts.groups) {
      if (g.members > 1 && over(g.outstandingMinor)) {
        fired.push({
          rule: 'concentration', subjectType: 'group', customerId: g.customerId, code: g.code, severity: 'warning', owner: c.owner,
          figures: { outstandingMinor: g.outstandingMinor, totalOutstandingMinor: facts.totalOutstandingMinor, sharePercent: percentText(g.outstandingMinor, facts.totalOutstandingMinor), thresholdPercent: c.percent, members: g.members },
        });
      }
    }
  }
  return fired;
}

/** The key that makes an alert unique while open: rule, subject kind and subject. */
export function alertKey(a: { rule: string; subjectType: string; customerId: string }): string {
  return `${a.rule}:${a.subjectType}:${a.customerId}`;
}

/**
 * What an evaluation does to the open alerts: fired ones without an open alert are opened, fired ones with one are
 * refreshed (figures, severity, last seen), open ones no longer firing are resolved. `scope` limits resolution to the
 * customers evaluated (an evaluation of one customer must not resolve another's alerts).
 */
export function reconcile<O extends { rule: string; subjectType: string; customerId: string }>(
  fired: readonly FiredAlert[], open: readonly O[], evaluatedRules: readonly RuleKey[],
): { opened: FiredAlert[]; refreshed: { alert: O; fired: FiredAlert }[]; cleared: O[] } {
  const openByKey = new Map(open.map((o) => [alertKey(o), o]));
  const firedKeys = new Set<string>();
  const opened: FiredAlert[] = [];
  const refreshed: { alert: O; fired: FiredAlert }[] = [];
  for (const f of fired) {
    const key = alertKey(f);
    if (firedKeys.has(key)) continue;
    firedKeys.add(key);
    const existing = openByKey.get(key);
    if (existing) refreshed.push({ alert: existing, fired: f });
    else opened.push(f);
  }
  const cleared = open.filter((o) => !firedKeys.has(alertKey(o)) && (evaluatedRules as readonly string[]).includes(o.rule));
  return { opened, refreshed, cleared };
}
