/**
 * Sending statements and confirmations by email. A request records the send (who asked, when, to whom) and
 * enqueues the `statements.send` job in the same transaction; the job draws the document up, mails it and records
 * the SMTP message id (or the failure). Where no queue runs (the CLI, tests) the send is delivered right after the
 * request commits. The monthly schedule (tenant setting statement_day) requests last month's statement for every
 * customer with a balance and a statement contact.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database, Sql } from '../../db/database.ts';
import type { LocalDate } from '../../domain/dates.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import { listContacts, type Customer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { listTenants, tenantToday, type Tenant } from '../tenants/index.ts';
import { parseInput } from '../validate.ts';
import { companyDetails, customerInScope, LANGUAGES, loadStatement, previousMonth, statementContact, statementPeriod, type Language } from './index.ts';
import { labelsFor } from './labels.ts';
import { companyMail, mailSettingsFor, requireMailSettingsFor, type MailSource } from '../mail/index.ts';
import { sendMail, type MailSettings, type OutgoingMail } from './mail.ts';
import { confirmationPdf, statementPdf, statementXlsx } from './render.ts';

export const SEND_QUEUE = 'statements.send' as const;

export const recipientSchema = z.string().trim().max(254).email('write an email address like name@example.com');

export const statementSendSchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  lang: z.enum(LANGUAGES).optional(),
  format: z.enum(['pdf', 'xlsx']).default('pdf'),
  /** Default: the customer's contact for statements (role billing/statements/finance, else the primary contact). */
  recipient: recipientSchema.optional(),
});
export type StatementSendInput = z.input<typeof statementSendSchema>;

export interface SendRecord {
  id: string;
  kind: 'statement' | 'confirmation';
  customer: string;
  confirmation: string | null;
  from: LocalDate | null;
  to: LocalDate;
  language: Language;
  format: 'pdf' | 'xlsx';
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  messageId: string | null;
  error: string | null;
  requestedAt: string;
  requestedBy: string;
  sentAt: string | null;
}

const SEND_SELECT = `
  SELECT s.id, s.kind, c.code AS customer, bc.number AS confirmation, s.period_from AS "from", s.period_to AS "to", s.language,
         s.format, s.recipient, s.status, s.message_id AS "messageId", s.error, s.requested_at AS "requestedAt",
         s.requested_by AS "requestedBy", s.sent_at AS "sentAt"
    FROM statement_sends s
    JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id
    LEFT JOIN balance_confirmations bc ON bc.tenant_id = s.tenant_id AND bc.id = s.confirmation_id`;

const presentSend = (s: SendRecord): SendRecord => ({
  ...s, requestedAt: new Date(s.requestedAt).toISOString(), sentAt: s.sentAt ? new Date(s.sentAt).toISOString() : null,
});

export async function getSend(sql: Sql, tenantId: string, id: string): Promise<SendRecord> {
  const [row] = await sql.query<SendRecord>(`${SEND_SELECT} WHERE s.tenant_id = $1 AND s.id = $2`, [tenantId, id]);
  if (!row) throw notFound('SEND_NOT_FOUND', `no statement send has id ${id}`);
  return presentSend(row);
}

export async function listSends(sql: Sql, tenantId: string, filter: { customerId?: string; confirmationId?: string }, limit = 50): Promise<SendRecord[]> {
  const rows = await sql.query<SendRecord>(
    `${SEND_SELECT} WHERE s.tenant_id = $1 AND ($2::uuid IS NULL OR s.customer_id = $2) AND ($3::uuid IS NULL OR s.confirmation_id = $3)
      ORDER BY s.requested_at DESC, s.id DESC LIMIT $4`,
    [tenantId, filter.customerId ?? null, filter.confirmationId ?? null, limit]);
  return rows.map(presentSend);
}

/** Where a customer's statements go: the address given, else its statement contact's, else an error saying so. */
export async function recipientFor(ctx: Context, sql: Sql, customer: Customer, explicit: string | undefined): Promise<{ email: string; language: Language | null }> {
  if (explicit) return { email: parseInput(recipientSchema, explicit, 'recipient'), language: null };
  const contact = statementContact(await listContacts(sql, ctx.tenant.id, customer.id));
  if (!contact?.email) {
    throw invalid('NO_RECIPIENT', `customer ${customer.code} has no contact with an email address; add one (role "billing" receives statements) or give recipient`, [{ field: 'recipient', message: 'required: the customer has no email contact' }]);
  }
  return { email: contact.email, language: contact.language };
}

