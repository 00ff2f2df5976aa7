/**
 * The aging report converted to the functional currency at the as-of rate, its drill-down to the items, and its
 * CSV/XLSX files, on both engines. Figures worked out by hand in the comments.
 */
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/demo/demo.ts';
import { convertAmount, parseDecimal } from '../src/domain/decimal.ts';
import { formatAmount } from '../src/domain/money.ts';
import { agingItems, agingReport, type AgingItemsQuery } from '../src/modules/aging/index.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { listTenants, type Tenant } from '../src/modules/tenants/index.ts';
import type { Context } from '../src/modules/context.ts';
import { buildServer } from '../src/http/server.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  t = await openTestDatabase();
  const acme = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, acme, CLOCK);
  // USD rates: 7.1000 from 2026-02-28, 7.2345 from 2026-06-01, 7.5000 from 2026-07-15 (after the as-of dates).
  await setFxRate(ctx, { currency: 'USD', date: '2026-02-28', rate: '7.1000' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-06-01', rate: '7.2345' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-07-15', rate: '7.5000' });
  await createCustomer(ctx, { code: 'U1', name: 'Acme Components Inc.', currency: 'USD' });
  await createCustomer(ctx, { code: 'C1', name: '上海一号' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  // U1: INV-U1 1,000.00 USD due 2026-03-31; INV-U2 and INV-U3 333.33 USD each, due 2026-07-20; PAY-U1 100.00 USD
  // not applied (2026-06-10).
  await post({ kind: 'invoice', number: 'INV-U1', customer: 'U1', documentDate: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', amount: '1000.00' });
  await post({ kind: 'invoice', number: 'INV-U2', customer: 'U1', documentDate: '2026-06-20', dueDate: '2026-07-20', currency: 'USD', amount: '333.33' });
  await post({ kind: 'invoice', number: 'INV-U3', customer: 'U1', documentDate: '2026-06-20', dueDate: '2026-07-20', currency: 'USD', amount: '333.33' });
  await post({ kind: 'payment', number: 'PAY-U1', customer: 'U1', documentDate: '2026-06-10', currency: 'USD', amount: '100.00' });
  // C1: INV-C1 5,000.00 CNY due 2026-04-30, 1,200.00 paid on 2026-05-10: 3,800.00 open.
  await post({ kind: 'invoice', number: 'INV-C1', customer: 'C1', documentDate: '2026-04-01', dueDate: '2026-04-30', amount: '5000.00' });
  await post({ kind: 'payment', number: 'PAY-C1', customer: 'C1', documentDate: '2026-05-10', amount: '1200.00', appliesTo: [{ document: 'INV-C1', amount: '1200.00' }] });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const read = (query: Parameters<typeof agingReport>[2], c = ctx) => t.db.tenant(c.tenant.id, (sql) => agingReport(c, sql, query));
const items = (query: AgingItemsQuery, c = ctx) => t.db.tenant(c.tenant.id, (sql) => agingItems(c, sql, query));

describe('aging converted to the functional currency', () => {
  it('converts each open item at the latest rate on or before the as-of date, rounding each item, and shows the rate', async () => {
    const r = await read({ asOf: '2026-06-30', convert: true });
    expect(r).toMatchObject({ currency: 'CNY', converted: true, rates: [{ currency: 'USD', date: '2026-06-01', rate: '7.2345' }] });
    // U1 at 7.2345 (the rate of 06-01; the one of 07-15 is later):
    //   INV-U1 100000 cents × 7.2345 = 723450 fen = 7,234.50, 91 days past due (03-31 → 06-30) → 91-180;
    //   INV-U2 and INV-U3 33333 × 7.2345 = 241147.6385 → 241148 each (half up, per item) → current 4,822.96
    //   (rounding the sum instead would give 66666 × 7.2345 = 482295.277 → 4,822.95);
    //   PAY-U1 10000 × 7.2345 = 72345 → unapplied 723.45.
    //   outstanding 7,234.50 + 4,822.96 = 12,057.46; net 12,057.46 − 723.45 = 11,334.01.
    expect(r.rows.find((x) => x.key === 'U1')).toEqual({
      key: 'U1', name: 'Acme Components Inc.', current: '4822.96',
      buckets: { '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '91-180': '7234.50', '181-365': '0.00', 'over-365': '0.00' },
      // Nothing of it is disputed.
      outstanding: '12057.46', disputed: '0.00', unapplied: '723.45', net: '11334.01',
    });
    // C1 in CNY, unconverted: 3,800.00, 61 days past due (04-30 → 06-30) → 61-90.
    expect(r.rows.find((x) => x.key === 'C1')).toMatchObject({ current: '0.00', buckets: { '61-90': '3800.00' }, outstanding: '3800.00' });
    // Totals = sums of the converted rows: 12,057.46 + 3,800.00 = 15,857.46; unapplied 723.45; net 15,134.01.
    expect(r.totals).toMatchObject({ current: '4822.96', outstanding: '15857.46', unapplied: '723.45', net: '15134.01' });
  });

  it('takes the rate in force at a past as-of date, and groups by currency', async () => {
    // At 2026-05-31 only INV-U1 existed: 61 days past due (61-90) at 7.1000: 100000 × 7.1 = 710000 → 7,100.00.
    // INV-C1: 31 days past due → 31-60, 3,800.00.
    const r = await read({ asOf: '2026-05-31', convert: true, by: 'currency', sort: 'key' });
    expect(r.rates).toEqual([{ currency: 'USD', date: '2026-02-28', rate: '7.1' }]);
    expect(r.rows).toEqual([
      expect.objectContaining({ key: 'CNY', buckets: expect.objectContaining({ '31-60': '3800.00', '61-90': '0.00' }), outstanding: '3800.00' }),
      expect.objectContaining({ key: 'USD', buckets: expect.objectContaining({ '31-60': '0.00', '61-90': '7100.00' }), outstanding: '7100.00' }),
    ]);
    expect(r.totals.outstanding).toBe('10900.00');
  });

  it('without convert shows one currency in its own amounts, as before', async () => {
    const usd = await read({ asOf: '2026-06-30', currency: 'USD' });
    // 333.33 + 333.33 = 666.66 current; 1,000.00 in 91-180; 100.00 unapplied.
    expect(usd).toMatchObject({ currency: 'USD', converted: false, rates: [] });
    expect(usd.rows).toEqual([expect.objectContaining({ key: 'U1', current: '666.66', outstanding: '1666.66', unapplied: '100.00', net: '1566.66' })]);
    const cny = await read({ asOf: '2026-06-30' });
    expect(cny.rows.map((x) => x.key)).toEqual(['C1']);
  });

  it('refuses a currency with no rate at the as-of date, naming it, the date and the fix', async () => {
    const other = contextFor(t.db, await makeTenant(t.db, { code: 'EURO' }), CLOCK);
    await createCustomer(other, { code: 'E1', name: 'Contoso GmbH', currency: 'EUR' });
    // The invoice carries its own rate, so no EUR rate is on file.
    await postDocument(other, { kind: 'invoice', number: 'INV-E1', customer: 'E1', documentDate: '2026-06-01', currency: 'EUR', fxRate: '7.8', amount: '10.00' });
    await expect(read({ asOf: '2026-06-30', convert: true }, other)).rejects.toMatchObject({
      code: 'FX_RATE_MISSING', message: expect.stringMatching(/no EUR rate on or before 2026-06-30; record one \(arflow fx set EUR 2026-06-30 RATE/),
    });
    await expect(items({ asOf: '2026-06-30', convert: true, key: 'E1' }, other)).rejects.toMatchObject({ code: 'FX_RATE_MISSING' });
    // Before the invoice there is nothing to convert.
    expect((await read({ asOf: '2026-05-31', convert: true }, other)).rows).toEqual([]);
    await expect(read({ convert: true, currency: 'USD' })).rejects.toThrow(/^currency: a converted report is in the functional currency CNY/);
  });
});

describe('aging drill-down to the items', () => {
  it('lists the items behind a cell, their sum equal to the cell, most days past due first', async () => {
    const page = await items({ asOf: '2026-06-30', convert: true, key: 'U1', bucket: 'current' });
    expect(page).toMatchObject({ count: 2, total: '4822.96', currency: 'CNY', nextOffset: null });
    expect(page.items).toEqual([
      { documentNumber: 'INV-U2', documentKind: 'invoice', installment: 1, customer: 'U1', customerName: 'Acme Components Inc.', documentDate: '2026-06-20', dueDate: '2026-07-20', daysPastDue: -20, bucket: 'current', open: '333.33', currency: 'USD', converted: '2411.48', rate: '7.2345' },
      expect.objectContaining({ documentNumber: 'INV-U3', converted: '2411.48' }),
    ]);
    const unapplied = await items({ asOf: '2026-06-30', convert: true, key: 'U1', bucket: 'unapplied' });
    expect(unapplied.items).toEqual([expect.objectContaining({ documentNumber: 'PAY-U1', dueDate: null, daysPastDue: null, bucket: 'unapplied', open: '100.00', converted: '723.45' })]);
    // A past date: INV-C1 before its payment of 05-10 was 5,000.00 open, 5 days past due at 05-05.
    const before = await items({ asOf: '2026-05-05', key: 'C1' });
    expect(before.items).toEqual([expect.objectContaining({ documentNumber: 'INV-C1', open: '5000.00', daysPastDue: 5, bucket: '1-30' })]);
  });

  it('pages through a row: every page adds up to the row\'s outstanding', async () => {
    const first = await items({ asOf: '2026-06-30', convert: true, key: 'U1', limit: 2 });
    // Oldest first: INV-U1 (91 days), then INV-U2 (−20 days; INV-U3 the same, after it by number).
    expect(first.items.map((i) => i.documentNumber)).toEqual(['INV-U1', 'INV-U2']);
    expect(first).toMatchObject({ count: 3, total: '12057.46', nextOffset: 2 });
    const second = await items({ asOf: '2026-06-30', convert: true, key: 'U1', limit: 2, offset: 2 });
    expect(second).toMatchObject({ count: 3, nextOffset: null, items: [expect.objectContaining({ documentNumber: 'INV-U3' })] });
    const past = await items({ asOf: '2026-06-30', convert: true, key: 'U1', limit: 2, offset: 10 });
    expect(past).toMatchObject({ count: 3, total: '12057.46', items: [], nextOffset: null });
    await expect(items({ key: 'U1', bucket: '1-45' })).rejects.toThrow(/^bucket: "1-45" is not a figure of this report; use one of outstanding, current, 1-30/);
    await expect(items({ key: 'U1', limit: 501 })).rejects.toThrow(/limit/);
  });

  it('on the demo company, every cell of every row equals the sum of its items, at a past date and today', async () => {
    await createDemo(t.db, CLOCK, { customers: 30, invoices: 300 });
    const demo = contextFor(t.db, (await listTenants(t.db)).find((x) => x.code === 'DEMO') as Tenant, CLOCK);
    let cells = 0;
    for (const asOf of ['2025-12-31', '2026-06-30']) {
      const report = await read({ asOf, by: 'segment' }, demo);
      for (const row of report.rows) {
        const figures: [string, string][] = [['current', row.current], ...Object.entries(row.buckets), ['outstanding', row.outstanding], ['unapplied', row.unapplied]];
        for (const [bucket, figure] of figures) {
          const page = await items({ asOf, by: 'segment', key: row.key, bucket, limit: 500 }, demo);
          expect(page.total, `${asOf} ${row.key} ${bucket}`).toBe(figure);
          if (page.nextOffset === null) {
            // The page holds every item: add them up by hand, in cents.
            const cents = page.items.reduce((sum, i) => sum + BigInt(i.open.replace('.', '')), 0n);
            expect((Number(cents) / 100).toFixed(2)).toBe(figure);
          }
          cells += 1;
        }
      }
    }
    expect(cells).toBeGreaterThan(20);

    // Converted on the demo's own monthly USD rates: the CNY row is the CNY report, the USD row the sum of each USD
    // item converted on its own (convertAmount: half up to the fen) at the rate the report names.
    const converted = await read({ asOf: '2026-06-30', by: 'currency', convert: true }, demo);
    const cny = await read({ asOf: '2026-06-30' }, demo);
    expect(converted.rows.find((r) => r.key === 'CNY')!.outstanding).toBe(cny.totals.outstanding);
    const usdRate = converted.rates.find((r) => r.currency === 'USD')!;
    expect(usdRate.date).toBe('2026-06-01');
    const usdItems = await items({ asOf: '2026-06-30', by: 'currency', convert: true, key: 'USD', limit: 500 }, demo);
    expect(usdItems.nextOffset).toBeNull();
    const byHand = usdItems.items.reduce((sum, i) => sum + convertAmount(BigInt(i.open.replace('.', '')), 'USD', 'CNY', parseDecimal(usdRate.rate, 'rate')), 0n);
    expect(formatAmount(byHand, 'CNY')).toBe(converted.rows.find((r) => r.key === 'USD')!.outstanding);
    expect(usdItems.total).toBe(converted.rows.find((r) => r.key === 'USD')!.outstanding);
  }, 180_000);
});

describe('aging files and the API', () => {
  it('serves the drill-down and the XLSX over HTTP', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${admin}` } });
      const r = await get('/api/v1/reports/aging/items?asOf=2026-06-30&convert=true&key=U1&bucket=91-180');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ total: '7234.50', items: [{ documentNumber: 'INV-U1', daysPastDue: 91, converted: '7234.50' }] });
      expect((await get('/api/v1/reports/aging/items?key=U1&limit=9999')).statusCode).toBe(400);
      const missing = await get('/api/v1/reports/aging?convert=yes');
      expect(missing.statusCode).toBe(400);
      const xlsx = await get('/api/v1/reports/aging?asOf=2026-06-30&convert=true&format=xlsx');
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-disposition']).toBe('attachment; filename="aging-2026-06-30-customer-CNY.xlsx"');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      expect(String(sheet.getCell('A1').value)).toContain('converted at the as-of rates: USD 7.2345 (2026-06-01)');
      // Row 3 the header, then C1, U1 and the total; outstanding is column 10 (key, name, current, six buckets).
      expect(sheet.getRow(3).getCell(10).value).toBe('outstanding');
      expect(sheet.getRow(5).values).toEqual([undefined, 'U1', 'Acme Components Inc.', 4822.96, 0, 0, 0, 7234.5, 0, 0, 12057.46, 723.45, 11334.01]);
      expect(sheet.getRow(6).getCell(10).value).toBe(15857.46);
      const csv = await get('/api/v1/reports/aging?asOf=2026-06-30&currency=USD&format=csv');
      expect(csv.body).toBe('\uFEFFcustomer,name,current,1-30,31-60,61-90,91-180,181-365,over-365,outstanding,unapplied,net\n'
        + 'U1,Acme Components Inc.,666.66,0.00,0.00,0.00,1000.00,0.00,0.00,1666.66,100.00,1566.66\n'
        + 'total,,666.66,0.00,0.00,0.00,1000.00,0.00,0.00,1666.66,100.00,1566.66\n');
    } finally {
      await app.close();
    }
  });

  it('`arflow aging --format csv|xlsx`, converted', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, CLOCK, 'ACME')(argv);
    const csv = await run('--format', 'csv', 'aging', '--convert', '--by', 'currency');
    expect(csv.code, csv.err).toBe(0);
    // At 06-30: CNY 3,800.00 in 61-90; USD 12,057.46 as above.
    expect(csv.out.split('\n')).toEqual([
      'currency,name,current,1-30,31-60,61-90,91-180,181-365,over-365,outstanding,unapplied,net',
      'CNY,CNY,0.00,0.00,0.00,3800.00,0.00,0.00,0.00,3800.00,0.00,3800.00',
      'USD,USD,4822.96,0.00,0.00,0.00,7234.50,0.00,0.00,12057.46,723.45,11334.01',
      'total,,4822.96,0.00,0.00,3800.00,7234.50,0.00,0.00,15857.46,723.45,15134.01',
    ]);
    const table = await run('aging', '--format', 'table', '--convert');
    expect(table.out).toContain('aging as of 2026-06-30 by due date, CNY, converted at the as-of rates: USD 7.2345 (2026-06-01), per customer');
    const noFile = await run('--format', 'xlsx', 'aging');
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/--out/);
    const file = path.join(os.tmpdir(), `aging-${process.pid}.xlsx`);
    const xlsx = await run('--format', 'xlsx', 'aging', '--currency', 'USD', '--out', file);
    expect(xlsx.code, xlsx.err).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets[0]!.getRow(4).getCell(10).value).toBe(1666.66);
    const elsewhere = await run('--format', 'csv', 'customers', 'list');
    expect(elsewhere.code).toBe(2);
  });
});
