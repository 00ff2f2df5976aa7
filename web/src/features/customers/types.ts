/** What the customers API answers (amounts are exact decimal strings in major units; dates 'YYYY-MM-DD'). */

export type CustomerStatus = 'active' | 'on_hold' | 'inactive';
export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ['active', 'on_hold', 'inactive'];
export const CHANNELS = ['email', 'sms', 'phone', 'letter'] as const;
export const CONTACT_LANGUAGES = ['zh-CN', 'en'] as const;

export interface Contact {
  id?: string;
  name: string;
  role: string | null;
  email: string | null;
  phone: string | null;
  preferredChannel: (typeof CHANNELS)[number];
  language: (typeof CONTACT_LANGUAGES)[number];
  isPrimary: boolean;
}

export interface Customer {
  id: string;
  code: string;
  name: string;
  taxId: string | null;
  /** The postal address, on up to 5 lines. */
  address: string | null;
  parentCode: string | null;
  segment: string | null;
  region: string | null;
  industry: string | null;
  salesperson: string | null;
  collector: string | null;
  currency: string;
  paymentTerms: string | null;
  creditLimit: string | null;
  status: CustomerStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  contacts?: Contact[];
}

/** A list row: the customer with its open balance per currency. */
export interface CustomerRow extends Customer {
  balances: { currency: string; receivable: string; unapplied: string; net: string }[];
}

export interface CustomerFilters {
  segments: string[];
  regions: string[];
  collectors: string[];
  salespeople: string[];
  currencies: string[];
}

export interface CustomerBalance {
  customer: string;
  asOf: string;
  balances: { currency: string; receivable: string; overdue: string; unapplied: string; net: string; openItems: number; openCredits: number }[];
}

export type { OpenItem } from '../../api/types.ts';

export interface DocumentSummary {
  id: string;
  kind: string;
  number: string;
  documentDate: string;
  dueDate: string | null;
  currency: string;
  amount: string;
  open: string;
  status: 'open' | 'partly_applied' | 'closed' | 'reversed';
}

export interface PaymentTerms {
  code: string;
  name: string;
  description: string;
  descriptionZh: string;
}

/** PATCH /customers/:code answers 202 with this when the change waits for approval. */
export interface ApprovalRequested {
  outcome: 'approval_requested';
  approval: { id: string; summary: string };
}

/** Days from `from` to `to`, both 'YYYY-MM-DD' calendar days (no time zone can shift them). */
export function daysBetween(from: string, to: string): number {
  const day = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
  return Math.round(day(to) - day(from));
}

/** Where a document opens: its id when known, else KIND:NUMBER (numbers are unique per kind). */
export function documentPath(ref: { id?: string; kind?: string; number?: string }): string {
  return `/documents/${encodeURIComponent(ref.id ?? `${ref.kind}:${ref.number}`)}`;
}
