/**
 * Promises to pay, collection activities and the customer's collections timeline on a real database (both engines).
 * Every figure is worked out by hand below.
 *
 * Company ACME (CNY, Asia/Shanghai). Collectors wang (C1) and zhao (C2).
 *   C1 华东机电: INV-1 5,000.00 due 2026-05-31; INV-3 2,000.00 due 2026-05-15.
 *   C2 市政工程: INV-2 1,000.00 due 2026-05-20.
 * Promises, all made on 2026-06-01:
 *   P1 C1 3,000.00 by 06-10 on INV-1, grace 3 (the company default) → counts payments 06-01…06-13.
 *      PAY-1 1,000.00 on 06-08 and PAY-2 2,000.00 on 06-14, both to INV-1.
 *      At 06-13: 1,000.00 paid, the last day of grace: still open. At 06-14: the 2,000.00 is a day late → partly kept, 1,000.00.
 *   P2 C1 500.00 by 06-05 on INV-3, grace 0 → PAY-3 500.00 on 06-05 to INV-3 → kept at 06-05.
 *   P3 C2 1,000.00 by 06-03, grace 2 (the company default changed to 2 first) → deadline 06-05; nothing paid → broken at 06-06.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Role } from '../src/domain/access.ts';
import { AppError } from '../src/domain/errors.ts';
import { createUser } from '../src/modules/access/index.ts';
import {
  customerTimeline, evaluatePromises, getPromise, listActivities, listPromises, recordActivity, recordPromise, runDailyPromises, setCollectionSettings,
} from '../src/modules/collections/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { raiseDispute } from '../src/modules/disputes/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const day = (date: string) => fixedClock(`${date}T04:00:00Z`);
let t: TestDatabase;
let ctx: Context;
const as = (role: Role, handle: string, date = '2026-06-01'): Context => ({
  ...ctx, clock: day(date), actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));
const ids: Record<string, string> = {};
const statuses = async () => Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([name, id]) => {
  const p = await t.db.tenant(ctx.tenant.id, (sql) => getPromise(ctx, sql, id));
  return [name, `${p.status} ${p.paid}`];
})));

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, day('2026-06-01'));
  for (const [handle, role] of [['wang', 'collector'], ['zhao', 'collector']] as const) {
    await createUser(ctx, { email: `${handle}@acme.cn`, name: handle, handle, role, password: 'a long test password' });
  }
  await createCustomer(ctx, { code: 'C1', name: '华东机电', collector: 'wang' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', collector: 'zhao' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '5000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C1', documentDate: '2026-04-15', dueDate: '2026-05-15', amount: '2000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-04-20', dueDate: '2026-05-20', amount: '1000.00' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('recording', () => {
  it('a collector logs a call and records promises for their own customers; the same key records once', async () => {
    const wang = as('collector', 'wang');
    const call = await recordActivity(wang, { customer: 'C1', outcome: 'no_answer', note: 'rang the finance office twice' });
    expect(call).toMatchObject({ customer: 'C1', activityDate: '2026-06-01', channel: 'phone', outcome: 'no_answer', recordedBy: 'wang@acme.cn', followUpOn: null });
    const p1 = await recordPromise(wang, { customer: 'C1', amount: '3000.00', promisedDate: '2026-06-10', items: [{ document: 'INV-1' }], note: 'Mr Zhou: 3,000 by the 10th' }, 'p1');
    ids.P1 = p1.id;
    expect(p1).toMatchObject({ customer: 'C1', amount: '3000.00', currency: 'CNY', promisedDate: '2026-06-10', graceDays: 3, deadline: '2026-06-13', createdOn: '2026-06-01', status: 'open', paid: '0.00', documents: ['INV-1'] });
    expect((await recordPromise(wang, { customer: 'C1', amount: '3000.00', promisedDate: '2026-06-10', items: [{ document: 'INV-1' }], note: 'Mr Zhou: 3,000 by the 10th' }, 'p1')).id).toBe(p1.id);
    ids.P2 = (await recordPromise(wang, { customer: 'C1', amount: '500.00', promisedDate: '2026-06-05', graceDays: 0, items: [{ document: 'INV-3' }] })).id;
    await setCollectionSettings(ctx, { promiseGraceDays: 2 });
    const p3 = await recordPromise(as('collector', 'zhao'), { customer: 'C2', amount: '1000.00', promisedDate: '2026-06-03' });
    ids.P3 = p3.id;
    expect(p3).toMatchObject({ graceDays: 2, deadline: '2026-06-05', documents: [] });
    await recordActivity(as('collector', 'wang', '2026-06-02'), { customer: 'C1', outcome: 'promised', contact: 'Mr Zhou', followUpOn: '2026-06-10', promiseId: p1.id });
  });

  it('refuses another collector\'s customer, a past promised date, a future activity, another customer\'s invoice', async () => {
    const zhao = as('collector', 'zhao');
    expect(await codeOf(recordPromise(zhao, { customer: 'C1', amount: '1.00', promisedDate: '2026-06-10' }))).toBe('not_found CUSTOMER_NOT_FOUND');
    expect(await codeOf(recordActivity(zhao, { customer: 'C1', outcome: 'reached' }))).toBe('not_found CUSTOMER_NOT_FOUND');
    expect(await codeOf(recordPromise(ctx, { customer: 'C1', amount: '1.00', promisedDate: '2026-05-31' }))).toBe('invalid PROMISE_DATE_PAST');
    expect(await codeOf(recordPromise(ctx, { customer: 'C1', amount: '0.00', promisedDate: '2026-06-10' }))).toBe('invalid PROMISE_AMOUNT_NOT_POSITIVE');
    expect(await codeOf(recordPromise(ctx, { customer: 'C1', amount: '1.00', promisedDate: '2026-06-10', items: [{ document: 'INV-2' }] }))).toBe('invalid PROMISE_ITEM_OTHER_CUSTOMER');
    expect(await codeOf(recordActivity(ctx, { customer: 'C1', outcome: 'reached', activityDate: '2026-06-02' }))).toBe('invalid ACTIVITY_IN_FUTURE');
    expect(await codeOf(recordActivity(ctx, { customer: 'C1', outcome: 'reached', followUpOn: '2026-05-31' }))).toBe('invalid FOLLOW_UP_BEFORE_ACTIVITY');
    expect(await codeOf(recordActivity(ctx, { customer: 'C1', outcome: 'moody' as 'reached' }))).toBe('invalid VALIDATION_FAILED');
    // zhao sees only C2's promise.
    expect((await t.db.tenant(ctx.tenant.id, (sql) => listPromises(zhao, sql))).rows.map((p) => p.customer)).toEqual(['C2']);
  });
});

describe('deciding promises from the allocations', () => {
  beforeAll(async () => {
    const june30 = { ...ctx, clock: day('2026-06-30') };
    await postDocument(june30, { kind: 'payment', number: 'PAY-3', customer: 'C1', documentDate: '2026-06-05', amount: '500.00', appliesTo: [{ document: 'INV-3' }] });
    await postDocument(june30, { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-06-08', amount: '1000.00', appliesTo: [{ document: 'INV-1' }] });
    await postDocument(june30, { kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-06-14', amount: '2000.00', appliesTo: [{ document: 'INV-1' }] });
  });

  it('06-04: nothing decided yet; 06-05: P2 kept by PAY-3 on its date', async () => {
    expect(await evaluatePromises(ctx, { asOf: '2026-06-04' })).toEqual({ asOf: '2026-06-04', evaluated: 3, kept: 0, partlyKept: 0, broken: 0, open: 3 });
    expect(await evaluatePromises(ctx, { asOf: '2026-06-05' })).toMatchObject({ evaluated: 3, kept: 1, open: 2 });
    expect(await statuses()).toMatchObject({ P2: 'kept 500.00' });
  });

  it('06-06: P3 broken (nothing paid by 06-05); P1 still open', async () => {
    expect(await evaluatePromises(ctx, { asOf: '2026-06-06' })).toMatchObject({ evaluated: 2, broken: 1, open: 1 });
    const p3 = await t.db.tenant(ctx.tenant.id, (sql) => getPromise(ctx, sql, ids.P3!));
    expect(p3).toMatchObject({ status: 'broken', paid: '0.00', decidedOn: '2026-06-06' });
  });

  it('06-13 over HTTP: P1 has 1,000.00 of 3,000.00 on its last day of grace and stays open; a sales user may not evaluate', async () => {
    const app = await buildServer({ db: t.db, clock: day('2026-06-30') });
    try {
      const admin = { authorization: `Bearer ${await adminToken(ctx)}` };
      const sales = { authorization: `Bearer ${await adminToken(ctx, 'sales')}` };
      expect((await app.inject({ method: 'POST', url: '/api/v1/promises/evaluate?asOf=2026-06-13', headers: sales, payload: {} })).statusCode).toBe(403);
      // The as-of date in the query, no body at all.
      const r = await app.inject({ method: 'POST', url: '/api/v1/promises/evaluate?asOf=2026-06-13', headers: admin });
      expect(r.json()).toEqual({ asOf: '2026-06-13', evaluated: 1, kept: 0, partlyKept: 0, broken: 0, open: 1 });
      // Open, so the API shows what is paid so far at today (06-30): the window ended 06-13 with 1,000.00.
      const shown = await app.inject({ method: 'GET', url: `/api/v1/promises/${ids.P1}`, headers: admin });
      expect(shown.json()).toMatchObject({ status: 'open', paid: '1000.00', deadline: '2026-06-13' });
      expect((await app.inject({ method: 'POST', url: '/api/v1/promises', headers: sales, payload: { customer: 'C1', amount: '1.00', promisedDate: '2026-07-01' } })).statusCode).toBe(403);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/promises', headers: admin, payload: { customer: 'C1', amount: 3000, promisedDate: '2026-07-01' } });
      expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    } finally {
      await app.close();
    }
  });

  it('06-14, the daily job: P1 partly kept with 1,000.00 (PAY-2 came a day after the deadline); decided promises stay decided', async () => {
    await runDailyPromises(t.db, day('2026-06-14'));
    expect(await statuses()).toEqual({ P1: 'partly_kept 1000.00', P2: 'kept 500.00', P3: 'broken 0.00' });
    expect(await evaluatePromises(ctx, { asOf: '2026-07-31' })).toMatchObject({ evaluated: 0 });
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ after: { status: string } }>(`SELECT after FROM audit_log WHERE tenant_id = $1 AND action = 'promises.decide' AND entity_id = $2`, [ctx.tenant.id, ids.P1]));
    expect(audit.map((a) => a.after.status)).toEqual(['partly_kept']);
  });
});

describe('the timeline and the command line', () => {
  it('merges activities, promises and disputes newest first, with the summary', async () => {
    await raiseDispute(as('collector', 'wang', '2026-06-03'), { customer: 'C1', reason: 'quantity', ownerTeam: 'logistics', items: [{ document: 'INV-1', amount: '250.00' }] });
    const tl = await t.db.tenant(ctx.tenant.id, (sql) => customerTimeline(as('collector', 'wang', '2026-06-03'), sql, 'C1'));
    // 06-03 the dispute; 06-02 the call with the promise; 06-01 (latest recorded first) P2, P1, the unanswered call.
    expect(tl.entries.map((e) => `${e.date} ${e.kind}`)).toEqual(['2026-06-03 dispute', '2026-06-02 activity', '2026-06-01 promise', '2026-06-01 promise', '2026-06-01 activity']);
    expect(tl.entries[2]).toMatchObject({ promise: { amount: '500.00', status: 'kept' } });
    expect(tl.summary).toEqual({ openPromises: 0, brokenPromises: 0, activeDisputes: 1, nextFollowUp: '2026-06-10' });
    expect((await t.db.tenant(ctx.tenant.id, (sql) => customerTimeline(ctx, sql, 'C1', { limit: 2 }))).entries).toHaveLength(2);
    expect(await codeOf(t.db.tenant(ctx.tenant.id, (sql) => customerTimeline(as('collector', 'zhao'), sql, 'C1')))).toBe('not_found CUSTOMER_NOT_FOUND');
    // Activities to follow up by 06-10: the promised call.
    expect((await t.db.tenant(ctx.tenant.id, (sql) => listActivities(ctx, sql, { followUpBy: '2026-06-10' }))).rows.map((a) => a.outcome)).toEqual(['promised']);
  });

  it('`arflow promises` and `arflow activities`, as text and JSON', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, day('2026-06-30'), 'ACME')(argv);
    const added = await run('--format', 'json', 'promises', 'add', '--customer', 'C1', '--amount', '1500.00', '--date', '2026-07-10', '--item', 'INV-1', '--grace', '5');
    expect(added.code, added.err).toBe(0);
    // INV-1 5,000.00 less 1,000.00 and 2,000.00 paid leaves 2,000.00; the promise is for 1,500.00 of it, until 07-15.
    expect(JSON.parse(added.out)).toMatchObject({ amount: '1500.00', deadline: '2026-07-15', status: 'open', documents: ['INV-1'] });
    const list = await run('promises', 'list', '--status', 'partly_kept');
    expect(list.out).toMatch(/C1\s+partly_kept\s+3000\.00 CNY\s+1000\.00\s+2026-06-10\s+2026-06-13\s+INV-1/);
    const call = await run('activities', 'add', '--customer', 'C2', '--outcome', 'refused', '--channel', 'visit', '--note', 'says the goods were late');
    expect(call).toMatchObject({ code: 0, out: 'visit with C2 recorded: refused' });
    const acts = await run('--format', 'json', 'activities', 'list', '--customer', 'C2');
    expect(JSON.parse(acts.out)).toMatchObject({ total: 1, rows: [{ channel: 'visit', outcome: 'refused', activityDate: '2026-06-30' }] });
    const evaluated = await run('promises', 'evaluate', '--as-of', '2026-06-30');
    expect(evaluated.out).toBe('evaluated 1 open promises as of 2026-06-30: 0 kept, 0 partly kept, 0 broken, 1 still open');
  });
});
