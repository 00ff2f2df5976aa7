/**
 * Background jobs on pg-boss, on both engines: on PostgreSQL through the server's pool, on PGlite through the same
 * in-process database (pg-boss's `db` option). Jobs are enqueued inside the transaction of the change that calls
 * for them, so a job exists if and only if its change was committed.
 *
 * Jobs now: `ledger.verify` checks one tenant's cached balances against its ledger (enqueued after every import);
 * `ledger.verify-all` runs nightly and enqueues that check for every tenant.
 */
import PgBoss from 'pg-boss';
import { withOrigin, type Database, type Sql } from '../db/database.ts';
import { sealAudit } from '../modules/audit/chain.ts';
import { appendAudit } from '../modules/audit/index.ts';
import type { Clock } from '../modules/context.ts';
import { verifyLedger } from '../modules/ledger/queries.ts';
import { listTenants } from '../modules/tenants/index.ts';

export const QUEUES = { verifyLedger: 'ledger.verify', verifyAll: 'ledger.verify-all', sealAudit: 'audit.seal' } as const;
type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What services see: enqueue a job inside their own transaction. */
export interface JobQueue {
  enqueue(sql: Sql, name: QueueName, data: Record<string, unknown>, options?: { singletonKey?: string }): Promise<void>;
}

export interface Jobs extends JobQueue {
  stop(): Promise<void>;
}

export interface JobOptions {
  clock: Clock;
  /** Run the handlers and the nightly schedule (the server); without it only enqueue (the CLI). */
  work: boolean;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export async function startJobs(db: Database, options: JobOptions): Promise<Jobs> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => db.execute(text, values ?? []) },
    schema: 'pgboss',
    supervise: options.work,
    schedule: options.work,
  } as PgBoss.ConstructorOptions);
  boss.on('error', (error) => options.log?.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 3, retryBackoff: true });
  }
  // Tenant transactions run as arflow_app; they may add jobs, nothing more.
  await db.execute(`GRANT USAGE ON SCHEMA pgboss TO arflow_app; GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA pgboss TO arflow_app`);

  if (options.work) {
    await boss.work<{ tenantId: string }>(QUEUES.verifyLedger, async (jobs) => {
      for (const job of jobs) {
        const tenant = (await listTenants(db)).find((t) => t.id === job.data.tenantId);
        if (!tenant) continue;
        const ctx = { db: withOrigin(db, 'job ledger.verify'), tenant, clock: options.clock, actor: 'job:ledger.verify' };
        const report = await verifyLedger(ctx, false);
        if (report.problems.length) {
          options.log?.error({ tenant: tenant.code, problems: report.problems.slice(0, 20) }, 'ledger verification found problems');
          await db.tenant(tenant.id, (sql) => appendAudit(sql, tenant.id, { actor: ctx.actor, action: 'ledger.verify.failed', entityType: 'ledger', after: { problems: report.problems.length, first: report.problems.slice(0, 20) } }));
        } else {
          options.log?.info({ tenant: tenant.code, documents: report.documents }, 'ledger verified');
        }
      }
    });
    await boss.work(QUEUES.verifyAll, async () => {
      for (const tenant of await listTenants(db)) {
        await boss.send(QUEUES.verifyLedger, { tenantId: tenant.id }, { singletonKey: tenant.id });
      }
    });
    // 02:00 in China (18:00 UTC), when nobody posts.
    await boss.schedule(QUEUES.verifyAll, '0 18 * * *', {}, { tz: 'UTC' });
    // The audit trail's hash chain: new entries are sealed within a minute or so.
    await boss.work(QUEUES.sealAudit, async () => {
      for (const tenant of await listTenants(db)) {
        const sealed = await sealAudit(db, tenant.id);
        if (sealed) options.log?.info({ tenant: tenant.code, sealed }, 'audit entries sealed');
      }
    });
    await boss.schedule(QUEUES.sealAudit, '* * * * *', {}, { tz: 'UTC' });
  }

  return {
    async enqueue(sql, name, data, enqueueOptions = {}) {
      await boss.send(name, data, {
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        db: { executeSql: async (text: string, values?: unknown[]) => ({ rows: await sql.query(text, values ?? []) }) },
      });
    },
    stop: () => boss.stop(options.work ? { graceful: true, wait: true, timeout: 10_000 } : { graceful: false, wait: false }),
  };
}
