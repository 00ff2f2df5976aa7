/**
 * Delivers the dunning outbox. Each message is first claimed in its own transaction (status `sending`, a claim token,
 * attempts + 1), then sent with its outbox id as the send's idempotency key (email Message-ID, SMS Idempotency-Key),
 * then recorded (`sent` with the ids, under the same claim token) with an audit entry. A failed send is recorded
 * `failed` with the reason and retried with backoff (5 min, 10, 20… at most 6 h) up to MAX_ATTEMPTS.
 *
 * A crash between the send and the record leaves the message `sending`: after CLAIM_TIMEOUT_MS it is claimed again
 * and re-sent with the same id, which the SMS provider drops as a repeat and a mail system sees as the same message
 * (same Message-ID). Nothing is lost, and nothing reaches the customer as a second, different message.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Database, Sql } from '../../db/database.ts';
import { LETTER_CHANNELS, type DunningChannel } from '../../domain/dunning.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import { mailSettings } from '../statements/mail.ts';
import { ownMailSettings } from '../mail/index.ts';
import { listTenants, type Tenant } from '../tenants/index.ts';
import { letterPdf, smsProviderFromEnv, smtpChannel, type EmailChannel, type LetterPrint, type SmsProvider } from './channels.ts';
import { getMessage } from './index.ts';

export const CLAIM_TIMEOUT_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 5 * 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

export const backoffMs = (attempts: number) => Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));

export interface Channels {
  email: EmailChannel | null;
  sms: SmsProvider | null;
}

/**
 * The channels of one company: its own mail server when it has one (src/modules/mail), else the installation's
 * channel given.
 */
export async function channelsFor(db: Database, tenant: Tenant, channels: Channels): Promise<Channels> {
  const own = await db.tenant(tenant.id, (sql) => ownMailSettings(sql, tenant.id));
  return own ? { ...channels, email: smtpChannel(own) } : channels;
}

export function channelsFromEnv(): Channels {
  const mail = mailSettings();
  return { email: mail ? smtpChannel(mail) : null, sms: smsProviderFromEnv() };
}

export interface SendOptions {
  limit?: number;
  /** Tests: called after a successful send and before it is recorded (a crash there is what the claim protects against). */
  afterSend?: (id: string) => void | Promise<void>;
}

export interface SendReport { claimed: number; sent: number; failed: number }

interface Claimed { id: string; channel: DunningChannel; recipient: string | null; subject: string; body: string; attempts: number }

const LETTER_TITLES: Record<string, { 'zh-CN': string; en: string }> = {
  letter: { 'zh-CN': '催款函', en: 'Payment reminder' },
  final_notice: { 'zh-CN': '最后催款通知', en: 'Final notice' },
  lawyer_letter: { 'zh-CN': '律师函', en: "Lawyer's letter" },
};

