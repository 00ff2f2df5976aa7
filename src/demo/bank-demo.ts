/**
 * The demo company's bank statements (issue 7, import): finance@ imported yesterday's camt.053 statement from the
 * main bank (customers paying open invoices, one paying two at once, a payment without a reference, a bank fee) after
 * the same morning's camt.052 intraday report, and a GBK CSV export from a second bank with its saved mapping
 * profile. The files are built from the demo's own customers and open invoices, and each statement was matched
 * (docs/cash-matching.md): three lines applied automatically (one invoice by its number; two invoices of one
 * customer in one payment; a payer's short name, one customer's, with the exact amount of one of its invoices and no
 * reference: the sure rule PAYER_AMOUNT), one unmatched (an amount nothing fits), and the CSV's half payment applied
 * as a partial payment. A customer's remittance advice (付款通知: one invoice in full, half of another) came before
 * its payment, which the CSV brings under a name the bank wrote in pinyin and with no reference: applied to exactly
 * the advice's invoices and amounts (the sure rule REMITTANCE). The CSV's last payment quotes its invoice and is 3%
 * short: the customer deducted it for a quality claim, within the company's 5% deduction tolerance, so the invoice is
 * paid but for the 3%, which is raised as a dispute (docs/cash-matching.md, Deductions).
 */
import iconv from 'iconv-lite';
import type { Sql } from '../db/database.ts';
import { addDays, type LocalDate } from '../domain/dates.ts';
import { formatAmount } from '../domain/money.ts';
import type { Context } from '../modules/context.ts';
import { importBankBytes, saveProfile } from '../modules/bank/index.ts';
import { matchImported, saveMatchSettings } from '../modules/bank/matching.ts';
import { importRemittanceBytes } from '../modules/bank/remittances.ts';

interface OpenInvoice {
  number: string;
  customerId: string;
  customerName: string;
  openMinor: bigint;
}

/** A payer's short name as a bank may print it: 上海华东贸易有限公司 → 华东贸易 (no city, no legal form). */
function shortName(name: string): string {
  const core = name.replace(/(股份)?有限(责任)?公司$|集团$/u, '');
  return /^\p{Script=Han}+$/u.test(core) && core.length >= 5 ? core.slice(2) : name;
}

const MAIN_ACCOUNT = 'CN-CMB-755912345610001';

function camtEntry(amountMinor: bigint, ref: string, day: LocalDate, party: string | null, text: string, rf?: string): string {
  const credit = amountMinor >= 0n;
  const side = credit ? 'Dbtr' : 'Cdtr';
  return `<Ntry><Amt Ccy="CNY">${formatAmount(credit ? amountMinor : -amountMinor, 'CNY')}</Amt><CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>${day}</Dt></BookgDt><ValDt><Dt>${day}</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${credit ? 'RCDT' : 'ICDT'}</Cd><SubFmlyCd>${credit ? 'DMCT' : 'CHRG'}</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>${ref}-E2E</EndToEndId></Refs>${party ? `<RltdPties><${side}><Pty><Nm>${party}</Nm></Pty></${side}></RltdPties>` : ''}
<RmtInf><Ustrd>${text}</Ustrd>${rf ? `<Strd><CdtrRefInf><Ref>${rf}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf></TxDtls></NtryDtls></Ntry>`;
}

function camt(kind: '053' | '052', id: string, day: LocalDate, openingMinor: bigint, closingMinor: bigint, entries: string[]): string {
  const [root, item, open, close] = kind === '053' ? ['BkToCstmrStmt', 'Stmt', 'OPBD', 'CLBD'] : ['BkToCstmrAcctRpt', 'Rpt', 'ITBD', 'ITBD'];
  const bal = (code: string, minor: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${formatAmount(minor, 'CNY')}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.${kind}.001.08"><${root}><GrpHdr><MsgId>${id}</MsgId><CreDtTm>${day}T${kind === '053' ? '23:30' : '12:00'}:00+08:00</CreDtTm></GrpHdr>
<${item}><Id>${id}</Id><ElctrncSeqNb>${day.replaceAll('-', '')}</ElctrncSeqNb><Acct><Id><Othr><Id>${MAIN_ACCOUNT}</Id></Othr></Id><Ccy>CNY</Ccy><Nm>演示贸易有限公司</Nm></Acct>
${bal(open, openingMinor)}${bal(close, closingMinor)}
${entries.join('\n')}
</${item}></${root}></Document>`;
}

