/**
 * Escalation (issue 6): a customer's open items handed over to a collection agency or to legal action. Agencies (and
 * law firms) carry a commission rate in basis points; a case copies the rate when it is opened, so a later change of
 * the agency's rate does not change what was agreed. A case records what was handed over (the items and their open
 * amounts then), recoveries and costs, and moves open → in_progress → closed_recovered | closed_partly |
 * closed_unrecoverable (src/domain/payment-plans.ts holds the transitions and the commission rule), with its history.
 *
 * A recovery is cash: recording one posts a payment in the ledger (src/modules/ledger postDocument) applied to the
 * case's items, oldest due first, in the same transaction as the recovery, idempotent under the caller's key and
 * audited. The commission (recovered × rate ÷ 10,000, half up) is the agency's cost, recorded, not posted to the
 * customer. A customer with an open legal case is "in legal": dunning leaves them alone (customersInLegal).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { AppError, conflict, invalid, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import {
  CASE_KINDS, CASE_OPEN_STATUSES, CASE_STATUSES, caseTransitions, closingProblem, commissionOf, parseRatePercent, rateText, type CaseKind, type CaseStatus,
} from '../../domain/payment-plans.ts';
import { assertInScope, listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { getCustomer, type Customer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument, resolveDocument } from '../ledger/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { CASE_KINDS, CASE_STATUSES, type CaseKind, type CaseStatus };

export const MAX_PAGE = 200;
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const percentText = z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'write the rate as a percentage with at most 2 decimals, like "15.00"');
const caseNotFound = (ref: string) => notFound('CASE_NOT_FOUND', `no escalation case has id or number ${ref}; list them with GET /api/v1/escalations/cases`, [{ field: 'id', message: 'not found' }]);
const customerNotFound = (code: string) => () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${code}; create it first or check the code`, [{ field: 'customer', message: 'unknown customer code' }]);

// ---------------------------------------------------------------------------------------------------------------
// Agencies.

export const agencySchema = z.object({
  code: z.string().trim().min(1).max(50),
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['agency', 'law_firm']).default('agency'),
  /** Percent of what is recovered ("15.00"). */
  commissionRate: percentText,
  contact: z.string().trim().max(200).optional(),
  email: z.string().trim().email().max(200).optional(),
  phone: z.string().trim().max(50).optional(),
}).strict();
export type AgencyInput = z.input<typeof agencySchema>;

export interface PresentedAgency { id: string; code: string; name: string; kind: 'agency' | 'law_firm'; commissionRate: string; contact: string | null; email: string | null; phone: string | null; openCases: number }

const AGENCY_SELECT = `SELECT a.id, a.code, a.name, a.kind, a.commission_bp AS "commissionBp", a.contact, a.email, a.phone,
  (SELECT count(*) FROM escalation_cases c WHERE c.tenant_id = a.tenant_id AND c.agency_id = a.id AND c.status IN ('open', 'in_progress')) AS "openCases"
  FROM collection_agencies a`;
type AgencyRow = Omit<PresentedAgency, 'commissionRate' | 'openCases'> & { commissionBp: number; openCases: unknown };
const presentAgency = (r: AgencyRow): PresentedAgency => ({ id: r.id, code: r.code, name: r.name, kind: r.kind, commissionRate: rateText(Number(r.commissionBp)), contact: r.contact, email: r.email, phone: r.phone, openCases: Number(r.openCases) });

