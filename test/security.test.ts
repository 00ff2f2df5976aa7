/**
 * docs/security.md is the contract: its permission matrix and route table must equal the code's, and every route,
 * called as every role, must let through exactly the roles the tables allow. Then: no credentials get 401, and a
 * company's administrator reaching for another company's rows through every route finds nothing.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '../src/domain/access.ts';
import { routeAccess } from '../src/http/auth.ts';
import { CLI_PERMISSIONS } from '../src/cli/permissions.ts';
import { buildServer } from '../src/http/server.ts';
import { createTenant, type Tenant } from '../src/modules/tenants/index.ts';
import { createApiToken, createUser } from '../src/modules/access/index.ts';
import { adminToken, contextFor, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
const DOC = fs.readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');

/** The rows of the markdown table between <!-- security:NAME --> markers, as arrays of trimmed cells. */
function table(name: string): string[][] {
  const match = new RegExp(`<!-- security:${name} -->([\\s\\S]*?)<!-- /security:${name} -->`).exec(DOC);
  if (!match) throw new Error(`docs/security.md has no ${name} table`);
  const rows = match[1]!.trim().split('\n').map((line) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim().replace(/^`|`$/g, '')));
  return rows.slice(2);
}

const documented = (() => {
  const header = /\| permission \| what it allows \| (.*) \|/.exec(DOC)![1]!.split('|').map((c) => c.trim());
  const permissions = new Map<Role, Permission[]>(ROLES.map((r) => [r, []]));
  for (const row of table('permissions')) {
    header.forEach((role, i) => {
      if (row[2 + i] === '✓') permissions.get(role as Role)!.push(row[0] as Permission);
    });
  }
  const routes = new Map(table('routes').map(([method, path, needs]) => [`${method} ${path}`, needs!]));
  return { header, permissions, routes };
})();

let t: TestDatabase;
let app: FastifyInstance;
let acme: Tenant;
const tokens = new Map<Role, string>();
let betaAdmin: string;

async function call(method: string, url: string, token: string | null, body?: unknown) {
  const r = await app.inject({
    method: method as 'GET', url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(method === 'GET' || method === 'DELETE' ? {} : { payload: (body ?? {}) as object }),
  });
  let json: { code?: string } = {};
  try {
    json = r.json();
  } catch {
    // not JSON
  }
  return { status: r.statusCode, code: json.code, text: r.body };
}

