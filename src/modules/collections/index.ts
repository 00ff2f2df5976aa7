/**
 * Collections work on a customer (issue 6, first part): promises to pay, decided kept / partly kept / broken by
 * src/domain/promises.ts from the payments applied to the customer's items (or the items the promise names); the
 * collector's activities (calls, emails, visits… with their outcome and follow-up); and the customer's collections
 * timeline, which merges activities, promises and disputes newest first.
 *
 * Scope: collectors and sales people see and record only for their own customers (src/modules/access/scope.ts).
 * Promise evaluation sees every promise, whoever asks (like the alert evaluation): it decides from the ledger, so
 * who runs it does not change the answer.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database, Sql } from '../../db/database.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { AppError, invalid, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import { DEFAULT_GRACE_DAYS, deadlineOf, evaluatePromise, MAX_GRACE_DAYS, PROMISE_STATUSES, type PromiseStatus } from '../../domain/promises.ts';
import { assertInScope, customerScope, listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import { getCustomer, type Customer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { resolveDocument } from '../ledger/index.ts';
import { listTenants, tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { PROMISE_STATUSES, type PromiseStatus };

export const ACTIVITY_CHANNELS = ['phone', 'email', 'sms', 'visit', 'letter'] as const;
export const ACTIVITY_OUTCOMES = ['reached', 'no_answer', 'promised', 'refused', 'wrong_contact', 'left_message'] as const;
export type ActivityChannel = (typeof ACTIVITY_CHANNELS)[number];
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

export const MAX_PAGE = 200;
const code = z.string().trim().min(1).max(100);
const noteText = z.string().trim().max(1000);
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const customerNotFound = (customer: string) => () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${customer}; create it first or check the code`, [{ field: 'customer', message: 'unknown customer code' }]);

async function customerInScope(ctx: Context, sql: Sql, customerCode: string): Promise<Customer> {
  const customer = await getCustomer(sql, ctx.tenant.id, customerCode).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'not_found') throw customerNotFound(customerCode)();
    throw error;
  });
  await assertInScope(ctx, sql, customer.id, customerNotFound(customerCode));
  return customer;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings: the promises' default grace days.

export const settingsSchema = z.object({ promiseGraceDays: z.number().int().min(0).max(MAX_GRACE_DAYS) }).strict();
export type CollectionSettings = z.output<typeof settingsSchema>;

export async function collectionSettings(sql: Sql, ctx: Context): Promise<CollectionSettings> {
  const [row] = await sql.query<{ promiseGraceDays: number }>(`SELECT promise_grace_days AS "promiseGraceDays" FROM collection_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  return { promiseGraceDays: row ? Number(row.promiseGraceDays) : DEFAULT_GRACE_DAYS };
}

/** Replaces the collection settings; audited with before and after. */
export async function setCollectionSettings(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<CollectionSettings> {
  const settings = parseInput(settingsSchema, raw, 'collection settings');
  return withIdempotency(ctx, idempotencyKey, 'collections.settings', settings, async (sql) => {
    const before = await collectionSettings(sql, ctx);
    await sql.query(
      `INSERT INTO collection_settings (tenant_id, promise_grace_days, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET promise_grace_days = excluded.promise_grace_days, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, settings.promiseGraceDays, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'collections.settings', entityType: 'collection_settings', entityId: ctx.tenant.code, before, after: settings });
    return settings;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Promises to pay.

export const MAX_PROMISE_ITEMS = 50;

export const promiseSchema = z.object({
  customer: code,
  /** Major units as text ("3000.00"). */
  amount: amountText,
  /** Default the customer's currency. */
  currency: z.string().trim().length(3).optional(),
  promisedDate: localDateText,
  /** Days after the promised date a payment still keeps it; default the company's setting (3). */
  graceDays: z.number().int().min(0).max(MAX_GRACE_DAYS).optional(),
  /** The items it is about (optional): then only payments applied to them count. */
  items: z.array(z.object({ document: z.string().trim().min(1).max(200), installment: z.coerce.number().int().min(1).max(999).default(1) }).strict()).max(MAX_PROMISE_ITEMS).optional(),
  note: noteText.optional(),
}).strict();
export type PromiseInput = z.input<typeof promiseSchema>;

export const promiseListSchema = z.object({
  status: z.enum(['all', ...PROMISE_STATUSES]).default('all'),
  customer: code.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type PromiseListQuery = z.input<typeof promiseListSchema>;

export const evaluateSchema = z.object({ asOf: localDateText.optional() }).strict();

export interface PresentedPromise {
  id: string;
  customer: string;
  customerName: string;
  currency: string;
  amount: string;
  promisedDate: LocalDate;
  graceDays: number;
  /** The last day a payment counts: promised date + grace. */
  deadline: LocalDate;
  createdOn: LocalDate;
  status: PromiseStatus;
  /** Paid in the window: as decided (kept, partly kept, broken), or so far today while open. */
  paid: string;
  decidedOn: LocalDate | null;
  documents: string[];
  note: string | null;
  recordedBy: string;
}

interface PromiseRow {
  id: string; customerId: string; code: string; name: string; currency: string; amountMinor: unknown; promisedDate: LocalDate; graceDays: number;
  createdOn: LocalDate; status: PromiseStatus; keptMinor: unknown; decidedOn: LocalDate | null; note: string | null; createdBy: string;
  documents: string[] | null; total?: unknown;
}

const PROMISE_SELECT = `
  SELECT p.id, p.customer_id AS "customerId", c.code, c.name, p.currency, p.amount_minor AS "amountMinor", p.promised_date::text AS "promisedDate",
         p.grace_days AS "graceDays", p.created_on::text AS "createdOn", p.status, p.kept_minor AS "keptMinor", p.decided_on::text AS "decidedOn",
         p.note, p.created_by AS "createdBy",
         (SELECT array_agg(d.number || CASE WHEN i.seq > 1 THEN ' #' || i.seq ELSE '' END ORDER BY d.number, i.seq)
            FROM promise_items pi JOIN items i ON i.tenant_id = pi.tenant_id AND i.id = pi.item_id
            JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
           WHERE pi.tenant_id = p.tenant_id AND pi.promise_id = p.id) AS documents
    FROM promises p JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id`;

/**
 * The payments applied in a promise's window, per promise id: allocations from a payment or advance receipt to the
 * customer's receivables in the promise's currency (or only the items it names), dated from the day it was made to
 * its deadline. Reversals of such allocations come with their negative amounts.
 */
async function paymentsOf(sql: Sql, tenantId: string, promiseIds: readonly string[]): Promise<Map<string, { date: LocalDate; amountMinor: bigint }[]>> {
  const out = new Map<string, { date: LocalDate; amountMinor: bigint }[]>();
  if (promiseIds.length === 0) return out;
  const rows = await sql.query<{ promiseId: string; date: LocalDate; amount: unknown }>(
    `SELECT p.id AS "promiseId", a.allocation_date::text AS date, sum(a.amount_minor) AS amount
       FROM promises p
       JOIN allocations a ON a.tenant_id = p.tenant_id AND a.customer_id = p.customer_id
                         AND a.allocation_date >= p.created_on AND a.allocation_date <= p.promised_date + p.grace_days
       JOIN item_balances dr ON dr.tenant_id = a.tenant_id AND dr.item_id = a.debit_item_id AND dr.currency = p.currency
       JOIN item_balances cr ON cr.tenant_id = a.tenant_id AND cr.item_id = a.credit_item_id AND cr.kind IN ('payment', 'advance')
      WHERE p.tenant_id = $1 AND p.id = ANY($2::uuid[])
        AND (NOT EXISTS (SELECT 1 FROM promise_items pi WHERE pi.tenant_id = p.tenant_id AND pi.promise_id = p.id)
             OR EXISTS (SELECT 1 FROM promise_items pi WHERE pi.tenant_id = p.tenant_id AND pi.promise_id = p.id AND pi.item_id = a.debit_item_id))
      GROUP BY p.id, a.allocation_date`, [tenantId, promiseIds]);
  for (const r of rows) {
    const list = out.get(r.promiseId) ?? [];
    list.push({ date: r.date, amountMinor: big(r.amount) });
    out.set(r.promiseId, list);
  }
  return out;
}

const termsOf = (r: PromiseRow) => ({ amountMinor: big(r.amountMinor), createdOn: r.createdOn, promisedDate: r.promisedDate, graceDays: Number(r.graceDays) });

function presentPromise(r: PromiseRow, paidNowMinor: bigint): PresentedPromise {
  return {
    id: r.id, customer: r.code, customerName: r.name, currency: r.currency, amount: formatAmount(big(r.amountMinor), r.currency),
    promisedDate: r.promisedDate, graceDays: Number(r.graceDays), deadline: deadlineOf(termsOf(r)), createdOn: r.createdOn, status: r.status,
    paid: formatAmount(r.status === 'open' ? paidNowMinor : big(r.keptMinor), r.currency), decidedOn: r.decidedOn,
    documents: r.documents ?? [], note: r.note, recordedBy: r.createdBy,
  };
}

/** Presents promise rows with what has been paid so far (today) for the open ones. */
async function presentPromises(ctx: Context, sql: Sql, rows: PromiseRow[]): Promise<PresentedPromise[]> {
  const today = tenantToday(ctx.tenant, ctx.clock);
  const open = rows.filter((r) => r.status === 'open');
  const payments = await paymentsOf(sql, ctx.tenant.id, open.map((r) => r.id));
  return rows.map((r) => presentPromise(r, r.status === 'open' ? evaluatePromise(termsOf(r), payments.get(r.id) ?? [], today).paidMinor : 0n));
}

/** Records a promise to pay by a customer in the caller's scope; audited, idempotent. */
export async function recordPromise(ctx: Context, raw: PromiseInput, idempotencyKey?: string): Promise<PresentedPromise> {
  const input = parseInput(promiseSchema, raw, 'promise');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const promisedDate = parseDate(input.promisedDate, 'promisedDate');
  if (promisedDate < today) throw invalid('PROMISE_DATE_PAST', `promisedDate: ${promisedDate} is before today (${today}); a promise is about a day to come`, [{ field: 'promisedDate', message: 'in the past' }]);
  return withIdempotency(ctx, idempotencyKey, 'promises.record', input, async (sql) => {
    const customer = await customerInScope(ctx, sql, input.customer);
    const currency = (input.currency ?? customer.currency).toUpperCase();
    const amountMinor = parseAmount(input.amount, currency, 'amount');
    if (amountMinor <= 0n) throw invalid('PROMISE_AMOUNT_NOT_POSITIVE', 'amount: a promise is of an amount above zero', [{ field: 'amount', message: 'not above zero' }]);
    const graceDays = input.graceDays ?? (await collectionSettings(sql, ctx)).promiseGraceDays;
    const itemIds: string[] = [];
    for (const [n, line] of (input.items ?? []).entries()) {
      const field = `items.${n}.document`;
      const doc = await resolveDocument(sql, ctx.tenant.id, line.document).catch((error: unknown) => {
        if (error instanceof AppError && error.kind === 'not_found') throw notFound(error.code, `${field}: ${error.message}`, [{ field, message: 'not found' }]);
        throw error;
      });
      if (doc.customerId !== customer.id) throw invalid('PROMISE_ITEM_OTHER_CUSTOMER', `${field}: ${doc.number} is customer ${doc.customerCode}'s, not ${customer.code}'s`, [{ field, message: 'other customer' }]);
      const [item] = await sql.query<{ id: string; side: string; currency: string }>(`SELECT id, side, currency FROM items WHERE tenant_id = $1 AND document_id = $2 AND seq = $3`, [ctx.tenant.id, doc.id, line.installment]);
      if (!item) throw notFound('PROMISE_ITEM_NOT_FOUND', `items.${n}.installment: ${doc.number} has no installment ${line.installment}`, [{ field: `items.${n}.installment`, message: 'no such installment' }]);
      if (item.side !== 'debit' || item.currency !== currency) throw invalid('PROMISE_ITEM_NOT_RECEIVABLE', `${field}: ${doc.number} is not a ${currency} receivable; name the invoices the customer promised to pay`, [{ field, message: 'not a receivable in the currency' }]);
      if (itemIds.includes(item.id)) throw invalid('PROMISE_ITEM_TWICE', `${field}: ${doc.number} is named twice`, [{ field, message: 'named twice' }]);
      itemIds.push(item.id);
    }
    const id = uuidv7();
    await sql.query(
      `INSERT INTO promises (tenant_id, id, customer_id, currency, amount_minor, promised_date, grace_days, created_on, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [ctx.tenant.id, id, customer.id, currency, amountMinor, promisedDate, graceDays, today, input.note ?? null, ctx.actor]);
    for (const itemId of itemIds) await sql.query(`INSERT INTO promise_items (tenant_id, promise_id, item_id) VALUES ($1, $2, $3)`, [ctx.tenant.id, id, itemId]);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'promises.record', entityType: 'promise', entityId: id, reason: input.note ?? null,
      after: { customer: customer.code, amount: formatAmount(amountMinor, currency), currency, promisedDate, graceDays, items: itemIds.length },
    });
    return getPromise(ctx, sql, id);
  });
}

