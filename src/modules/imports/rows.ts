/**
 * Turns one source record into a typed import row, or into every problem it has, each naming the line, the
 * canonical column and how to fix it. Pure apart from `parseImportFile`, which chains reading, header mapping,
 * row parsing and the file-level duplicate check into one stream for the import service.
 */
import { dateProblem, makeDate, type LocalDate } from '../../domain/dates.ts';
import { invalid, type ErrorDetail } from '../../domain/errors.ts';
import { amountProblem, isCurrency, parseAmount } from '../../domain/money.ts';
import { mapHeader, type ColumnMapping, type ImportKind } from './columns.ts';
import { readRecords, type ReadOptions, type SourceRecord } from './read-file.ts';

export interface CustomerRow {
  line: number;
  code: string;
  name: string;
  taxId?: string;
  currency?: string;
  paymentTerms?: string;
  /** Decimal string in major units, e.g. "12345.60"; zero allowed. */
  creditLimit?: string;
  groupCode?: string;
  segment?: string;
  region?: string;
  address?: string;
  salesperson?: string;
  collector?: string;
  email?: string;
  phone?: string;
  language?: 'zh-CN' | 'en';
}

export interface InvoiceRow {
  line: number;
  number: string;
  customerCode: string;
  documentDate: LocalDate;
  dueDate?: LocalDate;
  paymentTerms?: string;
  currency?: string;
  externalId?: string;
  /** Decimal string in major units, greater than zero, at most 4 decimals (the service checks the currency's scale). */
  amount: string;
}

export interface AppliesTo {
  /** Invoice number. */
  number: string;
  /** Decimal string in major units; absent when the item gives no amount (the service decides how much). */
  amount?: string;
}

export interface PaymentRow {
  line: number;
  reference: string;
  customerCode: string;
  date: LocalDate;
  amount: string;
  currency?: string;
  appliesTo?: AppliesTo[];
}

export interface CreditNoteRow {
  line: number;
  number: string;
  customerCode: string;
  date: LocalDate;
  amount: string;
  currency?: string;
  againstInvoice?: string;
  appliesTo?: AppliesTo[];
}

export interface AdvanceRow {
  line: number;
  reference: string;
  customerCode: string;
  date: LocalDate;
  amount: string;
  currency?: string;
}

export type ImportRow = CustomerRow | InvoiceRow | PaymentRow | CreditNoteRow | AdvanceRow;

export type RowOf<K extends ImportKind> = K extends 'customers' ? CustomerRow
  : K extends 'invoices' ? InvoiceRow
  : K extends 'payments' ? PaymentRow
  : K extends 'credit-notes' ? CreditNoteRow
  : K extends 'advances' ? AdvanceRow
  : never;

export type RowResult<R> = { ok: true; row: R } | { ok: false; errors: ErrorDetail[] };

/** Longest code, document number or reference (and references to one: customer_code, against_invoice…). */
export const MAX_KEY_CHARS = 64;
/** Longest other text. */
export const MAX_TEXT_CHARS = 200;
/** Most invoices one applies_to cell may list. */
export const MAX_APPLIES_TO_ITEMS = 200;
/** Most decimals an amount may have here; the currency's own scale (CNY 2, JPY 0, KWD 3) is checked later. */
export const MAX_AMOUNT_DECIMALS = 4;
/** Most integer digits: 10^17 minor units is the largest amount arflow holds. */
const MAX_AMOUNT_INTEGER_DIGITS = 17;

/** The column holding each kind's key: unique within a file, and the idempotency key of a re-import. */
export const KEY_COLUMN: Readonly<Record<ImportKind, string>> = {
  customers: 'code',
  invoices: 'number',
  payments: 'reference',
  'credit-notes': 'number',
  advances: 'reference',
};

