/**
 * Credit limits, checks and holds on a real database (both engines). Every figure is worked out by hand below.
 *
 * Company CNY, today 2026-06-30 (Asia/Shanghai). Settings: no warn band (set per test), credit managers may approve
 * limits up to 50,000.00, finance managers up to 500,000.00; hold rules: overdue more than 30 days, overdue above
 * 20,000.00, grade E, review expired; a hold blocks orders and shipments.
 *   S  (standalone): INV-S1 6,000.00 due 06-15; ADV-S1 advance 1,000.00 unapplied; order O-S1 2,000.00 open,
 *      order O-S2 700.00 closed, shipment SH-S1 500.00 open.  Exposure before a check: 6,000 + 2,000 + 500 − 1,000 = 7,500.00
 *   G  (group head): INV-G1 4,000.00 due 07-15.  M1 (member of G): INV-M1 30,000.00 due 07-31.  M2 (member of G): order O-M2 25,000.00.
 *      Group exposure before a check: 4,000 + 30,000 + 25,000 = 59,000.00
 *   U  (USD customer, CNY limit): INV-U1 1,000.00 USD due 07-05; order O-U1 720.00 CNY. USD rates: 06-01 7.0, 06-20 7.2.
 *   H: INV-H1 25,000.00 due 05-01 (60 days overdue on 06-30).  E: credit profile grade E, review due 07-15.
 *   R: credit profile grade B, review due 06-29.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/access.ts';
import { buildServer } from '../src/http/server.ts';
import { decideApproval } from '../src/modules/approvals/index.ts';
import type { Context } from '../src/modules/context.ts';
import {
  creditCheck, customerLimits, evaluateHolds, limitPositions, listHolds, placeManualHold, registerCommitment, requestHoldRelease, requestLimitChange, setCreditSettings,
  updateCommitment, DEFAULT_CREDIT_SETTINGS, type CreditSettings,
} from '../src/modules/credit-limits/index.ts';
import { createCustomer, getCustomer } from '../src/modules/customers/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

const SETTINGS: CreditSettings = {
  ...DEFAULT_CREDIT_SETTINGS,
  warnPercent: null,
  holdRules: { overdueDays: 30, overdueAmount: '20000.00', gradeE: true, reviewExpired: true },
  holdBlocks: ['order', 'shipment'],
  approvalLimits: { credit_manager: '50000.00', finance_manager: '500000.00' },
};

/** A context acting as a signed-in user of `role`. */
const as = (role: Role, actor: string): Context => ({
  ...ctx, actor, principal: { tenantId: ctx.tenant.id, userId: null, actor, name: actor, role, handle: null, via: 'session' },
});
const cm1 = () => as('credit_manager', 'cm1@test.example');
const cm2 = () => as('credit_manager', 'cm2@test.example');
const fm = () => as('finance_manager', 'fm@test.example');