/** One promise (in scope), with what has been paid so far while open. */
export async function getPromise(ctx: Context, sql: Sql, id: string): Promise<PresentedPromise> {
  if (!uuidPattern.test(id)) throw notFound('PROMISE_NOT_FOUND', `no promise has id ${id}`);
  const scope = customerScope(ctx);
  const rows = await sql.query<PromiseRow>(`${PROMISE_SELECT} WHERE p.tenant_id = $1 AND p.id = $2 ${scope ? `AND c.${scope.field} = $3` : ''}`,
    scope ? [ctx.tenant.id, id, scope.handle] : [ctx.tenant.id, id]);
  if (!rows[0]) throw notFound('PROMISE_NOT_FOUND', `no promise has id ${id}`);
  return (await presentPromises(ctx, sql, rows))[0]!;
}

/** Promises in the caller's scope, newest promised date first; filtered, paged. */
export async function listPromises(ctx: Context, sql: Sql, raw: PromiseListQuery = {}): Promise<{ total: number; rows: PresentedPromise[]; nextCursor: string | null }> {
  const q = parseInput(promiseListSchema, raw, 'promises');
  const { where, params, add, inScope } = listFilter('p', ctx.tenant.id);
  if (q.status !== 'all') add((n) => `p.status = $${n}`, q.status);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<PromiseRow>(
    `${PROMISE_SELECT.replace('p.created_by AS "createdBy",', 'p.created_by AS "createdBy", count(*) OVER () AS total,')}
      WHERE ${where.join(' AND ')}
      ORDER BY p.promised_date DESC, p.created_at DESC, p.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: await presentPromises(ctx, sql, rows), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

export interface PromiseEvaluation {
  asOf: LocalDate;
  /** Open promises looked at (made on or before asOf). */
  evaluated: number;
  kept: number;
  partlyKept: number;
  broken: number;
  /** Still open. */
  open: number;
}

/**
 * Decides every open promise made on or before `asOf` (default today): those kept, partly kept or broken by then are
 * recorded with what was paid and the date decided; the rest stay open. A decided promise is not looked at again.
 */
export async function evaluatePromises(ctx: Context, raw: z.input<typeof evaluateSchema> = {}, idempotencyKey?: string): Promise<PromiseEvaluation> {
  const input = parseInput(evaluateSchema, raw, 'evaluate');
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  return withIdempotency(ctx, idempotencyKey, 'promises.evaluate', { asOf }, async (sql) => {
    // One evaluation at a time per company: two at once would decide the same promise twice.
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`promises:${ctx.tenant.id}`]);
    const rows = await sql.query<PromiseRow>(`${PROMISE_SELECT} WHERE p.tenant_id = $1 AND p.status = 'open' AND p.created_on <= $2 ORDER BY p.id`, [ctx.tenant.id, asOf]);
    const payments = await paymentsOf(sql, ctx.tenant.id, rows.map((r) => r.id));
    const result: PromiseEvaluation = { asOf, evaluated: rows.length, kept: 0, partlyKept: 0, broken: 0, open: 0 };
    for (const r of rows) {
      const outcome = evaluatePromise(termsOf(r), payments.get(r.id) ?? [], asOf);
      if (outcome.status === 'open') { result.open += 1; continue; }
      if (outcome.status === 'kept') result.kept += 1;
      else if (outcome.status === 'partly_kept') result.partlyKept += 1;
      else result.broken += 1;
      await sql.query(`UPDATE promises SET status = $3, kept_minor = $4, decided_on = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'open'`,
        [ctx.tenant.id, r.id, outcome.status, outcome.paidMinor, asOf]);
      await appendAudit(sql, ctx.tenant.id, {
        actor: ctx.actor, action: 'promises.decide', entityType: 'promise', entityId: r.id,
        before: { status: 'open' }, after: { status: outcome.status, paid: formatAmount(outcome.paidMinor, r.currency), deadline: outcome.deadline, asOf },
      });
    }
    return result;
  });
}

/** The daily job: every company's open promises decided at its own today. One company's failure does not stop the others. */
export async function runDailyPromises(db: Database, clock: Clock, log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): Promise<void> {
  for (const tenant of await listTenants(db)) {
    try {
      const result = await evaluatePromises({ db, tenant, clock, actor: 'job:promises.evaluate' });
      if (result.evaluated) log?.info({ tenant: tenant.code, ...result }, 'promises evaluated');
    } catch (error) {
      log?.error({ tenant: tenant.code, err: error }, 'promise evaluation failed');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Activities.

export const activitySchema = z.object({
  customer: code,
  channel: z.enum(ACTIVITY_CHANNELS).default('phone'),
  outcome: z.enum(ACTIVITY_OUTCOMES),
  /** Whom it was with: a name or a number. */
  contact: z.string().trim().max(200).optional(),
  note: noteText.optional(),
  /** When to follow up. */
  followUpOn: localDateText.optional(),
  /** The day it happened; default today (never later). */
  activityDate: localDateText.optional(),
  /** The promise recorded on this call, if any. */
  promiseId: z.string().regex(uuidPattern, 'give the promise\'s id').optional(),
}).strict();
export type ActivityInput = z.input<typeof activitySchema>;

export const activityListSchema = z.object({
  customer: code.optional(),
  outcome: z.enum(ACTIVITY_OUTCOMES).optional(),
  /** Activities whose follow-up date is on or before this date (a to-do list). */
  followUpBy: localDateText.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type ActivityListQuery = z.input<typeof activityListSchema>;

export interface PresentedActivity {
  id: string;
  customer: string;
  customerName: string;
  activityDate: LocalDate;
  channel: ActivityChannel;
  outcome: ActivityOutcome;
  contact: string | null;
  note: string | null;
  followUpOn: LocalDate | null;
  promiseId: string | null;
  recordedBy: string;
  recordedAt: string;
}

const ACTIVITY_SELECT = `
  SELECT a.id, c.code AS customer, c.name AS "customerName", a.activity_date::text AS "activityDate", a.channel, a.outcome, a.contact, a.note,
         a.follow_up_on::text AS "followUpOn", a.promise_id AS "promiseId", a.created_by AS "recordedBy", a.created_at AS "recordedAt"
    FROM collection_activities a JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id`;

const presentActivity = (r: PresentedActivity & { total?: unknown }): PresentedActivity => {
  const { total: _t, ...a } = r;
  return { ...a, recordedAt: new Date(a.recordedAt).toISOString() };
};

/** Records a call (or email, visit…) with a customer in the caller's scope; append-only, audited, idempotent. */
export async function recordActivity(ctx: Context, raw: ActivityInput, idempotencyKey?: string): Promise<PresentedActivity> {
  const input = parseInput(activitySchema, raw, 'activity');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const activityDate = input.activityDate ? parseDate(input.activityDate, 'activityDate') : today;
  if (activityDate > today) throw invalid('ACTIVITY_IN_FUTURE', `activityDate: ${activityDate} is after today (${today}); record what happened, and put what is to come in followUpOn`, [{ field: 'activityDate', message: 'in the future' }]);
  const followUpOn = input.followUpOn ? parseDate(input.followUpOn, 'followUpOn') : null;
  if (followUpOn && followUpOn < activityDate) throw invalid('FOLLOW_UP_BEFORE_ACTIVITY', `followUpOn: ${followUpOn} is before the activity (${activityDate})`, [{ field: 'followUpOn', message: 'before the activity' }]);
  return withIdempotency(ctx, idempotencyKey, 'activities.record', input, async (sql) => {
    const customer = await customerInScope(ctx, sql, input.customer);
    if (input.promiseId) {
      const [p] = await sql.query(`SELECT 1 AS found FROM promises WHERE tenant_id = $1 AND id = $2 AND customer_id = $3`, [ctx.tenant.id, input.promiseId, customer.id]);
      if (!p) throw invalid('PROMISE_NOT_FOUND', `promiseId: customer ${customer.code} has no promise with id ${input.promiseId}`, [{ field: 'promiseId', message: 'not found' }]);
    }
    const id = uuidv7();
    await sql.query(
      `INSERT INTO collection_activities (tenant_id, id, customer_id, activity_date, channel, outcome, contact, note, follow_up_on, promise_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [ctx.tenant.id, id, customer.id, activityDate, input.channel, input.outcome, input.contact ?? null, input.note ?? null, followUpOn, input.promiseId ?? null, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'activities.record', entityType: 'collection_activity', entityId: id,
      after: { customer: customer.code, activityDate, channel: input.channel, outcome: input.outcome, followUpOn },
    });
    const [row] = await sql.query<PresentedActivity>(`${ACTIVITY_SELECT} WHERE a.tenant_id = $1 AND a.id = $2`, [ctx.tenant.id, id]);
    return presentActivity(row!);
  });
}

