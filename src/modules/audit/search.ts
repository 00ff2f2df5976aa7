/**
 * Searching and exporting the audit trail: by user, action, entity, document, customer and date range (business
 * dates in the company's time zone), newest first, cursor-paged; exports stream in pages and are themselves audited.
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { addDays, parseDate } from '../../domain/dates.ts';
import { invalid } from '../../domain/errors.ts';
import type { Context } from '../context.ts';
import { csvCell } from '../../domain/csv.ts';
import { parseInput } from '../validate.ts';
import { appendAudit } from './index.ts';

export const MAX_AUDIT_EXPORT_ROWS = 1_000_000;

export const auditSearchSchema = z.object({
  /** Who: a user's email, `token:NAME`, `cli:LOGIN`… (exact). */
  actor: z.string().trim().min(1).max(254).optional(),
  /** What: an action (`document.post`) or its prefix ending in a dot (`document.`, `session.`). */
  action: z.string().trim().min(1).max(100).optional(),
  entityType: z.string().trim().min(1).max(50).optional(),
  entityId: z.string().trim().min(1).max(200).optional(),
  /** A document by number or KIND:NUMBER: its own entries. */
  document: z.string().trim().min(1).max(140).optional(),
  /** A customer by code: its entries and those of its documents. */
  customer: z.string().trim().min(1).max(64).optional(),
  /** Business dates, inclusive, in the company's time zone. */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD').optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[0-9a-f-]{36}$/, 'pass back nextCursor as it came').optional(),
});
export type AuditSearchInput = z.input<typeof auditSearchSchema>;

export interface AuditEntry {
  id: string;
  occurredAt: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  /** From where: `web 203.0.113.7`, `api …`, `cli user@host`, `job …`; null for entries older than the column. */
  origin: string | null;
  sealed: boolean;
}

/** The WHERE clause and parameters of a search ($1 is the tenant). */
function where(ctx: Context, input: z.output<typeof auditSearchSchema>): { clause: string; params: unknown[] } {
  const params: unknown[] = [ctx.tenant.id];
  const parts = ['a.tenant_id = $1'];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    parts.push(sql(params.length));
  };
  if (input.actor) add((n) => `a.actor = $${n}`, input.actor.toLowerCase().startsWith('token:') || input.actor.startsWith('cli:') ? input.actor : input.actor.toLowerCase());
  if (input.action) {
    if (input.action.endsWith('.')) add((n) => `a.action LIKE $${n}`, `${input.action.replace(/[\\%_]/g, '\\$&')}%`);
    else add((n) => `a.action = $${n}`, input.action);
  }
  if (input.entityType) add((n) => `a.entity_type = $${n}`, input.entityType);
  if (input.entityId) add((n) => `a.entity_id = $${n}`, input.entityId);
  if (input.document) {
    const [kind, number] = input.document.includes(':') ? input.document.split(':', 2) as [string, string] : [null, input.document];
    params.push(number, kind);
    parts.push(`a.entity_type = 'document' AND a.entity_id IN (SELECT d.id::text FROM documents d WHERE d.tenant_id = $1 AND d.number = $${params.length - 1} AND ($${params.length}::text IS NULL OR d.kind = $${params.length}))`);
  }
  if (input.customer) {
    add((n) => `((a.entity_type = 'customer' AND a.entity_id = $${n})
      OR (a.entity_type = 'document' AND a.entity_id IN (SELECT d.id::text FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id WHERE d.tenant_id = $1 AND c.code = $${n})))`, input.customer);
  }
  for (const [field, value] of [['from', input.from], ['to', input.to]] as const) {
    if (value === undefined) continue;
    parseDate(value, field);
    // The company's business day starts at its local midnight: `to` takes in the whole of its day.
    const day = field === 'from' ? value : addDays(value, 1);
    add((n) => `a.occurred_at ${field === 'from' ? '>=' : '<'} ($${n}::date::timestamp AT TIME ZONE '${ctx.tenant.timeZone.replace(/'/g, "''")}')`, day);
  }
  if (input.from && input.to && input.from > input.to) throw invalid('VALIDATION_FAILED', 'from: the start date is after the end date', [{ field: 'from', message: 'after to' }]);
  return { clause: parts.join(' AND '), params };
}

const COLUMNS = `a.id, a.occurred_at AS "occurredAt", a.actor, a.action, a.entity_type AS "entityType", a.entity_id AS "entityId", a.reason,
  a.before, a.after, a.origin, EXISTS (SELECT 1 FROM audit_seals s WHERE s.tenant_id = a.tenant_id AND s.audit_id = a.id) AS sealed`;

