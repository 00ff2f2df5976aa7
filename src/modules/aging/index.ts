/**
 * The aging report (账龄分析) at any as-of date, computed in SQL by the rules of src/domain/aging.ts (its oracle in
 * the tests). What was open at the as-of date is today's cached open amount plus what was applied after that date
 * (allocations dated later, reversals included, with their signs), so a historical report reads only today's open
 * items and the allocations since, never the whole ledger. Documents dated after the as-of date are left out.
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { AGING_GROUPINGS, parseBuckets, type AgingBasis, type AgingBucket, type AgingGrouping } from '../../domain/aging.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { checkCurrency, formatAmount } from '../../domain/money.ts';
import { customerScope } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export { AGING_GROUPINGS, type AgingGrouping };

export const agingQuerySchema = z.object({
  /** The date the report is as of; default the company's today. */
  asOf: localDateText.optional(),
  basis: z.enum(['due', 'document']).default('due'),
  /** Upper ends of the buckets in days, smallest first: "30,60,90,180,365" (the default). */
  buckets: z.string().trim().max(100).optional(),
  by: z.enum(AGING_GROUPINGS).default('customer'),
  /** The documents' currency; default the company's functional currency. */
  currency: z.string().trim().length(3).optional(),
});
export type AgingQuery = z.input<typeof agingQuerySchema>;

export interface AgingReportRow {
  key: string;
  name: string;
  current: string;
  buckets: Record<string, string>;
  outstanding: string;
  unapplied: string;
  net: string;
}

export interface AgingReport {
  asOf: LocalDate;
  basis: AgingBasis;
  by: AgingGrouping;
  currency: string;
  buckets: AgingBucket[];
  rows: AgingReportRow[];
  totals: Omit<AgingReportRow, 'key' | 'name'>;
}

/** The SQL expressions of a grouping: its key and its name (the customer group: the parent, or the customer itself). */
const GROUPING_SQL: Record<AgingGrouping, { key: string; name: string }> = {
  customer: { key: 'c.code', name: 'c.name' },
  group: { key: 'coalesce(p.code, c.code)', name: 'coalesce(p.name, c.name)' },
  segment: { key: "coalesce(c.segment, '')", name: "coalesce(c.segment, '')" },
  region: { key: "coalesce(c.region, '')", name: "coalesce(c.region, '')" },
  salesperson: { key: "coalesce(c.salesperson, '')", name: "coalesce(c.salesperson, '')" },
  collector: { key: "coalesce(c.collector, '')", name: "coalesce(c.collector, '')" },
};

type Figures = { current: bigint; outstanding: bigint; unapplied: bigint } & Record<string, bigint>;

export async function agingReport(ctx: Context, sql: Sql, raw: AgingQuery): Promise<AgingReport> {
  const query = parseInput(agingQuerySchema, raw, 'aging');
  const asOf = query.asOf ? parseDate(query.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const buckets = parseBuckets(query.buckets ?? '30,60,90,180,365', 'buckets');
  const currency = checkCurrency((query.currency ?? ctx.tenant.currency).toUpperCase(), 'currency');
  const grouping = GROUPING_SQL[query.by];
  // Collectors and sales people age their own customers only (docs/security.md).
  const scope = customerScope(ctx);
  const params: unknown[] = [ctx.tenant.id, asOf, currency];
  if (scope) params.push(scope.handle);
  // Days past the basis date at the as-of date; a credit has no due date and is never aged.
  const age = query.basis === 'due' ? '($2::date - coalesce(i.due_date, d.due_date, d.document_date))' : '($2::date - d.document_date)';
  // Bucket limits are validated whole numbers (parseBuckets), so they are written into the statement.
  const bucketColumns = buckets.slice(1).map((b, n) =>
    `sum(o.open_minor) FILTER (WHERE i.side = 'debit' AND ${age} >= ${b.fromDays}${b.toDays === null ? '' : ` AND ${age} <= ${b.toDays}`}) AS b${n}`);
  const rows = await sql.query<Record<string, unknown> & { key: string; name: string }>(
    `WITH later AS (
       SELECT item_id, sum(amount_minor) AS amount_minor FROM (
         SELECT a.debit_item_id AS item_id, a.amount_minor FROM allocations a WHERE a.tenant_id = $1 AND a.allocation_date > $2
         UNION ALL
         SELECT a.credit_item_id, a.credit_amount_minor FROM allocations a WHERE a.tenant_id = $1 AND a.allocation_date > $2
       ) moved GROUP BY item_id),
     open_items AS (
       SELECT b.item_id, b.open_minor + coalesce(l.amount_minor, 0) AS open_minor
         FROM item_balances b LEFT JOIN later l ON l.item_id = b.item_id
        WHERE b.tenant_id = $1 AND b.open_minor > 0
       UNION ALL
       SELECT b.item_id, l.amount_minor
         FROM later l JOIN item_balances b ON b.tenant_id = $1 AND b.item_id = l.item_id
        WHERE b.open_minor = 0)
     SELECT ${grouping.key} AS key, min(${grouping.name}) AS name,
            sum(o.open_minor) FILTER (WHERE i.side = 'debit' AND ${age} <= 0) AS current,
            ${bucketColumns.join(',\n            ')},
            sum(o.open_minor) FILTER (WHERE i.side = 'debit') AS outstanding,
            sum(o.open_minor) FILTER (WHERE i.side = 'credit') AS unapplied
       FROM open_items o
       JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id
       JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id
       JOIN customers c ON c.tenant_id = $1 AND c.id = i.customer_id
       LEFT JOIN customers p ON p.tenant_id = $1 AND p.id = c.parent_id
      WHERE o.open_minor <> 0 AND d.document_date <= $2 AND i.currency = $3${scope ? ` AND c.${scope.field} = $4` : ''}
      GROUP BY 1
      ORDER BY 1`,
    params);

  const money = (v: bigint) => formatAmount(v, currency);
  const totals: Figures = { current: 0n, outstanding: 0n, unapplied: 0n };
  buckets.slice(1).forEach((_b, n) => { totals[`b${n}`] = 0n; });
  const present = (key: string, name: string, f: Figures): AgingReportRow => ({
    key, name,
    current: money(f.current),
    buckets: Object.fromEntries(buckets.slice(1).map((b, n) => [b.key, money(f[`b${n}`]!)])),
    outstanding: money(f.outstanding),
    unapplied: money(f.unapplied),
    net: money(f.outstanding - f.unapplied),
  });
  const presented = rows.map((r) => {
    const f: Figures = { current: big(r.current), outstanding: big(r.outstanding), unapplied: big(r.unapplied) };
    buckets.slice(1).forEach((_b, n) => { f[`b${n}`] = big(r[`b${n}`]); });
    for (const k of Object.keys(totals)) totals[k] = totals[k]! + f[k]!;
    return present(r.key, r.name, f);
  });
  const { key: _k, name: _n, ...sum } = present('', '', totals);
  return { asOf, basis: query.basis, by: query.by, currency, buckets, rows: presented, totals: sum };
}

/** A SUM from either engine (bigint from PGlite's int8 parser, string from numeric), or null: as bigint. */
function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  return BigInt(String(value));
}
