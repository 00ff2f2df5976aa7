/** Users, passwords, sessions and API tokens, against a real database (PGlite, or PostgreSQL with DATABASE_URL). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/modules/context.ts';
import {
  FAILURE_WINDOW_MINUTES, MAX_FAILURES_PER_EMAIL, SESSION_IDLE_MINUTES, changePassword, checkNewPassword, createApiToken,
  createUser, generatePassword, listApiTokens, listUsers, resetPassword, resolveApiToken, resolveSession, revokeApiToken, signIn,
  signOut, updateUser, type Principal,
} from '../src/modules/access/index.ts';
import { auditOf } from '../src/modules/audit/index.ts';
import { AppError } from '../src/domain/errors.ts';
import { appErrorOf as syncErrorOf } from '../src/domain/test-helpers.ts';
import type { Tenant } from '../src/modules/tenants/index.ts';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

/** The AppError that `fn` throws or rejects with. */
async function appErrorOf(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

/** A clock the test moves forward by hand. */
function movableClock(iso: string): Clock & { advanceMinutes(m: number): void } {
  let now = new Date(iso).getTime();
  return { now: () => new Date(now), advanceMinutes: (m: number) => { now += m * 60_000; } };
}

let t: TestDatabase;
let acme: Tenant;
let other: Tenant;
const clock = movableClock('2026-07-01T01:00:00Z');
const admin: Principal = { tenantId: '', userId: null, actor: 'cli:root', name: 'root', role: 'admin', handle: null, via: 'cli' };

beforeAll(async () => {
  t = await openTestDatabase();
  acme = await makeTenant(t.db, { code: 'ACME' });
  other = await makeTenant(t.db, { code: 'OTHER' });
});
afterAll(async () => t.drop());

const ctx = () => contextFor(t.db, acme, clock, 'cli:root');
const from = { ip: '10.0.0.7', userAgent: 'vitest' };

describe('passwords', () => {
  it('refuses short, repetitive and email-based passwords and accepts a passphrase', () => {
    const who = { email: 'zhang.wei@example.com' };
    expect(syncErrorOf(() => checkNewPassword('short1!', who)).code).toBe('WEAK_PASSWORD');
    expect(syncErrorOf(() => checkNewPassword('aaaaaaaaaaaaaaab', who)).message).toMatch(/three different/);
    expect(syncErrorOf(() => checkNewPassword('abcdabcdabcdabcd', who)).message).toMatch(/too easy/);
    expect(syncErrorOf(() => checkNewPassword('zhang.wei-2026-ledger', who)).message).toMatch(/email/);
    expect(() => checkNewPassword('correct horse battery staple', who)).not.toThrow();
  });

  it('generates one-time passwords of 4 groups of 4 without look-alike characters', () => {
    const passwords = Array.from({ length: 50 }, generatePassword);
    for (const p of passwords) expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){3}$/);
    expect(new Set(passwords).size).toBe(50);
  });
});