/** Requests a limit as cm1 and has it approved by `approver` (default cm2). */
async function setLimit(request: Parameters<typeof requestLimitChange>[1], approver = cm2()) {
  const { approvalId } = await requestLimitChange(cm1(), request);
  return decideApproval(approver, approvalId, 'approve', {});
}
const check = (customer: string, amount: string, extra: Partial<Parameters<typeof creditCheck>[1]> = {}) => creditCheck(ctx, { customer, amount, kind: 'order', ...extra });

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'CRED' });
  ctx = contextFor(t.db, tenant, CLOCK);
  await setCreditSettings(ctx, SETTINGS);
  for (const c of ['S', 'G', 'H', 'E', 'R']) await createCustomer(ctx, { code: c, name: `Customer ${c}` });
  await createCustomer(ctx, { code: 'M1', name: 'Member 1', parentCode: 'G' });
  await createCustomer(ctx, { code: 'M2', name: 'Member 2', parentCode: 'G' });
  await createCustomer(ctx, { code: 'U', name: 'Dollar customer', currency: 'USD' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-06-01', rate: '7.0' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-06-20', rate: '7.2' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  await post({ kind: 'invoice', number: 'INV-S1', customer: 'S', documentDate: '2026-06-01', dueDate: '2026-06-15', amount: '6000.00' });
  await post({ kind: 'advance', number: 'ADV-S1', customer: 'S', documentDate: '2026-06-10', amount: '1000.00' });
  await post({ kind: 'invoice', number: 'INV-G1', customer: 'G', documentDate: '2026-06-15', dueDate: '2026-07-15', amount: '4000.00' });
  await post({ kind: 'invoice', number: 'INV-M1', customer: 'M1', documentDate: '2026-06-30', dueDate: '2026-07-31', amount: '30000.00' });
  await post({ kind: 'invoice', number: 'INV-U1', customer: 'U', documentDate: '2026-06-05', dueDate: '2026-07-05', amount: '1000.00' });
  await post({ kind: 'invoice', number: 'INV-H1', customer: 'H', documentDate: '2026-04-01', dueDate: '2026-05-01', amount: '25000.00' });
  await registerCommitment(ctx, { kind: 'order', reference: 'O-S1', customer: 'S', amount: '2000.00' });
  await registerCommitment(ctx, { kind: 'order', reference: 'O-S2', customer: 'S', amount: '700.00' });
  await updateCommitment(ctx, 'order', 'O-S2', { status: 'closed' });
  await registerCommitment(ctx, { kind: 'shipment', reference: 'SH-S1', customer: 'S', amount: '500.00' });
  await registerCommitment(ctx, { kind: 'order', reference: 'O-M2', customer: 'M2', amount: '25000.00' });
  await registerCommitment(ctx, { kind: 'order', reference: 'O-U1', customer: 'U', amount: '720.00', currency: 'CNY' });
  await t.db.tenant(tenant.id, async (sql) => {
    for (const [code, grade, due] of [['E', 'E', '2026-07-15'], ['R', 'B', '2026-06-29']] as const) {
      const c = await getCustomer(sql, tenant.id, code);
      await sql.query(`INSERT INTO credit_profiles (tenant_id, customer_id, grade, score, assessed_on, review_due, updated_by) VALUES ($1, $2, $3, 50, '2026-01-01', $4, 'test')`, [tenant.id, c.id, grade, due]);
    }
  });
  await setLimit({ customer: 'S', limit: '10000.00', reason: 'annual review' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('credit limits and checks', () => {
  it('passes exactly at the limit and holds one minor unit over', async () => {
    // 7,500.00 + 2,500.00 = 10,000.00 = the limit → pass; + 2,500.01 = 10,000.01 → hold.
    const at = await check('S', '2500.00');
    expect(at.outcome).toBe('pass');
    expect(at.exposure).toEqual({ receivables: '6000.00', orders: '2000.00', shipments: '500.00', checkedAmount: '2500.00', advances: '1000.00', total: '10000.00', overdue: '6000.00' });
    expect(at.utilisation).toBe('100.0');
    const over = await check('S', '2500.01');
    expect(over.outcome).toBe('hold');
    expect(over.reasons.map((r) => r.code)).toEqual(['OVER_LIMIT']);
    // 10,000.01 − 10,000.00: one cent over, in the limit's currency, for the screen to word in its language.
    expect(over.reasons[0]).toMatchObject({ over: '0.01', overCurrency: 'CNY', message: 'the customer exposure after this amount is above the customer limit by 0.01 CNY' });
    // Customer record and limit versions are one limit: the approved 10,000.00 is on the customer too.
    expect((await t.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, 'S'))).creditLimitMinor).toBe(1_000_000n);
  });

  it('warns in the warn band and leaves out a part switched off', async () => {
    await setCreditSettings(ctx, { ...SETTINGS, warnPercent: 90 });
    // 7,500.00 + 1,500.00 = 9,000.00 = 90.0% → warn; + 1,499.99 = 8,999.99 → 89.9999…% → pass.
    expect((await check('S', '1500.00')).outcome).toBe('warn');
    expect((await check('S', '1499.99')).outcome).toBe('pass');
    await setCreditSettings(ctx, { ...SETTINGS, exposure: { ...SETTINGS.exposure, advances: false } });
    // Without the advance taken off: 8,500.00 + 1,500.00 = 10,000.00 → pass; + 1,500.01 → hold.
    expect((await check('S', '1500.00')).exposure.total).toBe('10000.00');
    expect((await check('S', '1500.01')).outcome).toBe('hold');
    await setCreditSettings(ctx, SETTINGS);
  });

  it('counts a temporary increase only inside its window', async () => {
    await setLimit({ customer: 'S', limit: '10000.00', temporary: { amount: '3000.00', validFrom: '2026-07-01', validTo: '2026-07-31', reason: 'season' }, reason: 'summer peak' });
    // 7,500.00 + 5,500.00 = 13,000.00: above 10,000.00 before and after July, exactly 10,000 + 3,000 inside it.
    expect((await check('S', '5500.00', { asOf: '2026-06-30' })).outcome).toBe('hold');
    const first = await check('S', '5500.00', { asOf: '2026-07-01' });
    expect(first.outcome).toBe('pass');
    expect(first.limit).toEqual({ currency: 'CNY', base: '10000.00', temporary: '3000.00', total: '13000.00' });
    expect((await check('S', '5500.00', { asOf: '2026-07-31' })).outcome).toBe('pass');
    expect((await check('S', '5500.01', { asOf: '2026-07-31' })).outcome).toBe('hold');
    expect((await check('S', '5500.00', { asOf: '2026-08-01' })).outcome).toBe('hold');
    const limits = await t.db.tenant(ctx.tenant.id, (sql) => customerLimits(ctx, sql, 'S', '2026-07-15'));
    expect(limits.limit?.total).toBe('13000.00');
    expect(limits.history.map((h) => [h.version, h.limit, h.temporary?.amount ?? null, h.requestedBy, h.approvedBy])).toEqual([
      [2, '10000.00', '3000.00', 'cm1@test.example', 'cm2@test.example'], [1, '10000.00', null, 'cm1@test.example', 'cm2@test.example'],
    ]);
  });

  it('refuses approval by the requester and by a role above its authority', async () => {
    const { approvalId } = await requestLimitChange(cm1(), { customer: 'M1', scope: 'group', limit: '60000.00', reason: 'group facility' });
    await expect(decideApproval(cm1(), approvalId, 'approve', {})).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
    // 60,000.00 > the credit manager's 50,000.00.
    await expect(decideApproval(cm2(), approvalId, 'approve', {})).rejects.toMatchObject({ code: 'CREDIT_AUTHORITY' });
    const approved = await decideApproval(fm(), approvalId, 'approve', {});
    expect(approved.status).toBe('approved');
  });

  it('sums the group exposure over its members against the group limit', async () => {
    // Group G: 59,000.00 + 1,000.00 = 60,000.00 = the group limit → pass; + 1,000.01 → hold.
    const at = await check('M1', '1000.00');
    expect(at.outcome).toBe('pass');
    expect(at.limit).toBeNull();
    expect(at.group).toMatchObject({ head: 'G', members: ['G', 'M1', 'M2'], exposure: { receivables: '34000.00', orders: '25000.00', total: '60000.00' }, utilisation: '100.0' });
    const over = await check('M2', '1000.01');
    expect(over.outcome).toBe('hold');
    expect(over.reasons.map((r) => r.code)).toEqual(['OVER_GROUP_LIMIT']);
    // 59,000.00 before the check + 1,000.01 = 60,000.01: 0.01 over the group limit of 60,000.00.
    expect(over.reasons[0]).toMatchObject({ over: '0.01', overCurrency: 'CNY' });
  });

  it('converts exposure in other currencies at the latest rate on or before the date', async () => {
    await setLimit({ customer: 'U', limit: '10000.00', currency: 'CNY', reason: 'new customer' });
    // 06-30 at 7.2: 1,000.00 USD = 7,200.00 + order 720.00 + 80.00 checked = 8,000.00 CNY.
    const late = await check('U', '80.00', { currency: 'CNY' });
    expect(late.exposure.total).toBe('8000.00');
    expect(late.utilisation).toBe('80.0');
    // 06-10 at 7.0: 7,000.00 + 720.00 + 80.00 = 7,800.00.
    expect((await check('U', '80.00', { currency: 'CNY', asOf: '2026-06-10' })).exposure.total).toBe('7800.00');
    // A USD amount checked: 100.00 USD × 7.2 = 720.00 → 7,200 + 720 + 720 = 8,640.00.
    expect((await check('U', '100.00')).exposure.total).toBe('8640.00');
    await expect(check('U', '80.00', { currency: 'CNY', asOf: '2026-05-31' })).rejects.toMatchObject({ code: 'FX_RATE_MISSING' });
  });

  it('gives the early-warning limit rule the same exposure as the credit check, in the functional currency', async () => {
    await createCustomer(ctx, { code: 'V', name: 'Dollar customer with a dollar limit', currency: 'USD' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-V1', customer: 'V', documentDate: '2026-06-05', dueDate: '2026-07-05', amount: '1000.00' });
    await registerCommitment(ctx, { kind: 'order', reference: 'O-V1', customer: 'V', amount: '720.00', currency: 'CNY' });
    await setLimit({ customer: 'V', limit: '2000.00', reason: 'new customer' });
    // The check sums in the limit's currency (USD at 7.2): 1,000.00 + 720.00 / 7.2 = 1,100.00 USD, plus 0.00 checked.
    const v = await check('V', '0.01');
    expect(v.exposure.total).toBe('1100.01');
    const positions = await t.db.tenant(ctx.tenant.id, (sql) => limitPositions(ctx, sql, '2026-06-30'));
    const id = async (code: string) => (await t.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, code))).id;
    // The rule's figures: the same 1,100.00 USD and the 2,000.00 USD limit, in CNY at 7.2 = 7,920.00 and 14,400.00.
    expect(positions.get(await id('V'))).toEqual({ exposureMinor: 792_000n, limitMinor: 1_440_000n });
    // S (CNY): 6,000 + 2,000 + 500 − 1,000 = 7,500.00 against 10,000.00, as the check counts it before an amount.
    expect(positions.get(await id('S'))).toEqual({ exposureMinor: 750_000n, limitMinor: 1_000_000n });
    // U (USD customer, CNY limit): 7,200.00 + 720.00 = 7,920.00 against 10,000.00 (the check's 8,000.00 less 80.00 checked).
    expect(positions.get(await id('U'))).toEqual({ exposureMinor: 792_000n, limitMinor: 1_000_000n });
    // No limit, no position.
    expect(positions.has(await id('H'))).toBe(false);
  });
});

describe('credit holds', () => {
  it('fires the rules only past their thresholds, once per rule', async () => {
    // R's review was due 06-29: not expired on 06-29 itself.
    expect((await evaluateHolds(ctx, { asOf: '2026-06-29', customer: 'R' })).placed).toEqual([]);
    // H on 05-31: 30 days overdue (not more than 30), but 25,000.00 overdue > 20,000.00.
    expect((await evaluateHolds(ctx, { asOf: '2026-05-31', customer: 'H' })).placed.map((h) => h.rule)).toEqual(['overdue_amount']);
    // 06-30: H 60 days overdue (overdue_amount already held), E grade E, R review expired; S 15 days and 6,000.00: nothing.
    const placed = (await evaluateHolds(ctx, { asOf: '2026-06-30' })).placed.map((h) => `${h.customer}:${h.rule}`).sort();
    expect(placed).toEqual(['E:grade_e', 'H:overdue_days', 'R:review_expired']);
    expect((await evaluateHolds(ctx, { asOf: '2026-06-30' })).placed).toEqual([]);
    const status = async (code: string) => (await t.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, code))).status;
    expect(await status('H')).toBe('on_hold');
    expect(await status('S')).toBe('active');
  });

  it('blocks what a hold blocks and warns for what it lets through', async () => {
    expect((await check('H', '1.00')).outcome).toBe('block');
    expect((await check('H', '1.00', { kind: 'shipment' })).outcome).toBe('block');
    const invoice = await check('H', '1.00', { kind: 'invoice' });
    expect(invoice.outcome).toBe('warn');
    expect(invoice.reasons.map((r) => r.code)).toEqual(['ON_HOLD', 'NO_LIMIT']);
    await placeManualHold(cm1(), { customer: 'S', reason: 'disputed delivery' });
    expect((await check('S', '1.00')).outcome).toBe('block');
  });

  it('releases a hold only after a second person approves', async () => {
    const holds = (await t.db.tenant(ctx.tenant.id, (sql) => listHolds(ctx, sql, { customer: 'H', status: 'open' }))).items;
    expect(holds.map((h) => h.rule).sort()).toEqual(['overdue_amount', 'overdue_days']);
    const status = async () => (await t.db.tenant(ctx.tenant.id, (sql) => getCustomer(sql, ctx.tenant.id, 'H'))).status;
    const first = await requestHoldRelease(cm1(), holds[0]!.id, { reason: 'payment plan agreed' });
    expect(first.hold.status).toBe('release_requested');
    await expect(requestHoldRelease(cm2(), holds[0]!.id, { reason: 'again' })).rejects.toMatchObject({ code: 'HOLD_NOT_ACTIVE' });
    await expect(decideApproval(cm1(), first.approvalId, 'approve', {})).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
    expect(await status()).toBe('on_hold');
    await decideApproval(cm2(), first.approvalId, 'approve', {});
    // One hold left: still on hold, and orders still blocked.
    expect(await status()).toBe('on_hold');
    expect((await check('H', '1.00')).outcome).toBe('block');
    const second = await requestHoldRelease(cm2(), holds[1]!.id, { reason: 'paid' });
    // A rejected request puts the hold back to active.
    await decideApproval(fm(), second.approvalId, 'reject', { reason: 'not paid yet' });
    expect((await t.db.tenant(ctx.tenant.id, (sql) => listHolds(ctx, sql, { customer: 'H', status: 'active' }))).items).toHaveLength(1);
    const third = await requestHoldRelease(cm2(), holds[1]!.id, { reason: 'paid' });
    await decideApproval(fm(), third.approvalId, 'approve', {});
    expect(await status()).toBe('active');
    const released = (await t.db.tenant(ctx.tenant.id, (sql) => listHolds(ctx, sql, { customer: 'H', status: 'released' }))).items;
    expect(released.map((h) => h.releasedBy).sort()).toEqual(['cm2@test.example', 'fm@test.example']);
    // H no longer blocked: no limit, so the order passes.
    expect((await check('H', '1.00')).outcome).toBe('pass');
  });
});

