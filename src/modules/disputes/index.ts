/**
 * Disputes (争议发票): raise a dispute on a customer's open items, move it through investigation to its outcome, list
 * and report them, and tell aging and the KPIs what is disputed at a date. Load → src/domain/disputes.ts → persist,
 * one transaction each, audited, idempotent under the caller's key.
 *
 * Scope: collectors and sales people raise and see disputes of their own customers only (src/modules/access/scope.ts);
 * another customer is answered as not found. Resolution names a credit note that already exists in the ledger (found
 * through the ledger module); this module posts nothing.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { addDays, parseDate, type LocalDate } from '../../domain/dates.ts';
import {
  ACTIVE_STATUSES, checkNewDispute, checkTransition, DEFAULT_DUE_DAYS, DISPUTE_REASONS, DISPUTE_STATUSES, isOverdue, MAX_DISPUTE_ITEMS, OWNER_TEAMS,
  type DisputableItem, type DisputeReason, type DisputeStatus, type OwnerTeam,
} from '../../domain/disputes.ts';
import { AppError, invalid, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import { assertInScope, customerScope, listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { getCustomer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { resolveDocument } from '../ledger/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { DISPUTE_REASONS, DISPUTE_STATUSES, OWNER_TEAMS, type DisputeReason, type DisputeStatus, type OwnerTeam };

const handle = z.string().trim().min(1).max(100);
const code = z.string().trim().min(1).max(100);
const noteText = z.string().trim().max(1000);

export const raiseSchema = z.object({
  customer: code,
  reason: z.enum(DISPUTE_REASONS),
  ownerTeam: z.enum(OWNER_TEAMS),
  /** A user's handle (optional): who in the team works on it. */
  ownerUser: handle.optional(),
  /** When it should be settled; default raised + 14 days. */
  dueDate: localDateText.optional(),
  note: noteText.optional(),
  items: z.array(z.object({
    /** The document's number, or KIND:NUMBER. */
    document: z.string().trim().min(1).max(200),
    /** The installment (default 1). */
    installment: z.coerce.number().int().min(1).max(999).default(1),
    /** The disputed amount in major units ("1234.56"), at most the item's open amount. */
    amount: amountText,
  }).strict()).min(1, 'name at least one open invoice item').max(MAX_DISPUTE_ITEMS),
}).strict();
export type RaiseInput = z.input<typeof raiseSchema>;

export const transitionSchema = z.object({
  to: z.enum(DISPUTE_STATUSES),
  note: noteText.optional(),
  /** resolved_credit_note (required), partly_accepted (optional): the credit note's number (or credit_note:NUMBER). */
  creditNote: z.string().trim().min(1).max(200).optional(),
  /** partly_accepted: the part of the disputed amount accepted, in major units. */
  acceptedAmount: amountText.optional(),
}).strict();
export type TransitionInput = z.input<typeof transitionSchema>;