/** Imports the demo's bank files as finance@ (`finance`), the statement of the day before `asOf`. */
export async function seedBankDemo(finance: Context, asOf: LocalDate): Promise<void> {
  const open = await finance.db.tenant(finance.tenant.id, (sql: Sql) => sql.query<OpenInvoice>(
    `SELECT d.number, c.id AS "customerId", c.name AS "customerName", b.open_minor AS "openMinor"
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
      WHERE b.tenant_id = $1 AND b.kind = 'invoice' AND b.currency = 'CNY' AND b.open_minor > 0 AND b.open_minor = b.amount_minor AND b.side = 'debit'
        AND i.seq = 1 AND NOT EXISTS (SELECT 1 FROM items j WHERE j.tenant_id = i.tenant_id AND j.document_id = i.document_id AND j.seq > 1)
      ORDER BY d.document_date, d.number LIMIT 300`, [finance.tenant.id]));
  // Five invoices of different customers, two of them (b, c) of one customer that pays both at once.
  const byCustomer = new Map<string, OpenInvoice[]>();
  for (const inv of open) byCustomer.set(inv.customerId, [...(byCustomer.get(inv.customerId) ?? []), inv]);
  const pair = [...byCustomer.values()].find((list) => list.length >= 2);
  if (!pair) return;
  const [b, c] = pair as [OpenInvoice, OpenInvoice];
  const others: OpenInvoice[] = [];
  for (const [customerId, list] of byCustomer) {
    if (customerId === b.customerId || others.some((o) => o.customerId === customerId)) continue;
    // d is matched by amount alone: no other open invoice of its customer may have the same amount.
    const unique = list.find((x) => list.filter((y) => y.openMinor === x.openMinor).length === 1);
    if (unique) others.push(unique);
    if (others.length === 4) break;
  }
  if (others.length < 4) return;
  const [a, d, e, f] = others as [OpenInvoice, OpenInvoice, OpenInvoice, OpenInvoice];
  // g: a customer with two open invoices, none of the above, that sends a remittance advice with its payment.
  const used = new Set([b.customerId, ...others.map((o) => o.customerId)]);
  const advised = [...byCustomer.values()].find((list) => list.length >= 2 && !used.has(list[0]!.customerId));
  if (!advised) return;
  const [g1, g2] = advised as [OpenInvoice, OpenInvoice];
  // h: one more customer's invoice, paid 3% short with a deduction.
  const deducting = [...byCustomer.values()].find((list) => !used.has(list[0]!.customerId) && list[0]!.customerId !== g1.customerId);
  if (!deducting) return;
  const h = deducting[0]!;
  const day = addDays(asOf, -1);
  const half = (v: bigint) => v / 2n;
  const entries = [
    { amount: a.openMinor, ref: 'CMB01', party: a.customerName, text: `货款 ${a.number}` },
    { amount: b.openMinor + c.openMinor, ref: 'CMB02', party: b.customerName, text: `付 ${b.number}、${c.number} 货款` },
    { amount: d.openMinor, ref: 'CMB03', party: shortName(d.customerName), text: '货款' },
    { amount: 880_137n, ref: 'CMB04', party: e.customerName, text: '货款' },
    { amount: -3_500n, ref: 'CMB05', party: '招商银行', text: '跨行汇款手续费' },
  ];
  const openingMinor = 1_250_000_00n;
  const total = entries.reduce((s, x) => s + x.amount, 0n);
  const intradayTotal = entries.slice(0, 2).reduce((s, x) => s + x.amount, 0n);
  const xml = (x: (typeof entries)[number]) => camtEntry(x.amount, `${day.replaceAll('-', '')}${x.ref}`, day, x.party, x.text);
  // Matching: bank charges up to 10.00 are written off, a customer's deduction up to 5% of what it pays becomes a
  // dispute; the rest of the defaults (auto-apply at 80, suggest at 40).
  await saveMatchSettings(finance, { chargeTolerance: '10.00', deductionToleranceBasisPoints: 500 });
  // The noon report held the first two payments; the day's statement repeats them with the rest.
  const intraday = await importBankBytes(finance, Buffer.from(camt('052', `CMB-RPT-${day}`, day, openingMinor, openingMinor + intradayTotal, entries.slice(0, 2).map(xml))),
    { fileName: `cmb-intraday-${day}.xml` });
  const statement = await importBankBytes(finance, Buffer.from(camt('053', `CMB-STMT-${day}`, day, openingMinor, openingMinor + total, entries.map(xml))),
    { fileName: `cmb-${day}.xml` });

  // A second bank's CSV export in GBK, read with its saved profile.
  await saveProfile(finance, {
    name: '工商银行 CSV', accountId: 'CN-ICBC-1001234509876543', currency: 'CNY', encoding: 'gbk', delimiter: ',', dateFormat: 'YYYY-MM-DD',
    thousandsSeparator: ',',
    columns: { bookingDate: '交易日期', debit: '借方发生额', credit: '贷方发生额', balance: '余额', counterpartyName: '对方户名', counterpartyAccount: '对方账号', remittance: ['摘要'], bankReference: '流水号' },
  });
  const amountText = (minor: bigint) => formatAmount(minor, 'CNY').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const icbcOpening = 360_000_00n;
  // g's advice: g1 in full and half of g2; its payment comes in the CSV below.
  const adviceMinor = g1.openMinor + half(g2.openMinor);
  const advice = ['发票号,金额,付款日期', `${g1.number},${formatAmount(g1.openMinor, 'CNY')},${day}`, `${g2.number},${formatAmount(half(g2.openMinor), 'CNY')},${day}`].join('\r\n');
  await importRemittanceBytes(finance, iconv.encode(`${advice}\r\n`, 'gbk'), { fileName: `付款通知-${day}.csv`, encoding: 'gbk' });
  const rows = [
    { ref: 'ICBC0001', credit: half(f.openMinor), debit: 0n, party: f.customerName, account: '4000023409200012345', text: `${f.number} 货款` },
    { ref: 'ICBC0002', credit: 0n, debit: 1_200_00n, party: '国网上海电力', account: '', text: '电费' },
    { ref: 'ICBC0003', credit: adviceMinor, debit: 0n, party: 'ZHONGHE MAOYI', account: '6217000012345678901', text: '货款' },
    { ref: 'ICBC0004', credit: h.openMinor - (h.openMinor * 3n) / 100n, debit: 0n, party: h.customerName, account: '', text: `${h.number} 扣质量问题款3%` },
  ];
  let balance = icbcOpening;
  const lines = rows.map((r) => {
    balance += r.credit - r.debit;
    return [r.ref, day, r.text, r.debit ? `"${amountText(r.debit)}"` : '', r.credit ? `"${amountText(r.credit)}"` : '', `"${amountText(balance)}"`, r.party, r.account].join(',');
  });
  const csv = iconv.encode(['流水号,交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号', ...lines].join('\r\n') + '\r\n', 'gbk');
  const icbc = await importBankBytes(finance, csv, { fileName: `icbc-${day}.csv`, profile: '工商银行 CSV' });
  for (const imported of [intraday, statement, icbc]) await matchImported(finance, imported.statements);
}
