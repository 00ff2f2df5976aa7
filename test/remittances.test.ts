/**
 * Remittance advices on a real database (both engines): a customer's GBK CSV and an XLSX are imported, their invoice
 * numbers found among the company's invoices (as written or without separators), the payer found from them, the
 * same file again changes nothing, a bad file writes nothing; through the API and the CLI. Then cash matching applies
 * a bank line without any reference to exactly the invoices and amounts its advice lists, and leaves two advices of
 * the same amount for a person to choose.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/domain/errors.ts';
import { buildServer } from '../src/http/server.ts';
import { importBankBytes } from '../src/modules/bank/index.ts';
import { matchStatement, undoLine } from '../src/modules/bank/matching.ts';
import { getAdvice, importRemittanceBytes, listAdvices } from '../src/modules/bank/remittances.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-02T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: FastifyInstance;
let admin: string;

// C1's advice: INV-2026-001 written without its dashes, INV-2026-002 as is with a 50.00 deduction, and an invoice
// number the company never issued. Total: 1,000.00 + 2,450.00 + 300.00 = 3,750.00 (the total line is skipped).
const GBK_ADVICE = iconv.encode('付款通知 上海一号\r\n付款日期,发票号,金额,扣款,参考号\r\n2026-07-01,INV2026001,"1,000.00",,HX-88\r\n2026-07-01,INV-2026-002,2450.00,50.00,HX-88\r\n2026-07-01,INV-404,300.00,,HX-88\r\n,合计,"3,750.00",,\r\n', 'gbk');

const rowsOf = async (table: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [ctx.tenant.id])))[0]!.n;
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof AppError ? e : Promise.reject(e)));

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, CLOCK);
  await createCustomer(ctx, { code: 'C1', name: '上海一号' });
  await createCustomer(ctx, { code: 'C2', name: 'Busy Trading Ltd' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2026-001', customer: 'C1', documentDate: '2026-06-01', dueDate: '2026-07-01', amount: '1000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2026-002', customer: 'C1', documentDate: '2026-06-02', dueDate: '2026-07-02', amount: '2500.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'B-77', customer: 'C2', documentDate: '2026-06-03', dueDate: '2026-07-03', amount: '900.00' });
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  admin = await adminToken(ctx);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('importing a remittance advice', () => {
  it('finds the invoices and the payer, keeps the lines, and the same file again changes nothing', async () => {
    const advice = await importRemittanceBytes(ctx, GBK_ADVICE, { fileName: 'hx-88.csv', encoding: 'gbk' });
    expect(advice).toMatchObject({
      alreadyImported: false, customer: 'C1', customerName: '上海一号', currency: 'CNY', total: '3750.00', lineCount: 3, unknownInvoices: 1,
      reference: 'HX-88', paymentDate: '2026-07-01', bankEntryId: null,
    });
    expect(advice.lines!.map((l) => [l.invoiceNumber, l.document, l.amount, l.deduction])).toEqual([
      ['INV2026001', 'INV-2026-001', '1000.00', '0.00'], ['INV-2026-002', 'INV-2026-002', '2450.00', '50.00'], ['INV-404', null, '300.00', '0.00'],
    ]);
    const again = await importRemittanceBytes(ctx, GBK_ADVICE, { fileName: 'renamed.csv', encoding: 'gbk' });
    expect([again.id, again.alreadyImported, again.fileName]).toEqual([advice.id, true, 'hx-88.csv']);
    expect([await rowsOf('remittance_advices'), await rowsOf('remittance_advice_lines')]).toEqual([1, 3]);
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ after: { total: string; unknownInvoices: number } }>(`SELECT after FROM audit_log WHERE tenant_id = $1 AND action = 'bank.remittance'`, [ctx.tenant.id]));
    expect(audit.map((a) => [a.after.total, a.after.unknownInvoices])).toEqual([['3750.00', 1]]);
  });

  it('reads an XLSX for the customer named; another customer\'s invoice number is not theirs', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Remittance');
    sheet.addRow(['Invoice No', 'Amount', 'Payment date']);
    sheet.addRow(['B-77', 900, '2026-07-01']);
    sheet.addRow(['INV-2026-002', 100.5, '2026-07-01']);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const advice = await importRemittanceBytes(ctx, bytes, { fileName: 'busy.xlsx', customer: 'C2' });
    // 900.00 + 100.50 = 1,000.50; INV-2026-002 is C1's, so for C2 it names nothing.
    expect(advice).toMatchObject({ customer: 'C2', total: '1000.50', unknownInvoices: 1 });
    expect(advice.lines!.map((l) => l.document)).toEqual(['B-77', null]);
  });

  it('refuses a file without an amount column or an unknown customer, writing nothing', async () => {
    const before = [await rowsOf('remittance_advices'), await rowsOf('remittance_advice_lines')];
    const noAmount = await errorOf(importRemittanceBytes(ctx, new TextEncoder().encode('Invoice number;Note\nA-1;paid\n'), { fileName: 'x.csv' }));
    expect(noAmount).toMatchObject({ kind: 'invalid' });
    expect(noAmount!.message).toMatch(/amount/i);
    const unknown = await errorOf(importRemittanceBytes(ctx, new TextEncoder().encode('Invoice number,Amount\nB-77,1.00\n'), { fileName: 'y.csv', customer: 'NOPE' }));
    expect(unknown).toMatchObject({ code: 'CUSTOMER_NOT_FOUND', details: [{ field: 'customer' }] });
    expect([await rowsOf('remittance_advices'), await rowsOf('remittance_advice_lines')]).toEqual(before);
  });
});

describe('API and CLI', () => {
  it('POST /bank/remittances answers 201, then 200 for the same file; lists and shows them', async () => {
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${admin}` }, ...(payload ? { payload } : {}) });
    const content = Buffer.from('Invoice number,Amount\nINV-2026-001,400.00\n').toString('base64');
    const first = await call('POST', '/api/v1/bank/remittances', { fileName: 'part.csv', content });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ customer: 'C1', total: '400.00', unknownInvoices: 0 });
    expect((await call('POST', '/api/v1/bank/remittances', { fileName: 'part.csv', content })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/bank/remittances', { content: 'not base64!' })).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const list = (await call('GET', '/api/v1/bank/remittances?status=open&customer=C1')).json() as { total: number; rows: { fileName: string; total: string }[] };
    expect(list.total).toBe(2);
    expect(list.rows.map((r) => [r.fileName, r.total])).toEqual([['part.csv', '400.00'], ['hx-88.csv', '3750.00']]);
    const one = (await call('GET', `/api/v1/bank/remittances/${first.json().id}`)).json();
    expect(one.lines).toEqual([{ line: 2, invoiceNumber: 'INV-2026-001', document: 'INV-2026-001', amount: '400.00', deduction: '0.00', reference: null, paymentDate: null }]);
    expect((await call('GET', '/api/v1/bank/remittances/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    const page = await t.db.tenant(ctx.tenant.id, (sql) => listAdvices(ctx, sql, { status: 'used' }));
    expect(page.total).toBe(0);
    expect((await t.db.tenant(ctx.tenant.id, (sql) => getAdvice(ctx, sql, first.json().id))).lineCount).toBe(1);
  });

  it('`arflow bank remittance FILE` imports and `arflow bank remittances` lists', async () => {
    const cli = cliRunner(t.db, CLOCK, 'ACME');
    const file = path.join(os.tmpdir(), `advice-${process.pid}.csv`);
    fs.writeFileSync(file, 'Invoice number,Amount,Reference\nB-77,900.00,WIRE-9\n');
    try {
      const imported = await cli(['bank', 'remittance', file]);
      expect(imported.code, imported.err).toBe(0);
      expect(imported.out).toContain('C2 Busy Trading Ltd, 1 invoices, 900.00 CNY, reference WIRE-9');
      const listed = await cli(['--format', 'json', 'bank', 'remittances', '--customer', 'C2']);
      expect(JSON.parse(listed.out).total).toBe(2);
    } finally {
      fs.rmSync(file);
    }
  });
});

const camt = (id: string, entries: { amount: string; ref: string; party: string; text: string }[]) => {
  // Opening 10,000.00 plus the entries, in cents ("6000.00" → 600000).
  const cents = 1_000_000n + entries.reduce((sum, e) => sum + BigInt(e.amount.replace('.', '')), 0n);
  const closing = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>${id}</MsgId><CreDtTm>2026-07-01T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>${id}</Id><Acct><Id><Othr><Id>CN-ICBC-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">10000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-07-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-07-01</Dt></Dt></Bal>
${entries.map((e) => `<Ntry><Amt Ccy="CNY">${e.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-07-01</Dt></BookgDt><ValDt><Dt>2026-07-01</Dt></ValDt>
<AcctSvcrRef>${e.ref}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>${e.party}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>${e.text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`).join('\n')}
</Stmt></BkToCstmrStmt></Document>`;
};
const openOf = async (number: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ open: string }>(
  `SELECT sum(b.open_minor)::text AS open FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
   JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id WHERE b.tenant_id = $1 AND d.number = $2`, [ctx.tenant.id, number])))[0]!.open;

describe('cash matching with remittance advices', () => {
  it('applies a line with no reference to the invoices and amounts its advice lists; undone, the advice waits again', async () => {
    // C3 owes INV-C3-1 5,000.00 and INV-C3-2 3,000.00 and INV-C3-3 1,200.00. Its advice: 5,000.00 on INV-C3-1 and
    // 1,000.00 on INV-C3-2 = 6,000.00. The bank line: 6,000.00 from a payer name nobody has, text "July".
    // Without the advice nothing identifies the payer; with it: INV-C3-1 0.00 open, INV-C3-2 3,000.00 − 1,000.00 = 2,000.00.
    await createCustomer(ctx, { code: 'C3', name: '广州三号贸易有限公司' });
    for (const [n, amount] of [['1', '5000.00'], ['2', '3000.00'], ['3', '1200.00']]) {
      await postDocument(ctx, { kind: 'invoice', number: `INV-C3-${n}`, customer: 'C3', documentDate: '2026-06-01', dueDate: '2026-06-30', amount: amount! });
    }
    const advice = await importRemittanceBytes(ctx, new TextEncoder().encode('Invoice,Amount\nINV-C3-1,5000.00\nINV-C3-2,1000.00\n'), { fileName: 'c3-july.csv' });
    expect(advice).toMatchObject({ customer: 'C3', total: '6000.00', unknownInvoices: 0 });
    const imported = await importBankBytes(ctx, new TextEncoder().encode(camt('RA-1', [{ amount: '6000.00', ref: 'RA1', party: 'GZ TRADING', text: 'July' }])), { fileName: 'ra-1.xml' });
    const run = await matchStatement(ctx, imported.statements[0]!.id, {});
    expect(run.counts).toMatchObject({ autoApplied: 1, suggested: 0 });
    expect(run.lines[0]!.proposals[0]!.reasons.map((r) => r.code)).toEqual(['REMITTANCE_ADVICE', 'SURE_RULE']);
    expect([await openOf('INV-C3-1'), await openOf('INV-C3-2'), await openOf('INV-C3-3')]).toEqual(['0', '200000', '120000']);
    const used = await t.db.tenant(ctx.tenant.id, (sql) => getAdvice(ctx, sql, advice.id));
    expect(used.bankEntryId).toBe(run.lines[0]!.entryId);
    // Undone: the payment is reversed and the advice waits for its payment again.
    await undoLine(ctx, run.lines[0]!.entryId, { reason: 'test: undo the advice match' });
    expect([await openOf('INV-C3-1'), await openOf('INV-C3-2')]).toEqual(['500000', '300000']);
    expect((await t.db.tenant(ctx.tenant.id, (sql) => getAdvice(ctx, sql, advice.id))).bankEntryId).toBeNull();
  });

  it('two open advices of the same amount are suggested for a person to choose, never applied', async () => {
    await importRemittanceBytes(ctx, new TextEncoder().encode('Invoice,Amount\nINV-C3-3,1200.00\n'), { fileName: 'c3-a.csv' });
    await importRemittanceBytes(ctx, new TextEncoder().encode('Invoice,Amount,Note\nINV-C3-2,1200.00,x\n'), { fileName: 'c3-b.csv' });
    const imported = await importBankBytes(ctx, new TextEncoder().encode(camt('RA-2', [{ amount: '1200.00', ref: 'RA2', party: 'SOMEONE', text: 'payment' }])), { fileName: 'ra-2.xml' });
    const run = await matchStatement(ctx, imported.statements[0]!.id, {});
    expect(run.counts).toMatchObject({ autoApplied: 0, suggested: 1 });
    const advised = run.lines[0]!.proposals.filter((p) => p.reasons.some((r) => r.code === 'REMITTANCE_ADVICE'));
    expect(advised.map((p) => p.score)).toEqual([70, 70]);
    expect(await openOf('INV-C3-3')).toBe('120000');
  });

  it('an advice whose payment arrived 12.00 short (the payer\'s bank took its charges): with a 20.00 charge tolerance it is applied and the 12.00 written off', async () => {
    // C4 owes INV-C4-1 2,000.00; its advice says 2,000.00; the bank line is 1,988.00: 2,000.00 − 1,988.00 = 12.00 ≤ 20.00.
    await createCustomer(ctx, { code: 'C4', name: '深圳四号电子有限公司' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-C4-1', customer: 'C4', documentDate: '2026-06-01', dueDate: '2026-06-30', amount: '2000.00' });
    await importRemittanceBytes(ctx, new TextEncoder().encode('Invoice,Amount\nINV-C4-1,2000.00\n'), { fileName: 'c4.csv' });
    const settings = await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: { authorization: `Bearer ${admin}` }, payload: { chargeTolerance: '20.00' } });
    expect(settings.statusCode).toBe(200);
    const imported = await importBankBytes(ctx, new TextEncoder().encode(camt('RA-3', [{ amount: '1988.00', ref: 'RA3', party: 'SZ NO4', text: 'payment' }])), { fileName: 'ra-3.xml' });
    const run = await matchStatement(ctx, imported.statements[0]!.id, {});
    expect(run.counts).toMatchObject({ autoApplied: 1 });
    expect(run.lines[0]!.proposals[0]).toMatchObject({ writeOff: { amount: '12.00', reason: 'bank_charges' } });
    expect(run.lines[0]!.applied!.writeOffNumber).toBeTruthy();
    expect(await openOf('INV-C4-1')).toBe('0');
  });
});
