/**
 * ISO 20022 bank-to-customer cash management: camt.053 statements (BkToCstmrStmt/Stmt), camt.052 intraday reports
 * (BkToCstmrAcctRpt/Rpt) and camt.054 debit/credit notifications (BkToCstmrDbtCdtNtfctn/Ntfctn), versions 001.02 to
 * 001.08. The versions differ in where a party's name sits (Dbtr/Nm up to .05, Dbtr/Pty/Nm from .06) and in the
 * entry status (Sts text, or Sts/Cd from .07); both are read.
 */
import type { LocalDate } from '../dates.ts';
import {
  bankCurrency, checkEntryCount, checkedDate, clean, decimalToMinor, emptyEntry, malformed,
  type BankBalance, type BankEntry, type BankEntryDetail, type BankFormat, type BankStatement,
} from './statement.ts';
import { at, child, childrenNamed, parseXml, textAt, type XmlElement } from './xml.ts';

const MESSAGES: Record<string, { format: BankFormat; item: string }> = {
  BkToCstmrStmt: { format: 'camt.053', item: 'Stmt' },
  BkToCstmrAcctRpt: { format: 'camt.052', item: 'Rpt' },
  BkToCstmrDbtCdtNtfctn: { format: 'camt.054', item: 'Ntfctn' },
};

/** Opening balance codes in order of preference: booked opening, previously closed booked. */
const OPENING_CODES = ['OPBD', 'PRCD'];

/** True when the text looks like a camt message (an XML document naming a camt namespace or message). */
export function looksLikeCamt(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^\s*</.test(head) && (/camt\.05[234]\.001/.test(head) || /<(\w+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)\b/.test(head));
}

/** Parses a camt.052/053/054 document into its statements (one per Stmt, Rpt or Ntfctn). */
export function parseCamt(text: string): BankStatement[] {
  const root = parseXml(text);
  if (root.name !== 'Document') throw malformed(`line ${root.line}, <${root.name}>`, 'the root element of a camt message must be <Document>', root.line);
  const message = root.children[0];
  const kind = message ? MESSAGES[message.name] : undefined;
  if (!message || !kind) {
    throw malformed('<Document>', `expected BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn, found ${message ? `<${message.name}>` : 'nothing'}`, root.line);
  }
  // The namespace names the version; it may be the default one or a prefixed one (<ns2:Document xmlns:ns2="…">).
  const namespace = Object.values(root.attributes).find((v) => /camt\.05[234]\.001/.test(v)) ?? '';
  const version = /camt\.05[234]\.001\.\d{2}/.exec(namespace)?.[0] ?? `${kind.format} (version not named)`;
  const items = childrenNamed(message, kind.item);
  if (items.length === 0) throw malformed(`<${message.name}>`, `has no <${kind.item}>`, message.line);
  const statements = items.map((item, i) => parseItem(item, `${kind.item}[${i + 1}]`, kind.format, version));
  checkEntryCount(statements.reduce((n, s) => n + s.entries.length, 0));
  return statements;
}

function parseItem(item: XmlElement, where: string, format: BankFormat, version: string): BankStatement {
  const acct = child(item, 'Acct');
  if (!acct) throw malformed(`${where} (line ${item.line})`, 'has no <Acct>', item.line);
  const accountId = textAt(acct, 'Id/IBAN') ?? textAt(acct, 'Id/Othr/Id');
  if (!accountId) throw malformed(`${where}/Acct (line ${acct.line})`, 'has neither Id/IBAN nor Id/Othr/Id', acct.line);
  const accountCurrencyText = textAt(acct, 'Ccy');
  const balances = childrenNamed(item, 'Bal').map((b, i) => ({ code: balanceCode(b), balance: readBalance(b, `${where}/Bal[${i + 1}]`, accountCurrencyText) }));
  const firstAmount = item.children.find((c) => c.name === 'Ntry' || c.name === 'Bal');
  const currency = accountCurrencyText
    ? bankCurrency(accountCurrencyText, `${where}/Acct/Ccy`)
    : balances[0]?.balance.currency ?? (firstAmount ? bankCurrency(child(firstAmount, 'Amt')?.attributes.Ccy ?? '', `${where}/Ntry/Amt@Ccy`) : null);
  if (!currency) throw malformed(`${where}/Acct (line ${acct.line})`, 'gives no currency (Acct/Ccy) and no amount to take it from', acct.line);
  const pick = (codes: string[]): BankBalance | null => {
    for (const code of codes) {
      const found = balances.find((b) => b.code === code);
      if (found) return found.balance;
    }
    return null;
  };
  const entries = childrenNamed(item, 'Ntry').map((n, i) => parseEntry(n, `${where}/Ntry[${i + 1}]`, currency));
  const id = textAt(item, 'Id');
  return {
    format,
    formatVersion: version,
    accountId: accountId.replace(/\s+/g, ''),
    currency,
    statementId: id ?? `${accountId}-${textAt(item, 'CreDtTm') ?? ''}`,
    sequence: textAt(item, 'ElctrncSeqNb') ?? textAt(item, 'LglSeqNb') ?? textAt(item, 'StmtPgntn/PgNb'),
    opening: pick(OPENING_CODES) ?? interimOpening(balances),
    closing: closingOf(balances),
    entries,
  };
}

