/** What the payment plan, escalation and target APIs answer (src/modules/payment-plans, escalation, targets). */
export const PLAN_STATUSES = ['active', 'completed', 'cancelled', 'replaced'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export type InstallmentStatus = 'due' | 'partly_paid' | 'paid' | 'missed';

export interface Installment {
  seq: number; dueDate: string; principal: string; interest: string; fee: string; amount: string; days: number;
  paid?: string; status?: InstallmentStatus; paidOn?: string | null; late?: boolean; daysOverdue?: number;
}

export interface Plan {
  id: string; number: string; version: number; previousId: string | null; customer: string; customerName: string; currency: string; status: PlanStatus;
  startDate: string; principal: string; downPayment: string; interestRate: string; interest: string; fee: string; total: string; graceDays: number;
  chargeDocument: string | null; endedOn: string | null; endReason: string | null; note: string | null; createdBy: string; createdAt: string;
  asOf: string; paid: string; outstanding: string; missed: number; nextDue: { seq: number; dueDate: string; amount: string } | null;
  defaulted: { seq: number; dueDate: string; daysOverdue: number } | null; installments: Required<Installment>[];
}

export interface PlanDetail extends Plan {
  items: { document: string; installment: number; dueDate: string | null; openAtPlan: string; openNow: string }[];
  versions: { id: string; version: number; status: PlanStatus; startDate: string; endedOn: string | null; total: string }[];
  events: { event: string; onDate: string; actor: string; note: string | null; at: string; version: number }[];
}

export interface PlanPage { asOf: string; total: number; rows: Plan[]; nextCursor: string | null }

export interface PlanPreview {
  customer: string; customerName: string; currency: string; startDate: string; graceDays: number; interestRate: string;
  items: { document: string; installment: number; dueDate: string | null; open: string }[];
  principal: string; downPayment: string; financed: string; interest: string; fee: string; total: string; installments: Installment[];
}

export const CASE_STATUSES = ['open', 'in_progress', 'closed_recovered', 'closed_partly', 'closed_unrecoverable'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface Agency { id: string; code: string; name: string; kind: 'agency' | 'law_firm'; commissionRate: string; contact: string | null; email: string | null; phone: string | null; openCases: number }

export interface Case {
  id: string; number: string; customer: string; customerName: string; kind: 'agency' | 'legal'; agency: string | null; agencyName: string | null; lawyer: string | null;
  currency: string; handedOver: string; commissionRate: string; status: CaseStatus; openedOn: string; closedOn: string | null; note: string | null; openedBy: string;
  recovered: string; commission: string; costs: string; net: string; openNow: string; allowedTransitions: CaseStatus[];
}

export interface CaseDetail extends Case {
  items: { document: string; installment: number; dueDate: string | null; handedOver: string; openNow: string }[];
  recoveries: { id: string; date: string; amount: string; commission: string; payment: string; reference: string | null; note: string | null; recordedBy: string }[];
  costEntries: { date: string; amount: string; description: string; recordedBy: string }[];
  events: { event: string; from: string | null; to: string; actor: string; note: string | null; at: string }[];
}

export interface CasePage { total: number; rows: Case[]; nextCursor: string | null }

export interface TargetRow {
  collector: string; name: string | null; customers: number; targetCollected: string | null; collected: string; achievedPercent: string | null;
  targetCei: string | null; cei: string | null; ceiReason: string | null; figures: { beginning: string; sales: string; ending: string; endingCurrent: string };
}
export interface TargetReport { month: string; from: string; asOf: string; currency: string; rows: TargetRow[] }

export interface EffectivenessRow { channel: string; outcome: string; activities: number; measured7: number; paid7: number; share7: string | null; measured30: number; paid30: number; share30: string | null }
export interface EffectivenessReport { from: string; to: string; asOf: string; rows: EffectivenessRow[]; totals: EffectivenessRow }