export const MAX_PAGE = 200;
export const STATUS_FILTERS = ['active', 'closed', 'all', ...DISPUTE_STATUSES] as const;
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const listSchema = z.object({
  /** `active` (default): open and investigating; `closed`: the three outcomes. */
  status: z.enum(STATUS_FILTERS).default('active'),
  customer: code.optional(),
  reason: z.enum(DISPUTE_REASONS).optional(),
  /** An owner team (sales, logistics, finance), a user's handle, or `me`. */
  owner: handle.optional(),
  /** Only active disputes past their due date (true), or only those not (false). */
  overdue: flag.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type ListQuery = z.input<typeof listSchema>;

export const REPORT_GROUPINGS = ['reason', 'customer', 'owner'] as const;
export const reportSchema = z.object({
  /** Disputes raised from (inclusive); default 89 days before `to`. */
  from: localDateText.optional(),
  /** … to (inclusive); default today. */
  to: localDateText.optional(),
  by: z.enum(REPORT_GROUPINGS).default('reason'),
});
export type ReportQuery = z.input<typeof reportSchema>;

export interface PresentedDisputeItem {
  document: string;
  kind: string;
  installment: number;
  dueDate: LocalDate | null;
  amount: string;
  openAtRaise: string;
}

export interface PresentedDispute {
  id: string;
  customer: string;
  customerName: string;
  reason: DisputeReason;
  status: DisputeStatus;
  ownerTeam: OwnerTeam;
  ownerUser: string | null;
  currency: string;
  amount: string;
  /** What the outcome accepted: all (credit note), none (rejected), a part; null while active. */
  acceptedAmount: string | null;
  creditNote: string | null;
  raisedOn: LocalDate;
  dueDate: LocalDate;
  closedOn: LocalDate | null;
  /** Active and past its due date, today. */
  overdue: boolean;
  note: string | null;
  raisedBy: string;
  /** The documents it covers, as "INV-1" or "INV-1 #2". */
  documents: string[];
}

export interface DisputeEvent { event: 'raised' | 'transition'; from: DisputeStatus | null; to: DisputeStatus; actor: string; note: string | null; at: string }

interface DisputeRow {
  id: string; customerId: string; code: string; name: string; reason: DisputeReason; status: DisputeStatus; ownerTeam: OwnerTeam; ownerUser: string | null;
  currency: string; amountMinor: unknown; acceptedMinor: unknown; creditNote: string | null; raisedOn: LocalDate; dueDate: LocalDate; closedOn: LocalDate | null;
  note: string | null; createdBy: string; documents: string[] | null; total?: unknown;
}

const DISPUTE_SELECT = `
  SELECT x.id, x.customer_id AS "customerId", c.code, c.name, x.reason, x.status, x.owner_team AS "ownerTeam", x.owner_user AS "ownerUser",
         x.currency, x.amount_minor AS "amountMinor", x.accepted_minor AS "acceptedMinor", cn.number AS "creditNote",
         x.raised_on::text AS "raisedOn", x.due_date::text AS "dueDate", x.closed_on::text AS "closedOn", x.note, x.created_by AS "createdBy",
         (SELECT array_agg(d.number || CASE WHEN i.seq > 1 THEN ' #' || i.seq ELSE '' END ORDER BY d.number, i.seq)
            FROM dispute_items di JOIN items i ON i.tenant_id = di.tenant_id AND i.id = di.item_id
            JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
           WHERE di.tenant_id = x.tenant_id AND di.dispute_id = x.id) AS documents
    FROM disputes x
    JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id
    LEFT JOIN documents cn ON cn.tenant_id = x.tenant_id AND cn.id = x.credit_note_document_id`;

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));

function present(r: DisputeRow, today: LocalDate): PresentedDispute {
  return {
    id: r.id, customer: r.code, customerName: r.name, reason: r.reason, status: r.status, ownerTeam: r.ownerTeam, ownerUser: r.ownerUser,
    currency: r.currency, amount: formatAmount(big(r.amountMinor), r.currency),
    acceptedAmount: r.acceptedMinor === null || r.acceptedMinor === undefined ? null : formatAmount(big(r.acceptedMinor), r.currency),
    creditNote: r.creditNote, raisedOn: r.raisedOn, dueDate: r.dueDate, closedOn: r.closedOn, overdue: isOverdue(r, today),
    note: r.note, raisedBy: r.createdBy, documents: r.documents ?? [],
  };
}

async function checkOwnerUser(sql: Sql, ctx: Context, ownerUser: string | undefined): Promise<void> {
  if (!ownerUser) return;
  const [user] = await sql.query(`SELECT 1 AS found FROM users WHERE tenant_id = $1 AND handle = $2 AND status = 'active'`, [ctx.tenant.id, ownerUser]);
  if (!user) throw invalid('UNKNOWN_OWNER', `ownerUser: no active user has the handle ${ownerUser}; leave it out to give the dispute to the team`, [{ field: 'ownerUser', message: 'no such user' }]);
}

/** Raises a dispute on open items of one customer (in the caller's scope); audited, idempotent. */
export async function raiseDispute(ctx: Context, raw: RaiseInput, idempotencyKey?: string): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const input = parseInput(raiseSchema, raw, 'dispute');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const dueDate = input.dueDate ? parseDate(input.dueDate, 'dueDate') : addDays(today, DEFAULT_DUE_DAYS);
  if (dueDate < today) throw invalid('DISPUTE_DUE_IN_PAST', `dueDate: ${dueDate} is before today (${today}); give today or a later date`, [{ field: 'dueDate', message: 'in the past' }]);
  return withIdempotency(ctx, idempotencyKey, 'disputes.raise', input, (sql) => raiseIn(sql, ctx, input, dueDate));
}

/**
 * Raises a dispute inside the caller's transaction (cash matching raises one for a payer's deduction together with
 * the payment). `raw` is checked here; the caller's idempotency covers it.
 */
