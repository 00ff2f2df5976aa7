/**
 * Who is calling and may they: every /api route declares the permission it needs (`config.permission`), and one
 * hook authenticates the caller (a session cookie, or `Authorization: Bearer` with an API token), checks the CSRF
 * token of cookie-authenticated writes, and checks the permission against the caller's role. A route without a
 * declared permission does not start. Denials are audited.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Database } from '../db/database.ts';
import { PERMISSIONS, ROLE_PERMISSIONS, can, type Permission } from '../domain/access.ts';
import { AppError, notAllowed, unauthenticated } from '../domain/errors.ts';
import { resolveApiToken, resolveSession, SESSION_HOURS, type Principal } from '../modules/access/index.ts';
import { appendAudit } from '../modules/audit/index.ts';
import type { Clock, Context } from '../modules/context.ts';

/** What a route needs: a permission, any signed-in caller, or nothing (sign-in, health, the API's documentation). */
export type RouteAccess = Permission | 'signed-in' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const SESSION_COOKIE = 'arflow_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every route's access, as registered: the role-matrix test and docs/security.md read it. */
export const routeAccess = new Map<string, RouteAccess>();

export async function registerAuth(app: FastifyInstance, db: Database, clock: Clock): Promise<void> {
  await app.register(cookie);
  app.addHook('onRoute', (route) => {
    const url = route.url;
    if (!url.startsWith('/api/') || route.schema?.hide || url.startsWith('/api/docs')) return;
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!access) throw new Error(`assertion failed: route ${methods.join(',')} ${url} declares no access (config.access)`);
    if (access !== 'public' && access !== 'signed-in' && !(access in PERMISSIONS)) throw new Error(`assertion failed: route ${url} names unknown permission ${access}`);
    for (const method of methods) if (method !== 'HEAD') routeAccess.set(`${method} ${url}`, access);
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return;
    const principal = await authenticate(db, clock, request);
    request.principal = principal;
    if (principal.mustChangePassword && access !== 'signed-in') {
      throw notAllowed('PASSWORD_CHANGE_REQUIRED', 'choose your own password first (POST /api/v1/session/password); your one-time password allows nothing else');
    }
    if (access !== 'signed-in' && !can(principal.role, access)) await deny(db, principal, access, `${request.method} ${request.routeOptions.url}`, request.ip);
  });
}

async function authenticate(db: Database, clock: Clock, request: FastifyRequest): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = match ? await resolveApiToken(db, clock, match[1]!) : null;
    if (!principal) throw unauthenticated('INVALID_TOKEN', 'the API token is unknown, revoked or expired; send Authorization: Bearer arf_…');
    return principal;
  }
  const token = request.cookies[SESSION_COOKIE];
  const principal = token ? await resolveSession(db, clock, token) : null;
  if (!principal) {
    throw unauthenticated(token ? 'SESSION_EXPIRED' : 'UNAUTHENTICATED', token
      ? 'your session has ended; sign in again'
      : 'sign in first (POST /api/v1/session), or send an API token in Authorization: Bearer arf_…');
  }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, principal.csrfToken!)) {
      throw notAllowed('CSRF_FAILED', `a change made with the session cookie must send the header X-CSRF-Token with the csrfToken from GET /api/v1/session`);
    }
  }
  return principal;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https', maxAge: SESSION_HOURS * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https' });
}

/** The principal of an authenticated request (routes behind the hook always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthenticated', 'UNAUTHENTICATED', 'sign in first');
  return request.principal;
}

/**
 * A second permission that depends on the request's content (posting a write-off needs write_offs.post besides the
 * route's documents.post). Denials are audited like the route's.
 */
export async function demand(ctx: Context, permission: Permission, what: string): Promise<void> {
  const principal = ctx.principal;
  if (principal && !can(principal.role, permission)) await deny(ctx.db, principal, permission, what);
}

async function deny(db: Database, principal: Principal, permission: Permission, what: string, ip?: string): Promise<never> {
  await db.tenant(principal.tenantId, (sql) => appendAudit(sql, principal.tenantId, {
    actor: principal.actor, action: 'access.denied', entityType: 'route', entityId: what,
    after: { permission, role: principal.role, ip: ip ?? null },
  }), ip ? { origin: `${principal.via === 'token' ? 'api' : 'web'} ${ip}` } : {});
  throw notAllowed('FORBIDDEN', `your role (${principal.role}) may not do this: it needs the permission ${permission} (${PERMISSIONS[permission]}); ask an administrator`, [
    { field: 'permission', message: permission },
  ]);
}

/** What the session answer tells the web app: who, in which company, and what they may do. */
export function permissionsOf(principal: Principal): Permission[] {
  return [...ROLE_PERMISSIONS[principal.role]];
}
