/** What the disputes, promises, activities and timeline routes answer (src/modules/disputes, src/modules/collections). */
export const DISPUTE_REASONS = ['price', 'quantity', 'quality', 'not_received', 'duplicate_billing', 'tax_invoice_error', 'other'] as const;
export const OWNER_TEAMS = ['sales', 'logistics', 'finance'] as const;
export const DISPUTE_STATUSES = ['open', 'investigating', 'resolved_credit_note', 'rejected', 'partly_accepted'] as const;
export const NEXT_STATUSES: Record<DisputeStatus, readonly DisputeStatus[]> = {
  open: ['investigating'],
  investigating: ['resolved_credit_note', 'rejected', 'partly_accepted'],
  resolved_credit_note: [],
  rejected: [],
  partly_accepted: [],
};
export const ACTIVITY_CHANNELS = ['phone', 'email', 'sms', 'visit', 'letter'] as const;
export const ACTIVITY_OUTCOMES = ['reached', 'no_answer', 'promised', 'refused', 'wrong_contact', 'left_message'] as const;

export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export interface Dispute {
  id: string;
  customer: string;
  customerName: string;
  reason: DisputeReason;
  status: DisputeStatus;
  ownerTeam: (typeof OWNER_TEAMS)[number];
  ownerUser: string | null;
  currency: string;
  amount: string;
  acceptedAmount: string | null;
  creditNote: string | null;
  raisedOn: string;
  dueDate: string;
  closedOn: string | null;
  overdue: boolean;
  note: string | null;
  raisedBy: string;
  documents: string[];
}

export interface DisputeDetail extends Dispute {
  items: { document: string; kind: string; installment: number; dueDate: string | null; amount: string; openAtRaise: string }[];
  events: { event: string; from: DisputeStatus | null; to: DisputeStatus; actor: string; note: string | null; at: string }[];
}

export interface DisputePage { total: number; rows: Dispute[]; nextCursor: string | null }

export interface PromiseToPay {
  id: string;
  customer: string;
  currency: string;
  amount: string;
  promisedDate: string;
  graceDays: number;
  deadline: string;
  createdOn: string;
  status: 'open' | 'kept' | 'partly_kept' | 'broken';
  paid: string;
  decidedOn: string | null;
  documents: string[];
  note: string | null;
  recordedBy: string;
}

export interface Activity {
  id: string;
  customer: string;
  activityDate: string;
  channel: (typeof ACTIVITY_CHANNELS)[number];
  outcome: (typeof ACTIVITY_OUTCOMES)[number];
  contact: string | null;
  note: string | null;
  followUpOn: string | null;
  promiseId: string | null;
  recordedBy: string;
  recordedAt: string;
}

export type TimelineEntry =
  | { kind: 'activity'; date: string; at: string; activity: Activity }
  | { kind: 'promise'; date: string; at: string; promise: PromiseToPay }
  | { kind: 'dispute'; date: string; at: string; dispute: { id: string; reason: DisputeReason; status: DisputeStatus; amount: string; currency: string; dueDate: string; documents: string[]; raisedBy: string } };

export interface Timeline {
  customer: string;
  customerName: string;
  asOf: string;
  summary: { openPromises: number; brokenPromises: number; activeDisputes: number; nextFollowUp: string | null };
  entries: TimelineEntry[];
}