/** The letter (PDF) of an outbox message in the caller's scope. */
export async function letterOf(ctx: Context, sql: Sql, id: string): Promise<{ filename: string; content: Buffer }> {
  const m = await getMessage(ctx, sql, id);
  const [company] = await sql.query<{ name: string; address: string | null }>(`SELECT name, address FROM tenants WHERE id = $1`, [ctx.tenant.id]);
  const [customer] = await sql.query<{ address: string | null }>(`SELECT address FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, m.customer]);
  const language = m.language === 'en' ? 'en' : 'zh-CN';
  const reference = `DUN-${m.asOf.replaceAll('-', '')}-${m.customer}-${m.stepSeq}`;
  const print: LetterPrint = {
    language, company: company!, customer: { code: m.customer, name: m.customerName, address: customer?.address ?? null }, reference, asOf: m.asOf,
    title: (LETTER_TITLES[m.channel] ?? LETTER_TITLES.letter!)[language], body: m.body,
    items: m.items as LetterPrint['items'], totals: m.totals as LetterPrint['totals'],
  };
  return { filename: `${reference}.pdf`, content: await letterPdf(print) };
}

/** Claims, sends and records due messages of one tenant. */
export async function sendOutbox(db: Database, clock: Clock, tenant: Tenant, channels: Channels, options: SendOptions = {}): Promise<SendReport> {
  const ctx: Context = { db, tenant, clock, actor: 'job:dunning.send' };
  const now = clock.now();
  const token = uuidv7();
  const claimed = await db.tenant(tenant.id, (sql) => sql.query<Claimed>(
    `UPDATE dunning_outbox o SET status = 'sending', claim_token = $2, claimed_at = $3, attempts = o.attempts + 1
      WHERE o.tenant_id = $1 AND o.id IN (
        SELECT id FROM dunning_outbox
         WHERE tenant_id = $1 AND ((status IN ('queued', 'failed') AND attempts < $5 AND (next_attempt_at IS NULL OR next_attempt_at <= $3))
                                  OR (status = 'sending' AND claimed_at <= $4))
         ORDER BY created_at, id LIMIT $6 FOR UPDATE SKIP LOCKED)
      RETURNING o.id, o.channel, o.recipient, o.subject, o.body, o.attempts`,
    [tenant.id, token, now.toISOString(), new Date(now.getTime() - CLAIM_TIMEOUT_MS).toISOString(), MAX_ATTEMPTS, options.limit ?? 100]));
  const report: SendReport = { claimed: claimed.length, sent: 0, failed: 0 };
  for (const m of claimed) {
    let outcome: { messageId: string | null; providerId: string | null };
    try {
      outcome = await deliver(ctx, m, channels);
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      const retry = m.attempts < MAX_ATTEMPTS && !(error instanceof PermanentFailure);
      await db.tenant(tenant.id, async (sql) => {
        await sql.query(`UPDATE dunning_outbox SET status = 'failed', error = $4, next_attempt_at = $5, claim_token = NULL WHERE tenant_id = $1 AND id = $2 AND claim_token = $3`,
          [tenant.id, m.id, token, message, retry ? new Date(now.getTime() + backoffMs(m.attempts)).toISOString() : null]);
        await appendAudit(sql, tenant.id, { actor: ctx.actor, action: 'dunning.send.failed', entityType: 'dunning_message', entityId: m.id, after: { channel: m.channel, attempts: m.attempts, error: message, retry } });
      });
      report.failed += 1;
      continue;
    }
    await options.afterSend?.(m.id);
    await db.tenant(tenant.id, async (sql) => {
      await sql.query(
        `UPDATE dunning_outbox SET status = 'sent', message_id = $4, provider_id = $5, sent_at = $6, error = NULL, next_attempt_at = NULL, claim_token = NULL
          WHERE tenant_id = $1 AND id = $2 AND claim_token = $3`,
        [tenant.id, m.id, token, outcome.messageId, outcome.providerId, clock.now().toISOString()]);
      await appendAudit(sql, tenant.id, { actor: ctx.actor, action: 'dunning.sent', entityType: 'dunning_message', entityId: m.id, after: { channel: m.channel, recipient: m.recipient, messageId: outcome.messageId, providerId: outcome.providerId } });
    });
    report.sent += 1;
  }
  return report;
}

/** A failure that retrying cannot fix (no address to send to). */
class PermanentFailure extends Error {}

async function deliver(ctx: Context, m: Claimed, channels: Channels): Promise<{ messageId: string | null; providerId: string | null }> {
  if (m.channel === 'sms') {
    if (!m.recipient) throw new PermanentFailure('the customer has no contact with a phone number; add one and run dunning again');
    if (!channels.sms) throw new Error('SMS is not set up: set ARFLOW_SMS_URL (and ARFLOW_SMS_TOKEN) on the server');
    const { providerId } = await channels.sms.send({ id: m.id, to: m.recipient, text: m.body });
    return { messageId: null, providerId };
  }
  if (!m.recipient) {
    throw new PermanentFailure(LETTER_CHANNELS.includes(m.channel)
      ? 'the customer has no contact with an email address: download the letter (PDF) and post it'
      : 'the customer has no contact with an email address; add one and run dunning again');
  }
  if (!channels.email) throw new Error('email is not set up: set the company\'s mail server (Company settings → Email) or ARFLOW_SMTP_URL and ARFLOW_MAIL_FROM on the server');
  const attachment = LETTER_CHANNELS.includes(m.channel)
    ? await ctx.db.tenant(ctx.tenant.id, async (sql) => ({ ...(await letterOf(ctx, sql, m.id)), contentType: 'application/pdf' }))
    : undefined;
  const { messageId } = await channels.email.send({ id: m.id, to: m.recipient, subject: m.subject, text: m.body, ...(attachment ? { attachment } : {}) });
  return { messageId, providerId: null };
}

/** Every tenant's due messages (the `dunning.send` job, every few minutes). */
export async function sendAllOutboxes(db: Database, clock: Clock, channels: Channels, log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): Promise<void> {
  for (const tenant of await listTenants(db)) {
    try {
      const report = await sendOutbox(db, clock, tenant, await channelsFor(db, tenant, channels));
      if (report.claimed) log?.info({ tenant: tenant.code, ...report }, 'dunning messages sent');
    } catch (error) {
      log?.error({ tenant: tenant.code, err: error }, 'dunning send failed');
    }
  }
}
