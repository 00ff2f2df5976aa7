/**
 * The aging report in SQL, on both engines: hand-computed figures on a small ledger, and on the demo company's 18
 * months the same figures as the pure rules (src/domain/aging.ts) at several past dates and on both bases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageLedger, bucketsFrom, type AgingAllocation, type AgingItem } from '../src/domain/aging.ts';
import { addDays } from '../src/domain/dates.ts';
import { formatAmount } from '../src/domain/money.ts';
import { createDemo } from '../src/demo/demo.ts';
import { agingReport, agingReportAll } from '../src/modules/aging/index.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { createTerms } from '../src/modules/terms/index.ts';
import { listTenants, type Tenant } from '../src/modules/tenants/index.ts';
import { postDocument, reverseAllocation } from '../src/modules/ledger/index.ts';
import type { Context } from '../src/modules/context.ts';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/modules/access/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  t = await openTestDatabase();
  const acme = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, acme, CLOCK);
  await createTerms(ctx, { code: 'SPLIT', installments: '40@0,60@30' });
  await createCustomer(ctx, { code: 'C1', name: '上海一号', segment: 'key' });
  await createCustomer(ctx, { code: 'C2', name: '北京二号', segment: 'small' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  // C1: INV-1 1,000.00 dated 2026-01-15 in two installments: 400.00 due 01-15, 600.00 due 02-14.
  await post({ kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-01-15', paymentTerms: 'SPLIT', amount: '1000.00' });
  // PAY-1 150.00 on 02-01 pays the oldest installment in part: 250.00 of it open from then.
  await post({ kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-02-01', amount: '150.00', appliesTo: [{ document: 'INV-1', amount: '150.00' }] });
  // PAY-2 600.00 on 04-10 pays the rest of the first installment (250.00) and 350.00 of the second.
  await post({ kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-04-10', amount: '600.00', appliesTo: [{ document: 'INV-1', amount: '600.00' }] });
  // C2: INV-2 300.00 dated and due 2026-03-31; a credit note of 50.00 on 03-20 not applied.
  await post({ kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-03-31', dueDate: '2026-03-31', amount: '300.00' });
  await post({ kind: 'credit_note', number: 'CN-1', customer: 'C2', documentDate: '2026-03-20', amount: '50.00' });
  // PAY-3 300.00 on 04-05 paid INV-2, then the allocation was undone on 04-20 (wrong customer).
  const pay3 = await post({ kind: 'payment', number: 'PAY-3', customer: 'C2', documentDate: '2026-04-05', amount: '300.00', appliesTo: [{ document: 'INV-2' }] });
  await reverseAllocation(ctx, pay3.allocations[0]!.id, { reason: 'wrong customer', date: '2026-04-20' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const read = (query: Parameters<typeof agingReport>[2]) => t.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, query));

describe('aging report', () => {
  it('at 2026-03-31 shows what was open then, aged by each installment\'s due date', async () => {
    const r = await read({ asOf: '2026-03-31' });
    expect(r.buckets.map((b) => b.key)).toEqual(['current', '1-30', '31-60', '61-90', '91-180', '181-365', 'over-365']);
    // C1 at 03-31: installment 1 (due 01-15, 75 days past due) has 250.00 open → 61-90; installment 2 (due 02-14,
    // 45 days) 600.00 → 31-60. PAY-2 (04-10) has not happened yet.
    expect(r.rows[0]).toEqual({
      key: 'C1', name: '上海一号', current: '0.00',
      buckets: { '1-30': '0.00', '31-60': '600.00', '61-90': '250.00', '91-180': '0.00', '181-365': '0.00', 'over-365': '0.00' },
      outstanding: '850.00', disputed: '0.00', unapplied: '0.00', net: '850.00',
    });
    // C2 at 03-31: INV-2 due today is current (300.00); CN-1 unapplied 50.00; net 250.00. PAY-3 is later.
    expect(r.rows[1]).toMatchObject({ key: 'C2', current: '300.00', outstanding: '300.00', unapplied: '50.00', net: '250.00' });
    expect(r.totals).toMatchObject({ current: '300.00', outstanding: '1150.00', unapplied: '50.00', net: '1100.00' });
  });

  it('at 2026-04-15 counts PAY-2 and PAY-3, and at 2026-04-30 the undone allocation again', async () => {
    const mid = await read({ asOf: '2026-04-15' });
    // C1: 1,000.00 − 150.00 − 600.00 = 250.00 left of installment 2 (due 02-14, 60 days past due at 04-15: 31-60).
    expect(mid.rows.find((r) => r.key === 'C1')).toMatchObject({ buckets: { '31-60': '250.00', '61-90': '0.00' }, outstanding: '250.00' });
    // C2: INV-2 paid by PAY-3 on 04-05: nothing owed; CN-1 still 50.00 unapplied.
    expect(mid.rows.find((r) => r.key === 'C2')).toMatchObject({ outstanding: '0.00', unapplied: '50.00', net: '-50.00' });
    const end = await read({ asOf: '2026-04-30' });
    // The allocation undone on 04-20: INV-2 (30 days past due: 1-30) open again, PAY-3's 300.00 unapplied again.
    expect(end.rows.find((r) => r.key === 'C2')).toMatchObject({ buckets: { '1-30': '300.00' }, outstanding: '300.00', unapplied: '350.00', net: '-50.00' });
  });

  it('ages by document date, groups by segment, and takes other buckets', async () => {
    // By document date at 03-31: INV-1 (01-15) is 75 days old → both installments, 850.00, in 61-90.
    const byDocument = await read({ asOf: '2026-03-31', basis: 'document' });
    expect(byDocument.rows[0]).toMatchObject({ key: 'C1', buckets: { '61-90': '850.00', '31-60': '0.00' } });
    const bySegment = await read({ asOf: '2026-03-31', by: 'segment', buckets: '45' });
    expect(bySegment.buckets.map((b) => b.key)).toEqual(['current', '1-45', 'over-45']);
    // key: 600.00 (45 days) in 1-45, 250.00 (75 days) over 45; small: 300.00 current.
    expect(bySegment.rows).toEqual([
      { key: 'key', name: 'key', current: '0.00', buckets: { '1-45': '600.00', 'over-45': '250.00' }, outstanding: '850.00', disputed: '0.00', unapplied: '0.00', net: '850.00' },
      { key: 'small', name: 'small', current: '300.00', buckets: { '1-45': '0.00', 'over-45': '0.00' }, outstanding: '300.00', disputed: '0.00', unapplied: '50.00', net: '250.00' },
    ]);
  });

  it('leaves out documents dated after the as-of date', async () => {
    const early = await read({ asOf: '2026-01-31' });
    // Only INV-1 existed: installment 1 (due 01-15, 16 days) 400.00 in 1-30, installment 2 not yet due (current).
    expect(early.rows).toEqual([expect.objectContaining({ key: 'C1', current: '600.00', outstanding: '1000.00' })]);
    expect(early.rows[0]!.buckets['1-30']).toBe('400.00');
  });

  it('refuses bad buckets and dates, naming the field', async () => {
    await expect(read({ asOf: '2026-02-30' })).rejects.toThrow(/asOf/);
    await expect(read({ buckets: '60,30' })).rejects.toThrow(/^buckets: /);
  });
});

describe('aging report in pages', () => {
  // Its own company, five customers with open items at 2026-03-31 and one settled:
  //   P1 Delta   INV 100.00                       outstanding 100.00
  //   P2 Bravo   INV 500.00                       outstanding 500.00
  //   P3 Alpha   INV 300.00                       outstanding 300.00
  //   P4 Echo    INV 200.00 + INV 300.00          outstanding 500.00 (ties with P2: by key, P2 first)
  //   P5 Charlie credit note 40.00, not applied   outstanding 0.00, unapplied 40.00
  //   P6 Foxtrot INV 250.00 paid in full on 03-15: nothing open at 03-31, no row
  // Totals: outstanding 100 + 500 + 300 + 500 = 1,400.00; unapplied 40.00; net 1,360.00; 5 rows.
  let pages: Context;
  const readPage = (query: Parameters<typeof agingReport>[2]) => t.db.tenant(pages.tenant.id, (sql) => agingReport(pages, sql, query));
  beforeAll(async () => {
    pages = contextFor(t.db, await makeTenant(t.db, { code: 'PAGES' }), CLOCK);
    for (const [code, name] of [['P1', 'Delta'], ['P2', 'Bravo'], ['P3', 'Alpha'], ['P4', 'Echo'], ['P5', 'Charlie'], ['P6', 'Foxtrot']]) await createCustomer(pages, { code: code!, name: name! });
    const invoice = (number: string, customer: string, amount: string) => postDocument(pages, { kind: 'invoice', number, customer, documentDate: '2026-03-01', dueDate: '2026-03-31', amount });
    await invoice('I1', 'P1', '100.00');
    await invoice('I2', 'P2', '500.00');
    await invoice('I3', 'P3', '300.00');
    await invoice('I4a', 'P4', '200.00');
    await invoice('I4b', 'P4', '300.00');
    await postDocument(pages, { kind: 'credit_note', number: 'CN5', customer: 'P5', documentDate: '2026-03-10', amount: '40.00' });
    await invoice('I6', 'P6', '250.00');
    await postDocument(pages, { kind: 'payment', number: 'PAY6', customer: 'P6', documentDate: '2026-03-15', amount: '250.00', appliesTo: [{ document: 'I6' }] });
  });

  it('sorts by outstanding (largest first, ties by key), pages in that order, and totals every row on every page', async () => {
    const keys = (r: { rows: { key: string }[] }) => r.rows.map((x) => x.key);
    const first = await readPage({ asOf: '2026-03-31', limit: 2 });
    expect(keys(first)).toEqual(['P2', 'P4']);
    expect(first.page).toEqual({ sort: 'outstanding', limit: 2, offset: 0, total: 5, nextOffset: 2 });
    const second = await readPage({ asOf: '2026-03-31', limit: 2, offset: 2 });
    expect(keys(second)).toEqual(['P3', 'P1']);
    expect(second.page.nextOffset).toBe(4);
    const last = await readPage({ asOf: '2026-03-31', limit: 2, offset: 4 });
    expect(last.rows).toEqual([expect.objectContaining({ key: 'P5', name: 'Charlie', outstanding: '0.00', unapplied: '40.00', net: '-40.00' })]);
    expect(last.page.nextOffset).toBeNull();
    const beyond = await readPage({ asOf: '2026-03-31', limit: 2, offset: 10 });
    expect(beyond.rows).toEqual([]);
    for (const page of [first, second, last, beyond]) {
      expect(page.totals).toMatchObject({ current: '1400.00', outstanding: '1400.00', unapplied: '40.00', net: '1360.00' });
      expect(page.page.total).toBe(5);
    }
    // The pages' rows add up to the totals: 500 + 500 + 300 + 100 + 0 = 1,400.00 outstanding, 40.00 unapplied.
    const cents = (v: string) => BigInt(v.replace('.', ''));
    const rows = [...first.rows, ...second.rows, ...last.rows];
    expect(rows.reduce((sum, r) => sum + cents(r.outstanding), 0n)).toBe(140000n);
    expect(rows.reduce((sum, r) => sum + cents(r.unapplied), 0n)).toBe(4000n);
  });

  it('sorts by key or by name on request, and refuses a page out of bounds naming the field', async () => {
    expect((await readPage({ asOf: '2026-03-31', sort: 'key', limit: 3, offset: 1 })).rows.map((r) => r.key)).toEqual(['P2', 'P3', 'P4']);
    // Alpha P3, Bravo P2, Charlie P5, Delta P1, Echo P4.
    expect((await readPage({ asOf: '2026-03-31', sort: 'name' })).rows.map((r) => r.name)).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
    await expect(readPage({ asOf: '2026-03-31', limit: 1001 })).rejects.toThrow(/^aging: limit: /);
    await expect(readPage({ asOf: '2026-03-31', limit: 0 })).rejects.toThrow(/^aging: limit: /);
    await expect(readPage({ asOf: '2026-03-31', offset: -1 })).rejects.toThrow(/^aging: offset: /);
  });

  it('gives every row in the CSV, the API\'s and the command line\'s, with the total line', async () => {
    // Key order; the total line: current 1,400.00 (every invoice due 03-31 is current at 03-31), net 1,360.00.
    const expected = [
      'customer,name,current,1-30,31-60,61-90,91-180,181-365,over-365,outstanding,unapplied,net',
      'P1,Delta,100.00,0.00,0.00,0.00,0.00,0.00,0.00,100.00,0.00,100.00',
      'P2,Bravo,500.00,0.00,0.00,0.00,0.00,0.00,0.00,500.00,0.00,500.00',
      'P3,Alpha,300.00,0.00,0.00,0.00,0.00,0.00,0.00,300.00,0.00,300.00',
      'P4,Echo,500.00,0.00,0.00,0.00,0.00,0.00,0.00,500.00,0.00,500.00',
      'P5,Charlie,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,40.00,-40.00',
      'total,,1400.00,0.00,0.00,0.00,0.00,0.00,0.00,1400.00,40.00,1360.00',
    ];
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const csv = await app.inject({ method: 'GET', url: '/api/v1/reports/aging?asOf=2026-03-31&format=csv&limit=1', headers: { authorization: `Bearer ${await adminToken(pages)}` } });
      expect(csv.statusCode, csv.body).toBe(200);
      expect(csv.body.replace(/^\uFEFF/, '').trimEnd().split('\n')).toEqual(expected);
      // Written whole before it is sent (the transaction ends first), so the file has its length: every byte of it.
      expect(Number(csv.headers['content-length'])).toBe(csv.rawPayload.length);
    } finally {
      await app.close();
    }
    const { code, out } = await cliRunner(t.db, CLOCK, 'PAGES')(['--format', 'csv', 'aging', '--as-of', '2026-03-31']);
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n')).toEqual(expected);
  });
});

describe('aging through the API and the command line', () => {
  it('answers the same report over HTTP, refuses bad input with 400, and ages a collector\'s own customers only', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const r = await get('/api/v1/reports/aging?asOf=2026-03-31&by=customer', admin);
      expect(r.statusCode).toBe(200);
      expect(r.json().totals).toMatchObject({ outstanding: '1150.00', unapplied: '50.00', net: '1100.00' });
      // Both customers on the default page (100 rows), largest outstanding first: C1 850.00, C2 300.00.
      expect(r.json().page).toEqual({ sort: 'outstanding', limit: 100, offset: 0, total: 2, nextOffset: null });
      expect(r.json().rows.map((x: { key: string }) => x.key)).toEqual(['C1', 'C2']);
      // A page of one: C1 only, the totals still both customers' (850.00 + 300.00 = 1,150.00); then C2 from offset 1.
      const one = await get('/api/v1/reports/aging?asOf=2026-03-31&by=customer&limit=1', admin);
      expect(one.json()).toMatchObject({ page: { limit: 1, offset: 0, total: 2, nextOffset: 1 }, totals: r.json().totals });
      expect(one.json().rows.map((x: { key: string }) => x.key)).toEqual(['C1']);
      const two = await get('/api/v1/reports/aging?asOf=2026-03-31&by=customer&limit=1&offset=1', admin);
      expect(two.json()).toMatchObject({ page: { offset: 1, total: 2, nextOffset: null }, rows: [{ key: 'C2', outstanding: '300.00' }], totals: { outstanding: '1150.00' } });
      for (const [query, field] of [['limit=1001', 'limit'], ['limit=0', 'limit'], ['offset=-1', 'offset'], ['sort=amount', 'sort']]) {
        const refused = await get(`/api/v1/reports/aging?asOf=2026-03-31&${query}`, admin);
        expect(refused.statusCode, query).toBe(400);
        expect(refused.json().details.map((d: { field: string }) => d.field), query).toContain(`querystring.${field}`);
      }
      const bad = await get('/api/v1/reports/aging?asOf=2026-03-31&buckets=90,30', admin);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/^buckets: /);
      // An API token with the collector role has no handle: it ages no customer at all.
      const tokenOnly = await get('/api/v1/reports/aging?asOf=2026-03-31', await adminToken(ctx, 'collector'));
      expect(tokenOnly.json().rows, tokenOnly.body).toEqual([]);
      // 赵敏, signed in, ages her own customer C3 (an invoice of 70.00 dated and due 2026-06-01: 29 days at 06-30).
      await createCustomer(ctx, { code: 'C3', name: '广州三号', collector: '赵敏' });
      await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C3', documentDate: '2026-06-01', dueDate: '2026-06-01', amount: '70.00' });
      await createUser(ctx, { email: 'zhao@acme.example', name: '赵敏', handle: '赵敏', role: 'collector', password: 'collections every morning' });
      const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'zhao@acme.example', password: 'collections every morning' } });
      const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
      const mine = await app.inject({ method: 'GET', url: '/api/v1/reports/aging?asOf=2026-06-30', headers: { cookie } });
      expect(mine.json().rows).toEqual([expect.objectContaining({ key: 'C3', outstanding: '70.00' })]);
      expect(mine.json().rows[0].buckets['1-30']).toBe('70.00');
    } finally {
      await app.close();
    }
  });

  it('prints the report from `arflow aging`, as a table and as JSON', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, CLOCK, 'ACME')(argv);
    const text = await run('aging', '--as-of', '2026-03-31', '--by', 'segment');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('aging as of 2026-03-31 by due date, CNY, per segment');
    expect(text.out).toMatch(/total\s+300\.00\s+0\.00\s+600\.00\s+250\.00/);
    const json = await run('--format', 'json', 'aging', '--as-of', '2026-04-15', '--buckets', '30');
    expect(JSON.parse(json.out)).toMatchObject({ asOf: '2026-04-15', buckets: [{ key: 'current' }, { key: '1-30' }, { key: 'over-30' }], totals: { outstanding: '250.00' } });
    const refused = await run('aging', '--as-of', '31/03/2026');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/asOf/);
  });
});

describe('aging report against the pure rules, on the demo company', () => {
  let demo: Context;
  let items: (AgingItem & { currency: string })[];
  let allocations: AgingAllocation[];

  beforeAll(async () => {
    await createDemo(t.db, CLOCK, { customers: 40, invoices: 400 });
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO') as Tenant;
    demo = contextFor(t.db, tenant, CLOCK);
    await t.db.tenant(tenant.id, async (sql) => {
      items = (await sql.query<{ itemId: string; groupKey: string; side: 'debit' | 'credit'; documentDate: string; dueDate: string; amountMinor: bigint; currency: string }>(
        `SELECT i.id AS "itemId", c.code AS "groupKey", i.side, d.document_date AS "documentDate",
                coalesce(i.due_date, d.due_date, d.document_date) AS "dueDate", i.amount_minor AS "amountMinor", i.currency
           FROM items i JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
           JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id WHERE i.tenant_id = $1`, [tenant.id]))
        .map((r) => ({ ...r, amountMinor: BigInt(r.amountMinor) }));
      allocations = (await sql.query<{ creditItemId: string; debitItemId: string; date: string; amountMinor: bigint }>(
        `SELECT credit_item_id AS "creditItemId", debit_item_id AS "debitItemId", allocation_date AS date, amount_minor AS "amountMinor"
           FROM allocations WHERE tenant_id = $1`, [tenant.id]))
        .map((r) => ({ ...r, amountMinor: BigInt(r.amountMinor) }));
    });
  }, 180_000);

  it('gives, at month ends over the demo\'s 18 months and on both bases, exactly what the rules give', async () => {
    expect(allocations.length).toBeGreaterThan(100);
    const buckets = bucketsFrom();
    const cny = items.filter((i) => i.currency === 'CNY');
    let compared = 0;
    for (let asOf = '2025-01-31'; asOf <= '2026-06-30'; asOf = addDays(asOf, 61)) {
      for (const basis of ['due', 'document'] as const) {
        const expected = ageLedger(asOf, basis, buckets, cny, allocations);
        const got = await t.db.tenant(demo.tenant.id, (sql) => agingReport(demo, sql, { asOf, basis, sort: 'key', limit: 1000 }));
        const all = await t.db.tenant(demo.tenant.id, (sql) => agingReportAll(demo, sql, { asOf, basis }));
        const m = (v: bigint) => formatAmount(v, 'CNY');
        const want = expected.rows.map((r) => [r.groupKey, m(r.current), Object.fromEntries(Object.entries(r.buckets).map(([k, v]) => [k, m(v)])), m(r.outstanding), m(r.unapplied)]);
        expect(got.rows.map((r) => [r.key, r.current, r.buckets, r.outstanding, r.unapplied]), `${asOf} ${basis}`).toEqual(want);
        expect(all.rows.map((r) => [r.key, r.current, r.buckets, r.outstanding, r.unapplied]), `${asOf} ${basis} (every row)`).toEqual(want);
        expect(got.page.total).toBe(expected.rows.length);
        for (const report of [got, all]) {
          expect([report.totals.current, report.totals.outstanding, report.totals.unapplied, report.totals.net]).toEqual(
            [m(expected.totals.current), m(expected.totals.outstanding), m(expected.totals.unapplied), m(expected.totals.net)]);
        }
        compared += got.rows.length;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
