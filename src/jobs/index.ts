/**
 * Background jobs on pg-boss, on both engines: on PostgreSQL through the server's pool, on PGlite through the same
 * in-process database (pg-boss's `db` option). Jobs are enqueued inside the transaction of the change that calls
 * for them, so a job exists if and only if its change was committed.
 *
 * Jobs now: `ledger.verify` checks one tenant's cached balances against its ledger (enqueued after every import);
 * `ledger.verify-all` runs nightly and enqueues that check for every tenant; `kpi.snapshot` runs hourly and keeps
 * each tenant's KPI snapshots (yesterday and the last 12 month ends) filled.
 */
import PgBoss from 'pg-boss';
import { withOrigin, type Database, type Sql } from '../db/database.ts';
import { sealAudit } from '../modules/audit/chain.ts';
import { appendAudit } from '../modules/audit/index.ts';
import type { Clock } from '../modules/context.ts';
import { verifyLedger } from '../modules/ledger/queries.ts';
import { refreshKpiSnapshots } from '../modules/kpis/index.ts';
import { listTenants } from '../modules/tenants/index.ts';
import { deliverSend, runMonthlyStatements } from '../modules/statements/sends.ts';
import { evaluateHolds } from '../modules/credit-limits/index.ts';
import { runDailyAlerts, runEvaluationJobs } from '../modules/alerts/jobs.ts';
import { runDailyPromises } from '../modules/collections/index.ts';
import { runDailyDunning } from '../modules/dunning/index.ts';
import { channelsFromEnv, sendAllOutboxes } from '../modules/dunning/sender.ts';
import { runDailyPlans } from '../modules/payment-plans/index.ts';

/** Evaluation jobs (one per customer posted to) taken and evaluated together. */
const EVALUATION_BATCH = 200;

export const QUEUES = {
  verifyLedger: 'ledger.verify', verifyAll: 'ledger.verify-all', sealAudit: 'audit.seal', kpiSnapshot: 'kpi.snapshot',
  // Statements of account and confirmations by email (src/modules/statements/sends.ts).
  sendStatement: 'statements.send', monthlyStatements: 'statements.monthly',
  // Credit hold rules (src/modules/credit-limits): evaluated hourly for every company on its today.
  creditHolds: 'credit.holds',
  // Early warning (src/modules/alerts): one company or customer now, and every company daily with the digest.
  evaluateAlerts: 'alerts.evaluate', dailyAlerts: 'alerts.daily',
  // Promises to pay (src/modules/collections): every company's open promises decided daily at its today.
  dailyPromises: 'promises.daily',
  // Dunning (src/modules/dunning): every company's run daily at its today; the outbox delivered every 5 minutes.
  dailyDunning: 'dunning.daily', sendDunning: 'dunning.send',
  // Payment plans (src/modules/payment-plans): completed plans closed, plans in default cancelled when the company says so.
  dailyPlans: 'plans.daily',
} as const;
type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What services see: enqueue a job inside their own transaction. */
export interface JobQueue {
  enqueue(sql: Sql, name: QueueName, data: Record<string, unknown>, options?: { singletonKey?: string; debounceSeconds?: number }): Promise<void>;
}

export interface Jobs extends JobQueue {
  stop(): Promise<void>;
}

export interface JobOptions {
  clock: Clock;
  /** Run the handlers and the nightly schedule (the server); without it only enqueue (the CLI). */
  work: boolean;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /**
   * With `work`: start the handlers only once this settles. The server passes its listening, so that a job's work
   * (on PGlite, on the server's one thread) cannot delay its first answer.
   */
  workAfter?: Promise<unknown>;
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

  const jobQueue: JobQueue = {
    async enqueue(sql, name, data, enqueueOptions = {}) {
      await boss.send(name, data, {
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        // Debounced (pg-boss sendDebounced's options): one job per key and time slot; a request in a slot that has
        // its job already goes to the next slot, so the last change is always seen.
        ...(enqueueOptions.debounceSeconds ? { singletonSeconds: enqueueOptions.debounceSeconds, singletonNextSlot: true } : {}),
        db: { executeSql: async (text: string, values?: unknown[]) => ({ rows: await sql.query(text, values ?? []) }) },
      });
    },
  };

