/**
 * A company's own mail server: settings through the API and the CLI, the password stored encrypted and never shown,
 * and statements, dunning and a test message going out through that server (a real SMTP server with a login on a
 * local port), not the installation's.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { channelsFor } from '../src/modules/dunning/sender.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { openSecret, sealSecret, secretKey } from '../src/modules/mail/secret.ts';
import { requestStatementSend } from '../src/modules/statements/sends.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
const KEY = 'test key for the mail settings, at least 32 characters';
const PASSWORD = 'S3cret-smtp-pässword';
let t: TestDatabase;
let ctx: Context;
let app: FastifyInstance;
let admin: string;
let finance: string;

interface Received { from: string; to: string[]; user: string | null; raw: string }
let smtp: SMTPServer;
const received: Received[] = [];
let port = 0;
const saved = { key: process.env.ARFLOW_SECRET_KEY, url: process.env.ARFLOW_SMTP_URL };

beforeAll(async () => {
  process.env.ARFLOW_SECRET_KEY = KEY;
  delete process.env.ARFLOW_SMTP_URL;
  t = await openTestDatabase();
  const acme = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, acme, CLOCK);
  await createCustomer(ctx, { code: 'C1', name: '上海一号', contacts: [{ name: '李会计', role: 'billing', email: 'billing@c1.example.cn', isPrimary: true }] });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-06-01', dueDate: '2026-06-15', amount: '1000.00' });
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  admin = await adminToken(ctx);
  finance = await adminToken(ctx, 'finance_manager');
  // A mail server that wants a login: user ar-bot with PASSWORD (no TLS on the loopback, so insecure auth is allowed).
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'ar-bot' && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('535 authentication failed'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: (session.user as string | undefined) ?? null, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
}, 180_000);
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await t?.drop();
  if (saved.key === undefined) delete process.env.ARFLOW_SECRET_KEY; else process.env.ARFLOW_SECRET_KEY = saved.key;
  if (saved.url !== undefined) process.env.ARFLOW_SMTP_URL = saved.url;
});

const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown, token = admin) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
const settings = () => ({ host: '127.0.0.1', port, security: 'none', username: 'ar-bot', password: PASSWORD, fromAddress: 'ar@acme.example', fromName: '应收账款部', replyTo: 'collections@acme.example' });

describe('secrets', () => {
  it('seals a password so that it reads back only with the same key', () => {
    const key = secretKey({ ARFLOW_SECRET_KEY: KEY });
    const sealed = sealSecret(PASSWORD, key);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(PASSWORD);
    expect(sealSecret(PASSWORD, key)).not.toBe(sealed); // a fresh IV each time
    expect(openSecret(sealed, key)).toBe(PASSWORD);
    expect(() => openSecret(sealed, secretKey({ ARFLOW_SECRET_KEY: `${KEY} but another` }))).toThrow(/enter the password again/);
    const [v, iv, tag, body] = sealed.split(':');
    const changed = [v, iv, tag, Buffer.from('x'.repeat(Buffer.from(body!, 'base64').length)).toString('base64')].join(':');
    expect(() => openSecret(changed, key)).toThrow(/cannot be decrypted/);
    expect(() => secretKey({ ARFLOW_SECRET_KEY: 'short' })).toThrow(/at least 32 characters/);
  });

  it('without ARFLOW_SECRET_KEY makes a key once in the data directory, readable by its owner only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arflow-key-'));
    try {
      const first = secretKey({ ARFLOW_DATA_DIR: dir });
      expect(first.length).toBe(32);
      expect(secretKey({ ARFLOW_DATA_DIR: dir }).equals(first)).toBe(true);
      expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the company\'s mail server', () => {
  it('without any server, sending says where to set one up', async () => {
    const r = await call('GET', '/api/v1/company/mail-settings');
    expect(r.json()).toMatchObject({ source: 'none', company: null, server: null });
    await expect(requestStatementSend(ctx, 'C1', { from: '2026-06-01', to: '2026-06-30' }, undefined))
      .rejects.toMatchObject({ code: 'SMTP_NOT_CONFIGURED', message: expect.stringContaining('Company settings → Email') });
  });

  it('refuses bad settings naming the field, and only administrators change them', async () => {
    const bad = async (patch: Record<string, unknown>) => {
      const r = await call('PUT', '/api/v1/company/mail-settings', { ...settings(), ...patch });
      expect(r.statusCode).toBe(400);
      return (r.json() as { details: { field?: string }[] }).details.map((d) => d.field?.replace(/^body\./, ''));
    };
    expect(await bad({ port: 70000 })).toContain('port');
    expect(await bad({ host: 'smtp://mail.example.com:587' })).toContain('host');
    expect(await bad({ security: 'ssl' })).toContain('security');
    expect(await bad({ fromAddress: 'accounts receivable' })).toContain('fromAddress');
    expect(await bad({ password: null })).toContain('password'); // a user name needs a password
    expect((await call('PUT', '/api/v1/company/mail-settings', settings(), finance)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/company/mail-settings', undefined, finance)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/company/mail-settings')).json()).toMatchObject({ source: 'none' });
  });

  it('stores the password encrypted, never shows it, and audits only that it changed', async () => {
    const r = await call('PUT', '/api/v1/company/mail-settings', settings());
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ source: 'company', company: { host: '127.0.0.1', port, security: 'none', username: 'ar-bot', passwordSet: true, fromName: '应收账款部' } });
    expect(r.body).not.toContain(PASSWORD);
    expect((await call('GET', '/api/v1/company/mail-settings')).body).not.toContain(PASSWORD);
    const [row] = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ sealed: string }>(`SELECT password_sealed AS sealed FROM company_mail_settings WHERE tenant_id = $1`, [ctx.tenant.id]));
    expect(row!.sealed).toMatch(/^v1:/);
    expect(row!.sealed).not.toContain(PASSWORD);
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ after: unknown }>(`SELECT after FROM audit_log WHERE tenant_id = $1 AND action = 'company.mail_settings'`, [ctx.tenant.id]));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ host: '127.0.0.1', username: 'ar-bot', passwordSet: true, passwordChanged: true });
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it('sends a test message through it, logged in, from the company\'s sender with its reply-to', async () => {
    const before = received.length;
    const r = await call('POST', '/api/v1/company/mail-settings/test', { to: 'me@acme.example' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ source: 'company', to: 'me@acme.example' });
    expect(received.length).toBe(before + 1);
    const m = received.at(-1)!;
    expect([m.user, m.from, m.to]).toEqual(['ar-bot', 'ar@acme.example', ['me@acme.example']]);
    expect(m.raw).toMatch(/^Reply-To: collections@acme\.example\r?$/m);
    expect(m.raw).toContain('ar@acme.example>'); // From: "=?UTF-8?…?=" <ar@acme.example> (the Chinese name encoded)
  });

  it('keeps the stored password when the settings are saved without one; a wrong one is the server\'s refusal, not a 500', async () => {
    const { password: _p, ...withoutPassword } = settings();
    expect((await call('PUT', '/api/v1/company/mail-settings', { ...withoutPassword, port })).json()).toMatchObject({ company: { passwordSet: true } });
    expect((await call('POST', '/api/v1/company/mail-settings/test', { to: 'me@acme.example' })).statusCode).toBe(200);
    await call('PUT', '/api/v1/company/mail-settings', { ...settings(), password: 'wrong' });
    const refused = await call('POST', '/api/v1/company/mail-settings/test', { to: 'me@acme.example' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'SMTP_FAILED', message: expect.stringContaining('authentication failed') });
    await call('PUT', '/api/v1/company/mail-settings', settings());
  });

  it('statements and dunning go out through the company\'s server with no ARFLOW_SMTP_URL', async () => {
    const before = received.length;
    const send = await requestStatementSend(ctx, 'C1', { from: '2026-06-01', to: '2026-06-30' }, 'mail-1');
    expect(send).toMatchObject({ status: 'sent', recipient: 'billing@c1.example.cn' });
    expect(received[before]).toMatchObject({ user: 'ar-bot', from: 'ar@acme.example', to: ['billing@c1.example.cn'] });
    // Dunning: the company's channel replaces the installation's (here none).
    const channels = await channelsFor(t.db, ctx.tenant, { email: null, sms: null });
    const { messageId } = await channels.email!.send({ id: '0190a000-0000-7000-8000-000000000001', to: 'billing@c1.example.cn', subject: '付款提醒', text: '您好' });
    expect(messageId).toBe('<dunning-0190a000-0000-7000-8000-000000000001@arflow>');
    expect(received.at(-1)).toMatchObject({ user: 'ar-bot', from: 'ar@acme.example' });
  });

  it('a changed server key is a clear error asking for the password again', async () => {
    process.env.ARFLOW_SECRET_KEY = `${KEY} rotated`;
    try {
      const r = await call('POST', '/api/v1/company/mail-settings/test', { to: 'me@acme.example' });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'SECRET_UNREADABLE' });
    } finally {
      process.env.ARFLOW_SECRET_KEY = KEY;
    }
  });

  it('the CLI shows, tests and clears the settings; cleared, the company uses the installation\'s server again', async () => {
    const cli = cliRunner(t.db, CLOCK, 'ACME', { ARFLOW_SECRET_KEY: KEY });
    expect((await cli(['mail', 'settings'])).out).toContain(`the company's own server: 127.0.0.1:${port} (none), user ar-bot, password set`);
    const file = path.join(os.tmpdir(), `mail-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...settings(), port: 0 }));
    const refused = await cli(['mail', 'settings', '--set', file]);
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining('port')]);
    fs.rmSync(file);
    const before = received.length;
    expect((await cli(['mail', 'test', '--to', 'cli@acme.example'])).out).toContain('sent through the company\'s server from "应收账款部" <ar@acme.example> to cli@acme.example');
    expect(received.length).toBe(before + 1);
    expect((await cli(['mail', 'clear'])).out).toContain('no mail server');
    const server = await cli(['mail', 'settings', '--format', 'json'], { ARFLOW_SMTP_URL: `smtp://127.0.0.1:${port}`, ARFLOW_MAIL_FROM: 'AR <ar@install.example>' });
    expect(JSON.parse(server.out)).toMatchObject({ source: 'server', company: null, server: { from: 'AR <ar@install.example>' } });
  });
});