/** Creates an agency or changes it (by code); audited with before and after. Cases keep the rate they were opened with. */
export async function saveAgency(ctx: Context, raw: AgencyInput, idempotencyKey?: string): Promise<PresentedAgency> {
  const input = parseInput(agencySchema, raw, 'agency');
  const bp = parseRatePercent(input.commissionRate)!;
  if (bp > 10_000) throw invalid('AGENCY_RATE_INVALID', 'commissionRate: at most 100.00 (percent of what is recovered)', [{ field: 'commissionRate', message: 'above 100' }]);
  return withIdempotency(ctx, idempotencyKey, 'agencies.save', input, async (sql) => {
    const [before] = await sql.query<AgencyRow>(`${AGENCY_SELECT} WHERE a.tenant_id = $1 AND a.code = $2`, [ctx.tenant.id, input.code]);
    await sql.query(
      `INSERT INTO collection_agencies (tenant_id, id, code, name, kind, commission_bp, contact, email, phone, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, kind = excluded.kind, commission_bp = excluded.commission_bp, contact = excluded.contact,
         email = excluded.email, phone = excluded.phone, updated_at = now()`,
      [ctx.tenant.id, uuidv7(), input.code, input.name, input.kind, bp, input.contact ?? null, input.email ?? null, input.phone ?? null, ctx.actor]);
    const [after] = await sql.query<AgencyRow>(`${AGENCY_SELECT} WHERE a.tenant_id = $1 AND a.code = $2`, [ctx.tenant.id, input.code]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'agencies.save', entityType: 'collection_agency', entityId: after!.id, before: before ? presentAgency(before) : undefined, after: presentAgency(after!) });
    return presentAgency(after!);
  });
}

export async function listAgencies(ctx: Context, sql: Sql): Promise<{ rows: PresentedAgency[] }> {
  const rows = await sql.query<AgencyRow>(`${AGENCY_SELECT} WHERE a.tenant_id = $1 ORDER BY a.code LIMIT ${MAX_PAGE}`, [ctx.tenant.id]);
  return { rows: rows.map(presentAgency) };
}

// ---------------------------------------------------------------------------------------------------------------
// Cases.

export const caseSchema = z.object({
  customer: z.string().trim().min(1).max(100),
  kind: z.enum(CASE_KINDS),
  /** The agency's (or law firm's) code: required for an agency case. */
  agency: z.string().trim().min(1).max(50).optional(),
  /** The lawyer in charge (legal cases), a name. */
  lawyer: z.string().trim().max(200).optional(),
  /** Commission in percent; default the agency's rate (none for a legal case without an agency). */
  commissionRate: percentText.optional(),
  /** The documents handed over (their open items); default every item of the customer overdue today in `currency`. */
  documents: z.array(z.string().trim().min(1).max(200)).min(1).max(200).optional(),
  currency: z.string().trim().length(3).optional(),
  note: z.string().trim().max(1000).optional(),
}).strict();
export type CaseInput = z.input<typeof caseSchema>;

export const transitionSchema = z.object({ to: z.enum(CASE_STATUSES), note: z.string().trim().max(1000).optional() }).strict();
export const recoverySchema = z.object({
  amount: amountText,
  /** The day the cash came in; default today, never later. */
  date: localDateText.optional(),
  /** The agency's or the court's reference for the remittance. */
  reference: z.string().trim().max(200).optional(),
  note: z.string().trim().max(1000).optional(),
}).strict();
export const costSchema = z.object({
  amount: amountText,
  date: localDateText.optional(),
  description: z.string().trim().min(3, 'say what the cost is, in a few words').max(500),
}).strict();
export const caseListSchema = z.object({
  status: z.enum(['active', 'closed', 'all', ...CASE_STATUSES]).default('active'),
  kind: z.enum(CASE_KINDS).optional(),
  customer: z.string().trim().min(1).max(100).optional(),
  agency: z.string().trim().min(1).max(50).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});

interface CaseRow {
  id: string; number: string; customerId: string; code: string; name: string; kind: CaseKind; agencyCode: string | null; agencyName: string | null; lawyer: string | null;
  currency: string; amountMinor: unknown; commissionBp: number; status: CaseStatus; openedOn: LocalDate; closedOn: LocalDate | null; note: string | null;
  createdBy: string; recoveredMinor: unknown; commissionMinor: unknown; costsMinor: unknown; openNowMinor: unknown; total?: unknown;
}

