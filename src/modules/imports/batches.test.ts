/**
 * Imports larger than one write batch (2,000 rows): the next batch is read and built while the previous one is
 * written, so these hold that batches still land in file order, see each other's allocations, and that an error in
 * a later batch still leaves nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from '../../../test/support.ts';
import type { Context } from '../context.ts';
import { createCustomer } from '../customers/index.ts';
import { importRows } from './service.ts';
import type { ImportRow, RowResult } from './rows.ts';

let test: TestDatabase;
let ctx: Context;

const rows = (list: object[]) => () => (async function* () {
  for (const row of list) yield ('errors' in row ? { ok: false, ...row } : { ok: true, row }) as RowResult<ImportRow>;
})();

const INVOICES = 4100;
const invoiceRows = Array.from({ length: INVOICES }, (_, i) => ({
  line: i + 2, number: `INV-${i + 1}`, customerCode: `C${i % 7}`, documentDate: '2026-01-15', dueDate: '2026-02-14', amount: '100.00',
}));

const count = (sql: string) => test.db.tenant(ctx.tenant.id, async (q) => Number((await q.query<{ n: bigint }>(sql))[0]!.n));
const openOf = (numbers: string[]) => test.db.tenant(ctx.tenant.id, (q) => q.query<{ number: string; open: bigint }>(
  `SELECT d.number, sum(b.open_minor)::int8 AS open FROM documents d JOIN items i ON i.document_id = d.id JOIN item_balances b ON b.item_id = i.id
    WHERE d.kind = 'invoice' AND d.number = ANY($1) GROUP BY d.number`, [numbers]));

beforeAll(async () => {
  test = await openTestDatabase();
  ctx = contextFor(test.db, await makeTenant(test.db));
  for (let c = 0; c < 7; c++) await createCustomer(ctx, { code: `C${c}`, name: `客户${c}` });
}, 120_000);
afterAll(async () => test?.drop());

describe('imports of several batches', () => {
  it('writes every invoice once, and a second import changes nothing', async () => {
    expect(await importRows(ctx, 'invoices', rows(invoiceRows))).toMatchObject({ rows: INVOICES, created: INVOICES, unchanged: 0 });
    expect(await importRows(ctx, 'invoices', rows(invoiceRows))).toMatchObject({ created: 0, unchanged: INVOICES });
    expect(await count(`SELECT count(*)::int8 AS n FROM documents WHERE kind = 'invoice'`)).toBe(INVOICES);
  }, 120_000);

  it('refuses a file whose last batch over-applies, naming its line, and writes none of it', async () => {
    const payments = [
      ...invoiceRows.slice(0, 4000).map((inv, i) => ({ line: i + 2, reference: `P-${i + 1}`, customerCode: inv.customerCode, date: '2026-02-01', amount: '60.00', appliesTo: [{ number: inv.number, amount: '60.00' }] })),
      // Line 4002: INV-1 has 40.00 open after line 2 took 60.00; 50.00 is too much.
      { line: 4002, reference: 'P-LATE', customerCode: 'C0', date: '2026-02-02', amount: '50.00', appliesTo: [{ number: 'INV-1', amount: '50.00' }] },
    ];
    await expect(importRows(ctx, 'payments', rows(payments))).rejects.toMatchObject({
      code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 4002, column: 'applies_to' })],
    });
    expect(await count(`SELECT count(*)::int8 AS n FROM documents WHERE kind = 'payment'`)).toBe(0);
    expect(await count(`SELECT count(*)::int8 AS n FROM allocations`)).toBe(0);
  }, 120_000);

  it('rolls back at the first bad row, yet reports every bad row of the file with its line and column', async () => {
    const file: object[] = invoiceRows.map((inv) => ({ ...inv, number: `BAD-${inv.number}` }));
    // Line 2502 (batch 2, after batch 1 is written): an unknown customer. Line 3502: a row the reader refused.
    // Line 4002 (batch 3): an amount that is not one.
    file[2500] = { ...invoiceRows[2500], number: 'BAD-X1', customerCode: 'NOBODY' };
    file[3500] = { errors: [{ line: 3502, column: 'document_date', message: 'not a date' }] };
    file[4000] = { ...invoiceRows[4000], number: 'BAD-X2', amount: '12.3.4' };
    await expect(importRows(ctx, 'invoices', rows(file))).rejects.toMatchObject({
      code: 'IMPORT_REJECTED',
      details: [
        expect.objectContaining({ line: 2502, column: 'customer_code' }),
        expect.objectContaining({ line: 3502, column: 'document_date' }),
        expect.objectContaining({ line: 4002, column: 'amount' }),
      ],
    });
    expect(await count(`SELECT count(*)::int8 AS n FROM documents WHERE number LIKE 'BAD-%'`)).toBe(0);
    // A dry run reads the same file the same way and lists the same problems.
    await expect(importRows(ctx, 'invoices', rows(file), { dryRun: true })).rejects.toMatchObject({
      details: [expect.objectContaining({ line: 2502 }), expect.objectContaining({ line: 3502 }), expect.objectContaining({ line: 4002 })],
    });
  }, 120_000);

  it('reports only the bad rows when the file also changes posted documents, as a validation pass before writing would', async () => {
    // INV-1 is posted (first test) for 100.00: a re-import at 99.00 is a conflict found while writing (line 2).
    const file: object[] = [{ ...invoiceRows[0], amount: '99.00' }, ...invoiceRows.slice(1, 3000).map((inv) => ({ ...inv, number: `CHG-${inv.number}` }))];
    file[2900] = { ...invoiceRows[2900], number: 'CHG-X', customerCode: 'NOBODY' };
    await expect(importRows(ctx, 'invoices', rows(file))).rejects.toMatchObject({ details: [expect.objectContaining({ line: 2902, column: 'customer_code' })] });
    await expect(importRows(ctx, 'invoices', rows(file.filter((_, i) => i !== 2900)))).rejects.toMatchObject({ details: [expect.objectContaining({ line: 2, column: 'amount' })] });
    expect(await count(`SELECT count(*)::int8 AS n FROM documents WHERE number LIKE 'CHG-%'`)).toBe(0);
  }, 120_000);

  it('lets a later batch apply what an earlier batch left open', async () => {
    const payments = [
      // Batches 1 and 2: 60.00 of each of INV-1..4000.
      ...invoiceRows.slice(0, 4000).map((inv, i) => ({ line: i + 2, reference: `Q-${i + 1}`, customerCode: inv.customerCode, date: '2026-02-01', amount: '60.00', appliesTo: [{ number: inv.number, amount: '60.00' }] })),
      // Batch 3: the rest of INV-1..100, as much as is open (100.00 - 60.00 = 40.00 each).
      ...invoiceRows.slice(0, 100).map((inv, i) => ({ line: 4002 + i, reference: `R-${i + 1}`, customerCode: inv.customerCode, date: '2026-02-02', amount: '40.00', appliesTo: [{ number: inv.number }] })),
    ];
    expect(await importRows(ctx, 'payments', rows(payments))).toMatchObject({ created: 4100, allocations: 4100 });
    const open = new Map((await openOf(['INV-1', 'INV-100', 'INV-101', 'INV-4000', 'INV-4001'])).map((r) => [r.number, r.open]));
    // Paid in full: 60.00 + 40.00. Paid 60.00 of 100.00: 40.00 open. Not paid: 100.00 open (minor units).
    expect(open).toEqual(new Map([['INV-1', 0n], ['INV-100', 0n], ['INV-101', 4000n], ['INV-4000', 4000n], ['INV-4001', 10000n]]));
  }, 120_000);
});
