/** Shapes of the API's answers that more than one screen reads. */

/** An open item of a customer (GET /customers/{code}/open-items). */
export interface OpenItem {
  itemId: string;
  kind: string;
  number: string;
  installment: number;
  side: 'debit' | 'credit';
  currency: string;
  documentDate: string;
  dueDate: string | null;
  amount: string;
  open: string;
  discountDate: string | null;
  discountAmount: string;
}

/** An audit trail entry (GET /audit, GET /documents/{ref}/history). */
export interface AuditEntry {
  id: string;
  occurredAt: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  /** From where (`web 203.0.113.7`, `cli user@host`); null on entries older than the column. */
  origin?: string | null;
  sealed: boolean;
}