/** What to write in a required column that is empty. */
const REQUIRED_HINT: Readonly<Record<string, string>> = {
  code: "the customer's code, e.g. C001",
  name: "the customer's name",
  number: 'the document number, e.g. INV-2026-0001',
  customer_code: "the customer's code as in the customer list, e.g. C001",
  reference: 'a reference unique to this receipt, e.g. the bank transaction number',
  document_date: 'the invoice date, e.g. 2026-03-01',
  date: 'the date, e.g. 2026-03-01',
  amount: 'the amount, e.g. 1234.50',
};

// ---------------------------------------------------------------------------------------------------------------
// Row parsing

/** Parses one data record of `kind` read with `mapping`. */
export function parseRow<K extends ImportKind>(kind: K, record: SourceRecord, mapping: ColumnMapping): RowResult<RowOf<K>>;
export function parseRow(kind: ImportKind, record: SourceRecord, mapping: ColumnMapping): RowResult<ImportRow> {
  const cells = new Cells(record, mapping);
  const row = ROW_PARSERS[kind](cells);
  return cells.errors.length > 0 ? { ok: false, errors: cells.errors } : { ok: true, row };
}

const ROW_PARSERS: Readonly<Record<ImportKind, (cells: Cells) => ImportRow>> = {
  customers: (c) => {
    const row: CustomerRow = {
      line: c.line,
      code: c.key('code', true) ?? '',
      name: c.text('name', true) ?? '',
    };
    assign(row, 'taxId', c.text('tax_id', false, { nfkc: true }));
    assign(row, 'currency', c.currency());
    assign(row, 'paymentTerms', c.text('payment_terms', false));
    assign(row, 'creditLimit', c.amount('credit_limit', false, { allowZero: true }));
    assign(row, 'groupCode', c.key('group_code', false));
    assign(row, 'segment', c.text('segment', false));
    assign(row, 'region', c.text('region', false));
    // A cell may hold the address on several lines (Alt+Enter in Excel); the customer rules allow 5 lines, 300 characters.
    assign(row, 'address', c.text('address', false, { max: 300, multiline: true }));
    assign(row, 'salesperson', c.text('salesperson', false));
    assign(row, 'collector', c.text('collector', false));
    assign(row, 'email', c.email());
    assign(row, 'phone', c.text('phone', false, { nfkc: true }));
    assign(row, 'language', c.language());
    if (row.groupCode !== undefined && row.groupCode === row.code) {
      c.fail('group_code', `is the customer's own code ${row.code}; give the code of the group (parent) customer or leave it empty`);
    }
    return row;
  },
  invoices: (c) => {
    const row: InvoiceRow = {
      line: c.line,
      number: c.key('number', true) ?? '',
      customerCode: c.key('customer_code', true) ?? '',
      documentDate: c.date('document_date', true) ?? '',
      amount: c.amount('amount', true) ?? '',
    };
    assign(row, 'dueDate', c.date('due_date', false));
    assign(row, 'paymentTerms', c.text('payment_terms', false));
    assign(row, 'currency', c.currency());
    assign(row, 'externalId', c.text('external_id', false));
    if (row.dueDate !== undefined && row.documentDate !== '' && row.dueDate < row.documentDate) {
      c.fail('due_date', `${row.dueDate} is before the document date ${row.documentDate}; correct it, or leave it empty to compute it from the payment terms`);
    }
    return row;
  },
  payments: (c) => {
    const row: PaymentRow = {
      line: c.line,
      reference: c.key('reference', true) ?? '',
      customerCode: c.key('customer_code', true) ?? '',
      date: c.date('date', true) ?? '',
      amount: c.amount('amount', true) ?? '',
    };
    assign(row, 'currency', c.currency());
    assign(row, 'appliesTo', c.appliesTo(row.amount));
    return row;
  },
  'credit-notes': (c) => {
    const row: CreditNoteRow = {
      line: c.line,
      number: c.key('number', true) ?? '',
      customerCode: c.key('customer_code', true) ?? '',
      date: c.date('date', true) ?? '',
      amount: c.amount('amount', true, { negativeHint: 'write credit notes as positive amounts (1000.00, not -1000.00)' }) ?? '',
    };
    assign(row, 'currency', c.currency());
    assign(row, 'againstInvoice', c.key('against_invoice', false));
    assign(row, 'appliesTo', c.appliesTo(row.amount));
    return row;
  },
  advances: (c) => {
    const row: AdvanceRow = {
      line: c.line,
      reference: c.key('reference', true) ?? '',
      customerCode: c.key('customer_code', true) ?? '',
      date: c.date('date', true) ?? '',
      amount: c.amount('amount', true) ?? '',
    };
    assign(row, 'currency', c.currency());
    return row;
  },
};

