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

export async function appendAudit(sql: Sql, tenantId: string, entry: AuditEntry): Promise<void> {
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
