/**
 * Idempotent writes (TigerBeetle's rule): the client's key names the write. The first answer is stored in the same
 * transaction as the write; a repeat with the same request gets that answer again, a repeat with a different
 * request is a conflict. Two concurrent requests with one key: the second waits on the key's row and then replays.
 */
import type { Sql } from '../../db/database.ts';
import { conflict, invalid } from '../../domain/errors.ts';
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

/**
 * Runs `write` in one tenant transaction under an idempotency key (or without one when `key` is undefined).
 * The result must be JSON-safe after canonicalJson (bigints become strings in the stored copy, so results should
 * already be presentation objects).
 */
export async function withIdempotency<T>(
  ctx: Context,
  key: string | undefined,
  operation: string,
  request: unknown,
  write: (sql: Sql) => Promise<T>,
): Promise<T> {
  if (key === undefined) return ctx.db.tenant(ctx.tenant.id, write);
  checkIdempotencyKey(key);
  const requestHash = payloadHash({ operation, request });
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    // Claim the key first: a concurrent twin blocks here until this transaction ends, then sees the stored answer.
    const claimed = await sql.query<{ key: string }>(
      `INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, response)
       VALUES ($1, $2, $3, $4, 'null'::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
      [ctx.tenant.id, key, operation, requestHash],
    );
    if (claimed.length === 0) {
      const [first] = await sql.query<{ operation: string; requestHash: string; response: T }>(
        `SELECT operation, request_hash AS "requestHash", response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
        [ctx.tenant.id, key],
      );
      if (!first || first.operation !== operation || first.requestHash !== requestHash) {
        throw conflict('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was already used for a different request; use a new key for a new request`);
      }
      return first.response;
    }
    const result = await write(sql);
    await sql.query(`UPDATE idempotency_keys SET response = $3::jsonb WHERE tenant_id = $1 AND key = $2`, [
      ctx.tenant.id, key, canonicalJson(result),
    ]);
    return result;
  });
}
