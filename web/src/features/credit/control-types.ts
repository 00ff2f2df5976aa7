/** What the credit API answers (src/modules/credit-limits). */
export type Outcome = 'pass' | 'warn' | 'hold' | 'block';
export interface LimitShown { currency: string; base: string; temporaryInForce: string; total: string; temporary: { amount: string; validFrom: string; validTo: string } | null }
export interface LimitVersion { version: number; scope: 'customer' | 'group'; currency: string; limit: string; temporary: { amount: string; validFrom: string; validTo: string; reason: string | null } | null; reason: string; requestedBy: string; approvedBy: string; createdAt: string }
export interface Limits { customer: string; asOf: string; group: string | null; limit: LimitShown | null; groupLimit: LimitShown | null; history: LimitVersion[] }
export interface Exposure { receivables: string; orders: string; shipments: string; checkedAmount: string; advances: string; total: string; overdue: string }
export interface Hold { id: string; customer: string; customerName: string; rule: string; reason: string; placedOn: string; placedBy: string; status: string; releasedOn: string | null; releasedBy: string | null }
export interface Position {
  customer: string; kind: string; amount: string; currency: string; asOf: string; outcome: Outcome; reasons: CheckReason[];
  limit: { currency: string; base: string; temporary: string; total: string } | null; exposure: Exposure; utilisation: string | null;
  group: { head: string; members: string[]; limit: { currency: string; total: string }; exposure: Exposure; utilisation: string | null } | null;
  holds: { id: string; rule: string; reason: string; placedOn: string; status: string }[];
}
export const EXPOSURE_PARTS = ['receivables', 'orders', 'shipments', 'checkedAmount', 'advances'] as const;
export type ExposurePart = (typeof EXPOSURE_PARTS)[number];
export interface CreditSettings {
  exposure: Record<ExposurePart, boolean>;
  warnPercent: number | null;
  holdRules: { overdueDays: number | null; overdueAmount: string | null; gradeE: boolean; reviewExpired: boolean };
  holdBlocks: ('order' | 'shipment' | 'invoice')[];
  approvalLimits: { credit_manager?: string | null; finance_manager?: string | null };
}

/** A reason of a credit check's verdict: a code and its facts (the server's English words are the fallback). */
export interface CheckReason {
  code: string;
  message: string;
  holds?: string[];
  over?: string;
  overCurrency?: string;
  warnPercent?: number;
}
