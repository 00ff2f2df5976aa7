/**
 * Users, sessions and API tokens. Signing in and resolving a cookie or token happen before any tenant is known, so
 * they run as the database owner and look rows up by email or by a secret's hash; everything else is tenant work
 * under row-level security. Every change, sign-in and failed sign-in is audited.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database, Sql } from '../../db/database.ts';
import { ROLES, type Role } from '../../domain/access.ts';
import { conflict, invalid, notFound, tooMany, unauthenticated } from '../../domain/errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import type { Tenant } from '../tenants/index.ts';
import { parseInput } from '../validate.ts';
import {
  checkNewPassword, decoyHash, generatePassword, generateSecret, hashPassword, MAX_PASSWORD_LENGTH, secretHash, verifyPassword,
} from './passwords.ts';

export * from './passwords.ts';

/** A session lasts at most this long, and ends sooner after this long without a request. */
export const SESSION_HOURS = 12;
export const SESSION_IDLE_MINUTES = 120;
/** Failed sign-ins allowed per email, and per address, in the window before sign-in is refused for a while. */
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 30;
export const FAILURE_WINDOW_MINUTES = 15;

export interface User {
  id: string;
  email: string;
  name: string;
  handle: string;
  role: Role;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  locale: 'zh-CN' | 'en' | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Who is acting: a signed-in user, a system with an API token, or the command line. */
export interface Principal {
  tenantId: string;
  userId: string | null;
  /** What the audit trail records: the user's email, `token:NAME` or `cli:LOGIN`. */
  actor: string;
  name: string;
  role: Role;
  /** The user's handle, which customers' collector and salesperson fields name. */
  handle: string | null;
  via: 'session' | 'token' | 'cli';
  sessionId?: string;
  csrfToken?: string;
  mustChangePassword?: boolean;
}

const USER_SELECT = `SELECT id, email, name, handle, role, status, must_change_password AS "mustChangePassword", locale, version,
  created_at AS "createdAt", updated_at AS "updatedAt" FROM users`;

const emailSchema = z.string().trim().toLowerCase().max(254).email('write an email address like name@example.com');
const localeSchema = z.enum(['zh-CN', 'en']);
/** A name as customers' collector and salesperson fields hold it: any text without spaces, ; or , (赵敏, zhao.min). */
const handleSchema = z.string().trim().min(1).max(64).regex(/^[^\s;,]+$/, 'write the handle without spaces, ";" or ","');

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  /** What customers' collector and salesperson fields name (e.g. 赵敏); default: the part of the email before the @. */
  handle: handleSchema.optional(),
  role: z.enum(ROLES),
  /** Omit to have a one-time password generated (the user chooses their own at first sign-in). */
  password: z.string().max(MAX_PASSWORD_LENGTH).optional(),
  locale: localeSchema.optional(),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  handle: handleSchema.optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  locale: localeSchema.nullable().optional(),
  /** The version read, to refuse a change made on stale data. */
  version: z.number().int().positive(),
});

const present = (u: User) => u;

function defaultHandle(email: string): string {
  const local = email.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '').replace(/^[._-]+/, '');
  return (local || 'user').slice(0, 64);
}

