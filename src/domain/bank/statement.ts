/**
 * The one shape every bank file becomes (camt.053/052/054, MT940, BAI2, CSV exports): statements of one account,
 * each with its opening and closing balance and its entries. Amounts are signed minor units: a credit (money in) is
 * positive, a debit (money out) negative. Pure: no I/O, no clock.
 */
import iconv from 'iconv-lite';
import { makeDate, dateProblem, type LocalDate } from '../dates.ts';
import { invalid, tooLarge, type AppError } from '../errors.ts';
import { MAX_ABS_AMOUNT_MINOR, currencyScale, isCurrency } from '../money.ts';

export type BankFormat = 'camt.053' | 'camt.052' | 'camt.054' | 'mt940' | 'bai2' | 'csv';

/** Largest bank file arflow reads, in bytes. */
export const MAX_BANK_FILE_BYTES = 20 * 1024 * 1024;
/** Most entries one file may hold (all its statements together). */
export const MAX_BANK_ENTRIES = 100_000;

export interface BankBalance {
  /** Signed: a debit (overdrawn) balance is negative. */
  amountMinor: bigint;
  currency: string;
  date: LocalDate | null;
}

/** One transaction inside a batch entry (camt TxDtls), kept for matching; the entry's amount is what was booked. */
export interface BankEntryDetail {
  amountMinor: bigint | null;
  endToEndId: string | null;
  remittanceText: string | null;
  creditorReference: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
}

export interface BankEntry {
  bookingDate: LocalDate | null;
  valueDate: LocalDate | null;
  /** Signed minor units of `currency`: credit > 0, debit < 0. */
  amountMinor: bigint;
  currency: string;
  /** The bank's own reference for the entry (camt AcctSvcrRef/NtryRef, MT940 bank reference, BAI2 bank ref). */
  bankReference: string | null;
  /** The customer's reference (MT940 :61: reference for the account owner, BAI2 customer ref). */
  customerReference: string | null;
  endToEndId: string | null;
  /** Free remittance text (camt Ustrd, MT940 purpose, BAI2 text). */
  remittanceText: string | null;
  /** Structured creditor reference (camt Strd/CdtrRefInf/Ref, e.g. an ISO 11649 RF reference). */
  creditorReference: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
  /** The bank's transaction code: camt Domain-Family-SubFamily or proprietary, MT940 type + GVC, BAI2 type code. */
  transactionCode: string | null;
  /** The bank reverses an earlier entry (camt RvslInd, MT940 RC/RD). */
  reversal: boolean;
  /** Booked, or pending in an intraday report; only booked entries count in the balance check. */
  booked: boolean;
  /** Where in the file: "line 14" or "Stmt[1]/Ntry[3]". */
  position: string;
  details: BankEntryDetail[];
}

export interface BankStatement {
  format: BankFormat;
  /** e.g. "camt.053.001.02", "mt940", "bai2 v2". */
  formatVersion: string;
  accountId: string;
  currency: string;
  statementId: string;
  sequence: string | null;
  opening: BankBalance | null;
  closing: BankBalance | null;
  entries: BankEntry[];
}

export interface BalanceCheck {
  status: 'ok' | 'mismatch' | 'not_given';
  /** closing − (opening + booked entries); 0 when ok. */
  differenceMinor: bigint;
  entriesTotalMinor: bigint;
}

/** Opening + booked entries = closing, in the statement's currency. */
export function checkBalance(statement: BankStatement): BalanceCheck {
  let total = 0n;
  for (const e of statement.entries) if (e.booked) total += e.amountMinor;
  const { opening, closing } = statement;
  if (!opening || !closing) return { status: 'not_given', differenceMinor: 0n, entriesTotalMinor: total };
  const difference = closing.amountMinor - (opening.amountMinor + total);
  return { status: difference === 0n ? 'ok' : 'mismatch', differenceMinor: difference, entriesTotalMinor: total };
}

/** The error for a file that cannot be read, naming where. */
export function malformed(where: string, message: string, line?: number): AppError {
  return invalid('BANK_FILE_MALFORMED', `${where}: ${message}`, [line === undefined ? { field: where, message } : { line, message }]);
}

export function checkFileSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_BANK_FILE_BYTES) {
    throw tooLarge('BANK_FILE_TOO_LARGE', `the file has ${bytes.length} bytes, more than the ${MAX_BANK_FILE_BYTES} arflow reads; ask the bank for a shorter period`);
  }
}

export function checkEntryCount(count: number): void {
  if (count > MAX_BANK_ENTRIES) {
    throw tooLarge('BANK_FILE_TOO_LARGE', `the file holds more than ${MAX_BANK_ENTRIES} entries; split it by period`);
  }
}

/**
 * The currency code, or an error naming where it was read. Three letters that are not an active ISO 4217 code
 * (redacted files say "XXX") are kept as written and read with 2 decimals: the file is still the bank's word.
 */
