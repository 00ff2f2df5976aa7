/**
 * The embedded database in a worker thread: what `arflow serve` and the command line open on PGlite (openDatabase).
 *
 * PGlite runs each statement synchronously on the thread that owns it. In the server's own thread a statement stops
 * everything else: HTTP parsing, JSON, the answers of other requests (docs/benchmarks.md: 32 clients posting
 * payments queue behind one thread, and a long report held every other request). In a worker thread
 * (src/db/pglite-worker.mjs) the database works on one core while the server works on the other, and a report no
 * longer stops the server from answering.
 *
 * The worker runs what it is sent, in order. Transactions are kept whole here: one lock, taken by each transaction and
 * each statement outside one, so nothing sent by another request can land inside an open transaction (the lock
 * PGlite itself takes in its own thread). Rows cross the thread boundary by structured clone (bigint, strings,
 * objects of jsonb); errors as plain objects, rebuilt here as Errors with PostgreSQL's fields (code, constraint…)
 * that the callers read. Tests open PGlite in their own thread (openPglite), where a prepared template loads faster.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockPgliteDir, pgliteDatabase, type Database, type PgliteEngine } from './database.ts';

type Request = { op: 'open'; dataDir?: string } | { op: 'query'; text: string; params: readonly unknown[] } | { op: 'exec'; text: string } | { op: 'migrate'; folder: string } | { op: 'close' };
type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

/** A mutual-exclusion lock for async work: run(fn) waits for every earlier run to end. */
function lock() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn, fn);
    tail = result.catch(() => {});
    return result;
  };
}

/** PGlite in a worker thread, with its data in `dataDir` (or in memory); locked for this process like openPglite. */
export async function openPgliteThread(options: { dataDir?: string } = {}): Promise<Database> {
  const releaseLock = options.dataDir ? lockPgliteDir(options.dataDir) : () => {};
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { execArgv: [] });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failed: Error | null = null;
  // The thread keeps the process alive only while a request waits for it, as PGlite in this thread would.
  worker.unref();
  const settle = (answer: Answer) => {
    const waiting = pending.get(answer.id);
    if (!waiting) return;
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    if (answer.ok) waiting.resolve(answer.result);
    else waiting.reject(Object.assign(new Error(answer.error.message), answer.error));
  };
  const fail = (error: Error) => {
    failed = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('message', settle);
  worker.on('error', (error) => fail(new Error(`the embedded database's thread failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the embedded database's thread ended (exit code ${code})`)));
  const send = <T>(request: Request): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = ++next;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...request });
    });
  };
  const direct: Pick<PgliteEngine, 'query' | 'exec'> = {
    query: (text, params) => send({ op: 'query', text, params }),
    exec: (text) => send({ op: 'exec', text }),
  };
  const exclusive = lock();
  const engine: PgliteEngine = {
    query: (text, params) => exclusive(() => direct.query(text, params)),
    exec: (text) => exclusive(() => direct.exec(text)),
    transaction: (fn) => exclusive(async () => {
      await direct.exec('BEGIN');
      try {
        const result = await fn(direct);
        await direct.exec('COMMIT');
        return result;
      } catch (error) {
        await direct.exec('ROLLBACK').catch(() => {});
        throw error;
      }
    }),
    migrate: (folder) => exclusive(() => send({ op: 'migrate', folder })),
    close: () => exclusive(async () => {
      try {
        if (!failed) await send({ op: 'close' });
      } finally {
        worker.removeAllListeners('exit');
        await worker.terminate();
      }
    }),
  };
  try {
    await send({ op: 'open', ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'pglite') } : {}) });
  } catch (error) {
    await worker.terminate();
    releaseLock();
    throw error;
  }
  return pgliteDatabase(engine, options.dataDir ? `embedded (PGlite, its own thread) in ${options.dataDir}` : 'embedded (PGlite, its own thread) in memory', releaseLock);
}
