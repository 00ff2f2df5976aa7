/**
 * BAI2 / BTRS (Cash Management Balance Reporting, versions 2 and 3): 01 file header, 02 group header (as-of date,
 * currency), 03 account identifier with summaries (010 opening ledger, 015 closing ledger, …), 16 transaction
 * detail, 88 continuation, 49/98/99 trailers. Handles records terminated by "/" or by the line end, several records
 * on one physical line, records wrapped over physical lines, and every funds type (0, 1, 2, S, V, D, Z).
 * Amounts carry no decimal point: they are minor units of the currency (USD when none is given, as the
 * specification says). Each 03 account becomes one statement.
 */
import type { LocalDate } from '../dates.ts';
import { bankCurrency, checkEntryCount, checkMagnitude, clean, emptyEntry, malformed, yymmdd, type BankEntry, type BankStatement } from './statement.ts';

const RECORD_START = /^(01|02|03|16|49|88|98|99),/;

/** True when the text starts with a BAI2 file header record. */
export function looksLikeBai2(text: string): boolean {
  return /^\s*01,[^,\n]*,[^,\n]*,\d{6},/.test(text.slice(0, 512));
}

interface Record_ {
  code: string;
  text: string;
  line: number;
  continuations: string[];
}

/** Logical records: 88 records attach to the record they continue. */
function records(text: string): Record_[] {
  const physical: { text: string; line: number }[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    // Several records on one line ("…/ 16,142,…/   49,…"): split before a record code that follows "/".
    for (const piece of raw.split(/\/\s+(?=(?:01|02|03|16|49|88|98|99),)/)) physical.push({ text: piece, line: i + 1 });
  });
  const out: Record_[] = [];
  for (const p of physical) {
    const t = p.text.replace(/\s+$/, '');
    if (t === '') continue;
    const m = RECORD_START.exec(t);
    const last = out[out.length - 1];
    if (!m) {
      if (!last) throw malformed(`line ${p.line}`, `"${t.slice(0, 20)}" does not start with a BAI2 record code (01, 02, 03, 16, 49, 88, 98, 99)`, p.line);
      // A record wrapped onto the next physical line.
      if (last.continuations.length) last.continuations[last.continuations.length - 1] += t;
      else last.text += t;
      continue;
    }
    if (m[1] === '88') {
      if (!last) throw malformed(`line ${p.line}`, 'a continuation record (88) before any record', p.line);
      last.continuations.push(t.slice(3));
      continue;
    }
    out.push({ code: m[1]!, text: t.slice(3), line: p.line, continuations: [] });
  }
  return out;
}

const stripSlash = (s: string) => s.replace(/\/\s*$/, '');

/**
 * The trailers' control figures, as the specification defines them: an account's (49) control total is the sum of
 * the amounts of its 03 and 16 records and its record count takes in the 03, 16, 88 and 49 records; a group's (98)
 * sums its accounts' totals and counts its accounts and records from 02 to 98; the file's (99) sums its groups' and
 * counts its groups and all records. A file cut short, or changed by hand after the bank wrote it, fails them.
 */
interface Control {
  total: bigint;
  records: number;
  parts: number;
}
const newControl = (): Control => ({ total: 0n, records: 0, parts: 0 });

function checkTrailer(kind: string, fields: string[], control: Control, where: string, line: number, partsName: string | null): void {
  const [totalText, ...rest] = fields.map((f) => f.trim());
  const given = { total: amount(totalText || '0', `${where}, control total`, line), parts: partsName ? Number(rest[0]) : null, records: Number(partsName ? rest[1] : rest[0]) };
  const problems: string[] = [];
  if (given.total !== control.total) problems.push(`control total ${totalText} but the amounts in it add up to ${control.total}`);
  if (partsName && given.parts !== control.parts) problems.push(`${given.parts} ${partsName} but ${control.parts} are in it`);
  if (given.records !== control.records) problems.push(`${given.records} records but ${control.records} are in it`);
  if (problems.length) {
    throw malformed(where, `the ${kind} trailer does not match the file: ${problems.join('; ')}. The file may be cut short or changed since the bank wrote it; download it again`, line);
  }
}