export async function raiseDisputeIn(sql: Sql, ctx: Context, raw: RaiseInput): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const input = parseInput(raiseSchema, raw, 'dispute');
  const today = tenantToday(ctx.tenant, ctx.clock);
  return raiseIn(sql, ctx, input, input.dueDate ? parseDate(input.dueDate, 'dueDate') : addDays(today, DEFAULT_DUE_DAYS));
}

async function raiseIn(sql: Sql, ctx: Context, input: z.output<typeof raiseSchema>, dueDate: LocalDate): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const today = tenantToday(ctx.tenant, ctx.clock);
  const customer = await getCustomer(sql, ctx.tenant.id, input.customer);
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${input.customer}; create it first or check the code`, [{ field: 'customer', message: 'unknown customer code' }]));
  await checkOwnerUser(sql, ctx, input.ownerUser);
  // One raise at a time per customer: two at once could both dispute the same item.
  await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`disputes:${customer.id}`]);
  const lines: { item: DisputableItem; amountMinor: bigint; itemId: string }[] = [];
  for (const [n, line] of input.items.entries()) {
    const field = `items.${n}.document`;
    let doc;
    try {
      doc = await resolveDocument(sql, ctx.tenant.id, line.document);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not_found') throw notFound(error.code, `${field}: ${error.message}`, [{ field, message: 'not found' }]);
      throw error;
    }
    if (doc.customerId !== customer.id) throw invalid('DISPUTE_ITEM_OTHER_CUSTOMER', `${field}: ${doc.number} is customer ${doc.customerCode}'s, not ${customer.code}'s; raise a dispute per customer`, [{ field, message: 'other customer' }]);
    const [item] = await sql.query<{ id: string; side: 'debit' | 'credit'; currency: string; openMinor: unknown; disputed: boolean }>(
      `SELECT i.id, i.side, i.currency, b.open_minor AS "openMinor",
              EXISTS (SELECT 1 FROM dispute_items di JOIN disputes x ON x.tenant_id = di.tenant_id AND x.id = di.dispute_id
                       WHERE di.tenant_id = $1 AND di.item_id = i.id AND x.status IN ('open', 'investigating')) AS disputed
         FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
        WHERE i.tenant_id = $1 AND i.document_id = $2 AND i.seq = $3`, [ctx.tenant.id, doc.id, line.installment]);
    if (!item) throw notFound('DISPUTE_ITEM_NOT_FOUND', `items.${n}.installment: ${doc.number} has no installment ${line.installment}`, [{ field: `items.${n}.installment`, message: 'no such installment' }]);
    const reference = line.installment > 1 ? `${doc.number} #${line.installment}` : doc.number;
    lines.push({
      itemId: item.id,
      item: { reference, side: item.side, currency: item.currency, openMinor: big(item.openMinor), inOpenDispute: item.disputed },
      amountMinor: parseAmount(line.amount, item.currency, `items.${n}.amount`),
    });
  }
  const { currency, amountMinor } = checkNewDispute(lines);
  const id = uuidv7();
  await sql.query(
    `INSERT INTO disputes (tenant_id, id, customer_id, reason, owner_team, owner_user, currency, amount_minor, raised_on, due_date, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [ctx.tenant.id, id, customer.id, input.reason, input.ownerTeam, input.ownerUser ?? null, currency, amountMinor, today, dueDate, input.note ?? null, ctx.actor]);
  for (const l of lines) {
    await sql.query(`INSERT INTO dispute_items (tenant_id, dispute_id, item_id, amount_minor, open_at_raise_minor) VALUES ($1, $2, $3, $4, $5)`,
      [ctx.tenant.id, id, l.itemId, l.amountMinor, l.item.openMinor]);
  }
  await event(sql, ctx, id, 'raised', null, 'open', input.note ?? null);
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: 'disputes.raise', entityType: 'dispute', entityId: id, reason: input.note ?? null,
    after: { customer: customer.code, reason: input.reason, ownerTeam: input.ownerTeam, ownerUser: input.ownerUser ?? null, currency, amount: formatAmount(amountMinor, currency), dueDate, items: lines.map((l) => ({ item: l.item.reference, amount: formatAmount(l.amountMinor, currency) })) },
  });
  return getDispute(ctx, sql, id);
}

async function event(sql: Sql, ctx: Context, disputeId: string, kind: 'raised' | 'transition', from: DisputeStatus | null, to: DisputeStatus, note: string | null): Promise<void> {
  await sql.query(`INSERT INTO dispute_events (tenant_id, id, dispute_id, event, from_status, to_status, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [ctx.tenant.id, uuidv7(), disputeId, kind, from, to, ctx.actor, note]);
}

