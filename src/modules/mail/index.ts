/**
 * A company's email (邮件发送设置): its own SMTP server, sender and reply address, used for everything the company
 * sends (statements, balance confirmations, dunning, alert digests) instead of the installation's ARFLOW_SMTP_URL.
 * A company without its own settings sends through the installation's server, if one is set; with neither, asking
 * to send says how to set one up.
 *
 * The password is write-only: stored encrypted (./secret.ts), never returned, never in the audit trail (which records
 * that it changed). Changing the settings needs company.manage and is audited with before and after.
 */
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { z } from 'zod';
import { AppError, invalid } from '../../domain/errors.ts';
import type { Sql } from '../../db/database.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { createTransport, mailSettings, type MailSettings } from '../statements/mail.ts';
import { parseInput } from '../validate.ts';
import { openSecret, sealSecret, secretKey } from './secret.ts';

export const MAIL_SECURITY = ['tls', 'starttls', 'none'] as const;
export type MailSecurity = (typeof MAIL_SECURITY)[number];

/** Time limits of a company's server: a wrong host fails in seconds, not nodemailer's default two minutes. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as const;

const address = z.string().trim().max(254).email('write an email address like ar@example.com');
const hostname = z.string().trim().min(1, 'required').max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$/, 'write the server\'s host name, like smtp.example.com, without smtp:// or a port');

export const mailSettingsSchema = z.object({
  host: hostname,
  port: z.number({ error: 'write the port as a number, like 465 or 587' }).int().min(1, 'a port is 1 to 65535').max(65535, 'a port is 1 to 65535'),
  security: z.enum(MAIL_SECURITY, { error: 'tls (TLS from the start, usually port 465), starttls (usually 587) or none (a trusted relay only)' }),
  username: z.string().trim().max(254).nullable().optional(),
  /** Omitted: keep the stored password; null or "": none; text: the new password. */
  password: z.string().max(1000).nullable().optional(),
  fromAddress: address,
  fromName: z.string().trim().max(200).nullable().optional(),
  replyTo: address.nullable().optional().or(z.literal('').transform(() => null)),
}).strict();
export type MailSettingsInput = z.input<typeof mailSettingsSchema>;

export const mailTestSchema = z.object({ to: address }).strict();

/** What the company's email settings look like from outside (never the password). */
export interface PresentedMailSettings {
  /** Which server the company's mail goes through now: its own, the installation's, or none (nothing can be sent). */
  source: 'company' | 'server' | 'none';
  company: {
    host: string; port: number; security: MailSecurity; username: string | null; passwordSet: boolean;
    fromAddress: string; fromName: string | null; replyTo: string | null; updatedAt: string; updatedBy: string;
  } | null;
  /** The installation's sender when it has a server (ARFLOW_SMTP_URL), else null. */
  server: { from: string } | null;
}

interface Row {
  host: string; port: number; security: MailSecurity; username: string | null; passwordSealed: string | null;
  fromAddress: string; fromName: string | null; replyTo: string | null; updatedAt: string | Date; updatedBy: string;
}

async function loadRow(sql: Sql, tenantId: string): Promise<Row | null> {
  const [row] = await sql.query<Row>(
    `SELECT host, port, security, username, password_sealed AS "passwordSealed", from_address AS "fromAddress", from_name AS "fromName",
            reply_to AS "replyTo", updated_at AS "updatedAt", updated_by AS "updatedBy"
       FROM company_mail_settings WHERE tenant_id = $1`, [tenantId]);
  return row ?? null;
}

function present(row: Row | null, env: NodeJS.ProcessEnv): PresentedMailSettings {
  const server = mailSettings(env);
  return {
    source: row ? 'company' : server ? 'server' : 'none',
    company: row && {
      host: row.host, port: row.port, security: row.security, username: row.username, passwordSet: row.passwordSealed !== null,
      fromAddress: row.fromAddress, fromName: row.fromName, replyTo: row.replyTo,
      updatedAt: new Date(row.updatedAt).toISOString(), updatedBy: row.updatedBy,
    },
    server: server && { from: server.from },
  };
}

/** The sender as a header value: `"Name" <address>`, or the address alone. */
function sender(row: Row): string {
  return row.fromName ? `"${row.fromName.replaceAll('"', '\'')}" <${row.fromAddress}>` : row.fromAddress;
}

function transportOf(row: Row, env: NodeJS.ProcessEnv): SMTPTransport.Options {
  const pass = row.passwordSealed === null ? null : openSecret(row.passwordSealed, secretKey(env));
  return {
    host: row.host, port: row.port, secure: row.security === 'tls', requireTLS: row.security === 'starttls', ignoreTLS: row.security === 'none',
    ...(row.username ? { auth: { user: row.username, pass: pass ?? '' } } : {}),
    ...TIMEOUTS,
  };
}

export async function getMailSettings(ctx: Context, sql: Sql, env: NodeJS.ProcessEnv = process.env): Promise<PresentedMailSettings> {
  return present(await loadRow(sql, ctx.tenant.id), env);
}

/** The company's own mail server, or null when it has none. */
export async function ownMailSettings(sql: Sql, tenantId: string, env: NodeJS.ProcessEnv = process.env): Promise<MailSettings | null> {
  const row = await loadRow(sql, tenantId);
  return row && { transport: transportOf(row, env), from: sender(row), replyTo: row.replyTo, source: 'company' };
}