export interface Bai2Options {
  /** 'check' (the default): a trailer that does not match, or a missing file trailer, refuses the file. */
  trailers?: 'check' | 'ignore';
}

/** Parses a BAI2 file into one statement per account (03 record). */
export function parseBai2(text: string, options: Bai2Options = {}): BankStatement[] {
  const checking = (options.trailers ?? 'check') === 'check';
  const statements: BankStatement[] = [];
  let fileId = '';
  let version = 'bai2';
  let groupDate: LocalDate | null = null;
  let groupCurrency = 'USD';
  let current: BankStatement | null = null;
  const file = newControl();
  let group = newControl();
  let account = newControl();
  let sawFileTrailer = false;
  for (const r of records(text)) {
    const where = `line ${r.line}, record ${r.code}`;
    const count = 1 + r.continuations.length;
    file.records += count;
    group.records += count;
    account.records += count;
    switch (r.code) {
      case '01': {
        const f = stripSlash(r.text).split(',');
        fileId = f[3] ?? '';
        version = f[7]?.trim() === '3' ? 'btrs v3' : 'bai2';
        fileId = `${f[0] ?? ''}-${f[2] ?? ''}-${fileId}`;
        break;
      }
      case '02': {
        const f = stripSlash(r.text).split(',');
        groupDate = f[3] ? yymmdd(f[3], `${where}, as-of date`, r.line) : null;
        groupCurrency = f[5]?.trim() ? bankCurrency(f[5], `${where}, currency`, r.line) : 'USD';
        group = { ...newControl(), records: count };
        break;
      }
      case '03': {
        const fieldsText = [stripSlash(r.text), ...r.continuations.map(stripSlash)].join(',');
        const f = fieldsText.split(',');
        const accountId = (f[0] ?? '').trim();
        if (!accountId) throw malformed(where, 'has no account number', r.line);
        const currency = f[1]?.trim() ? bankCurrency(f[1], `${where}, currency`, r.line) : groupCurrency;
        const summaries = readSummaries(f.slice(2), where, r.line);
        account = { ...newControl(), records: count };
        for (const value of summaries.values()) account.total += value;
        const amountOf = (code: string) => summaries.get(code) ?? null;
        const opening = amountOf('010');
        const closing = amountOf('015');
        current = {
          format: 'bai2', formatVersion: version, accountId, currency,
          statementId: `${fileId}-${groupDate ?? ''}-${accountId}`,
          sequence: null,
          opening: opening === null ? null : { amountMinor: opening, currency, date: groupDate },
          closing: closing === null ? null : { amountMinor: closing, currency, date: groupDate },
          entries: [],
        };
        statements.push(current);
        break;
      }
      case '16': {
        if (!current) throw malformed(where, 'a transaction detail (16) before any account (03)', r.line);
        const entry = detail(r, current.currency, groupDate, where);
        current.entries.push(entry);
        account.total += entry.amountMinor < 0n ? -entry.amountMinor : entry.amountMinor;
        break;
      }
      case '49':
        if (checking) checkTrailer('account', stripSlash(r.text).split(','), account, where, r.line, null);
        group.total += account.total;
        group.parts += 1;
        current = null;
        break;
      case '98':
        if (checking) checkTrailer('group', stripSlash(r.text).split(','), group, where, r.line, 'accounts');
        file.total += group.total;
        file.parts += 1;
        break;
      case '99':
        if (checking) checkTrailer('file', stripSlash(r.text).split(','), file, where, r.line, 'groups');
        sawFileTrailer = true;
        break;
      default:
        break;
    }
  }
  if (statements.length === 0) throw malformed('line 1', 'no account (03 record) found in the BAI2 file');
  if (checking && !sawFileTrailer) throw malformed('end of file', 'the file ends without its file trailer (99 record): it is cut short; download it again');
  checkEntryCount(statements.reduce((n, s) => n + s.entries.length, 0));
  return statements;
}

