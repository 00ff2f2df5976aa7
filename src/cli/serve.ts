/** `arflow serve` / `npm start`: open the database, migrate, create the demo company on first start, listen. */
import pino from 'pino';
import { openDatabase } from '../db/database.ts';
import { startJobs } from '../jobs/index.ts';
import { buildServer, parseTrustProxy } from '../http/server.ts';
import { ensureWebBuild, WEB_DIST } from '../web/build.ts';
import { listTenants } from '../modules/tenants/index.ts';
import type { Clock } from '../modules/context.ts';
import type { Io } from './output.ts';

export interface ServeOptions {
  port: number;
  host: string;
  demo: boolean;
  /** Build (when its sources changed) and serve the web app at /. */
  web: boolean;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  io: Io;
}

export async function serve(options: ServeOptions): Promise<void> {
  const db = await openDatabase({ databaseUrl: options.env.DATABASE_URL, dataDir: options.env.ARFLOW_DATA_DIR });
  await db.migrate();
  if (options.demo && (await listTenants(db)).length === 0) {
    options.io.err('empty database: creating the demo company (use --no-demo to skip)…');
    const { createDemo } = await import('../demo/demo.ts');
    const summary = await createDemo(db, options.clock, {});
    options.io.err(`demo company ${summary.tenant}: ${summary.customers} customers, ${summary.documents} documents, ${summary.allocations} allocations`);
  }
  // Log lines are written asynchronously: a line logged while a write is in flight goes out with the next write, so
  // under load many requests share one write instead of each paying for its own (docs/decisions.md, "Access log").
  // pino flushes what is pending when the process exits.
  const log = pino({ level: options.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: false }));
  // The job handlers start once the server listens (a ledger check queued by an import must not delay its start).
  let listening = () => {};
  const jobs = await startJobs(db, { clock: options.clock, work: true, log, workAfter: new Promise<void>((resolve) => (listening = resolve)) });
  let webDist: string | undefined;
  if (options.web) {
    await ensureWebBuild((m) => options.io.err(m));
    webDist = WEB_DIST;
  }
  const app = await buildServer({
    db, clock: options.clock, jobs, logger: log, trustProxy: parseTrustProxy(options.env.ARFLOW_TRUST_PROXY), ...(webDist ? { webDist } : {}),
  });
  await app.listen({ port: options.port, host: options.host });
  listening();
  options.io.err(`arflow is serving http://localhost:${options.port} on ${db.description}${webDist ? '' : ' (API only)'} (API docs: http://localhost:${options.port}/api/docs)`);
  await new Promise<void>((resolve) => {
    const stop = async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await app.close();
      await jobs.stop();
      await db.close();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
