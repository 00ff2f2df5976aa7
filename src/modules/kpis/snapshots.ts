/**
 * KPI snapshots: the figures of the KPI set stored per company, as-of date, currency and period, so that a trend of
 * 12 or 36 month ends reads a few rows instead of computing every point. A snapshot is a cache that must never go
 * stale silently: posting a document or allocation dated on or before its date deletes it in the posting's own
 * transaction (a statement trigger, migration 0009), and the next read or the hourly job computes it again.
 *
 * Writers take the company's KPI advisory lock exclusively before computing; the posting trigger holds it shared
 * to its commit. So a writer waits for postings in flight (and then sees their rows), and a posting reaching its
 * trigger meanwhile waits until the snapshot is stored, then deletes it if it is affected: no snapshot can miss a
 * posting that commits around it. Postings never wait on each other, nor on another company's snapshots.
 */
import type { Sql } from '../../db/database.ts';
import { addDays, type LocalDate } from '../../domain/dates.ts';
import { DEFAULT_PERIOD_DAYS, figuresFromJson, figuresToJson, trendDates, type KpiFigures } from '../../domain/kpis.ts';
import type { Context } from '../context.ts';
import { tenantToday } from '../tenants/index.ts';
import { loadKpiFigures } from './figures.ts';

/** The stored figures among `dates`. */
export async function readSnapshots(sql: Sql, tenantId: string, currency: string, periodDays: number, dates: readonly LocalDate[]): Promise<Map<LocalDate, KpiFigures>> {
  const rows = await sql.query<{ asOf: LocalDate; figures: Record<string, unknown> }>(
    `SELECT as_of AS "asOf", figures FROM kpi_snapshots
      WHERE tenant_id = $1 AND as_of = ANY($2::date[]) AND currency = $3 AND period_days = $4`,
    [tenantId, `{${dates.join(',')}}`, currency, periodDays]);
  return new Map(rows.map((r) => [r.asOf, figuresFromJson(typeof r.figures === 'string' ? JSON.parse(r.figures) as Record<string, unknown> : r.figures)]));
}

/** The advisory lock key the posting trigger takes shared (migration 0009): (7301, hashtext(tenant id)). */
const KPI_LOCK_CLASS = 7301;

/**
 * Computes the company-wide figures at each of `dates` and stores them (replacing any), under the company's KPI
 * lock that keeps them from missing a concurrent posting. Returns what it stored.
 */
export async function storeSnapshots(sql: Sql, tenantId: string, currency: string, periodDays: number, dates: readonly LocalDate[]): Promise<Map<LocalDate, KpiFigures>> {
  const stored = new Map<LocalDate, KpiFigures>();
  if (dates.length === 0) return stored;
  await sql.query(`SELECT pg_advisory_xact_lock(${KPI_LOCK_CLASS}, hashtext($1::text))`, [tenantId]);
  for (const asOf of dates) {
    const figures = await loadKpiFigures(sql, { tenantId, asOf, currency, periodDays, scope: null });
    await sql.query(
      `INSERT INTO kpi_snapshots (tenant_id, as_of, currency, period_days, figures) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, as_of, currency, period_days) DO UPDATE SET figures = excluded.figures, computed_at = now()`,
      [tenantId, asOf, currency, periodDays, JSON.stringify(figuresToJson(figures))]);
    stored.set(asOf, figures);
  }
  return stored;
}

/**
 * Makes sure a company has snapshots for yesterday (in its time zone) and the last `months` month ends, in its
 * functional currency and the default period: computes the missing ones only, each in its own transaction, so a
 * posting of the company waits for one point at most. The hourly job and the demo call it. Returns the dates it
 * computed.
 */
export async function refreshKpiSnapshots(ctx: Context, months = 12): Promise<LocalDate[]> {
  const yesterday = addDays(tenantToday(ctx.tenant, ctx.clock), -1);
  const dates = trendDates(yesterday, months + 1);
  const { id, currency } = ctx.tenant;
  const present = await ctx.db.tenant(id, (sql) => readSnapshotDates(sql, id, currency, DEFAULT_PERIOD_DAYS, dates));
  const missing = dates.filter((d) => !present.has(d));
  for (const asOf of missing) await ctx.db.tenant(id, (sql) => storeSnapshots(sql, id, currency, DEFAULT_PERIOD_DAYS, [asOf]));
  return missing;
}

async function readSnapshotDates(sql: Sql, tenantId: string, currency: string, periodDays: number, dates: readonly LocalDate[]): Promise<Set<LocalDate>> {
  const rows = await sql.query<{ asOf: LocalDate }>(
    `SELECT as_of AS "asOf" FROM kpi_snapshots WHERE tenant_id = $1 AND as_of = ANY($2::date[]) AND currency = $3 AND period_days = $4`,
    [tenantId, `{${dates.join(',')}}`, currency, periodDays]);
  return new Set(rows.map((r) => r.asOf));
}