const CASE_SELECT = `
  SELECT x.id, x.number, x.customer_id AS "customerId", c.code, c.name, x.kind, a.code AS "agencyCode", a.name AS "agencyName", x.lawyer, x.currency,
         x.amount_minor AS "amountMinor", x.commission_bp AS "commissionBp", x.status, x.opened_on::text AS "openedOn", x.closed_on::text AS "closedOn", x.note,
         x.created_by AS "createdBy",
         (SELECT coalesce(sum(r.amount_minor), 0) FROM escalation_recoveries r WHERE r.tenant_id = x.tenant_id AND r.case_id = x.id) AS "recoveredMinor",
         (SELECT coalesce(sum(r.commission_minor), 0) FROM escalation_recoveries r WHERE r.tenant_id = x.tenant_id AND r.case_id = x.id) AS "commissionMinor",
         (SELECT coalesce(sum(k.amount_minor), 0) FROM escalation_costs k WHERE k.tenant_id = x.tenant_id AND k.case_id = x.id) AS "costsMinor",
         (SELECT coalesce(sum(b.open_minor), 0) FROM escalation_case_items ci JOIN item_balances b ON b.tenant_id = ci.tenant_id AND b.item_id = ci.item_id
           WHERE ci.tenant_id = x.tenant_id AND ci.case_id = x.id) AS "openNowMinor"
    FROM escalation_cases x JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id
    LEFT JOIN collection_agencies a ON a.tenant_id = x.tenant_id AND a.id = x.agency_id`;

export interface PresentedCase {
  id: string; number: string; customer: string; customerName: string; kind: CaseKind; agency: string | null; agencyName: string | null; lawyer: string | null;
  currency: string; handedOver: string; commissionRate: string; status: CaseStatus; openedOn: LocalDate; closedOn: LocalDate | null; note: string | null; openedBy: string;
  recovered: string; commission: string; costs: string;
  /** recovered − commission − costs: what the case brought the company. */
  net: string;
  /** Still open on the case's items today. */
  openNow: string;
  allowedTransitions: CaseStatus[];
}

function presentCase(r: CaseRow): PresentedCase {
  const f = (m: bigint) => formatAmount(m, r.currency);
  const recovered = big(r.recoveredMinor);
  const commission = big(r.commissionMinor);
  const costs = big(r.costsMinor);
  return {
    id: r.id, number: r.number, customer: r.code, customerName: r.name, kind: r.kind, agency: r.agencyCode, agencyName: r.agencyName, lawyer: r.lawyer, currency: r.currency,
    handedOver: f(big(r.amountMinor)), commissionRate: rateText(Number(r.commissionBp)), status: r.status, openedOn: r.openedOn, closedOn: r.closedOn, note: r.note, openedBy: r.createdBy,
    recovered: f(recovered), commission: f(commission), costs: f(costs), net: f(recovered - commission - costs), openNow: f(big(r.openNowMinor)),
    allowedTransitions: [...caseTransitions(r.status)],
  };
}

async function caseRow(ctx: Context, sql: Sql, ref: string, lock = false): Promise<CaseRow> {
  const byId = uuidPattern.test(ref);
  if (lock) await sql.query(`SELECT 1 AS locked FROM escalation_cases WHERE tenant_id = $1 AND ${byId ? 'id = $2::uuid' : 'number = $2'} FOR UPDATE`, [ctx.tenant.id, ref]);
  const [row] = await sql.query<CaseRow>(`${CASE_SELECT} WHERE x.tenant_id = $1 AND ${byId ? 'x.id = $2::uuid' : 'x.number = $2'}`, [ctx.tenant.id, ref]);
  if (!row) throw caseNotFound(ref);
  await assertInScope(ctx, sql, row.customerId, () => caseNotFound(ref));
  return row;
}