/** Type code, amount, item count, funds type (+ its extra fields), repeated. Returns amounts by type code. */
function readSummaries(f: string[], where: string, line: number): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let i = 0;
  while (i < f.length) {
    const code = f[i]?.trim() ?? '';
    if (code === '') {
      i += 1;
      continue;
    }
    const amountText = f[i + 1]?.trim() ?? '';
    if (amountText !== '') out.set(code, amount(amountText, `${where}, summary ${code}`, line));
    i += 4 + fundsExtra(f, i + 3);
  }
  return out;
}

/** How many fields follow a funds type code: S has 3 amounts, V a date and time, D a count and that many pairs. */
function fundsExtra(f: string[], at: number): number {
  const type = f[at]?.trim().toUpperCase() ?? '';
  if (type === 'S') return 3;
  if (type === 'V') return 2;
  if (type === 'D') return 1 + 2 * Number(f[at + 1]?.trim() || '0');
  return 0;
}

function amount(text: string, where: string, line: number): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw malformed(where, `"${text}" is not a BAI2 amount (digits with an optional sign, no decimal point)`, line);
  const value = BigInt(text);
  checkMagnitude(value, text, where, line);
  return value;
}

/** Detail type codes 100–399 are credits, 400–699 debits; custom 900–949 credits, 950–999 debits. */
export function isCreditTypeCode(code: number): boolean {
  return (code >= 100 && code < 400) || (code >= 900 && code < 950);
}

function detail(r: Record_, currency: string, groupDate: LocalDate | null, where: string): BankEntry {
  const f = r.text.split(',');
  const typeText = f[0]?.trim() ?? '';
  if (!/^\d{3}$/.test(typeText)) throw malformed(where, `"${typeText}" is not a three-digit type code`, r.line);
  const magnitude = amount((f[1] ?? '').trim() || '0', `${where}, amount`, r.line);
  const type = Number(typeText);
  const credit = isCreditTypeCode(type);
  const e = emptyEntry(where, credit ? magnitude : -magnitude, currency);
  e.transactionCode = typeText;
  e.bookingDate = groupDate;
  let i = 2;
  const funds = f[i]?.trim().toUpperCase() ?? '';
  if (funds === 'V' && f[i + 1]?.trim()) e.valueDate = yymmdd(f[i + 1]!.trim(), `${where}, value date`, r.line);
  i += 1 + fundsExtra(f, i);
  e.valueDate ??= groupDate;
  e.bankReference = clean(stripSlash(f[i] ?? ''));
  e.customerReference = clean(stripSlash(f[i + 1] ?? ''));
  const text = stripSlash(f.slice(i + 2).join(','));
  const parts = [clean(text), ...r.continuations.map((c) => clean(stripSlash(c)))].filter((p): p is string => p !== null);
  applyTags(e, parts, credit);
  e.remittanceText = clean(parts.join(' '));
  return e;
}

/** Bank tags in 88 records: Goldman Sachs EREF:/DBNM:/CRNM:/DACT:/REMI:, Citi TRID:/PY:/BO1:. */
function applyTags(e: BankEntry, parts: string[], credit: boolean): void {
  const tags = new Map<string, string>();
  for (const p of parts) {
    if (!/^[A-Z][A-Z0-9]{1,3}:/.test(p)) continue;
    // One part may hold several tags: "BO:11111111 BO1:DOE JO".
    const hits = [...p.matchAll(/(?:^|\s)([A-Z][A-Z0-9]{1,3}):/g)];
    hits.forEach((hit, i) => {
      const from = hit.index! + hit[0].length;
      const to = i + 1 < hits.length ? hits[i + 1]!.index! : p.length;
      if (!tags.has(hit[1]!)) tags.set(hit[1]!, p.slice(from, to).trim());
    });
  }
  const get = (k: string) => clean(tags.get(k));
  e.endToEndId = get('EREF') ?? get('TRID');
  e.counterpartyName = credit ? get('DBNM') ?? get('BO1') ?? get('ORIG') : get('CRNM') ?? get('BNF');
  e.counterpartyAccount = credit ? get('DACT') ?? get('BO') : get('CACT');
}