async function disputeInScope(ctx: Context, sql: Sql, id: string, lock = false): Promise<DisputeRow> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound('DISPUTE_NOT_FOUND', `no dispute has id ${id}`);
  const scope = customerScope(ctx);
  const [row] = await sql.query<DisputeRow>(
    `${DISPUTE_SELECT} WHERE x.tenant_id = $1 AND x.id = $2 ${scope ? `AND c.${scope.field} = $3` : ''}${lock ? ' FOR UPDATE OF x' : ''}`,
    scope ? [ctx.tenant.id, id, scope.handle] : [ctx.tenant.id, id]);
  if (!row) throw notFound('DISPUTE_NOT_FOUND', `no dispute has id ${id}`);
  return row;
}

/** One dispute with its items and history. */
export async function getDispute(ctx: Context, sql: Sql, id: string): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const row = await disputeInScope(ctx, sql, id);
  const items = await sql.query<{ number: string; kind: string; seq: number; dueDate: LocalDate | null; amountMinor: unknown; openMinor: unknown }>(
    `SELECT d.number, d.kind, i.seq, i.due_date::text AS "dueDate", di.amount_minor AS "amountMinor", di.open_at_raise_minor AS "openMinor"
       FROM dispute_items di JOIN items i ON i.tenant_id = di.tenant_id AND i.id = di.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
      WHERE di.tenant_id = $1 AND di.dispute_id = $2 ORDER BY d.number, i.seq`, [ctx.tenant.id, id]);
  const events = await sql.query<{ event: DisputeEvent['event']; from: DisputeStatus | null; to: DisputeStatus; actor: string; note: string | null; at: unknown }>(
    `SELECT event, from_status AS "from", to_status AS "to", actor, note, at FROM dispute_events WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY at, id`, [ctx.tenant.id, id]);
  return {
    ...present(row, tenantToday(ctx.tenant, ctx.clock)),
    items: items.map((i) => ({ document: i.number, kind: i.kind, installment: Number(i.seq), dueDate: i.dueDate, amount: formatAmount(big(i.amountMinor), row.currency), openAtRaise: formatAmount(big(i.openMinor), row.currency) })),
    events: events.map((e) => ({ ...e, at: new Date(e.at as string).toISOString() })),
  };
}

/** Moves a dispute to its next status (src/domain/disputes.ts decides what is allowed); audited, in its history. */
export async function transitionDispute(ctx: Context, id: string, raw: TransitionInput, idempotencyKey?: string): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const input = parseInput(transitionSchema, raw, 'transition');
  return withIdempotency(ctx, idempotencyKey, 'disputes.transition', { id, ...input }, (sql) => transitionIn(sql, ctx, id, input));
}

/** Moves a dispute on inside the caller's transaction (undoing a bank line withdraws the deduction it raised). */
export async function transitionDisputeIn(sql: Sql, ctx: Context, id: string, raw: TransitionInput): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  return transitionIn(sql, ctx, id, parseInput(transitionSchema, raw, 'transition'));
}

