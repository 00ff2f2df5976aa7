/**
 * The unapplied cash report (issue 7: "Unapplied cash … has its own report"), on both engines, through the API and
 * the CLI. Figures worked out by hand below.
 *
 * Company UNA (CNY), clock 2026-06-30.
 *   U1 (collector wang)  INV-U1-1 1,000.00 (04-01); PAY-U1-1 1,500.00 (04-10) applied 1,000.00 to it: 500.00 unapplied, 81 days old
 *   U2                   ADV-U2-1 advance 800.00 (06-20): 10 days;   CN-U2-1 credit note 200.00 (02-01): 149 days
 *   U3                   INV-U3-1 300.00 (06-01); PAY-U3-1 300.00 (06-25) applied only on 06-28: nothing unapplied at 06-30,
 *                        all 300.00 at 06-26
 *   U4 (USD)             PAY-U4-1 100.00 USD (06-01): 29 days
 * At 2026-06-30, CNY: 500.00 + 800.00 + 200.00 = 1,500.00 in 3 credits; bands 0-30 800.00, 31-90 500.00, 91+ 200.00.
 * USD: 100.00 in 1 credit, all 0-30. Oldest first: CN-U2-1, PAY-U1-1, PAY-U4-1, ADV-U2-1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { applyCredit, postDocument } from '../src/modules/ledger/index.ts';
import { unappliedCsv, unappliedReport, unappliedXlsx } from '../src/modules/unapplied/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;
const get = (url: string, headers = auth) => app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'UNA' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
  await createCustomer(ctx, { code: 'U1', name: '上海一号贸易有限公司', collector: 'wang' });
  await createCustomer(ctx, { code: 'U2', name: '北京二号科技有限公司' });
  await createCustomer(ctx, { code: 'U3', name: '广州三号电子有限公司' });
  await createCustomer(ctx, { code: 'U4', name: 'Pacific Four LLC', currency: 'USD' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-01-01', rate: '7.1' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-U1-1', customer: 'U1', documentDate: '2026-04-01', dueDate: '2026-05-01', amount: '1000.00' });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-U1-1', customer: 'U1', documentDate: '2026-04-10', amount: '1500.00', appliesTo: [{ document: 'INV-U1-1', amount: '1000.00' }] });
  await postDocument(ctx, { kind: 'advance', number: 'ADV-U2-1', customer: 'U2', documentDate: '2026-06-20', amount: '800.00' });
  await postDocument(ctx, { kind: 'credit_note', number: 'CN-U2-1', customer: 'U2', documentDate: '2026-02-01', amount: '200.00', reason: 'price difference' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-U3-1', customer: 'U3', documentDate: '2026-06-01', dueDate: '2026-07-01', amount: '300.00' });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-U3-1', customer: 'U3', documentDate: '2026-06-25', amount: '300.00' });
  await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-U3-1' }, to: [{ document: 'INV-U3-1', amount: '300.00' }], date: '2026-06-28' });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-U4-1', customer: 'U4', documentDate: '2026-06-01', currency: 'USD', amount: '100.00' });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('unapplied cash report', () => {
  it('lists each credit with something unapplied at the date, oldest first, with totals per currency and age band', async () => {
    const res = await get('/api/v1/reports/unapplied?asOf=2026-06-30');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.rows.map((r: { document: string; unapplied: string; ageDays: number }) => [r.document, r.unapplied, r.ageDays])).toEqual([
      ['CN-U2-1', '200.00', 149], ['PAY-U1-1', '500.00', 81], ['PAY-U4-1', '100.00', 29], ['ADV-U2-1', '800.00', 10],
    ]);
    expect(report.rows[1]).toMatchObject({ customer: 'U1', kind: 'payment', amount: '1500.00', currency: 'CNY', source: 'arflow' });
    expect(report.totals).toEqual([
      { currency: 'CNY', count: 3, unapplied: '1500.00', bands: { '0-30': '800.00', '31-90': '500.00', '91+': '200.00' } },
      { currency: 'USD', count: 1, unapplied: '100.00', bands: { '0-30': '100.00', '31-90': '0.00', '91+': '0.00' } },
    ]);
    expect(report.page).toEqual({ sort: 'age', limit: 100, offset: 0, total: 4, nextOffset: null });
  });

  it('at an earlier date counts only what was dated by then and applied by then: at 06-26 PAY-U3-1 is all unapplied', async () => {
    const report = (await get('/api/v1/reports/unapplied?asOf=2026-06-26&currency=CNY')).json();
    // The advance of 06-20 (6 days) and PAY-U3-1 of 06-25 (1 day, applied only on 06-28) are there; 500 + 800 + 200 + 300 = 1,800.00.
    expect(report.rows.map((r: { document: string; unapplied: string }) => [r.document, r.unapplied])).toEqual([
      ['CN-U2-1', '200.00'], ['PAY-U1-1', '500.00'], ['ADV-U2-1', '800.00'], ['PAY-U3-1', '300.00'],
    ]);
    expect(report.totals).toEqual([{ currency: 'CNY', count: 4, unapplied: '1800.00', bands: { '0-30': '1100.00', '31-90': '500.00', '91+': '200.00' } }]);
    // Before the advance and the payments of April: only the credit note.
    expect((await get('/api/v1/reports/unapplied?asOf=2026-03-31')).json().rows.map((r: { document: string }) => r.document)).toEqual(['CN-U2-1']);
  });

  it('pages (largest first), narrows to a customer, keeps a collector to their customers, refuses bad input by field', async () => {
    const page = (await get('/api/v1/reports/unapplied?currency=CNY&sort=amount&limit=2')).json();
    expect(page.rows.map((r: { document: string }) => r.document)).toEqual(['ADV-U2-1', 'PAY-U1-1']);
    expect(page.page).toMatchObject({ total: 3, nextOffset: 2 });
    expect((await get('/api/v1/reports/unapplied?currency=CNY&sort=amount&limit=2&offset=2')).json().rows.map((r: { document: string }) => r.document)).toEqual(['CN-U2-1']);
    expect((await get('/api/v1/reports/unapplied?customer=U2')).json().totals).toEqual([{ currency: 'CNY', count: 2, unapplied: '1000.00', bands: { '0-30': '800.00', '31-90': '0.00', '91+': '200.00' } }]);
    const wang: Context = { ...ctx, actor: 'wang@una.cn', principal: { tenantId: ctx.tenant.id, userId: null, actor: 'wang@una.cn', name: 'wang', role: 'collector', handle: 'wang', via: 'session' } };
    const mine = await t.db.tenant(ctx.tenant.id, (sql) => unappliedReport(wang, sql, {}));
    expect(mine.rows.map((r) => r.document)).toEqual(['PAY-U1-1']);
    const bad = await get('/api/v1/reports/unapplied?limit=501');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe('querystring.limit');
    const unknown = await get('/api/v1/reports/unapplied?customer=NOPE');
    expect(unknown.statusCode).toBe(404);
  });

  it('gives every row as CSV and XLSX, and in the CLI', async () => {
    const csv = await get('/api/v1/reports/unapplied?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toContain('unapplied-2026-06-30.csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('customer,name,kind,document,date,age_days,currency,amount,unapplied,source,reference');
    expect(lines).toHaveLength(1 + 4 + 2);
    expect(lines.at(-2)).toBe('total,,,,,,CNY,,1500.00,,');
    const xlsx = await get('/api/v1/reports/unapplied?format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const run = cliRunner(t.db, CLOCK, 'UNA');
    const text = await run(['unapplied', '--as-of', '2026-06-30', '--currency', 'CNY']);
    expect(text.err).toBe('');
    expect(text.out).toMatch(/PAY-U1-1\s.*500\.00/);
    expect(text.out).toMatch(/CNY: 3 credits, 1500\.00 unapplied \(0-30 800\.00, 31-90 500\.00, 91\+ 200\.00\)/);
    const json = JSON.parse((await run(['unapplied', '--format', 'json', '--limit', '1'])).out);
    expect(json.page).toMatchObject({ total: 4, nextOffset: 1 });
  });

  it('refuses a file over its row bound before writing anything, naming what to narrow by', async () => {
    // At 06-30 the file would hold 4 credits (3 CNY, 1 USD): over a bound of 3, and within it once narrowed to CNY.
    const refused = t.db.tenant(ctx.tenant.id, (sql) => unappliedCsv(ctx, sql, { asOf: '2026-06-30' }, 3));
    await expect(refused).rejects.toMatchObject({ code: 'TOO_MANY_ROWS', message: 'the file would hold 4 rows, more than 3; choose a currency or a customer' });
    await expect(t.db.tenant(ctx.tenant.id, (sql) => unappliedXlsx(ctx, sql, { asOf: '2026-06-30' }, 3))).rejects.toMatchObject({ code: 'TOO_MANY_ROWS' });
    const cny = await t.db.tenant(ctx.tenant.id, (sql) => unappliedCsv(ctx, sql, { asOf: '2026-06-30', currency: 'CNY' }, 3));
    expect(cny.text.replace(/^\uFEFF/, '').trim().split('\n')).toHaveLength(1 + 3 + 1);
  });
});
