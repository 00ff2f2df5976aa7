/**
 * Receivables KPIs (issue 4): the KPI set at any as-of date, monthly trends kept cheap by snapshots, and each
 * customer's payment behaviour. Load (figures.ts, SQL) → compute (src/domain/kpis.ts, pure) → present (here).
 * Definitions and worked examples: docs/kpis.md.
 *
 * One currency per report, like aging: the documents' own currency, default the company's functional currency.
 * Collectors and sales people get the KPIs of their own customers (computed live; snapshots are company-wide).
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { withSnapshotReader } from '../../db/snapshot-reader.ts';
import { addDays, parseDate, type LocalDate } from '../../domain/dates.ts';
import {
  averageDaysBeyondTerms, averageDaysToPay, computeKpis, DEFAULT_PERIOD_DAYS, KPI_DECIMALS, MAX_PERIOD_DAYS, MAX_TREND_MONTHS,
  MIN_PERIOD_DAYS, roundRatio, TREND_KEYS, trendDates, type KpiFigures, type KpiKey, type KpiValue, type Ratio,
} from '../../domain/kpis.ts';
import { checkCurrency, formatAmount } from '../../domain/money.ts';
import { customerScope } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { tuneForLedgerRead } from '../ledger/open-at.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';
import { big, loadKpiFigures, PAID_MOVES } from './figures.ts';
import { readSnapshots, storeSnapshots } from './snapshots.ts';

export { refreshKpiSnapshots } from './snapshots.ts';

const periodDaysText = z.coerce.number().int().min(MIN_PERIOD_DAYS).max(MAX_PERIOD_DAYS);

export const kpiQuerySchema = z.object({
  /** The date the KPIs are as of; default the company's today. */
  asOf: localDateText.optional(),
  /** The documents' currency; default the company's functional currency. */
  currency: z.string().trim().length(3).optional(),
  /** Days the flow KPIs (standard DSO, CEI, turnover, days to pay) look back over; default 90. */
  periodDays: periodDaysText.optional(),
});
export type KpiQuery = z.input<typeof kpiQuerySchema>;

export const kpiTrendQuerySchema = z.object({
  asOf: localDateText.optional(),
  currency: z.string().trim().length(3).optional(),
  /** Points in the trend: the month ends before asOf and asOf itself; 1 to 36, default 12. */
  months: z.coerce.number().int().min(1).max(MAX_TREND_MONTHS).default(12),
});
export type KpiTrendQuery = z.input<typeof kpiTrendQuerySchema>;

export const CUSTOMER_SORTS = ['daysBeyondTerms', 'daysToPay', 'paid', 'customer'] as const;
export const MAX_PAGE = 200;

