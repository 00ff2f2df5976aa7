/**
 * Payment plans (分期还款协议, issue 6): a customer's overdue items turned into an installment agreement. The schedule
 * and the installments' status are the pure rules of src/domain/payment-plans.ts; this module reads the items and the
 * payments applied to them, posts the plan's interest and fee as a charge document in the ledger (so the payments
 * that settle them are allocations like any other), and keeps every version of a plan: a renegotiation replaces the
 * active version by the next one (append-only versions, the old one `replaced`), a cancellation ends it, and the
 * items go back to dunning.
 *
 * Scope: collectors and sales people see and make plans only for their own customers. Making, renegotiating and
 * cancelling need `collections.record`; the evaluation (completed plans, plans cancelled after a default when the
 * company says so) sees every plan, whoever runs it.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database, Sql } from '../../db/database.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { AppError, conflict, invalid, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import {
  DEFAULT_PLAN_GRACE_DAYS, evaluatePlan, MAX_PLAN_INSTALLMENTS, PLAN_STATUSES, planSchedule, planTermsProblems, parseRatePercent, rateText,
  type InstallmentStatus, type PlanSchedule, type PlanState, type PlanStatus,
} from '../../domain/payment-plans.ts';
import { assertInScope, listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import { getCustomer, type Customer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument, resolveDocument } from '../ledger/index.ts';
import { listTenants, tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { PLAN_STATUSES, type PlanStatus, type InstallmentStatus };

export const MAX_PAGE = 200;
export const MAX_PLAN_ITEMS = 200;
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const customerNotFound = (code: string) => () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${code}; create it first or check the code`, [{ field: 'customer', message: 'unknown customer code' }]);
const planNotFound = (ref: string) => notFound('PLAN_NOT_FOUND', `no payment plan has id or number ${ref}; list them with GET /api/v1/payment-plans`, [{ field: 'id', message: 'not found' }]);

async function customerInScope(ctx: Context, sql: Sql, code: string): Promise<Customer> {
  const customer = await getCustomer(sql, ctx.tenant.id, code).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'not_found') throw customerNotFound(code)();
    throw error;
  });
  await assertInScope(ctx, sql, customer.id, customerNotFound(code));
  return customer;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings.

export const planSettingsSchema = z.object({
  /** Days after an installment's date a payment still counts as on time. */
  graceDays: z.number().int().min(0).max(60),
  /** Cancel a plan (dunning resumes) when an installment is unpaid more than this many days after its date; null: never by itself. */
  autoCancelDays: z.number().int().min(1).max(365).nullable(),
}).strict();
export type PlanSettings = z.output<typeof planSettingsSchema>;

export async function planSettings(sql: Sql, ctx: Context): Promise<PlanSettings> {
  const [row] = await sql.query<{ graceDays: number; autoCancelDays: number | null }>(
    `SELECT grace_days AS "graceDays", auto_cancel_days AS "autoCancelDays" FROM payment_plan_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  return { graceDays: row ? Number(row.graceDays) : DEFAULT_PLAN_GRACE_DAYS, autoCancelDays: row?.autoCancelDays === null || row?.autoCancelDays === undefined ? null : Number(row.autoCancelDays) };
}

export async function setPlanSettings(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<PlanSettings> {
  const settings = parseInput(planSettingsSchema, raw, 'payment plan settings');
  return withIdempotency(ctx, idempotencyKey, 'plans.settings', settings, async (sql) => {
    const before = await planSettings(sql, ctx);
    await sql.query(
      `INSERT INTO payment_plan_settings (tenant_id, grace_days, auto_cancel_days, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET grace_days = excluded.grace_days, auto_cancel_days = excluded.auto_cancel_days, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, settings.graceDays, settings.autoCancelDays, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'plans.settings', entityType: 'payment_plan_settings', entityId: ctx.tenant.code, before, after: settings });
    return settings;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Terms: what a plan is made of, previewed before it is made.

const itemRef = z.object({ document: z.string().trim().min(1).max(200), installment: z.coerce.number().int().min(1).max(999).optional() }).strict();

export const planTermsSchema = z.object({
  /** Major units as text; default none. */
  downPayment: amountText.optional(),
  /** How many installments, monthly from firstDate; or give `dates`. */
  installments: z.number().int().min(1).max(MAX_PLAN_INSTALLMENTS).optional(),
  firstDate: localDateText.optional(),
  dates: z.array(localDateText).min(1).max(MAX_PLAN_INSTALLMENTS).optional(),
  /** Simple interest, percent a year ("6.00"), on the declining balance; default none. */
  interestRate: z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'write the yearly rate as a percentage with at most 2 decimals, like "6.00"').optional(),
  /** A fixed fee, split over the installments; major units as text. */
  fee: amountText.optional(),
  /** Default the company's setting (3). */
  graceDays: z.number().int().min(0).max(60).optional(),
  note: z.string().trim().max(1000).optional(),
});

export const planInputSchema = planTermsSchema.extend({
  customer: z.string().trim().min(1).max(100),
  /** The items (default: every item of the customer in `currency` overdue at the start date, not in another plan or case). */
  items: z.array(itemRef).min(1).max(MAX_PLAN_ITEMS).optional(),
  /** Default the customer's currency. */
  currency: z.string().trim().length(3).optional(),
  /** Default today; never before it. */
  startDate: localDateText.optional(),
}).strict();
export type PlanInput = z.input<typeof planInputSchema>;