async function caseEvent(sql: Sql, ctx: Context, caseId: string, event: string, from: string | null, to: string, note: string | null): Promise<void> {
  await sql.query(`INSERT INTO escalation_events (tenant_id, id, case_id, event, from_status, to_status, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [ctx.tenant.id, uuidv7(), caseId, event, from, to, ctx.actor, note]);
}

/** Hands a customer's items over to an agency or to legal action. Idempotent, audited. */
export async function openCase(ctx: Context, raw: CaseInput, idempotencyKey?: string): Promise<PresentedCase> {
  const input = parseInput(caseSchema, raw, 'escalation case');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const id = await withIdempotency(ctx, idempotencyKey, 'escalations.open', input, async (sql) => {
    // Numbering, and the items' check against other cases and plans: one at a time per company (plans take the same lock).
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`plans:${ctx.tenant.id}`]);
    const customer: Customer = await getCustomer(sql, ctx.tenant.id, input.customer).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'not_found') throw customerNotFound(input.customer)();
      throw error;
    });
    await assertInScope(ctx, sql, customer.id, customerNotFound(input.customer));
    const currency = (input.currency ?? customer.currency).toUpperCase();
    let agency: { id: string; kind: string; commissionBp: number } | null = null;
    if (input.agency) {
      const [a] = await sql.query<{ id: string; kind: string; commissionBp: number }>(`SELECT id, kind, commission_bp AS "commissionBp" FROM collection_agencies WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.agency]);
      if (!a) throw notFound('AGENCY_NOT_FOUND', `agency: no agency has code ${input.agency}; add it first (POST /api/v1/escalations/agencies)`, [{ field: 'agency', message: 'not found' }]);
      agency = a;
    }
    if (input.kind === 'agency' && !agency) throw invalid('CASE_AGENCY_REQUIRED', 'agency: an agency case names the agency it is handed to (its code)', [{ field: 'agency', message: 'required' }]);
    if (input.kind === 'agency' && agency!.kind !== 'agency') throw invalid('CASE_AGENCY_KIND', `agency: ${input.agency} is a law firm; open a legal case with it, or name a collection agency`, [{ field: 'agency', message: 'a law firm' }]);
    const commissionBp = input.commissionRate !== undefined ? parseRatePercent(input.commissionRate)! : agency ? Number(agency.commissionBp) : 0;
    if (commissionBp > 10_000) throw invalid('CASE_RATE_INVALID', 'commissionRate: at most 100.00', [{ field: 'commissionRate', message: 'above 100' }]);
    // The items: open debit items of the customer in the currency, in no other open case and no active plan.
    const open = await sql.query<{ itemId: string; document: string; dueDate: LocalDate | null; openMinor: unknown; caseNumber: string | null; plan: string | null }>(
      `SELECT b.item_id AS "itemId", d.number AS document, b.due_date::text AS "dueDate", b.open_minor AS "openMinor",
              (SELECT x.number FROM escalation_case_items ci JOIN escalation_cases x ON x.tenant_id = ci.tenant_id AND x.id = ci.case_id
                WHERE ci.tenant_id = b.tenant_id AND ci.item_id = b.item_id AND x.status IN ('open', 'in_progress') LIMIT 1) AS "caseNumber",
              (SELECT p.number FROM payment_plan_items pi JOIN payment_plans p ON p.tenant_id = pi.tenant_id AND p.id = pi.plan_id
                WHERE pi.tenant_id = b.tenant_id AND pi.item_id = b.item_id AND p.status = 'active' LIMIT 1) AS plan
         FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
        WHERE b.tenant_id = $1 AND b.customer_id = $2 AND b.side = 'debit' AND b.currency = $3 AND b.open_minor > 0
        ORDER BY b.due_date, d.number, i.seq LIMIT 1000`, [ctx.tenant.id, customer.id, currency]);
    let chosen = open;
    if (input.documents) {
      chosen = [];
      for (const [n, ref] of input.documents.entries()) {
        const field = `documents.${n}`;
        const doc = await resolveDocument(sql, ctx.tenant.id, ref).catch((error: unknown) => {
          if (error instanceof AppError && error.kind === 'not_found') throw notFound(error.code, `${field}: ${error.message}`, [{ field, message: 'not found' }]);
          throw error;
        });
        if (doc.customerId !== customer.id) throw invalid('CASE_ITEM_OTHER_CUSTOMER', `${field}: ${doc.number} is customer ${doc.customerCode}'s, not ${customer.code}'s`, [{ field, message: 'other customer' }]);
        const lines = open.filter((o) => o.document === doc.number);
        if (!lines.length) throw invalid('CASE_ITEM_NOT_OPEN', `${field}: ${doc.number} has nothing open in ${currency}`, [{ field, message: 'nothing open' }]);
        for (const l of lines) {
          if (l.caseNumber) throw conflict('CASE_ITEM_ELSEWHERE', `${field}: ${doc.number} is already handed over in case ${l.caseNumber}`, [{ field, message: `in case ${l.caseNumber}` }]);
          if (l.plan) throw conflict('CASE_ITEM_IN_PLAN', `${field}: ${doc.number} is in payment plan ${l.plan}; cancel the plan first`, [{ field, message: `in plan ${l.plan}` }]);
          if (!chosen.includes(l)) chosen.push(l);
        }
      }
    } else {
      chosen = open.filter((o) => !o.caseNumber && !o.plan && o.dueDate !== null && o.dueDate < today);
      if (!chosen.length) throw invalid('CASE_NOTHING_OVERDUE', `documents: customer ${customer.code} has nothing overdue in ${currency} outside other cases and plans; name the documents to hand over`, [{ field: 'documents', message: 'nothing overdue' }]);
    }
    const amount = chosen.reduce((s, o) => s + big(o.openMinor), 0n);
    const [n] = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM escalation_cases WHERE tenant_id = $1`, [ctx.tenant.id]);
    const number = `EC-${String(Number(n!.n) + 1).padStart(4, '0')}`;
    const caseId = uuidv7();
    await sql.query(
      `INSERT INTO escalation_cases (tenant_id, id, number, customer_id, kind, agency_id, lawyer, currency, amount_minor, commission_bp, opened_on, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [ctx.tenant.id, caseId, number, customer.id, input.kind, agency?.id ?? null, input.lawyer ?? null, currency, amount, commissionBp, today, input.note ?? null, ctx.actor]);
    for (const o of chosen) await sql.query(`INSERT INTO escalation_case_items (tenant_id, case_id, item_id, amount_minor) VALUES ($1, $2, $3, $4)`, [ctx.tenant.id, caseId, o.itemId, big(o.openMinor)]);
    await caseEvent(sql, ctx, caseId, 'opened', null, 'open', input.note ?? null);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'escalations.open', entityType: 'escalation_case', entityId: caseId,
      after: { number, customer: customer.code, kind: input.kind, agency: input.agency ?? null, amount: formatAmount(amount, currency), currency, commissionRate: rateText(commissionBp), documents: [...new Set(chosen.map((o) => o.document))] },
    });
    return caseId;
  });
  return ctx.db.tenant(ctx.tenant.id, async (sql) => presentCase(await caseRow(ctx, sql, id)));
}

