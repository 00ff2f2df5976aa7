/**
 * Payment plans, broken-promise and missed-installment alerts, and escalation cases on a real database (both engines).
 * Every figure is worked out by hand below.
 *
 * Company ACME (CNY, Asia/Shanghai); today 2026-06-01 unless said. Collectors wang (C1, C3, C4) and zhao (C2).
 *   C1 华东机电: INV-1 6,000.00 due 04-30, INV-2 4,000.00 due 05-15 (both overdue), INV-3 1,000.00 due 07-31 (not yet due).
 * Plan PP-0001 for C1 from 06-01: the overdue items (INV-1 + INV-2 = 10,000.00), 1,000.00 down, 3 monthly installments
 * from 07-01, 6.00% a year, fee 100.00 (the schedule of src/domain/payment-plans.test.ts):
 *   0 06-01 1,000.00 · 1 07-01 3,000.00 + 44.38 + 33.34 = 3,077.72 · 2 08-01 3,000.00 + 30.58 + 33.33 = 3,063.91
 *   3 09-01 3,000.00 + 15.29 + 33.33 = 3,048.62; interest 90.25 + fee 100.00 = 190.25 posted as a charge due 09-01.
 * PAY-1 1,000.00 on 06-01 and PAY-2 2,000.00 on 07-03, both to INV-1. Grace 3 days.
 *   07-04: installment 1 partly paid (2,000.00); 07-05: missed. Alert rule N = 7: unpaid 07-01 + 7 = 07-08 → 7 days, no
 *   alert; 07-09 → 8 days > 7: alert, 1,077.72 unpaid.
 * Renegotiated 07-10: open then INV-1 3,000.00 + INV-2 4,000.00 + the charge 190.25 = 7,190.25 in 3 from 08-10, no
 *   interest: 2,396.75 each (719,025 = 3 × 239,675).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/access.ts';
import { AppError } from '../src/domain/errors.ts';
import { createUser } from '../src/modules/access/index.ts';
import { evaluateAlerts, listAlerts } from '../src/modules/alerts/index.ts';
import { evaluatePromises, recordPromise } from '../src/modules/collections/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { customersInLegal, getCase, itemsInEscalation, openCase, recordCost, recordRecovery, saveAgency, transitionCase } from '../src/modules/escalation/index.ts';
import { getDocument, postDocument } from '../src/modules/ledger/index.ts';
import { listOutbox, runDunning, saveStrategy, saveTemplate } from '../src/modules/dunning/index.ts';
import { collectorWorklist } from '../src/modules/worklist/index.ts';
import { cancelPlan, createPlan, evaluatePlans, getPlan, itemsInPaymentPlans, listPlans, previewPlan, renegotiatePlan, setPlanSettings } from '../src/modules/payment-plans/index.ts';
import { cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const day = (date: string) => fixedClock(`${date}T04:00:00Z`);
let t: TestDatabase;
let ctx: Context;
const on = (date: string): Context => ({ ...ctx, clock: day(date) });
const as = (role: Role, handle: string, date = '2026-06-01'): Context => ({
  ...ctx, clock: day(date), actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));
const read = <T>(fn: (sql: Parameters<Parameters<Context['db']['tenant']>[1]>[0]) => Promise<T>) => t.db.tenant(ctx.tenant.id, fn);
const itemIdsOf = async (numbers: string[]) => (await read((sql) => sql.query<{ id: string }>(
  `SELECT i.id FROM items i JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id WHERE i.tenant_id = $1 AND d.number = ANY($2::text[]) ORDER BY i.id`, [ctx.tenant.id, numbers]))).map((r) => r.id);
const PLAN = { customer: 'C1', downPayment: '1000.00', installments: 3, firstDate: '2026-07-01', interestRate: '6.00', fee: '100.00' };
let planId = '';

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, day('2026-06-01'));
  for (const [handle, role] of [['wang', 'collector'], ['zhao', 'collector']] as const) {
    await createUser(ctx, { email: `${handle}@acme.cn`, name: handle, handle, role, password: 'a long test password' });
  }
  await createCustomer(ctx, { code: 'C1', name: '华东机电', collector: 'wang' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', collector: 'zhao' });
  await createCustomer(ctx, { code: 'C3', name: '北方重工', collector: 'wang' });
  await createCustomer(ctx, { code: 'C4', name: '南方建材', collector: 'wang' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-31', dueDate: '2026-04-30', amount: '6000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-04-15', dueDate: '2026-05-15', amount: '4000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C1', documentDate: '2026-05-31', dueDate: '2026-07-31', amount: '1000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-9', customer: 'C3', documentDate: '2026-02-28', dueDate: '2026-03-31', amount: '12345.67' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-7', customer: 'C4', documentDate: '2026-01-31', dueDate: '2026-02-28', amount: '50000.00' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('payment plans', () => {
  it('previews the schedule from the overdue items without writing anything', async () => {
    const p = await read((sql) => previewPlan(as('collector', 'wang'), sql, PLAN));
    expect(p.items.map((i) => `${i.document} ${i.open}`)).toEqual(['INV-1 6000.00', 'INV-2 4000.00']);
    expect([p.principal, p.downPayment, p.financed, p.interest, p.fee, p.total]).toEqual(['10000.00', '1000.00', '9000.00', '90.25', '100.00', '10190.25']);
    expect(p.installments.map((i) => `${i.seq} ${i.dueDate} ${i.amount}`)).toEqual(['0 2026-06-01 1000.00', '1 2026-07-01 3077.72', '2 2026-08-01 3063.91', '3 2026-09-01 3048.62']);
    expect((await read((sql) => listPlans(ctx, sql, { status: 'all' }))).total).toBe(0);
  });

  it('makes the plan once under a key: the interest and fee are a charge in the ledger; another collector cannot see it', async () => {
    const wang = as('collector', 'wang');
    const plan = await createPlan(wang, PLAN, 'plan-1');
    planId = plan.id;
    expect(plan).toMatchObject({ number: 'PP-0001', version: 1, status: 'active', principal: '10000.00', interest: '90.25', fee: '100.00', total: '10190.25', graceDays: 3, interestRate: '6.00', paid: '0.00' });
    expect((await createPlan(wang, PLAN, 'plan-1')).id).toBe(plan.id);
    const charge = await read((sql) => getDocument(ctx, sql, plan.chargeDocument!));
    expect([charge.kind, charge.amount, charge.dueDate]).toEqual(['charge', '190.25', '2026-09-01']);
    expect(await codeOf(read((sql) => getPlan(as('collector', 'zhao'), sql, 'PP-0001')))).toBe('not_found PLAN_NOT_FOUND');
    // The items are in a plan now: a second plan on them is refused, naming the plan.
    expect(await codeOf(createPlan(wang, { ...PLAN, items: [{ document: 'INV-1' }] }))).toBe('conflict PLAN_ITEM_ELSEWHERE');
    expect(await codeOf(createPlan(wang, PLAN))).toBe('invalid PLAN_NO_OVERDUE_ITEMS');
    // For dunning: INV-1, INV-2 and the charge from 06-01, nothing the day before.
    const inPlan = await itemsInPaymentPlans(ctx, '2026-06-01');
    expect([...inPlan].sort()).toEqual((await itemIdsOf(['INV-1', 'INV-2', charge.number])).sort());
    expect((await itemsInPaymentPlans(ctx, '2026-05-31')).size).toBe(0);
  });

  it('decides each installment from the payments applied to the plan\'s items, by its date plus grace', async () => {
    await postDocument(on('2026-06-01'), { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-06-01', amount: '1000.00', appliesTo: [{ document: 'INV-1' }] });
    await postDocument(on('2026-07-03'), { kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-07-03', amount: '2000.00', appliesTo: [{ document: 'INV-1' }] });
    const at = async (asOf: string) => (await read((sql) => getPlan(ctx, sql, planId, asOf))).installments.map((i) => `${i.seq} ${i.status} ${i.paid}`);
    expect(await at('2026-07-04')).toEqual(['0 paid 1000.00', '1 partly_paid 2000.00', '2 due 0.00', '3 due 0.00']);
    expect(await at('2026-07-05')).toEqual(['0 paid 1000.00', '1 missed 2000.00', '2 due 0.00', '3 due 0.00']);
    const p = await read((sql) => getPlan(ctx, sql, planId, '2026-07-09'));
    expect([p.paid, p.outstanding, p.missed, p.nextDue]).toEqual(['3000.00', '7190.25', 1, { seq: 1, dueDate: '2026-07-01', amount: '1077.72' }]);
    expect(p.defaulted).toEqual({ seq: 1, dueDate: '2026-07-01', daysOverdue: 8 });
  });

  it('a missed installment beyond 7 days raises an alert to the collector', async () => {
    const planAlerts = async () => (await read((sql) => listAlerts(ctx, sql, { rule: 'payment_plan_missed' }))).rows;
    await evaluateAlerts(ctx, { asOf: '2026-07-08' });
    expect(await planAlerts()).toEqual([]);
    await evaluateAlerts(ctx, { asOf: '2026-07-09' });
    const [alert] = await planAlerts();
    expect(alert).toMatchObject({ customer: 'C1', owner: 'wang', severity: 'warning', figures: { plan: 'PP-0001', installment: 1, dueDate: '2026-07-01', daysOverdue: 8, unpaid: '1077.72', currency: 'CNY', thresholdDays: 7 } });
    expect(alert!.message).toBe('payment plan PP-0001: installment 1 due 2026-07-01 unpaid 8 days (1077.72 CNY) > 7');
  });

  it('renegotiation replaces the plan by version 2 over what is still open, keeping the history', async () => {
    const wang = as('collector', 'wang', '2026-07-10');
    expect(await codeOf(renegotiatePlan(wang, 'PP-0001', { installments: 3, firstDate: '2026-08-10', reason: 'no' }))).toBe('invalid VALIDATION_FAILED');
    const v2 = await renegotiatePlan(wang, 'PP-0001', { installments: 3, firstDate: '2026-08-10', reason: 'lost a large contract; asked for lower installments' }, 'reneg-1');
    expect(v2).toMatchObject({ number: 'PP-0001', version: 2, previousId: planId, status: 'active', startDate: '2026-07-10', principal: '7190.25', interest: '0.00', total: '7190.25' });
    expect(v2.installments.map((i) => `${i.seq} ${i.dueDate} ${i.amount}`)).toEqual(['1 2026-08-10 2396.75', '2 2026-09-10 2396.75', '3 2026-10-10 2396.75']);
    expect(v2.items.map((i) => `${i.document} ${i.openAtPlan}`)).toEqual(['INV-1 3000.00', 'INV-2 4000.00', `${v2.items[2]!.document} 190.25`]);
    expect(v2.versions.map((v) => `${v.version} ${v.status} ${v.endedOn}`)).toEqual(['1 replaced 2026-07-10', '2 active null']);
    expect(v2.events.map((e) => `v${e.version} ${e.event}`)).toEqual(['v1 created', 'v1 replaced', 'v2 renegotiated']);
    expect(await codeOf(renegotiatePlan(wang, planId, { installments: 2, firstDate: '2026-08-10', reason: 'again' }))).toBe('conflict PLAN_NOT_ACTIVE');
    // The alert on version 1 goes once version 2 has nothing missed.
    await evaluateAlerts(ctx, { asOf: '2026-07-10' });
    expect((await read((sql) => listAlerts(ctx, sql, { rule: 'payment_plan_missed' }))).rows).toEqual([]);
  });

  it('cancelling ends the plan: its items go back to dunning; the evaluation cancels a plan in default when the company says so', async () => {
    const cancelled = await cancelPlan(as('collector', 'wang', '2026-07-10'), 'PP-0001', { reason: 'customer stopped answering' }, 'cancel-1');
    expect([cancelled.version, cancelled.status, cancelled.endedOn]).toEqual([2, 'cancelled', '2026-07-10']);
    expect((await itemsInPaymentPlans(ctx, '2026-07-09')).size).toBe(3);
    expect((await itemsInPaymentPlans(ctx, '2026-07-10')).size).toBe(0);
    // A plan on INV-3 (not yet due: named), 500.00 a month from 08-01; never paid. Auto-cancel after 10 days unpaid.
    await setPlanSettings(ctx, { graceDays: 3, autoCancelDays: 10 });
    await createPlan(on('2026-07-10'), { customer: 'C1', items: [{ document: 'INV-3' }], installments: 2, firstDate: '2026-08-01' });
    expect(await evaluatePlans(ctx, { asOf: '2026-08-11' })).toMatchObject({ evaluated: 1, cancelled: 0 });
    expect(await evaluatePlans(ctx, { asOf: '2026-08-12' })).toMatchObject({ evaluated: 1, cancelled: 1 });
    const p = await read((sql) => getPlan(ctx, sql, 'PP-0002'));
    expect([p.status, p.endReason]).toEqual(['cancelled', 'installment 1 due 2026-08-01 unpaid 11 days (more than 10)']);
  });
});

describe('broken promises raise an alert', () => {
  it('from the promises module\'s decision, for 30 days after the deadline', async () => {
    await recordPromise(as('collector', 'zhao'), { customer: 'C2', amount: '1000.00', promisedDate: '2026-06-03', graceDays: 0 });
    await evaluatePromises(ctx, { asOf: '2026-06-05' });
    await evaluateAlerts(ctx, { asOf: '2026-06-05' });
    const rows = (await read((sql) => listAlerts(ctx, sql, { rule: 'promise_broken' }))).rows;
    expect(rows.map((r) => [r.customer, r.owner, r.message])).toEqual([['C2', 'zhao', 'promise to pay 1000.00 CNY by 2026-06-03 broken (0.00 paid)']]);
    // Deadline 06-03 + 30 days = 07-03: still on; from 07-04 it is resolved by the evaluation.
    await evaluateAlerts(ctx, { asOf: '2026-07-03' });
    expect((await read((sql) => listAlerts(ctx, sql, { rule: 'promise_broken' }))).total).toBe(1);
    await evaluateAlerts(ctx, { asOf: '2026-07-04' });
    expect((await read((sql) => listAlerts(ctx, sql, { rule: 'promise_broken' }))).total).toBe(0);
  });
});

describe('escalation', () => {
  let caseId = '';
  it('hands C3\'s overdue invoice to an agency at its 15.00% commission', async () => {
    await saveAgency(ctx, { code: 'AG1', name: '信达商账', commissionRate: '15.00', contact: '刘经理', phone: '021-5555-0101' });
    const c = await openCase(ctx, { customer: 'C3', kind: 'agency', agency: 'AG1', note: 'three reminders unanswered' }, 'case-1');
    caseId = c.id;
    expect(c).toMatchObject({ number: 'EC-0001', status: 'open', handedOver: '12345.67', commissionRate: '15.00', agency: 'AG1', recovered: '0.00', openNow: '12345.67' });
    expect(await codeOf(openCase(ctx, { customer: 'C3', kind: 'agency', agency: 'AG1', documents: ['INV-9'] }))).toBe('conflict CASE_ITEM_ELSEWHERE');
    expect(await codeOf(openCase(ctx, { customer: 'C4', kind: 'agency' }))).toBe('invalid CASE_AGENCY_REQUIRED');
    expect((await itemsInEscalation(ctx, '2026-06-01')).size).toBe(1);
  });

  it('a recovery posts a payment applied to the case\'s items, once under a key; commission 5,000.00 × 15% = 750.00', async () => {
    const first = await recordRecovery(ctx, caseId, { amount: '5000.00', reference: 'AG1-REM-001' }, 'rec-1');
    const again = await recordRecovery(ctx, caseId, { amount: '5000.00', reference: 'AG1-REM-001' }, 'rec-1');
    expect(again.recovery.id).toBe(first.recovery.id);
    expect(first.recovery).toMatchObject({ date: '2026-06-01', amount: '5000.00', commission: '750.00', applied: [{ document: 'INV-9', amount: '5000.00' }] });
    const payment = await read((sql) => getDocument(ctx, sql, first.recovery.payment));
    expect([payment.kind, payment.amount, payment.customer]).toEqual(['payment', '5000.00', 'C3']);
    // 12,345.67 − 5,000.00 = 7,345.67 still open (not 2,345.67: the repeat posted nothing).
    expect(first.case).toMatchObject({ status: 'in_progress', recovered: '5000.00', commission: '750.00', openNow: '7345.67' });
    expect(await codeOf(recordRecovery(ctx, caseId, { amount: '7345.68' }))).toBe('invalid RECOVERY_ABOVE_OPEN');
  });

  it('costs, closing as it was recovered, and the history', async () => {
    // Net: 5,000.00 − 750.00 commission − 300.00 court fee = 3,950.00.
    const c = await recordCost(ctx, caseId, { amount: '300.00', description: 'court filing fee' });
    expect([c.costs, c.net]).toEqual(['300.00', '3950.00']);
    expect(await codeOf(transitionCase(ctx, caseId, { to: 'closed_recovered' }))).toBe('conflict CASE_CLOSING_MISMATCH');
    expect((await transitionCase(ctx, caseId, { to: 'closed_partly', note: 'debtor insolvent' })).status).toBe('closed_partly');
    expect(await codeOf(recordRecovery(ctx, caseId, { amount: '1.00' }))).toBe('conflict CASE_CLOSED');
    expect(await codeOf(transitionCase(ctx, caseId, { to: 'in_progress' }))).toBe('conflict CASE_TRANSITION_NOT_ALLOWED');
    const d = await read((sql) => getCase(ctx, sql, 'EC-0001'));
    expect(d.events.map((e) => `${e.event} ${e.from ?? '-'}→${e.to}`)).toEqual(['opened -→open', 'transition open→in_progress', 'recovery -→in_progress', 'cost -→in_progress', 'transition in_progress→closed_partly']);
    expect(d.recoveries.map((r) => `${r.date} ${r.amount} ${r.commission} ${r.reference}`)).toEqual(['2026-06-01 5000.00 750.00 AG1-REM-001']);
  });

  it('a customer in an open legal case is in legal', async () => {
    const legal = await openCase(ctx, { customer: 'C4', kind: 'legal', lawyer: '张律师', commissionRate: '8.00' });
    expect([legal.kind, legal.lawyer, legal.commissionRate, legal.handedOver]).toEqual(['legal', '张律师', '8.00', '50000.00']);
    const [c4] = await read((sql) => sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = 'C4'`, [ctx.tenant.id]));
    expect([...(await customersInLegal(ctx, '2026-06-01'))]).toEqual([c4!.id]);
    expect((await customersInLegal(ctx, '2026-05-31')).size).toBe(0);
  });
});

describe('dunning leaves plans, agencies and legal alone', () => {
  it('skips the items in a plan and a customer in legal, and dunns what is left', async () => {
    await saveTemplate(ctx, { key: 'r', language: 'zh-CN', subject: '付款提醒', body: '{{customer.name}}：{{#totals}}{{currency}} {{total}}{{/totals}}' });
    await saveStrategy(ctx, { code: 'std', name: 'Standard', isDefault: true, priority: 100, steps: [{ offsetDays: 0, channel: 'letter', templateKey: 'r' }] });
    const run = await runDunning(on('2026-06-01'), { dryRun: true });
    // On 06-01: C1's INV-1 and INV-2 are in PP-0001 (its charge is due 09-01 and INV-3 07-31: not due yet); C4 has an
    // open legal case; C3's agency case was closed (partly recovered) that day, so its 7,345.67 left is dunned again.
    expect(run.preview.map((m) => `${m.customer} ${m.items.map((i) => `${i.document} ${i.open}`).join(', ')}`)).toEqual(['C3 INV-9 7,345.67']);
    expect(run.skipped).toMatchObject({ payment_plan: 2, legal: 1, escalated: 0 });
  });

  it('a step that hands the items over to an agency is a task on the collector\'s list, not a message', async () => {
    await saveStrategy(ctx, { code: 'std', name: 'Standard', isDefault: true, priority: 100, steps: [{ offsetDays: 0, channel: 'agency_task', templateKey: 'r' }] });
    const run = await runDunning(on('2026-06-01'), {});
    // One message in the outbox (C3's 7,345.67; C1's items are in the plan, C4 is in legal), and it is a task.
    expect([run.messages, run.tasks]).toEqual([1, 1]);
    const [task] = (await read((sql) => listOutbox(ctx, sql, { customer: 'C3' }))).rows;
    // C3's collector is wang: the task is theirs, open until they mark it done.
    expect([task!.channel, task!.status, task!.recipient]).toEqual(['agency_task', 'task', 'wang']);
    const list = await read((sql) => collectorWorklist(as('collector', 'wang'), sql, { asOf: '2026-06-01' }));
    expect(list.rows.find((r) => r.customer === 'C3')!.reasons.find((x) => x.code === 'dunning_task')).toMatchObject({
      text: 'dunning hand-over to an agency due since 2026-06-01', values: { channel: 'agency_task', date: '2026-06-01' },
    });
  });
});

describe('the command line', () => {
  const cli = (date: string, ...argv: string[]) => cliRunner(t.db, day(date), 'ACME')(argv);
  it('arflow plans show, plans create --preview, cases list', async () => {
    const shown = await cli('2026-07-05', '--format', 'json', 'plans', 'show', planId, '--as-of', '2026-07-05');
    expect(shown.code, shown.err).toBe(0);
    expect((JSON.parse(shown.out) as { installments: { status: string }[] }).installments.map((i) => i.status)).toEqual(['paid', 'missed', 'due', 'due']);
    // INV-3 is free again (its plan was cancelled): 1,000.00 in 2 → 500.00 + 500.00.
    const preview = await cli('2026-08-20', 'plans', 'create', '--customer', 'C1', '--item', 'INV-3', '--installments', '2', '--first-date', '2026-09-01', '--preview');
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toContain('total 1000.00 CNY');
    expect(preview.out.match(/500\.00/g)?.length).toBe(4);
    const cases = await cli('2026-06-01', '--format', 'json', 'cases', 'list', '--status', 'all');
    expect((JSON.parse(cases.out) as { rows: { number: string; status: string }[] }).rows.map((c) => `${c.number} ${c.status}`)).toEqual(['EC-0002 open', 'EC-0001 closed_partly']);
  });
});
