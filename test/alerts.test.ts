/**
 * Early-warning alerts on a real database (both engines): evaluation opens alerts at their thresholds, deduplicates
 * and refreshes them, resolves them when the condition clears, routes them to the right owner, keeps collectors to
 * their own customers, and sends the digest email. Every figure is worked out by hand below.
 *
 * Company ACME (CNY). Settings: overdue beyond 30 days; overdue amount above 7,999.99; concentration above 50%;
 * limit utilisation 80% / 100%. Users: credit@ (handle credit, credit manager), wang@ (collector), zhao@ (collector).
 *   C1 华东机电, collector wang, limit 10,000.00: INV-1 8,000.00 due 2026-05-31.
 *   C2 市政工程, collector zhao, no limit, grade B, review due 2026-06-29: INV-3 4,000.00 due 2026-06-30.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/modules/access/index.ts';
import { actOnAlert, alertCounts, defaultSettings, evaluateAlerts, evaluateCustomers, getAlert, listAlerts, setAlertSettings, type AlertSettings } from '../src/modules/alerts/index.ts';
import { sendDigests } from '../src/modules/alerts/digest.ts';
import { requestEvaluation, runDailyAlerts, runEvaluationJobs } from '../src/modules/alerts/jobs.ts';
import { startJobs } from '../src/jobs/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { registerCommitment } from '../src/modules/credit-limits/index.ts';
import { addFinancials, saveCreditFile } from '../src/modules/credit/index.ts';
import { postDocument, reverseAllocation, reverseDocument } from '../src/modules/ledger/index.ts';
import type { Role } from '../src/domain/access.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-01T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let smtp: SMTPServer;
let smtpUrl = '';
const received: { to: string[]; raw: string }[] = [];

const as = (role: Role, handle: string): Context => ({
  ...ctx, actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const list = (c: Context, query: Parameters<typeof listAlerts>[2] = {}) => t.db.tenant(ctx.tenant.id, (sql) => listAlerts(c, sql, { limit: 200, ...query }));
const active = async (c: Context = ctx) => (await list(c)).rows.map((a) => `${a.customer} ${a.rule} ${a.severity} ${a.owner}`).sort();
const find = async (customer: string, rule: string, status: 'active' | 'all' = 'active') => (await list(ctx, { customer, status })).rows.find((a) => a.rule === rule);

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, CLOCK);
  for (const [handle, role] of [['credit', 'credit_manager'], ['wang', 'collector'], ['zhao', 'collector']] as const) {
    await createUser(ctx, { email: `${handle}@acme.cn`, name: handle, handle, role, password: 'a long test password' });
  }
  await createCustomer(ctx, { code: 'C1', name: '华东机电', collector: 'wang', salesperson: 'li', creditLimit: '10000.00' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', collector: 'zhao' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '8000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C2', documentDate: '2026-06-01', dueDate: '2026-06-30', amount: '4000.00' });
  await t.db.tenant(ctx.tenant.id, (sql) => sql.query(
    `INSERT INTO credit_profiles (tenant_id, customer_id, grade, score, assessed_on, review_due, updated_by)
     SELECT tenant_id, id, 'B', 70, '2025-06-29', '2026-06-29', 'test' FROM customers WHERE tenant_id = $1 AND code = 'C2'`, [ctx.tenant.id]));
  const settings: AlertSettings = defaultSettings('CNY');
  settings.rules.overdue_days.days = 30;
  settings.rules.overdue_amount.amount = '7999.99';
  settings.rules.concentration.percent = 50;
  await setAlertSettings(ctx, settings);
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
      stream.on('end', () => { received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw }); callback(); });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await t?.drop();
});

describe('alerts', () => {
  it('opens the alerts at their thresholds, routed to the owner of each rule', async () => {
    const r = await evaluateAlerts(ctx, { asOf: '2026-06-30' });
    // C1: exposure 8,000.00 / limit 10,000.00 = 80.0% ≥ 80 → warning (credit manager).
    //     overdue 8,000.00 > 7,999.99 → overdue amount (collector wang). INV-1 is 30 days past due on 06-30: not beyond 30.
    //     share 8,000 / (8,000 + 4,000) = 66.7% > 50% → concentration (credit manager).
    // C2: INV-3 due today is current; review due 06-29 < 06-30 → review expired, 1 day (credit manager); grade B first seen: baseline.
    expect(r).toMatchObject({ asOf: '2026-06-30', customers: 2, opened: 4, refreshed: 0, resolved: 0 });
    expect(await active()).toEqual([
      'C1 concentration warning credit', 'C1 limit_utilisation warning credit', 'C1 overdue_amount warning wang', 'C2 review_expired warning credit',
    ]);
    const limit = await find('C1', 'limit_utilisation');
    expect(limit!.figures).toEqual({ exposure: '8000.00', creditLimit: '10000.00', utilisationPercent: '80.0', thresholdPercent: 80 });
    expect((await find('C1', 'concentration'))!.figures).toMatchObject({ outstanding: '8000.00', totalOutstanding: '12000.00', sharePercent: '66.7' });
    expect((await find('C2', 'review_expired'))!.figures).toEqual({ reviewDue: '2026-06-29', daysExpired: 1 });
  });

  it('evaluating again keeps one alert per rule and subject, with its figures updated', async () => {
    const before = (await find('C1', 'limit_utilisation'))!;
    expect(await evaluateAlerts(ctx, { asOf: '2026-06-30' })).toMatchObject({ opened: 0, refreshed: 4, resolved: 0 });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-06-30', dueDate: '2026-07-30', amount: '1000.00' });
    expect(await evaluateAlerts(ctx, { asOf: '2026-06-30' })).toMatchObject({ opened: 0, refreshed: 4 });
    const after = (await find('C1', 'limit_utilisation'))!;
    // Same alert; 9,000.00 / 10,000.00 = 90.0%. Concentration 9,000 / 13,000 = 69.23% → 69.2.
    expect(after.id).toBe(before.id);
    expect(after.figures).toMatchObject({ exposure: '9000.00', utilisationPercent: '90.0' });
    expect((await find('C1', 'concentration'))!.figures.sharePercent).toBe('69.2');
    expect((await list(ctx, { customer: 'C1', rule: 'limit_utilisation', status: 'all' })).total).toBe(1);
    // Another 1,000.00 makes it exactly 100%: the same alert turns critical.
    await postDocument(ctx, { kind: 'invoice', number: 'INV-4', customer: 'C1', documentDate: '2026-06-30', dueDate: '2026-07-30', amount: '1000.00' });
    await evaluateAlerts(ctx, { asOf: '2026-06-30' });
    expect(await find('C1', 'limit_utilisation')).toMatchObject({ id: before.id, severity: 'critical', figures: { exposure: '10000.00', utilisationPercent: '100.0', thresholdPercent: 100 } });
  });

  it('evaluating one customer (what a posting asks for) reads that customer alone, with the same figures', async () => {
    const concentration = (await find('C1', 'concentration'))!;
    const r = await evaluateAlerts(ctx, { asOf: '2026-06-30', customer: 'C1' });
    // C1 only: its limit (10,000.00 of 10,000.00 = 100.0%, critical) and overdue amount (INV-1's 8,000.00; INV-2 and
    // INV-4 are current) refreshed; concentration needs the whole company and is neither refreshed nor resolved.
    expect(r).toMatchObject({ customers: 1, opened: 0, refreshed: 2, resolved: 0 });
    expect(await find('C1', 'limit_utilisation')).toMatchObject({ severity: 'critical', figures: { exposure: '10000.00', utilisationPercent: '100.0' } });
    expect(await find('C1', 'concentration')).toMatchObject({ id: concentration.id, figures: concentration.figures });
    expect(await active()).toEqual([
      'C1 concentration warning credit', 'C1 limit_utilisation critical credit', 'C1 overdue_amount warning wang', 'C2 review_expired warning credit',
    ]);
  });

  it('a day later: first overdue beyond 30 days and a grade downgrade fire', async () => {
    await t.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE credit_profiles SET grade = 'C' WHERE tenant_id = $1`, [ctx.tenant.id]));
    const r = await evaluateAlerts(ctx, { asOf: '2026-07-01' });
    // INV-1 is 31 days past due on 07-01 → 8,000.00 overdue beyond 30 days (wang). C2: B → C (credit manager).
    // C2's 4,000.00 is now 1 day overdue, not above 7,999.99: no overdue-amount alert.
    expect(r.opened).toBe(2);
    expect(await find('C1', 'overdue_days')).toMatchObject({ owner: 'wang', figures: { days: 30, overdueBeyondDays: '8000.00', overdue: '8000.00' } });
    expect(await find('C2', 'grade_downgrade')).toMatchObject({ owner: 'credit', figures: { fromGrade: 'B', toGrade: 'C' } });
    // The downgrade stays open while the grade stays C.
    expect((await evaluateAlerts(ctx, { asOf: '2026-07-01' })).opened).toBe(0);
    expect(await find('C2', 'grade_downgrade')).toBeDefined();
  });

  it('resolves alerts whose condition cleared, recorded as resolved by the evaluation', async () => {
    await postDocument(ctx, { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-07-01', amount: '2500.00', appliesTo: [{ document: 'INV-1' }] });
    const r = await evaluateAlerts(ctx, { asOf: '2026-07-01' });
    // C1 now: exposure 10,000 − 2,500 = 7,500 = 75% < 80 → limit alert resolved; overdue 5,500.00 ≤ 7,999.99 → resolved.
    // INV-1's 5,500.00 is still beyond 30 days; share 7,500 / 11,500 = 65.2% still above 50%.
    expect(r).toMatchObject({ opened: 0, resolved: 2 });
    const limit = (await find('C1', 'limit_utilisation', 'all'))!;
    expect(limit).toMatchObject({ status: 'resolved', resolvedBy: 'test', resolutionNote: 'condition cleared as of 2026-07-01' });
    const history = await t.db.tenant(ctx.tenant.id, (sql) => getAlert(ctx, sql, limit.id));
    expect(history.events.map((e) => e.event)).toEqual(['opened', 'refreshed', 'refreshed', 'auto_resolved']);
    expect((await find('C1', 'overdue_days'))!.figures.overdueBeyondDays).toBe('5500.00');
    expect((await find('C1', 'concentration'))!.figures.sharePercent).toBe('65.2');
  });

  it('collectors see only their own customers\' alerts and acknowledge only their own', async () => {
    const wang = as('collector', 'wang');
    const zhao = as('collector', 'zhao');
    expect(await active(wang)).toEqual(['C1 concentration warning credit', 'C1 overdue_days warning wang']);
    expect(await active(zhao)).toEqual(['C2 grade_downgrade warning credit', 'C2 review_expired warning credit']);
    expect(await t.db.tenant(ctx.tenant.id, (sql) => alertCounts(wang, sql))).toEqual({ open: 2, mine: 1 });
    const own = (await find('C1', 'overdue_days'))!;
    const other = (await find('C1', 'concentration'))!;
    await expect(actOnAlert(zhao, own.id, 'acknowledge', {})).rejects.toMatchObject({ code: 'ALERT_NOT_FOUND' });
    await expect(actOnAlert(wang, other.id, 'acknowledge', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await actOnAlert(wang, own.id, 'acknowledge', { note: 'called the buyer' })).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'wang@acme.cn' });
    expect(await t.db.tenant(ctx.tenant.id, (sql) => alertCounts(wang, sql))).toEqual({ open: 1, mine: 0 });
    // Acknowledged alerts stay one open alert: the next evaluation refreshes, not duplicates, them.
    expect((await evaluateAlerts(ctx, { asOf: '2026-07-01' })).opened).toBe(0);
    expect(await find('C1', 'overdue_days')).toMatchObject({ id: own.id, status: 'acknowledged' });
  });

  it('emails each owner a digest of their new and open alerts', async () => {
    const sent = await sendDigests(ctx, '2026-07-01', { transport: smtpUrl, from: 'AR <ar@acme.cn>' });
    expect(sent.map((d) => [d.owner, d.to, d.newCount, d.openCount])).toEqual([
      // credit: C1 concentration, C2 review expired (since 06-30) and the C2 downgrade (new on 07-01). wang: C1 overdue beyond 30 days (new).
      ['credit', ['credit@acme.cn'], 1, 3],
      ['wang', ['wang@acme.cn'], 1, 1],
    ]);
    const mail = received.find((m) => m.to.includes('credit@acme.cn'))!;
    expect(mail.raw).toContain('arflow alerts 2026-07-01: 1 new, 3 open');
    expect(sent[0]!.text).toContain('[warning] C2 市政工程: credit grade down from B to C (since 2026-07-01)');
    expect(sent[0]!.text).toContain('C1 华东机电: 65.2% of all receivables (7500.00 of 11500.00 CNY) > 50%');
    expect(sent[1]!.text).toContain('[warning] C1 华东机电: 5500.00 CNY overdue more than 30 days (since 2026-07-01, acknowledged by wang@acme.cn)');
  });

  it('the API lists, resolves with a note and refuses a resolve without one', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    await app.ready();
    try {
      const token = await adminToken(ctx, 'credit_manager');
      const auth = { authorization: `Bearer ${token}` };
      const listed = await app.inject({ method: 'GET', url: '/api/v1/alerts?severity=warning&rule=review_expired', headers: auth });
      expect(listed.statusCode).toBe(200);
      const [alert] = listed.json().rows;
      expect(alert).toMatchObject({ customer: 'C2', rule: 'review_expired', message: 'credit review was due 2026-06-29 (2 days ago)' });
      const bad = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/resolve`, headers: auth, payload: {} });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('body.note');
      const ok = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/resolve`, headers: { ...auth, 'idempotency-key': 'r1' }, payload: { note: 'review booked for 07-15' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'resolved', resolutionNote: 'review booked for 07-15' });
      const again = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/resolve`, headers: auth, payload: { note: 'twice' } });
      expect(again.json().code).toBe('ALERT_RESOLVED');
      const viewer = await adminToken(ctx, 'viewer');
      expect((await app.inject({ method: 'GET', url: '/api/v1/alerts', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('the CLI lists as JSON, evaluates, and refuses an unknown rule naming the choices', async () => {
    const run = cliRunner(t.db, CLOCK, 'ACME');
    const listed = await run(['alerts', 'list', '--customer', 'C1', '--format', 'json']);
    expect(listed.code).toBe(0);
    // C1's active alerts now: overdue beyond 30 days (acknowledged) and concentration.
    expect(JSON.parse(listed.out).rows.map((a: { rule: string }) => a.rule).sort()).toEqual(['concentration', 'overdue_days']);
    const evaluated = await run(['alerts', 'evaluate', '--as-of', '2026-07-01']);
    // C1's two and C2's downgrade still fire; C2's review, resolved by hand above while still expired, opens anew.
    expect(evaluated.out).toBe('evaluated 2 customers as of 2026-07-01: 1 opened, 3 still firing, 0 resolved');
    const bad = await run(['alerts', 'list', '--rule', 'nonsense']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('limit_utilisation');
  });

  it('a posting, an application and their reversal each ask for a debounced evaluation of the customer; the jobs evaluate', async () => {
    const jobs = await startJobs(t.db, { clock: CLOCK, work: false });
    try {
      const c1 = (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = 'C1'`, [ctx.tenant.id])))[0]!.id;
      const withJobs = { ...ctx, jobs };
      // An invoice of 100.00 and a payment that settles it (C1's balance is as before), then the payment undone and
      // the invoice reversed: five changes to C1 in one burst.
      const invoice = await postDocument(withJobs, { kind: 'invoice', number: 'INV-J', customer: 'C1', documentDate: '2026-07-01', dueDate: '2026-07-31', amount: '100.00' });
      const paid = await postDocument(withJobs, { kind: 'payment', number: 'PAY-J', customer: 'C1', documentDate: '2026-07-01', amount: '100.00', appliesTo: [{ document: 'INV-J' }] });
      await reverseAllocation(withJobs, paid.allocations[0]!.id, { reason: 'applied to the wrong invoice' });
      await reverseDocument(withJobs, paid.document.id, { reason: 'bounced' });
      await reverseDocument(withJobs, invoice.document.id, { reason: 'test invoice' });
      const queued = await t.db.system((sql) => sql.query<{ data: { tenantId: string; customerId: string } }>(
        `SELECT data FROM pgboss.job WHERE name = 'alerts.evaluate' AND state = 'created' ORDER BY start_after`));
      // A burst: the job of this minute's slot and one in the next (which sees the burst's last change), no more.
      expect(queued.map((j) => j.data)).toEqual([{ tenantId: ctx.tenant.id, customerId: c1 }, { tenantId: ctx.tenant.id, customerId: c1 }]);
      // A direct request in the burst adds nothing either.
      await t.db.tenant(ctx.tenant.id, (sql) => requestEvaluation(withJobs, sql, c1));
      expect(await t.db.system((sql) => sql.query(`SELECT 1 FROM pgboss.job WHERE name = 'alerts.evaluate' AND state = 'created'`))).toHaveLength(2);
      // Its work: C1 alone at today (2026-07-01); nothing new fires for C1.
      const lines: object[] = [];
      const log = { info: (o: object) => lines.push(o), error: (o: object) => lines.push(o) };
      await runEvaluationJobs(t.db, CLOCK, [queued[0]!.data], log);
      expect(lines).toEqual([expect.objectContaining({ tenant: 'ACME', asOf: '2026-07-01', customers: 1, opened: 0, resolved: 0 })]);
      // A batch of jobs (both of C1's, and one of C2's) is one evaluation of the two customers, which refreshes what
      // evaluating each alone refreshes.
      const c2 = (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = 'C2'`, [ctx.tenant.id])))[0]!.id;
      const alone = [await evaluateCustomers(ctx, [c1]), await evaluateCustomers(ctx, [c2])];
      expect(alone.map((r) => r.customers)).toEqual([1, 1]);
      lines.length = 0;
      await runEvaluationJobs(t.db, CLOCK, [...queued.map((j) => j.data), { tenantId: ctx.tenant.id, customerId: c2 }], log);
      expect(lines).toEqual([expect.objectContaining({ tenant: 'ACME', asOf: '2026-07-01', customers: 2, opened: 0, resolved: 0, refreshed: alone[0]!.refreshed + alone[1]!.refreshed })]);
      expect(alone[0]!.refreshed + alone[1]!.refreshed).toBeGreaterThan(0);
      // A job for the whole company in the batch: the company evaluated whole, once.
      lines.length = 0;
      await runEvaluationJobs(t.db, CLOCK, [{ tenantId: ctx.tenant.id, customerId: c1 }, { tenantId: ctx.tenant.id }], log);
      expect(lines).toEqual([expect.objectContaining({ tenant: 'ACME', customers: 2 })]);
      // A batch whose job for one company fails (a broken customer id) still evaluates the other company's customers,
      // then fails, so that pg-boss retries it.
      const other = contextFor(t.db, await makeTenant(t.db, { code: 'JOBS2' }), CLOCK);
      await createCustomer(other, { code: 'K1', name: '另一家' });
      const k1 = (await t.db.tenant(other.tenant.id, (sql) => sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1`, [other.tenant.id])))[0]!.id;
      lines.length = 0;
      await expect(runEvaluationJobs(t.db, CLOCK, [{ tenantId: ctx.tenant.id, customerId: 'not-a-uuid' }, { tenantId: other.tenant.id, customerId: k1 }], log)).rejects.toThrow(/uuid/);
      expect(lines).toEqual([
        expect.objectContaining({ tenant: 'ACME', err: expect.anything() }),
        expect.objectContaining({ tenant: 'JOBS2', customers: 1, opened: 0 }),
      ]);
      // The daily round evaluates every company at its today (no SMTP set: no digest).
      lines.length = 0;
      await runDailyAlerts(t.db, CLOCK, { info: (o) => lines.push(o), error: (o) => lines.push(o) });
      expect(lines).toContainEqual(expect.objectContaining({ tenant: 'ACME', asOf: '2026-07-01', customers: 2, opened: 0 }));
    } finally {
      await jobs.stop();
    }
  });
});

describe('the payment trend rule on the ledger', () => {
  // Company TRND, evaluated on 2026-07-01. Windows: the last 90 days (2026-04-02, 2026-07-01] and the 270 days
  // before (2025-07-06, 2026-04-02], days beyond terms weighted by the amount paid.
  //   Prior: PAY-A pays INV-A (1,000.00, due 2025-12-31) on 2026-01-05: 5 days beyond terms. PAY-B pays INV-B (1,000.00,
  //   due 2026-01-31) on 2026-02-10: 10 days; that application is undone on 2026-05-01, after the prior window's end,
  //   so it still counts there. Prior: (1,000 × 5 + 1,000 × 10) / 2,000 = 7.5 days.
  //   Recent: PAY-C pays INV-C (2,000.00, due 2026-03-31) on 2026-05-20: 50 days. PAY-D pays INV-D (1,000.00, due
  //   2026-04-30) on 2026-06-09 (40 days), undone on 2026-06-15, before the window's end: not counted. Recent: 50.0.
  //   Worse by 42.5 days ≥ 10: the rule fires. (Counting PAY-D would give 46.7; dropping PAY-B, a prior of 5.0.)
  it('compares the last 3 months with the 9 before, each counting what was undone by its own end', async () => {
    const trnd = contextFor(t.db, await makeTenant(t.db, { code: 'TRND' }), CLOCK);
    await createCustomer(trnd, { code: 'T1', name: '趋势客户' });
    const post = (input: Parameters<typeof postDocument>[1]) => postDocument(trnd, input);
    const pay = async (n: string, inv: string, dueDate: string, documentDate: string, paidOn: string, amount: string) => {
      await post({ kind: 'invoice', number: `INV-${n}`, customer: 'T1', documentDate, dueDate, amount });
      return post({ kind: 'payment', number: `PAY-${n}`, customer: 'T1', documentDate: paidOn, amount, appliesTo: [{ document: inv, amount }] });
    };
    await pay('A', 'INV-A', '2025-12-31', '2025-12-01', '2026-01-05', '1000.00');
    const b = await pay('B', 'INV-B', '2026-01-31', '2026-01-01', '2026-02-10', '1000.00');
    await reverseAllocation(trnd, b.allocations[0]!.id, { reason: 'applied in error', date: '2026-05-01' });
    await pay('C', 'INV-C', '2026-03-31', '2026-03-01', '2026-05-20', '2000.00');
    const d = await pay('D', 'INV-D', '2026-04-30', '2026-04-01', '2026-06-09', '1000.00');
    await reverseAllocation(trnd, d.allocations[0]!.id, { reason: 'bounced', date: '2026-06-15' });
    const r = await evaluateAlerts(trnd, { asOf: '2026-07-01' });
    expect(r.opened).toBeGreaterThan(0);
    const alerts = await t.db.tenant(trnd.tenant.id, (sql) => listAlerts(trnd, sql, { limit: 200 }));
    expect(alerts.rows.find((a) => a.rule === 'payment_trend')).toMatchObject({
      customer: 'T1', figures: { recentDays: '50.0', priorDays: '7.5', worsenedDays: '42.5', thresholdDays: 10 },
    });
    // Evaluating T1 alone (what a posting asks for) finds the same figures.
    const c = await evaluateAlerts(trnd, { asOf: '2026-07-01', customer: 'T1' });
    expect(c).toMatchObject({ customers: 1, opened: 0 });
    expect((await t.db.tenant(trnd.tenant.id, (sql) => listAlerts(trnd, sql, { limit: 200 }))).rows.find((a) => a.rule === 'payment_trend')!.figures)
      .toMatchObject({ recentDays: '50.0', priorDays: '7.5' });
  });
});

describe('alerts fed by credit control and the credit file', () => {
  // Company BETA (CNY), evaluated on 2026-06-30. Customer B1, limit 10,000.00:
  //   INV-B1 5,000.00 due 2026-06-20 (10 days overdue), and an open order SO-1 of 3,500.00.
  //   Credit file: private company (Z'), trade credit insurance in force, overdue to be notified within 15 days.
  //   Statement 2025-12-31: TA 100,000, TL 80,000, CA 30,000, CL 40,000, RE −5,000, EBIT 1,000, sales 50,000, equity 20,000.
  let beta: Context;
  beforeAll(async () => {
    beta = contextFor(t.db, await makeTenant(t.db, { code: 'BETA' }), CLOCK);
    await createCustomer(beta, { code: 'B1', name: '北方机械', creditLimit: '10000.00' });
    await postDocument(beta, { kind: 'invoice', number: 'INV-B1', customer: 'B1', documentDate: '2026-05-21', dueDate: '2026-06-20', amount: '5000.00' });
    await registerCommitment(beta, { kind: 'order', reference: 'SO-1', customer: 'B1', amount: '3500.00' });
    await addFinancials(beta, 'B1', { statements: [{
      periodEnd: '2025-12-31', currentAssets: '30000.00', cash: '5000.00', inventory: '10000.00', receivables: '12000.00', totalAssets: '100000.00',
      currentLiabilities: '40000.00', totalLiabilities: '80000.00', equity: '20000.00', retainedEarnings: '-5000.00', sales: '50000.00',
      ebit: '1000.00', netIncome: '200.00', interestExpense: '800.00',
    }] });
    await saveCreditFile(beta, 'B1', {
      zModel: 'private',
      insurance: { insurer: '中国信保', insuredLimit: '50000.00', currency: 'CNY', validFrom: '2026-01-01', validTo: '2026-12-31', notificationDays: 15 },
    });
  });

  it('compares the limit with the credit exposure, and fires the Z-score and insured-invoice rules from the credit file', async () => {
    await evaluateAlerts(beta, { asOf: '2026-06-30' });
    const rows = (await t.db.tenant(beta.tenant.id, (sql) => listAlerts(beta, sql, { limit: 200 }))).rows;
    const of = (rule: string) => rows.find((a) => a.rule === rule);
    // Exposure = receivables 5,000.00 + open order 3,500.00 = 8,500.00 of the 10,000.00 limit: 85.0% ≥ 80 → warning.
    // (The receivables alone, 50.0%, would not fire.)
    expect(of('limit_utilisation')).toMatchObject({ severity: 'warning', figures: { exposure: '8500.00', creditLimit: '10000.00', utilisationPercent: '85.0' } });
    // Z' = 0.717·(−10,000/100,000) + 0.847·(−5,000/100,000) + 3.107·(1,000/100,000) + 0.420·(20,000/80,000) + 0.998·(50,000/100,000)
    //    = −0.0717 − 0.04235 + 0.03107 + 0.105 + 0.499 = 0.52102 → 0.5210, below the distress cut-off 1.23.
    expect(of('z_score_distress')).toMatchObject({ severity: 'critical', figures: { model: 'private', zScore: '0.5210', cutoff: '1.2300' } });
    // INV-B1 due 06-20 + 15 days: notify the insurer by 07-05; on 06-30 that is 5 days left (≤ 7) → warning.
    expect(of('insured_overdue')).toMatchObject({ severity: 'warning', figures: { document: 'INV-B1', notifyBy: '2026-07-05', daysLeft: 5, open: '5000.00' } });
  });
});
