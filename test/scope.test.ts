/**
 * Collectors and sales people see their own customers only: a signed-in collector (through the session cookie, as
 * the web app does) lists, opens and pages through the customers whose collector they are, and nothing else.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/modules/access/index.ts';
import { createTenant, type Tenant } from '../src/modules/tenants/index.ts';
import { adminToken, contextFor, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let app: FastifyInstance;
let admin: string;
let acmeTenant: Tenant;

async function signIn(email: string, password: string): Promise<Record<string, string>> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
  expect(r.statusCode, r.body).toBe(201);
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return { cookie, 'x-csrf-token': r.json().csrfToken };
}

const get = async (url: string, headers: Record<string, string>) => {
  const r = await app.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.json() };
};

beforeAll(async () => {
  t = await openTestDatabase();
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  const acme = await createTenant(t.db, { code: 'ACME', name: 'Acme', currency: 'CNY' });
  acmeTenant = acme;
  const ctx = contextFor(t.db, acme, CLOCK);
  admin = await adminToken(ctx);
  const post = async (url: string, payload: object) => {
    const r = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${admin}` }, payload });
    expect(r.statusCode, r.body).toBe(201);
  };
  await post('/api/v1/customers', { code: 'MINE-1', name: '赵敏的客户一', collector: '赵敏', salesperson: '王磊' });
  await post('/api/v1/customers', { code: 'MINE-2', name: '赵敏的客户二', collector: '赵敏' });
  await post('/api/v1/customers', { code: 'THEIRS', name: '孙强的客户', collector: '孙强' });
  await post('/api/v1/documents', { kind: 'invoice', number: 'INV-MINE', customer: 'MINE-1', documentDate: '2026-06-01', amount: '80.00' });
  await post('/api/v1/documents', { kind: 'invoice', number: 'INV-THEIRS', customer: 'THEIRS', documentDate: '2026-06-01', amount: '90.00' });
  await createUser(ctx, { email: 'zhao.min@acme.example', name: '赵敏', handle: '赵敏', role: 'collector', password: 'collections every morning' });
  await createUser(ctx, { email: 'wang.lei@acme.example', name: '王磊', handle: '王磊', role: 'sales', password: 'sales every afternoon' });
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('row scope', () => {
  it("gives a collector their own customers and those customers' documents, and nothing of anyone else's", async () => {
    const zhao = await signIn('zhao.min@acme.example', 'collections every morning');
    expect((await get('/api/v1/customers', zhao)).body.items.map((c: { code: string }) => c.code)).toEqual(['MINE-1', 'MINE-2']);
    // Asking for someone else's collector in the filter changes nothing: the scope wins.
    expect((await get(`/api/v1/customers?collector=${encodeURIComponent('孙强')}`, zhao)).body.items.map((c: { code: string }) => c.code)).toEqual(['MINE-1', 'MINE-2']);
    expect((await get('/api/v1/customers/MINE-1', zhao)).status).toBe(200);
    expect((await get('/api/v1/customers/THEIRS', zhao)).status).toBe(404);
    expect((await get('/api/v1/customers/THEIRS/balance', zhao)).status).toBe(404);
    expect((await get('/api/v1/customers/THEIRS/open-items', zhao)).status).toBe(404);
    expect((await get('/api/v1/documents', zhao)).body.items.map((d: { number: string }) => d.number)).toEqual(['INV-MINE']);
    expect((await get('/api/v1/documents/INV-THEIRS', zhao)).status).toBe(404);
    expect((await get('/api/v1/documents/INV-THEIRS/history', zhao)).status).toBe(404);
    expect((await get('/api/v1/documents/INV-MINE', zhao)).body.open).toBe('80.00');
    // The filters offer only what the collector's own customers hold.
    expect((await get('/api/v1/customer-filters', zhao)).body.collectors).toEqual(['赵敏']);
  });

  it('gives a sales person the customers whose salesperson they are', async () => {
    const wang = await signIn('wang.lei@acme.example', 'sales every afternoon');
    expect((await get('/api/v1/customers', wang)).body.items.map((c: { code: string }) => c.code)).toEqual(['MINE-1']);
  });

  it('gives an API token with a collector role (which has no handle) no customer, and no error', async () => {
    const token = await adminToken(contextFor(t.db, acmeTenant, CLOCK), 'collector');
    const r = await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().items).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/documents', headers: { authorization: `Bearer ${token}` } })).json().items).toEqual([]);
  });

  it('leaves the other roles unscoped', async () => {
    const all = await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${admin}` } });
    expect(all.json().items).toHaveLength(3);
  });
});