/** Sets an optional property only when it has a value, so absent columns stay absent (not `undefined` keys). */
function assign<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** One record's cells by canonical column, collecting errors as they are found. */
class Cells {
  readonly line: number;
  readonly errors: ErrorDetail[] = [];
  private readonly problems: ReadonlyMap<number, string>;

  constructor(private readonly record: SourceRecord, private readonly mapping: ColumnMapping) {
    this.line = record.line;
    this.problems = new Map((record.problems ?? []).map((p) => [p.index, p.message]));
  }

  fail(column: string, message: string): undefined {
    this.errors.push({ line: this.line, column, message });
    return undefined;
  }

  /** The trimmed cell, or undefined when the column is absent or the cell empty (after reporting a required one). */
  private raw(column: string, required: boolean): string | undefined {
    const index = this.mapping.indexes[column];
    if (index !== undefined) {
      const problem = this.problems.get(index);
      if (problem !== undefined) return this.fail(column, problem);
    }
    const value = index === undefined ? '' : (this.record.values[index] ?? '').trim();
    if (value === '') {
      if (required) this.fail(column, `is empty; fill in ${REQUIRED_HINT[column] ?? 'a value'}`);
      return undefined;
    }
    return value;
  }

  text(column: string, required: boolean, options: { max?: number; nfkc?: boolean; multiline?: boolean } = {}): string | undefined {
    const raw = this.raw(column, required);
    if (raw === undefined) return undefined;
    const value = options.nfkc ? raw.normalize('NFKC') : raw;
    const problem = textProblem(options.multiline ? value.replace(/\r?\n/g, ' ') : value, options.max ?? MAX_TEXT_CHARS);
    return problem ? this.fail(column, problem) : value;
  }

  key(column: string, required: boolean): string | undefined {
    return this.text(column, required, { max: MAX_KEY_CHARS });
  }

  amount(column: string, required: boolean, options: AmountOptions = {}): string | undefined {
    const raw = this.raw(column, required);
    if (raw === undefined) return undefined;
    const result = parseDecimalAmount(raw, options);
    return result.ok ? result.value : this.fail(column, result.message);
  }

  date(column: string, required: boolean): LocalDate | undefined {
    const raw = this.raw(column, required);
    if (raw === undefined) return undefined;
    const result = parseImportDate(raw);
    return result.ok ? result.value : this.fail(column, result.message);
  }

  currency(): string | undefined {
    const raw = this.raw('currency', false);
    if (raw === undefined) return undefined;
    const result = parseCurrency(raw);
    return result.ok ? result.value : this.fail('currency', result.message);
  }

  email(): string | undefined {
    const value = this.text('email', false, { nfkc: true });
    if (value === undefined) return undefined;
    return EMAIL.test(value) ? value : this.fail('email', `"${value}" is not an email address; give one address like name@example.com`);
  }

  language(): 'zh-CN' | 'en' | undefined {
    const raw = this.raw('language', false);
    if (raw === undefined) return undefined;
    const language = LANGUAGES.get(raw.normalize('NFKC').toLowerCase().replace(/_/g, '-'));
    return language ?? this.fail('language', `"${raw}" is not a language arflow writes in; use zh-CN (中文) or en (English)`);
  }

