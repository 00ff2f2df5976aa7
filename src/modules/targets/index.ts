/**
 * Collector targets and what works (issue 6, collector workspace): per collector and month a target for the amount
 * collected and for the CEI, against the actuals computed from the ledger; and an effectiveness report of the
 * collectors' activities: for each channel and outcome, the share followed by a payment from that customer within
 * 7 and 30 days.
 *
 * Actuals, in the functional currency, for the customers whose collector the user is now:
 *   collected = Σ allocations from a payment or advance receipt to those customers' debit items dated in the month
 *               (to the as-of date for the running month), reversals netted;
 *   CEI       = the KPI module's collection effectiveness index (src/domain/kpis.ts, docs/kpis.md) over the month, with
 *               the KPI figures (src/modules/kpis/figures.ts) scoped to the collector's customers:
 *               (beginning AR + credit sales − ending AR) ÷ (beginning AR + credit sales − ending current AR) × 100.
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { addDays, addMonths, daysBetween, endOfMonth, minDate, parseDate, type LocalDate } from '../../domain/dates.ts';
import { invalid, notAllowed } from '../../domain/errors.ts';
import { collectionEffectivenessIndex, roundRatio } from '../../domain/kpis.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import { parseRatePercent, rateText } from '../../domain/payment-plans.ts';
import { customerScope } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { loadKpiFigures } from '../kpis/figures.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

const monthText = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'write the month as YYYY-MM');
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));

export const targetSchema = z.object({
  collector: z.string().trim().min(1).max(100),
  month: monthText,
  /** Amount to collect in the month, functional currency, major units as text. */
  collected: amountText,
  /** CEI to reach, percent with at most 2 decimals ("85.00"); optional. */
  cei: z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'write the CEI target as a percentage like "85.00"').optional(),
}).strict();
export type TargetInput = z.input<typeof targetSchema>;

export interface SavedTarget { collector: string; month: string; collected: string; cei: string | null; currency: string }

