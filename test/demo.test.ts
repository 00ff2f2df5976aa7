/** The demo company a new user meets at `npm start`: its users sign in, each with their role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, DEMO_PASSWORD, DEMO_USERS } from '../src/demo/demo.ts';
import { signIn } from '../src/modules/access/index.ts';
import { listApprovals } from '../src/modules/approvals/index.ts';
import { listConfirmations } from '../src/modules/confirmations/index.ts';
import { searchAudit } from '../src/modules/audit/search.ts';
import { listTenants } from '../src/modules/tenants/index.ts';
import { kpiTrend } from '../src/modules/kpis/index.ts';
import { getRun, listRuns } from '../src/modules/provision/index.ts';
import { reviewQueue } from '../src/modules/credit/index.ts';
import { customerLimits, listCommitments, listHolds } from '../src/modules/credit-limits/index.ts';
import { listAlerts } from '../src/modules/alerts/index.ts';
import { getStatement, listStatements } from '../src/modules/bank/index.ts';
import { listLines } from '../src/modules/bank/matching.ts';
import { listAdvices } from '../src/modules/bank/remittances.ts';
import { listDisputes } from '../src/modules/disputes/index.ts';
import { customerTimeline, listPromises } from '../src/modules/collections/index.ts';
import { collectorWorklist } from '../src/modules/worklist/index.ts';
import { agingReport } from '../src/modules/aging/index.ts';
import { listOutbox, listRuns as listDunningRuns, listStrategies as listDunningStrategies } from '../src/modules/dunning/index.ts';
import { fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.drop());

describe('the demo company', () => {
  it('has one user per role who signs in with the documented password, and customers the collector and sales person own', async () => {
    const summary = await createDemo(t.db, CLOCK, { customers: 40, invoices: 300, seed: 7 });
    expect(summary).toMatchObject({ tenant: 'DEMO', customers: 40 });
    expect(new Set(DEMO_USERS.map((u) => u.role)).size).toBe(7);
    for (const user of DEMO_USERS) {
      const signedIn = await signIn(t.db, CLOCK, { email: user.email, password: DEMO_PASSWORD }, {});
      expect(signedIn.principal).toMatchObject({ role: user.role, mustChangePassword: false });
      expect(signedIn.tenant.code).toBe('DEMO');
    }
    const [owned] = await t.db.system((sql) => sql.query<{ collector: bigint; sales: bigint }>(
      `SELECT count(*) FILTER (WHERE collector = '赵敏')::int8 AS collector, count(*) FILTER (WHERE salesperson = '王磊')::int8 AS sales FROM customers`));
    expect(owned!.collector).toBeGreaterThan(0n);
    expect(owned!.sales).toBeGreaterThan(0n);
  });

  it('shows the approvals inbox at work: requests by different users waiting for a second person, one already approved and done', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const { items } = await t.db.tenant(tenant.id, (sql) => listApprovals(ctx, sql, { limit: 50 }));
    // Credit limit and hold-release requests (issue 5) are checked in their own test below.
    const pending = items.filter((a) => a.status === 'pending' && !a.action.startsWith('credit.'));
    expect(pending.map((a) => [a.action, a.requestedBy]).sort()).toEqual([
      ['customer.credit', 'credit@demo.example'], ['document.reverse', 'finance@demo.example'], ['write_off.post', 'finance@demo.example'],
    ]);
    expect(pending.every((a) => a.subject !== null)).toBe(true);
    const [approved] = items.filter((a) => a.status === 'approved' && !a.action.startsWith('credit.'));
    expect(approved).toMatchObject({ action: 'customer.credit', requestedBy: 'credit@demo.example', requestedByName: '郑涛', decidedBy: 'admin@demo.example', decidedByName: '管理员' });
    // The approved increase is done: the customer's limit is what was asked for.
    const subject = approved!.subject as { kind: 'credit'; customer: { code: string }; creditLimit: { now: string; requested: string } };
    expect(subject.creditLimit.now).toBe(subject.creditLimit.requested);
    // Requested and decided through the real services: each is in the audit trail under its user.
    const requests = await t.db.tenant(tenant.id, (sql) => searchAudit(ctx, sql, { action: 'approval.' }));
    expect(requests.items.filter((e) => !String((e.after as { action?: string } | null)?.action).startsWith('credit.')).map((e) => `${e.action} ${e.actor}`).sort()).toEqual([
      'approval.approve admin@demo.example', 'approval.request credit@demo.example', 'approval.request credit@demo.example',
      'approval.request finance@demo.example', 'approval.request finance@demo.example',
    ]);
  });

  it('has a year of KPI trends ready: snapshots of yesterday and the last 12 month ends', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const trend = await t.db.tenant(tenant.id, (sql) => kpiTrend(ctx, sql, { months: 12 }));
    // The 11 month ends before today (2026-06-30) come from snapshots; today is computed live.
    expect(trend.points.map((p) => p.source)).toEqual([...Array(11).fill('snapshot'), 'computed']);
    expect(trend.points[0]!.asOf).toBe('2025-07-31');
    expect(trend.points.every((p) => p.kpis.dsoCountback.value !== null && Number(p.kpis.arBalance.value) > 0)).toBe(true);
  });

  it('has a bad-debt provision with history: runs at the last two month-ends by finance@, a recovery between them', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const { items } = await t.db.tenant(tenant.id, (sql) => listRuns(ctx, sql, {}));
    expect(items.map((r) => [r.periodEnd, r.method, r.createdBy])).toEqual([['2026-05-31', 'aging', 'finance@demo.example'], ['2026-04-30', 'aging', 'finance@demo.example']]);
    const may = await t.db.tenant(tenant.id, (sql) => getRun(ctx, sql, items[0]!.id));
    expect(may.report.movement.previousRun?.id).toBe(items[1]!.id);
    expect(may.report.movement.opening).toBe(items[1]!.allowance);
    expect(Number(may.report.movement.recovered)).toBeGreaterThan(0);
    // The allowance moves by the rule: closing = opening + charge − utilised + recovered, to the cent.
    const m = may.report.movement;
    const cents = (v: string) => BigInt(v.replace('.', ''));
    expect(cents(m.opening) + cents(m.charge) - cents(m.utilised) + cents(m.recovered)).toBe(cents(m.closing));
    expect(may.allowance).toBe(m.closing);
  });

  it('has credit files graded by credit@: statements and grades for the domestic customers, some reviews due, two done', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const [counts] = await t.db.tenant(tenant.id, (sql) => sql.query<{ profiles: bigint; statements: bigint; reviews: bigint; grades: bigint }>(
      `SELECT (SELECT count(*) FROM credit_profiles WHERE tenant_id = $1)::int8 AS profiles, (SELECT count(*) FROM credit_financials WHERE tenant_id = $1)::int8 AS statements,
              (SELECT count(*) FROM credit_reviews WHERE tenant_id = $1)::int8 AS reviews, (SELECT count(DISTINCT grade) FROM credit_profiles WHERE tenant_id = $1)::int8 AS grades`, [tenant.id]));
    // 40 customers, of which C0007 and C0027 are foreign (every 20th from the 7th): 38 domestic, two statements each
    expect([counts!.profiles, counts!.statements, counts!.reviews]).toEqual([38n, 76n, 2n]);
    expect(counts!.grades).toBeGreaterThanOrEqual(3n);
    const queue = await t.db.tenant(tenant.id, (sql) => reviewQueue(ctx, sql, { asOf: '2026-06-30' }));
    expect(queue.rows.some((r) => r.reason === 'review due')).toBe(true);
  });

  it('has balance confirmations at the last quarter-end: four confirmed, one disputed with a difference, the rest waiting', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const { items } = await t.db.tenant(tenant.id, (sql) => listConfirmations(ctx, sql, { limit: 50 }));
    // The demo is as of 2026-06-30: ten days back is in June, so the quarter-end is 2026-03-31, issued 04-05.
    expect(new Set(items.map((c) => c.asOf))).toEqual(new Set(['2026-03-31']));
    const count = (status: string) => items.filter((c) => c.status === status).length;
    expect([count('confirmed'), count('disputed'), count('unanswered')]).toEqual([4, 1, items.length - 5]);
    expect(items.length).toBeGreaterThanOrEqual(7);
    // Waiting since 04-05: 86 days at 06-30.
    expect(items.filter((c) => c.status === 'unanswered').every((c) => c.daysOutstanding === 86)).toBe(true);
    const { getConfirmation } = await import('../src/modules/confirmations/index.ts');
    const disputed = await t.db.tenant(tenant.id, (sql) => getConfirmation(ctx, sql, items.find((c) => c.status === 'disputed')!.number));
    const figure = disputed.answers[0]!.figures[0]!;
    // Their figure lacks one invoice: difference = theirs − ours = minus that invoice, itemised.
    expect(figure.difference).toBe(`-${disputed.answers[0]!.differences[0]!.amount.replace('-', '')}`);
    expect(figure.difference.startsWith('-')).toBe(true);
  });

  it('has credit limits at work: group limits, a temporary increase, open orders, a customer held by rule and a release awaiting approval', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const group = await t.db.tenant(tenant.id, (sql) => customerLimits(ctx, sql, 'C0001'));
    expect(group.groupLimit?.total).toBe('3000000.00');
    const seasonal = await t.db.tenant(tenant.id, (sql) => customerLimits(ctx, sql, 'C0003'));
    // The temporary 200,000.00 is in force today (from 5 days ago to 25 days ahead).
    expect(seasonal.limit?.temporaryInForce).toBe('200000.00');
    expect(seasonal.history[0]).toMatchObject({ requestedBy: 'credit@demo.example', approvedBy: 'finance@demo.example' });
    expect((await t.db.tenant(tenant.id, (sql) => listCommitments(ctx, sql, { status: 'open' }))).items).toHaveLength(16);
    const holds = (await t.db.tenant(tenant.id, (sql) => listHolds(ctx, sql, { status: 'open' }))).items;
    expect(holds.filter((h) => h.rule !== 'grade_e').map((h) => [h.rule, h.status]).sort()).toEqual([['manual', 'release_requested'], ['overdue_amount', 'active']]);
    // The grade-E rule is on: every customer the credit file grades E (src/demo/credit-demo.ts) is held, no other.
    const gradedE = await t.db.tenant(tenant.id, (sql) => sql.query<{ code: string }>(
      `SELECT c.code FROM credit_profiles p JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id WHERE p.grade = 'E' ORDER BY c.code`));
    expect(gradedE.length).toBeGreaterThan(0);
    expect(holds.filter((h) => h.rule === 'grade_e').map((h) => h.customer).sort()).toEqual(gradedE.map((r) => r.code));
    const { items } = await t.db.tenant(tenant.id, (sql) => listApprovals(ctx, sql, { status: 'pending', limit: 50 }));
    expect(items.filter((a) => a.action === 'credit.hold_release').map((a) => a.requestedBy)).toEqual(['credit@demo.example']);
  });

  it('has early-warning alerts in the inbox of collector@ and credit@, one acknowledged, one resolved with a note', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const all = await t.db.tenant(tenant.id, (sql) => listAlerts(ctx, sql, { status: 'all', limit: 200 }));
    const owners = new Set(all.rows.filter((a) => a.status !== 'resolved').map((a) => a.owner));
    expect(owners).toContain('赵敏');
    expect(owners).toContain('credit');
    expect(all.rows.some((a) => a.status === 'acknowledged' && a.acknowledgedBy === 'collector@demo.example')).toBe(true);
    expect(all.rows.some((a) => a.status === 'resolved' && a.resolvedBy === 'credit@demo.example')).toBe(true);
  });

  it('has bank statements imported by finance@: an intraday report, the day\'s statement that repeats it, a GBK CSV export', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const history = await t.db.tenant(tenant.id, (sql) => listStatements(ctx, sql, {}));
    expect(history.rows.map((s) => s.format).sort()).toEqual(['camt.052', 'camt.053', 'csv']);
    expect(history.rows.every((s) => s.balanceCheck === 'ok' && s.importedBy === 'finance@demo.example')).toBe(true);
    // The statement holds five entries; the two the noon report brought are not imported twice: 5 − 2 = 3 new.
    const statement = history.rows.find((s) => s.format === 'camt.053')!;
    expect([statement.entryCount, statement.newEntryCount]).toEqual([5, 3]);
    const shown = await t.db.tenant(tenant.id, (sql) => getStatement(ctx, sql, statement.id));
    expect(shown.entries.at(-1)).toMatchObject({ amount: '-35.00', remittanceText: '跨行汇款手续费' });
    const csv = history.rows.find((s) => s.format === 'csv')!;
    // 360,000.00 + half of an open invoice − 1,200.00 electricity
    expect(csv.opening!.amount).toBe('360000.00');
    expect(csv.entryCount).toBe(4);
    // Matched (docs/cash-matching.md): the noon report's two payments applied automatically (an invoice by its number,
    // two invoices of one customer in one payment); the statement's own lines: the short name and exact amount applied by
    // the sure rule PAYER_AMOUNT (it was suggested before the sure rules), one unmatched, the fee;
    // the CSV's half payment applied as a partial payment, and the payment under a pinyin name applied to its
    // customer's remittance advice (one invoice in full, half of another: the sure rule REMITTANCE), which is used;
    // the last one 3% short of the invoice it quotes: a deduction within the 5% tolerance, disputed.
    const statuses = async (id: string) => (await t.db.tenant(tenant.id, (sql) => listLines(ctx, sql, id))).lines.map((l) => l.status);
    const intraday = history.rows.find((s) => s.format === 'camt.052')!;
    expect(await statuses(intraday.id)).toEqual(['auto_applied', 'auto_applied']);
    expect(await statuses(statement.id)).toEqual(['auto_applied', 'unmatched', 'not_a_credit']);
    expect(await statuses(csv.id)).toEqual(['auto_applied', 'not_a_credit', 'auto_applied', 'auto_applied']);
    const csvLines = (await t.db.tenant(tenant.id, (sql) => listLines(ctx, sql, csv.id))).lines;
    expect(csvLines[2]!.proposals[0]!.reasons.map((r) => r.code)).toEqual(['REMITTANCE_ADVICE', 'SURE_RULE']);
    const deducted = csvLines[3]!;
    expect(deducted.proposals[0]).toMatchObject({ kind: 'deduction', score: 95 });
    // paid = open − ⌊open × 3 / 100⌋, so the deduction is the invoice's open amount less the payment.
    const [invoice] = deducted.proposals[0]!.allocations;
    const openMinor = BigInt(invoice!.open.replace('.', ''));
    const paidMinor = BigInt(deducted.amount.replace('.', ''));
    expect(openMinor - paidMinor).toBe((openMinor * 3n) / 100n);
    expect(BigInt(deducted.application!.deduction!.replace('.', ''))).toBe(openMinor - paidMinor);
    expect(deducted.application!.disputeId).toMatch(/^[0-9a-f-]{36}$/);
    const advices = await t.db.tenant(tenant.id, (sql) => listAdvices(ctx, sql, {}));
    expect(advices.rows).toHaveLength(1);
    expect(advices.rows[0]).toMatchObject({ lineCount: 2, unknownInvoices: 0, bankEntryId: csvLines[2]!.id, importedBy: 'finance@demo.example' });
    const lines = await t.db.tenant(tenant.id, (sql) => listLines(ctx, sql, intraday.id));
    expect(lines.lines[1]!.proposals[0]).toMatchObject({ kind: 'combination', score: 100 });
  });

  it('has collections at work: disputes in each state, promises kept, broken and open, the collector\'s calls on the timeline', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const disputes = await t.db.tenant(tenant.id, (sql) => listDisputes(ctx, sql, { status: 'all', limit: 50 }));
    // Four raised by people, one by cash matching for a customer's deduction (the ICBC CSV's last line, above).
    expect(disputes.rows.map((d) => d.status).sort()).toEqual(['investigating', 'open', 'open', 'partly_accepted', 'rejected']);
    expect(disputes.rows.find((d) => d.status === 'investigating')).toMatchObject({ overdue: true, ownerTeam: 'logistics' });
    expect(disputes.rows.find((d) => d.status === 'open' && d.raisedBy === 'sales@demo.example')).toMatchObject({ ownerUser: '王磊' });
    expect(disputes.rows.find((d) => d.status === 'open' && d.raisedBy === 'finance@demo.example')).toMatchObject({ reason: 'other', ownerTeam: 'sales' });
    // Aging's disputed total is the three active disputes' amounts (each no more than its invoice's open amount).
    const active = disputes.rows.filter((d) => d.status === 'open' || d.status === 'investigating');
    const activeMinor = active.reduce((sum, d) => sum + BigInt(d.amount.replace('.', '')), 0n);
    const aging = await t.db.tenant(tenant.id, (sql) => agingReport(ctx, sql, {}));
    expect(BigInt(aging.totals.disputed.replace('.', ''))).toBe(activeMinor);
    // The collector sees their own customers' promises: one kept, one broken, one open.
    const collector = { ...ctx, principal: { tenantId: tenant.id, userId: null, actor: 'collector@demo.example', name: '赵敏', role: 'collector' as const, handle: '赵敏', via: 'session' as const } };
    const promises = await t.db.tenant(tenant.id, (sql) => listPromises(collector, sql, { limit: 50 }));
    expect(promises.rows.map((p) => p.status).sort()).toEqual(['broken', 'kept', 'open']);
    const broken = promises.rows.find((p) => p.status === 'broken')!;
    expect(broken.paid).toBe('0.00');
    const timeline = await t.db.tenant(tenant.id, (sql) => customerTimeline(collector, sql, broken.customer));
    expect(timeline.summary.brokenPromises).toBe(1);
    expect(timeline.entries.filter((e) => e.kind === 'activity').map((e) => e.kind === 'activity' && e.activity.outcome)).toEqual(['refused', 'promised', 'left_message']);
  });

  it('has a worklist for collector@: her overdue customers ranked, the open promise and the follow-up among the reasons', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const collector = { ...ctx, principal: { tenantId: tenant.id, userId: null, actor: 'collector@demo.example', name: '赵敏', role: 'collector' as const, handle: '赵敏', via: 'session' as const } };
    const list = await t.db.tenant(tenant.id, (sql) => collectorWorklist(collector, sql, {}));
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(new Set(list.rows.map((r) => r.collector))).toEqual(new Set(['赵敏']));
    // Ranked by score, and each score is the sum of its reasons.
    expect(list.rows.map((r) => r.score)).toEqual([...list.rows.map((r) => r.score)].sort((a, b) => b - a));
    for (const r of list.rows) expect(r.reasons.reduce((sum, x) => sum + x.points, 0)).toBe(r.score);
    const promises = await t.db.tenant(tenant.id, (sql) => listPromises(collector, sql, { limit: 50 }));
    // The customer with the open promise (and the call that follows it up) is on her list, lowered by both.
    const open = promises.rows.find((p) => p.status === 'open')!;
    const row = list.rows.find((r) => r.customer === open.customer)!;
    expect(row.reasons.map((x) => [x.code, x.points]).filter(([code]) => code === 'open_promise' || code === 'follow_up_future')).toEqual([['open_promise', -30], ['follow_up_future', -20]]);
    expect(row.openPromise?.promisedDate).toBe(open.promisedDate);
  });

  it('has dunning at work: two strategies, templates in Chinese and English, and today\'s run with messages and call tasks in the outbox', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const strategies = await t.db.tenant(tenant.id, (sql) => listDunningStrategies(ctx, sql));
    expect(strategies.map((s) => s.code).sort()).toEqual(['key-accounts', 'standard']);
    const runs = await t.db.tenant(tenant.id, (sql) => listDunningRuns(ctx, sql));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.messages).toBeGreaterThan(0);
    const outbox = await t.db.tenant(tenant.id, (sql) => listOutbox(ctx, sql, { limit: 200 }));
    expect(outbox.total).toBe(runs[0]!.messages + runs[0]!.tasks);
    expect(new Set(outbox.rows.map((m) => m.strategy))).toEqual(new Set(['key-accounts', 'standard']));
    expect(outbox.rows.some((m) => m.status === 'task')).toBe(true);
  });
});
