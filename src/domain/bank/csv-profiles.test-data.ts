/** Mapping profiles for the shared CSV datasets, as a finance user would save them per bank (used by tests only). */
import type { CsvProfileInput } from './csv-export.ts';

export const DATASET_PROFILES: Record<string, CsvProfileInput> = {
  'oca-bank-statement-import/debit_credit.csv': {
    name: 'Generic D/C', accountId: 'GENERIC-1', currency: 'USD', dateFormat: 'MM/DD/YYYY', thousandsSeparator: ',',
    columns: { bookingDate: 'Date', amount: 'Amount', direction: 'D/C', balance: 'Balance', remittance: ['Label'], counterpartyName: 'Partner Name', counterpartyAccount: 'Bank Account' },
    debitValues: ['D'],
  },
  'oca-bank-statement-import/sample_statement_en.csv': {
    name: 'Generic signed', accountId: 'GENERIC-2', currency: 'USD', dateFormat: 'MM/DD/YYYY', thousandsSeparator: ',',
    columns: { bookingDate: 'Date', amount: 'Amount', currency: 'Currency', remittance: ['Label'], counterpartyName: 'Partner Name', counterpartyAccount: 'Bank Account' },
  },
  'oca-bank-statement-import/activity_en.csv': {
    name: 'PayPal activity', accountId: 'paypal@my-company.com', currency: 'USD', dateFormat: 'DD/MM/YYYY', thousandsSeparator: ',',
    columns: { bookingDate: 'Date', amount: 'Net', currency: 'Currency', balance: 'Balance', bankReference: 'Transaction ID', counterpartyName: 'Name', remittance: ['Invoice Number', 'Subject'], transactionCode: 'Type' },
  },
  'oca-bank-statement-import/statement_en.csv': {
    name: 'PayPal statement', accountId: 'paypal@my-company.com', currency: 'EUR', dateFormat: 'MM/DD/YYYY', thousandsSeparator: ',',
    columns: { bookingDate: 'Date', amount: 'Net', currency: 'Currency', balance: 'Balance', bankReference: 'Transaction ID', counterpartyName: 'Name', remittance: ['Description', 'Invoice ID'] },
  },
  'oca-bank-statement-import/settlement_detail_report_batch_380.csv': {
    name: 'Adyen settlement', accountId: 'YOURCOMPANY_ACCOUNT', currency: 'USD', dateFormat: 'YYYY-MM-DD',
    columns: { bookingDate: 'Booking Date', valueDate: 'Creation Date', debit: 'Net Debit (NC)', credit: 'Net Credit (NC)', currency: 'Net Currency', bankReference: 'Psp Reference', remittance: ['Merchant Reference'], transactionCode: 'Type' },
  },
};
