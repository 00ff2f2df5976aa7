/**
 * The aging report in SQL, on both engines: hand-computed figures on a small ledger, and on the demo company's 18
 * months the same figures as the pure rules (src/domain/aging.ts) at several past dates and on both bases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageLedger, bucketsFrom, type AgingAllocation, type AgingItem } from '../src/domain/aging.ts';
import { addDays } from '../src/domain/dates.ts';
import { formatAmount } from '../src/domain/money.ts';
import { createDemo } from '../src/demo/demo.ts';
import { agingReport } from '../src/modules/aging/index.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { createTerms } from '../src/modules/terms/index.ts';
import { listTenants, type Tenant } from '../src/modules/tenants/index.ts';
import { postDocument, reverseAllocation } from '../src/modules/ledger/index.ts';
import type { Context } from '../src/modules/context.ts';
import { buildServer } from '../src/http/server.ts';
import { runCli } from '../src/cli/main.ts';
import { createUser } from '../src/modules/access/index.ts';
import { adminToken, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

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

describe('aging through the API and the command line', () => {
  it('answers the same report over HTTP, refuses bad input with 400, and ages a collector\'s own customers only', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const r = await get('/api/v1/reports/aging?asOf=2026-03-31&by=customer', admin);
      expect(r.statusCode).toBe(200);
      expect(r.json().totals).toMatchObject({ outstanding: '1150.00', unapplied: '50.00', net: '1100.00' });
      expect(r.json()).toMatchObject({ truncated: false, rowCount: r.json().rows.length });
      // One row at most: the customer with the largest outstanding, the totals still every customer's.
      const full = r.json().rows as { key: string; outstanding: string }[];
      const cents = (v: string) => BigInt(v.replace('.', ''));
      const largest = [...full].sort((a, b) => (cents(b.outstanding) > cents(a.outstanding) ? 1 : cents(b.outstanding) < cents(a.outstanding) ? -1 : 0))[0]!;
      const one = await get('/api/v1/reports/aging?asOf=2026-03-31&by=customer&limit=1', admin);
      expect(one.json()).toMatchObject({ rowCount: full.length, truncated: full.length > 1, totals: r.json().totals });
      expect(one.json().rows.map((x: { key: string }) => x.key)).toEqual([largest.key]);
      expect((await get('/api/v1/reports/aging?asOf=2026-03-31&limit=5001', admin)).statusCode).toBe(400);
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
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { io: { out: (x) => out.push(x), err: (x) => err.push(x), interactive: false }, clock: CLOCK, env: { USER: 'tester', ARFLOW_TENANT: 'ACME' }, db: t.db });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
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
        const got = await t.db.tenant(demo.tenant.id, (sql) => agingReport(demo, sql, { asOf, basis }));
        const m = (v: bigint) => formatAmount(v, 'CNY');
        expect(got.rows.map((r) => [r.key, r.current, r.buckets, r.outstanding, r.unapplied]), `${asOf} ${basis}`).toEqual(
          expected.rows.map((r) => [r.groupKey, m(r.current), Object.fromEntries(Object.entries(r.buckets).map(([k, v]) => [k, m(v)])), m(r.outstanding), m(r.unapplied)]));
        compared += got.rows.length;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