/** Creates a user in the context's tenant. Without a password, returns a generated one-time password to hand over. */
export async function createUser(ctx: Context, raw: CreateUserInput, sqlInTx?: Sql): Promise<{ user: User; oneTimePassword: string | null }> {
  const input = parseInput(createUserSchema, raw, 'user');
  if (input.password !== undefined) checkNewPassword(input.password, input);
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const handle = input.handle ?? defaultHandle(input.email);
  const write = async (sql: Sql) => {
    const id = uuidv7();
    const [row] = await sql.query<User>(
      `INSERT INTO users (tenant_id, id, email, name, handle, role, password_hash, must_change_password, locale, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING
       RETURNING id, email, name, handle, role, status, must_change_password AS "mustChangePassword", locale, version,
                 created_at AS "createdAt", updated_at AS "updatedAt"`,
      [ctx.tenant.id, id, input.email, input.name, handle, input.role, passwordHash, input.password === undefined, input.locale ?? null, ctx.actor],
    );
    if (!row) {
      // The email first: a taken email also takes the handle made from it, and the email is what to fix then.
      const [sameEmail] = await sql.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND lower(email) = $2`, [ctx.tenant.id, input.email]);
      if (sameEmail) throw conflict('EMAIL_TAKEN', `email: ${input.email} already has an account (emails are unique across companies)`, [{ field: 'email', message: 'taken' }]);
      const [sameHandle] = await sql.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND handle = $2`, [ctx.tenant.id, handle]);
      if (sameHandle) throw conflict('HANDLE_TAKEN', `handle: another user already has handle ${handle}; choose another`, [{ field: 'handle', message: 'taken' }]);
      throw conflict('EMAIL_TAKEN', `email: ${input.email} already has an account (emails are unique across companies)`, [{ field: 'email', message: 'taken' }]);
    }
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'user.create', entityType: 'user', entityId: row.id, after: present(row) });
    return row;
  };
  const user = sqlInTx ? await write(sqlInTx) : await ctx.db.tenant(ctx.tenant.id, write);
  return { user, oneTimePassword: input.password === undefined ? password : null };
}

/** Validates a new user's fields and that the email is free, without writing (for `arflow init`, before the company). */
export async function checkNewUser(db: Database, raw: CreateUserInput): Promise<void> {
  const input = parseInput(createUserSchema, raw, 'user');
  const [taken] = await db.system((sql) => sql.query(`SELECT 1 FROM users WHERE lower(email) = $1`, [input.email]));
  if (taken) throw conflict('EMAIL_TAKEN', `email: ${input.email} already has an account (emails are unique across companies)`, [{ field: 'email', message: 'taken' }]);
}

/** The company's users by email, each with when they last signed in (null: never). */
export async function listUsers(ctx: Context): Promise<(User & { lastSignInAt: string | null })[]> {
  return ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<User & { lastSignInAt: string | null }>(
    `SELECT u.*, (SELECT max(s.created_at) FROM sessions s WHERE s.tenant_id = $1 AND s.user_id = u.id) AS "lastSignInAt"
       FROM (${USER_SELECT} WHERE tenant_id = $1) u ORDER BY u.email`, [ctx.tenant.id]));
}

async function loadUser(sql: Sql, tenantId: string, id: string, lock = false): Promise<User> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound('USER_NOT_FOUND', `no user has id ${id}`);
  const [user] = await sql.query<User>(`${USER_SELECT} WHERE tenant_id = $1 AND id = $2 ${lock ? 'FOR UPDATE' : ''}`, [tenantId, id]);
  if (!user) throw notFound('USER_NOT_FOUND', `no user has id ${id}`);
  return user;
}

export async function getUser(ctx: Context, id: string): Promise<User> {
  return ctx.db.tenant(ctx.tenant.id, (sql) => loadUser(sql, ctx.tenant.id, id));
}

/**
 * Changes a user's name, handle, role, status or language. Nobody changes their own role or disables themselves,
 * and the company always keeps an active administrator. Disabling a user or changing their role ends their sessions.
 */