export const renegotiateSchema = planTermsSchema.extend({
  /** Default today. */
  startDate: localDateText.optional(),
  /** Why the plan is renegotiated (kept in its history). */
  reason: z.string().trim().min(3, 'say why, in a few words').max(500),
}).strict();
export type RenegotiateInput = z.input<typeof renegotiateSchema>;

export const cancelSchema = z.object({ reason: z.string().trim().min(3, 'say why, in a few words').max(500) }).strict();

interface PlanItemLine { itemId: string; document: string; seq: number; dueDate: LocalDate | null; openMinor: bigint }

export interface PlanPreview {
  customer: string;
  customerName: string;
  currency: string;
  startDate: LocalDate;
  graceDays: number;
  interestRate: string;
  items: { document: string; installment: number; dueDate: LocalDate | null; open: string }[];
  principal: string;
  downPayment: string;
  financed: string;
  interest: string;
  fee: string;
  total: string;
  installments: { seq: number; dueDate: LocalDate; principal: string; interest: string; fee: string; amount: string; days: number }[];
}

/** The open items a plan may take: the customer's debit items in the currency, open now, in no active plan and no open case. */
async function eligibleItems(ctx: Context, sql: Sql, customerId: string, currency: string): Promise<(PlanItemLine & { blockedBy: string | null })[]> {
  const rows = await sql.query<{ itemId: string; document: string; seq: number; dueDate: LocalDate | null; openMinor: unknown; plan: string | null; caseNumber: string | null }>(
    `SELECT b.item_id AS "itemId", d.number AS document, i.seq, b.due_date::text AS "dueDate", b.open_minor AS "openMinor",
            (SELECT p.number FROM payment_plan_items pi JOIN payment_plans p ON p.tenant_id = pi.tenant_id AND p.id = pi.plan_id
              WHERE pi.tenant_id = b.tenant_id AND pi.item_id = b.item_id AND p.status = 'active' LIMIT 1) AS plan,
            (SELECT c.number FROM escalation_case_items ci JOIN escalation_cases c ON c.tenant_id = ci.tenant_id AND c.id = ci.case_id
              WHERE ci.tenant_id = b.tenant_id AND ci.item_id = b.item_id AND c.status IN ('open', 'in_progress') LIMIT 1) AS "caseNumber"
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
      WHERE b.tenant_id = $1 AND b.customer_id = $2 AND b.side = 'debit' AND b.currency = $3 AND b.open_minor > 0
      ORDER BY b.due_date NULLS LAST, d.number, i.seq LIMIT 1000`, [ctx.tenant.id, customerId, currency]);
  return rows.map((r) => ({
    itemId: r.itemId, document: r.document, seq: Number(r.seq), dueDate: r.dueDate, openMinor: big(r.openMinor),
    blockedBy: r.plan ? `payment plan ${r.plan}` : r.caseNumber ? `escalation case ${r.caseNumber}` : null,
  }));
}

/** The items named (or, none named, the overdue ones at the start date), each checked. */
async function chooseItems(ctx: Context, sql: Sql, customer: Customer, currency: string, refs: z.output<typeof itemRef>[] | undefined, startDate: LocalDate, ignorePlanId?: string): Promise<PlanItemLine[]> {
  let eligible = await eligibleItems(ctx, sql, customer.id, currency);
  if (ignorePlanId) {
    const own = new Set((await sql.query<{ itemId: string }>(`SELECT item_id AS "itemId" FROM payment_plan_items WHERE tenant_id = $1 AND plan_id = $2`, [ctx.tenant.id, ignorePlanId])).map((r) => r.itemId));
    eligible = eligible.map((e) => (own.has(e.itemId) ? { ...e, blockedBy: null } : e));
  }
  if (!refs) {
    const overdue = eligible.filter((e) => e.blockedBy === null && e.dueDate !== null && e.dueDate < startDate);
    if (!overdue.length) throw invalid('PLAN_NO_OVERDUE_ITEMS', `items: customer ${customer.code} has nothing overdue in ${currency} on ${startDate} outside other plans and cases; name the items to put in the plan`, [{ field: 'items', message: 'nothing overdue' }]);
    return overdue;
  }
  const chosen: PlanItemLine[] = [];
  const seen = new Set<string>();
  for (const [n, ref] of refs.entries()) {
    const field = `items.${n}`;
    const doc = await resolveDocument(sql, ctx.tenant.id, ref.document).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'not_found') throw notFound(error.code, `${field}.document: ${error.message}`, [{ field: `${field}.document`, message: 'not found' }]);
      throw error;
    });
    if (doc.customerId !== customer.id) throw invalid('PLAN_ITEM_OTHER_CUSTOMER', `${field}.document: ${doc.number} is customer ${doc.customerCode}'s, not ${customer.code}'s`, [{ field: `${field}.document`, message: 'other customer' }]);
    const lines = eligible.filter((e) => e.document === doc.number && (ref.installment === undefined || e.seq === ref.installment));
    if (!lines.length) throw invalid('PLAN_ITEM_NOT_OPEN', `${field}: ${doc.number}${ref.installment ? ` #${ref.installment}` : ''} has nothing open in ${currency}`, [{ field, message: 'nothing open' }]);
    for (const line of lines) {
      if (line.blockedBy) throw conflict('PLAN_ITEM_ELSEWHERE', `${field}: ${doc.number} is already in ${line.blockedBy}; renegotiate or end that first`, [{ field, message: `in ${line.blockedBy}` }]);
      if (seen.has(line.itemId)) throw invalid('PLAN_ITEM_TWICE', `${field}: ${doc.number} is named twice`, [{ field, message: 'named twice' }]);
      seen.add(line.itemId);
      chosen.push(line);
    }
  }
  return chosen;
}

