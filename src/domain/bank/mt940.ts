/**
 * SWIFT MT940 customer statements, in the dialects banks actually send: with or without SWIFT blocks
 * ({1:}{2:}{3:}{4: … -}), with bank pseudo-headers (ABNANL2A/940, ":940:", "0000 01INGBNL2A…"), CRLF or LF,
 * several statements per file, :28: or :28C:, final (F) or intermediate (M) balances, zero-padded amounts with a
 * comma or (legacy Rabobank) a dot, :61: lines without entry date or with blanks in its place, funds codes after the
 * mark ("DD", "CR"), and :86: purpose text as German ?-subfields (?00 posting text, ?20–?29 and ?60–?63 purpose with
 * SEPA tags EREF+/SVWZ+, ?30–?33 counterparty), Dutch slash codes (/EREF/, /NAME/, /IBAN/, /REMI/, /CNTP/) or free
 * text. Bytes are decoded as UTF-8 when valid, otherwise as Windows-1252.
 */
import type { LocalDate } from '../dates.ts';
import {
  bankCurrency, checkEntryCount, checkedDate, clean, decimalToMinor, emptyEntry, malformed, yymmdd,
  type BankBalance, type BankEntry, type BankStatement,
} from './statement.ts';

const TAG = /^:(\d{2}[A-Z]?|NS):(.*)$/;