export async function updateUser(ctx: Context, by: Principal, id: string, raw: z.input<typeof updateUserSchema>): Promise<User> {
  const input = parseInput(updateUserSchema, raw, 'user');
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const before = await loadUser(sql, ctx.tenant.id, id, true);
    if (before.version !== input.version) {
      throw conflict('STALE_VERSION', `version: the user was changed since you read it (now version ${before.version}); reload and try again`, [{ field: 'version', message: 'stale' }]);
    }
    if (by.userId === id && ((input.role && input.role !== before.role) || input.status === 'disabled')) {
      throw invalid('SELF_CHANGE', 'you cannot change your own role or disable yourself; ask another administrator', [{ field: input.role ? 'role' : 'status', message: 'your own account' }]);
    }
    const losesAdmin = before.role === 'admin' && before.status === 'active' && ((input.role && input.role !== 'admin') || input.status === 'disabled');
    if (losesAdmin) {
      const [{ count }] = await sql.query<{ count: bigint }>(
        `SELECT count(*)::int8 AS count FROM users WHERE tenant_id = $1 AND role = 'admin' AND status = 'active' AND id <> $2`, [ctx.tenant.id, id]) as [{ count: bigint }];
      if (count === 0n) throw invalid('LAST_ADMIN', 'the company must keep an active administrator; make another user administrator first', [{ field: input.role ? 'role' : 'status', message: 'last administrator' }]);
    }
    const [after] = await sql.query<User>(
      `UPDATE users SET name = coalesce($3, name), handle = coalesce($4, handle), role = coalesce($5, role), status = coalesce($6, status),
              locale = CASE WHEN $7::boolean THEN $8 ELSE locale END, version = version + 1, updated_at = $9
        WHERE tenant_id = $1 AND id = $2
        RETURNING id, email, name, handle, role, status, must_change_password AS "mustChangePassword", locale, version,
                  created_at AS "createdAt", updated_at AS "updatedAt"`,
      [ctx.tenant.id, id, input.name ?? null, input.handle ?? null, input.role ?? null, input.status ?? null, input.locale !== undefined, input.locale ?? null, ctx.clock.now().toISOString()],
    ).catch((error: { code?: string; constraint?: string }) => {
      if (error.code === '23505' && error.constraint === 'users_handle') throw conflict('HANDLE_TAKEN', `handle: another user already has handle ${input.handle}`, [{ field: 'handle', message: 'taken' }]);
      throw error;
    });
    if (after!.role !== before.role || after!.status !== 'active') await revokeSessions(sql, ctx, id);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'user.update', entityType: 'user', entityId: id, before: present(before), after: present(after!) });
    return after!;
  });
}