describe('credit API and CLI', () => {
  it('answers a credit check, registers commitments idempotently and enforces the permissions', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const sales = await adminToken(ctx, 'sales');
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      const body = { kind: 'order', reference: 'O-API', customer: 'G', amount: '100.00' };
      const first = await app.inject({ method: 'POST', url: '/api/v1/credit/commitments', headers: { ...auth(admin), 'idempotency-key': 'o-api' }, payload: body });
      expect(first.statusCode).toBe(201);
      const twin = await app.inject({ method: 'POST', url: '/api/v1/credit/commitments', headers: { ...auth(admin), 'idempotency-key': 'o-api' }, payload: body });
      expect(twin.json()).toEqual(first.json());
      const other = await app.inject({ method: 'POST', url: '/api/v1/credit/commitments', headers: auth(admin), payload: { ...body, amount: '200.00' } });
      expect(other.json().code).toBe('COMMITMENT_EXISTS');
      // Group: 59,000.00 + 100.00 (O-API) + 900.00 = 60,000.00 → pass; 900.01 → hold.
      const ok = await app.inject({ method: 'POST', url: '/api/v1/credit-checks', headers: auth(admin), payload: { customer: 'G', amount: '900.00', kind: 'order' } });
      expect(ok.json().outcome).toBe('pass');
      const bad = await app.inject({ method: 'POST', url: '/api/v1/credit-checks', headers: auth(admin), payload: { customer: 'G', amount: '900.001', kind: 'order' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('amount');
      expect((await app.inject({ method: 'POST', url: '/api/v1/credit/holds', headers: auth(sales), payload: { customer: 'G', reason: 'x' } })).statusCode).toBe(403);
      // The routes are in the OpenAPI document.
      const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
      for (const path of ['/api/v1/credit-checks', '/api/v1/credit/commitments', '/api/v1/credit/commitments/{kind}/{reference}', '/api/v1/credit/holds/{id}/release', '/api/v1/credit/limit-requests', '/api/v1/credit/settings']) {
        expect(Object.keys(spec.paths), path).toContain(path);
      }
      // The check is recorded in the audit trail.
      const [audit] = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: bigint }>(`SELECT count(*)::int8 AS n FROM audit_log WHERE tenant_id = $1 AND action = 'credit.check'`, [ctx.tenant.id]));
      expect(Number(audit!.n)).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('runs `arflow credit check` with JSON output', async () => {
    const { code, out, err } = await cliRunner(t.db, CLOCK, 'CRED')(['credit', 'check', '--customer', 'M2', '--amount', '900.01', '--kind', 'order', '--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    // 60,000.00 − 900.00 + 900.01 = 60,000.01 > 60,000.00.
    const r = JSON.parse(out);
    expect(r.outcome).toBe('hold');
    expect(r.group.exposure.total).toBe('60000.01');
  });
});