beforeAll(async () => {
  t = await openTestDatabase();
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  acme = await createTenant(t.db, { code: 'ACME', name: 'Acme', currency: 'CNY' });
  const beta = await createTenant(t.db, { code: 'BETA', name: 'Beta', currency: 'CNY' });
  for (const role of ROLES) tokens.set(role, await adminToken(contextFor(t.db, acme, CLOCK), role));
  betaAdmin = await adminToken(contextFor(t.db, beta, CLOCK));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('docs/security.md', () => {
  it('lists the seven roles and, for each, exactly the permissions the code gives it', () => {
    expect(documented.header).toEqual([...ROLES]);
    for (const role of ROLES) expect([...documented.permissions.get(role)!].sort(), role).toEqual([...ROLE_PERMISSIONS[role]].sort());
  });

  it('lists every tenant command of the CLI with the permission it needs', () => {
    const commands = new Map(table('commands').map(([command, needs]) => [command!.replace(/^arflow /, ''), needs]));
    expect(commands).toEqual(new Map(Object.entries(CLI_PERMISSIONS)));
  });

  it('lists every API route with what it needs, and no route that does not exist', () => {
    expect(new Map([...routeAccess].sort())).toEqual(new Map([...documented.routes].sort()));
    expect(routeAccess.size).toBeGreaterThan(30);
  });
});

/** A concrete URL for a route pattern: parameters filled with values that exist nowhere. */
const concrete = (path: string) => path.replace(':code', 'NO-SUCH').replace(':ref', 'NO-SUCH').replace(':id', '00000000-0000-7000-8000-000000000000');

describe('every route, as every role', () => {
  it('lets exactly the roles with the route\'s permission past the check (403 FORBIDDEN for the others)', async () => {
    const mismatches: string[] = [];
    for (const [route, needs] of documented.routes) {
      const [method, path] = route.split(' ') as [string, string];
      for (const role of ROLES) {
        const r = await call(method, concrete(path), tokens.get(role)!);
        const denied = r.status === 403 && r.code === 'FORBIDDEN';
        const shouldDeny = needs !== 'public' && needs !== 'signed-in' && !documented.permissions.get(role)!.includes(needs as Permission);
        if (denied !== shouldDeny || r.status >= 500) mismatches.push(`${route} as ${role}: ${r.status} ${r.code ?? ''} (expected ${shouldDeny ? 'denied' : 'allowed'})`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers 401 to every route but the public ones without credentials', async () => {
    const wrong: string[] = [];
    for (const [route, needs] of documented.routes) {
      const [method, path] = route.split(' ') as [string, string];
      const r = await call(method, concrete(path), null);
      if ((needs === 'public') !== (r.status !== 401)) wrong.push(`${route}: ${r.status} ${r.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('records a denial in the audit trail with the permission it lacked', async () => {
    await call('POST', '/api/v1/documents', tokens.get('auditor')!, { kind: 'invoice', customer: 'X', documentDate: '2026-06-01', amount: '1.00' });
    const rows = await t.db.tenant(acme.id, (sql) => sql.query<{ actor: string; after: { permission: string; role: string } }>(
      `SELECT actor, after FROM audit_log WHERE tenant_id = $1 AND action = 'access.denied' AND entity_id = 'POST /api/v1/documents'`, [acme.id]));
    expect(rows.map((r) => r.after)).toContainEqual(expect.objectContaining({ permission: 'documents.post', role: 'auditor' }));
  });

  it('needs write_offs.post besides documents.post to post a write-off', async () => {
    // A credit manager may not post at all; a finance manager may post and write off; the check is by role here.
    expect(ROLE_PERMISSIONS.finance_manager).toContain('write_offs.post');
    const r = await call('POST', '/api/v1/documents', tokens.get('collector')!, { kind: 'write_off', customer: 'X', documentDate: '2026-06-01', amount: '1.00', appliesTo: [{ document: 'INV-1' }] });
    expect([r.status, r.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe("another company's rows, through every route", () => {
  it('are invisible and untouchable to the other company\'s administrator', async () => {
    const admin = tokens.get('admin')!;
    const made = async (method: string, url: string, body: unknown) => {
      const r = await app.inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${admin}` }, payload: body as object });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    await made('POST', '/api/v1/customers', { code: 'ACME-C1', name: 'Acme customer' });
    await made('POST', '/api/v1/terms', { code: 'ACME-T1', net: 30 });
    await made('POST', '/api/v1/documents', { kind: 'invoice', number: 'ACME-INV-1', customer: 'ACME-C1', documentDate: '2026-06-01', amount: '100.00' });
    const payment = await made('POST', '/api/v1/documents', { kind: 'payment', number: 'ACME-PAY-1', customer: 'ACME-C1', documentDate: '2026-06-02', amount: '40.00', appliesTo: [{ document: 'ACME-INV-1' }] });
    const user = await made('POST', '/api/v1/users', { email: 'acme.user@example.com', name: 'Acme user', role: 'viewer' });
    // Tokens are issued by signed-in users, not by other tokens: made directly, as the user would through the web app.
    const issuer = await createUser(contextFor(t.db, acme, CLOCK), { email: 'acme.issuer@example.com', name: 'Issuer', role: 'admin', password: 'issuer password 2026' });
    const token = await createApiToken(contextFor(t.db, acme, CLOCK), { tenantId: acme.id, userId: issuer.user.id, actor: issuer.user.email, name: 'Issuer', role: 'admin', handle: issuer.user.handle, via: 'session' }, { name: 'acme-feed', role: 'viewer' });
    // A provision run of ACME's (its report names the customer): another company's GETs of it must find nothing.
    const provisionRun = await made('POST', '/api/v1/provision/runs', { asOf: '2026-06-30' });
    const ids: Record<string, string> = {
      ':code': 'ACME-C1', ':ref': 'ACME-INV-1', ':id': payment.allocations[0].id,
    };
    const leaks: string[] = [];
    for (const [route, needs] of documented.routes) {
      if (needs === 'public' || needs === 'signed-in') continue;
      const [method, path] = route.split(' ') as [string, string];
      let url = path;
      for (const [param, value] of Object.entries(ids)) url = url.replace(param, value);
      if (path.startsWith('/api/v1/users/')) url = path.replace(':id', user.user.id);
      if (path.startsWith('/api/v1/tokens/')) url = path.replace(':id', token.apiToken.id);
      if (path === '/api/v1/terms/:code') url = '/api/v1/terms/ACME-T1';
      if (path.startsWith('/api/v1/provision/runs/')) url = path.replace(':id', provisionRun.id);
      const body = method === 'PATCH' ? { name: 'changed by another company', version: 1 } : { reason: 'another company tries' };
      const r = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${betaAdmin}` }, ...(method === 'GET' ? {} : { payload: body }) });
      // What only ACME's rows hold (the identifiers asked for may be echoed in a 404's message; nothing else may).
      if (['Acme customer', 'acme.user@', 'ACME-PAY-1', 'acme-feed', '100.00'].some((secret) => r.body.includes(secret))) leaks.push(`${route}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      // Checking its own ledger and audit trail and setting its own thresholds succeed: they touch only BETA.
      if (method !== 'GET' && r.statusCode < 300 && !['/api/v1/ledger/verify', '/api/v1/audit/verify', '/api/v1/company/approval-settings', '/api/v1/company/statement-settings', '/api/v1/company/mail-settings'].includes(path)) leaks.push(`${route}: changed something (${r.statusCode})`);
    }
    expect(leaks).toEqual([]);
    // And nothing of ACME's changed: the invoice is still 60.00 open, the customer keeps its name, the token works.
    const invoice = await made('GET', '/api/v1/documents/ACME-INV-1', undefined);
    expect(invoice.open).toBe('60.00');
    expect((await made('GET', '/api/v1/customers/ACME-C1', undefined)).name).toBe('Acme customer');
    const revoked = (await made('GET', '/api/v1/tokens', undefined)).items.find((x: { name: string }) => x.name === 'acme-feed');
    expect(revoked.revokedAt).toBeNull();
  });
});