/** A new one-time password for a user (who must choose their own at next sign-in); ends their sessions. */
export async function resetPassword(ctx: Context, id: string): Promise<{ user: User; oneTimePassword: string }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const user = await loadUser(sql, ctx.tenant.id, id, true);
    await sql.query(`UPDATE users SET password_hash = $3, must_change_password = true, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, id, passwordHash, ctx.clock.now().toISOString()]);
    await revokeSessions(sql, ctx, id);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'user.reset_password', entityType: 'user', entityId: id });
    return { user: { ...user, mustChangePassword: true, version: user.version + 1 }, oneTimePassword: password };
  });
}

/** The signed-in user changes their own password; their other sessions end. */
export async function changePassword(ctx: Context, by: Principal, current: string, next: string): Promise<void> {
  if (!by.userId) throw invalid('NOT_A_USER', 'only a signed-in user has a password to change');
  const [row] = await ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<{ hash: string; email: string; name: string }>(
    `SELECT password_hash AS hash, email, name FROM users WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, by.userId]));
  if (!row || !(await verifyPassword(row.hash, current))) {
    throw invalid('WRONG_PASSWORD', 'currentPassword: that is not your current password', [{ field: 'currentPassword', message: 'wrong password' }]);
  }
  checkNewPassword(next, row, 'newPassword');
  if (next === current) throw invalid('WEAK_PASSWORD', 'newPassword: choose a password different from the current one', [{ field: 'newPassword', message: 'same as current' }]);
  const passwordHash = await hashPassword(next);
  await ctx.db.tenant(ctx.tenant.id, async (sql) => {
    await sql.query(`UPDATE users SET password_hash = $3, must_change_password = false, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, by.userId, passwordHash, ctx.clock.now().toISOString()]);
    await sql.query(`UPDATE sessions SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL AND id IS DISTINCT FROM $4`,
      [ctx.tenant.id, by.userId, ctx.clock.now().toISOString(), by.sessionId ?? null]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'user.change_password', entityType: 'user', entityId: by.userId });
  });
}

async function revokeSessions(sql: Sql, ctx: Context, userId: string): Promise<void> {
  await sql.query(`UPDATE sessions SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [ctx.tenant.id, userId, ctx.clock.now().toISOString()]);
}

// ---------------------------------------------------------------------------------------------------------------
// Signing in

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export interface SignedIn {
  /** The cookie's value: shown once, stored only as its hash. */
  token: string;
  principal: Principal;
  user: User;
  tenant: Tenant;
  expiresAt: string;
}

interface UserForSignIn extends User {
  tenantId: string;
  passwordHash: string;
}

/**
 * Checks an email and password and opens a session. A wrong email and a wrong password get the same answer in the
 * same time. After MAX_FAILURES_PER_EMAIL failures for an email (or MAX_FAILURES_PER_IP from one address) within
 * FAILURE_WINDOW_MINUTES, sign-in is refused until the window has passed, even with the right password.
 */
export async function signIn(db: Database, clock: Clock, raw: unknown, from: { ip?: string | undefined; userAgent?: string | undefined }): Promise<SignedIn> {
  const input = parseInput(signInSchema, raw, 'sign-in');
  const now = clock.now();
  const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000).toISOString();
  const { failures, user } = await db.system(async (sql) => {
    const [counts] = await sql.query<{ byEmail: bigint; byIp: bigint }>(
      `SELECT count(*) FILTER (WHERE lower(email) = $1)::int8 AS "byEmail", count(*) FILTER (WHERE ip = $2)::int8 AS "byIp"
         FROM sign_in_failures WHERE at > $3 AND (lower(email) = $1 OR ip = $2)`, [input.email, from.ip ?? null, windowStart]);
    const [found] = await sql.query<UserForSignIn>(
      `SELECT tenant_id AS "tenantId", password_hash AS "passwordHash", id, email, name, handle, role, status,
              must_change_password AS "mustChangePassword", locale, version, created_at AS "createdAt", updated_at AS "updatedAt"
         FROM users WHERE lower(email) = $1`, [input.email]);
    return { failures: counts!, user: found ?? null };
  });
  if (failures.byEmail >= BigInt(MAX_FAILURES_PER_EMAIL) || failures.byIp >= BigInt(MAX_FAILURES_PER_IP)) {
    if (user) await db.tenant(user.tenantId, (sql) => appendAudit(sql, user.tenantId, { actor: user.email, action: 'session.sign_in_refused', entityType: 'user', entityId: user.id, after: { ip: from.ip ?? null, reason: 'too many failed attempts' } }));
    throw tooMany('TOO_MANY_ATTEMPTS', `too many failed sign-ins; wait ${FAILURE_WINDOW_MINUTES} minutes, or ask an administrator to reset your password`);
  }
  const ok = await verifyPassword(user?.passwordHash ?? await decoyHash(), input.password);
  if (!ok || !user || user.status !== 'active') {
    await db.system((sql) => sql.query(`INSERT INTO sign_in_failures (id, email, ip, at) VALUES ($1, $2, $3, $4)`, [uuidv7(), input.email, from.ip ?? null, now.toISOString()]));
    if (user) {
      await db.tenant(user.tenantId, (sql) => appendAudit(sql, user.tenantId, {
        actor: user.email, action: 'session.sign_in_failed', entityType: 'user', entityId: user.id,
        after: { ip: from.ip ?? null, reason: ok ? 'account disabled' : 'wrong password' },
      }));
    }
    if (ok && user?.status === 'disabled') throw unauthenticated('ACCOUNT_DISABLED', 'this account is disabled; ask an administrator');
    throw unauthenticated('INVALID_CREDENTIALS', 'the email or password is wrong');
  }
  const token = generateSecret();
  const sessionId = uuidv7();
  const csrfToken = generateSecret();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString();
  const tenant = await db.tenant(user.tenantId, async (sql) => {
    await sql.query(
      `INSERT INTO sessions (tenant_id, id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)`,
      [user.tenantId, sessionId, secretHash(token), user.id, csrfToken, now.toISOString(), expiresAt, from.ip ?? null, from.userAgent?.slice(0, 500) ?? null]);
    await appendAudit(sql, user.tenantId, { actor: user.email, action: 'session.sign_in', entityType: 'user', entityId: user.id, after: { ip: from.ip ?? null, sessionId } });
    const [t] = await sql.query<Tenant>(`SELECT id, code, name, currency, time_zone AS "timeZone", locale, default_terms_code AS "defaultTermsCode" FROM tenants WHERE id = $1`, [user.tenantId]);
    return t!;
  });
  const { passwordHash: _hash, tenantId: _tenant, ...plain } = user;
  return {
    token, user: plain, tenant, expiresAt,
    principal: {
      tenantId: user.tenantId, userId: user.id, actor: user.email, name: user.name, role: user.role, handle: user.handle,
      via: 'session', sessionId, csrfToken, mustChangePassword: user.mustChangePassword,
    },
  };
}

