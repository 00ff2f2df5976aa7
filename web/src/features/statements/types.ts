/** The statement and confirmation shapes as the API sends them (src/modules/statements, src/modules/confirmations). */
export interface StatementLine {
  date: string; type: 'document' | 'allocation'; kind: string; number: string; reference: string | null; dueDate: string | null;
  debit: string; credit: string; applied: string; balance: string;
}
export interface StatementBucket { key: string; fromDays: number | null; toDays: number | null }
export interface StatementSection {
  currency: string; opening: string; lines: StatementLine[]; debits: string; credits: string; closing: string;
  aging: { buckets: StatementBucket[]; current: string; byBucket: Record<string, string>; outstanding: string; unapplied: string; net: string };
}
export interface Statement {
  company: { name: string; address: string | null };
  customer: { code: string; name: string; taxId: string | null; address: string | null };
  from: string; to: string; language: 'zh-CN' | 'en'; generatedOn: string; sections: StatementSection[];
}
export interface SendRecord {
  id: string; kind: 'statement' | 'confirmation'; customer: string; confirmation: string | null; from: string | null; to: string;
  language: string; format: 'pdf' | 'xlsx'; recipient: string; status: 'queued' | 'sent' | 'failed'; messageId: string | null;
  error: string | null; requestedAt: string; requestedBy: string; sentAt: string | null;
}
export interface ConfirmationSummary {
  id: string; number: string; customer: string; customerName: string; asOf: string; language: string; note: string | null;
  issuedOn: string; issuedAt: string; issuedBy: string; balances: { currency: string; balance: string }[];
  status: 'unanswered' | 'confirmed' | 'disputed'; answeredOn: string | null; daysOutstanding: number | null; sends: number; lastSentAt: string | null;
}
export interface ConfirmationDetail extends ConfirmationSummary {
  answers: {
    id: string; status: 'confirmed' | 'disputed'; answeredOn: string; explanation: string | null; supersedes: string | null; reason: string | null;
    recordedAt: string; recordedBy: string; current: boolean;
    figures: { currency: string; theirs: string; ours: string; difference: string }[];
    differences: { document: string | null; currency: string; amount: string; reason: string }[];
  }[];
  sendLog: SendRecord[];
}
