/** The audit trail: one row per change, appended in the same transaction as the change. */
import { v7 as uuidv7 } from 'uuid';
import type { Sql } from '../../db/database.ts';
import { canonicalJson } from '../hash.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  entityType: string;
  entityId?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

const toJson = (value: unknown) => (value === undefined || value === null ? null : canonicalJson(value));

/** An audit row ready to insert: its id, and its before/after as canonical JSON text. */
export interface PendingAudit {
  id: string; actor: string; action: string; entity_type: string; entity_id: string | null; reason: string | null;
  before: string | null; after: string | null;
}

const DEFERRED = Symbol('deferred audit entries');
type DeferringSql = Sql & { [DEFERRED]: PendingAudit[] };

/**
 * A view of `sql` under which appendAudit keeps its entries instead of inserting them, so that the caller can write
 * them with its own last statement of the transaction (see withIdempotency): one round trip less per change.
 * Whoever defers must write what `takeDeferredAudit` returns before the transaction commits.
 */
export function deferringAudit(sql: Sql): Sql {
  return Object.assign({ query: sql.query.bind(sql) }, { [DEFERRED]: [] as PendingAudit[] });
}

export function takeDeferredAudit(sql: Sql): PendingAudit[] {
  const pending = (sql as Partial<DeferringSql>)[DEFERRED];
  if (!pending) throw new Error('assertion failed: this transaction does not defer its audit entries');
  return pending.splice(0);
}

/** How many audit entries a deferring transaction holds: a mark to go back to after ROLLBACK TO SAVEPOINT. */
export function auditMark(sql: Sql): number {
  return (sql as Partial<DeferringSql>)[DEFERRED]?.length ?? 0;
}

/** Drops the deferred audit entries after `mark` (their changes were rolled back to a savepoint). */
export function auditRollback(sql: Sql, mark: number): void {
  (sql as Partial<DeferringSql>)[DEFERRED]?.splice(mark);
}

/**
 * Inserts the rows of a JSON array of PendingAudit ($2) for tenant $1: a statement (or CTE) for callers that write
 * deferred entries together with something else.
 */
export const INSERT_PENDING_AUDIT = `
  INSERT INTO audit_log (tenant_id, id, actor, action, entity_type, entity_id, reason, before, after)
  SELECT $1, r.id, r.actor, r.action, r.entity_type, r.entity_id, r.reason, r.before::jsonb, r.after::jsonb
    FROM json_to_recordset($2::json) AS r(id uuid, actor text, action text, entity_type text, entity_id text, reason text, before text, after text)`;

export async function appendAudit(sql: Sql, tenantId: string, entry: AuditEntry): Promise<void> {
  const deferred = (sql as Partial<DeferringSql>)[DEFERRED];
  if (deferred) {
    deferred.push({
      id: uuidv7(), actor: entry.actor, action: entry.action, entity_type: entry.entityType, entity_id: entry.entityId ?? null,
      reason: entry.reason ?? null, before: toJson(entry.before), after: toJson(entry.after),
    });
    return;
  }
  await sql.query(
    `INSERT INTO audit_log (tenant_id, id, actor, action, entity_type, entity_id, reason, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
    [tenantId, uuidv7(), entry.actor, entry.action, entry.entityType, entry.entityId ?? null, entry.reason ?? null,
      toJson(entry.before), toJson(entry.after)],
  );
}

export interface AuditRow {
  occurredAt: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export async function auditOf(sql: Sql, tenantId: string, entityType: string, entityId: string): Promise<AuditRow[]> {
  return sql.query<AuditRow>(
    `SELECT occurred_at AS "occurredAt", actor, action, entity_type AS "entityType", entity_id AS "entityId", reason,
            before, after
       FROM audit_log WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3 ORDER BY id`,
    [tenantId, entityType, entityId],
  );
}
