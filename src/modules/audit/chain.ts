/**
 * The audit trail's hash chain (see audit_seals in the schema). Sealing appends seals for the entries not sealed yet;
 * verifying recomputes every seal from the entries and names what does not match. Both page through the trail, so
 * memory stays flat however long it is.
 */
import { createHash } from 'node:crypto';
import type { Database, Sql } from '../../db/database.ts';
import { canonicalJson } from '../hash.ts';

const PAGE = 5000;
/** Entries are looked for this far before the last seal: a transaction that ran longer commits entries dated earlier. */
const LATE_COMMIT_WINDOW = '1 hour';

interface EntryRow {
  id: string;
  occurredAtMicros: bigint;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  origin?: string | null;
}

const ENTRY_COLUMNS = `a.id, (extract(epoch FROM a.occurred_at) * 1000000)::int8 AS "occurredAtMicros", a.actor, a.action,
  a.entity_type AS "entityType", a.entity_id AS "entityId", a.reason, a.before, a.after, a.origin`;

/** The hash of an entry after the previous one's: what an entry's seal holds. */
export function entryHash(previous: string, entry: EntryRow): string {
  const content = canonicalJson({
    id: entry.id, occurredAtMicros: entry.occurredAtMicros.toString(), actor: entry.actor, action: entry.action,
    entityType: entry.entityType, entityId: entry.entityId, reason: entry.reason, before: entry.before ?? null, after: entry.after ?? null,
    // Entries from before the origin column have none; leaving the key out keeps their seals valid.
    ...(entry.origin ? { origin: entry.origin } : {}),
  });
  return createHash('sha256').update(previous).update('\n').update(content).digest('hex');
}

async function lockChain(sql: Sql, tenantId: string): Promise<void> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext('arflow.audit-chain'), hashtext($1))`, [tenantId]);
}

/**
 * Seals every entry of the tenant not sealed yet, oldest first; returns how many. `everything` looks through the
 * whole trail (for verification) instead of the window since the last seal.
 */
export async function sealAudit(db: Database, tenantId: string, everything = false): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await db.tenant(tenantId, async (sql) => {
      await lockChain(sql, tenantId);
      const [head] = await sql.query<{ seq: bigint; hash: string; sealedAt: string }>(
        `SELECT seq, hash, sealed_at AS "sealedAt" FROM audit_seals WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`, [tenantId]);
      const entries = await sql.query<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log a
          WHERE a.tenant_id = $1 AND ($2::timestamptz IS NULL OR a.occurred_at > $2::timestamptz - interval '${LATE_COMMIT_WINDOW}')
            AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.tenant_id = a.tenant_id AND s.audit_id = a.id)
          ORDER BY a.occurred_at, a.id LIMIT ${PAGE}`,
        [tenantId, everything || !head ? null : head.sealedAt]);
      if (!entries.length) return 0;
      let seq = head?.seq ?? 0n;
      let hash = head?.hash ?? '';
      const seqs: string[] = [];
      const ids: string[] = [];
      const hashes: string[] = [];
      for (const entry of entries) {
        seq += 1n;
        hash = entryHash(hash, entry);
        seqs.push(seq.toString());
        ids.push(entry.id);
        hashes.push(hash);
      }
      await sql.query(`INSERT INTO audit_seals (tenant_id, seq, audit_id, hash) SELECT $1, * FROM unnest($2::int8[], $3::uuid[], $4::text[])`,
        [tenantId, seqs, ids, hashes]);
      return entries.length;
    });
    total += sealed;
    if (sealed < PAGE) return total;
  }
}

export interface AuditProblem {
  seq: string | null;
  entryId: string | null;
  problem: 'changed' | 'deleted' | 'seal_missing' | 'unsealed';
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries checked against their seals. */
  checked: number;
  /** Entries sealed by this check before it began. */
  sealedNow: number;
  /** The last seal: publish it elsewhere (with its time) to notice a trail cut short later. */
  head: { seq: string; hash: string } | null;
  problems: AuditProblem[];
}

/** At most this many problems are listed; the count of the rest is in the last one's message. */
const MAX_PROBLEMS = 100;

/**
 * Seals what is not sealed, then walks the chain: each seal's hash must follow from the previous one and its entry as
 * it is now. A changed entry breaks its own seal (the chain goes on from the stored hash, so one change is one
 * problem); a deleted entry leaves a seal without its entry; a deleted seal leaves a gap in the numbers.
 */
export async function verifyAudit(db: Database, tenantId: string): Promise<AuditVerification> {
  const sealedNow = await sealAudit(db, tenantId, true);
  const problems: AuditProblem[] = [];
  let more = 0;
  const report = (p: AuditProblem) => (problems.length < MAX_PROBLEMS ? problems.push(p) : (more += 1));
  let checked = 0;
  let previous = '';
  let expectedSeq = 1n;
  let head: AuditVerification['head'] = null;
  for (;;) {
    const page = await db.tenant(tenantId, (sql) => sql.query<{ seq: bigint; auditId: string; hash: string; found: boolean } & EntryRow>(
      `SELECT s.seq, s.audit_id AS "auditId", s.hash, a.id IS NOT NULL AS found, ${ENTRY_COLUMNS}
         FROM audit_seals s LEFT JOIN audit_log a ON a.tenant_id = s.tenant_id AND a.id = s.audit_id
        WHERE s.tenant_id = $1 AND s.seq >= $2 ORDER BY s.seq LIMIT ${PAGE}`, [tenantId, expectedSeq.toString()]));
    for (const row of page) {
      if (row.seq !== expectedSeq) {
        report({ seq: expectedSeq.toString(), entryId: null, problem: 'seal_missing', message: `seals ${expectedSeq} to ${row.seq - 1n} are missing: entries were removed with their seals` });
      }
      if (!row.found) {
        report({ seq: row.seq.toString(), entryId: row.auditId, problem: 'deleted', message: `entry ${row.auditId} (seal ${row.seq}) was deleted` });
      } else {
        checked += 1;
        if (entryHash(previous, { ...row, id: row.auditId }) !== row.hash) {
          report({ seq: row.seq.toString(), entryId: row.auditId, problem: 'changed', message: `entry ${row.auditId} (seal ${row.seq}, ${row.action} by ${row.actor}) was changed after it was sealed` });
        }
      }
      previous = row.hash;
      expectedSeq = row.seq + 1n;
      head = { seq: row.seq.toString(), hash: row.hash };
    }
    if (page.length < PAGE) break;
  }
  const [unsealed] = await db.tenant(tenantId, (sql) => sql.query<{ count: bigint }>(
    `SELECT count(*)::int8 AS count FROM audit_log a WHERE a.tenant_id = $1
        AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.tenant_id = a.tenant_id AND s.audit_id = a.id)`, [tenantId]));
  // Entries of transactions that committed during the check are sealed next time; anything else is odd.
  if (unsealed!.count > 0n) report({ seq: null, entryId: null, problem: 'unsealed', message: `${unsealed!.count} entries committed during the check are not sealed yet; check again` });
  if (more) problems[problems.length - 1]!.message += ` (and ${more} more problems)`;
  return { ok: problems.filter((p) => p.problem !== 'unsealed').length === 0, checked, sealedNow, head, problems };
}