export const customerBehaviourQuerySchema = z.object({
  asOf: localDateText.optional(),
  currency: z.string().trim().length(3).optional(),
  periodDays: periodDaysText.optional(),
  sort: z.enum(CUSTOMER_SORTS).default('daysBeyondTerms'),
  /** Largest first for the figures (the customer code ascending); `asc` turns it round. */
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  /** The previous page's nextCursor (an offset into the sorted list). */
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type CustomerBehaviourQuery = z.input<typeof customerBehaviourQuerySchema>;

export interface Resolved {
  asOf: LocalDate;
  currency: string;
  periodDays: number;
}

export function resolve(ctx: Context, query: { asOf?: string | undefined; currency?: string | undefined; periodDays?: number | undefined }): Resolved {
  return {
    asOf: query.asOf ? parseDate(query.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock),
    currency: checkCurrency((query.currency ?? ctx.tenant.currency).toUpperCase(), 'currency'),
    periodDays: query.periodDays ?? DEFAULT_PERIOD_DAYS,
  };
}

export interface KpiSet {
  asOf: LocalDate;
  currency: string;
  periodDays: number;
  /** The period the flow KPIs cover: from (inclusive) to (inclusive). */
  period: { from: LocalDate; to: LocalDate };
  kpis: Record<KpiKey, KpiValue>;
  /** The figures behind them, as decimal strings in the currency. */
  figures: {
    outstanding: string; current: string; overdue: string; over90: string; topCustomers: string; unappliedCash: string;
    unappliedCredits: string; beginning: string; sales: string; paid: string;
  };
}

/** The KPI set from its figures, presented: amounts and KPIs as decimal strings. */
export function presentKpis(f: KpiFigures, currency: string): KpiSet {
  const money = (m: bigint) => formatAmount(m, currency);
  return {
    asOf: f.asOf,
    currency,
    periodDays: f.periodDays,
    period: { from: addDays(f.periodStart, 1), to: f.asOf },
    kpis: computeKpis(f, money),
    figures: {
      outstanding: money(f.outstandingMinor), current: money(f.currentMinor), overdue: money(f.outstandingMinor - f.currentMinor),
      over90: money(f.over90Minor), topCustomers: money(f.topCustomersMinor), unappliedCash: money(f.unappliedCashMinor),
      unappliedCredits: money(f.unappliedCreditsMinor), beginning: money(f.beginningMinor), sales: money(f.salesMinor),
      paid: money(f.payments.paidMinor),
    },
  };
}

/**
 * The whole KPI set at an as-of date (default today) for one currency (default the company's), computed live in
 * four set-based statements, on two connections on PostgreSQL when one is free. The benchmark times this.
 */
export async function kpiSet(ctx: Context, sql: Sql, raw: KpiQuery = {}): Promise<KpiSet> {
  const r = resolve(ctx, parseInput(kpiQuerySchema, raw, 'kpis'));
  // On PostgreSQL a second connection in the same snapshot reads part of the set beside the main pass (not when this
  // transaction has written: the reader would not see it).
  const figures = await withSnapshotReader(ctx.db, sql, ctx.tenant.id, { setup: tuneForLedgerRead, sameView: true },
    (reader) => loadKpiFigures(sql, { tenantId: ctx.tenant.id, ...r, scope: customerScope(ctx) }, reader));
  return presentKpis(figures, r.currency);
}

export interface KpiTrendPoint {
  asOf: LocalDate;
  /** Where the point came from: a stored snapshot, or computed now (and stored, for a past date). */
  source: 'snapshot' | 'computed';
  kpis: Pick<Record<KpiKey, KpiValue>, (typeof TREND_KEYS)[number]>;
}

export interface KpiTrend {
  asOf: LocalDate;
  currency: string;
  periodDays: number;
  keys: readonly string[];
  points: KpiTrendPoint[];
}

/**
 * Monthly trend of DSO, CEI, the overdue shares and the AR balance: the month ends before asOf and asOf itself.
 * Points come from snapshots where present; missing ones are computed and, for dates before today, stored.
 */
export async function kpiTrend(ctx: Context, sql: Sql, raw: KpiTrendQuery = {}): Promise<KpiTrend> {
  const query = parseInput(kpiTrendQuerySchema, raw, 'kpi trend');
  const r = resolve(ctx, query);
  const dates = trendDates(r.asOf, query.months);
  const scope = customerScope(ctx);
  // Snapshots hold the whole company: a collector's or sales person's trend is computed live and not stored.
  const stored = scope ? new Map<LocalDate, KpiFigures>() : await readSnapshots(sql, ctx.tenant.id, r.currency, r.periodDays, dates);
  const missing = dates.filter((d) => !stored.has(d));
  const computed = new Map<LocalDate, KpiFigures>();
  if (missing.length) {
    const today = tenantToday(ctx.tenant, ctx.clock);
    const storable = scope ? [] : missing.filter((d) => d < today);
    if (storable.length) {
      for (const [d, f] of await storeSnapshots(sql, ctx.tenant.id, r.currency, r.periodDays, storable)) computed.set(d, f);
    }
    for (const d of missing.filter((x) => !computed.has(x))) {
      computed.set(d, await loadKpiFigures(sql, { tenantId: ctx.tenant.id, asOf: d, currency: r.currency, periodDays: r.periodDays, scope }));
    }
  }
  const points = dates.map((d): KpiTrendPoint => {
    const f = stored.get(d) ?? computed.get(d)!;
    const all = computeKpis(f, (m) => formatAmount(m, r.currency));
    return { asOf: d, source: stored.has(d) ? 'snapshot' : 'computed', kpis: Object.fromEntries(TREND_KEYS.map((k) => [k, all[k]])) as KpiTrendPoint['kpis'] };
  });
  return { asOf: r.asOf, currency: r.currency, periodDays: r.periodDays, keys: TREND_KEYS, points };
}

export interface CustomerBehaviourRow {
  customer: string;
  name: string;
  /** Payments applied to this customer's sales in the period. */
  paid: string;
  allocations: number;
  averageDaysToPay: string | null;
  averageDaysBeyondTerms: string | null;
}

export interface CustomerBehaviour {
  asOf: LocalDate;
  currency: string;
  periodDays: number;
  period: { from: LocalDate; to: LocalDate };
  sort: (typeof CUSTOMER_SORTS)[number];
  order: 'asc' | 'desc';
  /** Customers with payments in the period (in the caller's scope). */
  total: number;
  rows: CustomerBehaviourRow[];
  nextCursor: string | null;
}

const SORT_SQL: Record<(typeof CUSTOMER_SORTS)[number], string> = {
  daysBeyondTerms: 'sum(m.amount_minor::numeric * greatest(0, m.move_date - m.due_date)) / sum(m.amount_minor)',
  daysToPay: 'sum(m.amount_minor::numeric * (m.move_date - m.document_date)) / sum(m.amount_minor)',
  paid: 'sum(m.amount_minor)',
  customer: 'min(c.code)',
};

/** Each customer's payment behaviour in the period: weighted average days to pay and beyond terms; paged, sorted. */
export async function customerPaymentBehaviour(ctx: Context, sql: Sql, raw: CustomerBehaviourQuery = {}): Promise<CustomerBehaviour> {
  const query = parseInput(customerBehaviourQuerySchema, raw, 'customer payment behaviour');
  const order = query.order ?? (query.sort === 'customer' ? 'asc' : 'desc');
  return behaviourPage(ctx, sql, resolve(ctx, query), query.sort, order, query.limit, query.cursor ? Number(query.cursor) : 0);
}

/** One page of the payment behaviour list; `limit` is the caller's bound (the API's 200, an export's 10,000). */
export async function behaviourPage(
  ctx: Context, sql: Sql, r: Resolved, sort: (typeof CUSTOMER_SORTS)[number], order: 'asc' | 'desc', limit: number, offset: number,
): Promise<CustomerBehaviour> {
  const scope = customerScope(ctx);
  const periodStart = addDays(r.asOf, -r.periodDays);
  const params: unknown[] = [ctx.tenant.id, r.asOf, r.currency, periodStart, limit, offset];
  if (scope) params.push(scope.handle);
  const rows = await sql.query<Record<string, unknown> & { code: string; name: string; count: unknown; total: unknown }>(
    `SELECT c.code, min(c.name) AS name, sum(m.amount_minor) AS paid, count(*) AS count,
            sum(m.amount_minor::numeric * (m.move_date - m.document_date)) AS to_pay,
            sum(m.amount_minor::numeric * greatest(0, m.move_date - m.due_date)) AS beyond,
            count(*) OVER () AS total
       FROM item_moves m
       JOIN customers c ON c.tenant_id = $1 AND c.id = m.customer_id${scope ? ` AND c.${scope.field} = $7` : ''}
      WHERE ${PAID_MOVES}
      GROUP BY c.code
      ORDER BY ${SORT_SQL[sort]} ${order === 'asc' ? 'ASC' : 'DESC'}, c.code
      LIMIT $5 OFFSET $6`,
    params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  const show = (x: Ratio) => ('reason' in x ? null : roundRatio(x, KPI_DECIMALS.days));
  return {
    asOf: r.asOf,
    currency: r.currency,
    periodDays: r.periodDays,
    period: { from: addDays(periodStart, 1), to: r.asOf },
    sort,
    order,
    total,
    rows: rows.map((row) => {
      const sums = { paidMinor: big(row.paid), daysToPayWeighted: big(row.to_pay), daysBeyondTermsWeighted: big(row.beyond) };
      return {
        customer: row.code,
        name: row.name,
        paid: formatAmount(sums.paidMinor, r.currency),
        allocations: Number(row.count),
        averageDaysToPay: show(averageDaysToPay(sums)),
        averageDaysBeyondTerms: show(averageDaysBeyondTerms(sums)),
      };
    }),
    nextCursor: offset + rows.length < total ? String(offset + rows.length) : null,
  };
}