export function bankCurrency(code: string, where: string, line?: number): string {
  const c = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw malformed(where, `"${code}" is not a currency code (three letters, e.g. EUR)`, line);
  return c;
}

/** Decimals of a bank file's currency: ISO 4217's, or 2 for a code arflow does not know. */
export function bankScale(currency: string): number {
  return isCurrency(currency) ? currencyScale(currency) : 2;
}

/**
 * Decimal text in major units ("1234.56", "1234,56", "185723,", "-0.5") as exact minor units of `currency`. Never
 * parseFloat; more decimals than the currency has are refused unless they are zeros.
 */
export function decimalToMinor(text: string, currency: string, where: string, line?: number, decimalSeparator: '.' | ',' | 'either' = 'either'): bigint {
  const s = text.trim();
  const sep = decimalSeparator === 'either' ? '[.,]' : decimalSeparator === '.' ? '\\.' : ',';
  const m = new RegExp(`^([+-]?)(\\d*)(?:${sep}(\\d*))?$`).exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw malformed(where, `"${text}" is not an amount`, line);
  const [, sign, whole = '', frac = ''] = m;
  const scale = bankScale(currency);
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) {
    throw malformed(where, `"${text}" has more decimals than ${currency} (${scale})`, line);
  }
  let minor = BigInt(`${whole || '0'}${frac.slice(0, scale).padEnd(scale, '0')}`);
  if (sign === '-') minor = -minor;
  checkMagnitude(minor, text, where, line);
  return minor;
}

export function checkMagnitude(minor: bigint, text: string, where: string, line?: number): void {
  if (minor > MAX_ABS_AMOUNT_MINOR || minor < -MAX_ABS_AMOUNT_MINOR) throw malformed(where, `"${text}" is larger than arflow accepts`, line);
}

/** "YYMMDD" as a date; years 80–99 are 19xx, the rest 20xx (SWIFT and BAI use two-digit years). */
export function yymmdd(text: string, where: string, line?: number): LocalDate {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) throw malformed(where, `"${text}" is not a date YYMMDD`, line);
  const yy = Number(m[1]);
  return checkedDate(yy >= 80 ? 1900 + yy : 2000 + yy, Number(m[2]), Number(m[3]), text, where, line);
}

export function checkedDate(year: number, month: number, day: number, text: string, where: string, line?: number): LocalDate {
  const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  if (dateProblem(iso) !== null) throw malformed(where, `"${text}" is not a valid date`, line);
  return makeDate(year, month, day);
}

/** Trims, collapses runs of blanks, and turns '' into null. */
export function clean(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const t = text.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t;
}

export function emptyEntry(position: string, amountMinor: bigint, currency: string): BankEntry {
  return {
    bookingDate: null, valueDate: null, amountMinor, currency, bankReference: null, customerReference: null,
    endToEndId: null, remittanceText: null, creditorReference: null, counterpartyName: null, counterpartyAccount: null,
    transactionCode: null, reversal: false, booked: true, position, details: [],
  };
}

/** Text from bytes: UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise Windows-1252 (Latin-1). */
export function decodeText(bytes: Uint8Array, encoding?: string): string {
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    if (!iconv.encodingExists(encoding)) throw invalid('UNKNOWN_ENCODING', `encoding "${encoding}" is not known; use e.g. utf-8, gbk, gb18030, windows-1252, iso-8859-2`);
    return iconv.decode(Buffer.from(bytes), encoding);
  }
  if (!encoding && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return iconv.decode(Buffer.from(bytes), bytes[0] === 0xff ? 'utf-16le' : 'utf-16be'); // a UTF-16 byte order mark
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    if (encoding) throw invalid('BANK_FILE_MALFORMED', 'the file is not valid UTF-8; choose the encoding the bank uses (e.g. gbk)');
    return iconv.decode(Buffer.from(bytes), legacyCodePage(bytes));
  }
}

/**
 * Windows-1252 (Latin-1) or the DOS code page 850 that German bank software still writes: CP850 puts ü ä ö Ü Ä Ö
 * at 0x81 0x84 0x94 0x9A 0x8E 0x99, where Windows-1252 has punctuation or nothing, and Latin-1 text has its umlauts
 * at 0xC0–0xFF instead. A file with more of the first than of the second is CP850.
 */
export function legacyCodePage(bytes: Uint8Array): 'windows-1252' | 'cp850' {
  const CP850_LETTERS = new Set([0x81, 0x84, 0x8e, 0x94, 0x99, 0x9a]);
  let dos = 0;
  let latin = 0;
  for (const b of bytes) {
    if (CP850_LETTERS.has(b)) dos += 1;
    else if (b >= 0xc0) latin += 1;
  }
  return dos > latin ? 'cp850' : 'windows-1252';
}

/** Minor units as a decimal string in major units, with the bank currency's scale: 12345n EUR → "123.45". */
export function formatBankAmount(amountMinor: bigint, currency: string): string {
  const scale = bankScale(currency);
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString();
  if (scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}
