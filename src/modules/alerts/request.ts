/**
 * Asking for an early-warning evaluation after a change that matters (a posting, an application or reversal, an
 * import, an order, an assessment). Kept apart from the evaluation itself, with no imports, so the ledger and the
 * other modules can call it without depending on the alert rules.
 */
import type { Sql } from '../../db/database.ts';
import type { Context } from '../context.ts';

/** Postings in a burst (an import, a payment run) give one evaluation per customer per minute. */
export const EVALUATION_DEBOUNCE_SECONDS = 60;

/**
 * Asks for an evaluation of a customer (or, without one, of the whole company) inside the caller's transaction, so
 * the job exists if and only if the change commits. Debounced per customer: one job per minute slot. Nothing happens
 * where no job queue runs (tests, the CLI without a server): the daily evaluation catches up.
 */
export async function requestEvaluation(ctx: Context, sql: Sql, customerId?: string): Promise<void> {
  await ctx.jobs?.enqueue(sql, 'alerts.evaluate', { tenantId: ctx.tenant.id, ...(customerId ? { customerId } : {}) }, { singletonKey: `${ctx.tenant.id}:${customerId ?? '*'}`, debounceSeconds: EVALUATION_DEBOUNCE_SECONDS });
}
