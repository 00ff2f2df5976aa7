/**
 * Segregation of duties through the API: a finance manager's write-off, reversal and credit-limit increase wait for
 * another person; the requester can never approve their own; approving does the action; thresholds decide.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/access.ts';
import { buildServer } from '../src/http/server.ts';
import { createApiToken, createUser } from '../src/modules/access/index.ts';
import { createTenant, type Tenant } from '../src/modules/tenants/index.ts';
import { contextFor, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let app: FastifyInstance;
let acme: Tenant;
const as: Record<string, string> = {};

async function tokenFor(name: string, role: Role): Promise<string> {
  const ctx = contextFor(t.db, acme, CLOCK);
  const { user } = await createUser(ctx, { email: `${name}@acme.example`, name, role, password: 'a long test passphrase' });
  const { token } = await createApiToken(ctx, { tenantId: acme.id, userId: user.id, actor: user.email, name, role: 'admin', handle: user.handle, via: 'session' }, { name, role });
  return token;
}

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, who: string, body?: unknown) {
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${as[who]}` }, ...(body ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.json() };
}

const open = async (ref: string) => (await call('GET', `/api/v1/documents/${ref}`, 'fin1')).body.open as string;

beforeAll(async () => {
  t = await openTestDatabase();
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  acme = await createTenant(t.db, { code: 'ACME', name: 'Acme', currency: 'CNY' });
  as.fin1 = await tokenFor('fin1', 'finance_manager');
  as.fin2 = await tokenFor('fin2', 'finance_manager');
  as.credit = await tokenFor('credit', 'credit_manager');
  as.admin = await tokenFor('boss', 'admin');
  as.collector = await tokenFor('collector', 'collector');
  expect((await call('POST', '/api/v1/customers', 'fin1', { code: 'C1', name: '上海一号', creditLimit: '10000.00' })).status).toBe(201);
  for (const n of [1, 2, 3]) {
    expect((await call('POST', '/api/v1/documents', 'fin1', { kind: 'invoice', number: `INV-${n}`, customer: 'C1', documentDate: '2026-01-10', amount: '300.00' })).status).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('with the defaults of a new company (everything needs approval)', () => {
  it('holds a write-off for approval, refuses the requester as approver, and writes off when another approves', async () => {
    const asked = await call('POST', '/api/v1/documents', 'fin1', { kind: 'write_off', customer: 'C1', documentDate: '2026-06-30', amount: '300.00', appliesTo: [{ document: 'INV-1' }], reason: 'customer dissolved' });
    expect(asked.status).toBe(202);
    expect(asked.body.approval).toMatchObject({ action: 'write_off.post', status: 'pending', requestedBy: 'token:fin1' });
    expect(asked.body.approval.summary).toContain('300.00 CNY of C1');
    expect(await open('INV-1')).toBe('300.00');

    const self = await call('POST', `/api/v1/approvals/${asked.body.approval.id}/approve`, 'fin1', {});
    expect([self.status, self.body.code]).toEqual([403, 'SELF_APPROVAL']);
    // A credit manager decides approvals, but may not write off: not theirs to approve.
    expect((await call('POST', `/api/v1/approvals/${asked.body.approval.id}/approve`, 'credit', {})).status).toBe(403);
    expect((await call('POST', `/api/v1/approvals/${asked.body.approval.id}/approve`, 'collector', {})).status).toBe(403);

    const approved = await call('POST', `/api/v1/approvals/${asked.body.approval.id}/approve`, 'fin2', { reason: 'checked the liquidation notice' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'token:fin2' });
    expect(approved.body.result.document).toMatchObject({ kind: 'write_off', amount: '300.00', createdBy: 'token:fin1 (approved by token:fin2)' });
    // 300.00 − 300.00 written off = 0.00 open.
    expect(await open('INV-1')).toBe('0.00');
    const again = await call('POST', `/api/v1/approvals/${asked.body.approval.id}/approve`, 'admin', {});
    expect([again.status, again.body.code]).toEqual([409, 'APPROVAL_DECIDED']);
  });

  it('holds a reversal; a rejection needs a reason and leaves the document as it was', async () => {
    const asked = await call('POST', '/api/v1/documents/INV-2/reverse', 'fin1', { reason: 'issued twice' });
    expect(asked.status).toBe(202);
    const id = asked.body.approval.id;
    expect((await call('POST', `/api/v1/approvals/${id}/reject`, 'fin2', {})).status).toBe(400);
    const rejected = await call('POST', `/api/v1/approvals/${id}/reject`, 'fin2', { reason: 'not a duplicate: two deliveries' });
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'not a duplicate: two deliveries' });
    expect((await call('GET', '/api/v1/documents/INV-2', 'fin1')).body.status).toBe('open');
  });

  it('holds a credit-limit increase, lets the requester withdraw it, and shows the inbox by role', async () => {
    const asked = await call('PATCH', '/api/v1/customers/C1', 'credit', { creditLimit: '50000.00' });
    expect(asked.status).toBe(202);
    expect(asked.body.approval.summary).toBe('C1: credit limit 10000.00 → 50000.00 CNY');
    // Lowering a limit lowers risk: it is done at once.
    expect((await call('PATCH', '/api/v1/customers/C1', 'credit', { creditLimit: '8000.00' })).status).toBe(200);
    const inbox = await call('GET', '/api/v1/approvals?status=pending', 'fin2');
    expect(inbox.body.items.map((a: { id: string }) => a.id)).toContain(asked.body.approval.id);
    // A collector sees only their own requests (none).
    expect((await call('GET', '/api/v1/approvals', 'collector')).body.items).toEqual([]);
    expect((await call('POST', `/api/v1/approvals/${asked.body.approval.id}/cancel`, 'fin2', {})).status).toBe(403);
    expect((await call('POST', `/api/v1/approvals/${asked.body.approval.id}/cancel`, 'credit', {})).body.status).toBe('cancelled');
    expect((await call('GET', '/api/v1/customers/C1', 'fin1')).body.creditLimit).toBe('8000.00');
  });
});

describe('the inbox as a screen reads it', () => {
  it('lists one\'s own requests or everyone else\'s, with what each is about; approving a credit increase sets the limit', async () => {
    const reversal = (await call('POST', '/api/v1/documents/INV-2/reverse', 'fin1', { reason: 'posted to the wrong customer' })).body.approval;
    const credit = (await call('PATCH', '/api/v1/customers/C1', 'credit', { creditLimit: '20000.00', paymentTerms: 'NET45' })).body.approval;
    const mine = await call('GET', '/api/v1/approvals?status=pending&requester=me', 'fin1');
    expect(mine.body.items.map((a: { id: string }) => a.id)).toEqual([reversal.id]);
    const others = await call('GET', '/api/v1/approvals?status=pending&requester=others', 'fin1');
    expect(others.body.items.map((a: { id: string }) => a.id)).toContain(credit.id);
    expect(others.body.items.every((a: { requestedBy: string }) => a.requestedBy !== 'token:fin1')).toBe(true);
    expect(mine.body.items[0].subject).toEqual({
      kind: 'reversal', reason: 'posted to the wrong customer', customer: { code: 'C1', name: '上海一号' },
      document: { id: expect.any(String), kind: 'invoice', number: 'INV-2', amount: '300.00', currency: 'CNY' },
    });
    // The limit was lowered to 8000.00 above: the request reads "from 8000.00 to 20000.00".
    const asked = others.body.items.find((a: { id: string }) => a.id === credit.id);
    expect(asked.subject).toMatchObject({ kind: 'credit', creditLimit: { now: '8000.00', requested: '20000.00' }, terms: { requested: 'NET45' } });

    // There are no NET45 terms: approving cannot be done, and nothing is approved.
    expect((await call('POST', `/api/v1/approvals/${credit.id}/approve`, 'fin2', {})).status).toBe(400);
    expect((await call('GET', '/api/v1/approvals?status=pending&requester=others', 'fin1')).body.items.map((a: { id: string }) => a.id)).toContain(credit.id);
    expect((await call('POST', `/api/v1/approvals/${reversal.id}/cancel`, 'fin1', {})).body.status).toBe('cancelled');
    const history = await call('GET', '/api/v1/approvals?status=decided', 'fin2');
    expect(history.body.items.map((a: { id: string }) => a.id)).toContain(reversal.id);
    expect(history.body.items.every((a: { status: string }) => a.status !== 'pending')).toBe(true);
  });

  it('approves a credit-limit increase and records the customer as it became', async () => {
    const asked = (await call('PATCH', '/api/v1/customers/C1', 'credit', { creditLimit: '12000.00' })).body.approval;
    const approved = await call('POST', `/api/v1/approvals/${asked.id}/approve`, 'fin2', { reason: 'two years of payments on time' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decisionReason: 'two years of payments on time' });
    expect((await call('GET', '/api/v1/customers/C1', 'fin1')).body.creditLimit).toBe('12000.00');
    // Credit control's limit history has both changes of the customer record: the direct decrease to 8,000.00 (within
    // the threshold, by the requester alone) and this approved increase, newest first.
    const history = (await call('GET', '/api/v1/credit/limits/C1', 'fin1')).body.history as { version: number; limit: string; requestedBy: string; approvedBy: string; approvalId: string | null }[];
    expect(history.map((h) => [h.version, h.limit, h.approvalId === null])).toEqual([[2, '12000.00', false], [1, '8000.00', true]]);
    expect(history[0]!.approvalId).toBe(asked.id);
    expect(history[0]!.approvedBy).not.toBe(history[0]!.requestedBy);
    expect(history[1]!.approvedBy).toBe(history[1]!.requestedBy);
  });
});

describe('thresholds', () => {
  it('lets write-offs up to the threshold through and holds the ones above it', async () => {
    const settings = await call('PATCH', '/api/v1/company/approval-settings', 'admin', { writeOffApproval: '100.00' });
    expect(settings.body).toMatchObject({ writeOffApproval: '100.00', reversalsNeedApproval: true });
    // Only administrators change the thresholds.
    expect((await call('PATCH', '/api/v1/company/approval-settings', 'fin1', { writeOffApproval: null })).status).toBe(403);
    const small = await call('POST', '/api/v1/documents', 'fin1', { kind: 'write_off', customer: 'C1', documentDate: '2026-06-30', amount: '100.00', appliesTo: [{ document: 'INV-3', amount: '100.00' }] });
    expect(small.status).toBe(201);
    const large = await call('POST', '/api/v1/documents', 'fin1', { kind: 'write_off', customer: 'C1', documentDate: '2026-06-30', amount: '100.01', appliesTo: [{ document: 'INV-3', amount: '100.01' }] });
    expect(large.status).toBe(202);
    // 300.00 − 100.00 written off at once = 200.00; the 100.01 waits.
    expect(await open('INV-3')).toBe('200.00');
  });
});