/** Records a send and enqueues its delivery, in `sql`'s transaction. */
export async function recordSend(ctx: Context, sql: Sql, send: {
  kind: 'statement' | 'confirmation'; customer: Customer; confirmationId?: string | null; from: LocalDate | null; to: LocalDate;
  language: Language; format: 'pdf' | 'xlsx'; recipient: string;
}): Promise<string> {
  const id = uuidv7();
  await sql.query(
    `INSERT INTO statement_sends (tenant_id, id, kind, customer_id, confirmation_id, period_from, period_to, language, format, recipient, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [ctx.tenant.id, id, send.kind, send.customer.id, send.confirmationId ?? null, send.from, send.to, send.language, send.format, send.recipient, ctx.actor]);
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: `${send.kind}.send`, entityType: 'statement_send', entityId: id,
    after: { kind: send.kind, customer: send.customer.code, confirmationId: send.confirmationId ?? null, from: send.from, to: send.to, language: send.language, format: send.format, recipient: send.recipient },
  });
  await ctx.jobs?.enqueue(sql, SEND_QUEUE, { tenantId: ctx.tenant.id, sendId: id });
  return id;
}

/** Sends a customer's statement by email: recorded and queued now, delivered by the job. Idempotent by key. */
export async function requestStatementSend(ctx: Context, code: string, raw: StatementSendInput, key: string | undefined, mail: MailSource = () => companyMail(ctx)): Promise<SendRecord> {
  const input = parseInput(statementSendSchema, raw, 'statement send');
  const { from, to } = statementPeriod(ctx, input);
  await mail();
  const record = await withIdempotency(ctx, key, 'statement.send', { code, ...input, from, to }, async (sql) => {
    const customer = await customerInScope(ctx, sql, code);
    const recipient = await recipientFor(ctx, sql, customer, input.recipient);
    const language = input.lang ?? recipient.language ?? ctx.tenant.locale;
    const id = await recordSend(ctx, sql, { kind: 'statement', customer, from, to, language, format: input.format, recipient: recipient.email });
    return getSend(sql, ctx.tenant.id, id);
  });
  return ctx.jobs ? record : deliverSend(ctx.db, ctx.clock, ctx.tenant, record.id, await mail());
}

/**
 * Draws up and mails a recorded send, then records the outcome (sent with its message id, or failed with the
 * reason) with an audit entry. A send already sent is not sent again (a retried job).
 */
export async function deliverSend(db: Database, clock: Clock, tenant: Tenant, sendId: string, given?: MailSettings): Promise<SendRecord> {
  const ctx: Context = { db, tenant, clock, actor: `job:${SEND_QUEUE}` };
  const send = await db.tenant(tenant.id, (sql) => getSend(sql, tenant.id, sendId));
  if (send.status === 'sent') return send;
  let mail: OutgoingMail | undefined;
  try {
    mail = await db.tenant(tenant.id, async (sql): Promise<OutgoingMail> => {
      const company = await companyDetails(ctx, sql);
      const l = labelsFor(send.language);
      if (send.kind === 'confirmation') {
        const { confirmationPrintOf } = await import('../confirmations/index.ts');
        const print = await confirmationPrintOf(ctx, sql, send.confirmation!);
        return {
          to: send.recipient, subject: l.emailConfirmationSubject(company.name, print.number), text: l.emailConfirmationBody(print.customer.name, company.name, print.asOf),
          attachment: { filename: `${print.number}.pdf`, content: await confirmationPdf({ ...print, language: send.language }), contentType: 'application/pdf' },
        };
      }
      const statement = await loadStatement(ctx, sql, send.customer, { from: send.from!, to: send.to, lang: send.language });
      const pdf = send.format === 'pdf';
      return {
        to: send.recipient, subject: l.emailStatementSubject(company.name, statement.from, statement.to),
        text: l.emailStatementBody(statement.customer.name, company.name, statement.from, statement.to),
        attachment: {
          filename: `statement-${statement.customer.code}-${statement.from}-${statement.to}.${send.format}`,
          content: pdf ? await statementPdf(statement) : await statementXlsx(statement),
          contentType: pdf ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      };
    });
    const settings = given ?? await db.tenant(tenant.id, (sql) => requireMailSettingsFor(sql, tenant.id));
    const messageId = await sendMail(settings, mail);
    return await db.tenant(tenant.id, async (sql) => {
      await sql.query(`UPDATE statement_sends SET status = 'sent', message_id = $3, error = NULL, sent_at = $4 WHERE tenant_id = $1 AND id = $2`, [tenant.id, sendId, messageId, clock.now().toISOString()]);
      await appendAudit(sql, tenant.id, { actor: ctx.actor, action: `${send.kind}.sent`, entityType: 'statement_send', entityId: sendId, after: { recipient: send.recipient, messageId, attachment: mail!.attachment.filename } });
      return getSend(sql, tenant.id, sendId);
    });
  } catch (error) {
    const message = (error as Error).message.slice(0, 500);
    await db.tenant(tenant.id, async (sql) => {
      await sql.query(`UPDATE statement_sends SET status = 'failed', error = $3 WHERE tenant_id = $1 AND id = $2`, [tenant.id, sendId, message]);
      await appendAudit(sql, tenant.id, { actor: ctx.actor, action: `${send.kind}.send.failed`, entityType: 'statement_send', entityId: sendId, after: { recipient: send.recipient, error: message } });
    });
    throw error;
  }
}

/**
 * The monthly run for one tenant on `today`: on the tenant's statement day, last month's statement to every customer
 * with a balance at the month's end and an email contact, once (a second run the same month finds them sent).
 * Returns how many were requested.
 */
export async function requestMonthlyStatements(ctx: Context, sql: Sql): Promise<number> {
  const company = await companyDetails(ctx, sql);
  const today = tenantToday(ctx.tenant, ctx.clock);
  if (company.statementDay === null || Number(today.slice(8, 10)) !== company.statementDay) return 0;
  const { from, to } = previousMonth(today);
  const due = await sql.query<{ id: string; code: string }>(
    `SELECT c.id, c.code FROM customers c
      WHERE c.tenant_id = $1 AND c.status <> 'inactive'
        AND EXISTS (SELECT 1 FROM item_balances b WHERE b.tenant_id = $1 AND b.customer_id = c.id AND b.open_minor > 0)
        AND EXISTS (SELECT 1 FROM customer_contacts x WHERE x.tenant_id = $1 AND x.customer_id = c.id AND x.email IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM statement_sends s WHERE s.tenant_id = $1 AND s.customer_id = c.id AND s.kind = 'statement'
                         AND s.period_from = $2 AND s.period_to = $3 AND s.requested_by = $4)
      ORDER BY c.code`,
    [ctx.tenant.id, from, to, ctx.actor]);
  for (const c of due) {
    const customer = await customerInScope(ctx, sql, c.code);
    const recipient = await recipientFor(ctx, sql, customer, undefined);
    await recordSend(ctx, sql, { kind: 'statement', customer, from, to, language: recipient.language ?? ctx.tenant.locale, format: 'pdf', recipient: recipient.email });
  }
  return due.length;
}

/** The monthly run for every tenant (the daily `statements.monthly` job). */
export async function runMonthlyStatements(db: Database, clock: Clock, jobs: Context['jobs']): Promise<number> {
  let total = 0;
  for (const tenant of await listTenants(db)) {
    // Without email set up nothing could go out: queue nothing rather than sends that can only fail.
    if (!await db.tenant(tenant.id, (sql) => mailSettingsFor(sql, tenant.id))) continue;
    const ctx: Context = { db, tenant, clock, actor: 'job:statements.monthly', ...(jobs ? { jobs } : {}) };
    total += await db.tenant(tenant.id, (sql) => requestMonthlyStatements(ctx, sql));
  }
  return total;
}

/** Sets the company's statement settings: its printed address and the monthly statement day (null: none). */
export const statementSettingsSchema = z.object({
  address: z.string().trim().max(500).nullable().optional(),
  statementDay: z.number().int().min(1).max(28).nullable().optional(),
});

/** The company's letterhead address and the day of the month statements go out (null: no monthly run). */
export async function statementSettings(ctx: Context): Promise<{ address: string | null; statementDay: number | null }> {
  return ctx.db.system(async (sql) => {
    const [row] = await sql.query<{ address: string | null; statementDay: number | null }>(`SELECT address, statement_day AS "statementDay" FROM tenants WHERE id = $1`, [ctx.tenant.id]);
    return { address: row!.address, statementDay: row!.statementDay === null ? null : Number(row!.statementDay) };
  });
}

export async function setStatementSettings(ctx: Context, raw: z.input<typeof statementSettingsSchema>) {
  const input = parseInput(statementSettingsSchema, raw, 'statement settings');
  return ctx.db.system(async (sql) => {
    const [before] = await sql.query<{ address: string | null; statementDay: number | null }>(`SELECT address, statement_day AS "statementDay" FROM tenants WHERE id = $1`, [ctx.tenant.id]);
    const after = { address: input.address === undefined ? before!.address : input.address, statementDay: input.statementDay === undefined ? before!.statementDay : input.statementDay };
    await sql.query(`UPDATE tenants SET address = $2, statement_day = $3 WHERE id = $1`, [ctx.tenant.id, after.address, after.statementDay]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'tenant.statement_settings', entityType: 'tenant', entityId: ctx.tenant.code, before, after });
    return after;
  });
}
