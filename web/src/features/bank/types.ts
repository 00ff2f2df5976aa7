/** The bank import API's shapes (src/modules/bank). Amounts are decimal text in the statement's currency. */
export type BalanceCheck = 'ok' | 'mismatch' | 'not_given';

export interface StatementSummary {
  id: string;
  accountId: string;
  currency: string;
  format: string;
  formatVersion: string;
  statementId: string;
  sequence: string | null;
  opening: { amount: string; date: string | null } | null;
  closing: { amount: string; date: string | null } | null;
  balanceCheck: BalanceCheck;
  difference: string;
  entriesTotal: string;
  entryCount: number;
  newEntryCount: number;
}

export interface ImportResult {
  fileName: string | null;
  fileHash: string;
  format: string;
  statements: (StatementSummary & { alreadyImported: boolean })[];
  entryCount: number;
  newEntryCount: number;
  /** With ?match=true: what matching did to each new statement. */
  matching?: { statementId: string; counts: MatchRunResult['counts'] }[];
}

export interface HistoryRow extends StatementSummary {
  fileName: string | null;
  importedAt: string;
  importedBy: string;
}

export interface BankEntryRow {
  id: string;
  seq: number;
  bookingDate: string | null;
  valueDate: string | null;
  amount: string;
  currency: string;
  direction: 'credit' | 'debit';
  bankReference: string | null;
  customerReference: string | null;
  endToEndId: string | null;
  remittanceText: string | null;
  creditorReference: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
  transactionCode: string | null;
  reversal: boolean;
  booked: boolean;
}

export interface CsvProfileRow {
  name: string;
  accountId: string;
  currency: string;
  encoding: string;
  dateFormat: string;
}

/** A saved CSV mapping profile, whole (src/domain/bank/csv-export.ts), as GET /bank/profiles lists it. */
export interface CsvProfile extends CsvProfileRow {
  delimiter: ',' | ';' | '\t' | '|';
  skipRows: number;
  decimalSeparator: '.' | ',';
  thousandsSeparator: '' | ',' | '.' | ' ' | "'";
  columns: {
    bookingDate: string; valueDate?: string; amount?: string; debit?: string; credit?: string; direction?: string; currency?: string;
    balance?: string; bankReference?: string; endToEndId?: string; remittance?: string[]; counterpartyName?: string;
    counterpartyAccount?: string; transactionCode?: string;
  };
  debitValues?: string[];
  updatedAt?: string;
  updatedBy?: string;
}

/** Cash matching (src/modules/bank/matching.ts): a reason is a signal with its points; the words are the server's. */
export interface MatchReason {
  code: string;
  points: number;
  words: string;
  detail?: string;
}

export interface MatchProposal {
  id: string;
  status: 'proposed' | 'accepted' | 'auto_applied';
  rank: number;
  customer: { code: string; name: string };
  kind: 'exact' | 'combination' | 'discount' | 'charges' | 'partial' | 'overpayment';
  score: number;
  reasons: MatchReason[];
  /** `amount` in the line's currency; an item in another currency has its `currency` and what the amount `settles` of it. */
  allocations: { document: string; itemId: string; open: string; amount: string; currency?: string; settles?: string }[];
  /** Items in another currency: the rate used (line currency per unit of theirs). */
  fxRate?: string | null;
  writeOff: { amount: string; reason: string | null } | null;
  /** What the payer deducted: left open and raised as a dispute when the proposal is applied. */
  deduction: { amount: string; items: { document: string; amount: string }[] } | null;
  unapplied: string;
}

export type LineStatus = 'auto_applied' | 'applied' | 'suggested' | 'unmatched' | 'rejected' | 'not_matched' | 'not_a_credit';

export interface MatchLineRow {
  id: string;
  seq: number;
  bookingDate: string | null;
  valueDate: string | null;
  amount: string;
  currency: string;
  direction: 'credit' | 'debit';
  bankReference: string | null;
  endToEndId: string | null;
  remittanceText: string | null;
  creditorReference: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
  matchable: boolean;
  status: LineStatus;
  bestScore: number | null;
  note: string | null;
  proposals: MatchProposal[];
  application: {
    mode: 'auto' | 'manual'; customer: { code: string; name: string }; payment: string; writeOff: string | null;
    applied: string; writeOffAmount: string; unapplied: string; appliedAt: string; appliedBy: string;
    deduction: string | null; disputeId: string | null;
  } | null;
}

export interface MatchLinesPage {
  statementId: string;
  more: boolean;
  counts: { lines: number; autoApplied: number; applied: number; suggested: number; unmatched: number; notMatched: number };
  lines: MatchLineRow[];
}

export interface MatchRunResult {
  dryRun: boolean;
  counts: { lines: number; autoApplied: number; suggested: number; unmatched: number; alreadyApplied: number; notCredits: number };
}