/** The principal of a session cookie, or null when it is unknown, revoked, expired, idle too long or its user disabled. */
export async function resolveSession(db: Database, clock: Clock, token: string): Promise<Principal | null> {
  if (token.length < 20 || token.length > 100) return null;
  const now = clock.now();
  const idleSince = new Date(now.getTime() - SESSION_IDLE_MINUTES * 60_000).toISOString();
  return db.system(async (sql) => {
    const [row] = await sql.query<{ tenantId: string; sessionId: string; csrfToken: string; lastSeenAt: string; userId: string; email: string; name: string; role: Role; handle: string; mustChangePassword: boolean }>(
      `SELECT s.tenant_id AS "tenantId", s.id AS "sessionId", s.csrf_token AS "csrfToken", s.last_seen_at AS "lastSeenAt",
              u.id AS "userId", u.email, u.name, u.role, u.handle, u.must_change_password AS "mustChangePassword"
         FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.status = 'active'`,
      [secretHash(token), now.toISOString(), idleSince]);
    if (!row) return null;
    // Keep the session alive, at most one write a minute per session.
    if (new Date(row.lastSeenAt).getTime() < now.getTime() - 60_000) {
      await sql.query(`UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2`, [row.tenantId, row.sessionId, now.toISOString()]);
    }
    return {
      tenantId: row.tenantId, userId: row.userId, actor: row.email, name: row.name, role: row.role, handle: row.handle,
      via: 'session', sessionId: row.sessionId, csrfToken: row.csrfToken, mustChangePassword: row.mustChangePassword,
    };
  });
}

/** Ends one session, or (everywhere) every session of the principal's user. */
export async function signOut(ctx: Context, by: Principal, everywhere = false): Promise<number> {
  if (by.via !== 'session' || !by.userId) throw invalid('NOT_A_SESSION', 'only a browser session signs out; revoke an API token instead');
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const ended = await sql.query(
      `UPDATE sessions SET revoked_at = $3 WHERE tenant_id = $1 AND revoked_at IS NULL AND ${everywhere ? 'user_id = $2' : 'id = $2'} RETURNING id`,
      [ctx.tenant.id, everywhere ? by.userId : by.sessionId, ctx.clock.now().toISOString()]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: everywhere ? 'session.sign_out_everywhere' : 'session.sign_out', entityType: 'user', entityId: by.userId, after: { sessions: ended.length } });
    return ended.length;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// API tokens

export const createTokenSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  /** Optional last day of validity (the token stops working at the end of it, in the company's time zone). */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_SELECT = `SELECT t.id, t.name, t.prefix, t.role, t.created_at AS "createdAt", u.email AS "createdBy", t.expires_at AS "expiresAt",
  t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt" FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.created_by`;