  const startWork = async () => {
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
    // KPI snapshots: every hour, each company gets yesterday (in its own time zone, so within an hour of its
    // midnight) and any of the last 12 month ends that is missing or was deleted by a back-dated posting.
    await boss.work(QUEUES.kpiSnapshot, async () => {
      for (const tenant of await listTenants(db)) {
        const ctx = { db: withOrigin(db, 'job kpi.snapshot'), tenant, clock: options.clock, actor: 'job:kpi.snapshot' };
        try {
          const computed = await refreshKpiSnapshots(ctx, 12);
          if (computed.length) options.log?.info({ tenant: tenant.code, dates: computed }, 'KPI snapshots computed');
        } catch (error) {
          // One company's failure must not keep the others' trends from being filled; the next run tries again.
          options.log?.error({ tenant: tenant.code, err: error }, 'KPI snapshots failed');
        }
      }
    });
    await boss.schedule(QUEUES.kpiSnapshot, '20 * * * *', {}, { tz: 'UTC' });
    // Statements and confirmations by email: a failed send is retried (retryLimit), its failure recorded each time.
    await boss.work<{ tenantId: string; sendId: string }>(QUEUES.sendStatement, async (jobs) => {
      for (const job of jobs) {
        const tenant = (await listTenants(db)).find((t) => t.id === job.data.tenantId);
        if (!tenant) continue;
        const sent = await deliverSend(withOrigin(db, 'job statements.send'), options.clock, tenant, job.data.sendId);
        options.log?.info({ tenant: tenant.code, send: sent.id, to: sent.recipient, messageId: sent.messageId }, 'statement sent');
      }
    });
    // Monthly statements: every day at 01:00 UTC each company on its statement day (tenant setting) sends last month's.
    await boss.work(QUEUES.monthlyStatements, async () => {
      const requested = await runMonthlyStatements(withOrigin(db, 'job statements.monthly'), options.clock, jobQueue);
      if (requested) options.log?.info({ requested }, 'monthly statements queued');
    });
    await boss.schedule(QUEUES.monthlyStatements, '0 1 * * *', {}, { tz: 'UTC' });
    // Credit hold rules: hourly, each company on its own today (a hold placed once per rule; a release needs approval).
    await boss.work(QUEUES.creditHolds, async () => {
      for (const tenant of await listTenants(db)) {
        const ctx = { db: withOrigin(db, 'job credit.holds'), tenant, clock: options.clock, actor: 'job:credit.holds' };
        try {
          const r = await evaluateHolds(ctx, {});
          if (r.placed.length) options.log?.info({ tenant: tenant.code, placed: r.placed.length }, 'credit holds placed');
        } catch (error) {
          options.log?.error({ tenant: tenant.code, err: error }, 'credit hold rules failed');
        }
      }
    });
    await boss.schedule(QUEUES.creditHolds, '40 * * * *', {}, { tz: 'UTC' });
    // Early warning: an evaluation asked for (debounced by its singleton key), and daily at 23:30 UTC (07:30 in China)
    // every company evaluated at its today and each owner's digest emailed (when SMTP is set up).
    // Up to EVALUATION_BATCH customers' jobs at once, evaluated together: a burst of postings to many customers costs
    // one evaluation per batch, not one per customer.
    await boss.work<{ tenantId: string; customerId?: string }>(QUEUES.evaluateAlerts, { batchSize: EVALUATION_BATCH }, async (jobs) => {
      await runEvaluationJobs(withOrigin(db, 'job alerts.evaluate'), options.clock, jobs.map((j) => j.data), options.log);
    });
    await boss.work(QUEUES.dailyAlerts, async () => {
      await runDailyAlerts(withOrigin(db, 'job alerts.daily'), options.clock, options.log);
    });
    await boss.schedule(QUEUES.dailyAlerts, '30 23 * * *', {}, { tz: 'UTC' });
    // Promises to pay: decided daily at 23:10 UTC (07:10 in China), before the alerts look at the day.
    await boss.work(QUEUES.dailyPromises, async () => {
      await runDailyPromises(withOrigin(db, 'job promises.daily'), options.clock, options.log);
    });
    await boss.schedule(QUEUES.dailyPromises, '10 23 * * *', {}, { tz: 'UTC' });
    // Dunning: daily at 23:20 UTC (07:20 in China), after the promises are decided (a broken one resumes dunning),
    // every company at its today; the outbox is delivered every 5 minutes (claims, retries with backoff).
    await boss.work(QUEUES.dailyDunning, async () => {
      await runDailyDunning(withOrigin(db, 'job dunning.daily'), options.clock, options.log);
    });
    await boss.schedule(QUEUES.dailyDunning, '20 23 * * *', {}, { tz: 'UTC' });
    await boss.work(QUEUES.sendDunning, async () => {
      await sendAllOutboxes(withOrigin(db, 'job dunning.send'), options.clock, channelsFromEnv(), options.log);
    });
    await boss.schedule(QUEUES.sendDunning, '*/5 * * * *', {}, { tz: 'UTC' });
    // Payment plans: evaluated daily at 23:15 UTC, after the promises and before the alerts.
    await boss.work(QUEUES.dailyPlans, async () => {
      await runDailyPlans(withOrigin(db, 'job plans.daily'), options.clock, options.log);
    });
    await boss.schedule(QUEUES.dailyPlans, '15 23 * * *', {}, { tz: 'UTC' });
  };
  if (options.work && options.workAfter) {
    void options.workAfter.then(startWork).catch((error: unknown) => options.log?.error({ err: error }, 'job queue error'));
  } else if (options.work) {
    await startWork();
  }

  return {
    ...jobQueue,
    stop: () => boss.stop(options.work ? { graceful: true, wait: true, timeout: 10_000 } : { graceful: false, wait: false }),
  };
}