  appliesTo(documentAmount: string): AppliesTo[] | undefined {
    const raw = this.raw('applies_to', false);
    if (raw === undefined) return undefined;
    const result = parseAppliesTo(raw);
    if (!result.ok) {
      for (const message of result.messages) this.fail('applies_to', message);
      return undefined;
    }
    const total = sumDecimals(result.value.flatMap((item) => (item.amount === undefined ? [] : [item.amount])));
    if (documentAmount !== '' && total > decimalUnits(documentAmount)) {
      return this.fail('applies_to', `the amounts listed add up to ${formatUnits(total)}, more than the amount ${documentAmount}; correct the amounts or the total`);
    }
    return result.value;
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const LANGUAGES: ReadonlyMap<string, 'zh-CN' | 'en'> = new Map([
  ...['zh-cn', 'zh', 'zh-hans', 'zh-hans-cn', 'cn', 'chinese', '中文', '简体中文', '汉语', '简体'].map((k) => [k, 'zh-CN'] as const),
  ...['en', 'en-us', 'en-gb', 'english', '英文', '英语'].map((k) => [k, 'en'] as const),
]);

/** Why a text value cannot be stored, or null. */
export function textProblem(value: string, maxChars: number): string | null {
  if (value.includes('\ufffd')) {
    return 'contains "\ufffd", a character that could not be decoded; save the file as "CSV UTF-8" or import it with the right encoding';
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a line break or another control character; put the value on one line';
  if (value.length > maxChars) return `is ${value.length} characters long; at most ${maxChars} are allowed`;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

export type ValueResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface AmountOptions {
  /** Accept 0 (a credit limit of 0 means "no credit"); document amounts must be greater than zero. */
  allowZero?: boolean;
  /** Added to the error for a negative amount. */
  negativeHint?: string;
}

const AMOUNT_FORM = 'write it like 1234.50 or 1,234.50 (a dot for decimals)';

/**
 * Reads an amount as written in an import file into a plain decimal string in major units: "¥1,234.50" →
 * "1234.50", "１２３４．５" → "1234.5". Decimals are kept as written (the currency is not known yet).
 */
export function parseDecimalAmount(text: string, options: AmountOptions = {}): ValueResult<string> {
  let s = text.trim().normalize('NFKC').replace(/\u2212/g, '-');
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = paren[1]!.trim();
  }
  const signed = /^([+-]?)\s*[¥$€]?\s*([+-]?)\s*(.*)$/.exec(s)!;
  if (signed[1] === '-' || signed[2] === '-') negative = true;
  if (signed[1] !== '' && signed[2] !== '') return { ok: false, message: `"${text}" is not an amount; ${AMOUNT_FORM}` };
  s = signed[3]!;

  let digits: string;
  if (/^\d*\.?\d+$/.test(s)) digits = s;
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) digits = s.replace(/,/g, '');
  else if (/^\d{1,3}([ \u00a0]\d{3})+(\.\d+)?$/.test(s)) digits = s.replace(/[ \u00a0]/g, '');
  else if (/^\d{1,3}(['’]\d{3})+(\.\d+)?$/.test(s)) digits = s.replace(/['’]/g, '');
  else if (/^\d{1,3}([ .\u00a0]\d{3})*,\d+$/.test(s) || /^\d+,\d{1,2}$/.test(s)) {
    return { ok: false, message: `"${text}" uses a comma as the decimal separator, which arflow does not read; ${AMOUNT_FORM}` };
  } else {
    return { ok: false, message: `"${text}" is not an amount; ${AMOUNT_FORM}` };
  }

  const [whole = '', fraction = ''] = digits.split('.');
  const integer = whole.replace(/^0+/, '') || '0';
  if (fraction.length > MAX_AMOUNT_DECIMALS) {
    return { ok: false, message: `"${text}" has ${fraction.length} decimals; at most ${MAX_AMOUNT_DECIMALS} are accepted (round it in the source system)` };
  }
  if (integer.length > MAX_AMOUNT_INTEGER_DIGITS) return { ok: false, message: `"${text}" is larger than arflow accepts` };
  const value = fraction === '' ? integer : `${integer}.${fraction}`;
  const zero = /^0(\.0*)?$/.test(value);
  if (negative && !zero) {
    const rule = options.allowZero ? 'the amount must be zero or more' : 'the amount must be greater than zero';
    return { ok: false, message: `"${text}" is negative; ${options.negativeHint ?? rule}` };
  }
  if (zero && !options.allowZero) return { ok: false, message: `"${text}" is zero; the amount must be greater than zero` };
  return { ok: true, value };
}

/**
 * The amount in minor units of `currency` (for the service, once the currency is known), throwing an invalid
 * AppError naming the line and column when the amount has more decimals than the currency (JPY 0, CNY 2).
 */
export function amountToMinor(decimal: string, currency: string, where: { line?: number; column?: string } = {}): bigint {
  const column = where.column ?? 'amount';
  const problem = amountProblem(decimal, currency, { thousands: true });
  if (problem !== null) {
    const at = where.line === undefined ? column : `line ${where.line}, column ${column}`;
    throw invalid('INVALID_AMOUNT', `${at}: ${problem}`, [{ ...where, column, message: problem }]);
  }
  return parseAmount(decimal, currency, column, { thousands: true });
}

const DATE_FORMS = 'YYYY-MM-DD (e.g. 2026-03-01); also accepted: 2026/3/1, 2026.3.1, 2026-3-1, 2026年3月1日, 20260301';

/**
 * Reads a date as written in an import file: 2026-03-01, 2026-3-1, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301,
 * optionally followed by a time of day, which is ignored. Forms where the day and month could be swapped
 * (03/01/2026) are rejected.
 */
export function parseImportDate(text: string): ValueResult<LocalDate> {
  const s = text.trim().normalize('NFKC').replace(/(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/, '');
  const m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s)
    ?? /^(\d{4})(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/.exec(s)
    ?? /^(\d{4})()(\d{2})(\d{2})$/.exec(s);
  if (!m) {
    if (/^\d{5}(\.\d+)?$/.test(s)) {
      return { ok: false, message: `"${text}" looks like an Excel date serial number; format the column as a date in Excel, or write ${DATE_FORMS}` };
    }
    if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(s)) {
      return { ok: false, message: `"${text}" is ambiguous (which part is the day, which the month?); write it as ${DATE_FORMS}` };
    }
    return { ok: false, message: `"${text}" is not a date arflow reads; write it as ${DATE_FORMS}` };
  }
  const iso = makeDate(Number(m[1]), Number(m[3]), Number(m[4]));
  const problem = dateProblem(iso);
  if (problem) {
    return { ok: false, message: `${iso === text.trim() ? '' : `"${text}" is ${iso}: `}${problem}; check the day and the month` };
  }
  return { ok: true, value: iso };
}

const CURRENCY_NAMES: ReadonlyMap<string, string> = new Map([
  ['人民币', 'CNY'], ['人民币元', 'CNY'], ['RMB', 'CNY'], ['美元', 'USD'], ['美金', 'USD'], ['欧元', 'EUR'],
  ['港币', 'HKD'], ['港元', 'HKD'], ['港幣', 'HKD'], ['日元', 'JPY'], ['日圆', 'JPY'], ['英镑', 'GBP'],
]);

/** An ISO 4217 code ("cny" → "CNY"), also from the Chinese names 人民币, 美元, 欧元, 港币/港元, 日元 and RMB. */
export function parseCurrency(text: string): ValueResult<string> {
  const s = text.trim().normalize('NFKC').toUpperCase();
  const code = CURRENCY_NAMES.get(s) ?? s;
  if (/^[A-Z]{3}$/.test(code) && isCurrency(code)) return { ok: true, value: code };
  return { ok: false, message: `"${text}" is not an ISO 4217 currency code; use e.g. CNY, USD, EUR (人民币, 美元, 欧元, 港币 and 日元 are read too)` };
}

/**
 * Reads an applies_to cell: "INV-1:40.00;INV-2:60.00". Items are separated by ";", "；", "，", "|" or a line break;
 * number and amount by ":" or "："; the amount is optional. The plain comma is not a separator: it may be a
 * thousands separator ("INV-1:1,234.50").
 */
export function parseAppliesTo(text: string): { ok: true; value: AppliesTo[] } | { ok: false; messages: string[] } {
  const items = text.split(/[;；，|\r\n]/).map((item) => item.trim()).filter((item) => item !== '');
  if (items.length > MAX_APPLIES_TO_ITEMS) {
    return { ok: false, messages: [`lists ${items.length} invoices; at most ${MAX_APPLIES_TO_ITEMS} are accepted in one cell (split the receipt)`] };
  }
  const messages: string[] = [];
  const value: AppliesTo[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const colon = item.search(/[:：]/);
    const number = (colon === -1 ? item : item.slice(0, colon)).trim();
    const amountText = colon === -1 ? undefined : item.slice(colon + 1).trim();
    if (number === '') {
      messages.push(`item "${item}" has no invoice number; write it like INV-1:40.00`);
      continue;
    }
    const problem = textProblem(number, MAX_KEY_CHARS);
    if (problem) {
      messages.push(`invoice number "${number}" ${problem}`);
      continue;
    }
    if (seen.has(number)) {
      messages.push(`invoice ${number} is listed twice; list each invoice once, with the total for it`);
      continue;
    }
    seen.add(number);
    if (amountText === undefined) {
      value.push({ number });
      continue;
    }
    if (amountText === '') {
      messages.push(`item "${item}" has nothing after the colon; write ${number}:40.00, or just ${number}`);
      continue;
    }
    const amount = parseDecimalAmount(amountText);
    if (!amount.ok) messages.push(`invoice ${number}: ${amount.message}`);
    else value.push({ number, amount: amount.value });
  }
  return messages.length > 0 ? { ok: false, messages } : { ok: true, value };
}

/** A decimal string with at most MAX_AMOUNT_DECIMALS decimals as an integer count of 10^-4 units. */
function decimalUnits(decimal: string): bigint {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole + fraction.padEnd(MAX_AMOUNT_DECIMALS, '0'));
}

function sumDecimals(decimals: readonly string[]): bigint {
  return decimals.reduce((total, d) => total + decimalUnits(d), 0n);
}

function formatUnits(units: bigint): string {
  const s = units.toString().padStart(MAX_AMOUNT_DECIMALS + 1, '0');
  const whole = s.slice(0, -MAX_AMOUNT_DECIMALS);
  const fraction = s.slice(-MAX_AMOUNT_DECIMALS).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction.padEnd(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// File-level checks

/**
 * Finds repeated keys (code / number / reference) in one file, fed row by row in file order. Memory is bounded:
 * it keeps a 64-bit fingerprint and a line number per key (about 24 bytes), not the keys themselves, so five
 * million rows fit in about 120 MB. Two different keys share a fingerprint with a chance of about one in a
 * million for a file of five million rows; the error names both lines, so such a report is easy to check.
 */
export class DuplicateTracker {
  private slots = new Uint32Array(2 * 1024);
  private lines = new Uint32Array(1024);
  private size = 0;

  constructor(readonly kind: ImportKind) {}

  /** The key column of this kind ("code", "number" or "reference"). */
  get column(): string {
    return KEY_COLUMN[this.kind];
  }

  /** Records `key` seen at `line`; when an earlier line had it, returns the error for this line instead. */
  check(key: string, line: number): ErrorDetail | null {
    const first = this.remember(key, line);
    if (first === line) return null;
    return { line, column: this.column, message: `${key} is already on line ${first}; each ${this.column} may appear only once in a file (remove or renumber one of them)` };
  }

  /** The key column of a parsed row. */
  checkRow(row: ImportRow): ErrorDetail | null {
    return this.check(rowKey(row), row.line);
  }

  /** Returns the first line that had `key`, storing `line` when it is new. */
  private remember(key: string, line: number): number {
    if ((this.size + 1) * 2 > this.lines.length) this.grow();
    const [h1, h2] = fingerprint(key);
    const mask = this.lines.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      const existing = this.lines[i]!;
      if (existing === 0) {
        this.slots[2 * i] = h1;
        this.slots[2 * i + 1] = h2;
        this.lines[i] = line;
        this.size += 1;
        return line;
      }
      if (this.slots[2 * i] === h1 && this.slots[2 * i + 1] === h2) return existing;
    }
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldLines = this.lines;
    this.lines = new Uint32Array(oldLines.length * 2);
    this.slots = new Uint32Array(this.lines.length * 2);
    const mask = this.lines.length - 1;
    for (let j = 0; j < oldLines.length; j++) {
      const line = oldLines[j]!;
      if (line === 0) continue;
      const h1 = oldSlots[2 * j]!;
      let i = h1 & mask;
      while (this.lines[i] !== 0) i = (i + 1) & mask;
      this.slots[2 * i] = h1;
      this.slots[2 * i + 1] = oldSlots[2 * j + 1]!;
      this.lines[i] = line;
    }
  }
}

function rowKey(row: ImportRow): string {
  if ('code' in row) return row.code;
  if ('number' in row) return row.number;
  return row.reference;
}

/** Two 32-bit halves of a 64-bit string hash (cyrb53's mixing, both halves kept). */
function fingerprint(key: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

// ---------------------------------------------------------------------------------------------------------------
// The whole front half of an import

export interface ParseFileOptions extends ReadOptions {
  /** Called once with the header mapping and its warnings (unknown or ignored columns) before the first row. */
  onHeader?: (mapping: ColumnMapping, warnings: ErrorDetail[]) => void;
}

/**
 * Reads `path` as an import file of `kind` and yields every data row, parsed or with all its errors, duplicates of
 * an earlier key included. Throws an invalid AppError when the file is empty or its header cannot be mapped.
 */
export async function* parseImportFile<K extends ImportKind>(
  kind: K,
  path: string,
  options: ParseFileOptions = {},
): AsyncGenerator<RowResult<RowOf<K>>> {
  let mapping: ColumnMapping | undefined;
  const duplicates = new DuplicateTracker(kind);
  const keyColumn = KEY_COLUMN[kind];
  for await (const record of readRecords(path, options)) {
    if (mapping === undefined) {
      const header = mapHeader(kind, record.values, record.line);
      if (!header.ok) {
        const summary = header.errors.map((e) => `${e.column}: ${e.message}`).join('; ');
        throw invalid('IMPORT_BAD_HEADER', `line ${record.line} (the header): ${summary}`, header.errors);
      }
      mapping = header.mapping;
      options.onHeader?.(mapping, header.warnings);
      continue;
    }
    const result = parseRow(kind, record, mapping);
    // The key is checked even when other cells are wrong, so every repeat is reported in one run.
    const keyIndex = mapping.indexes[keyColumn];
    const key = keyIndex === undefined ? '' : (record.values[keyIndex] ?? '').trim();
    const duplicate = key === '' ? null : duplicates.check(key, record.line);
    if (duplicate === null) yield result;
    else yield { ok: false, errors: [...(result.ok ? [] : result.errors), duplicate] };
  }
  if (mapping === undefined) {
    throw invalid('IMPORT_EMPTY_FILE', `the file is empty; the first line must be the header (the column names) of a ${kind} file`);
  }
}