/** Issues an API token; the secret is in the answer only, never stored. */
export async function createApiToken(ctx: Context, by: Principal, raw: z.input<typeof createTokenSchema>): Promise<{ token: string; apiToken: ApiToken }> {
  const input = parseInput(createTokenSchema, raw, 'token');
  if (!by.userId) throw invalid('NOT_A_USER', 'API tokens are issued by a signed-in user');
  if (input.expiresAt && new Date(input.expiresAt) <= ctx.clock.now()) throw invalid('VALIDATION_FAILED', 'expiresAt: must be in the future', [{ field: 'expiresAt', message: 'in the past' }]);
  const token = generateSecret('arf_');
  const id = uuidv7();
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    await sql.query(`INSERT INTO api_tokens (tenant_id, id, name, token_hash, prefix, role, created_by, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ctx.tenant.id, id, input.name, secretHash(token), token.slice(0, 8), input.role, by.userId, input.expiresAt ?? null, ctx.clock.now().toISOString()]);
    const [apiToken] = await sql.query<ApiToken>(`${TOKEN_SELECT} WHERE t.tenant_id = $1 AND t.id = $2`, [ctx.tenant.id, id]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'token.create', entityType: 'api_token', entityId: id, after: apiToken });
    return { token, apiToken: apiToken! };
  });
}

export async function listApiTokens(ctx: Context): Promise<ApiToken[]> {
  return ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<ApiToken>(`${TOKEN_SELECT} WHERE t.tenant_id = $1 ORDER BY t.created_at DESC, t.id`, [ctx.tenant.id]));
}

export async function revokeApiToken(ctx: Context, id: string): Promise<ApiToken> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound('TOKEN_NOT_FOUND', `no API token has id ${id}`);
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const revoked = await sql.query(`UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`, [ctx.tenant.id, id, ctx.clock.now().toISOString()]);
    const [token] = await sql.query<ApiToken>(`${TOKEN_SELECT} WHERE t.tenant_id = $1 AND t.id = $2`, [ctx.tenant.id, id]);
    if (!token) throw notFound('TOKEN_NOT_FOUND', `no API token has id ${id}`);
    for (const [hash, entry] of tokenCache) if (entry.tokenId === id) tokenCache.delete(hash);
    if (revoked.length) await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'token.revoke', entityType: 'api_token', entityId: id, after: token });
    return token;
  });
}

/**
 * Tokens resolved in the last TOKEN_CACHE_MS, by hash: a system posting many requests costs one lookup per token
 * every few seconds, not one per request. A revocation takes effect at once in this process and within
 * TOKEN_CACHE_MS in others.
 */
export const TOKEN_CACHE_MS = 10_000;
const tokenCache = new Map<string, { principal: Principal; tokenId: string; until: number; expiresAt: number | null }>();

/** The principal of an API token (`Authorization: Bearer arf_…`), or null when unknown, revoked or expired. */
export async function resolveApiToken(db: Database, clock: Clock, token: string): Promise<Principal | null> {
  if (!token.startsWith('arf_') || token.length > 100) return null;
  const now = clock.now();
  const hash = secretHash(token);
  const cached = tokenCache.get(hash);
  if (cached && cached.until > now.getTime() && (cached.expiresAt === null || cached.expiresAt > now.getTime())) return cached.principal;
  tokenCache.delete(hash);
  const found = await db.system(async (sql) => {
    const [row] = await sql.query<{ tenantId: string; id: string; name: string; role: Role; lastUsedAt: string | null; expiresAt: string | null }>(
      `SELECT tenant_id AS "tenantId", id, name, role, last_used_at AS "lastUsedAt", expires_at AS "expiresAt" FROM api_tokens
        WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, [hash, now.toISOString()]);
    if (!row) return null;
    if (!row.lastUsedAt || new Date(row.lastUsedAt).getTime() < now.getTime() - 60_000) {
      await sql.query(`UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2`, [row.tenantId, row.id, now.toISOString()]);
    }
    const principal: Principal = { tenantId: row.tenantId, userId: null, actor: `token:${row.name}`, name: row.name, role: row.role, handle: null, via: 'token' };
    return { principal, tokenId: row.id, expiresAt: row.expiresAt ? new Date(row.expiresAt).getTime() : null };
  });
  if (!found) return null;
  if (tokenCache.size >= 1000) tokenCache.clear();
  tokenCache.set(hash, { ...found, until: now.getTime() + TOKEN_CACHE_MS });
  return found.principal;
}
