/**
 * The collector's worklist on a real database (both engines). Every score is worked out by hand below from the
 * weights in src/domain/worklist.ts (docs/collections.md, Worklist).
 *
 * Company ACME (CNY, Asia/Shanghai), today 2026-06-30. Collectors wang (A, B, D) and zhao (E).
 *   A  INV-A 120,000.00 due 2026-03-31; grade C; a dispute of 80,000.00 raised 06-20 (quality).
 *   B  INV-B  30,000.00 due 2026-05-01, PAY-B 10,000.00 on 06-15 → 20,000.00 open; grade B;
 *      a promise made 06-28 of 20,000.00 by 07-02 (grace 3 → counts until 07-05).
 *   D  INV-D   8,000.00 due 2026-05-31; INV-D2 5,000.00 due 07-15 (not overdue); no grade;
 *      a promise made 06-01 of 8,000.00 by 06-10 (until 06-13), nothing paid → broken when evaluated on 06-14;
 *      a call on 06-20 with a follow-up on 06-25.
 *   E  INV-E  50,000.00 due 2026-02-14 and INV-EU USD 1,000.00 due 05-31 at 7.1234 (the latest rate, of 06-01;
 *      the invoice was booked at 05-01's 7.0000) = 7,123.40 CNY;
 *      grade D.
 *   F  (zhao) a year of late payments: INV-F1 10,000.00 due 2025-09-30 paid 2025-11-29 (60 days late), INV-F2
 *      20,000.00 due 2025-12-31 paid 2026-02-14 (45 days), INV-F3 10,000.00 due 2026-03-31 paid early on 03-20 (0);
 *      INV-F0 50,000.00 due 2025-04-30 paid 2025-06-30 (61 days) is 365 days back: outside the year (2025-06-30,
 *      2026-06-30]. INV-F4 6,000.00 due 2026-06-20 with CN-F 1,000.00 applied on 06-25 (a credit note, not a payment:
 *      not in the history) → 5,000.00 overdue.
 *      Predicted lateness = (10,000 × 60 + 20,000 × 45 + 10,000 × 0) / 40,000 = 1,500,000 / 40,000 = 37.5 → 38 days.
 *
 * At 2026-06-30:
 *   A: 120,000.00 → 30; 91 days (Apr 30 + May 31 + Jun 30) → 30; dispute leaves 40,000.00 → 20, so −10; C → 10.  = 60
 *   B: 20,000.00 → 20; 60 days (May 30 + Jun 30) → 10; B → 5; open promise until 07-05 → −30.                 =  5
 *   D: 8,000.00 → 15; 30 days → 5; no grade → 10; broken promise of 06-10 → 15; follow-up 06-25 past → 20.      = 65
 *   E: 57,123.40 → 25; 136 days (14 + 31 + 30 + 31 + 30) → 30; D → 20.                                          = 75
 *   F: 5,000.00 → 15; 10 days → 5; no grade → 10; predicted 38 days late → 10.                                  = 40
 * wang's list: D 65, A 60, B 5. The manager's: E, D, A, F, B. zhao's: E, F.
 *
 * At 2026-06-10 (a past date: the payment, the dispute, the call, the second promise and the broken decision come later):
 *   A: 120,000.00 → 30; 71 days → 20; C 10.                                                                    = 60
 *   B: 30,000.00 → 20; 40 days → 10; B 5.                                                                      = 35
 *   D: 8,000.00 → 15; 10 days → 5; no grade 10; the promise by 06-10 is open then (until 06-13) → −30.         =  0
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/access.ts';
import { AppError } from '../src/domain/errors.ts';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/modules/access/index.ts';
import { evaluatePromises, recordActivity, recordPromise } from '../src/modules/collections/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { raiseDispute } from '../src/modules/disputes/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { collectorWorklist, type WorklistQuery } from '../src/modules/worklist/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const day = (date: string) => fixedClock(`${date}T04:00:00Z`);
let t: TestDatabase;
let ctx: Context;
const as = (role: Role, handle: string, date = '2026-06-30'): Context => ({
  ...ctx, clock: day(date), actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));
const worklist = (c: Context, q: WorklistQuery = {}) => t.db.tenant(ctx.tenant.id, (sql) => collectorWorklist(c, sql, q));
const ranking = (rows: { customer: string; score: number }[]) => rows.map((r) => `${r.customer} ${r.score}`);

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, day('2026-06-30'));
  for (const handle of ['wang', 'zhao']) await createUser(ctx, { email: `${handle}@acme.cn`, name: handle, handle, role: 'collector', password: 'a long test password' });
  for (const [code, collector] of [['A', 'wang'], ['B', 'wang'], ['D', 'wang'], ['E', 'zhao'], ['F', 'zhao']] as const) await createCustomer(ctx, { code, name: `Customer ${code}`, collector });
  await setFxRate(ctx, { currency: 'USD', date: '2026-05-01', rate: '7.0000' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-06-01', rate: '7.1234' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-A', customer: 'A', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '120000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-B', customer: 'B', documentDate: '2026-04-01', dueDate: '2026-05-01', amount: '30000.00' });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-B', customer: 'B', documentDate: '2026-06-15', amount: '10000.00', appliesTo: [{ document: 'INV-B' }] });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-D', customer: 'D', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '8000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-D2', customer: 'D', documentDate: '2026-06-15', dueDate: '2026-07-15', amount: '5000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-E', customer: 'E', documentDate: '2026-01-15', dueDate: '2026-02-14', amount: '50000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-EU', customer: 'E', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '1000.00', currency: 'USD' });
  for (const [n, amount, due, paid] of [['F0', '50000.00', '2025-04-30', '2025-06-30'], ['F1', '10000.00', '2025-09-30', '2025-11-29'], ['F2', '20000.00', '2025-12-31', '2026-02-14'], ['F3', '10000.00', '2026-03-31', '2026-03-20']] as const) {
    const issued = new Date(Date.parse(`${due}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
    await postDocument(ctx, { kind: 'invoice', number: `INV-${n}`, customer: 'F', documentDate: issued, dueDate: due, amount });
    await postDocument(ctx, { kind: 'payment', number: `PAY-${n}`, customer: 'F', documentDate: paid, amount, appliesTo: [{ document: `INV-${n}` }] });
  }
  await postDocument(ctx, { kind: 'invoice', number: 'INV-F4', customer: 'F', documentDate: '2026-05-21', dueDate: '2026-06-20', amount: '6000.00' });
  await postDocument(ctx, { kind: 'credit_note', number: 'CN-F', customer: 'F', documentDate: '2026-06-25', amount: '1000.00', appliesTo: [{ document: 'INV-F4' }] });
  // Grades as the credit module records them (credit_profiles).
  await t.db.tenant(ctx.tenant.id, async (sql) => {
    for (const [code, grade] of [['A', 'C'], ['B', 'B'], ['E', 'D']]) {
      await sql.query(`INSERT INTO credit_profiles (tenant_id, customer_id, grade, score, assessed_on, updated_by)
                       SELECT tenant_id, id, $2, 50, '2026-06-01', 'test' FROM customers WHERE tenant_id = $1 AND code = $3`, [ctx.tenant.id, grade, code]);
    }
  });
  await recordPromise(as('collector', 'wang', '2026-06-01'), { customer: 'D', amount: '8000.00', promisedDate: '2026-06-10' });
  await evaluatePromises(as('collector', 'wang', '2026-06-14'), { asOf: '2026-06-14' });
  await raiseDispute(as('collector', 'wang', '2026-06-20'), { customer: 'A', reason: 'quality', ownerTeam: 'sales', items: [{ document: 'INV-A', amount: '80000.00' }] });
  await recordActivity(as('collector', 'wang', '2026-06-20'), { customer: 'D', outcome: 'no_answer', followUpOn: '2026-06-25' });
  await recordPromise(as('collector', 'wang', '2026-06-28'), { customer: 'B', amount: '20000.00', promisedDate: '2026-07-02' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('the worklist at today', () => {
  it('ranks a collector\'s own customers, each with the reasons that make up its score', async () => {
    const list = await worklist(as('collector', 'wang'));
    expect(list).toMatchObject({ asOf: '2026-06-30', currency: 'CNY', collector: 'wang', total: 3, nextOffset: null });
    expect(ranking(list.rows)).toEqual(['D 65', 'A 60', 'B 5']);
    const [d, a, b] = list.rows;
    // D: a follow-up five days late and a broken promise raise a small customer to the top.
    expect(d).toMatchObject({ rank: 1, overdue: '8000.00', disputed: '0.00', oldestDaysPastDue: 30, grade: null, brokenPromises: 1, followUpOn: '2026-06-25', openPromise: null });
    expect(d!.reasons.map((r) => [r.text, r.points])).toEqual([
      ['overdue 8,000.00 CNY, oldest 30 days', 20], ['no risk grade', 10], ['broken promise on 2026-06-10', 15], ['follow-up overdue since 2026-06-25 (5 days)', 20],
    ]);
    // A: the disputed 80,000.00 is not collectable now; 40,000.00 is.
    expect(a).toMatchObject({ rank: 2, overdue: '120000.00', disputed: '80000.00', collectable: '40000.00', oldestDaysPastDue: 91, grade: 'C' });
    expect(a!.reasons.map((r) => [r.code, r.points])).toEqual([['overdue', 60], ['disputed', -10], ['grade', 10]]);
    // B: 10,000.00 paid, and the open promise lowers it until 07-05.
    expect(b).toMatchObject({ rank: 3, overdue: '20000.00', oldestDaysPastDue: 60, grade: 'B', openPromise: { promisedDate: '2026-07-02', deadline: '2026-07-05', amount: '20,000.00 CNY' } });
    expect(b!.reasons.map((r) => [r.text, r.points])).toEqual([
      ['overdue 20,000.00 CNY, oldest 60 days', 30], ['risk grade B', 5], ['promised 20,000.00 CNY by 2026-07-02 (counts until 2026-07-05)', -30],
    ]);
  });

  it('a collector sees only their own; a manager sees everyone\'s or one collector\'s, paged', async () => {
    const zhao = await worklist(as('collector', 'zhao'));
    expect(ranking(zhao.rows)).toEqual(['E 75', 'F 40']);
    // 50,000.00 + USD 1,000.00 × 7.1234 = 57,123.40 CNY.
    expect(zhao.rows[0]).toMatchObject({ overdue: '57123.40', oldestDaysPastDue: 136, grade: 'D', unconverted: [], predictedDaysLate: null });
    // F: a habitually late payer (38 days on average over the year's 3 paid invoices) ranks higher than its amount.
    expect(zhao.rows[1]).toMatchObject({ overdue: '5000.00', oldestDaysPastDue: 10, predictedDaysLate: 38 });
    expect(zhao.rows[1]!.reasons.map((r) => [r.text, r.points])).toEqual([
      ['overdue 5,000.00 CNY, oldest 10 days', 20], ['no risk grade', 10], ['predicted to pay 38 days late (its average over 3 items paid in the last 365 days)', 10],
    ]);
    expect(await codeOf(worklist(as('collector', 'zhao'), { collector: 'wang' }))).toBe('not_allowed WORKLIST_OTHER_COLLECTOR');
    const manager = as('credit_manager', 'li');
    expect(ranking((await worklist(manager)).rows)).toEqual(['E 75', 'D 65', 'A 60', 'F 40', 'B 5']);
    expect(ranking((await worklist(manager, { collector: 'zhao' })).rows)).toEqual(['E 75', 'F 40']);
    const first = await worklist(manager, { limit: 2 });
    expect(first).toMatchObject({ total: 5, nextOffset: 2 });
    const second = await worklist(manager, { limit: 2, offset: first.nextOffset! });
    expect(second.rows.map((r) => `${r.rank} ${r.customer}`)).toEqual(['3 A', '4 F']);
    expect(second.nextOffset).toBe(4);
    expect((await worklist(manager, { limit: 2, offset: 4 })).rows.map((r) => `${r.rank} ${r.customer}`)).toEqual(['5 B']);
    expect(await codeOf(worklist(manager, { limit: 201 }))).toBe('invalid VALIDATION_FAILED');
  });
});

describe('the worklist at a past date', () => {
  it('rolls the ledger, disputes, promises and activities back to 2026-06-10', async () => {
    const list = await worklist(as('collector', 'wang'), { asOf: '2026-06-10' });
    expect(ranking(list.rows)).toEqual(['A 60', 'B 35', 'D 0']);
    expect(list.rows.map((r) => [r.customer, r.overdue, r.disputed, r.oldestDaysPastDue])).toEqual([['A', '120000.00', '0.00', 71], ['B', '30000.00', '0.00', 40], ['D', '8000.00', '0.00', 10]]);
    expect(list.rows[2]!.reasons.map((r) => r.code)).toEqual(['overdue', 'ungraded', 'open_promise']);
  });
});

describe('API and CLI', () => {
  it('GET /api/v1/worklist answers the ranking, and 400 naming the field on a bad date', async () => {
    const app = await buildServer({ db: t.db, clock: day('2026-06-30') });
    try {
      const admin = { authorization: `Bearer ${await adminToken(ctx)}` };
      const r = await app.inject({ method: 'GET', url: '/api/v1/worklist?collector=wang&limit=10', headers: admin });
      expect(r.statusCode, r.body).toBe(200);
      expect(ranking(r.json().rows)).toEqual(['D 65', 'A 60', 'B 5']);
      const bad = await app.inject({ method: 'GET', url: '/api/v1/worklist?asOf=2026-02-30', headers: admin });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/asOf/);
      expect((await app.inject({ method: 'GET', url: '/api/v1/worklist' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('`arflow worklist` as a table and as JSON', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, day('2026-06-30'), 'ACME')(argv);
    const json = await run('--format', 'json', 'worklist', '--collector', 'wang');
    expect(json.code, json.err).toBe(0);
    expect(ranking(JSON.parse(json.out).rows)).toEqual(['D 65', 'A 60', 'B 5']);
    const text = await run('worklist', '--as-of', '2026-06-30', '--limit', '1');
    expect(text.out).toContain('worklist as of 2026-06-30: 5 customers with overdue items (amounts in CNY) (next page: --offset 1)');
    expect(text.out).toMatch(/1\s+E\s+57123\.40\s+0\.00\s+136\s+D\s+75/);
    const bad = await run('worklist', '--limit', 'ten');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('--limit');
  });
});
