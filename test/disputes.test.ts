/**
 * Disputes on a real database (both engines): raising on open items within the raiser's scope, idempotency, the
 * status machine, resolution by a credit note found in the ledger, and the disputed figures in aging and the KPI
 * disputedShare, at dates before, during and after the dispute. Every figure is worked out by hand below.
 *
 * Company ACME (CNY, Asia/Shanghai). Users: li and wu (sales), wang (collector), credit (credit manager).
 *   C1 华东机电, salesperson li, collector wang: INV-1 5,000.00 dated 2026-05-01 due 2026-05-31.
 *   C2 市政工程, salesperson wu:                INV-2 3,000.00 dated 2026-06-01 due 2026-07-01.
 * Today is 2026-06-30 (the clock), so the company's outstanding is 5,000.00 + 3,000.00 = 8,000.00.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Role } from '../src/domain/access.ts';
import { AppError } from '../src/domain/errors.ts';
import { createUser } from '../src/modules/access/index.ts';
import { agingReport } from '../src/modules/aging/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { evaluateAlerts, listAlerts } from '../src/modules/alerts/index.ts';
import { disputeReport, getDispute, listDisputes, raiseDispute, transitionDispute } from '../src/modules/disputes/index.ts';
import { kpiSet } from '../src/modules/kpis/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const JUNE_30 = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

const as = (role: Role, handle: string, clock = JUNE_30): Context => ({
  ...ctx, clock, actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const at = (clock: string) => ({ ...ctx, clock: fixedClock(clock) });
const aging = (asOf: string, c: Context = ctx) => t.db.tenant(ctx.tenant.id, (sql) => agingReport(c, sql, { asOf }));
const disputedShare = async (asOf: string) => (await t.db.tenant(ctx.tenant.id, (sql) => kpiSet(ctx, sql, { asOf }))).kpis.disputedShare;
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, JUNE_30);
  for (const [handle, role] of [['li', 'sales'], ['wu', 'sales'], ['wang', 'collector'], ['credit', 'credit_manager']] as const) {
    await createUser(ctx, { email: `${handle}@acme.cn`, name: handle, handle, role, password: 'a long test password' });
  }
  await createCustomer(ctx, { code: 'C1', name: '华东机电', salesperson: 'li', collector: 'wang' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', salesperson: 'wu' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '5000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-06-01', dueDate: '2026-07-01', amount: '3000.00' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

let disputeId = '';

describe('raising a dispute', () => {
  it('a sales person raises one on their customer\'s invoice; the same key answers the same dispute', async () => {
    const input = { customer: 'C1', reason: 'price' as const, ownerTeam: 'sales' as const, ownerUser: 'li', note: 'unit price should be 38.00, not 45.00', items: [{ document: 'INV-1', amount: '1234.56' }] };
    const d = await raiseDispute(as('sales', 'li'), input, 'raise-1');
    disputeId = d.id;
    // Due by default 14 days after today: 2026-06-30 + 14 = 2026-07-14.
    expect(d).toMatchObject({
      customer: 'C1', status: 'open', reason: 'price', ownerTeam: 'sales', ownerUser: 'li', amount: '1234.56', currency: 'CNY',
      raisedOn: '2026-06-30', dueDate: '2026-07-14', closedOn: null, acceptedAmount: null, overdue: false, raisedBy: 'li@acme.cn', documents: ['INV-1'],
      items: [{ document: 'INV-1', installment: 1, amount: '1234.56', openAtRaise: '5000.00' }],
      events: [{ event: 'raised', from: null, to: 'open', actor: 'li@acme.cn', note: 'unit price should be 38.00, not 45.00' }],
    });
    const again = await raiseDispute(as('sales', 'li'), input, 'raise-1');
    expect(again.id).toBe(d.id);
    expect(await codeOf(raiseDispute(as('sales', 'li'), { ...input, items: [{ document: 'INV-1', amount: '1.00' }] }, 'raise-1'))).toBe('conflict IDEMPOTENCY_KEY_REUSED');
    expect((await t.db.tenant(ctx.tenant.id, (sql) => listDisputes(ctx, sql, { status: 'all' }))).total).toBe(1);
  });

  it('a sales person cannot raise one on another salesperson\'s customer: it is not found for them', async () => {
    expect(await codeOf(raiseDispute(as('sales', 'li'), { customer: 'C2', reason: 'quality', ownerTeam: 'logistics', items: [{ document: 'INV-2', amount: '100.00' }] })))
      .toBe('not_found CUSTOMER_NOT_FOUND');
    // Nor see C1's dispute when the customer is not theirs.
    expect(await codeOf(t.db.tenant(ctx.tenant.id, (sql) => getDispute(as('sales', 'wu'), sql, disputeId)))).toBe('not_found DISPUTE_NOT_FOUND');
    expect((await t.db.tenant(ctx.tenant.id, (sql) => listDisputes(as('sales', 'wu'), sql))).total).toBe(0);
  });

  it('refuses more than the open amount, an item already in an open dispute, another customer\'s invoice', async () => {
    // INV-2 is 3,000.00 open: 3,000.01 is a cent too much.
    expect(await codeOf(raiseDispute(as('sales', 'wu'), { customer: 'C2', reason: 'quality', ownerTeam: 'logistics', items: [{ document: 'INV-2', amount: '3000.01' }] })))
      .toBe('invalid DISPUTE_AMOUNT_ABOVE_OPEN');
    expect(await codeOf(raiseDispute(ctx, { customer: 'C1', reason: 'quantity', ownerTeam: 'logistics', items: [{ document: 'INV-1', amount: '10.00' }] })))
      .toBe('conflict DISPUTE_ITEM_ALREADY_DISPUTED');
    expect(await codeOf(raiseDispute(ctx, { customer: 'C1', reason: 'quantity', ownerTeam: 'logistics', items: [{ document: 'INV-2', amount: '10.00' }] })))
      .toBe('invalid DISPUTE_ITEM_OTHER_CUSTOMER');
    expect(await codeOf(raiseDispute(ctx, { customer: 'C1', reason: 'quantity', ownerTeam: 'logistics', ownerUser: 'nobody', items: [{ document: 'INV-1', amount: '10.00' }] })))
      .toBe('invalid UNKNOWN_OWNER');
    expect(await codeOf(raiseDispute(ctx, { customer: 'C1', reason: 'quantity', ownerTeam: 'logistics', items: [{ document: 'INV-9', amount: '10.00' }] })))
      .toBe('not_found DOCUMENT_NOT_FOUND');
  });
});

describe('a dispute past its due date escalates', () => {
  it('raises a dispute_overdue alert once the dispute is open past 07-14: on 07-20, 6 days past, for the credit manager', async () => {
    // On the due date itself nothing fires.
    await evaluateAlerts(ctx, { asOf: '2026-07-14' });
    const none = await t.db.tenant(ctx.tenant.id, (sql) => listAlerts(ctx, sql, { rule: 'dispute_overdue', status: 'open' }));
    expect(none.total).toBe(0);
    await evaluateAlerts(ctx, { asOf: '2026-07-20' });
    const { rows } = await t.db.tenant(ctx.tenant.id, (sql) => listAlerts(ctx, sql, { rule: 'dispute_overdue', status: 'open' }));
    expect(rows.map((a) => [a.customer, a.severity, a.figures.daysPast, a.figures.ownerTeam, a.figures.disputed, a.figures.dueDate])).toEqual([['C1', 'warning', 6, 'sales', '1234.56', '2026-07-14']]);
  });
});

describe('disputed amounts in aging and the KPIs', () => {
  it('aging shows 1,234.56 of C1\'s 5,000.00 as disputed from the day it was raised, not before', async () => {
    const r = await aging('2026-06-30');
    expect(r.rows.find((x) => x.key === 'C1')).toMatchObject({ outstanding: '5000.00', disputed: '1234.56' });
    expect(r.rows.find((x) => x.key === 'C2')).toMatchObject({ outstanding: '3000.00', disputed: '0.00' });
    expect(r.totals).toMatchObject({ outstanding: '8000.00', disputed: '1234.56' });
    expect((await aging('2026-06-29')).totals).toMatchObject({ outstanding: '8000.00', disputed: '0.00' });
    // Grouped by salesperson: li's row carries it.
    const bySales = await t.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, { asOf: '2026-06-30', by: 'salesperson' }));
    expect(bySales.rows.map((x) => [x.key, x.disputed])).toEqual([['li', '1234.56'], ['wu', '0.00']]);
  });

  it('disputedShare = 1,234.56 / 8,000.00 = 15.432% → 15.43; 0.00 the day before', async () => {
    expect(await disputedShare('2026-06-30')).toEqual({ value: '15.43', unit: 'percent' });
    expect(await disputedShare('2026-06-29')).toEqual({ value: '0.00', unit: 'percent' });
  });

  it('a payment that leaves less open than disputed caps the disputed figure at what is open', async () => {
    // PAY-1 4,000.00 on 07-01 to INV-1: 1,000.00 left open, below the 1,234.56 disputed → disputed 1,000.00.
    await postDocument(at('2026-07-01T04:00:00Z'), { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-07-01', amount: '4000.00', appliesTo: [{ document: 'INV-1' }] });
    expect((await aging('2026-07-01')).rows.find((x) => x.key === 'C1')).toMatchObject({ outstanding: '1000.00', disputed: '1000.00' });
    // At 06-30 the payment had not happened: still 1,234.56 of 5,000.00.
    expect((await aging('2026-06-30')).rows.find((x) => x.key === 'C1')).toMatchObject({ outstanding: '5000.00', disputed: '1234.56' });
    // disputedShare at 07-01: 1,000.00 / (1,000.00 + 3,000.00) = 25.00%.
    expect(await disputedShare('2026-07-01')).toEqual({ value: '25.00', unit: 'percent' });
  });
});

describe('moving a dispute on', () => {
  it('refuses a transition the current status does not allow, with a clear code', async () => {
    const e = await transitionDispute(as('credit_manager', 'credit'), disputeId, { to: 'rejected', note: 'price was agreed' }).catch((x: unknown) => x as AppError);
    expect(e).toMatchObject({ kind: 'conflict', code: 'DISPUTE_TRANSITION_NOT_ALLOWED', message: 'to: a dispute that is open can move to investigating, not to rejected' });
  });

  it('open → investigating → resolved by the credit note posted in the ledger; the history records who and when', async () => {
    const credit = as('credit_manager', 'credit', fixedClock('2026-07-02T04:00:00Z'));
    await transitionDispute(credit, disputeId, { to: 'investigating', note: 'asked sales for the contract' });
    expect(await codeOf(transitionDispute(credit, disputeId, { to: 'resolved_credit_note', creditNote: 'CN-1' }))).toBe('invalid DISPUTE_CREDIT_NOTE_NOT_FOUND');
    await postDocument(at('2026-07-02T04:00:00Z'), { kind: 'credit_note', number: 'CN-1', customer: 'C1', documentDate: '2026-07-02', amount: '1000.00', reason: 'price dispute' });
    const d = await transitionDispute(credit, disputeId, { to: 'resolved_credit_note', creditNote: 'CN-1', note: 'price corrected' }, 'resolve-1');
    expect(d).toMatchObject({ status: 'resolved_credit_note', creditNote: 'CN-1', acceptedAmount: '1234.56', closedOn: '2026-07-02' });
    expect(d.events.map((e) => [e.from, e.to, e.actor, e.note])).toEqual([
      [null, 'open', 'li@acme.cn', 'unit price should be 38.00, not 45.00'],
      ['open', 'investigating', 'credit@acme.cn', 'asked sales for the contract'],
      ['investigating', 'resolved_credit_note', 'credit@acme.cn', 'price corrected'],
    ]);
    // Replaying the same key answers the same; a closed dispute moves no further.
    expect((await transitionDispute(credit, disputeId, { to: 'resolved_credit_note', creditNote: 'CN-1', note: 'price corrected' }, 'resolve-1')).status).toBe('resolved_credit_note');
    expect(await codeOf(transitionDispute(credit, disputeId, { to: 'investigating' }))).toBe('conflict DISPUTE_TRANSITION_NOT_ALLOWED');
    // Disputed while open: on 07-01 still (1,000.00), from the day it closed (07-02) no more.
    expect((await aging('2026-07-01')).totals.disputed).toBe('1000.00');
    expect((await aging('2026-07-02')).totals.disputed).toBe('0.00');
    // The history is append-only.
    await expect(t.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE dispute_events SET note = 'changed' WHERE tenant_id = $1`, [ctx.tenant.id]))).rejects.toThrow();
  });

  it('a partial acceptance records the part accepted; the report groups by reason, customer and owner', async () => {
    const wu = as('sales', 'wu');
    const d = await raiseDispute(wu, { customer: 'C2', reason: 'quality', ownerTeam: 'logistics', dueDate: '2026-07-05', items: [{ document: 'INV-2', amount: '600.00' }] });
    const credit = as('credit_manager', 'credit');
    await transitionDispute(credit, d.id, { to: 'investigating' });
    expect(await codeOf(transitionDispute(credit, d.id, { to: 'partly_accepted', acceptedAmount: '600.00', note: 'all of it' }))).toBe('invalid DISPUTE_ACCEPTED_OUT_OF_RANGE');
    // Overdue after 07-05 while still investigating.
    const overdue = await t.db.tenant(ctx.tenant.id, (sql) => listDisputes({ ...ctx, clock: fixedClock('2026-07-06T04:00:00Z') }, sql, { overdue: true }));
    expect(overdue.rows.map((x) => [x.customer, x.status, x.overdue])).toEqual([['C2', 'investigating', true]]);
    const done = await transitionDispute(credit, d.id, { to: 'partly_accepted', acceptedAmount: '200.00', note: '2 of 6 cartons damaged' });
    expect(done).toMatchObject({ status: 'partly_accepted', acceptedAmount: '200.00', closedOn: '2026-06-30' });
    // Raised 06-30: price 1,234.56 (accepted 1,234.56), quality 600.00 (accepted 200.00); totals 2 disputes, 1,834.56, accepted 1,434.56.
    const report = await t.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, { from: '2026-06-01', to: '2026-06-30', by: 'reason' }));
    expect(report.rows).toEqual([
      { key: 'price', name: 'price', currency: 'CNY', count: 1, active: 0, amount: '1234.56', accepted: '1234.56' },
      { key: 'quality', name: 'quality', currency: 'CNY', count: 1, active: 0, amount: '600.00', accepted: '200.00' },
    ]);
    expect(report.totals).toEqual([{ currency: 'CNY', count: 2, active: 0, amount: '1834.56', accepted: '1434.56' }]);
    const byOwner = await t.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, { from: '2026-06-30', to: '2026-06-30', by: 'owner' }));
    expect(byOwner.rows.map((r) => [r.key, r.amount])).toEqual([['sales', '1234.56'], ['logistics', '600.00']]);
    expect((await t.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, { from: '2026-07-01', to: '2026-07-31' }))).rows).toEqual([]);
    expect(await codeOf(t.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, { from: '2026-07-31', to: '2026-07-01' })))).toBe('invalid INVALID_PERIOD');
  });
});

describe('the API and the command line', () => {
  it('raises over HTTP (201), refuses a viewer (403) and a bad body (400), lists with filters', async () => {
    const app = await buildServer({ db: t.db, clock: JUNE_30 });
    try {
      const admin = { authorization: `Bearer ${await adminToken(ctx)}` };
      const viewer = { authorization: `Bearer ${await adminToken(ctx, 'viewer')}` };
      const body = { customer: 'C2', reason: 'duplicate_billing', ownerTeam: 'finance', items: [{ document: 'INV-2', amount: '100.00' }] };
      const raised = await app.inject({ method: 'POST', url: '/api/v1/disputes', headers: { ...admin, 'idempotency-key': 'http-1' }, payload: body });
      expect(raised.statusCode, raised.body).toBe(201);
      const replay = await app.inject({ method: 'POST', url: '/api/v1/disputes', headers: { ...admin, 'idempotency-key': 'http-1' }, payload: body });
      expect(replay.json().id).toBe(raised.json().id);
      expect((await app.inject({ method: 'POST', url: '/api/v1/disputes', headers: viewer, payload: body })).statusCode).toBe(403);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/disputes', headers: admin, payload: { ...body, reason: 'mood' } });
      expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED']);
      const list = await app.inject({ method: 'GET', url: '/api/v1/disputes?status=all&customer=C2&reason=duplicate_billing', headers: viewer });
      expect(list.json()).toMatchObject({ total: 1, rows: [{ customer: 'C2', amount: '100.00', ownerTeam: 'finance', status: 'open' }] });
      expect((await app.inject({ method: 'GET', url: '/api/v1/disputes?limit=201', headers: viewer })).statusCode).toBe(400);
      const transition = await app.inject({ method: 'POST', url: `/api/v1/disputes/${raised.json().id}/transition`, headers: viewer, payload: { to: 'investigating' } });
      expect(transition.statusCode).toBe(403);
      const shown = await app.inject({ method: 'GET', url: `/api/v1/disputes/${raised.json().id}`, headers: viewer });
      expect(shown.json().items).toEqual([{ document: 'INV-2', kind: 'invoice', installment: 1, dueDate: '2026-07-01', amount: '100.00', openAtRaise: '3000.00' }]);
      const report = await app.inject({ method: 'GET', url: '/api/v1/disputes/report?from=2026-06-30&to=2026-06-30&by=customer', headers: viewer });
      // Largest amount first: C1 1,234.56 (one dispute) before C2 600.00 + 100.00 = 700.00 (two).
      expect(report.json().rows.map((r: { key: string; count: number; amount: string }) => [r.key, r.count, r.amount])).toEqual([['C1', 1, '1234.56'], ['C2', 2, '700.00']]);
    } finally {
      await app.close();
    }
  });

  it('`arflow disputes` lists, shows and raises, as text and JSON', async () => {
    const run = (...argv: string[]) => cliRunner(t.db, JUNE_30, 'ACME')(argv);
    const raised = await run('--format', 'json', 'disputes', 'raise', '--customer', 'C1', '--reason', 'not_received', '--owner-team', 'logistics', '--item', 'INV-1=500.00', '--key', 'cli-1');
    expect(raised.code, raised.err).toBe(0);
    // INV-1 has 1,000.00 open after PAY-1; 500.00 of it disputed.
    expect(JSON.parse(raised.out)).toMatchObject({ customer: 'C1', amount: '500.00', items: [{ openAtRaise: '1000.00' }] });
    const list = await run('disputes', 'list', '--customer', 'C1');
    expect(list.out).toContain('1 disputes');
    expect(list.out).toMatch(/C1\s+open\s+not_received\s+logistics\s+500\.00 CNY\s+2026-07-14\s+INV-1/);
    const bad = await run('disputes', 'raise', '--customer', 'C1', '--reason', 'price', '--owner-team', 'sales', '--item', 'INV-1');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('DOCUMENT[#INSTALLMENT]=AMOUNT');
    const report = await run('--format', 'json', 'disputes', 'report', '--from', '2026-06-30', '--to', '2026-06-30');
    expect(JSON.parse(report.out).totals).toEqual([{ currency: 'CNY', count: 4, active: 2, amount: '2434.56', accepted: '1434.56' }]);
  });
});