/** The settings the company's mail goes out with: its own, else the installation's, else null. */
export async function mailSettingsFor(sql: Sql, tenantId: string, env: NodeJS.ProcessEnv = process.env): Promise<MailSettings | null> {
  return (await ownMailSettings(sql, tenantId, env)) ?? mailSettings(env);
}

/** As mailSettingsFor, or the error that says how to set email up. */
export async function requireMailSettingsFor(sql: Sql, tenantId: string, env: NodeJS.ProcessEnv = process.env): Promise<MailSettings> {
  const settings = await mailSettingsFor(sql, tenantId, env);
  if (!settings) {
    throw invalid('SMTP_NOT_CONFIGURED', 'email is not set up: an administrator sets the company\'s mail server under Company settings → Email (or `arflow mail set`), or the server\'s ARFLOW_SMTP_URL and ARFLOW_MAIL_FROM; or download the PDF and send it yourself');
  }
  return settings;
}

/** Where a use case gets the mail settings when it sends: the company's by default; tests and the CLI pass their own. */
export type MailSource = () => MailSettings | Promise<MailSettings>;

/** The company's mail settings in a context (its own transaction). */
export function companyMail(ctx: Context, env: NodeJS.ProcessEnv = process.env): Promise<MailSettings> {
  return ctx.db.tenant(ctx.tenant.id, (sql) => requireMailSettingsFor(sql, ctx.tenant.id, env));
}

/** Saves the company's own mail server (company.manage); audited, the password only as "changed". */
export async function setMailSettings(ctx: Context, raw: MailSettingsInput, env: NodeJS.ProcessEnv = process.env): Promise<PresentedMailSettings> {
  const input = parseInput(mailSettingsSchema, raw, 'mail settings');
  const username = input.username?.trim() || null;
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const before = await loadRow(sql, ctx.tenant.id);
    let sealed: string | null;
    if (input.password === undefined) sealed = before?.passwordSealed ?? null;
    else sealed = input.password === null || input.password === '' ? null : sealSecret(input.password, secretKey(env));
    if (username && sealed === null) {
      throw invalid('VALIDATION_FAILED', 'mail settings: password: required with a user name (the server asks for both)', [{ field: 'password', message: 'required with a user name' }]);
    }
    await sql.query(
      `INSERT INTO company_mail_settings (tenant_id, host, port, security, username, password_sealed, from_address, from_name, reply_to, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id) DO UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security, username = excluded.username,
         password_sealed = excluded.password_sealed, from_address = excluded.from_address, from_name = excluded.from_name, reply_to = excluded.reply_to,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [ctx.tenant.id, input.host, input.port, input.security, username, sealed, input.fromAddress, input.fromName?.trim() || null, input.replyTo ?? null, ctx.clock.now().toISOString(), ctx.actor]);
    const after = await loadRow(sql, ctx.tenant.id);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'company.mail_settings', entityType: 'company', entityId: ctx.tenant.code,
      before: before && auditView(before), after: { ...auditView(after!), passwordChanged: sealed !== (before?.passwordSealed ?? null) },
    });
    return present(after, env);
  });
}

/** Removes the company's own server: its mail goes through the installation's again. Audited. */
export async function clearMailSettings(ctx: Context, env: NodeJS.ProcessEnv = process.env): Promise<PresentedMailSettings> {
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const before = await loadRow(sql, ctx.tenant.id);
    if (before) {
      await sql.query(`DELETE FROM company_mail_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
      await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'company.mail_settings', entityType: 'company', entityId: ctx.tenant.code, before: auditView(before), after: null });
    }
    return present(null, env);
  });
}

function auditView(row: Row) {
  return { host: row.host, port: row.port, security: row.security, username: row.username, passwordSet: row.passwordSealed !== null, fromAddress: row.fromAddress, fromName: row.fromName, replyTo: row.replyTo };
}

/**
 * Sends a short test message through the company's mail settings now (not queued), so an administrator sees at once
 * whether the server, the login and the sender work. The server's refusal comes back as the error's message.
 */
export async function sendTestMail(ctx: Context, raw: z.input<typeof mailTestSchema>, env: NodeJS.ProcessEnv = process.env): Promise<{ messageId: string; source: 'company' | 'server'; from: string; to: string }> {
  const { to } = parseInput(mailTestSchema, raw, 'test mail');
  const settings = await companyMail(ctx, env);
  const transport = createTransport(settings);
  try {
    const info = await transport.sendMail({
      from: settings.from, to, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      subject: `arflow: test message from ${ctx.tenant.name}`,
      text: `This message was sent by arflow to check ${ctx.tenant.name}'s email settings. It needs no answer.\n\n这是 arflow 发送的测试邮件，用于检查 ${ctx.tenant.name} 的邮件设置，无需回复。`,
    });
    await ctx.db.tenant(ctx.tenant.id, (sql) => appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'company.mail_test', entityType: 'company', entityId: ctx.tenant.code, after: { to, messageId: info.messageId, source: settings.source ?? 'server' },
    }));
    return { messageId: info.messageId, source: settings.source ?? 'server', from: settings.from, to };
  } catch (error) {
    if (error instanceof Error && !(error instanceof AppError)) {
      throw invalid('SMTP_FAILED', `the mail server did not take the test message: ${error.message.slice(0, 300)}`, [{ field: 'host', message: error.message.slice(0, 300) }]);
    }
    throw error;
  } finally {
    transport.close();
  }
}
