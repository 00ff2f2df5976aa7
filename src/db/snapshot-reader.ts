/**
 * A second connection that reads in the snapshot of the caller's open transaction (PostgreSQL only; see
 * Database.snapshotReader): statements on it run beside the caller's own, on another backend and another core.
 */
import type { Database, SnapshotReader, Sql } from './database.ts';

export interface ReaderOptions {
  /** Settings for the reader's transaction, such as `SET LOCAL jit = off`. */
  setup?: (reader: Sql) => Promise<unknown>;
  /**
   * The reader must see what `sql` sees: none if `sql`'s transaction has written anything (another transaction,
   * the reader included, never sees its uncommitted changes). For reads that stand in for `sql`'s own.
   */
  sameView?: boolean;
}

/**
 * Opens a reader in the snapshot `sql`'s transaction exports now, confined to the tenant. Null on PGlite (one
 * connection), when the pool has no connection free at once, or (sameView) when `sql` has written: the caller then
 * reads on its own connection. The caller closes it before its own transaction ends.
 */
export async function openSnapshotReader(db: Database, sql: Sql, tenantId: string, options: ReaderOptions = {}): Promise<SnapshotReader | null> {
  if (!db.snapshotReader) return null;
  const [exported] = await sql.query<{ snapshot: string | null }>(options.sameView
    ? `SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_export_snapshot() END AS snapshot`
    : `SELECT pg_export_snapshot() AS snapshot`);
  if (!exported?.snapshot) return null;
  const opening = db.snapshotReader(tenantId, exported.snapshot);
  if (!opening) return null;
  const reader = await opening;
  try {
    await options.setup?.(reader.sql);
  } catch (error) {
    await reader.close();
    throw error;
  }
  return reader;
}

/** Runs `use` with a snapshot reader (or null, as openSnapshotReader), and closes the reader after it, whatever happens. */
export async function withSnapshotReader<T>(db: Database, sql: Sql, tenantId: string, options: ReaderOptions, use: (reader: Sql | null) => Promise<T>): Promise<T> {
  const reader = await openSnapshotReader(db, sql, tenantId, options);
  try {
    return await use(reader?.sql ?? null);
  } finally {
    await reader?.close();
  }
}
