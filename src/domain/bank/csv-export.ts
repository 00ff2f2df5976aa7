/**
 * CSV bank exports, read with a saved mapping profile per bank: delimiter, encoding (UTF-8, GBK/GB18030 for Chinese
 * banks, Windows-1252…), rows to skip before the header, date format, decimal and thousands separators, and where the
 * amount is: one signed column, separate debit and credit columns, or an unsigned amount with a debit/credit
 * indicator column. A running balance column, when mapped, gives the opening balance (first row's balance minus its
 * amount) and the closing balance (last row's balance), so the balance check also guards CSV files. One statement
 * per currency.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { LocalDate } from '../dates.ts';
import { invalid } from '../errors.ts';
import {
  bankCurrency, checkEntryCount, checkedDate, clean, decimalToMinor, decodeText, emptyEntry, malformed,
  type BankEntry, type BankStatement,
} from './statement.ts';

export const DATE_FORMATS = ['YYYY-MM-DD', 'YYYY/MM/DD', 'YYYYMMDD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY', 'YYYY.MM.DD'] as const;

const column = z.string().trim().min(1).max(200);

/** A saved mapping for one bank's CSV export. Columns are named by their header text. */
export const csvProfileSchema = z.object({
  name: z.string().trim().min(1).max(100),
  accountId: z.string().trim().min(1).max(64),
  currency: z.string().trim().length(3).describe('currency of the account, used when no currency column is mapped'),
  delimiter: z.enum([',', ';', '\t', '|']).default(','),
  encoding: z.string().trim().min(1).max(20).default('utf-8'),
  skipRows: z.number().int().min(0).max(50).default(0),
  dateFormat: z.enum(DATE_FORMATS),
  decimalSeparator: z.enum(['.', ',']).default('.'),
  thousandsSeparator: z.enum(['', ',', '.', ' ', "'"]).default(''),
  columns: z.object({
    bookingDate: column,
    valueDate: column.optional(),
    amount: column.optional(),
    debit: column.optional(),
    credit: column.optional(),
    direction: column.optional(),
    currency: column.optional(),
    balance: column.optional(),
    bankReference: column.optional(),
    endToEndId: column.optional(),
    remittance: z.array(column).max(5).optional(),
    counterpartyName: column.optional(),
    counterpartyAccount: column.optional(),
    transactionCode: column.optional(),
  }),
  /** Values of the direction column meaning debit (money out); anything else is credit. */
  debitValues: z.array(z.string().max(20)).max(10).default(['D', 'DR', 'DEBIT', '借']),
}).superRefine((p, ctx) => {
  const c = p.columns;
  const modes = [c.amount !== undefined && c.direction === undefined, c.debit !== undefined || c.credit !== undefined, c.amount !== undefined && c.direction !== undefined].filter(Boolean).length;
  if (modes !== 1 || (c.debit === undefined) !== (c.credit === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['columns'], message: 'map either amount (signed), amount + direction, or both debit and credit' });
  }
});

export type CsvProfile = z.output<typeof csvProfileSchema>;
export type CsvProfileInput = z.input<typeof csvProfileSchema>;

