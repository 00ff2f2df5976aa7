/**
 * The alert jobs' work: evaluate one company (or one customer) now, and the daily round (every company evaluated at
 * its own today, then each owner's digest emailed when SMTP is configured). One company's failure is logged and
 * does not stop the others; the next run tries again.
 */
import type { Database, Sql } from '../../db/database.ts';
import type { Clock, Context } from '../context.ts';
import { mailSettingsFor } from '../mail/index.ts';
import { listTenants, tenantToday } from '../tenants/index.ts';
import { sendDigests } from './digest.ts';
import { evaluateAlerts } from './index.ts';

type Log = { info(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;

export { EVALUATION_DEBOUNCE_SECONDS, requestEvaluation } from './request.ts';

export async function runEvaluationJob(db: Database, clock: Clock, data: { tenantId: string; customerId?: string }, log: Log): Promise<void> {
  const tenant = (await listTenants(db)).find((t) => t.id === data.tenantId);
  if (!tenant) return;
  const ctx: Context = { db, tenant, clock, actor: 'job:alerts.evaluate' };
  let customer: string | undefined;
  if (data.customerId) {
    const [row] = await db.tenant(tenant.id, (sql) => sql.query<{ code: string }>(`SELECT code FROM customers WHERE tenant_id = $1 AND id = $2`, [tenant.id, data.customerId]));
    if (!row) return;
    customer = row.code;
  }
  const result = await evaluateAlerts(ctx, { customer });
  log?.info({ tenant: tenant.code, ...result }, 'alerts evaluated');
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