function scheduleOf(terms: z.output<typeof planTermsSchema>, currency: string, principalMinor: bigint, startDate: LocalDate): PlanSchedule {
  const rateBp = terms.interestRate ? parseRatePercent(terms.interestRate)! : 0;
  const dates = terms.dates?.map((d, i) => parseDate(d, `dates.${i}`));
  const t = {
    principalMinor, downPaymentMinor: terms.downPayment ? parseAmount(terms.downPayment, currency, 'downPayment') : 0n, startDate,
    installments: terms.installments ?? dates?.length ?? 0, firstDate: terms.firstDate ? parseDate(terms.firstDate, 'firstDate') : undefined, dates, rateBp,
    feeMinor: terms.fee ? parseAmount(terms.fee, currency, 'fee') : 0n,
  };
  if (dates && terms.installments === undefined) t.installments = dates.length;
  const problems = planTermsProblems(t);
  if (problems.length) throw invalid('PLAN_TERMS_INVALID', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
  return planSchedule(t);
}

function presentPreview(customer: Customer, currency: string, startDate: LocalDate, graceDays: number, rateBp: number, items: PlanItemLine[], s: PlanSchedule): PlanPreview {
  const f = (m: bigint) => formatAmount(m, currency);
  return {
    customer: customer.code, customerName: customer.name, currency, startDate, graceDays, interestRate: rateText(rateBp),
    items: items.map((i) => ({ document: i.document, installment: i.seq, dueDate: i.dueDate, open: f(i.openMinor) })),
    principal: f(s.principalMinor), downPayment: f(s.downPaymentMinor), financed: f(s.financedMinor), interest: f(s.interestMinor), fee: f(s.feeMinor), total: f(s.totalMinor),
    installments: s.installments.map((i) => ({ seq: i.seq, dueDate: i.dueDate, principal: f(i.principalMinor), interest: f(i.interestMinor), fee: f(i.feeMinor), amount: f(i.amountMinor), days: i.days })),
  };
}

interface Prepared { customer: Customer; currency: string; startDate: LocalDate; graceDays: number; rateBp: number; items: PlanItemLine[]; schedule: PlanSchedule }

async function prepare(ctx: Context, sql: Sql, input: z.output<typeof planInputSchema>): Promise<Prepared> {
  const today = tenantToday(ctx.tenant, ctx.clock);
  const startDate = input.startDate ? parseDate(input.startDate, 'startDate') : today;
  if (startDate < today) throw invalid('PLAN_START_PAST', `startDate: ${startDate} is before today (${today}); a plan starts today or later`, [{ field: 'startDate', message: 'in the past' }]);
  const customer = await customerInScope(ctx, sql, input.customer);
  const currency = (input.currency ?? customer.currency).toUpperCase();
  const items = await chooseItems(ctx, sql, customer, currency, input.items, startDate);
  const principal = items.reduce((s, i) => s + i.openMinor, 0n);
  const schedule = scheduleOf(input, currency, principal, startDate);
  const graceDays = input.graceDays ?? (await planSettings(sql, ctx)).graceDays;
  return { customer, currency, startDate, graceDays, rateBp: input.interestRate ? parseRatePercent(input.interestRate)! : 0, items, schedule };
}

/** What a plan would be: the items, the schedule, the totals. Writes nothing. */
export async function previewPlan(ctx: Context, sql: Sql, raw: PlanInput): Promise<PlanPreview> {
  const input = parseInput(planInputSchema, raw, 'payment plan');
  const p = await prepare(ctx, sql, input);
  return presentPreview(p.customer, p.currency, p.startDate, p.graceDays, p.rateBp, p.items, p.schedule);
}

/** Writes a plan version: the row, its items, its installments, the charge for interest and fee, an event, the audit. */
async function insertVersion(ctx: Context, sql: Sql, p: Prepared, number: string, version: number, previousId: string | null, note: string | null, event: 'created' | 'renegotiated', eventNote: string | null): Promise<string> {
  const id = uuidv7();
  const s = p.schedule;
  let chargeId: string | null = null;
  const items = [...p.items];
  const extra = s.interestMinor + s.feeMinor;
  if (extra > 0n) {
    // The interest and fee are receivables too: a charge due with the last installment, in the plan with the items.
    const last = s.installments[s.installments.length - 1]!.dueDate;
    const posted = await postDocument(ctx, {
      kind: 'charge', customer: p.customer.code, currency: p.currency, documentDate: p.startDate, dueDate: last, amount: formatAmount(extra, p.currency),
      memo: `payment plan ${number} v${version}: interest ${formatAmount(s.interestMinor, p.currency)} and fee ${formatAmount(s.feeMinor, p.currency)}`,
    }, sql);
    chargeId = posted.document.id;
    const [item] = await sql.query<{ id: string; seq: number }>(`SELECT id, seq FROM items WHERE tenant_id = $1 AND document_id = $2 ORDER BY seq LIMIT 1`, [ctx.tenant.id, chargeId]);
    items.push({ itemId: item!.id, document: posted.document.number, seq: Number(item!.seq), dueDate: last, openMinor: extra });
  }
  await sql.query(
    `INSERT INTO payment_plans (tenant_id, id, number, version, previous_id, customer_id, currency, start_date, principal_minor, down_payment_minor, rate_bp,
                                interest_minor, fee_minor, total_minor, grace_days, charge_document_id, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [ctx.tenant.id, id, number, version, previousId, p.customer.id, p.currency, p.startDate, s.principalMinor, s.downPaymentMinor, p.rateBp,
      s.interestMinor, s.feeMinor, s.totalMinor, p.graceDays, chargeId, note, ctx.actor]);
  for (const i of items) {
    await sql.query(`INSERT INTO payment_plan_items (tenant_id, plan_id, item_id, open_minor) VALUES ($1, $2, $3, $4)`, [ctx.tenant.id, id, i.itemId, i.openMinor]);
  }
  for (const i of s.installments) {
    await sql.query(
      `INSERT INTO payment_plan_installments (tenant_id, plan_id, seq, due_date, principal_minor, interest_minor, fee_minor, amount_minor, days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ctx.tenant.id, id, i.seq, i.dueDate, i.principalMinor, i.interestMinor, i.feeMinor, i.amountMinor, i.days]);
  }
  await planEvent(sql, ctx, id, event, p.startDate, eventNote);
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: event === 'created' ? 'plans.create' : 'plans.renegotiate', entityType: 'payment_plan', entityId: id,
    after: { number, version, customer: p.customer.code, currency: p.currency, startDate: p.startDate, principal: formatAmount(s.principalMinor, p.currency), total: formatAmount(s.totalMinor, p.currency), installments: s.installments.length, items: items.map((i) => i.document) },
  });
  return id;
}