async function transitionIn(sql: Sql, ctx: Context, id: string, input: z.output<typeof transitionSchema>): Promise<PresentedDispute & { items: PresentedDisputeItem[]; events: DisputeEvent[] }> {
  const row = await disputeInScope(ctx, sql, id, true);
  let creditNote: { id: string; number: string; kind: string; customerId: string; currency: string; amountMinor: bigint } | null = null;
  if (input.creditNote) {
    try {
      const doc = await resolveDocument(sql, ctx.tenant.id, input.creditNote.includes(':') ? input.creditNote : `credit_note:${input.creditNote}`);
      creditNote = { id: doc.id, number: doc.number, kind: doc.kind, customerId: doc.customerId, currency: doc.currency, amountMinor: doc.amountMinor };
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'not_found') throw error;
      throw invalid('DISPUTE_CREDIT_NOTE_NOT_FOUND', `creditNote: no credit note has the number ${input.creditNote}; post the credit note in the ledger first, then resolve`, [{ field: 'creditNote', message: 'not found' }]);
    }
  }
  const acceptedMinorIn = input.acceptedAmount === undefined ? null : parseAmount(input.acceptedAmount, row.currency, 'acceptedAmount');
  const { acceptedMinor } = checkTransition(
    { status: row.status, customerId: row.customerId, currency: row.currency, amountMinor: big(row.amountMinor) },
    { to: input.to, note: input.note || null, creditNote, acceptedMinor: acceptedMinorIn });
  const closing = !ACTIVE_STATUSES.includes(input.to);
  const today = tenantToday(ctx.tenant, ctx.clock);
  await sql.query(
    `UPDATE disputes SET status = $3, accepted_minor = $4, credit_note_document_id = $5, closed_on = $6, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
    [ctx.tenant.id, id, input.to, acceptedMinor, creditNote?.id ?? null, closing ? today : null]);
  await event(sql, ctx, id, 'transition', row.status, input.to, input.note || null);
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: 'disputes.transition', entityType: 'dispute', entityId: id, reason: input.note || null,
    before: { status: row.status },
    after: { status: input.to, ...(acceptedMinor === null ? {} : { acceptedAmount: formatAmount(acceptedMinor, row.currency) }), ...(creditNote ? { creditNote: creditNote.number } : {}) },
  });
  return getDispute(ctx, sql, id);
}

/** Disputes in the caller's scope: active first, then by due date; filtered, paged. */
export async function listDisputes(ctx: Context, sql: Sql, raw: ListQuery = {}): Promise<{ total: number; rows: PresentedDispute[]; nextCursor: string | null }> {
  const q = parseInput(listSchema, raw, 'disputes');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const { where, params, add, inScope } = listFilter('x', ctx.tenant.id);
  if (q.status === 'active') where.push(`x.status IN ('open', 'investigating')`);
  else if (q.status === 'closed') where.push(`x.status NOT IN ('open', 'investigating')`);
  else if (q.status !== 'all') add((n) => `x.status = $${n}`, q.status);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  if (q.reason) add((n) => `x.reason = $${n}`, q.reason);
  if (q.owner) {
    if ((OWNER_TEAMS as readonly string[]).includes(q.owner)) add((n) => `x.owner_team = $${n}`, q.owner);
    else add((n) => `x.owner_user = $${n}`, q.owner === 'me' ? (ctx.principal?.handle ?? '\t(no handle)') : q.owner);
  }
  if (q.overdue !== undefined) add((n) => `${q.overdue ? '' : 'NOT '}(x.status IN ('open', 'investigating') AND x.due_date < $${n}::date)`, today);
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<DisputeRow>(
    `${DISPUTE_SELECT.replace('x.created_by AS "createdBy",', 'x.created_by AS "createdBy", count(*) OVER () AS total,')}
      WHERE ${where.join(' AND ')}
      ORDER BY CASE WHEN x.status IN ('open', 'investigating') THEN 0 ELSE 1 END, x.due_date, x.raised_on DESC, x.id
      LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: rows.map((r) => present(r, today)), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

export interface DisputeReportRow {
  key: string;
  name: string;
  currency: string;
  count: number;
  /** Of which still open or investigating. */
  active: number;
  amount: string;
  /** What the closed ones accepted (credit notes and partial acceptances). */
  accepted: string;
}

/** Root causes: disputes raised in [from, to] grouped by reason, customer or owner team: count and amount per currency. */
export async function disputeReport(ctx: Context, sql: Sql, raw: ReportQuery = {}): Promise<{ from: LocalDate; to: LocalDate; by: (typeof REPORT_GROUPINGS)[number]; rows: DisputeReportRow[]; totals: Omit<DisputeReportRow, 'key' | 'name'>[] }> {
  const q = parseInput(reportSchema, raw, 'dispute report');
  const to = q.to ? parseDate(q.to, 'to') : tenantToday(ctx.tenant, ctx.clock);
  const from = q.from ? parseDate(q.from, 'from') : addDays(to, -89);
  if (from > to) throw invalid('INVALID_PERIOD', `from: ${from} is after to (${to}); give from on or before to`, [{ field: 'from', message: 'after to' }]);
  const key = q.by === 'reason' ? 'x.reason' : q.by === 'customer' ? 'c.code' : 'x.owner_team';
  const name = q.by === 'customer' ? 'min(c.name)' : key;
  const params: unknown[] = [ctx.tenant.id, from, to];
  const scope = customerScope(ctx);
  if (scope) params.push(scope.handle);
  const rows = await sql.query<{ key: string; name: string; currency: string; count: unknown; active: unknown; amount: unknown; accepted: unknown }>(
    `SELECT ${key} AS key, ${name} AS name, x.currency, count(*) AS count, count(*) FILTER (WHERE x.status IN ('open', 'investigating')) AS active,
            sum(x.amount_minor) AS amount, coalesce(sum(x.accepted_minor), 0) AS accepted
       FROM disputes x JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id
      WHERE x.tenant_id = $1 AND x.raised_on >= $2 AND x.raised_on <= $3 ${scope ? `AND c.${scope.field} = $4` : ''}
      GROUP BY ${key}, x.currency
      ORDER BY sum(x.amount_minor) DESC, 1, 3`, params);
  const totals = new Map<string, { count: number; active: number; amount: bigint; accepted: bigint }>();
  for (const r of rows) {
    const t = totals.get(r.currency) ?? { count: 0, active: 0, amount: 0n, accepted: 0n };
    t.count += Number(r.count); t.active += Number(r.active); t.amount += big(r.amount); t.accepted += big(r.accepted);
    totals.set(r.currency, t);
  }
  return {
    from, to, by: q.by,
    rows: rows.map((r) => ({ key: r.key, name: r.name, currency: r.currency, count: Number(r.count), active: Number(r.active), amount: formatAmount(big(r.amount), r.currency), accepted: formatAmount(big(r.accepted), r.currency) })),
    totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => ({ currency, count: t.count, active: t.active, amount: formatAmount(t.amount, currency), accepted: formatAmount(t.accepted, currency) })),
  };
}

