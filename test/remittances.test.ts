/**
 * Remittance advices on a real database (both engines): a customer's GBK CSV and an XLSX are imported, their invoice
 * numbers found among the company's invoices (as written or without separators), the payer found from them, the
 * same file again changes nothing, a bad file writes nothing; through the API and the CLI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.ts';
import { AppError } from '../src/domain/errors.ts';
import { buildServer } from '../src/http/server.ts';
import { getAdvice, importRemittanceBytes, listAdvices } from '../src/modules/bank/remittances.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

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
    const cli = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { io: { out: (x) => out.push(x), err: (x) => err.push(x), interactive: false }, clock: CLOCK, env: { USER: 'tester', ARFLOW_TENANT: 'ACME' }, db: t.db });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
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