export async function searchAudit(ctx: Context, sql: Sql, raw: AuditSearchInput): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const input = parseInput(auditSearchSchema, raw, 'search');
  const { clause, params } = where(ctx, input);
  if (input.cursor) params.push(input.cursor);
  const rows = await sql.query<AuditEntry>(
    `SELECT ${COLUMNS} FROM audit_log a WHERE ${clause} ${input.cursor ? `AND a.id < $${params.length}` : ''} ORDER BY a.id DESC LIMIT ${input.limit + 1}`,
    params);
  const items = rows.slice(0, input.limit).map((r) => ({ ...r, occurredAt: new Date(r.occurredAt).toISOString() }));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
}

/**
 * A document's history, newest first: its own entries; those of the credits applied to it (a payment's posting
 * that paid this invoice, that payment's reversal, which reopened it); the undoing of its allocations; and the
 * import that brought it in (an import writes one entry for the whole file, in the same transaction as the
 * documents, so it carries the same transaction time as the document's creation).
 */
export async function documentHistory(ctx: Context, sql: Sql, documentId: string, cursor?: string): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  if (cursor !== undefined && !/^[0-9a-f-]{36}$/.test(cursor)) throw invalid('VALIDATION_FAILED', 'cursor: pass back nextCursor as it came', [{ field: 'cursor', message: 'not a cursor' }]);
  const limit = 200;
  const params: unknown[] = [ctx.tenant.id, documentId];
  if (cursor) params.push(cursor);
  const rows = await sql.query<AuditEntry>(
    `WITH mine AS (
       SELECT al.id AS allocation_id, ci.document_id AS credit_document_id, di.document_id AS debit_document_id
         FROM items it
         JOIN allocations al ON al.tenant_id = it.tenant_id AND (al.debit_item_id = it.id OR al.credit_item_id = it.id)
         JOIN items ci ON ci.tenant_id = al.tenant_id AND ci.id = al.credit_item_id
         JOIN items di ON di.tenant_id = al.tenant_id AND di.id = al.debit_item_id
        WHERE it.tenant_id = $1 AND it.document_id = $2)
     SELECT ${COLUMNS} FROM audit_log a
      WHERE a.tenant_id = $1 ${cursor ? 'AND a.id < $3' : ''}
        AND ((a.entity_type = 'document' AND a.entity_id IN (
               SELECT $2::text UNION SELECT credit_document_id::text FROM mine WHERE debit_document_id = $2))
          OR (a.entity_type = 'allocation' AND a.entity_id IN (SELECT allocation_id::text FROM mine))
          OR (a.entity_type = 'import' AND a.occurred_at = (SELECT d.created_at FROM documents d WHERE d.tenant_id = $1 AND d.id = $2)))
      ORDER BY a.id DESC LIMIT ${limit + 1}`,
    params);
  const items = rows.slice(0, limit).map((r) => ({ ...r, occurredAt: new Date(r.occurredAt).toISOString() }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

const EXPORT_COLUMNS = ['occurred_at', 'actor', 'origin', 'action', 'entity_type', 'entity_id', 'reason', 'before', 'after', 'sealed', 'id'];

/** Writes the matching entries as CSV, newest first, page by page; records the export itself in the trail. */
export async function exportAudit(ctx: Context, raw: Omit<AuditSearchInput, 'limit' | 'cursor'>, write: (chunk: string) => unknown): Promise<number> {
  const filters = parseInput(auditSearchSchema.omit({ limit: true, cursor: true }), raw, 'export');
  write(`${EXPORT_COLUMNS.join(',')}\n`);
  let cursor: string | undefined;
  let rows = 0;
  do {
    const page = await ctx.db.tenant(ctx.tenant.id, (sql) => searchAudit(ctx, sql, { ...filters, limit: 200, ...(cursor ? { cursor } : {}) }));
    let chunk = '';
    for (const e of page.items) {
      chunk += [e.occurredAt, e.actor, e.origin, e.action, e.entityType, e.entityId, e.reason, e.before === null ? '' : JSON.stringify(e.before), e.after === null ? '' : JSON.stringify(e.after), e.sealed ? 'yes' : 'no', e.id].map(csvCell).join(',') + '\n';
    }
    write(chunk);
    rows += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows < MAX_AUDIT_EXPORT_ROWS);
  await ctx.db.tenant(ctx.tenant.id, (sql) => appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'audit.export', entityType: 'audit', after: { filters, rows } }));
  return rows;
}