async function planEvent(sql: Sql, ctx: Context, planId: string, event: string, onDate: LocalDate, note: string | null): Promise<void> {
  await sql.query(`INSERT INTO payment_plan_events (tenant_id, id, plan_id, event, actor, on_date, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [ctx.tenant.id, uuidv7(), planId, event, ctx.actor, onDate, note]);
}

/** Makes a payment plan for a customer in the caller's scope; idempotent, audited. */
export async function createPlan(ctx: Context, raw: PlanInput, idempotencyKey?: string): Promise<PlanDetail> {
  const input = parseInput(planInputSchema, raw, 'payment plan');
  const id = await withIdempotency(ctx, idempotencyKey, 'plans.create', input, async (sql) => {
    // One numbering at a time per company.
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`plans:${ctx.tenant.id}`]);
    const p = await prepare(ctx, sql, input);
    const [n] = await sql.query<{ n: string }>(`SELECT count(DISTINCT number)::text AS n FROM payment_plans WHERE tenant_id = $1`, [ctx.tenant.id]);
    const number = `PP-${String(Number(n!.n) + 1).padStart(4, '0')}`;
    return insertVersion(ctx, sql, p, number, 1, null, input.note ?? null, 'created', input.note ?? null);
  });
  return ctx.db.tenant(ctx.tenant.id, (sql) => getPlan(ctx, sql, id));
}

async function planRow(ctx: Context, sql: Sql, ref: string): Promise<PlanRow> {
  const byId = uuidPattern.test(ref);
  const rows = await sql.query<PlanRow>(`${PLAN_SELECT} WHERE p.tenant_id = $1 AND ${byId ? 'p.id = $2::uuid' : 'p.number = $2'} ORDER BY p.version DESC LIMIT 1`, [ctx.tenant.id, ref]);
  const row = rows[0];
  if (!row) throw planNotFound(ref);
  await assertInScope(ctx, sql, row.customerId, () => planNotFound(ref));
  return row;
}

/**
 * Replaces an active plan by its next version: the items still open today (the old interest and fee charge among
 * them, if unpaid) spread by the new terms. The old version is kept as `replaced`; its history stays.
 */
export async function renegotiatePlan(ctx: Context, ref: string, raw: RenegotiateInput, idempotencyKey?: string): Promise<PlanDetail> {
  const input = parseInput(renegotiateSchema, raw, 'renegotiation');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const startDate = input.startDate ? parseDate(input.startDate, 'startDate') : today;
  if (startDate < today) throw invalid('PLAN_START_PAST', `startDate: ${startDate} is before today (${today})`, [{ field: 'startDate', message: 'in the past' }]);
  const id = await withIdempotency(ctx, idempotencyKey, 'plans.renegotiate', { ref, ...input }, async (sql) => {
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`plans:${ctx.tenant.id}`]);
    const old = await planRow(ctx, sql, ref);
    if (old.status !== 'active') throw conflict('PLAN_NOT_ACTIVE', `plan ${old.number} v${old.version} is ${old.status}; only an active plan is renegotiated`, [{ field: 'id', message: old.status }]);
    const customer = await getCustomer(sql, ctx.tenant.id, old.code);
    const items = (await sql.query<{ itemId: string; document: string; seq: number; dueDate: LocalDate | null; openMinor: unknown }>(
      `SELECT b.item_id AS "itemId", d.number AS document, i.seq, b.due_date::text AS "dueDate", b.open_minor AS "openMinor"
         FROM payment_plan_items pi JOIN item_balances b ON b.tenant_id = pi.tenant_id AND b.item_id = pi.item_id
         JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
        WHERE pi.tenant_id = $1 AND pi.plan_id = $2 AND b.open_minor > 0 ORDER BY b.due_date, d.number, i.seq`, [ctx.tenant.id, old.id]))
      .map((r) => ({ itemId: r.itemId, document: r.document, seq: Number(r.seq), dueDate: r.dueDate, openMinor: big(r.openMinor) }));
    if (!items.length) throw conflict('PLAN_NOTHING_OPEN', `plan ${old.number}: its items are paid; nothing is left to renegotiate`, [{ field: 'id', message: 'nothing open' }]);
    const principal = items.reduce((s, i) => s + i.openMinor, 0n);
    const schedule = scheduleOf(input, old.currency, principal, startDate);
    await sql.query(`UPDATE payment_plans SET status = 'replaced', ended_on = $3, end_reason = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'active'`,
      [ctx.tenant.id, old.id, startDate, `renegotiated: ${input.reason}`]);
    await planEvent(sql, ctx, old.id, 'replaced', startDate, input.reason);
    const graceDays = input.graceDays ?? Number(old.graceDays);
    const p: Prepared = { customer, currency: old.currency, startDate, graceDays, rateBp: input.interestRate ? parseRatePercent(input.interestRate)! : 0, items, schedule };
    return insertVersion(ctx, sql, p, old.number, Number(old.version) + 1, old.id, input.note ?? old.note, 'renegotiated', input.reason);
  });
  return ctx.db.tenant(ctx.tenant.id, (sql) => getPlan(ctx, sql, id));
}

/** Cancels an active plan: its items go back to dunning from today. Audited, idempotent. */
export async function cancelPlan(ctx: Context, ref: string, raw: z.input<typeof cancelSchema>, idempotencyKey?: string): Promise<PlanDetail> {
  const input = parseInput(cancelSchema, raw, 'cancellation');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const id = await withIdempotency(ctx, idempotencyKey, 'plans.cancel', { ref, ...input }, async (sql) => {
    const row = await planRow(ctx, sql, ref);
    if (row.status !== 'active') throw conflict('PLAN_NOT_ACTIVE', `plan ${row.number} v${row.version} is ${row.status}; only an active plan is cancelled`, [{ field: 'id', message: row.status }]);
    await endPlan(ctx, sql, row, 'cancelled', today, input.reason);
    return row.id;
  });
  return ctx.db.tenant(ctx.tenant.id, (sql) => getPlan(ctx, sql, id));
}

async function endPlan(ctx: Context, sql: Sql, row: PlanRow, status: 'cancelled' | 'completed', on: LocalDate, reason: string): Promise<void> {
  await sql.query(`UPDATE payment_plans SET status = $3, ended_on = $4, end_reason = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'active'`,
    [ctx.tenant.id, row.id, status, on, reason]);
  await planEvent(sql, ctx, row.id, status, on, reason);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: status === 'cancelled' ? 'plans.cancel' : 'plans.complete', entityType: 'payment_plan', entityId: row.id, before: { status: 'active' }, after: { status, on, reason } });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: plans with their installments' status at an as-of date.

interface PlanRow {
  id: string; number: string; version: number; previousId: string | null; customerId: string; code: string; name: string; currency: string; status: PlanStatus;
  startDate: LocalDate; principalMinor: unknown; downPaymentMinor: unknown; rateBp: number; interestMinor: unknown; feeMinor: unknown; totalMinor: unknown;
  graceDays: number; chargeDocument: string | null; endedOn: LocalDate | null; endReason: string | null; note: string | null; createdBy: string; createdAt: unknown; total?: unknown;
}

const PLAN_SELECT = `
  SELECT p.id, p.number, p.version, p.previous_id AS "previousId", p.customer_id AS "customerId", c.code, c.name, p.currency, p.status,
         p.start_date::text AS "startDate", p.principal_minor AS "principalMinor", p.down_payment_minor AS "downPaymentMinor", p.rate_bp AS "rateBp",
         p.interest_minor AS "interestMinor", p.fee_minor AS "feeMinor", p.total_minor AS "totalMinor", p.grace_days AS "graceDays",
         (SELECT d.number FROM documents d WHERE d.tenant_id = p.tenant_id AND d.id = p.charge_document_id) AS "chargeDocument",
         p.ended_on::text AS "endedOn", p.end_reason AS "endReason", p.note, p.created_by AS "createdBy", p.created_at AS "createdAt"
    FROM payment_plans p JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id`;

interface InstallmentRow { planId: string; seq: number; dueDate: LocalDate; principalMinor: unknown; interestMinor: unknown; feeMinor: unknown; amountMinor: unknown; days: number }

/** Per plan: its installments and the payments applied to its items from its start (to its end, if ended). */
async function loadStates(sql: Sql, tenantId: string, rows: readonly PlanRow[], asOf: LocalDate, defaultDays: number | null) {
  const ids = rows.map((r) => r.id);
  const installments = new Map<string, InstallmentRow[]>();
  const payments = new Map<string, { date: LocalDate; amountMinor: bigint }[]>();
  if (ids.length) {
    for (const r of await sql.query<InstallmentRow>(
      `SELECT plan_id AS "planId", seq, due_date::text AS "dueDate", principal_minor AS "principalMinor", interest_minor AS "interestMinor", fee_minor AS "feeMinor",
              amount_minor AS "amountMinor", days FROM payment_plan_installments WHERE tenant_id = $1 AND plan_id = ANY($2::uuid[]) ORDER BY plan_id, seq`, [tenantId, ids])) {
      const list = installments.get(r.planId) ?? [];
      list.push(r);
      installments.set(r.planId, list);
    }
    for (const r of await sql.query<{ planId: string; date: LocalDate; amount: unknown }>(
      `SELECT p.id AS "planId", a.allocation_date::text AS date, sum(a.amount_minor) AS amount
         FROM payment_plans p
         JOIN payment_plan_items pi ON pi.tenant_id = p.tenant_id AND pi.plan_id = p.id
         JOIN allocations a ON a.tenant_id = pi.tenant_id AND a.debit_item_id = pi.item_id
                           AND a.allocation_date >= p.start_date AND (p.ended_on IS NULL OR a.allocation_date <= p.ended_on)
         JOIN item_balances cr ON cr.tenant_id = a.tenant_id AND cr.item_id = a.credit_item_id AND cr.kind IN ('payment', 'advance')
        WHERE p.tenant_id = $1 AND p.id = ANY($2::uuid[])
        GROUP BY p.id, a.allocation_date`, [tenantId, ids])) {
      const list = payments.get(r.planId) ?? [];
      list.push({ date: r.date, amountMinor: big(r.amount) });
      payments.set(r.planId, list);
    }
  }
  const states = new Map<string, { installments: InstallmentRow[]; state: PlanState }>();
  for (const r of rows) {
    const inst = installments.get(r.id) ?? [];
    const until = r.endedOn && r.endedOn < asOf ? r.endedOn : asOf;
    const state = evaluatePlan(inst.map((i) => ({ seq: Number(i.seq), dueDate: i.dueDate, amountMinor: big(i.amountMinor) })), payments.get(r.id) ?? [], r.startDate, until, Number(r.graceDays), defaultDays);
    states.set(r.id, { installments: inst, state });
  }
  return states;
}

export interface PresentedInstallment {
  seq: number; dueDate: LocalDate; principal: string; interest: string; fee: string; amount: string; days: number;
  paid: string; status: InstallmentStatus; paidOn: LocalDate | null; late: boolean; daysOverdue: number;
}

export interface PresentedPlan {
  id: string; number: string; version: number; previousId: string | null; customer: string; customerName: string; currency: string; status: PlanStatus;
  startDate: LocalDate; principal: string; downPayment: string; interestRate: string; interest: string; fee: string; total: string; graceDays: number;
  chargeDocument: string | null; endedOn: LocalDate | null; endReason: string | null; note: string | null; createdBy: string; createdAt: string;
  asOf: LocalDate; paid: string; outstanding: string; missed: number;
  nextDue: { seq: number; dueDate: LocalDate; amount: string } | null;
  /** The first installment unpaid more than the alert rule's days (null: none). */
  defaulted: { seq: number; dueDate: LocalDate; daysOverdue: number } | null;
  installments: PresentedInstallment[];
}

function present(r: PlanRow, inst: InstallmentRow[], state: PlanState, asOf: LocalDate): PresentedPlan {
  const f = (m: bigint) => formatAmount(m, r.currency);
  const states = new Map(state.installments.map((s) => [s.seq, s]));
  const installments = inst.map((i): PresentedInstallment => {
    const s = states.get(Number(i.seq))!;
    return {
      seq: Number(i.seq), dueDate: i.dueDate, principal: f(big(i.principalMinor)), interest: f(big(i.interestMinor)), fee: f(big(i.feeMinor)), amount: f(big(i.amountMinor)), days: Number(i.days),
      paid: f(s.paidMinor), status: s.status, paidOn: s.paidOn, late: s.late, daysOverdue: s.daysOverdue,
    };
  });
  const next = state.installments.find((s) => s.status !== 'paid');
  const total = big(r.totalMinor);
  return {
    id: r.id, number: r.number, version: Number(r.version), previousId: r.previousId, customer: r.code, customerName: r.name, currency: r.currency, status: r.status,
    startDate: r.startDate, principal: f(big(r.principalMinor)), downPayment: f(big(r.downPaymentMinor)), interestRate: rateText(Number(r.rateBp)), interest: f(big(r.interestMinor)),
    fee: f(big(r.feeMinor)), total: f(total), graceDays: Number(r.graceDays), chargeDocument: r.chargeDocument, endedOn: r.endedOn, endReason: r.endReason, note: r.note,
    createdBy: r.createdBy, createdAt: new Date(r.createdAt as string).toISOString(), asOf, paid: f(state.paidMinor), outstanding: f(total > state.paidMinor ? total - state.paidMinor : 0n),
    missed: state.installments.filter((s) => s.status === 'missed').length,
    nextDue: next ? { seq: next.seq, dueDate: next.dueDate, amount: f(next.amountMinor - next.paidMinor) } : null,
    defaulted: state.defaulted ? { seq: state.defaulted.seq, dueDate: state.defaulted.dueDate, daysOverdue: state.defaulted.daysOverdue } : null,
    installments,
  };
}

/** The alert rule's days (N of "missed beyond N days"), from the alert settings (default 7). */
async function defaultDaysOf(sql: Sql, tenantId: string): Promise<number> {
  const [row] = await sql.query<{ days: unknown }>(`SELECT settings->'rules'->'payment_plan_missed'->>'days' AS days FROM alert_settings WHERE tenant_id = $1`, [tenantId]);
  return row?.days ? Number(row.days) : DEFAULT_MISSED_DAYS;
}
export const DEFAULT_MISSED_DAYS = 7;

export const planListSchema = z.object({
  status: z.enum(['all', ...PLAN_STATUSES]).default('active'),
  customer: z.string().trim().min(1).max(100).optional(),
  asOf: localDateText.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type PlanListQuery = z.input<typeof planListSchema>;

/** Plans in the caller's scope (default the active ones), newest first, with their installments' status at asOf. */
export async function listPlans(ctx: Context, sql: Sql, raw: PlanListQuery = {}): Promise<{ asOf: LocalDate; total: number; rows: PresentedPlan[]; nextCursor: string | null }> {
  const q = parseInput(planListSchema, raw, 'payment plans');
  const asOf = q.asOf ? parseDate(q.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const { where, params, add, inScope } = listFilter('p', ctx.tenant.id);
  if (q.status !== 'all') add((n) => `p.status = $${n}`, q.status);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<PlanRow>(
    `${PLAN_SELECT.replace('p.created_at AS "createdAt"', 'p.created_at AS "createdAt", count(*) OVER () AS total')}
      WHERE ${where.join(' AND ')} ORDER BY p.start_date DESC, p.number DESC, p.version DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  const states = await loadStates(sql, ctx.tenant.id, rows, asOf, await defaultDaysOf(sql, ctx.tenant.id));
  return { asOf, total, rows: rows.map((r) => present(r, states.get(r.id)!.installments, states.get(r.id)!.state, asOf)), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

export interface PlanDetail extends PresentedPlan {
  items: { document: string; installment: number; dueDate: LocalDate | null; openAtPlan: string; openNow: string }[];
  versions: { id: string; version: number; status: PlanStatus; startDate: LocalDate; endedOn: LocalDate | null; total: string }[];
  events: { event: string; onDate: LocalDate; actor: string; note: string | null; at: string; version: number }[];
}

/** One plan version (by id, or the latest version of a number) with its items, every version and the history. */
export async function getPlan(ctx: Context, sql: Sql, ref: string, asOfText?: string): Promise<PlanDetail> {
  const asOf = asOfText ? parseDate(asOfText, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const row = await planRow(ctx, sql, ref);
  const states = await loadStates(sql, ctx.tenant.id, [row], asOf, await defaultDaysOf(sql, ctx.tenant.id));
  const f = (m: unknown) => formatAmount(big(m), row.currency);
  const items = await sql.query<{ document: string; seq: number; dueDate: LocalDate | null; openAtPlan: unknown; openNow: unknown }>(
    `SELECT d.number AS document, i.seq, i.due_date::text AS "dueDate", pi.open_minor AS "openAtPlan", b.open_minor AS "openNow"
       FROM payment_plan_items pi JOIN items i ON i.tenant_id = pi.tenant_id AND i.id = pi.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
      WHERE pi.tenant_id = $1 AND pi.plan_id = $2 ORDER BY i.due_date, d.number, i.seq`, [ctx.tenant.id, row.id]);
  const versions = await sql.query<{ id: string; version: number; status: PlanStatus; startDate: LocalDate; endedOn: LocalDate | null; totalMinor: unknown }>(
    `SELECT id, version, status, start_date::text AS "startDate", ended_on::text AS "endedOn", total_minor AS "totalMinor" FROM payment_plans WHERE tenant_id = $1 AND number = $2 ORDER BY version`,
    [ctx.tenant.id, row.number]);
  const events = await sql.query<{ event: string; onDate: LocalDate; actor: string; note: string | null; at: unknown; version: number }>(
    `SELECT e.event, e.on_date::text AS "onDate", e.actor, e.note, e.at, p.version FROM payment_plan_events e JOIN payment_plans p ON p.tenant_id = e.tenant_id AND p.id = e.plan_id
      WHERE e.tenant_id = $1 AND p.number = $2 ORDER BY e.at, e.id`, [ctx.tenant.id, row.number]);
  return {
    ...present(row, states.get(row.id)!.installments, states.get(row.id)!.state, asOf),
    items: items.map((i) => ({ document: i.document, installment: Number(i.seq), dueDate: i.dueDate, openAtPlan: f(i.openAtPlan), openNow: f(i.openNow) })),
    versions: versions.map((v) => ({ id: v.id, version: Number(v.version), status: v.status, startDate: v.startDate, endedOn: v.endedOn, total: f(v.totalMinor) })),
    events: events.map((e) => ({ event: e.event, onDate: e.onDate, actor: e.actor, note: e.note, at: new Date(e.at as string).toISOString(), version: Number(e.version) })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation: plans paid in full are completed; plans in default are cancelled when the company says so.

export const planEvaluateSchema = z.object({ asOf: localDateText.optional() }).strict();

export interface PlanEvaluation { asOf: LocalDate; evaluated: number; completed: number; cancelled: number; inDefault: number }

export async function evaluatePlans(ctx: Context, raw: z.input<typeof planEvaluateSchema> = {}, idempotencyKey?: string): Promise<PlanEvaluation> {
  const input = parseInput(planEvaluateSchema, raw, 'evaluate');
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  return withIdempotency(ctx, idempotencyKey, 'plans.evaluate', { asOf }, async (sql) => {
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`plans:${ctx.tenant.id}`]);
    const settings = await planSettings(sql, ctx);
    const rows = await sql.query<PlanRow>(`${PLAN_SELECT} WHERE p.tenant_id = $1 AND p.status = 'active' AND p.start_date <= $2 ORDER BY p.number`, [ctx.tenant.id, asOf]);
    const states = await loadStates(sql, ctx.tenant.id, rows, asOf, settings.autoCancelDays);
    const result: PlanEvaluation = { asOf, evaluated: rows.length, completed: 0, cancelled: 0, inDefault: 0 };
    for (const r of rows) {
      const { state } = states.get(r.id)!;
      if (state.complete) {
        result.completed += 1;
        await endPlan(ctx, sql, r, 'completed', asOf, 'every installment paid');
      } else if (state.defaulted) {
        result.inDefault += 1;
        result.cancelled += 1;
        await endPlan(ctx, sql, r, 'cancelled', asOf, `installment ${state.defaulted.seq} due ${state.defaulted.dueDate} unpaid ${state.defaulted.daysOverdue} days (more than ${settings.autoCancelDays})`);
      }
    }
    return result;
  });
}

/** The daily job: every company's plans evaluated at its own today. */
export async function runDailyPlans(db: Database, clock: Clock, log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): Promise<void> {
  for (const tenant of await listTenants(db)) {
    try {
      const result = await evaluatePlans({ db, tenant, clock, actor: 'job:plans.evaluate' });
      if (result.completed || result.cancelled) log?.info({ tenant: tenant.code, ...result }, 'payment plans evaluated');
    } catch (error) {
      log?.error({ tenant: tenant.code, err: error }, 'payment plan evaluation failed');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// For the dunning engine and the alert rules.

/** The item ids in a plan active at `asOf` (started on or before it and not ended by then): dunning leaves them alone. */
export async function itemsInPaymentPlans(ctx: Context, asOf: LocalDate, inTx?: Sql): Promise<Set<string>> {
  const read = (sql: Sql) => sql.query<{ itemId: string }>(
    `SELECT DISTINCT pi.item_id AS "itemId" FROM payment_plans p JOIN payment_plan_items pi ON pi.tenant_id = p.tenant_id AND pi.plan_id = p.id
      WHERE p.tenant_id = $1 AND p.start_date <= $2 AND (p.ended_on IS NULL OR p.ended_on > $2)`, [ctx.tenant.id, asOf]);
  // In the caller's transaction when it has one (the dunning run reads it in its own).
  const rows = inTx ? await read(inTx) : await ctx.db.tenant(ctx.tenant.id, read);
  return new Set(rows.map((r) => r.itemId));
}

/** Per customer (every one, or `customerIds`): the first installment of an active plan unpaid more than `days` after its date, for the alert rule. */
export async function missedInstallmentFacts(sql: Sql, tenantId: string, asOf: LocalDate, days: number, customerIds: readonly string[] | null): Promise<Map<string, { plan: string; seq: number; dueDate: LocalDate; daysOverdue: number; unpaidMinor: bigint; currency: string }>> {
  const rows = await sql.query<PlanRow>(
    `${PLAN_SELECT} WHERE p.tenant_id = $1 AND p.status = 'active' AND p.start_date <= $2 ${customerIds ? 'AND p.customer_id = ANY($3::uuid[])' : ''} ORDER BY p.number`,
    customerIds ? [tenantId, asOf, customerIds] : [tenantId, asOf]);
  const states = await loadStates(sql, tenantId, rows, asOf, days);
  const out = new Map<string, { plan: string; seq: number; dueDate: LocalDate; daysOverdue: number; unpaidMinor: bigint; currency: string }>();
  for (const r of rows) {
    const d = states.get(r.id)!.state.defaulted;
    if (!d) continue;
    const current = out.get(r.customerId);
    if (current && current.daysOverdue >= d.daysOverdue) continue;
    out.set(r.customerId, { plan: r.number, seq: d.seq, dueDate: d.dueDate, daysOverdue: d.daysOverdue, unpaidMinor: d.amountMinor - d.paidMinor, currency: r.currency });
  }
  return out;
}
