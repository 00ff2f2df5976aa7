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