/** Reads a CSV export with `profile`. Errors name the line and the column. */
export function parseCsvExport(bytes: Uint8Array, profileInput: CsvProfileInput): BankStatement[] {
  const checked = csvProfileSchema.safeParse(profileInput);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw invalid('INVALID_CSV_PROFILE', `profile ${issue.path.join('.')}: ${issue.message}`, [{ field: issue.path.join('.'), message: issue.message }]);
  }
  const profile = checked.data;
  const defaultCurrency = bankCurrency(profile.currency, 'profile currency');
  const text = decodeText(bytes, profile.encoding);
  let rows: string[][];
  try {
    rows = parse(text, { delimiter: profile.delimiter, relax_column_count: true, skip_empty_lines: true, bom: true, from_line: profile.skipRows + 1 }) as string[][];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw malformed(`line ${e.lines ?? '?'}`, `not readable as CSV with delimiter "${profile.delimiter}" (${e.message})`, e.lines);
  }
  const header = rows[0];
  if (!header) throw malformed('line 1', 'the file has no header row');
  const firstLine = profile.skipRows + 1;
  const names = header.map((h) => h.trim());
  const index = (name: string | undefined): number | null => {
    if (name === undefined) return null;
    const i = names.indexOf(name);
    if (i < 0) throw malformed(`line ${firstLine}`, `the header has no column "${name}" (it has: ${names.slice(0, 30).join(', ')}); fix the profile's mapping`, firstLine);
    return i;
  };
  const c = profile.columns;
  const col = {
    bookingDate: index(c.bookingDate)!, valueDate: index(c.valueDate), amount: index(c.amount), debit: index(c.debit),
    credit: index(c.credit), direction: index(c.direction), currency: index(c.currency), balance: index(c.balance),
    bankReference: index(c.bankReference), endToEndId: index(c.endToEndId), counterpartyName: index(c.counterpartyName),
    counterpartyAccount: index(c.counterpartyAccount), transactionCode: index(c.transactionCode),
    remittance: (c.remittance ?? []).map((r) => index(r)!),
  };
  checkEntryCount(rows.length - 1);
  const byCurrency = new Map<string, { statement: BankStatement; firstBalance: bigint | null; lastBalance: bigint | null }>();
  const debitValues = new Set(profile.debitValues.map((v) => v.trim().toUpperCase()));
  rows.slice(1).forEach((row, r) => {
    // csv-parse counts records, not physical lines; a quoted cell with a line break would shift this by one.
    const line = firstLine + 1 + r;
    const cell = (i: number | null) => (i === null ? '' : (row[i] ?? '').trim());
    const where = (name: string) => `line ${line}, column "${name}"`;
    if (row.every((v) => v.trim() === '')) return;
    const currency = col.currency !== null && cell(col.currency) ? bankCurrency(cell(col.currency), where(c.currency!), line) : defaultCurrency;
    const money = (i: number | null, name: string) => {
      const t = cell(i);
      return t === '' ? 0n : amountOf(t, currency, profile.decimalSeparator, profile.thousandsSeparator, where(name), line);
    };
    let amountMinor: bigint;
    if (col.debit !== null) {
      const debit = money(col.debit, c.debit!);
      const credit = money(col.credit, c.credit!);
      amountMinor = abs(credit) - abs(debit);
    } else if (col.direction !== null) {
      const magnitude = abs(money(col.amount, c.amount!));
      const direction = cell(col.direction).toUpperCase();
      amountMinor = debitValues.has(direction) ? -magnitude : magnitude;
    } else {
      amountMinor = money(col.amount, c.amount!);
    }
    const e: BankEntry = emptyEntry(`line ${line}`, amountMinor, currency);
    e.bookingDate = readDate(cell(col.bookingDate), profile.dateFormat, where(c.bookingDate), line);
    e.valueDate = col.valueDate !== null && cell(col.valueDate) ? readDate(cell(col.valueDate), profile.dateFormat, where(c.valueDate!), line) : e.bookingDate;
    e.bankReference = clean(cell(col.bankReference));
    e.endToEndId = clean(cell(col.endToEndId));
    e.counterpartyName = clean(cell(col.counterpartyName));
    e.counterpartyAccount = clean(cell(col.counterpartyAccount));
    e.transactionCode = clean(cell(col.transactionCode));
    e.remittanceText = clean(col.remittance.map((i) => cell(i)).filter(Boolean).join(' '));
    let group = byCurrency.get(currency);
    if (!group) {
      group = {
        statement: {
          format: 'csv', formatVersion: `csv (${profile.name})`, accountId: profile.accountId, currency,
          statementId: '', sequence: null, opening: null, closing: null, entries: [],
        },
        firstBalance: null, lastBalance: null,
      };
      byCurrency.set(currency, group);
    }
    if (col.balance !== null && cell(col.balance) !== '') {
      const balance = money(col.balance, c.balance!);
      if (group.statement.entries.length === 0) group.firstBalance = balance - amountMinor;
      group.lastBalance = balance;
    }
    group.statement.entries.push(e);
  });
  const statements: BankStatement[] = [];
  for (const { statement, firstBalance, lastBalance } of byCurrency.values()) {
    const dates = statement.entries.map((e) => e.bookingDate!).sort();
    const from = dates[0]!;
    const to = dates[dates.length - 1]!;
    statement.statementId = `${profile.name}:${statement.currency}:${from}:${to}`;
    if (firstBalance !== null && lastBalance !== null) {
      statement.opening = { amountMinor: firstBalance, currency: statement.currency, date: from };
      statement.closing = { amountMinor: lastBalance, currency: statement.currency, date: to };
    }
    statements.push(statement);
  }
  if (statements.length === 0) throw malformed(`line ${firstLine + 1}`, 'the file has a header but no rows');
  return statements;
}

const abs = (v: bigint) => (v < 0n ? -v : v);

/** "1.234,56", "(1,234.50)", "-1 234.50" with the profile's separators, as exact minor units. */
function amountOf(text: string, currency: string, decimal: '.' | ',', thousands: string, where: string, line: number): bigint {
  let t = text.replace(/\s/g, thousands === ' ' ? '' : ' ').trim();
  let negative = false;
  const paren = /^\((.*)\)$/.exec(t);
  if (paren) {
    negative = true;
    t = paren[1]!;
  }
  if (t.endsWith('-')) {
    negative = !negative;
    t = t.slice(0, -1);
  }
  // A currency sign or code around the number: "¥1,200.00", "1.200,00 €", "USD 5.00", "5.00 CNY".
  t = t.replace(/^([+-]?)\s*(?:[¥￥$€£₩₹]|[A-Z]{3}\s)\s*/, '$1').replace(/\s*(?:[¥￥$€£₩₹元]|\s[A-Z]{3})$/, '');
  if (thousands) t = t.split(thousands).join('');
  const minor = decimalToMinor(t, currency, where, line, decimal);
  return negative ? -minor : minor;
}

function readDate(text: string, format: (typeof DATE_FORMATS)[number], where: string, line: number): LocalDate {
  const t = text.trim().split(/[ T]/)[0] ?? ''; // "2021-01-05 00:21:32": the day is what counts
  const loose = new RegExp(`^${format.replace(/YYYY/, '(\\d{4})').replace(/MM/, '(\\d{1,2})').replace(/DD/, '(\\d{1,2})').replace(/[./]/g, (s) => `\\${s}`)}$`);
  const m = loose.exec(t);
  if (!m) throw malformed(where, `"${text}" is not a date in the profile's format ${format}`, line);
  const order = ['YYYY', 'MM', 'DD'].sort((a, b) => format.indexOf(a) - format.indexOf(b));
  const value = (token: string) => Number(m[order.indexOf(token) + 1]);
  return checkedDate(value('YYYY'), value('MM'), value('DD'), text, where, line);
}
