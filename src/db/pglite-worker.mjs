// @ts-check
/**
 * The embedded database in its own thread (src/db/pglite-thread.ts starts it): PGlite, PostgreSQL compiled to
 * WebAssembly, runs every statement synchronously on the thread that owns it, so in the server's thread a long report
 * or an import's batch stops HTTP, JSON and everything else until it ends. Here it runs beside them, on the other core.
 *
 * Plain JavaScript so that the thread needs no TypeScript loader. One message at a time, in order: the main thread
 * keeps transactions whole (src/db/pglite-thread.ts holds a lock), this side only runs what it is sent.
 *
 * Requests: {id, op: 'open', dataDir} | {id, op: 'query', text, params} | {id, op: 'exec', text} |
 * {id, op: 'migrate', folder} | {id, op: 'close'}. Answers: {id, ok: true, result} or {id, ok: false, error}, the
 * error as a plain object with PostgreSQL's fields (code, detail, constraint, …), which a structured clone of an Error
 * would drop.
 */
import { parentPort } from 'node:worker_threads';

const OIDS = { int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184 };
/** @param {string} value */
const identity = (value) => value;

/** @type {import('@electric-sql/pglite').PGlite | null} */
let client = null;

/** @param {unknown} error */
function plain(error) {
  const e = /** @type {Record<string, unknown>} */ (error ?? {});
  /** @type {Record<string, unknown>} */
  const out = { message: error instanceof Error ? error.message : String(error) };
  for (const key of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'dataType', 'severity', 'position', 'where']) {
    if (e[key] !== undefined) out[key] = e[key];
  }
  return out;
}

/** @param {Record<string, any>} message */
async function handle(message) {
  switch (message.op) {
    case 'open': {
      const { PGlite } = await import('@electric-sql/pglite');
      client = await PGlite.create({
        ...(message.dataDir ? { dataDir: message.dataDir } : {}),
        parsers: { [OIDS.int8]: (/** @type {string} */ v) => BigInt(v), [OIDS.date]: identity, [OIDS.timestamp]: identity, [OIDS.timestamptz]: identity },
      });
      return null;
    }
    case 'query':
      return (await /** @type {NonNullable<typeof client>} */ (client).query(message.text, message.params)).rows;
    case 'exec':
      return (await /** @type {NonNullable<typeof client>} */ (client).exec(message.text)).map((r) => r.rows);
    case 'migrate': {
      const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
      await migrate(drizzle(/** @type {NonNullable<typeof client>} */ (client)), { migrationsFolder: message.folder });
      return null;
    }
    case 'close':
      await client?.close();
      client = null;
      return null;
    default:
      throw new Error(`assertion failed: unknown operation ${message.op}`);
  }
}

if (!parentPort) throw new Error('assertion failed: pglite-worker.mjs runs as a worker thread');
const port = parentPort;
let queue = Promise.resolve();
port.on('message', (message) => {
  // In order, one at a time, whatever the main thread sends.
  queue = queue.then(async () => {
    try {
      port.postMessage({ id: message.id, ok: true, result: await handle(message) });
    } catch (error) {
      port.postMessage({ id: message.id, ok: false, error: plain(error) });
    }
  });
});