describe('users and signing in', () => {
  it('creates a user with a one-time password that works once and must be changed', async () => {
    const { user, oneTimePassword } = await createUser(ctx(), { email: 'Li.Na@Example.com', name: '李娜', role: 'finance_manager' });
    expect(user.email).toBe('li.na@example.com');
    expect(user.handle).toBe('li.na');
    expect(user.mustChangePassword).toBe(true);
    const signedIn = await signIn(t.db, clock, { email: 'LI.NA@example.com', password: oneTimePassword }, from);
    expect(signedIn.principal).toMatchObject({ tenantId: acme.id, role: 'finance_manager', actor: 'li.na@example.com', mustChangePassword: true });
    expect(signedIn.tenant.code).toBe('ACME');
    // The stored password is an argon2id hash, never the password.
    const [row] = await t.db.system((sql) => sql.query<{ hash: string }>(`SELECT password_hash AS hash FROM users WHERE id = $1`, [user.id]));
    expect(row!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await changePassword(contextFor(t.db, acme, clock, user.email), signedIn.principal, oneTimePassword!, 'a ledger that always balances');
    const again = await signIn(t.db, clock, { email: 'li.na@example.com', password: 'a ledger that always balances' }, from);
    expect(again.principal.mustChangePassword).toBe(false);
    // The users list says when each last signed in: the second sign-in, at the clock's time.
    const listed = (await listUsers(ctx())).find((u) => u.email === 'li.na@example.com');
    expect(new Date(listed!.lastSignInAt!).toISOString()).toBe(clock.now().toISOString());
  });

  it('answers a wrong email and a wrong password alike, and audits the failure in the user\'s company', async () => {
    await createUser(ctx(), { email: 'wang.fang@example.com', name: '王芳', role: 'collector', password: 'collect every invoice on time' });
    const wrongPassword = await appErrorOf(() => signIn(t.db, clock, { email: 'wang.fang@example.com', password: 'not the password at all' }, from));
    const wrongEmail = await appErrorOf(() => signIn(t.db, clock, { email: 'nobody@example.com', password: 'not the password at all' }, from));
    expect([wrongPassword.code, wrongEmail.code]).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
    expect(wrongPassword.message).toBe(wrongEmail.message);
    const [user] = await t.db.system((sql) => sql.query<{ id: string }>(`SELECT id FROM users WHERE email = 'wang.fang@example.com'`));
    const audit = await t.db.tenant(acme.id, (sql) => auditOf(sql, acme.id, 'user', user!.id));
    expect(audit.map((a) => a.action)).toEqual(['user.create', 'session.sign_in_failed']);
  });

  it(`refuses sign-in after ${MAX_FAILURES_PER_EMAIL} failures for an email, even with the right password, until the window passes`, async () => {
    await createUser(ctx(), { email: 'chen.jie@example.com', name: '陈杰', role: 'sales', password: 'sell on credit but wisely' });
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      expect((await appErrorOf(() => signIn(t.db, clock, { email: 'chen.jie@example.com', password: `guess number ${i}` }, { ip: `10.1.0.${i}` }))).code).toBe('INVALID_CREDENTIALS');
    }
    const refused = await appErrorOf(() => signIn(t.db, clock, { email: 'chen.jie@example.com', password: 'sell on credit but wisely' }, from));
    expect(refused.code).toBe('TOO_MANY_ATTEMPTS');
    expect(refused.kind).toBe('too_many');
    clock.advanceMinutes(FAILURE_WINDOW_MINUTES + 1);
    expect((await signIn(t.db, clock, { email: 'chen.jie@example.com', password: 'sell on credit but wisely' }, from)).principal.role).toBe('sales');
  });

  it('keeps emails unique across companies and handles unique within one', async () => {
    await createUser(ctx(), { email: 'shared@example.com', name: 'A', role: 'viewer', password: 'one account per person' });
    const otherCtx = contextFor(t.db, other, clock, 'cli:root');
    expect((await appErrorOf(() => createUser(otherCtx, { email: 'SHARED@example.com', name: 'B', role: 'viewer' }))).code).toBe('EMAIL_TAKEN');
    expect((await appErrorOf(() => createUser(ctx(), { email: 'shared2@example.com', handle: 'shared', name: 'C', role: 'viewer' }))).code).toBe('HANDLE_TAKEN');
    // The same email in the same company would also take the same default handle: the email is what is wrong.
    expect((await appErrorOf(() => createUser(ctx(), { email: 'shared@example.com', name: 'D', role: 'viewer' }))).code).toBe('EMAIL_TAKEN');
  });

  it('ends a session after its idle time, and on sign-out everywhere', async () => {
    await createUser(ctx(), { email: 'zhao.lei@example.com', name: '赵磊', role: 'auditor', password: 'trust but verify the ledger' });
    const first = await signIn(t.db, clock, { email: 'zhao.lei@example.com', password: 'trust but verify the ledger' }, from);
    const second = await signIn(t.db, clock, { email: 'zhao.lei@example.com', password: 'trust but verify the ledger' }, from);
    expect((await resolveSession(t.db, clock, first.token))?.actor).toBe('zhao.lei@example.com');
    clock.advanceMinutes(SESSION_IDLE_MINUTES - 1);
    expect(await resolveSession(t.db, clock, first.token)).not.toBeNull();
    // Used a minute ago: idle time starts again; the other session was not used and has now been idle too long.
    clock.advanceMinutes(2);
    expect(await resolveSession(t.db, clock, first.token)).not.toBeNull();
    expect(await resolveSession(t.db, clock, second.token)).toBeNull();
    const third = await signIn(t.db, clock, { email: 'zhao.lei@example.com', password: 'trust but verify the ledger' }, from);
    // All three end, the idle one included.
    expect(await signOut(contextFor(t.db, acme, clock, 'zhao.lei@example.com'), third.principal, true)).toBe(3);
    expect(await resolveSession(t.db, clock, first.token)).toBeNull();
    expect(await resolveSession(t.db, clock, third.token)).toBeNull();
    expect(await resolveSession(t.db, clock, 'not-a-real-token-but-long-enough')).toBeNull();
  });

  it('ends a user\'s sessions when an administrator disables them or resets their password', async () => {
    const { user } = await createUser(ctx(), { email: 'sun.li@example.com', name: '孙丽', role: 'credit_manager', password: 'limits keep risk in check' });
    const session = await signIn(t.db, clock, { email: 'sun.li@example.com', password: 'limits keep risk in check' }, from);
    const disabled = await updateUser(ctx(), { ...admin, tenantId: acme.id }, user.id, { status: 'disabled', version: 1 });
    expect(disabled).toMatchObject({ status: 'disabled', version: 2 });
    expect(await resolveSession(t.db, clock, session.token)).toBeNull();
    expect((await appErrorOf(() => signIn(t.db, clock, { email: 'sun.li@example.com', password: 'limits keep risk in check' }, from))).code).toBe('ACCOUNT_DISABLED');
    expect((await appErrorOf(() => updateUser(ctx(), { ...admin, tenantId: acme.id }, user.id, { status: 'active', version: 1 }))).code).toBe('STALE_VERSION');
    await updateUser(ctx(), { ...admin, tenantId: acme.id }, user.id, { status: 'active', version: 2 });
    const { oneTimePassword } = await resetPassword(ctx(), user.id);
    expect((await appErrorOf(() => signIn(t.db, clock, { email: 'sun.li@example.com', password: 'limits keep risk in check' }, from))).code).toBe('INVALID_CREDENTIALS');
    expect((await signIn(t.db, clock, { email: 'sun.li@example.com', password: oneTimePassword }, from)).principal.mustChangePassword).toBe(true);
  });

  it('keeps an active administrator and stops administrators demoting themselves', async () => {
    const { user: boss } = await createUser(contextFor(t.db, other, clock, 'cli:root'), { email: 'boss@other.example', name: 'Boss', role: 'admin', password: 'the only admin of other' });
    const bossPrincipal: Principal = { tenantId: other.id, userId: boss.id, actor: boss.email, name: boss.name, role: 'admin', handle: boss.handle, via: 'session' };
    const otherCtx = contextFor(t.db, other, clock, boss.email);
    expect((await appErrorOf(() => updateUser(otherCtx, bossPrincipal, boss.id, { role: 'viewer', version: 1 }))).code).toBe('SELF_CHANGE');
    expect((await appErrorOf(() => updateUser(otherCtx, { ...admin, tenantId: other.id }, boss.id, { status: 'disabled', version: 1 }))).code).toBe('LAST_ADMIN');
  });
});

