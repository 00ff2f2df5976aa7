/**
 * The KPI set on a real database (both engines): a small ledger with every figure worked out by hand, a payment
 * dated after the as-of date ignored, the trend read from snapshots and changed by a back-dated posting, payment
 * behaviour per customer, and the API and the command line.
 */
import ExcelJS from 'exceljs';
import { openSnapshotReader, withSnapshotReader } from '../src/db/snapshot-reader.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/modules/access/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { customerPaymentBehaviour, kpiSet, kpiTrend, refreshKpiSnapshots } from '../src/modules/kpis/index.ts';
import { loadKpiFigures } from '../src/modules/kpis/figures.ts';
import { tuneForLedgerRead } from '../src/modules/ledger/open-at.ts';
import { postDocument, reverseAllocation } from '../src/modules/ledger/index.ts';
import { startJobs } from '../src/jobs/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z'); // 2026-06-30 in Shanghai
let t: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'ACME' }), CLOCK);
  await createCustomer(ctx, { code: 'C1', name: '上海一号' });
  await createCustomer(ctx, { code: 'C2', name: '北京二号', collector: '赵敏' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  // Before the period (2025-12-31, 2026-03-31]: INV-0 500.00 (C2, due 2025-10-31, never paid) and INV-1 1,000.00.
  await post({ kind: 'invoice', number: 'INV-0', customer: 'C2', documentDate: '2025-10-01', dueDate: '2025-10-31', amount: '500.00' });
  await post({ kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2025-12-10', dueDate: '2026-01-09', amount: '1000.00' });
  // Sales in the period: January 2,000.00, February 3,000.00, March 6,000.00.
  await post({ kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-01-15', dueDate: '2026-02-14', amount: '2000.00' });
  await post({ kind: 'invoice', number: 'INV-3', customer: 'C2', documentDate: '2026-02-20', dueDate: '2026-03-22', amount: '3000.00' });
  await post({ kind: 'invoice', number: 'INV-4', customer: 'C2', documentDate: '2026-03-25', dueDate: '2026-04-24', amount: '6000.00' });
  // PAY-1 pays INV-1 on 2026-01-20: 41 days after its date, 11 beyond its due date. PAY-2 pays 800.00 of INV-2 on
  // 2026-03-01: 45 days after its date, 15 beyond terms.
  await post({ kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-01-20', amount: '1000.00', appliesTo: [{ document: 'INV-1', amount: '1000.00' }] });
  await post({ kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-03-01', amount: '800.00', appliesTo: [{ document: 'INV-2', amount: '800.00' }] });
  // PAY-4 200.00 from C2 on 2026-03-10, not applied: unapplied cash.
  await post({ kind: 'payment', number: 'PAY-4', customer: 'C2', documentDate: '2026-03-10', amount: '200.00' });
  // PAY-3 pays INV-3 on 2026-04-05: after 2026-03-31, so not there at that date.
  await post({ kind: 'payment', number: 'PAY-3', customer: 'C2', documentDate: '2026-04-05', amount: '3000.00', appliesTo: [{ document: 'INV-3', amount: '3000.00' }] });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const read = <T>(fn: (sql: Parameters<Parameters<typeof t.db.tenant>[1]>[0]) => Promise<T>) => t.db.tenant(ctx.tenant.id, fn);

describe('the KPI set at a past date', () => {
  it('computes every KPI from what was true at 2026-03-31, ignoring the payment of 04-05', async () => {
    const r = await read((sql) => kpiSet(ctx, sql, { asOf: '2026-03-31' }));
    expect(r.period).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    // Open at 03-31: INV-0 500.00 (151 days past due), INV-2 1,200.00 (45 days), INV-3 3,000.00 (9 days: PAY-3 is
    // later), INV-4 6,000.00 (not due) = 10,700.00; current 6,000.00; overdue 4,700.00; over 90 days 500.00.
    // At the start (2025-12-31): INV-0 500.00 + INV-1 1,000.00 = 1,500.00. Sales: 2,000 + 3,000 + 6,000 = 11,000.00.
    expect(r.figures).toEqual({
      outstanding: '10700.00', current: '6000.00', overdue: '4700.00', over90: '500.00', topCustomers: '10700.00',
      unappliedCash: '200.00', unappliedCredits: '200.00', beginning: '1500.00', sales: '11000.00', paid: '1800.00',
    });
    expect(r.kpis).toMatchObject({
      // 10,700 − 6,000 (March) − 3,000 (February) = 1,700 of January's 2,000: 31 + 28 + 1,700 / 2,000 × 31
      // = 59 + 26.35 = 85.35 → 85.4 (half away from zero).
      dsoCountback: { value: '85.4', unit: 'days' },
      // 10,700 / 11,000 × 90 = 87.545… → 87.5; current 6,000 / 11,000 × 90 = 49.09… → 49.1;
      // ADD = 4,700 / 11,000 × 90 = 38.45… → 38.5.
      dsoStandard: { value: '87.5' },
      bestPossibleDso: { value: '49.1' },
      averageDaysDelinquent: { value: '38.5' },
      // (1,500 + 11,000 − 10,700) / (1,500 + 11,000 − 6,000) = 1,800 / 6,500 = 27.692…% → 27.69.
      collectionEffectiveness: { value: '27.69', unit: 'percent' },
      // 2 × 11,000 × 365 / ((1,500 + 10,700) × 90) = 8,030,000 / 1,098,000 = 7.313… → 7.31 times a year.
      arTurnover: { value: '7.31', unit: 'times' },
      // 4,700 / 10,700 = 43.925…% → 43.93; 500 / 10,700 = 4.672…% → 4.67.
      overdueShare: { value: '43.93' },
      over90Share: { value: '4.67' },
      // (1,000 × 41 + 800 × 45) / 1,800 = 77,000 / 1,800 = 42.77… → 42.8; (1,000 × 11 + 800 × 15) / 1,800 = 12.77… → 12.8.
      averageDaysToPay: { value: '42.8' },
      averageDaysBeyondTerms: { value: '12.8' },
      // Two customers: the top ten hold everything.
      top10Concentration: { value: '100.00' },
      // No dispute raised in this company: 0 of 10,700.00 is disputed (test/disputes.test.ts has one that is).
      disputedShare: { value: '0.00' },
      unappliedCash: { value: '200.00', unit: 'amount' },
      arBalance: { value: '10700.00', unit: 'amount' },
    });
  });

  it('leaves out a payment undone on or before the as-of date, and counts it before it was undone', async () => {
    // Its own company: INV-U 1,000.00 dated 2026-01-10, due 2026-02-09. PAY-A pays 400.00 on 02-19 (40 days to pay,
    // 10 beyond terms); PAY-B pays 600.00 on 03-01 (50 days, 20 beyond), undone on 03-10.
    const other = contextFor(t.db, await makeTenant(t.db, { code: 'UNDONE' }), CLOCK);
    await createCustomer(other, { code: 'U1', name: '深圳一号' });
    await postDocument(other, { kind: 'invoice', number: 'INV-U', customer: 'U1', documentDate: '2026-01-10', dueDate: '2026-02-09', amount: '1000.00' });
    await postDocument(other, { kind: 'payment', number: 'PAY-A', customer: 'U1', documentDate: '2026-02-19', amount: '400.00', appliesTo: [{ document: 'INV-U', amount: '400.00' }] });
    const payB = await postDocument(other, { kind: 'payment', number: 'PAY-B', customer: 'U1', documentDate: '2026-03-01', amount: '600.00', appliesTo: [{ document: 'INV-U', amount: '600.00' }] });
    await reverseAllocation(other, payB.allocations[0]!.id, { reason: 'bounced', date: '2026-03-10' });
    const at = (asOf: string) => t.db.tenant(other.tenant.id, (sql) => kpiSet(other, sql, { asOf }));
    // At 03-05: both payments count: 400 + 600 = 1,000.00 paid; days to pay (400 × 40 + 600 × 50) / 1,000 = 46.0;
    // beyond terms (400 × 10 + 600 × 20) / 1,000 = 16.0; nothing open.
    const before = await at('2026-03-05');
    expect(before.figures).toMatchObject({ paid: '1000.00', outstanding: '0.00' });
    expect([before.kpis.averageDaysToPay.value, before.kpis.averageDaysBeyondTerms.value]).toEqual(['46.0', '16.0']);
    // At 03-31: PAY-B was undone on 03-10: paid 400.00 (40.0 and 10.0 days); 600.00 open again, PAY-B unapplied.
    const after = await at('2026-03-31');
    expect(after.figures).toMatchObject({ paid: '400.00', outstanding: '600.00', unappliedCash: '600.00' });
    expect([after.kpis.averageDaysToPay.value, after.kpis.averageDaysBeyondTerms.value]).toEqual(['40.0', '10.0']);
  });

  it('counts PAY-3 a month later', async () => {
    const r = await read((sql) => kpiSet(ctx, sql, { asOf: '2026-04-30', periodDays: 30 }));
    // 10,700 − 3,000 = 7,700.00 open; no sales in April: standard DSO is not defined.
    expect(r.figures).toMatchObject({ outstanding: '7700.00', sales: '0.00', paid: '3000.00' });
    expect(r.kpis.dsoStandard).toEqual({ value: null, unit: 'days', reason: 'no credit sales in the period' });
    // PAY-3: 04-05 − 02-20 = 44 days to pay, 04-05 − 03-22 = 14 beyond terms.
    expect(r.kpis.averageDaysToPay.value).toBe('44.0');
    expect(r.kpis.averageDaysBeyondTerms.value).toBe('14.0');
  });

  it('walks countback DSO back past half a year when the receivables outlast it', async () => {
    const r = await read((sql) => kpiSet(ctx, sql, { asOf: '2026-12-31', periodDays: 30 }));
    // 7,700.00 owed; no sales July to December (184 days) nor April to June (91 days); March's 6,000.00 (31 days)
    // leaves 1,700.00 of February's 3,000.00 (28 days): 184 + 91 + 31 + 1,700 / 3,000 × 28 = 306 + 15.87 = 321.9 days.
    expect(r.figures.outstanding).toBe('7700.00');
    expect(r.kpis.dsoCountback.value).toBe('321.9');
  });

  it('reads the same figures on two connections as on one (PostgreSQL reads part of the set on a second)', async () => {
    const q = { tenantId: ctx.tenant.id, asOf: '2026-03-31', currency: 'CNY', periodDays: 90, scope: null };
    const one = await read((sql) => loadKpiFigures(sql, q, null));
    const two = await read((sql) => withSnapshotReader(t.db, sql, ctx.tenant.id, { setup: tuneForLedgerRead, sameView: true }, async (reader) => {
      expect(reader === null).toBe(t.db.engine === 'pglite');
      return loadKpiFigures(sql, q, reader);
    }));
    expect(two).toEqual(one);
    // As worked out above: 10,700.00 open at 03-31, all of it with the two customers (the ten largest); no dispute.
    expect([one.outstandingMinor, one.topCustomersMinor, one.salesMinor, one.disputedMinor]).toEqual([1_070_000n, 1_070_000n, 1_100_000n, 0n]);
  });

  // PostgreSQL only: PGlite is one connection, there is never a second.
  it.runIf(Boolean(process.env.DATABASE_URL))('reads on its own connection once its transaction has written (a second one would not see the change)', async () => {
    await read(async (sql) => {
      const clean = await openSnapshotReader(t.db, sql, ctx.tenant.id, { sameView: true });
      expect(clean).not.toBeNull();
      await clean!.close();
      await sql.query('SELECT txid_current()'); // takes a transaction id, as the first write does
      expect(await openSnapshotReader(t.db, sql, ctx.tenant.id, { sameView: true })).toBeNull();
      const other = await openSnapshotReader(t.db, sql, ctx.tenant.id);
      expect(other).not.toBeNull();
      await other!.close();
    });
  });

  it('refuses a bad date, currency or period, naming the field', async () => {
    await expect(read((sql) => kpiSet(ctx, sql, { asOf: '2026-02-30' }))).rejects.toThrow(/asOf/);
    await expect(read((sql) => kpiSet(ctx, sql, { currency: 'XXX' }))).rejects.toThrow(/currency/);
    await expect(read((sql) => kpiSet(ctx, sql, { periodDays: 1000 }))).rejects.toThrow(/periodDays/);
  });
});

describe('payment behaviour per customer', () => {
  it('weights each customer\'s payments by amount', async () => {
    const r = await read((sql) => customerPaymentBehaviour(ctx, sql, { asOf: '2026-04-30', periodDays: 120 }));
    // (2026-01-01, 04-30]: C1 paid 1,800.00 as above; C2 paid INV-3 with PAY-3: 44 days, 14 beyond terms.
    expect(r.rows).toEqual([
      { customer: 'C2', name: '北京二号', paid: '3000.00', allocations: 1, averageDaysToPay: '44.0', averageDaysBeyondTerms: '14.0' },
      { customer: 'C1', name: '上海一号', paid: '1800.00', allocations: 2, averageDaysToPay: '42.8', averageDaysBeyondTerms: '12.8' },
    ]);
    const byPaid = await read((sql) => customerPaymentBehaviour(ctx, sql, { asOf: '2026-04-30', periodDays: 120, sort: 'paid', order: 'asc', limit: 1 }));
    expect(byPaid.rows.map((x) => x.customer)).toEqual(['C1']);
    expect(byPaid).toMatchObject({ total: 2, nextCursor: '1' });
    const next = await read((sql) => customerPaymentBehaviour(ctx, sql, { asOf: '2026-04-30', periodDays: 120, sort: 'paid', order: 'asc', limit: 1, cursor: '1' }));
    expect(next.rows.map((x) => x.customer)).toEqual(['C2']);
    expect(next.nextCursor).toBeNull();
    await expect(read((sql) => customerPaymentBehaviour(ctx, sql, { limit: 500 }))).rejects.toThrow(/limit/);
  });
});

describe('the API and the command line', () => {
  it('answers the KPI set, the trend and the customers over HTTP; a collector gets her own customers', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
      const bearer = { authorization: `Bearer ${admin}` };
      const set = await get('/api/v1/reports/kpis?asOf=2026-03-31', bearer);
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json().kpis.dsoCountback.value).toBe('85.4');
      const bad = await get('/api/v1/reports/kpis/trend?months=37', bearer);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/months/);
      const customers = await get('/api/v1/reports/kpis/customers?asOf=2026-03-31', bearer);
      expect(customers.json().rows).toEqual([expect.objectContaining({ customer: 'C1', paid: '1800.00' })]);
      // 赵敏 collects C2 only: at 03-31 she sees INV-0 500.00, INV-3 3,000.00 and INV-4 6,000.00 = 9,500.00, of
      // which 6,000.00 current: overdue 3,500 / 9,500 = 36.842…% → 36.84.
      await createUser(ctx, { email: 'zhao@acme.example', name: '赵敏', handle: '赵敏', role: 'collector', password: 'collections every morning' });
      const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'zhao@acme.example', password: 'collections every morning' } });
      const cookie = { cookie: String(signIn.headers['set-cookie']).split(';')[0]! };
      const mine = await get('/api/v1/reports/kpis?asOf=2026-03-31', cookie);
      expect(mine.json().figures).toMatchObject({ outstanding: '9500.00', current: '6000.00' });
      expect(mine.json().kpis.overdueShare.value).toBe('36.84');
      const myCustomers = await get('/api/v1/reports/kpis/customers?asOf=2026-03-31', cookie);
      expect(myCustomers.json().rows).toEqual([]);
      const myTrend = await get('/api/v1/reports/kpis/trend?asOf=2026-03-31&months=2', cookie);
      expect(myTrend.json().points.map((p: { source: string }) => p.source)).toEqual(['computed', 'computed']);
      expect(myTrend.json().points[1].kpis.arBalance.value).toBe('9500.00');
      // The file: XLSX with the three sheets, the KPI figures as numbers; CSV with the same tables.
      const xlsx = await app.inject({ method: 'GET', url: '/api/v1/reports/kpis/export?asOf=2026-03-31&months=3&lang=en', headers: bearer });
      expect(xlsx.statusCode, xlsx.body).toBe(200);
      expect(xlsx.headers['content-disposition']).toBe('attachment; filename="kpis-2026-03-31-CNY.xlsx"');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(workbook.worksheets.map((ws) => ws.name)).toEqual(['KPIs', 'Monthly trend', 'Payment behaviour']);
      const kpiSheet = workbook.getWorksheet('KPIs')!;
      expect(kpiSheet.getRow(3).values).toEqual([undefined, 'DSO (countback)', 85.4, 'days', '']);
      expect(workbook.getWorksheet('Payment behaviour')!.getRow(2).values).toEqual([undefined, 'C1', '上海一号', 1800, 2, 42.8, 12.8]);
      const csv = await app.inject({ method: 'GET', url: '/api/v1/reports/kpis/export?asOf=2026-03-31&months=3&format=csv&lang=zh-CN', headers: bearer });
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body).toContain('应收账款周转天数（倒推法）,85.4,天,');
      expect(csv.body).toContain('争议占比,0.00,%,');
      // The collector's file holds her customers only.
      const hers = await app.inject({ method: 'GET', url: '/api/v1/reports/kpis/export?asOf=2026-03-31&format=csv&lang=en', headers: cookie });
      expect(hers.body).toContain('AR balance,9500.00,CNY,');
    } finally {
      await app.close();
    }
  });

  it('prints the KPIs from `arflow kpi`, as a table and as JSON', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, CLOCK, 'ACME')(argv);
    const text = await run('kpi', '--as-of', '2026-03-31');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('KPIs as of 2026-03-31, CNY, period 2026-01-01 to 2026-03-31');
    expect(text.out).toMatch(/DSO \(countback\)\s+85\.4 days/);
    expect(text.out).toMatch(/disputed share\s+0\.00%/);
    const json = await run('--format', 'json', 'kpi', '--as-of', '2026-03-31', '--trend', '3');
    expect(JSON.parse(json.out)).toMatchObject({ kpis: { asOf: '2026-03-31', kpis: { dsoStandard: { value: '87.5' } } }, trend: { points: [{ asOf: '2026-01-31' }, { asOf: '2026-02-28' }, { asOf: '2026-03-31' }] } });
    const refused = await run('kpi', '--trend', '40');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/months/);
  });
});

