import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from '../../../test/support.ts';
import type { Context } from '../context.ts';
import { createTerms } from '../terms/index.ts';
import { getCustomer } from '../customers/index.ts';
import { getDocument } from '../ledger/index.ts';
import { importRows } from './service.ts';
import type { ImportRow, RowResult } from './rows.ts';

let test: TestDatabase;
let ctx: Context;

const rows = (list: object[]) => () => (async function* () {
  for (const row of list) yield { ok: true, row } as RowResult<ImportRow>;
})();

beforeAll(async () => {
  test = await openTestDatabase();
  ctx = contextFor(test.db, await makeTenant(test.db));
  await createTerms(ctx, { code: 'SPLIT3', installments: '20@0,30@30,50@60' });
  await createTerms(ctx, { code: 'NET45', net: 45 });
});
afterAll(async () => test?.drop());

describe('customer imports', () => {
  it('creates, then leaves unchanged, then updates; links groups whose head comes later in the file', async () => {
    const first = await importRows(ctx, 'customers', rows([
      { line: 2, code: 'SUB1', name: '子公司一', groupCode: 'HEAD' },
      { line: 3, code: 'HEAD', name: '集团总部', paymentTerms: 'NET45', creditLimit: '500000.00' },
    ]));
    expect(first).toMatchObject({ rows: 2, created: 2, updated: 0, unchanged: 0 });
    const sub = await test.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, 'SUB1'));
    expect(sub.parentCode).toBe('HEAD');
    const again = await importRows(ctx, 'customers', rows([
      { line: 2, code: 'SUB1', name: '子公司一', groupCode: 'HEAD' },
      { line: 3, code: 'HEAD', name: '集团总部', paymentTerms: 'NET45', creditLimit: '500000.00' },
    ]));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const changed = await importRows(ctx, 'customers', rows([{ line: 2, code: 'HEAD', name: '集团总部', paymentTerms: 'NET45', creditLimit: '600000.00' }]));
    expect(changed).toMatchObject({ updated: 1 });
    const head = await test.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, 'HEAD'));
    // 600,000.00 CNY = 60,000,000 fen.
    expect(head.creditLimitMinor).toBe(60_000_000n);
  });

  it('imports a postal address written on several lines of one cell, and refuses one of 6 lines naming the column', async () => {
    await importRows(ctx, 'customers', rows([{ line: 2, code: 'ADDR1', name: '地址公司', address: '广州市天河区体育西路 1 号\n邮编 510620' }]));
    const customer = await test.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, 'ADDR1'));
    expect(customer.address).toBe('广州市天河区体育西路 1 号\n邮编 510620');
    await expect(importRows(ctx, 'customers', rows([{ line: 4, code: 'ADDR2', name: '六行地址', address: 'a\nb\nc\nd\ne\nf' }])))
      .rejects.toMatchObject({ code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 4, column: 'address' })] });
  });

  it('refuses a group head that belongs to a group itself, naming the line', async () => {
    await expect(importRows(ctx, 'customers', rows([{ line: 7, code: 'SUB2', name: '子公司二', groupCode: 'SUB1' }])))
      .rejects.toMatchObject({ code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 7, column: 'group_code' })] });
  });
});

describe('document imports', () => {
  it('splits installment invoices and refuses one too small to split, on its line', async () => {
    await importRows(ctx, 'invoices', rows([{ line: 2, number: 'S-1', customerCode: 'HEAD', documentDate: '2026-01-31', paymentTerms: 'SPLIT3', amount: '1000.00' }]));
    const doc = await test.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, 'S-1'));
    // 20% / 30% / 50% of 1000.00, due 2026-01-31 + 0, 30, 60 days.
    expect(doc.items!.map((i) => [i.dueDate, i.amount])).toEqual([['2026-01-31', '200.00'], ['2026-03-02', '300.00'], ['2026-04-01', '500.00']]);
    await expect(importRows(ctx, 'invoices', rows([{ line: 9, number: 'S-2', customerCode: 'HEAD', documentDate: '2026-01-31', paymentTerms: 'SPLIT3', amount: '0.01' }])))
      .rejects.toMatchObject({ code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 9, column: 'amount' })] });
  });

  it('takes the customer terms for a missing due date, and applies payments oldest installment first', async () => {
    await importRows(ctx, 'invoices', rows([{ line: 2, number: 'N-1', customerCode: 'HEAD', documentDate: '2026-02-10', amount: '800.00' }]));
    const inv = await test.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, 'N-1'));
    // HEAD has NET45: 2026-02-10 + 45 days = 2026-03-27.
    expect(inv.dueDate).toBe('2026-03-27');
    const report = await importRows(ctx, 'payments', rows([
      { line: 2, reference: 'B-1', customerCode: 'HEAD', date: '2026-03-05', amount: '450.00', appliesTo: [{ number: 'S-1' }] },
      { line: 3, reference: 'B-2', customerCode: 'HEAD', date: '2026-03-06', amount: '900.00', appliesTo: [{ number: 'S-1', amount: '100.00' }, { number: 'N-1', amount: '800.00' }] },
    ]));
    // B-1 450.00: installment 1 (200.00) then 250.00 of installment 2; B-2: 50.00 more of installment 2 and 50.00 of
    // installment 3 (100.00 in all, oldest first), and N-1 in full. Five allocations.
    expect(report).toMatchObject({ created: 2, allocations: 5 });
    const s1 = await test.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, 'S-1'));
    expect(s1.items!.map((i) => i.open)).toEqual(['0.00', '0.00', '450.00']);
    expect((await test.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, 'N-1'))).open).toBe('0.00');
  });

  it('refuses a payment whose applications exceed what is open, and writes none of the file', async () => {
    await expect(importRows(ctx, 'payments', rows([
      { line: 2, reference: 'B-3', customerCode: 'HEAD', date: '2026-04-01', amount: '100.00' },
      { line: 3, reference: 'B-4', customerCode: 'HEAD', date: '2026-04-01', amount: '500.00', appliesTo: [{ number: 'S-1', amount: '500.00' }] },
    ]))).rejects.toMatchObject({ code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 3, column: 'applies_to' })] });
    const written = await test.db.tenant(ctx.tenant.id, (sql) => sql.query(`SELECT number FROM documents WHERE number IN ('B-3', 'B-4')`));
    expect(written).toEqual([]);
  });
});
