/**
 * Idempotent writes (TigerBeetle's rule): the client's key names the write. The first answer is stored in the same
 * transaction as the write; a repeat with the same request gets that answer again, a repeat with a different
 * request is a conflict.
 */
import type { Preload, Sql } from '../../db/database.ts';
import { AppError, conflict, invalid } from '../../domain/errors.ts';
import { deferringAudit, INSERT_PENDING_AUDIT, takeDeferredAudit } from '../audit/index.ts';
import { canonicalJson, payloadHash } from '../hash.ts';
import type { Context } from '../context.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export function checkIdempotencyKey(key: string): string {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalid('INVALID_IDEMPOTENCY_KEY', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`, [
      { field: 'Idempotency-Key', message: 'bad key' },
    ]);
  }
  return key;
}

interface StoredAnswer {
  operation: string;
  requestHash: string;
  response: unknown;
}

/**
 * Runs `write` in one tenant transaction under an idempotency key (or without one when `key` is undefined).
 * The result must be JSON-safe after canonicalJson (bigints become strings in the stored copy, so results should
 * already be presentation objects).
 *
 * The key's stored answer is read in the transaction's first round trip; a new key is written with the answer and
 * the change's audit entries by the transaction's last statement. A concurrent twin therefore does its work too, but
 * cannot commit it: it waits on the first one's key, fails on the key's primary key, rolls back, and replays the
 * stored answer. A twin that fails on the first one's effects instead (the invoice it pays is paid now) also replays.
 */
export async function withIdempotency<T>(
  ctx: Context,
  key: string | undefined,
  operation: string,
  request: unknown,
  write: (sql: Sql, preloaded: Record<string, unknown>[][]) => Promise<T>,
  options: { preload?: readonly Preload[] } = {},
): Promise<T> {
  // `preload`: the write's own first reads, sent with the transaction's start (see Database.tenant); `write` gets their rows.
  const extra = options.preload ?? [];
  if (key === undefined) return ctx.db.tenant(ctx.tenant.id, write, { preload: extra });
  checkIdempotencyKey(key);
  const requestHash = payloadHash({ operation, request });
  const replay = (first: StoredAnswer): T => {
    if (first.operation !== operation || first.requestHash !== requestHash) {
      throw conflict('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was already used for a different request; use a new key for a new request`);
    }
    return first.response as T;
  };
  // The read goes with the transaction's first statement.
  const preload: Preload = {
    text: `SELECT operation, request_hash AS "requestHash", response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
    values: [ctx.tenant.id, key],
  };
  try {
    return await ctx.db.tenant(ctx.tenant.id, async (sql, [stored, ...preloaded]) => {
      if (stored![0]) return replay(stored![0] as unknown as StoredAnswer);
      const tx = deferringAudit(sql);
      const result = await write(tx, preloaded);
      // The key, its answer and the audit entries: the transaction's last statement, sent with its COMMIT.
      sql.commitWith({
        text: `WITH audit AS (${INSERT_PENDING_AUDIT})
          INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, response) VALUES ($1, $3, $4, $5, $6::jsonb)`,
        values: [ctx.tenant.id, JSON.stringify(takeDeferredAudit(tx)), key, operation, requestHash, canonicalJson(result)],
      });
      return result;
    }, { preload: [preload, ...extra] });
  } catch (error) {
    const twinWon = (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === KEY_CONSTRAINT;
    if (!twinWon && !(error instanceof AppError && error.code !== 'IDEMPOTENCY_KEY_REUSED')) throw error;
    const [first] = await ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<StoredAnswer>(
      `SELECT operation, request_hash AS "requestHash", response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`, [ctx.tenant.id, key]));
    if (first) return replay(first);
    if (twinWon) throw new Error(`assertion failed: idempotency key ${key} clashed but is not stored`);
    throw error;
  }
}

/** The primary key of idempotency_keys, as the migration names it. */
const KEY_CONSTRAINT = 'idempotency_keys_tenant_id_key_pk';
