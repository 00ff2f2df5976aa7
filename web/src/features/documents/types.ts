/** What the document API answers (src/modules/ledger/service.ts presentDocument, presentAllocation; queries.ts). */
import type { AuditEntry, OpenItem } from '../../api/types.ts';

export type { AuditEntry, OpenItem };

export type DocumentStatus = 'open' | 'partly_applied' | 'closed' | 'reversed';

export const DOCUMENT_KINDS = ['invoice', 'debit_note', 'charge', 'refund', 'payment', 'credit_note', 'advance', 'write_off', 'reversal'] as const;
/** The kinds that carry money to apply to open items. */
export const CREDIT_KINDS = ['payment', 'credit_note', 'advance', 'write_off'] as const;

export interface LedgerDocument {
  id: string;
  kind: string;
  side: 'debit' | 'credit';
  number: string;
  customer: string;
  customerName: string;
  documentDate: string;
  postingDate: string;
  dueDate: string | null;
  currency: string;
  amount: string;
  open: string;
  status: DocumentStatus;
  fxRate: string;
  functionalAmount: string;
  paymentTerms: string | null;
  relatedDocumentId: string | null;
  related: { kind: string; number: string } | null;
  reversesDocumentId: string | null;
  reversedByDocumentId: string | null;
  verifiedOn?: string | null;
  reason: string | null;
  memo: string | null;
  sourceSystem: string;
  externalId: string | null;
  createdAt: string;
  createdBy: string;
}

export interface DocumentItem {
  id: string;
  seq: number;
  dueDate: string | null;
  amount: string;
  open: string;
  discountDate: string | null;
  discountAmount: string;
}

export interface Allocation {
  id: string;
  batchId: string;
  from: { id: string; kind: string; number: string };
  to: { id: string; kind: string; number: string; installment: number };
  currency: string;
  amount: string;
  creditCurrency: string;
  creditAmount: string;
  /** Across currencies: the settlement rate the two amounts make (credit currency per unit of the debit's); else null. */
  rate: string | null;
  /** In the company's currency; negative is a loss. */
  fxGain: string;
  date: string;
  reversesAllocationId: string | null;
  reversedByAllocationId: string | null;
  reason: string | null;
  createdAt: string;
  createdBy: string;
}

export interface DocumentDetail extends LedgerDocument {
  items: DocumentItem[];
  allocations: Allocation[];
}



export interface CustomerSummary {
  code: string;
  name: string;
  currency: string;
  status: string;
}

/** A reversal asked of a company that wants a second person to approve it (HTTP 202). */
export interface ApprovalRequested {
  outcome: 'approval_requested';
  approval: { id: string; summary?: string };
}

export function isApprovalRequested(value: unknown): value is ApprovalRequested {
  return typeof value === 'object' && value !== null && (value as { outcome?: unknown }).outcome === 'approval_requested';
}

/** The address of a document's page: KIND:NUMBER reads well and is never ambiguous. */
export function documentPath(kind: string, number: string): string {
  return `/documents/${kind}:${encodeURIComponent(number)}`;
}