/** Moves a case on (open → in_progress → closed_…); closing must match what was recovered. Audited, idempotent. */
export async function transitionCase(ctx: Context, ref: string, raw: z.input<typeof transitionSchema>, idempotencyKey?: string): Promise<PresentedCase> {
  const input = parseInput(transitionSchema, raw, 'transition');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const id = await withIdempotency(ctx, idempotencyKey, 'escalations.transition', { ref, ...input }, async (sql) => {
    const row = await caseRow(ctx, sql, ref, true);
    const allowed = caseTransitions(row.status);
    if (!allowed.includes(input.to)) throw conflict('CASE_TRANSITION_NOT_ALLOWED', `to: case ${row.number} is ${row.status}; it may go to ${allowed.length ? allowed.join(', ') : 'nowhere (it is closed)'}`, [{ field: 'to', message: 'not allowed' }]);
    const problem = closingProblem(input.to, big(row.amountMinor), big(row.recoveredMinor));
    if (problem) throw conflict('CASE_CLOSING_MISMATCH', `to: ${problem}`, [{ field: 'to', message: problem }]);
    const closing = !CASE_OPEN_STATUSES.includes(input.to);
    await sql.query(`UPDATE escalation_cases SET status = $3, closed_on = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, row.id, input.to, closing ? today : null]);
    await caseEvent(sql, ctx, row.id, 'transition', row.status, input.to, input.note ?? null);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'escalations.transition', entityType: 'escalation_case', entityId: row.id, before: { status: row.status }, after: { status: input.to, note: input.note ?? null } });
    return row.id;
  });
  return ctx.db.tenant(ctx.tenant.id, async (sql) => presentCase(await caseRow(ctx, sql, id)));
}

export interface RecoveryResult { case: PresentedCase; recovery: { id: string; date: LocalDate; amount: string; commission: string; payment: string; applied: { document: string; amount: string }[] } }

/**
 * Records cash recovered on a case: posts a payment and applies it to the case's items, oldest due first, in one
 * transaction with the recovery; the commission is computed at the case's rate. An open case moves to in_progress.
 */
export async function recordRecovery(ctx: Context, ref: string, raw: z.input<typeof recoverySchema>, idempotencyKey?: string): Promise<RecoveryResult> {
  const input = parseInput(recoverySchema, raw, 'recovery');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const date = input.date ? parseDate(input.date, 'date') : today;
  if (date > today) throw invalid('RECOVERY_IN_FUTURE', `date: ${date} is after today (${today}); record cash that has come in`, [{ field: 'date', message: 'in the future' }]);
  return withIdempotency(ctx, idempotencyKey, 'escalations.recovery', { ref, ...input, date }, async (sql) => {
    const row = await caseRow(ctx, sql, ref, true);
    if (!CASE_OPEN_STATUSES.includes(row.status)) throw conflict('CASE_CLOSED', `case ${row.number} is ${row.status}; recoveries are recorded on open cases`, [{ field: 'id', message: row.status }]);
    if (date < row.openedOn) throw invalid('RECOVERY_BEFORE_CASE', `date: ${date} is before the case was opened (${row.openedOn})`, [{ field: 'date', message: 'before the case' }]);
    const amount = parseAmount(input.amount, row.currency, 'amount');
    if (amount <= 0n) throw invalid('RECOVERY_NOT_POSITIVE', 'amount: a recovery is above zero', [{ field: 'amount', message: 'not above zero' }]);
    // What is open on the case's items, per document, oldest due first.
    const docs = await sql.query<{ document: string; openMinor: unknown }>(
      `SELECT d.number AS document, sum(b.open_minor) AS "openMinor", min(b.due_date) AS due
         FROM escalation_case_items ci JOIN item_balances b ON b.tenant_id = ci.tenant_id AND b.item_id = ci.item_id
         JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
        WHERE ci.tenant_id = $1 AND ci.case_id = $2 AND b.open_minor > 0 GROUP BY d.number ORDER BY min(b.due_date), d.number`, [ctx.tenant.id, row.id]);
    const openTotal = docs.reduce((s, d) => s + big(d.openMinor), 0n);
    if (amount > openTotal) throw invalid('RECOVERY_ABOVE_OPEN', `amount: ${formatAmount(amount, row.currency)} is more than is open on the case's items (${formatAmount(openTotal, row.currency)}); record the excess as a payment of its own`, [{ field: 'amount', message: 'above what is open' }]);
    const applied: { document: string; amount: string }[] = [];
    let left = amount;
    for (const d of docs) {
      if (left === 0n) break;
      const part = big(d.openMinor) < left ? big(d.openMinor) : left;
      applied.push({ document: d.document, amount: formatAmount(part, row.currency) });
      left -= part;
    }
    const posted = await postDocument(ctx, {
      kind: 'payment', customer: row.code, currency: row.currency, documentDate: date, amount: formatAmount(amount, row.currency), appliesTo: applied,
      memo: `recovered on escalation case ${row.number}${row.agencyCode ? ` by ${row.agencyCode}` : ''}${input.reference ? `, reference ${input.reference}` : ''}`,
    }, sql);
    const commission = commissionOf(amount, Number(row.commissionBp));
    const id = uuidv7();
    await sql.query(
      `INSERT INTO escalation_recoveries (tenant_id, id, case_id, recovered_on, amount_minor, commission_minor, payment_document_id, reference, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [ctx.tenant.id, id, row.id, date, amount, commission, posted.document.id, input.reference ?? null, input.note ?? null, ctx.actor]);
    if (row.status === 'open') {
      await sql.query(`UPDATE escalation_cases SET status = 'in_progress', updated_at = now() WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, row.id]);
      await caseEvent(sql, ctx, row.id, 'transition', 'open', 'in_progress', 'first recovery');
    }
    await caseEvent(sql, ctx, row.id, 'recovery', null, row.status === 'open' ? 'in_progress' : row.status, `${formatAmount(amount, row.currency)} recovered (payment ${posted.document.number}), commission ${formatAmount(commission, row.currency)}`);
    const recovery = { id, date, amount: formatAmount(amount, row.currency), commission: formatAmount(commission, row.currency), payment: posted.document.number, applied };
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'escalations.recovery', entityType: 'escalation_case', entityId: row.id, after: recovery });
    return { case: presentCase(await caseRow(ctx, sql, row.id)), recovery };
  });
}

