/** What the alerts API answers (src/modules/alerts). */
export type Severity = 'info' | 'warning' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export const RULES = [
  'limit_utilisation', 'overdue_days', 'overdue_amount', 'payment_trend', 'grade_downgrade', 'review_expired', 'concentration', 'z_score_distress', 'insured_overdue',
  'payment_plan_missed', 'promise_broken', 'dispute_overdue',
] as const;
export type RuleKey = (typeof RULES)[number];

export interface AlertRow {
  id: string;
  rule: RuleKey;
  subjectType: 'customer' | 'group';
  customer: string;
  customerName: string;
  severity: Severity;
  status: AlertStatus;
  owner: string | null;
  figures: Record<string, string | number | null>;
  currency: string;
  message: string;
  firstSeenOn: string;
  lastSeenOn: string;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export interface AlertPage {
  total: number;
  rows: AlertRow[];
  nextCursor: string | null;
}

export type OwnerRole = 'collector' | 'credit_manager' | 'salesperson';
export type RuleSettings = { enabled: boolean; owner: OwnerRole } & Record<string, unknown>;
export interface AlertSettings {
  rules: Record<RuleKey, RuleSettings>;
  creditManager: string | null;
  inactiveRules?: RuleKey[];
  currency?: string;
}