/** True when the text has the :20: and :61:/:60F: tags of an MT940 statement. */
export function looksLikeMt940(text: string): boolean {
  const head = text.slice(0, 65536);
  return /(^|\n|\{4:\r?\n?):20:/.test(head) && /(^|\n):(60[FM]|25):/.test(head);
}

interface Field {
  tag: string;
  lines: string[];
  line: number;
}

/** Splits the text into tagged fields; lines without a tag continue the field before them. */
function fields(text: string): Field[] {
  const out: Field[] = [];
  let current: Field | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
    const lineNumber = i + 1;
    // SWIFT envelope: "{1:…}{2:…}{3:…}{4:" opens a message (possibly with the first tag on the same line), "-}" closes.
    const envelope = /^(\{\d:[^]*?)\{4:(.*)$/.exec(raw);
    if (envelope) {
      raw = envelope[2]!;
      current = null;
      if (raw.trim() === '') continue;
    }
    if (/^-(\}.*)?\s*$/.test(raw)) {
      // "-" ends a message, except inside a :86: that goes on (ING wraps its purpose text at any character).
      const next = lines[i + 1]?.trim() ?? '';
      if (current?.tag === '86' && raw.trim() === '-' && next !== '' && !/^[:{]/.test(next)) {
        current.lines.push(raw);
        continue;
      }
      current = null;
      continue;
    }
    const m = TAG.exec(raw);
    if (m) {
      current = { tag: m[1]!, lines: [m[2]!], line: lineNumber };
      out.push(current);
    } else if (/^:\d{3}:/.test(raw) || /^\{/.test(raw)) {
      current = null; // ":940:" pseudo-header or a trailer block
    } else if (current) {
      current.lines.push(raw);
    }
  }
  return out;
}

/** Parses an MT940 file (as text) into its statements. */
export function parseMt940(text: string): BankStatement[] {
  const statements: BankStatement[] = [];
  let statement: BankStatement | null = null;
  let lastEntry: BankEntry | null = null;
  let purposeLines: string[] | null = null;
  let reference = '';
  const finishEntry = () => {
    if (lastEntry && purposeLines) applyPurpose(lastEntry, purposeLines);
    purposeLines = null;
  };
  const start = (line: number): BankStatement => {
    finishEntry();
    lastEntry = null;
    const s: BankStatement = {
      format: 'mt940', formatVersion: 'mt940', accountId: '', currency: '', statementId: reference,
      sequence: null, opening: null, closing: null, entries: [],
    };
    s.statementId = reference || `line ${line}`;
    statements.push(s);
    return s;
  };
  for (const field of fields(text)) {
    const where = `line ${field.line}, :${field.tag}:`;
    const value = field.lines.join('\n');
    switch (field.tag) {
      case '20':
        reference = value.trim();
        statement = start(field.line);
        break;
      case '25': {
        if (!statement || statement.closing) statement = start(field.line);
        statement.accountId = value.replace(/\s+/g, ' ').trim();
        break;
      }
      case '28':
      case '28C': {
        if (!statement) statement = start(field.line);
        const [number, page] = value.replace(/\s+/g, '').split('/');
        statement.sequence = page ? `${number}/${page}` : number || null;
        if (reference && number) statement.statementId = `${reference}/${number}`;
        break;
      }
      case '60F':
      case '60M': {
        if (!statement || statement.closing) statement = start(field.line);
        statement.opening = balance(value, where, field.line);
        statement.currency = statement.opening.currency;
        break;
      }
      case '61': {
        if (!statement) throw malformed(where, 'an entry before any :20: or :60F: statement header', field.line);
        finishEntry();
        if (!statement.currency) throw malformed(where, 'an entry before the opening balance :60F: (which gives the currency)', field.line);
        lastEntry = entry(field, statement.currency, where);
        statement.entries.push(lastEntry);
        purposeLines = null;
        break;
      }
      case '86':
      case 'NS': {
        // :86: after :61: describes that entry (several :86: are one text); after :62F: it describes the statement.
        if (lastEntry && statement && statement.entries[statement.entries.length - 1] === lastEntry && !statement.closing) {
          purposeLines = [...(purposeLines ?? []), ...field.lines];
        }
        break;
      }
      case '62F':
      case '62M': {
        if (!statement) throw malformed(where, 'a closing balance before any statement header', field.line);
        finishEntry();
        lastEntry = null;
        statement.closing = balance(value, where, field.line);
        break;
      }
      default:
        break; // :21:, :13D:, :64:, :65: and bank-specific tags carry nothing the import keeps
    }
  }
  finishEntry();
  if (statements.length === 0) throw malformed('line 1', 'no MT940 statement (:20: … :62F:) found');
  for (const s of statements) {
    // Rabobank writes the currency after the account number ("1017.490.554EUR", "0800… EUR").
    if (s.currency && s.accountId.length > 3 && s.accountId.endsWith(s.currency)) s.accountId = s.accountId.slice(0, -3).trim();
    if (!s.accountId) throw malformed(`statement ${s.statementId}`, 'has no account (:25:)');
    if (!s.currency) throw malformed(`statement ${s.statementId}`, 'has no opening balance (:60F:) to give its currency');
  }
  checkEntryCount(statements.reduce((n, s) => n + s.entries.length, 0));
  return statements;
}

/** "C090623EUR17369,99" → credit 17369.99 EUR on 2009-06-23. */
function balance(value: string, where: string, line: number): BankBalance {
  const m = /^\s*([CD])(\d{6})([A-Z]{3})([\d.,]+)\s*$/.exec(value.replace(/\n/g, ''));
  if (!m) throw malformed(where, `"${value.trim()}" is not a balance like C090623EUR17369,99`, line);
  const currency = bankCurrency(m[3]!, where, line);
  const amount = decimalToMinor(m[4]!, currency, where, line);
  return { amountMinor: m[1] === 'D' ? -amount : amount, currency, date: yymmdd(m[2]!, where, line) };
}

/**
 * :61: value date YYMMDD, optional entry date MMDD (or four blanks), mark C/D/RC/RD (EC/ED), optional funds code,
 * amount, transaction type (N/S/F + 3), customer reference up to "//", bank reference, then supplementary details.
 */
const LINE_61 = /^(\d{6})(\d{4}| {4})?\s*(RC|RD|EC|ED|C|D)([A-Z])?(\d+(?:[.,]\d*)?)(?![\d.,])(?: ?(?!NONREF)([NSF][A-Z0-9 ]{3}))?(.*)$/;
const IBAN_LIKE = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/;

function entry(field: Field, currency: string, where: string): BankEntry {
  const first = field.lines[0] ?? '';
  const m = LINE_61.exec(first);
  if (!m) throw malformed(where, `"${first.trim()}" is not an entry line (value date, mark C/D, amount, type, reference)`, field.line);
  const [, valueText, entryText, mark, , amountText, type, rest = ''] = m;
  const magnitude = decimalToMinor(amountText!, currency, where, field.line);
  const debit = mark === 'D' || mark === 'RC' || mark === 'ED';
  const e = emptyEntry(where, debit ? -magnitude : magnitude, currency);
  e.reversal = mark === 'RC' || mark === 'RD';
  e.valueDate = yymmdd(valueText!, where, field.line);
  e.bookingDate = entryText && /^\d{4}$/.test(entryText) ? bookingDate(e.valueDate, entryText, where, field.line) : e.valueDate;
  e.transactionCode = type ? type.trim() : null;
  // Customer reference (16), "//" bank reference (16); Rabobank legacy puts the counterparty name after 6+ blanks.
  const [customerPart, bankPart] = splitOnce(rest, '//');
  const legacyName = /^(\S+)\s{4,}(.+)$/.exec(customerPart);
  const customer = clean(legacyName ? legacyName[1] : customerPart);
  if (legacyName) e.counterpartyName = clean(legacyName[2]);
  e.customerReference = customer && customer !== 'NONREF' ? customer : null;
  // ASN puts the counterparty's IBAN as the reference and its name on the next line.
  const ibanReference = customer !== null && IBAN_LIKE.test(customer);
  if (ibanReference) e.counterpartyAccount = customer;
  e.bankReference = clean(bankPart?.replace(/\/(OCMT|CHGS)\/.*$/, ''));
  const supplementary = clean(field.lines.slice(1).join(' '));
  if (supplementary) {
    // Some banks (ASN) put the counterparty account there.
    const iban = /^([A-Z]{2}\d{2}[A-Z0-9]{10,30})\b/.exec(supplementary);
    if (iban) e.counterpartyAccount = iban[1]!;
    if (ibanReference && !iban) e.counterpartyName = supplementary;
    else e.remittanceText = supplementary;
  }
  return e;
}

/** Booking date MMDD in the year that puts it nearest the value date (a December entry may book in January). */
function bookingDate(valueDate: LocalDate, mmdd: string, where: string, line: number): LocalDate {
  const year = Number(valueDate.slice(0, 4));
  const month = Number(mmdd.slice(0, 2));
  const day = Number(mmdd.slice(2, 4));
  const valueMonth = Number(valueDate.slice(5, 7));
  let y = year;
  if (valueMonth === 12 && month === 1) y = year + 1;
  else if (valueMonth === 1 && month === 12) y = year - 1;
  if (month === 2 && day === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return valueDate;
  return checkedDate(y, month, day, mmdd, where, line);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + separator.length)];
}

const SEPA_TAGS = ['EREF', 'KREF', 'MREF', 'CRED', 'DEBT', 'SVWZ', 'ABWA', 'ABWE', 'COAM', 'OAMT', 'PURP', 'IBAN', 'BIC'];
const SLASH_CODES = [
  'TRTP', 'IBAN', 'BIC', 'NAME', 'REMI', 'EREF', 'MARF', 'CSID', 'PREF', 'ORDP', 'BENM', 'CNTP', 'ADDR', 'RTRN',
  'OCMT', 'CHGS', 'ID', 'ISDT', 'SVCL', 'ULTC', 'ULTD', 'PURP', 'EXCH', 'BUSP', 'PT', 'FT', 'PY',
];

/** Reads the :86: purpose into the entry's remittance, references and counterparty. */
export function applyPurpose(e: BankEntry, lines: string[]): void {
  const joined = lines.join('');
  const subfield = /^(\d{3})?\s*([?>])\d{2}/.exec(joined);
  if (subfield) return applySubfields(e, joined, subfield[1] ?? null, subfield[2]!);
  const colonCoded = /^999([A-Z_]+):(.*)$/.exec(lines.join(' ').trim());
  if (colonCoded) return applyColonFields(e, colonCoded[1]!, colonCoded[2]!);
  if (e.counterpartyAccount && lines[0]?.startsWith(e.counterpartyAccount)) {
    // ASN: "IBAN name" on the first line, the purpose below.
    e.remittanceText = clean(lines.slice(1).join(' ')) ?? e.remittanceText;
    return;
  }
  if (/^\s*\/[A-Z]{2,4}\//.test(joined) && new RegExp(`/(${SLASH_CODES.join('|')})/`).test(joined)) return applySlashCodes(e, lines);
  const text = clean(lines.join(' '));
  e.remittanceText = clean([e.remittanceText, text].filter(Boolean).join(' '));
  applySepaTags(e, text ?? '');
}

/** German structured :86: ("166?00GUTSCHRIFT?20EREF+…?21SVWZ+…?30BIC?31IBAN?32NAME"). */
function applySubfields(e: BankEntry, joined: string, gvc: string | null, separator: string): void {
  const parts = new Map<string, string>();
  const re = separator === '?' ? /\?(\d{2})([^?]*)/g : />(\d{2})([^>]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(joined)) !== null) parts.set(m[1]!, (parts.get(m[1]!) ?? '') + m[2]!);
  const purposeKeys = [...Array(10).keys()].map((i) => `2${i}`).concat(['60', '61', '62', '63']);
  const purposeParts = purposeKeys.map((k) => parts.get(k)).filter((p): p is string => p !== undefined);
  const hasTags = purposeParts.some((p) => new RegExp(`^(${SEPA_TAGS.join('|')})\\+`).test(p));
  const purpose = hasTags ? purposeParts.join('') : purposeParts.join(' ');
  if (gvc) e.transactionCode = clean([e.transactionCode, gvc].filter(Boolean).join('+'));
  const name = clean([parts.get('32'), parts.get('33')].filter(Boolean).join(''));
  if (name) e.counterpartyName = name;
  const account = clean(parts.get('31'));
  if (account && !/^0+$/.test(account)) e.counterpartyAccount = account.replace(/\s+/g, '');
  const postingText = clean(parts.get('00'));
  e.remittanceText = clean(purpose) ?? postingText ?? e.remittanceText;
  if (hasTags) applySepaTags(e, purpose);
}

/** Penta: "999SEPA_CREDIT_TRANSFER:purpose:name:IBAN[:more purpose]". */
function applyColonFields(e: BankEntry, kind: string, rest: string): void {
  const parts = rest.split(':');
  const ibanAt = parts.findIndex((p) => IBAN_LIKE.test(p.trim()));
  e.transactionCode = clean([e.transactionCode, kind].filter(Boolean).join('+'));
  if (ibanAt >= 1) {
    e.counterpartyAccount = parts[ibanAt]!.trim();
    e.counterpartyName = clean(parts[ibanAt - 1]);
    e.remittanceText = clean([...parts.slice(0, ibanAt - 1), ...parts.slice(ibanAt + 1)].join(' '));
  } else {
    e.remittanceText = clean(parts.join(' '));
  }
}

/** SEPA tags inside a purpose text: EREF+ end-to-end id, SVWZ+ remittance text, IBAN+ counterparty. */
function applySepaTags(e: BankEntry, purpose: string): void {
  const re = new RegExp(`(${SEPA_TAGS.join('|')})\\+`, 'g');
  const hits = [...purpose.matchAll(re)];
  if (hits.length === 0) return;
  const values = new Map<string, string>();
  hits.forEach((hit, i) => {
    const from = hit.index! + hit[0].length;
    const to = i + 1 < hits.length ? hits[i + 1]!.index! : purpose.length;
    values.set(hit[1]!, purpose.slice(from, to).trim());
  });
  const eref = clean(values.get('EREF'));
  if (eref && eref !== 'NOTPROVIDED') e.endToEndId = eref;
  const svwz = clean(values.get('SVWZ'));
  if (svwz) e.remittanceText = svwz;
  const iban = clean(values.get('IBAN'));
  if (iban && !e.counterpartyAccount) e.counterpartyAccount = iban.replace(/\s+/g, '');
  const name = clean(values.get('ABWA'));
  if (name && !e.counterpartyName) e.counterpartyName = name;
}

/** Dutch structured :86: ("/EREF/…/IBAN/…/NAME/…/REMI/…", ING "/CNTP/iban/bic/name/city/", KBS "/BENM/acct" lines). */
function applySlashCodes(e: BankEntry, lines: string[]): void {
  const joined = lines.join('');
  const re = new RegExp(`/(${SLASH_CODES.join('|')})/`, 'g');
  const hits = [...joined.matchAll(re)];
  const values = new Map<string, string>();
  hits.forEach((hit, i) => {
    const from = hit.index! + hit[0].length;
    const to = i + 1 < hits.length ? hits[i + 1]!.index! : joined.length;
    if (!values.has(hit[1]!)) values.set(hit[1]!, joined.slice(from, to));
  });
  const get = (code: string) => clean(values.get(code)?.replace(/\/+$/, ''));
  const cntp = values.get('CNTP');
  if (cntp !== undefined) {
    const [account, , name] = cntp.split('/');
    if (clean(account)) e.counterpartyAccount = clean(account);
    if (clean(name)) e.counterpartyName = clean(name);
  }
  const party = values.get('BENM') ?? values.get('ORDP');
  if (party !== undefined && !values.has('NAME') && lines.length > 1) {
    // KBS style: the code line holds the account, the next line the name, the last line the purpose.
    const account = clean(lines[0]!.replace(/^\/(BENM|ORDP)\//, ''));
    if (account) e.counterpartyAccount = account;
    e.counterpartyName = clean(lines[1]!.replace(/^\//, ''));
    e.remittanceText = clean(lines[lines.length - 1]!.replace(/^\//, ''));
    return;
  }
  if (get('NAME')) e.counterpartyName = get('NAME');
  if (get('IBAN')) e.counterpartyAccount = get('IBAN')!.replace(/\s+/g, '');
  const eref = get('EREF');
  if (eref && eref !== 'NOTPROVIDED') e.endToEndId = eref;
  const remi = values.get('REMI');
  if (remi !== undefined) {
    // ING: "/REMI/USTD//free text/" or "/REMI/STRD/CUR/creditor reference/".
    const strd = /^STRD\/CUR\/([^/]+)/.exec(remi);
    if (strd) e.creditorReference = clean(strd[1]);
    else e.remittanceText = clean(remi.replace(/^USTD\/\//, '').replace(/\/+$/, ''));
  } else e.remittanceText = clean(lines.join(' '));
}
