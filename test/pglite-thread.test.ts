/**
 * The embedded database in its own thread (src/db/pglite-thread.ts), as `arflow serve` and the command line open it:
 * the same values and errors as PGlite in the caller's thread, transactions kept whole against statements sent
 * meanwhile, and the caller's event loop free while a long statement runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../src/db/database.ts';
import { openPgliteThread } from '../src/db/pglite-thread.ts';

let threaded: Database;
let local: Awaited<ReturnType<typeof openPglite>>;

beforeAll(async () => {
  threaded = await openPgliteThread();
  local = await openPglite();
  for (const db of [threaded, local]) {
    await db.execute(`CREATE TABLE t (id int8 PRIMARY KEY, day date, amount numeric, doc jsonb, at timestamptz, CONSTRAINT t_amount_positive CHECK (amount > 0))`);
  }
}, 120_000);

afterAll(async () => {
  await threaded?.close();
  await local?.close();
});

describe('PGlite in its own thread', () => {
  it('gives the same values as PGlite in this thread: int8 as bigint, dates as text, numeric as text, jsonb as objects', async () => {
    const insert = `INSERT INTO t VALUES (9007199254740993, '2026-03-31', 1234.50, '{"invoice": "INV-1", "lines": [1, 2]}', '2026-03-31 08:00:00+00') RETURNING *`;
    const [mine] = await threaded.system((sql) => sql.query(insert));
    const [theirs] = await local.system((sql) => sql.query(insert));
    expect(mine).toEqual(theirs);
    // 2^53 + 1 survives the thread boundary exactly.
    expect(mine).toMatchObject({ id: 9007199254740993n, day: '2026-03-31', amount: '1234.50', doc: { invoice: 'INV-1', lines: [1, 2] } });
  });

  it('passes PostgreSQL\'s error fields through (the code and constraint the callers turn into answers) and rolls back', async () => {
    const error = await threaded.system(async (sql) => {
      await sql.query(`INSERT INTO t (id, amount) VALUES (1, 10)`);
      await sql.query(`INSERT INTO t (id, amount) VALUES (2, -5)`);
    }).catch((e: unknown) => e as Error & { code?: string; constraint?: string });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23514', constraint: 't_amount_positive' });
    // The first insert went with the rollback.
    expect((await threaded.execute(`SELECT count(*) AS n FROM t WHERE id = 1`)).rows).toEqual([{ n: 0n }]);
  });

  it('keeps a transaction whole: a statement sent while it is open waits for it and does not run inside it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const transaction = threaded.system(async (sql) => {
      await sql.query(`INSERT INTO t (id, amount) VALUES (3, 30)`);
      await held;
      throw new Error('changed my mind');
    });
    // Sent while the transaction is open: if it ran inside it, it would see row 3 and be rolled back with it.
    const outside = threaded.execute(`INSERT INTO t (id, amount) VALUES (4, 40) RETURNING (SELECT count(*) FROM t WHERE id = 3) AS seen`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await expect(transaction).rejects.toThrow('changed my mind');
    expect((await outside).rows).toEqual([{ seen: 0n }]);
    expect((await threaded.execute(`SELECT id FROM t WHERE id IN (3, 4) ORDER BY id`)).rows).toEqual([{ id: 4n }]);
  });

  it('prepares a preload once when requests arrive together, in either thread', async () => {
    // The first burst of requests after a start: each tenant transaction with the same preload (a posting's reads)
    // must wait for the one PREPARE, not send its own ("prepared statement already exists").
    const tenant = '01234567-89ab-4def-8123-456789abcdef';
    for (const db of [threaded, local]) {
      await db.execute(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arflow_app') THEN CREATE ROLE arflow_app; END IF; END $$`);
      const preload = [{ text: 'SELECT $1::int8 * 2 AS n', values: ['21'] }];
      const answers = await Promise.all(Array.from({ length: 20 }, () => db.tenant(tenant, async (_sql, preloaded) => preloaded)));
      expect(answers).toHaveLength(20);
      const withPreload = await Promise.all(Array.from({ length: 20 }, () => db.tenant(tenant, async (_sql, preloaded) => preloaded, { preload })));
      expect(withPreload).toEqual(Array.from({ length: 20 }, () => [[{ n: 42n }]]));
    }
  });

  it('leaves this thread free while a long statement runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 10);
    const started = performance.now();
    try {
      // Some hundreds of milliseconds of work inside the database.
      await threaded.execute(`SELECT count(*) FROM generate_series(1, 3000000) g WHERE g % 7 = 3`);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // A timer every 10 ms ticks about elapsed / 10 times when the thread is free; in PGlite's own thread it would not
    // tick at all until the statement ends. Half of that leaves room for a busy machine.
    expect(elapsed).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 10 / 2));
  });
});
