/**
 * One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, embedded in the process, the
 * zero-set-up default) and a PostgreSQL server (`DATABASE_URL`). Same migrations, same SQL, same value types:
 * bigint → JS bigint, date → 'YYYY-MM-DD' string, timestamptz → the server's text form, numeric → string.
 *
 * Tenant work runs in `tenant(tenantId, fn)`: a transaction as the role arflow_app with app.tenant_id set, so
 * row-level security confines it to that tenant even if a query forgets its `tenant_id` filter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// PGlite is loaded when first opened (openPglite): its module holds the WebAssembly build, some 60 MB of memory
// that a process working against a PostgreSQL server does not need.
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { AppError } from '../domain/errors.ts';

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Parameterised SQL inside one transaction. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

/** The Sql of a transaction, which may hand its last statement over to be sent with the COMMIT. */
export interface TransactionSql extends Sql {
  /**
   * Runs `statement` as the transaction's last, after `fn` returns: on PostgreSQL in the same round trip as the
   * COMMIT (EXECUTE of a prepared statement, as a preload), one round trip less. A failure of it rolls the
   * transaction back and is thrown by tenant() or system(). Its rows are not returned.
   */
  commitWith(statement: Preload): void;
}

export interface Database {
  readonly engine: 'pglite' | 'postgres';
  /** Where the data lives, for humans: "embedded (PGlite) in ./data" or "PostgreSQL 127.0.0.1:5432/arflow". */
  readonly description: string;
  /** A transaction as the database owner: migrations and tenant management only. */
  system<T>(fn: (sql: TransactionSql) => Promise<T>): Promise<T>;
  /**
   * A transaction confined to one tenant by row-level security. `preload`: reads sent in the same round trip as the
   * transaction's start; `fn` gets the rows of each, in order.
   */
  tenant<T>(tenantId: string, fn: (sql: TransactionSql, preloaded: Record<string, unknown>[][]) => Promise<T>, options?: TenantOptions): Promise<T>;
  /**
   * PostgreSQL only: a second connection that reads, confined to the tenant and read only, in `snapshot` (exported by
   * the caller's open transaction with pg_export_snapshot()): it sees what that transaction saw when exporting, so
   * long reads can run beside the caller's writes. Null when no connection is free at once (a pool of one, or every
   * connection taken): waiting for one while holding one could deadlock, so the caller then reads on its own. The
   * caller closes the reader before its own transaction ends.
   */
  snapshotReader?(tenantId: string, snapshot: string): Promise<SnapshotReader> | null;
  /** One statement (or several, without parameters) as the owner, outside any transaction: for pg-boss. */
  execute(text: string, params?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** A read-only transaction on a second connection (see Database.snapshotReader); close() ends it and frees the connection. */
export interface SnapshotReader {
  sql: Sql;
  close(): Promise<void>;
}

export interface TenantOptions {
  /** Reads sent in the same round trip as the transaction's start; `fn` gets the rows of each, in order. */
  preload?: readonly Preload[];
  /** From where the change comes (`web 203.0.113.7`, `cli root@host`): the audit log's origin column takes it. */
  origin?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const enterTenant = (tenantId: string, origin?: string) => {
  if (!UUID.test(tenantId)) throw new Error(`assertion failed: tenant id ${tenantId} is not a uuid`);
  // The id is checked above and the origin reduced to safe characters, so inlining them is safe; it saves a round
  // trip on every transaction.
  const from = origin ? `, set_config('app.origin', '${safeOrigin(origin)}', true)` : '';
  return `SET LOCAL ROLE arflow_app; SELECT set_config('app.tenant_id', '${tenantId}', true)${from}`;
};

/** An origin as it may be inlined in SQL: letters, digits and `.:_@-` and spaces, at most 120 characters. */
export function safeOrigin(origin: string): string {
  return origin.replace(/[^A-Za-z0-9.:_@ -]/g, '?').slice(0, 120);
}

/** The same database, with every tenant transaction marked as coming from `origin` (for the audit log). */
export function withOrigin(db: Database, origin: string): Database {
  return { ...db, tenant: (tenantId, fn, options) => db.tenant(tenantId, fn, { ...options, origin }) };
}

/**
 * A read sent with a transaction's start. The start is one simple-protocol message (BEGIN, the tenant settings and
 * these reads), which cannot carry parameters; so each text is prepared once per connection (PREPARE, outside any
 * transaction) and then run as `EXECUTE name('value', …)` with its values escaped: one round trip, no parsing or
 * planning after the first time. Values are text and take the parameters' types; null is SQL NULL.
 */
export interface Preload {
  text: string;
  values: readonly (string | null)[];
}

const preloadNames = new Map<string, string>();
function preloadName(text: string): string {
  let name = preloadNames.get(text);
  if (name === undefined) {
    name = `arflow_preload_${preloadNames.size + 1}`;
    preloadNames.set(text, name);
  }
  return name;
}

const executePreload = (p: Preload) => `EXECUTE ${preloadName(p.text)}${p.values.length ? `(${p.values.map((v) => (v === null ? 'NULL' : pg.escapeLiteral(v))).join(', ')})` : ''}`;

/** Prepares, on one connection, the preload texts it has not prepared yet. */
async function preparePreloads(prepared: Set<string>, preload: readonly Preload[], run: (text: string) => Promise<unknown>) {
  for (const p of preload) {
    const name = preloadName(p.text);
    if (prepared.has(name)) continue;
    await run(`PREPARE ${name} AS ${p.text}`);
    prepared.add(name);
  }
}

const TYPE_OIDS = { int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;
const INT8_ARRAY_OID = 1016;
const identity = (value: string) => value;

// ---------------------------------------------------------------------------------------------------------------
// PGlite

export interface PgliteOptions {
  /** Directory for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** A tarball from `dumpDataDir`, to start from a prepared database (tests start from a migrated one). */
  loadDataDir?: Blob;
}

/** What a PGlite database needs of the engine under it: PGlite itself, or PGlite in a worker thread (pglite-thread.ts). */
export interface PgliteEngine {
  query(text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Several statements without parameters: the rows of each. */
  exec(text: string): Promise<Record<string, unknown>[][]>;
  /** BEGIN, fn, COMMIT (ROLLBACK when fn throws); nothing else runs meanwhile. */
  transaction<T>(fn: (tx: Pick<PgliteEngine, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

/** The parsers both engines give PGlite: int8 as bigint, dates and timestamps as PostgreSQL's text. */
export const PGLITE_PARSERS = {
  [TYPE_OIDS.int8]: (value: string) => BigInt(value),
  [TYPE_OIDS.date]: identity,
  [TYPE_OIDS.timestamp]: identity,
  [TYPE_OIDS.timestamptz]: identity,
};

export async function openPglite(options: PgliteOptions = {}): Promise<Database & { client: PGlite }> {
  const releaseLock = options.dataDir ? lockPgliteDir(options.dataDir) : () => {};
  let client: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    client = await PGlite.create({
      ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'pglite') } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: PGLITE_PARSERS,
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const inThread = (tx: Pick<PGlite, 'query' | 'exec'>): Pick<PgliteEngine, 'query' | 'exec'> => ({
    query: async (text, params) => (await tx.query<Record<string, unknown>>(text, params as unknown[])).rows,
    exec: async (text) => (await tx.exec(text)).map((r) => r.rows as Record<string, unknown>[]),
  });
  const engine: PgliteEngine = {
    ...inThread(client),
    transaction: (fn) => client.transaction((tx) => fn(inThread(tx))),
    async migrate(folder) {
      const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
      await migrate(drizzle(client), { migrationsFolder: folder });
    },
    close: () => client.close(),
  };
  return { ...pgliteDatabase(engine, options.dataDir ? `embedded (PGlite) in ${options.dataDir}` : 'embedded (PGlite) in memory', releaseLock), client };
}

/** Creates the data directory and locks it for this process; returns the release. */
export function lockPgliteDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  return lockDataDir(dataDir);
}

/** The Database over a PGlite engine, in this thread or another. */
export function pgliteDatabase(engine: PgliteEngine, description: string, releaseLock: () => void): Database {
  const wrap = (tx: Pick<PgliteEngine, 'query'>): Sql => ({
    query: async <R>(text: string, params: readonly unknown[] = []) => (await tx.query(text, params)) as R[],
  });
  /**
   * Preload texts prepared on the one connection, or being prepared: requests that arrive together wait for the one
   * PREPARE rather than each sending its own (the second would fail: "prepared statement already exists").
   */
  const preparing = new Map<string, Promise<unknown>>();
  const prepare = async (preload: readonly Preload[]) => {
    for (const p of preload) {
      const name = preloadName(p.text);
      let done = preparing.get(name);
      if (!done) {
        done = engine.exec(`PREPARE ${name} AS ${p.text}`);
        preparing.set(name, done);
        done.catch(() => preparing.delete(name));
      }
      await done;
    }
  };
  /** Runs fn; then its last statement, if it handed one over (PGlite has no round trips to save: it simply runs). */
  async function inTransaction<T>(tx: Pick<PgliteEngine, 'query'>, fn: (sql: TransactionSql) => Promise<T>): Promise<T> {
    let last: Preload | null = null;
    const result = await fn({ ...wrap(tx), commitWith: (statement) => { last = statement; } });
    if (last) await tx.query((last as Preload).text, [...(last as Preload).values]);
    return result;
  }
  return {
    engine: 'pglite',
    description,
    system: (fn) => engine.transaction((tx) => inTransaction(tx, (sql) => fn(sql))),
    async tenant(tenantId, fn, options) {
      const preload = options?.preload ?? [];
      await prepare(preload);
      return engine.transaction(async (tx) => {
        const results = await tx.exec([enterTenant(tenantId, options?.origin), ...preload.map(executePreload)].join('; '));
        return inTransaction(tx, (sql) => fn(sql, results.slice(results.length - preload.length)));
      });
    },
    async execute(text, params) {
      if (params && params.length) return { rows: await engine.query(text, params) };
      const results = await engine.exec(text);
      return { rows: results.length ? results[results.length - 1]! : [] };
    },
    migrate: () => engine.migrate(MIGRATIONS_FOLDER),
    async close() {
      try {
        await engine.close();
      } finally {
        releaseLock();
      }
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it. A lock file with
 * the owner's pid turns that into a clear error; a stale lock (its process gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'arflow.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      const release = () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          'conflict',
          'DATABASE_IN_USE',
          `the embedded database in ${dataDir} is open in another arflow process (pid ${owner}); stop it, or use the ` +
            'API of the running server, or set DATABASE_URL to share a PostgreSQL server between processes',
        );
      }
      fs.unlinkSync(lockPath);
    }
  }
  throw new Error(`assertion failed: could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TYPE_OIDS.int8) return (value: string) => BigInt(value);
    if (oid === INT8_ARRAY_OID) {
      const parseArray = (pg.types.getTypeParser as (oid: number, format: 'text') => unknown)(oid, 'text') as (value: string) => string[];
      return (value: string) => parseArray(value).map((v) => (v === null ? null : BigInt(v)));
    }
    if (oid === TYPE_OIDS.date || oid === TYPE_OIDS.timestamp || oid === TYPE_OIDS.timestamptz) return identity;
    return pg.types.getTypeParser(oid, (format ?? 'text') as 'text');
  },
};

/**
 * Parameterised statements are prepared once per connection and then only bound and executed: the server skips
 * parsing and, once it settles on a generic plan, planning, which is most of the cost of the short statements of a
 * posting. Each distinct SQL text gets one name for the life of the process; the application's texts are a fixed
 * set, and past MAX_PREPARED_TEXTS (a safety bound, never reached by arflow's own SQL) texts run unprepared.
 */
const MAX_PREPARED_TEXTS = 1000;
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_TEXTS) {
    name = `arflow_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Serialization failures and deadlocks: the transaction did nothing and may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export async function openPostgres(url: string, poolSize = 10): Promise<Database & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes as pg.CustomTypesConfig });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight get their own error.
  });
  const wrap = (client: pg.PoolClient): Sql => ({
    async query<R>(text: string, params: readonly unknown[] = []) {
      const name = params.length ? statementName(text) : undefined;
      const result = await client.query(name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] });
      return result.rows as R[];
    },
  });
  /** Preload texts prepared, per connection. */
  const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();
  const preparedOf = (client: pg.PoolClient) => {
    let prepared = preparedOn.get(client);
    if (!prepared) preparedOn.set(client, (prepared = new Set()));
    return prepared;
  };
  async function run<T>(prologue: string | null, fn: (sql: TransactionSql, preloaded: Record<string, unknown>[][]) => Promise<T>, preload: readonly Preload[] = []): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        if (preload.length) await preparePreloads(preparedOf(client), preload, (text) => client.query(text));
        const started = await client.query(['BEGIN', ...(prologue ? [prologue] : []), ...preload.map(executePreload)].join('; ')) as unknown as pg.QueryResult | pg.QueryResult[];
        const results = Array.isArray(started) ? started : [started];
        let last: Preload | null = null;
        const result = await fn({ ...wrap(client), commitWith: (statement) => { last = statement; } }, results.slice(results.length - preload.length).map((r) => r.rows));
        if (last) {
          // One simple-protocol message: when the statement fails, PostgreSQL skips the COMMIT after it.
          await preparePreloads(preparedOf(client), [last], (text) => client.query(text));
          await client.query(`${executePreload(last)}; COMMIT`);
        } else {
          await client.query('COMMIT');
        }
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        if (attempt < 5 && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }
  const where = new URL(url);
  function snapshotReader(tenantId: string, snapshot: string): Promise<SnapshotReader> | null {
    if (!/^[0-9A-F]+(-[0-9A-F]+)+$/i.test(snapshot)) throw new Error(`assertion failed: ${snapshot} is not a snapshot id`);
    // Checked and taken in the same tick: an idle connection, or room for a new one, and nobody already waiting.
    if (pool.waitingCount > 0 || (pool.idleCount === 0 && pool.totalCount >= poolSize)) return null;
    return (async () => {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'; ${enterTenant(tenantId)}`);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      let open = true;
      return {
        sql: wrap(client),
        async close() {
          if (!open) return;
          open = false;
          try {
            await client.query('COMMIT');
            client.release();
          } catch (error) {
            client.release(error as Error);
          }
        },
      };
    })();
  }
  return {
    engine: 'postgres',
    pool,
    snapshotReader,
    description: `PostgreSQL ${where.host}${where.pathname}`,
    system: (fn) => run(null, fn),
    tenant: (tenantId, fn, options) => run(enterTenant(tenantId, options?.origin), fn, options?.preload),
    async execute(text, params) {
      return { rows: (await pool.query(text, params as unknown[] | undefined)).rows };
    },
    async migrate() {
      const client = await pool.connect();
      try {
        // Two processes starting together must not both migrate.
        await client.query(`SELECT pg_advisory_lock(hashtext('arflow.migrate'))`);
        await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext('arflow.migrate'))`).catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

/** Connections to a PostgreSQL server: ARFLOW_DB_POOL (1 to 200), default 10. */
export function poolSizeFromEnv(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 10;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 200) {
    throw new AppError('invalid', 'INVALID_POOL_SIZE', `ARFLOW_DB_POOL must be a whole number of connections from 1 to 200, not "${text}"`);
  }
  return size;
}

/** The database the environment names: `DATABASE_URL` (PostgreSQL) or PGlite in `ARFLOW_DATA_DIR` (default ./data). */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return openPostgres(url, poolSizeFromEnv(process.env.ARFLOW_DB_POOL));
  const dataDir = options.dataDir ?? process.env.ARFLOW_DATA_DIR ?? path.resolve('data');
  // The embedded database works in its own thread (src/db/pglite-thread.ts) unless ARFLOW_PGLITE_THREAD=main.
  if (pgliteThreadFromEnv(process.env.ARFLOW_PGLITE_THREAD) === 'main') return openPglite({ dataDir });
  const { openPgliteThread } = await import('./pglite-thread.ts');
  return openPgliteThread({ dataDir });
}

/** Where PGlite runs: `worker` (its own thread, the default) or `main` (the caller's thread, as the tests open it). */
export function pgliteThreadFromEnv(text: string | undefined): 'worker' | 'main' {
  if (text === undefined || text.trim() === '' || text === 'worker') return 'worker';
  if (text === 'main') return 'main';
  throw new AppError('invalid', 'INVALID_PGLITE_THREAD', `ARFLOW_PGLITE_THREAD must be "worker" (the embedded database in its own thread, the default) or "main", not "${text}"`);
}