/** Activities in the caller's scope, newest first; filtered, paged. */
export async function listActivities(ctx: Context, sql: Sql, raw: ActivityListQuery = {}): Promise<{ total: number; rows: PresentedActivity[]; nextCursor: string | null }> {
  const q = parseInput(activityListSchema, raw, 'activities');
  const { where, params, add, inScope } = listFilter('a', ctx.tenant.id);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  if (q.outcome) add((n) => `a.outcome = $${n}`, q.outcome);
  if (q.followUpBy) add((n) => `a.follow_up_on <= $${n}`, parseDate(q.followUpBy, 'followUpBy'));
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<PresentedActivity & { total: unknown }>(
    `${ACTIVITY_SELECT.replace('a.created_at AS "recordedAt"', 'a.created_at AS "recordedAt", count(*) OVER () AS total')}
      WHERE ${where.join(' AND ')} ORDER BY a.activity_date DESC, a.created_at DESC, a.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: rows.map(presentActivity), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

// ---------------------------------------------------------------------------------------------------------------
// The customer's collections timeline.

export const timelineSchema = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50) });

export type TimelineEntry =
  | { kind: 'activity'; date: LocalDate; at: string; activity: PresentedActivity }
  | { kind: 'promise'; date: LocalDate; at: string; promise: PresentedPromise }
  | { kind: 'dispute'; date: LocalDate; at: string; dispute: { id: string; reason: string; status: string; amount: string; currency: string; dueDate: LocalDate; documents: string[]; raisedBy: string } };

/**
 * A customer's collections timeline, newest first: activities, promises (by the day made) and disputes (by the day
 * raised), at most `limit` entries in all; with the figures a collector wants on top.
 */
export async function customerTimeline(ctx: Context, sql: Sql, customerCode: string, raw: z.input<typeof timelineSchema> = {}) {
  const q = parseInput(timelineSchema, raw, 'timeline');
  const customer = await customerInScope(ctx, sql, customerCode);
  const activities = await listActivities(ctx, sql, { customer: customer.code, limit: q.limit });
  const promiseRows = await sql.query<PromiseRow>(`${PROMISE_SELECT} WHERE p.tenant_id = $1 AND p.customer_id = $2 ORDER BY p.created_on DESC, p.created_at DESC LIMIT $3`, [ctx.tenant.id, customer.id, q.limit]);
  const promiseAt = new Map((await sql.query<{ id: string; at: unknown }>(`SELECT id, created_at AS at FROM promises WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [ctx.tenant.id, promiseRows.map((p) => p.id)])).map((r) => [r.id, new Date(r.at as string).toISOString()]));
  const promises = await presentPromises(ctx, sql, promiseRows);
  const disputes = await sql.query<{ id: string; reason: string; status: string; amountMinor: unknown; currency: string; dueDate: LocalDate; raisedOn: LocalDate; at: unknown; raisedBy: string; documents: string[] | null }>(
    `SELECT x.id, x.reason, x.status, x.amount_minor AS "amountMinor", x.currency, x.due_date::text AS "dueDate", x.raised_on::text AS "raisedOn", x.created_at AS at, x.created_by AS "raisedBy",
            (SELECT array_agg(d.number ORDER BY d.number) FROM dispute_items di JOIN items i ON i.tenant_id = di.tenant_id AND i.id = di.item_id
               JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id WHERE di.tenant_id = x.tenant_id AND di.dispute_id = x.id) AS documents
       FROM disputes x WHERE x.tenant_id = $1 AND x.customer_id = $2 ORDER BY x.raised_on DESC, x.created_at DESC LIMIT $3`, [ctx.tenant.id, customer.id, q.limit]);
  const entries: TimelineEntry[] = [
    ...activities.rows.map((a): TimelineEntry => ({ kind: 'activity', date: a.activityDate, at: a.recordedAt, activity: a })),
    ...promises.map((p): TimelineEntry => ({ kind: 'promise', date: p.createdOn, at: promiseAt.get(p.id)!, promise: p })),
    ...disputes.map((d): TimelineEntry => ({
      kind: 'dispute', date: d.raisedOn, at: new Date(d.at as string).toISOString(),
      dispute: { id: d.id, reason: d.reason, status: d.status, amount: formatAmount(big(d.amountMinor), d.currency), currency: d.currency, dueDate: d.dueDate, documents: d.documents ?? [], raisedBy: d.raisedBy },
    })),
  ];
  entries.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const today = tenantToday(ctx.tenant, ctx.clock);
  const nextFollowUp = await sql.query<{ date: LocalDate }>(
    `SELECT min(follow_up_on)::text AS date FROM collection_activities WHERE tenant_id = $1 AND customer_id = $2 AND follow_up_on >= $3`, [ctx.tenant.id, customer.id, today]);
  const [counts] = await sql.query<{ openPromises: unknown; brokenPromises: unknown; activeDisputes: unknown }>(
    `SELECT (SELECT count(*) FROM promises WHERE tenant_id = $1 AND customer_id = $2 AND status = 'open') AS "openPromises",
            (SELECT count(*) FROM promises WHERE tenant_id = $1 AND customer_id = $2 AND status = 'broken') AS "brokenPromises",
            (SELECT count(*) FROM disputes WHERE tenant_id = $1 AND customer_id = $2 AND status IN ('open', 'investigating')) AS "activeDisputes"`, [ctx.tenant.id, customer.id]);
  return {
    customer: customer.code,
    customerName: customer.name,
    asOf: today,
    summary: {
      openPromises: Number(counts!.openPromises), brokenPromises: Number(counts!.brokenPromises), activeDisputes: Number(counts!.activeDisputes),
      nextFollowUp: nextFollowUp[0]?.date ?? null,
    },
    entries: entries.slice(0, q.limit),
  };
}

/**
 * Promises of a customer whose deadline (promised date + grace) fell in (from, to] and that were broken or only
 * partly kept: the credit file's "broken promises". A promise still open past its deadline counts once evaluated.
 */
export async function brokenPromisesBetween(sql: Sql, tenantId: string, customerId: string, from: LocalDate, to: LocalDate): Promise<number> {
  const [row] = await sql.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM promises
      WHERE tenant_id = $1 AND customer_id = $2 AND status IN ('broken', 'partly_kept')
        AND promised_date + grace_days > $3::date AND promised_date + grace_days <= $4::date`,
    [tenantId, customerId, from, to]);
  return Number(row?.n ?? 0);
}
