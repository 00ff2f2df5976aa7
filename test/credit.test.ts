/**
 * Credit file, assessments and reviews on a real database (both engines). Every figure is worked out by hand below.
 *
 * Ledger (CNY). Group GRP (parent, no business) with members K1 and K2.
 *   K1: INV-1 1,000.00 due 2026-01-31, paid 2026-02-10 (10 days late)
 *       INV-2 3,000.00 due 2026-03-31, paid 2026-03-31 (on time)
 *       INV-3 2,000.00 due 2026-04-30, paid 2026-05-20 (20 days late)
 *       INV-4   500.00 due 2026-06-30, open
 *   K2: INV-9 70,000.00 due 2026-07-31, open (the other member's exposure)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { assessCustomer, completeReview, creditFileOf, addFinancials, reviewQueue, saveCreditFile } from '../src/modules/credit/index.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { raiseDispute } from '../src/modules/disputes/index.ts';
import { evaluatePromises, recordPromise } from '../src/modules/collections/index.ts';
import { requestLimitChange } from '../src/modules/credit-limits/index.ts';
import { decideApproval } from '../src/modules/approvals/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

// The manufacturer of src/domain/credit.test.ts: CA 500,000, cash 100,000, inventory 150,000, TA 1,000,000,
// CL 250,000, TL 600,000, equity 400,000, RE 200,000, sales 1,500,000, EBIT 100,000, interest 20,000.
const STATEMENT = {
  periodEnd: '2025-12-31', currentAssets: '500000.00', cash: '100000.00', inventory: '150000.00', receivables: '200000.00', totalAssets: '1000000.00',
  currentLiabilities: '250000.00', totalLiabilities: '600000.00', equity: '400000.00', retainedEarnings: '200000.00', sales: '1500000.00',
  ebit: '100000.00', netIncome: '60000.00', interestExpense: '20000.00',
};

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'CRED' });
  ctx = contextFor(t.db, tenant, CLOCK);
  await createCustomer(ctx, { code: 'GRP', name: '华东集团' });
  await createCustomer(ctx, { code: 'K1', name: '华东机电', parentCode: 'GRP' });
  await createCustomer(ctx, { code: 'K2', name: '华东物流', parentCode: 'GRP' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  await post({ kind: 'invoice', number: 'INV-1', customer: 'K1', documentDate: '2026-01-01', dueDate: '2026-01-31', amount: '1000.00' });
  await post({ kind: 'payment', number: 'PAY-1', customer: 'K1', documentDate: '2026-02-10', amount: '1000.00', appliesTo: [{ document: 'INV-1' }] });
  await post({ kind: 'invoice', number: 'INV-2', customer: 'K1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '3000.00' });
  await post({ kind: 'payment', number: 'PAY-2', customer: 'K1', documentDate: '2026-03-31', amount: '3000.00', appliesTo: [{ document: 'INV-2' }] });
  await post({ kind: 'invoice', number: 'INV-3', customer: 'K1', documentDate: '2026-04-01', dueDate: '2026-04-30', amount: '2000.00' });
  await post({ kind: 'payment', number: 'PAY-3', customer: 'K1', documentDate: '2026-05-20', amount: '2000.00', appliesTo: [{ document: 'INV-3' }] });
  await post({ kind: 'invoice', number: 'INV-4', customer: 'K1', documentDate: '2026-06-01', dueDate: '2026-06-30', amount: '500.00' });
  await post({ kind: 'invoice', number: 'INV-9', customer: 'K2', documentDate: '2026-07-01', dueDate: '2026-07-31', amount: '70000.00' });
  await addFinancials(ctx, 'K1', { statements: [STATEMENT] });
  await saveCreditFile(ctx, 'K1', {
    zModel: 'private', externalRatings: [{ agency: '中诚信', grade: 'BBB', date: '2026-01-15' }],
    insurance: { insurer: '中国信保', insuredLimit: '60000.00', currency: 'CNY', validFrom: '2026-01-01', validTo: '2026-12-31', notificationDays: 60 },
    qualitative: { yearsInBusiness: 12, reputation: 'good', industryRisk: 'medium', ownership: 'private' },
    documents: [{ name: '2025 audited accounts', kind: 'financials', date: '2026-03-15', reference: 'DMS-2025-001' }],
  });
  await saveCreditFile(ctx, 'GRP', { groupLimit: '100000.00' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('credit file', () => {
  it('measures payment behaviour at a past as-of date from the ledger as it was', async () => {
    const file = await t.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, 'K1', { asOf: '2026-03-31' }));
    // By 2026-03-31: PAY-1 1,000 × 10 days, PAY-2 3,000 × 0 → 10,000 / 4,000 = 2.5 days; both in the last 3 months
    // (after 2025-12-30), none in the 9 before → no trend; late share 1,000 / 4,000 = 0.25; longest 10 days.
    expect(file.behaviour).toMatchObject({
      paid: '4000.00', payments: 2, averageDaysBeyondTerms: { value: '2.5000' }, lateShare: { value: '0.2500' }, longestDelayDays: 10,
      trendDays: { value: null, reason: 'no payments in the 9 months before' },
    });
    const now = await t.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, 'K1', { asOf: '2026-06-30' }));
    // By 2026-06-30: + PAY-3 2,000 × 20 → (10,000 + 0 + 40,000) / 6,000 = 8.3333; last 3 months (after 2026-03-31):
    // PAY-3 only → 20; the 9 before: PAY-1 and PAY-2 → 2.5; trend 20 − 2.5 = 17.5; late (1,000 + 2,000) / 6,000 = 0.5
    expect(now.behaviour).toMatchObject({
      paid: '6000.00', averageDaysBeyondTerms: { value: '8.3333' }, recentDaysBeyondTerms: { value: '20.0000' },
      earlierDaysBeyondTerms: { value: '2.5000' }, trendDays: { value: '17.5000' }, lateShare: { value: '0.5000' }, longestDelayDays: 20,
    });
    expect(now.statements[0]!.ratios).toMatchObject({ current: { value: '2.0000' }, quick: { value: '1.4000' }, workingCapital: '250000.00' });
    expect(now.statements[0]!.zScores[1]).toEqual({ model: 'private', value: '2.4364', zone: 'grey' });
    expect(now.version).toBe(1);
    expect(now.file.documents[0]!.reference).toBe('DMS-2025-001');
  });

  it('assesses with the default scorecard, caps the limit by policy, insurance and group, and takes effect', async () => {
    const a = await assessCustomer(ctx, 'K1', { asOf: '2026-06-30', takeEffect: true });
    // current 2.0 → 100 × 10% = 10; debt 0.6 → 70 × 10% = 7; coverage 5 → 70 × 10% = 7; Z' grey → 50 × 15% = 7.5;
    // days 8.33 → 80 × 20% = 16; late 0.5 → 40 × 10% = 4; trend 17.5 → 0 × 5% = 0; BBB → 75 × 10% = 7.5;
    // 12 years → 80 × 5% = 4; good → 100 × 5% = 5. Σ = 68 → grade B (65–79)
    expect(a.score).toBe(68);
    expect(a.grade).toBe('B');
    expect(a.factors.find((f) => f.key === 'daysBeyondTerms')).toMatchObject({ value: '8.3333', points: 80, contribution: '16.00' });
    // B: 10% of equity 400,000 = 40,000; insured 60,000; group 100,000 − K2's open 70,000 = 30,000 → 30,000
    expect(a.caps.map((c) => [c.kind, c.amount])).toEqual([['policy', '40000.00'], ['insured', '60000.00'], ['group', '30000.00']]);
    expect(a.recommendedLimit).toBe('30000.00');
    // B reviews every 6 months: 2026-06-30 + 6 months = 2026-12-30
    expect(a.reviewDue).toBe('2026-12-30');
    const [profile] = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ grade: string; score: number; review_due: string }>(
      `SELECT grade, score, review_due FROM credit_profiles WHERE tenant_id = $1`, [ctx.tenant.id]));
    expect([profile!.grade, Number(profile!.score), profile!.review_due]).toEqual(['B', 68, '2026-12-30']);
    await expect(t.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE credit_assessments SET score = 1 WHERE id = $1`, [a.id]))).rejects.toThrow(/append-only|permission/);
  });

  it('caps by the group limit credit control approved, ahead of the one on the file', async () => {
    const admin = (actor: string): Context => ({ ...ctx, actor, principal: { tenantId: ctx.tenant.id, userId: null, actor, name: actor, role: 'admin', handle: null, via: 'session' } });
    const { approvalId } = await requestLimitChange(admin('credit@cred.cn'), { customer: 'K1', scope: 'group', limit: '90000.00', reason: '集团授信' });
    await decideApproval(admin('boss@cred.cn'), approvalId, 'approve', {});
    const a = await assessCustomer(ctx, 'K1', { asOf: '2026-06-30' });
    // Group 90,000 (approved, not the file's 100,000) − K2's open 70,000 = 20,000: below policy 40,000 and insured 60,000.
    expect(a.caps.find((c) => c.kind === 'group')?.amount).toBe('20000.00');
    expect(a.recommendedLimit).toBe('20000.00');
  });

  it('queues reviews that are due or never graded with an open balance, and completing one records the decision', async () => {
    const july = await t.db.tenant(ctx.tenant.id, (sql) => reviewQueue(ctx, sql, { asOf: '2026-07-01' }));
    // K1 is graded until 2026-12-30; K2 has 70,000.00 open and no grade; GRP has nothing open
    expect(july.rows.map((r) => [r.customer, r.reason, r.open])).toEqual([['K2', 'never graded, open balance', '70000.00']]);
    const january = await t.db.tenant(ctx.tenant.id, (sql) => reviewQueue(ctx, sql, { asOf: '2027-01-01' }));
    expect(january.rows.map((r) => r.customer).sort()).toEqual(['K1', 'K2']);
    const r = await completeReview(ctx, 'K2', { asOf: '2026-07-01', decision: 'hold', note: 'no accounts yet' });
    expect(r.assessment.tookEffect).toBe(true);
    const after = await t.db.tenant(ctx.tenant.id, (sql) => reviewQueue(ctx, sql, { asOf: '2026-07-01' }));
    expect(after.rows).toEqual([]);
    await expect(completeReview(ctx, 'K2', { decision: 'change' })).rejects.toThrow(/proposed grade or limit/);
    // A proposed limit goes to credit control as a limit request: pending until someone else with the authority approves.
    const changed = await completeReview(ctx, 'K2', { asOf: '2026-07-01', decision: 'change', proposedLimit: '80000.00', note: '年报已收到' });
    expect(changed.limitRequest).toMatchObject({ status: 'pending', summary: 'K2: credit limit 80000.00 CNY: credit review of 2026-07-01: 年报已收到' });
    const [approval] = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string; status: string }>(`SELECT action, status FROM approvals WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, changed.limitRequest!.approvalId]));
    expect(approval).toEqual({ action: 'credit.limit', status: 'pending' });
  });

  it('serves the API with field-named errors and holds the permissions', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      const admin = await adminToken(ctx);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/customers/K1/financials', headers: auth(admin), payload: { statements: [{ ...STATEMENT, totalAssets: '1,000' }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('body.statements.0.totalAssets');
      const negative = await app.inject({ method: 'POST', url: '/api/v1/customers/K1/financials', headers: auth(admin), payload: { statements: [{ ...STATEMENT, cash: '-1.00' }] } });
      expect(negative.json().details[0].field).toBe('statements.0.cash');
      const card = (await app.inject({ method: 'GET', url: '/api/v1/credit/scorecard', headers: auth(admin) })).json();
      card.factors[0].weight = 5; // the weights now add up to 95
      const refused = await app.inject({ method: 'PUT', url: '/api/v1/credit/scorecard', headers: auth(admin), payload: card });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().code).toBe('INVALID_SCORECARD');
      expect(refused.json().message).toContain('95');
      const first = await app.inject({ method: 'POST', url: '/api/v1/customers/K1/assessments', headers: { ...auth(admin), 'idempotency-key': 'k1-june' }, payload: { asOf: '2026-06-30' } });
      const twin = await app.inject({ method: 'POST', url: '/api/v1/customers/K1/assessments', headers: { ...auth(admin), 'idempotency-key': 'k1-june' }, payload: { asOf: '2026-06-30' } });
      expect(first.statusCode).toBe(201);
      expect(twin.json().id).toBe(first.json().id);
      const auditor = await adminToken(ctx, 'auditor');
      expect((await app.inject({ method: 'GET', url: '/api/v1/customers/K1/credit', headers: auth(auditor) })).json().profile.grade).toBe('B');
      expect((await app.inject({ method: 'POST', url: '/api/v1/customers/K1/assessments', headers: auth(auditor), payload: {} })).statusCode).toBe(403);
      const viewer = await adminToken(ctx, 'viewer');
      expect((await app.inject({ method: 'GET', url: '/api/v1/customers/K1/credit', headers: auth(viewer) })).statusCode).toBe(403);
      // A collector sees only their own customers' files: K1 has no collector, so it is not found for them.
      const collector = await adminToken(ctx, 'collector');
      expect((await app.inject({ method: 'GET', url: '/api/v1/customers/K1/credit', headers: auth(collector) })).json().code).toBe('CUSTOMER_NOT_FOUND');
      expect((await app.inject({ method: 'GET', url: '/api/v1/credit/reviews?asOf=2027-01-01', headers: auth(collector) })).json().rows).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('imports statements from CSV all or nothing, naming the line, and shows the file in the CLI', async () => {
    const run = cliRunner(t.db, CLOCK, 'CRED');
    const header = 'customer,periodEnd,currentAssets,cash,inventory,receivables,totalAssets,currentLiabilities,totalLiabilities,equity,retainedEarnings,sales,ebit,netIncome,interestExpense';
    const file = path.join(os.tmpdir(), `credit-financials-${process.pid}.csv`);
    fs.writeFileSync(file, [header, 'K2,2025-12-31,300000,50000,100000,120000,800000,200000,500000,300000,100000,900000,60000,40000,15000', 'K2,2024-12-31,x,1,1,1,1,1,1,1,1,1,1,1,1'].join('\n'));
    const refused = await run(['credit', 'financials', 'import', file]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('line 3');
    expect((await run(['credit', 'financials', 'show', 'K2', '--format', 'json'])).out).toBe('[]');
    fs.writeFileSync(file, [header, 'K2,2025-12-31,300000,50000,100000,120000,800000,200000,500000,300000,100000,900000,60000,40000,15000'].join('\n'));
    expect((await run(['credit', 'financials', 'import', file])).code).toBe(0);
    const shown = JSON.parse((await run(['credit', 'file', 'K2', '--format', 'json'])).out);
    // current 300,000 / 200,000 = 1.5; debt 500,000 / 800,000 = 0.625
    expect(shown.statements[0].ratios).toMatchObject({ current: { value: '1.5000' }, debt: { value: '0.6250' } });
    const text = await run(['credit', 'assess', 'K1', '--as-of', '2026-06-30']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('score 68, grade B');
    // Recommended: the approved group limit 90,000 − K2's open 70,000 (the test above approved it).
    expect(text.out).toContain('20000.00');
    fs.rmSync(file);
  });

  it('counts the broken promises and disputes collections recorded in the 12 months to the as-of date', async () => {
    // Raised today (2026-06-30): a dispute of 100.00 on INV-4; a promise of 500.00 for 2026-07-02 with no grace, unpaid.
    await raiseDispute(ctx, { customer: 'K1', reason: 'quality', ownerTeam: 'sales', items: [{ document: 'INV-4', amount: '100.00' }] });
    await recordPromise(ctx, { customer: 'K1', amount: '500.00', promisedDate: '2026-07-02', graceDays: 0 });
    const later = { ...ctx, clock: fixedClock('2026-07-05T04:00:00Z') };
    await evaluatePromises(later, { asOf: '2026-07-05' });
    const at = async (asOf: string) => (await t.db.tenant(ctx.tenant.id, (sql) => creditFileOf(later, sql, 'K1', { asOf }))).behaviour;
    // On 07-05: the promise's deadline 07-02 passed unpaid (broken), the dispute was raised 06-30: 1 and 1.
    expect([(await at('2026-07-05')).brokenPromises, (await at('2026-07-05')).disputes]).toEqual([1, 1]);
    // On 06-29 neither had happened yet.
    expect([(await at('2026-06-29')).brokenPromises, (await at('2026-06-29')).disputes]).toEqual([0, 0]);
  });

  it('imports a statements file sent to the API, all or nothing, naming the line', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const header = 'customer,periodEnd,currentAssets,cash,inventory,receivables,totalAssets,currentLiabilities,totalLiabilities,equity,retainedEarnings,sales,ebit,netIncome,interestExpense';
      const send = (lines: string[]) => app.inject({ method: 'POST', url: '/api/v1/credit/financials/import', headers: { authorization: `Bearer ${admin}` },
        payload: { fileName: 'statements.csv', content: Buffer.from([header, ...lines].join('\n')).toString('base64') } });
      // Line 3 has a figure that is not an amount: nothing of the file is recorded.
      const refused = await send(['K1,2023-12-31,400000,80000,120000,150000,900000,220000,550000,350000,150000,1200000,80000,50000,18000', 'K1,2022-12-31,x,1,1,1,1,1,1,1,1,1,1,1,1']);
      expect(refused.statusCode).toBe(400);
      expect(JSON.stringify(refused.json())).toContain('line 3');
      const before = (await t.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, 'K1'))).statements.length;
      const done = await send(['K1,2023-12-31,400000,80000,120000,150000,900000,220000,550000,350000,150000,1200000,80000,50000,18000']);
      expect(done.statusCode).toBe(201);
      const file = await t.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, 'K1'));
      expect(file.statements.length).toBe(before + 1);
      // Current ratio of the new period: 400,000 / 220,000 = 1.81818… → 1.8182.
      expect(file.statements.find((x) => x.periodEnd === '2023-12-31')!.ratios.current).toEqual({ value: '1.8182' });
      expect((await app.inject({ method: 'POST', url: '/api/v1/credit/financials/import', headers: { authorization: `Bearer ${await adminToken(ctx, 'collector')}` }, payload: { fileName: 'a.csv', content: 'YQ==' } })).statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });
});
