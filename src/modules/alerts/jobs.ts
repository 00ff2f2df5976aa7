/**
 * The alert jobs' work: evaluate one company (or one customer) now, and the daily round (every company evaluated at
 * its own today, then each owner's digest emailed when SMTP is configured). One company's failure is logged and
 * does not stop the others; the next run tries again.
 */
import type { Database } from '../../db/database.ts';
import type { Clock, Context } from '../context.ts';
import { mailSettingsFor } from '../mail/index.ts';
import { listTenants, tenantToday } from '../tenants/index.ts';
import { sendDigests } from './digest.ts';
import { evaluateAlerts, evaluateCustomers, MAX_EVALUATION_CUSTOMERS } from './index.ts';

type Log = { info(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;

export { EVALUATION_DEBOUNCE_SECONDS, requestEvaluation } from './request.ts';

/**
 * A batch of evaluation jobs (one per customer posted to, debounced; or one per company): each company's customers
 * evaluated together in one transaction, as one set of statements, rather than one evaluation per posting's customer.
 * A company asked for whole is evaluated whole once, which covers its customers too.
 */
export async function runEvaluationJobs(db: Database, clock: Clock, jobs: readonly { tenantId: string; customerId?: string }[], log: Log): Promise<void> {
  const byTenant = new Map<string, { whole: boolean; customers: Set<string> }>();
  for (const { tenantId, customerId } of jobs) {
    const entry = byTenant.get(tenantId) ?? byTenant.set(tenantId, { whole: false, customers: new Set() }).get(tenantId)!;
    if (customerId) entry.customers.add(customerId);
    else entry.whole = true;
  }
  const tenants = new Map((await listTenants(db)).map((t) => [t.id, t]));
  let failed: unknown = null;
  for (const [tenantId, asked] of byTenant) {
    const tenant = tenants.get(tenantId);
    if (!tenant) continue;
    const ctx: Context = { db, tenant, clock, actor: 'job:alerts.evaluate' };
    // One company's failure does not keep the others in the batch from being evaluated; the batch then fails, and
    // pg-boss retries it (evaluating again changes nothing that was right).
    try {
      if (asked.whole) {
        log?.info({ tenant: tenant.code, ...(await evaluateAlerts(ctx, {})) }, 'alerts evaluated');
        continue;
      }
      const ids = [...asked.customers];
      for (let i = 0; i < ids.length; i += MAX_EVALUATION_CUSTOMERS) {
        const result = await evaluateCustomers(ctx, ids.slice(i, i + MAX_EVALUATION_CUSTOMERS));
        log?.info({ tenant: tenant.code, ...result }, 'alerts evaluated');
      }
    } catch (error) {
      log?.error({ tenant: tenant.code, err: error }, 'alerts evaluation failed');
      failed ??= error;
    }
  }
  if (failed) throw failed;
}

export async function runDailyAlerts(db: Database, clock: Clock, log: Log): Promise<void> {
  for (const tenant of await listTenants(db)) {
    const ctx: Context = { db, tenant, clock, actor: 'job:alerts.daily' };
    try {
      const mail = await db.tenant(tenant.id, (sql) => mailSettingsFor(sql, tenant.id));
      const result = await evaluateAlerts(ctx, {});
      log?.info({ tenant: tenant.code, ...result }, 'alerts evaluated');
      if (mail) {
        const sent = await sendDigests(ctx, tenantToday(tenant, clock), mail);
        if (sent.length) log?.info({ tenant: tenant.code, digests: sent.length }, 'alert digests sent');
      }
    } catch (error) {
      log?.error({ tenant: tenant.code, err: error }, 'daily alerts failed');
    }
  }
}