describe('trends from snapshots', () => {
  it('stores past points, reads them back, and recomputes those a back-dated posting changed', async () => {
    const trend = () => read((sql) => kpiTrend(ctx, sql, { asOf: '2026-06-30', months: 4 }));
    const first = await trend();
    // 03-31 was stored by `arflow kpi --trend 3` above; 04-30 and 05-31 are past: computed and stored; 06-30 is
    // today: computed, not stored.
    expect(first.points.map((p) => [p.asOf, p.source])).toEqual([
      ['2026-03-31', 'snapshot'], ['2026-04-30', 'computed'], ['2026-05-31', 'computed'], ['2026-06-30', 'computed'],
    ]);
    const second = await trend();
    expect(second.points.map((p) => p.source)).toEqual(['snapshot', 'snapshot', 'snapshot', 'computed']);
    expect(second.points.map((p) => p.kpis.arBalance.value)).toEqual(['10700.00', '7700.00', '7700.00', '7700.00']);
    // An invoice of 1,000.00 dated 2026-04-10, posted today: 03-31 still holds, 04-30 and later are recomputed.
    await postDocument(ctx, { kind: 'invoice', number: 'INV-5', customer: 'C1', documentDate: '2026-04-10', dueDate: '2026-05-10', amount: '1000.00' });
    const third = await trend();
    expect(third.points.map((p) => p.source)).toEqual(['snapshot', 'computed', 'computed', 'computed']);
    expect(third.points.map((p) => p.kpis.arBalance.value)).toEqual(['10700.00', '8700.00', '8700.00', '8700.00']);
    // A payment dated 2026-03-31 moves the 03-31 point too: 500.00 of INV-0 paid then → 10,200.00.
    await postDocument(ctx, { kind: 'payment', number: 'PAY-5', customer: 'C2', documentDate: '2026-03-31', amount: '500.00', appliesTo: [{ document: 'INV-0', amount: '500.00' }] });
    const fourth = await trend();
    expect(fourth.points.map((p) => [p.source, p.kpis.arBalance.value])).toEqual([
      ['computed', '10200.00'], ['computed', '8200.00'], ['computed', '8200.00'], ['computed', '8200.00'],
    ]);
  });

  it('does not store a snapshot that misses a posting committed while it was computed', async () => {
    await read((sql) => sql.query(`DELETE FROM kpi_snapshots`));
    // A posting held open after its rows (and its trigger) are in, until `release`.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => { inserted = resolve; });
    const held = { ...ctx, db: { ...t.db, tenant: ((id, fn, options) => t.db.tenant(id, async (sql, preloaded) => {
      const result = await fn(sql, preloaded);
      inserted();
      await gate;
      return result;
    }, options)) as typeof t.db.tenant } };
    // INV-6 100.00 dated 2026-05-20.
    const posting = postDocument(held, { kind: 'invoice', number: 'INV-6', customer: 'C1', documentDate: '2026-05-20', dueDate: '2026-06-19', amount: '100.00' });
    await insertedYet;
    let done = false;
    const trend = read((sql) => kpiTrend(ctx, sql, { asOf: '2026-06-30', months: 2 })).finally(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The trend has to store 05-31, so it waits for the posting in flight.
    expect(done).toBe(false);
    release();
    await posting;
    // 8,200.00 at 05-31 before, + INV-6 100.00.
    expect((await trend).points.map((p) => [p.asOf, p.source, p.kpis.arBalance.value])).toEqual([['2026-05-31', 'computed', '8300.00'], ['2026-06-30', 'computed', '8300.00']]);
    const again = await read((sql) => kpiTrend(ctx, sql, { asOf: '2026-06-30', months: 2 }));
    expect(again.points[0]).toMatchObject({ source: 'snapshot', kpis: { arBalance: { value: '8300.00' } } });
  });

  it('fills yesterday and the last month ends for the job, computing only what is missing', async () => {
    const computed = await refreshKpiSnapshots(ctx, 3);
    // Yesterday 06-29 and the month ends 03-31, 04-30, 05-31: only 05-31 is there from the trend above.
    expect(computed).toEqual(['2026-03-31', '2026-04-30', '2026-06-29']);
    expect(await refreshKpiSnapshots(ctx, 3)).toEqual([]);
  });
});

describe('the kpi.snapshot job', () => {
  it('fills each company\'s snapshots for yesterday and the last month ends', async () => {
    const other = contextFor(t.db, await makeTenant(t.db, { code: 'JOBS' }), CLOCK);
    await createCustomer(other, { code: 'J1', name: 'Job customer' });
    await postDocument(other, { kind: 'invoice', number: 'J-1', customer: 'J1', documentDate: '2026-05-15', dueDate: '2026-06-14', amount: '250.00' });
    const worker = await startJobs(t.db, { clock: CLOCK, work: true });
    try {
      await t.db.tenant(other.tenant.id, (sql) => worker.enqueue(sql, 'kpi.snapshot', {}));
      let dates: string[] = [];
      for (let i = 0; i < 60 && dates.length < 13; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        dates = (await t.db.tenant(other.tenant.id, (sql) => sql.query<{ asOf: string }>(`SELECT as_of AS "asOf" FROM kpi_snapshots ORDER BY as_of`))).map((r) => r.asOf);
      }
      // Yesterday (2026-06-29) and the 12 month ends before it, 2025-06-30 to 2026-05-31.
      expect(dates).toHaveLength(13);
      expect([dates[0], dates[11], dates[12]]).toEqual(['2025-06-30', '2026-05-31', '2026-06-29']);
      const trend = await t.db.tenant(other.tenant.id, (sql) => kpiTrend(other, sql, { asOf: '2026-06-29', months: 2 }));
      expect(trend.points.map((p) => [p.asOf, p.source, p.kpis.arBalance.value])).toEqual([['2026-05-31', 'snapshot', '250.00'], ['2026-06-29', 'snapshot', '250.00']]);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
