/**
 * The audit trail: every change is in it with who and what, its hash chain detects an entry changed or deleted in
 * the database and names it, and auditors search and export it (an export being recorded too).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { sealAudit, verifyAudit } from '../src/modules/audit/chain.ts';
import { createUser } from '../src/modules/access/index.ts';
import { importRows } from '../src/modules/imports/service.ts';
import { createTenant, type Tenant } from '../src/modules/tenants/index.ts';
import { adminToken, contextFor, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let app: FastifyInstance;
let acme: Tenant;
let admin: string;
let auditor: string;

async function call(method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body, headers: r.headers };
}

/** Runs `sql` as the database owner with the append-only triggers off: what an intruder with the owner's password could do. */
async function tamper(sql: string, params: unknown[]) {
  await t.db.system(async (q) => {
    await q.query(`ALTER TABLE audit_log DISABLE TRIGGER append_only`);
    await q.query(sql, params);
    await q.query(`ALTER TABLE audit_log ENABLE TRIGGER append_only`);
  });
}

beforeAll(async () => {
  t = await openTestDatabase();
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  acme = await createTenant(t.db, { code: 'ACME', name: 'Acme', currency: 'CNY' });
  admin = await adminToken(contextFor(t.db, acme, CLOCK));
  auditor = await adminToken(contextFor(t.db, acme, CLOCK), 'auditor');
  expect((await call('POST', '/api/v1/customers', admin, { code: 'C1', name: '上海一号' })).status).toBe(201);
  expect((await call('POST', '/api/v1/customers', admin, { code: 'C2', name: '北京二号' })).status).toBe(201);
  expect((await call('POST', '/api/v1/documents', admin, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-06-01', amount: '100.00' })).status).toBe(201);
  expect((await call('POST', '/api/v1/documents', admin, { kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-06-01', amount: '50.00' })).status).toBe(201);
  expect((await call('POST', '/api/v1/documents', admin, { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-06-10', amount: '100.00', appliesTo: [{ document: 'INV-1' }] })).status).toBe(201);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('searching the trail', () => {
  it("finds a customer's entries and its documents', newest first, with who did it", async () => {
    const r = await call('GET', '/api/v1/audit?customer=C1', auditor);
    expect(r.status).toBe(200);
    // C1: created, INV-1 posted, PAY-1 posted (applied to INV-1) — three entries; C2's are not among them.
    expect(r.body.items.map((e: { action: string }) => e.action)).toEqual(['document.post', 'document.post', 'customer.create']);
    expect(r.body.items[0].after.document.number).toBe('PAY-1');
    expect(new Set(r.body.items.map((e: { actor: string }) => e.actor)).size).toBe(1);
  });

  it('filters by action prefix, by document, and by business date in the company\'s time zone', async () => {
    const posts = await call('GET', '/api/v1/audit?action=document.', auditor);
    expect(posts.body.items).toHaveLength(3);
    const inv2 = await call('GET', '/api/v1/audit?document=invoice:INV-2', auditor);
    expect(inv2.body.items.map((e: { after: { document: { number: string } } }) => e.after.document.number)).toEqual(['INV-2']);
    // The entries were written today (wall clock), so a window ending 2020-01-01 has none of them.
    expect((await call('GET', '/api/v1/audit?to=2020-01-01', auditor)).body.items).toEqual([]);
    expect((await call('GET', '/api/v1/audit?from=2026-07-01&to=2026-06-01', auditor)).status).toBe(400);
  });

  it('says from where each change came: the API token and the caller\'s address', async () => {
    // app.inject calls from 127.0.0.1 with a Bearer token: an API change from that address.
    const r = await call('GET', '/api/v1/audit?action=customer.create', auditor);
    expect(r.body.items.map((e: { origin: string }) => e.origin)).toEqual(['api 127.0.0.1', 'api 127.0.0.1']);
  });

  it('believes a trusted proxy about the caller\'s address and protocol, and nobody else', async () => {
    const behindProxy = await buildServer({ db: t.db, clock: CLOCK, trustProxy: ['127.0.0.1'] });
    try {
      const headers = { authorization: `Bearer ${admin}`, 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };
      expect((await behindProxy.inject({ method: 'POST', url: '/api/v1/customers', headers, payload: { code: 'C3', name: '广州三号' } })).statusCode).toBe(201);
      // Without trust (the default server), the same header is ignored: the address is the connection's.
      expect((await app.inject({ method: 'POST', url: '/api/v1/customers', headers, payload: { code: 'C4', name: '深圳四号' } })).statusCode).toBe(201);
      const r = await call('GET', '/api/v1/audit?action=customer.create&limit=2', auditor);
      expect(r.body.items.map((e: { entityId: string; origin: string }) => [e.entityId, e.origin])).toEqual([['C4', 'api 127.0.0.1'], ['C3', 'api 203.0.113.7']]);
      // Behind a TLS proxy the session cookie is Secure; on plain HTTP it cannot be.
      await createUser(contextFor(t.db, acme, CLOCK), { email: 'li.na@acme.example', name: '李娜', role: 'viewer', password: 'three quiet rivers' });
      const signIn = (server: FastifyInstance) => server.inject({ method: 'POST', url: '/api/v1/session', headers: { 'x-forwarded-proto': 'https' }, payload: { email: 'li.na@acme.example', password: 'three quiet rivers' } });
      expect(String((await signIn(behindProxy)).headers['set-cookie'])).toMatch(/; Secure/);
      expect(String((await signIn(app)).headers['set-cookie'])).not.toMatch(/; Secure/);
    } finally {
      await behindProxy.close();
    }
  });

  it('shows a document its own history', async () => {
    const r = await call('GET', '/api/v1/documents/PAY-1/history', auditor);
    expect(r.body.items.map((e: { action: string }) => e.action)).toEqual(['document.post']);
  });

  it("shows on an invoice's history the payment that paid it and the import that brought it in", async () => {
    // INV-1 was posted, then PAY-1 paid it in full: both postings are INV-1's story, newest first.
    const inv1 = await call('GET', '/api/v1/documents/INV-1/history', auditor);
    expect(inv1.body.items.map((e: { action: string; after: { document: { number: string } } }) => [e.action, e.after.document.number]))
      .toEqual([['document.post', 'PAY-1'], ['document.post', 'INV-1']]);
    // An imported invoice has no entry of its own: the import's one entry (for the whole file) is its history.
    const ctx = { ...contextFor(t.db, acme, CLOCK), actor: 'cli:importer' };
    const rows = [{ line: 2, number: 'INV-IMP-1', customerCode: 'C2', documentDate: '2026-06-05', amount: '30.00' }, { line: 3, number: 'INV-IMP-2', customerCode: 'C2', documentDate: '2026-06-06', amount: '40.00' }];
    await importRows(ctx, 'invoices', () => (async function* () { for (const row of rows) yield { ok: true as const, row }; })());
    const imported = await call('GET', '/api/v1/documents/INV-IMP-2/history', auditor);
    expect(imported.body.items).toHaveLength(1);
    expect(imported.body.items[0]).toMatchObject({ action: 'import.invoices', actor: 'cli:importer' });
    // INV-2, posted before the import, does not claim it.
    const inv2 = await call('GET', '/api/v1/documents/INV-2/history', auditor);
    expect(inv2.body.items.map((e: { action: string }) => e.action)).toEqual(['document.post']);
  });

  it('pages with a cursor and never returns more than asked', async () => {
    const first = await call('GET', '/api/v1/audit?limit=2', auditor);
    expect(first.body.items).toHaveLength(2);
    const second = await call('GET', `/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`, auditor);
    expect(second.body.items[0].id < first.body.items[1].id).toBe(true);
  });

  it('exports CSV and records the export itself', async () => {
    const r = await call('GET', '/api/v1/audit/export?customer=C1', auditor);
    expect(r.status).toBe(200);
    const lines = (r.body as string).trimEnd().split('\n');
    expect(lines[0]).toBe('occurred_at,actor,origin,action,entity_type,entity_id,reason,before,after,sealed,id');
    expect(lines).toHaveLength(1 + 3);
    const exports = await call('GET', '/api/v1/audit?action=audit.export', auditor);
    expect(exports.body.items[0].after).toMatchObject({ rows: 3, filters: { customer: 'C1' } });
  });

  it('is closed to roles without audit.read', async () => {
    const viewer = await adminToken(contextFor(t.db, acme, CLOCK), 'viewer');
    expect((await call('GET', '/api/v1/audit', viewer)).status).toBe(403);
  });
});

describe('the hash chain', () => {
  it('verifies an intact trail and reports the last seal', async () => {
    const r = await call('POST', '/api/v1/audit/verify', auditor);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, problems: [] });
    expect(r.body.checked).toBeGreaterThanOrEqual(10);
    expect(r.body.head.hash).toMatch(/^[0-9a-f]{64}$/);
    // Sealing again finds nothing new: the check sealed everything.
    expect(await sealAudit(t.db, acme.id)).toBe(0);
  });

  it('names an entry changed in the database, and only that one', async () => {
    const [entry] = await t.db.tenant(acme.id, (sql) => sql.query<{ id: string }>(
      `SELECT a.id FROM audit_log a JOIN documents d ON d.tenant_id = a.tenant_id AND d.id::text = a.entity_id WHERE d.number = 'INV-2'`));
    // Someone makes INV-2 look as if it had been 5.00, not 50.00.
    await tamper(`UPDATE audit_log SET after = jsonb_set(after, '{document,amount}', '"5.00"') WHERE id = $1`, [entry!.id]);
    const result = await verifyAudit(t.db, acme.id);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ problem: 'changed', entryId: entry!.id })]);
    expect(result.problems[0]!.message).toContain('was changed');
    await tamper(`UPDATE audit_log SET after = jsonb_set(after, '{document,amount}', '"50.00"') WHERE id = $1`, [entry!.id]);
    expect((await verifyAudit(t.db, acme.id)).ok).toBe(true);
  });

  it('names an entry whose origin was changed in the database', async () => {
    const [entry] = await t.db.tenant(acme.id, (sql) => sql.query<{ id: string }>(`SELECT id FROM audit_log WHERE action = 'customer.create' AND entity_id = 'C1'`));
    await tamper(`UPDATE audit_log SET origin = 'cli someone@elsewhere' WHERE id = $1`, [entry!.id]);
    const result = await verifyAudit(t.db, acme.id);
    expect(result.problems).toEqual([expect.objectContaining({ problem: 'changed', entryId: entry!.id })]);
    await tamper(`UPDATE audit_log SET origin = 'api 127.0.0.1' WHERE id = $1`, [entry!.id]);
    expect((await verifyAudit(t.db, acme.id)).ok).toBe(true);
  });

  it('names an entry deleted from the database', async () => {
    const [entry] = await t.db.tenant(acme.id, (sql) => sql.query<{ id: string }>(`SELECT id FROM audit_log WHERE action = 'customer.create' AND entity_id = 'C2'`));
    await tamper(`DELETE FROM audit_log WHERE id = $1`, [entry!.id]);
    const result = await verifyAudit(t.db, acme.id);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ problem: 'deleted', entryId: entry!.id })]);
  });

  it('refuses changes to entries and seals through the application role', async () => {
    const attempt = t.db.tenant(acme.id, (sql) => sql.query(`UPDATE audit_seals SET hash = 'x' WHERE tenant_id = $1`, [acme.id]));
    await expect(attempt).rejects.toThrow();
  });
});