/** An intraday report may open with an interim booked balance: the first of two. */
function interimOpening(balances: { code: string | null; balance: BankBalance }[]): BankBalance | null {
  const interim = balances.filter((b) => b.code === 'ITBD');
  return interim.length >= 2 ? interim[0]!.balance : null;
}

/** The closing booked balance; an interim booked balance only when there is no CLBD and it is not the opening one. */
function closingOf(balances: { code: string | null; balance: BankBalance }[]): BankBalance | null {
  const clbd = balances.find((b) => b.code === 'CLBD');
  if (clbd) return clbd.balance;
  const interim = balances.filter((b) => b.code === 'ITBD');
  const hasOpening = balances.some((b) => b.code === 'OPBD' || b.code === 'PRCD');
  if (interim.length >= 2) return interim[interim.length - 1]!.balance;
  if (interim.length === 1 && hasOpening) return interim[0]!.balance;
  return null;
}

function balanceCode(bal: XmlElement): string | null {
  return textAt(bal, 'Tp/CdOrPrtry/Cd') ?? textAt(bal, 'Tp/CdOrPrtry/Prtry');
}

function readBalance(bal: XmlElement, where: string, accountCurrency: string | null): BankBalance {
  const amt = child(bal, 'Amt');
  if (!amt) throw malformed(`${where} (line ${bal.line})`, 'has no <Amt>', bal.line);
  const currency = bankCurrency(amt.attributes.Ccy ?? accountCurrency ?? '', `${where}/Amt@Ccy (line ${amt.line})`, amt.line);
  let amountMinor = decimalToMinor(amt.text, currency, `${where}/Amt (line ${amt.line})`, amt.line, '.');
  const indicator = textAt(bal, 'CdtDbtInd');
  if (indicator === 'DBIT') amountMinor = -amountMinor;
  else if (indicator !== 'CRDT' && indicator !== null) throw malformed(`${where}/CdtDbtInd`, `"${indicator}" is neither CRDT nor DBIT`, bal.line);
  return { amountMinor, currency, date: readDate(child(bal, 'Dt'), `${where}/Dt`) };
}

/** A date from <X><Dt>…</Dt></X> or <X><DtTm>…</DtTm></X> (the calendar day as written, without time-zone shifting). */
function readDate(holder: XmlElement | null, where: string): LocalDate | null {
  if (!holder) return null;
  const text = textAt(holder, 'Dt') ?? textAt(holder, 'DtTm');
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) throw malformed(`${where} (line ${holder.line})`, `"${text}" is not a date YYYY-MM-DD`, holder.line);
  return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]), text, where, holder.line);
}