/** Sets (or replaces) a collector's target for a month; audited with before and after. */
export async function setTarget(ctx: Context, raw: TargetInput, idempotencyKey?: string): Promise<SavedTarget> {
  const input = parseInput(targetSchema, raw, 'target');
  const currency = ctx.tenant.currency;
  const collected = parseAmount(input.collected, currency, 'collected');
  const ceiBp = input.cei === undefined ? null : parseRatePercent(input.cei)!;
  if (ceiBp !== null && ceiBp > 10_000) throw invalid('TARGET_CEI_INVALID', 'cei: at most 100.00 (percent)', [{ field: 'cei', message: 'above 100' }]);
  return withIdempotency(ctx, idempotencyKey, 'targets.set', input, async (sql) => {
    const [known] = await sql.query(
      `SELECT 1 AS found WHERE EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND handle = $2) OR EXISTS (SELECT 1 FROM customers WHERE tenant_id = $1 AND collector = $2)`,
      [ctx.tenant.id, input.collector]);
    if (!known) throw invalid('TARGET_UNKNOWN_COLLECTOR', `collector: ${input.collector} is neither a user's handle nor any customer's collector; give a collector's handle`, [{ field: 'collector', message: 'unknown handle' }]);
    const month = `${input.month}-01`;
    const [before] = await sql.query<{ collected: unknown; ceiBp: number | null }>(`SELECT collected_minor AS collected, cei_bp AS "ceiBp" FROM collector_targets WHERE tenant_id = $1 AND collector = $2 AND month = $3`, [ctx.tenant.id, input.collector, month]);
    await sql.query(
      `INSERT INTO collector_targets (tenant_id, collector, month, collected_minor, cei_bp, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, collector, month) DO UPDATE SET collected_minor = excluded.collected_minor, cei_bp = excluded.cei_bp, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, input.collector, month, collected, ceiBp, ctx.actor]);
    const saved: SavedTarget = { collector: input.collector, month: input.month, collected: formatAmount(collected, currency), cei: ceiBp === null ? null : rateText(ceiBp), currency };
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'targets.set', entityType: 'collector_target', entityId: `${input.collector}:${input.month}`,
      before: before ? { collected: formatAmount(big(before.collected), currency), cei: before.ceiBp === null ? null : rateText(Number(before.ceiBp)) } : undefined, after: saved,
    });
    return saved;
  });
}

export const targetReportSchema = z.object({
  month: monthText.optional(),
  collector: z.string().trim().min(1).max(100).optional(),
});

export interface TargetRow {
  collector: string;
  name: string | null;
  customers: number;
  targetCollected: string | null;
  collected: string;
  /** collected ÷ target × 100, 1 decimal; null without a target. */
  achievedPercent: string | null;
  targetCei: string | null;
  /** The CEI over the month (to asOf), 2 decimals; null when nothing was collectible. */
  cei: string | null;
  ceiReason: string | null;
  figures: { beginning: string; sales: string; ending: string; endingCurrent: string };
}

/** Targets against actuals for a month (default the running one): every collector, or one; a collector sees their own. */
export async function targetsReport(ctx: Context, sql: Sql, raw: z.input<typeof targetReportSchema> = {}): Promise<{ month: string; from: LocalDate; asOf: LocalDate; currency: string; rows: TargetRow[] }> {
  const q = parseInput(targetReportSchema, raw, 'targets');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const month = q.month ?? today.slice(0, 7);
  const from = `${month}-01`;
  parseDate(from, 'month');
  const asOf = minDate(endOfMonth(from), today);
  if (asOf < from) throw invalid('TARGET_MONTH_FUTURE', `month: ${month} has not begun (today is ${today}); its actuals come once it has`, [{ field: 'month', message: 'in the future' }]);
  const scope = customerScope(ctx);
  if (scope?.field === 'salesperson') throw notAllowed('TARGETS_SALES', 'collector targets are for collectors and their managers');
  let collector = q.collector;
  if (scope) {
    if (collector && collector !== scope.handle) throw notAllowed('TARGETS_OTHER_COLLECTOR', `collector: you see your own targets only (${scope.handle})`, [{ field: 'collector', message: 'someone else' }]);
    collector = scope.handle;
  }
  const currency = ctx.tenant.currency;
  const people = await sql.query<{ handle: string; name: string | null; customers: unknown; collected: unknown; ceiBp: number | null }>(
    `WITH handles AS (
       SELECT handle FROM users WHERE tenant_id = $1 AND role = 'collector' AND status = 'active' AND handle IS NOT NULL
       UNION SELECT collector FROM collector_targets WHERE tenant_id = $1 AND month = $2::date
       UNION SELECT DISTINCT collector FROM customers WHERE tenant_id = $1 AND collector IS NOT NULL)
     SELECT h.handle, (SELECT u.name FROM users u WHERE u.tenant_id = $1 AND u.handle = h.handle LIMIT 1) AS name,
            (SELECT count(*) FROM customers c WHERE c.tenant_id = $1 AND c.collector = h.handle) AS customers,
            t.collected_minor AS collected, t.cei_bp AS "ceiBp"
       FROM handles h LEFT JOIN collector_targets t ON t.tenant_id = $1 AND t.collector = h.handle AND t.month = $2::date
      WHERE ($3::text IS NULL OR h.handle = $3) ORDER BY h.handle LIMIT 200`, [ctx.tenant.id, from, collector ?? null]);
  const collectedRows = await sql.query<{ handle: string; collected: unknown }>(
    `SELECT c.collector AS handle, coalesce(sum(a.amount_minor), 0) AS collected
       FROM allocations a
       JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
       JOIN item_balances cr ON cr.tenant_id = a.tenant_id AND cr.item_id = a.credit_item_id AND cr.kind IN ('payment', 'advance')
       JOIN item_balances dr ON dr.tenant_id = a.tenant_id AND dr.item_id = a.debit_item_id AND dr.currency = $4
      WHERE a.tenant_id = $1 AND a.allocation_date >= $2 AND a.allocation_date <= $3 AND c.collector IS NOT NULL
      GROUP BY c.collector`, [ctx.tenant.id, from, asOf, currency]);
  const collectedBy = new Map(collectedRows.map((r) => [r.handle, big(r.collected)]));
  const periodDays = daysBetween(addDays(from, -1), asOf);
  const rows: TargetRow[] = [];
  for (const p of people) {
    const f = await loadKpiFigures(sql, { tenantId: ctx.tenant.id, asOf, currency, periodDays, scope: { field: 'collector', handle: p.handle } });
    const cei = collectionEffectivenessIndex(f.beginningMinor, f.salesMinor, f.outstandingMinor, f.currentMinor);
    const collected = collectedBy.get(p.handle) ?? 0n;
    const target = p.collected === null || p.collected === undefined ? null : big(p.collected);
    rows.push({
      collector: p.handle, name: p.name, customers: Number(p.customers),
      targetCollected: target === null ? null : formatAmount(target, currency), collected: formatAmount(collected, currency),
      achievedPercent: target === null || target === 0n ? null : roundRatio({ numerator: collected * 100n, denominator: target }, 1),
      targetCei: p.ceiBp === null || p.ceiBp === undefined ? null : rateText(Number(p.ceiBp)),
      cei: 'reason' in cei ? null : roundRatio(cei, 2), ceiReason: 'reason' in cei ? cei.reason : null,
      figures: { beginning: formatAmount(f.beginningMinor, currency), sales: formatAmount(f.salesMinor, currency), ending: formatAmount(f.outstandingMinor, currency), endingCurrent: formatAmount(f.currentMinor, currency) },
    });
  }
  return { month, from, asOf, currency, rows };
}

export const effectivenessSchema = z.object({
  /** Activities from this day (default 90 days before `to`). */
  from: localDateText.optional(),
  /** …to this day (default today). */
  to: localDateText.optional(),
  collector: z.string().trim().min(1).max(100).optional(),
});

export interface EffectivenessRow {
  channel: string;
  outcome: string;
  activities: number;
  /** Activities whose 7-day window has ended by today, and of them those followed by a payment within it. */
  measured7: number;
  paid7: number;
  share7: string | null;
  measured30: number;
  paid30: number;
  share30: string | null;
}

/**
 * For the activities dated in [from, to] on customers in scope (or one collector's), per channel and outcome: how
 * many were followed by a payment from that customer — an allocation from a payment or advance receipt to its items
 * dated after the activity day and at most 7 (30) days after it. An activity counts only once its window has ended
 * by today, so a recent call is not counted as unanswered. Share = paid ÷ measured × 100, 1 decimal.
 */
export async function effectivenessReport(ctx: Context, sql: Sql, raw: z.input<typeof effectivenessSchema> = {}): Promise<{ from: LocalDate; to: LocalDate; asOf: LocalDate; rows: EffectivenessRow[]; totals: EffectivenessRow }> {
  const q = parseInput(effectivenessSchema, raw, 'effectiveness');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const to = q.to ? parseDate(q.to, 'to') : today;
  const from = q.from ? parseDate(q.from, 'from') : addDays(to, -90);
  if (from > to) throw invalid('EFFECTIVENESS_RANGE', `from: ${from} is after to (${to})`, [{ field: 'from', message: 'after to' }]);
  if (daysBetween(from, to) > 366) throw invalid('EFFECTIVENESS_RANGE', 'from: at most a year between from and to', [{ field: 'from', message: 'range too long' }]);
  const scope = customerScope(ctx);
  const params: unknown[] = [ctx.tenant.id, from, to, today];
  let filter = '';
  if (scope) { params.push(scope.handle); filter += ` AND c.${scope.field} = $${params.length}`; }
  if (q.collector) { params.push(q.collector); filter += ` AND c.collector = $${params.length}`; }
  const rows = await sql.query<{ channel: string; outcome: string; activities: unknown; measured7: unknown; paid7: unknown; measured30: unknown; paid30: unknown }>(
    `WITH acts AS (
       SELECT a.channel, a.outcome, a.customer_id, a.activity_date FROM collection_activities a JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
        WHERE a.tenant_id = $1 AND a.activity_date >= $2 AND a.activity_date <= $3 ${filter}),
     firsts AS (
       SELECT x.channel, x.outcome, x.activity_date,
              (SELECT min(al.allocation_date) FROM allocations al
                 JOIN item_balances cr ON cr.tenant_id = al.tenant_id AND cr.item_id = al.credit_item_id AND cr.kind IN ('payment', 'advance')
                WHERE al.tenant_id = $1 AND al.customer_id = x.customer_id AND al.amount_minor > 0 AND al.reverses_allocation_id IS NULL
                  AND al.allocation_date > x.activity_date AND al.allocation_date <= x.activity_date + 30) AS paid_on
         FROM acts x)
     SELECT channel, outcome, count(*) AS activities,
            count(*) FILTER (WHERE activity_date + 7 <= $4::date) AS measured7,
            count(*) FILTER (WHERE activity_date + 7 <= $4::date AND paid_on <= activity_date + 7) AS paid7,
            count(*) FILTER (WHERE activity_date + 30 <= $4::date) AS measured30,
            count(*) FILTER (WHERE activity_date + 30 <= $4::date AND paid_on IS NOT NULL) AS paid30
       FROM firsts GROUP BY channel, outcome ORDER BY channel, outcome`, params);
  const share = (paid: number, measured: number) => (measured === 0 ? null : roundRatio({ numerator: BigInt(paid) * 100n, denominator: BigInt(measured) }, 1));
  const out = rows.map((r): EffectivenessRow => {
    const [a, m7, p7, m30, p30] = [r.activities, r.measured7, r.paid7, r.measured30, r.paid30].map(Number) as [number, number, number, number, number];
    return { channel: r.channel, outcome: r.outcome, activities: a, measured7: m7, paid7: p7, share7: share(p7, m7), measured30: m30, paid30: p30, share30: share(p30, m30) };
  });
  const sum = (k: 'activities' | 'measured7' | 'paid7' | 'measured30' | 'paid30') => out.reduce((s, r) => s + r[k], 0);
  const totals: EffectivenessRow = {
    channel: 'all', outcome: 'all', activities: sum('activities'), measured7: sum('measured7'), paid7: sum('paid7'), share7: share(sum('paid7'), sum('measured7')),
    measured30: sum('measured30'), paid30: sum('paid30'), share30: share(sum('paid30'), sum('measured30')),
  };
  return { from, to, asOf: today, rows: out, totals };
}

/** The months a target list covers: the running one and the 11 before (for pickers). */
export function recentMonths(today: LocalDate, count = 12): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(`${today.slice(0, 7)}-01`, -i).slice(0, 7));
}