describe('API tokens', () => {
  it('shows a token once, resolves it to its role, and stops it when revoked', async () => {
    const { user } = await createUser(ctx(), { email: 'it@example.com', name: 'IT', role: 'admin', password: 'integrations need tokens' });
    const by: Principal = { tenantId: acme.id, userId: user.id, actor: user.email, name: user.name, role: 'admin', handle: user.handle, via: 'session' };
    const { token, apiToken } = await createApiToken(ctx(), by, { name: 'bank-feed', role: 'finance_manager' });
    expect(token).toMatch(/^arf_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ name: 'bank-feed', role: 'finance_manager', prefix: token.slice(0, 8), createdBy: 'it@example.com', revokedAt: null });
    expect(JSON.stringify(await listApiTokens(ctx()))).not.toContain(token);
    expect(await resolveApiToken(t.db, clock, token)).toMatchObject({ tenantId: acme.id, role: 'finance_manager', actor: 'token:bank-feed', via: 'token' });
    expect((await revokeApiToken(ctx(), apiToken.id)).revokedAt).not.toBeNull();
    expect(await resolveApiToken(t.db, clock, token)).toBeNull();
  });

  it('stops an expiring token after its time', async () => {
    const [{ id }] = await t.db.system((sql) => sql.query<{ id: string }>(`SELECT id FROM users WHERE email = 'it@example.com'`)) as [{ id: string }];
    const by: Principal = { tenantId: acme.id, userId: id, actor: 'it@example.com', name: 'IT', role: 'admin', handle: 'it', via: 'session' };
    const expiresAt = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    const { token } = await createApiToken(ctx(), by, { name: 'one-hour', role: 'viewer', expiresAt });
    expect(await resolveApiToken(t.db, clock, token)).not.toBeNull();
    clock.advanceMinutes(61);
    expect(await resolveApiToken(t.db, clock, token)).toBeNull();
  });
});