function parseEntry(ntry: XmlElement, where: string, statementCurrency: string): BankEntry {
  const amt = child(ntry, 'Amt');
  if (!amt) throw malformed(`${where} (line ${ntry.line})`, 'has no <Amt>', ntry.line);
  const currency = bankCurrency(amt.attributes.Ccy ?? statementCurrency, `${where}/Amt@Ccy (line ${amt.line})`, amt.line);
  const magnitude = decimalToMinor(amt.text, currency, `${where}/Amt (line ${amt.line})`, amt.line, '.');
  const indicator = textAt(ntry, 'CdtDbtInd');
  if (indicator !== 'CRDT' && indicator !== 'DBIT') {
    throw malformed(`${where}/CdtDbtInd (line ${ntry.line})`, `"${indicator ?? ''}" must be CRDT or DBIT`, ntry.line);
  }
  const credit = indicator === 'CRDT';
  const entry = emptyEntry(`${where} (line ${ntry.line})`, credit ? magnitude : -magnitude, currency);
  entry.bookingDate = readDate(child(ntry, 'BookgDt'), `${where}/BookgDt`);
  entry.valueDate = readDate(child(ntry, 'ValDt'), `${where}/ValDt`);
  entry.reversal = textAt(ntry, 'RvslInd') === 'true';
  const status = textAt(ntry, 'Sts') ?? textAt(ntry, 'Sts/Cd') ?? textAt(ntry, 'Sts/Prtry');
  entry.booked = status === null || status === 'BOOK';
  entry.bankReference = textAt(ntry, 'AcctSvcrRef') ?? textAt(ntry, 'NtryRef');
  entry.transactionCode = transactionCode(child(ntry, 'BkTxCd'));

  const txs = childrenNamed(ntry, 'NtryDtls').flatMap((d) => childrenNamed(d, 'TxDtls'));
  const details = txs.map((tx, i) => readDetail(tx, credit, `${where}/NtryDtls/TxDtls[${i + 1}]`));
  const additional = clean(textAt(ntry, 'AddtlNtryInf'));
  if (details.length === 1) {
    const d = details[0]!;
    entry.endToEndId = d.endToEndId;
    entry.remittanceText = d.remittanceText ?? additional;
    entry.creditorReference = d.creditorReference;
    entry.counterpartyName = d.counterpartyName;
    entry.counterpartyAccount = d.counterpartyAccount;
    entry.bankReference ??= textAt(txs[0], 'Refs/AcctSvcrRef');
    entry.transactionCode ??= transactionCode(child(txs[0], 'BkTxCd'));
  } else {
    entry.remittanceText = additional ?? clean(details.map((d) => d.remittanceText).filter(Boolean).join(' | '));
    entry.details = details;
  }
  return entry;
}

function readDetail(tx: XmlElement, credit: boolean, where: string): BankEntryDetail {
  const amt = at(tx, 'AmtDtls/TxAmt/Amt') ?? child(tx, 'Amt');
  let amountMinor: bigint | null = null;
  if (amt) {
    const currency = bankCurrency(amt.attributes.Ccy ?? '', `${where}/Amt@Ccy (line ${amt.line})`, amt.line);
    amountMinor = decimalToMinor(amt.text, currency, `${where}/Amt (line ${amt.line})`, amt.line, '.');
    const indicator = textAt(tx, 'CdtDbtInd');
    if (indicator === 'DBIT' || (indicator === null && !credit)) amountMinor = -amountMinor;
  }
  // The other party: who paid us on a credit, whom we paid on a debit.
  const side = credit ? 'Dbtr' : 'Cdtr';
  const parties = child(tx, 'RltdPties');
  const party = child(parties, side);
  const name = textAt(party, 'Pty/Nm') ?? textAt(party, 'Nm') ?? textAt(parties, `Ultmt${side}/Pty/Nm`) ?? textAt(parties, `Ultmt${side}/Nm`);
  const acct = child(parties, `${side}Acct`);
  const account = textAt(acct, 'Id/IBAN') ?? textAt(acct, 'Id/Othr/Id');
  const remittance = child(tx, 'RmtInf');
  const unstructured = childrenNamed(remittance, 'Ustrd').map((u) => u.text.trim()).join(' ');
  const structured = childrenNamed(remittance, 'Strd');
  const creditorReference = structured.map((s) => textAt(s, 'CdtrRefInf/Ref')).find((r) => r !== null) ?? null;
  const endToEnd = textAt(tx, 'Refs/EndToEndId');
  return {
    amountMinor,
    endToEndId: endToEnd && endToEnd !== 'NOTPROVIDED' ? endToEnd : null,
    remittanceText: clean(unstructured) ?? clean(structured.map((s) => childrenNamed(s, 'AddtlRmtInf').map((a) => a.text).join(' ')).join(' ')) ?? clean(textAt(tx, 'AddtlTxInf')),
    creditorReference,
    counterpartyName: clean(name),
    counterpartyAccount: account ? account.replace(/\s+/g, '') : null,
  };
}

/** "PMNT-RCDT-ESCT" from the ISO domain, or the proprietary code ("NTRF+152"). */
function transactionCode(bkTxCd: XmlElement | null): string | null {
  if (!bkTxCd) return null;
  const domain = textAt(bkTxCd, 'Domn/Cd');
  if (domain) return [domain, textAt(bkTxCd, 'Domn/Fmly/Cd'), textAt(bkTxCd, 'Domn/Fmly/SubFmlyCd')].filter(Boolean).join('-');
  return textAt(bkTxCd, 'Prtry/Cd');
}