/**
 * CTE definitions (without the leading WITH) ending in `disputed_at`: per receivable item in a dispute that was open
 * at the as-of date (raised on or before it, not closed by it), the disputed amount then: the sum disputed on the item,
 * but never more than the item's open amount at that date (open now plus what was applied after the date).
 * Columns: item_id, customer_id, currency, disputed_minor. Placeholders: the tenant and the as-of date.
 */
export function disputedAtSql(p: { tenant: string; asOf: string }): string {
  return `disputed_items AS (
       SELECT di.item_id, sum(di.amount_minor) AS disputed_minor
         FROM dispute_items di JOIN disputes x ON x.tenant_id = di.tenant_id AND x.id = di.dispute_id
        WHERE di.tenant_id = ${p.tenant} AND x.raised_on <= ${p.asOf} AND (x.closed_on IS NULL OR x.closed_on > ${p.asOf})
        GROUP BY di.item_id),
     disputed_at AS (
       SELECT b.item_id, b.customer_id, b.currency,
              least(d.disputed_minor, b.open_minor + coalesce((
                SELECT sum(a.amount_minor) FROM allocations a
                 WHERE a.tenant_id = ${p.tenant} AND a.debit_item_id = b.item_id AND a.allocation_date > ${p.asOf}), 0)) AS disputed_minor
         FROM disputed_items d JOIN item_balances b ON b.tenant_id = ${p.tenant} AND b.item_id = d.item_id
        WHERE b.side = 'debit' AND b.document_date <= ${p.asOf})`;
}

/** Disputed open amount per customer id at `asOf` in one currency (for the timeline and the credit file). */
export async function disputedByCustomer(sql: Sql, tenantId: string, asOf: LocalDate, currency: string): Promise<Map<string, bigint>> {
  const rows = await sql.query<{ customerId: string; disputed: unknown }>(
    `WITH ${disputedAtSql({ tenant: '$1', asOf: '$2' })}
     SELECT customer_id AS "customerId", sum(disputed_minor) AS disputed FROM disputed_at WHERE currency = $3 AND disputed_minor > 0 GROUP BY customer_id`,
    [tenantId, asOf, currency]);
  return new Map(rows.map((r) => [r.customerId, big(r.disputed)]));
}

/** Disputes a customer raised in (from, to], whatever became of them: the credit file's "disputes". */
export async function disputesRaisedBetween(sql: Sql, tenantId: string, customerId: string, from: LocalDate, to: LocalDate): Promise<number> {
  const [row] = await sql.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM disputes WHERE tenant_id = $1 AND customer_id = $2 AND raised_on > $3::date AND raised_on <= $4::date`,
    [tenantId, customerId, from, to]);
  return Number(row?.n ?? 0);
}