/** Records a cost of a case (court fee, lawyer's fee…). Append-only, audited, idempotent. */
export async function recordCost(ctx: Context, ref: string, raw: z.input<typeof costSchema>, idempotencyKey?: string): Promise<PresentedCase> {
  const input = parseInput(costSchema, raw, 'cost');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const date = input.date ? parseDate(input.date, 'date') : today;
  return withIdempotency(ctx, idempotencyKey, 'escalations.cost', { ref, ...input, date }, async (sql) => {
    const row = await caseRow(ctx, sql, ref, true);
    const amount = parseAmount(input.amount, row.currency, 'amount');
    if (amount <= 0n) throw invalid('COST_NOT_POSITIVE', 'amount: a cost is above zero', [{ field: 'amount', message: 'not above zero' }]);
    const id = uuidv7();
    await sql.query(`INSERT INTO escalation_costs (tenant_id, id, case_id, incurred_on, amount_minor, description, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ctx.tenant.id, id, row.id, date, amount, input.description, ctx.actor]);
    await caseEvent(sql, ctx, row.id, 'cost', null, row.status, `${formatAmount(amount, row.currency)}: ${input.description}`);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'escalations.cost', entityType: 'escalation_case', entityId: row.id, after: { date, amount: formatAmount(amount, row.currency), description: input.description } });
    return presentCase(await caseRow(ctx, sql, row.id));
  });
}

export async function listCases(ctx: Context, sql: Sql, raw: z.input<typeof caseListSchema> = {}): Promise<{ total: number; rows: PresentedCase[]; nextCursor: string | null }> {
  const q = parseInput(caseListSchema, raw, 'cases');
  const { where, params, add, inScope } = listFilter('x', ctx.tenant.id);
  if (q.status === 'active') where.push(`x.status IN ('open', 'in_progress')`);
  else if (q.status === 'closed') where.push(`x.status NOT IN ('open', 'in_progress')`);
  else if (q.status !== 'all') add((n) => `x.status = $${n}`, q.status);
  if (q.kind) add((n) => `x.kind = $${n}`, q.kind);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  if (q.agency) add((n) => `a.code = $${n}`, q.agency);
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<CaseRow>(
    `${CASE_SELECT.replace('x.created_by AS "createdBy",', 'x.created_by AS "createdBy", count(*) OVER () AS total,')}
      WHERE ${where.join(' AND ')} ORDER BY x.opened_on DESC, x.number DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: rows.map(presentCase), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

export interface CaseDetail extends PresentedCase {
  items: { document: string; installment: number; dueDate: LocalDate | null; handedOver: string; openNow: string }[];
  recoveries: { id: string; date: LocalDate; amount: string; commission: string; payment: string; reference: string | null; note: string | null; recordedBy: string }[];
  costEntries: { date: LocalDate; amount: string; description: string; recordedBy: string }[];
  events: { event: string; from: string | null; to: string; actor: string; note: string | null; at: string }[];
}

export async function getCase(ctx: Context, sql: Sql, ref: string): Promise<CaseDetail> {
  const row = await caseRow(ctx, sql, ref);
  const f = (m: unknown) => formatAmount(big(m), row.currency);
  const items = await sql.query<{ document: string; seq: number; dueDate: LocalDate | null; amount: unknown; openNow: unknown }>(
    `SELECT d.number AS document, i.seq, i.due_date::text AS "dueDate", ci.amount_minor AS amount, b.open_minor AS "openNow"
       FROM escalation_case_items ci JOIN items i ON i.tenant_id = ci.tenant_id AND i.id = ci.item_id JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
       JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id WHERE ci.tenant_id = $1 AND ci.case_id = $2 ORDER BY i.due_date, d.number, i.seq`, [ctx.tenant.id, row.id]);
  const recoveries = await sql.query<{ id: string; date: LocalDate; amount: unknown; commission: unknown; payment: string; reference: string | null; note: string | null; recordedBy: string }>(
    `SELECT r.id, r.recovered_on::text AS date, r.amount_minor AS amount, r.commission_minor AS commission, d.number AS payment, r.reference, r.note, r.created_by AS "recordedBy"
       FROM escalation_recoveries r JOIN documents d ON d.tenant_id = r.tenant_id AND d.id = r.payment_document_id WHERE r.tenant_id = $1 AND r.case_id = $2 ORDER BY r.recovered_on, r.created_at`, [ctx.tenant.id, row.id]);
  const costs = await sql.query<{ date: LocalDate; amount: unknown; description: string; recordedBy: string }>(
    `SELECT incurred_on::text AS date, amount_minor AS amount, description, created_by AS "recordedBy" FROM escalation_costs WHERE tenant_id = $1 AND case_id = $2 ORDER BY incurred_on, created_at`, [ctx.tenant.id, row.id]);
  const events = await sql.query<{ event: string; from: string | null; to: string; actor: string; note: string | null; at: unknown }>(
    `SELECT event, from_status AS "from", to_status AS "to", actor, note, at FROM escalation_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`, [ctx.tenant.id, row.id]);
  return {
    ...presentCase(row),
    items: items.map((i) => ({ document: i.document, installment: Number(i.seq), dueDate: i.dueDate, handedOver: f(i.amount), openNow: f(i.openNow) })),
    recoveries: recoveries.map((r) => ({ ...r, amount: f(r.amount), commission: f(r.commission) })),
    costEntries: costs.map((k) => ({ ...k, amount: f(k.amount) })),
    events: events.map((e) => ({ ...e, at: new Date(e.at as string).toISOString() })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// For the dunning engine.

/** Customer ids with a legal case open at `asOf` (opened on or before it, not closed by then): "in legal". */
export async function customersInLegal(ctx: Context, asOf: LocalDate, inTx?: Sql): Promise<Set<string>> {
  const read = (sql: Sql) => sql.query<{ customerId: string }>(
    `SELECT DISTINCT customer_id AS "customerId" FROM escalation_cases
      WHERE tenant_id = $1 AND kind = 'legal' AND opened_on <= $2 AND (closed_on IS NULL OR closed_on > $2)`, [ctx.tenant.id, asOf]);
  const rows = inTx ? await read(inTx) : await ctx.db.tenant(ctx.tenant.id, read);
  return new Set(rows.map((r) => r.customerId));
}

/** Item ids handed over in a case open at `asOf` (agency or legal): the agency collects them, not dunning. */
export async function itemsInEscalation(ctx: Context, asOf: LocalDate, inTx?: Sql): Promise<Set<string>> {
  const read = (sql: Sql) => sql.query<{ itemId: string }>(
    `SELECT DISTINCT ci.item_id AS "itemId" FROM escalation_cases x JOIN escalation_case_items ci ON ci.tenant_id = x.tenant_id AND ci.case_id = x.id
      WHERE x.tenant_id = $1 AND x.opened_on <= $2 AND (x.closed_on IS NULL OR x.closed_on > $2)`, [ctx.tenant.id, asOf]);
  const rows = inTx ? await read(inTx) : await ctx.db.tenant(ctx.tenant.id, read);
  return new Set(rows.map((r) => r.itemId));
}
