/**
 * The aging report (账龄分析) at any as-of date, computed in SQL by the rules of src/domain/aging.ts (its oracle in
 * the tests). What was open at the as-of date is today's cached open amount plus what was applied after that date
 * (allocations dated later, reversals included, with their signs), so a historical report reads only today's open
 * items and the allocations since, never the whole ledger. Documents dated after the as-of date are left out.
 *
 * Amounts are in one transaction currency (`currency`, default the functional one), or, with `convert`, every
 * currency converted to the functional currency at the as-of rate: the latest rate recorded on or before the as-of
 * date, applied to each open item and rounded half away from zero to the functional currency's minor unit
 * (convertAmount's rule, the one rounding rule for money); rows and totals are sums of the converted items.
 *
 * The report answers a page (agingReport): `limit` rows (at most MAX_AGING_ROWS) from `offset`, sorted in SQL by
 * outstanding (largest first), key or name, with the exact totals and the row count over every row from the same
 * statement. Every row is read from a cursor in batches (agingRowBatches: the CSV and XLSX files) or at once
 * (agingReportAll: the provision and the alerts); docs/decisions.md, "The report answers a page".
 *
 * Disputed amounts (issue 6): `disputed` sits beside `unapplied` as a share of `outstanding`, not as a bucket: the
 * part of the open items that an open or investigating dispute covered at the as-of date (per item the amount
 * disputed, never more than the item's open amount then; src/modules/disputes disputedAtSql), converted like the
 * rest. It is summed in a second statement over the disputed items only, so the report's own scan is unchanged.
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import {
  AGING_GROUPINGS, bucketOf, DEFAULT_AGING_ROWS, MAX_AGING_OFFSET, MAX_AGING_ROWS, parseBuckets, type AgingBasis, type AgingBucket, type AgingGrouping,
} from '../../domain/aging.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { formatDecimal, parseDecimal, type Decimal } from '../../domain/decimal.ts';
import { invalid } from '../../domain/errors.ts';
import { addMinor, checkCurrency, subtractMinor, currencyScale, formatAmount, minorOf, type Minor } from '../../domain/money.ts';
import { customerScope } from '../access/scope.ts';
import { disputedAtSql } from '../disputes/index.ts';
import type { Context } from '../context.ts';
import { openItemsAtSql, openMovementsAtSql, tuneForLedgerRead } from '../ledger/open-at.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export { AGING_GROUPINGS, DEFAULT_AGING_ROWS, MAX_AGING_OFFSET, MAX_AGING_ROWS, type AgingGrouping };

/** "true" / "false" in a query string (or a boolean from the CLI). */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const agingQuerySchema = z.object({
  /** The date the report is as of; default the company's today. */
  asOf: localDateText.optional(),
  basis: z.enum(['due', 'document']).default('due'),
  /** Upper ends of the buckets in days, smallest first: "30,60,90,180,365" (the default). */
  buckets: z.string().trim().max(100).optional(),
  by: z.enum(AGING_GROUPINGS).default('customer'),
  /** The documents' currency; default the company's functional currency. Not with `convert`. */
  currency: z.string().trim().length(3).optional(),
  /** Every currency, each open item converted to the functional currency at the as-of rate. */
  convert: flag.default(false),
});
export type AgingQuery = z.input<typeof agingQuerySchema>;

export interface AgingReportRow {
  key: string;
  name: string;
  current: string;
  buckets: Record<string, string>;
  outstanding: string;
  /** Of `outstanding`, what open disputes cover (a share, not a bucket). */
  disputed: string;
  unapplied: string;
  net: string;
}

/** A rate a converted report used: units of the functional currency per one unit of `currency`, recorded on `date`. */
export interface AgingRate {
  currency: string;
  date: LocalDate;
  rate: string;
}

export interface AgingReport {
  asOf: LocalDate;
  basis: AgingBasis;
  by: AgingGrouping;
  /** The currency of every amount: the documents' own, or the functional currency when converted. */
  currency: string;
  /** True when the amounts are every currency converted to the functional currency at the as-of rates. */
  converted: boolean;
  /** The rates used, one per foreign currency that had open items (empty unless converted). */
  rates: AgingRate[];
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
  currency: { key: 'o.currency', name: 'o.currency' },
};

/** A report's settings once checked: shared by the report and its drill-down so both select the same items. */
interface Settings {
  asOf: LocalDate;
  basis: AgingBasis;
  by: AgingGrouping;
  buckets: AgingBucket[];
  /** The report's currency: the documents' own, or the functional currency when converting. */
  currency: string;
  convert: boolean;
  /** When converting: the rate of each foreign currency at the as-of date. */
  rates: Map<string, { date: LocalDate; rate: Decimal }>;
  /** These customers' items only (by id; agingReportAll's callers inside arflow, never the API). */
  customerIds?: readonly string[];
}

async function settingsOf(ctx: Context, sql: Sql, query: z.output<typeof agingQuerySchema>): Promise<Settings> {
  const asOf = query.asOf ? parseDate(query.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const buckets = parseBuckets(query.buckets ?? '30,60,90,180,365', 'buckets');
  if (query.convert && query.currency && query.currency.toUpperCase() !== ctx.tenant.currency) {
    throw invalid('INVALID_CURRENCY', `currency: a converted report is in the functional currency ${ctx.tenant.currency}; leave currency out, or drop convert to see ${query.currency.toUpperCase()} documents in ${query.currency.toUpperCase()}`, [{ field: 'currency', message: 'not with convert' }]);
  }
  const currency = checkCurrency((query.currency ?? ctx.tenant.currency).toUpperCase(), 'currency');
  const rates = new Map<string, { date: LocalDate; rate: Decimal }>();
  if (query.convert) {
    const found = await sql.query<{ currency: string; date: string; rate: string }>(
      `SELECT DISTINCT ON (currency) currency, rate_date::text AS date, rate::text AS rate FROM fx_rates
        WHERE tenant_id = $1 AND rate_date <= $2 ORDER BY currency, rate_date DESC`, [ctx.tenant.id, asOf]);
    for (const r of found) rates.set(r.currency, { date: r.date, rate: parseDecimal(r.rate, 'rate') });
  }
  return { asOf, basis: query.basis, by: query.by, buckets, currency, convert: query.convert, rates };
}

/**
 * The rate factor per currency: open amount in the currency's minor units × factor = functional minor units, so that
 * SQL's round() (half away from zero on numeric, convertAmount's rule) rounds each item once.
 */
function factors(ctx: Context, s: Settings): { currencies: string[]; factors: string[] } {
  const currencies = [ctx.tenant.currency];
  const list = ['1'];
  for (const [currency, { rate }] of s.rates) {
    const shift = currencyScale(ctx.tenant.currency) - currencyScale(currency);
    // rate × 10^shift as exact decimal text: move the decimal point, never a float.
    const scale = rate.scale - shift;
    const units = scale < 0 ? rate.units * 10n ** BigInt(-scale) : rate.units;
    currencies.push(currency);
    list.push(formatDecimal({ units, scale: Math.max(scale, 0) }));
  }
  return { currencies, factors: list };
}

/** The error for a converted report with items in a currency that has no rate on or before the as-of date. */
function missingRate(currency: string, asOf: LocalDate) {
  return invalid('FX_RATE_MISSING', `convert: no ${currency} rate on or before ${asOf}; record one (arflow fx set ${currency} ${asOf} RATE, or POST /api/v1/fx-rates) and run the report again`, [{ field: 'convert', message: `${currency} rate missing` }]);
}

/**
 * The open items at the as-of date ($2) with their open amount then (`o.open_minor`) and their facts (side,
 * currency, dates: copies on the balance, so the report reads one table), joined to their customer (c) and group
 * head (p), and with `documents` to their item (i) and document (d); `amount` is the figure the report adds up: the
 * open amount, or that amount converted (r.factor is null for a currency with no rate, caught by the caller).
 * Parameters: $1 tenant, $2 as-of date, then from $3 on the ones `params` holds. With `items` false the rows are
 * movements (src/modules/ledger/open-at.ts): only for sums grouped by the items' facts, never for counts or rows.
 */
function openItemsSql(ctx: Context, s: Settings, params: unknown[], documents = false, customers = true, items = true): { from: string; ctes: string; select: string; where: string; amount: string; age: string } {
  const scope = customerScope(ctx);
  // The customer is needed for a scope, a grouping or the items' names; the report joins it after summing.
  const joinCustomers = customers || scope !== null;
  // A converted amount is rounded per item (convertAmount's rule), so converting needs the per-item shape.
  const perItem = items || s.convert;
  // Per item, an item with nothing open is no item of the report; as movements, rows are only summed.
  let where = perItem ? 'o.open_minor <> 0' : 'TRUE';
  let join = '';
  let amount = 'o.open_minor';
  if (s.convert) {
    const f = factors(ctx, s);
    params.push(f.currencies, f.factors);
    join = `\n       LEFT JOIN unnest($${params.length - 1}::text[], $${params.length}::numeric[]) AS r(currency, factor) ON r.currency = o.currency`;
    amount = 'round(o.open_minor * r.factor)';
  } else {
    params.push(s.currency);
    where += ` AND o.currency = $${params.length}`;
  }
  if (scope) {
    params.push(scope.handle);
    where += ` AND c.${scope.field} = $${params.length}`;
  }
  let only: string | undefined;
  if (s.customerIds) {
    params.push(s.customerIds);
    only = `$${params.length}`;
  }
  // Days past the basis date at the as-of date; a credit has no due date and is never aged.
  const age = s.basis === 'due' ? '($2::date - o.due_date)' : '($2::date - o.document_date)';
  const ctes = (perItem ? openItemsAtSql : openMovementsAtSql)({ tenant: '$1', asOf: '$2', ...(only ? { customers: only } : {}) });
  const select = `SELECT %COLUMNS%
       FROM open_at o${documents ? `
       JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id
       JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id` : ''}
${joinCustomers ? `
       JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id
       LEFT JOIN customers p ON p.tenant_id = $1 AND p.id = c.parent_id` : ''}${join}`;
  return { from: `WITH ${ctes}\n     ${select}`, ctes, select, where, amount, age };
}

/** The SQL condition of a bucket on the age expression. */
function bucketCondition(b: AgingBucket, age: string): string {
  return [b.fromDays === null ? null : `${age} >= ${b.fromDays}`, b.toDays === null ? null : `${age} <= ${b.toDays}`].filter(Boolean).join(' AND ');
}

/** The disputed open amount at the as-of date per report key (and item currency), in the report's currency. */
async function disputedByKey(ctx: Context, sql: Sql, s: Settings): Promise<Map<string, bigint>> {
  const params: unknown[] = [ctx.tenant.id, s.asOf];
  let amount = 'o.disputed_minor';
  let join = '';
  let where = 'o.disputed_minor > 0';
  if (s.convert) {
    const f = factors(ctx, s);
    params.push(f.currencies, f.factors);
    join = `\n       JOIN unnest($${params.length - 1}::text[], $${params.length}::numeric[]) AS r(currency, factor) ON r.currency = o.currency`;
    amount = 'round(o.disputed_minor * r.factor)';
  } else {
    params.push(s.currency);
    where += ` AND o.currency = $${params.length}`;
  }
  const scope = customerScope(ctx);
  if (scope) {
    params.push(scope.handle);
    where += ` AND c.${scope.field} = $${params.length}`;
  }
  if (s.customerIds) {
    params.push(s.customerIds);
    where += ` AND o.customer_id = ANY($${params.length}::uuid[])`;
  }
  const rows = await sql.query<{ key: string; disputed: unknown }>(
    `WITH ${disputedAtSql({ tenant: '$1', asOf: '$2' })}
     SELECT ${GROUPING_SQL[s.by].key} AS key, sum(${amount}) AS disputed
       FROM disputed_at o
       JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id
       LEFT JOIN customers p ON p.tenant_id = $1 AND p.id = c.parent_id${join}
      WHERE ${where}
      GROUP BY 1`, params);
  return new Map(rows.map((r) => [r.key, big(r.disputed)]));
}

/** How the rows of a page are ordered: largest outstanding first (then by key), by key, or by name (then key). */
export const AGING_SORTS = ['outstanding', 'key', 'name'] as const;
export type AgingSort = (typeof AGING_SORTS)[number];

/** The report's settings plus which page of rows: sorted in SQL, at most MAX_AGING_ROWS rows, the totals over all. */
export const agingPageQuerySchema = agingQuerySchema.extend({
  sort: z.enum(AGING_SORTS).default('outstanding'),
  /** Rows on the page: 1 to MAX_AGING_ROWS (default DEFAULT_AGING_ROWS). */
  limit: z.coerce.number().int().min(1).max(MAX_AGING_ROWS).default(DEFAULT_AGING_ROWS),
  /** Rows skipped before the page, in the sort's order. */
  offset: z.coerce.number().int().min(0).max(MAX_AGING_OFFSET).default(0),
});
export type AgingPageQuery = z.input<typeof agingPageQuerySchema>;

/** Which rows a page holds, of how many. */
export interface AgingPageInfo {
  sort: AgingSort;
  limit: number;
  offset: number;
  /** Rows of the whole report (the totals cover all of them). */
  total: number;
  /** Where the next page starts, or null on the last page. */
  nextOffset: number | null;
}

/** One page of the report: the rows of `page`, and the totals over every row of the report. */
export interface AgingReportPage extends AgingReport {
  page: AgingPageInfo;
}

/** A row of the report as SQL gives it: key, name, the figures (minor units) and, converted, the currencies in it. */
type SqlRow = Record<string, unknown> & { key: string; name: string; currencies: string[] | null };

/**
 * The statement's CTEs (after WITH) ending in `report_rows`: one row per report key (key, name, current, b0…,
 * outstanding, unapplied and, converted, the item currencies summed into it), rows with nothing open left out.
 * Open items are summed per customer first (a hash on the id, before any name is read), then per key. Per customer
 * in one currency the rows are not `named`: they carry customer_id, and `namedRows` joins the code and name to the
 * few rows that need them (joining all 82,000 rows to their customers was about 40% of the statement).
 */
function reportRowsSql(ctx: Context, s: Settings, params: unknown[]): { ctes: string; figures: string[]; named: boolean } {
  const { ctes, select, where, amount, age } = openItemsSql(ctx, s, params, false, false, false);
  // Minor units in one currency are summed as int8 (minor_sum, migration 0036: a quarter of the statement less than
  // sum()'s numeric per group); converted amounts are numeric, rounded per item, and keep sum().
  const sum = s.convert ? 'sum' : 'minor_sum';
  // Bucket limits are validated whole numbers (parseBuckets), so they are written into the statement.
  const bucketColumns = s.buckets.slice(1).map((b, n) => `${sum}(${amount}) FILTER (WHERE o.side = 'debit' AND ${bucketCondition(b, age)}) AS b${n}`);
  const figures = ['current', ...s.buckets.slice(1).map((_b, n) => `b${n}`), 'outstanding', 'unapplied'];
  const sums = `${sum}(${amount}) FILTER (WHERE o.side = 'debit' AND ${age} <= 0) AS current,
            ${bucketColumns.join(',\n            ')},
            ${sum}(${amount}) FILTER (WHERE o.side = 'debit') AS outstanding,
            ${sum}(${amount}) FILTER (WHERE o.side = 'credit') AS unapplied`;
  // A key whose items were all settled at the date (paid, or applied and reversed since) is no row of the report;
  // open amounts are never negative, so "nothing outstanding and nothing unapplied" is exactly "no open item".
  const open = (f: (c: string) => string) => `${f('outstanding')} <> 0 OR ${f('unapplied')} <> 0`;
  if (s.by === 'customer' && !s.convert) {
    // One currency: a customer's sums are its row already (no second aggregate); its code and name come later.
    return {
      figures,
      named: false,
      ctes: `${ctes},
     report_rows AS (
     ${select.replace('%COLUMNS%', `o.customer_id, ${sums}, NULL::text[] AS currencies`)}
      WHERE ${where}
      GROUP BY 1
     HAVING ${open((f) => `${sum}(${amount}) FILTER (WHERE o.side = '${f === 'outstanding' ? 'debit' : 'credit'}')`)})`,
    };
  }
  const grouping = GROUPING_SQL[s.by];
  return {
    figures,
    named: true,
    ctes: `${ctes},
     per_customer AS (
     ${select.replace('%COLUMNS%', `o.customer_id, o.currency AS item_currency, ${sums}`)}
      WHERE ${where}
      GROUP BY 1, 2),
     report_rows AS (
       SELECT ${grouping.key.replace('o.currency', 'o.item_currency')} AS key, min(${grouping.name.replace('o.currency', 'o.item_currency')}) AS name,
              ${figures.map((f) => `${sum}(o.${f}) AS ${f}`).join(', ')},
              ${s.convert ? 'array_agg(DISTINCT o.item_currency)' : 'NULL::text[]'} AS currencies
         FROM per_customer o
         JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id${s.by === 'group' ? `
         LEFT JOIN customers p ON p.tenant_id = $1 AND p.id = c.parent_id` : ''}
        GROUP BY 1
       HAVING ${open((f) => `${sum}(o.${f})`)})`,
  };
}

/** `rows` (a relation with report_rows' columns) with key and name: as they are, or joined to their customers. */
function namedRows(rows: string, named: boolean): string {
  return named ? `SELECT * FROM ${rows}` : `SELECT * FROM (SELECT c.code AS key, c.name AS name, r.* FROM ${rows} r JOIN customers c ON c.tenant_id = $1 AND c.id = r.customer_id) n`;
}

/** ORDER BY of the rows (columns of report_rows): codes and names in byte order, the same on every server. */
function orderOf(sort: AgingSort): string {
  if (sort === 'key') return 'key COLLATE "C"';
  if (sort === 'name') return 'name COLLATE "C", key COLLATE "C"';
  return 'coalesce(outstanding, 0) DESC, key COLLATE "C"';
}

/** Presents SQL rows: figures as decimal strings, disputed from its own statement, net = outstanding − unapplied. */
function presenter(s: Settings, figures: string[]) {
  const money = (v: Minor) => formatAmount(v, s.currency);
  const bucketCount = s.buckets.length - 1;
  return (key: string, name: string, f: Minor[], disputed: Minor): AgingReportRow => {
    const buckets: Record<string, string> = {};
    for (let n = 0; n < bucketCount; n++) buckets[s.buckets[n + 1]!.key] = money(f[n + 1]!);
    const outstanding = f[figures.length - 2]!;
    const unapplied = f[figures.length - 1]!;
    return {
      key, name, current: money(f[0]!), buckets, outstanding: money(outstanding), disputed: money(disputed), unapplied: money(unapplied),
      net: money(subtractMinor(outstanding, unapplied)),
    };
  };
}

/** The rates a converted report used, refusing it when a currency with open items has no rate. */
function ratesUsed(ctx: Context, s: Settings, currencies: Iterable<string>): AgingRate[] {
  if (!s.convert) return [];
  const used = new Set<string>();
  for (const c of currencies) {
    if (c === ctx.tenant.currency) continue;
    if (!s.rates.has(c)) throw missingRate(c, s.asOf);
    used.add(c);
  }
  return [...used].sort().map((c) => ({ currency: c, date: s.rates.get(c)!.date, rate: formatDecimal(s.rates.get(c)!.rate) }));
}

/**
 * The aging report, one page of it: `limit` rows from `offset` in the `sort` order (largest outstanding first by
 * default), and the totals and row count over every row, exact, from the same statement (one pass over the open
 * items: the rows are summed once, kept, and both the page and the totals read them). See the module comment.
 */
export async function agingReport(ctx: Context, sql: Sql, raw: AgingPageQuery): Promise<AgingReportPage> {
  const query = parseInput(agingPageQuerySchema, raw, 'aging');
  const s = await settingsOf(ctx, sql, query);
  const params: unknown[] = [ctx.tenant.id, s.asOf];
  const { ctes, figures, named } = reportRowsSql(ctx, s, params);
  params.push(query.limit, query.offset);
  const [limit, offset] = [`$${params.length - 1}`, `$${params.length}`];
  const order = orderOf(query.sort);
  await tuneForLedgerRead(sql);
  // By outstanding, the page is among the rows whose outstanding is at least the (limit + offset)th largest (ties
  // included): only those are named (joined to their customers) and sorted by key within a tie. The threshold is a
  // bounded top-N sort of the amounts alone; all rows when there are fewer (outstanding is never negative).
  const page = !named && query.sort === 'outstanding'
    ? `threshold AS (SELECT coalesce(outstanding, 0) AS amount FROM report_rows ORDER BY 1 DESC OFFSET ${limit}::int8 + ${offset}::int8 - 1 LIMIT 1),
     candidates AS (SELECT * FROM report_rows WHERE coalesce(outstanding, 0) >= coalesce((SELECT amount FROM threshold), 0)),
     page AS (${namedRows('candidates', named)} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset})`
    : `page AS (${namedRows('report_rows', named)} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset})`;
  // part 0: the page's rows in order; part 1: the totals and the row count (and, converted, every currency summed).
  const rows = await sql.query<SqlRow & { part: number; row_count: unknown }>(
    `WITH ${ctes.replace('report_rows AS (', 'report_rows AS MATERIALIZED (')},
     ${page}
     SELECT * FROM (
       SELECT 0 AS part, row_number() OVER (ORDER BY ${order}) AS n, key, name, ${figures.join(', ')}, currencies, NULL::int8 AS row_count FROM page
       UNION ALL
       SELECT 1, 0, NULL, NULL, ${figures.map((f) => `sum(${f})`).join(', ')},
              ${s.convert ? '(SELECT array_agg(DISTINCT item_currency) FROM per_customer)' : 'NULL::text[]'}, count(*) FROM report_rows) x
      ORDER BY part, n`,
    params);
  const total = rows.find((r) => Number(r.part) === 1)!;
  const rates = ratesUsed(ctx, s, total.currencies ?? []);
  const disputed = await disputedByKey(ctx, sql, s);
  const present = presenter(s, figures);
  const pageRows = rows.filter((r) => Number(r.part) === 0)
    .map((r) => present(r.key, r.name, figures.map((f) => minorOf(r[f])), minorOf(disputed.get(r.key) ?? 0n)));
  let disputedTotal: Minor = 0;
  for (const v of disputed.values()) disputedTotal = addMinor(disputedTotal, minorOf(v));
  const { key: _k, name: _n, ...totals } = present('', '', figures.map((f) => minorOf(total[f])), disputedTotal);
  const count = Number(total.row_count);
  const next = query.offset + pageRows.length;
  return {
    asOf: s.asOf, basis: s.basis, by: s.by, currency: s.currency, converted: s.convert, rates, buckets: s.buckets, rows: pageRows, totals,
    page: { sort: query.sort, limit: query.limit, offset: query.offset, total: count, nextOffset: next < count ? next : null },
  };
}

/** Rows fetched at a time when every row is read (exports, the provision, the alerts). */
const ROW_BATCH = 2000;

/** Every row's figures (minor units, in `figures` order) and the row presented, batch by batch from a cursor. */
async function* readRows(ctx: Context, sql: Sql, s: Settings, sort: AgingSort, batchSize: number): AsyncGenerator<{ minor: Minor[][]; rows: AgingReportRow[]; currencies: string[] }> {
  const params: unknown[] = [ctx.tenant.id, s.asOf];
  const { ctes, figures, named } = reportRowsSql(ctx, s, params);
  await tuneForLedgerRead(sql);
  const disputed = await disputedByKey(ctx, sql, s);
  const present = presenter(s, figures);
  const cursor = `aging_rows_${Math.floor(Math.random() * 1e9)}`;
  await sql.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR WITH ${ctes} ${namedRows('report_rows', named)} ORDER BY ${orderOf(sort)}`, params);
  try {
    for (;;) {
      const batch = await sql.query<SqlRow>(`FETCH ${batchSize} FROM ${cursor}`, []);
      if (batch.length === 0) break;
      const currencies = batch.flatMap((r) => r.currencies ?? []);
      ratesUsed(ctx, s, currencies);
      const minor = batch.map((r) => [...figures.map((f) => minorOf(r[f])), minorOf(disputed.get(r.key) ?? 0n)]);
      yield { minor, rows: batch.map((r, n) => present(r.key, r.name, minor[n]!, minor[n]![figures.length]!)), currencies };
      if (batch.length < batchSize) break;
    }
  } finally {
    await sql.query(`CLOSE ${cursor}`, []);
  }
}

/**
 * Every row of the report in `sort` order (by key unless told), in batches read from a cursor, so an export of
 * 80,000 rows is written as it is read and never held whole; `totals()` after the last batch gives the totals
 * summed from the rows read. Must run inside one transaction (a tenant's). A converted report refuses a currency
 * without a rate when it meets it: ask for a page first (agingReport) to refuse it before anything is written.
 */
export function agingRowBatches(ctx: Context, sql: Sql, raw: AgingQuery & { sort?: AgingSort }, batchSize = ROW_BATCH, customerIds?: readonly string[]): {
  batches: AsyncGenerator<AgingReportRow[]>;
  /** After the last batch: the totals of the rows read, and the rates a converted report used. */
  summary: () => { totals: Omit<AgingReportRow, 'key' | 'name'>; rates: AgingRate[] };
} {
  let summary: { totals: Omit<AgingReportRow, 'key' | 'name'>; rates: AgingRate[] } | null = null;
  async function* batches(): AsyncGenerator<AgingReportRow[]> {
    const query = parseInput(agingQuerySchema.extend({ sort: z.enum(AGING_SORTS).default('key') }), raw, 'aging');
    const s = { ...(await settingsOf(ctx, sql, query)), ...(customerIds ? { customerIds } : {}) };
    const figures = ['current', ...s.buckets.slice(1).map((_b, n) => `b${n}`), 'outstanding', 'unapplied'];
    const sums = new Array<Minor>(figures.length + 1).fill(0);
    const currencies = new Set<string>();
    for await (const batch of readRows(ctx, sql, s, query.sort, batchSize)) {
      for (const f of batch.minor) for (let k = 0; k < sums.length; k++) sums[k] = addMinor(sums[k]!, f[k]!);
      for (const c of batch.currencies) currencies.add(c);
      yield batch.rows;
    }
    const { key: _k, name: _n, ...totals } = presenter(s, figures)('', '', sums, sums[figures.length]!);
    summary = { totals, rates: ratesUsed(ctx, s, currencies) };
  }
  return {
    batches: batches(),
    summary: () => {
      if (!summary) throw new Error('assertion failed: the aging totals are read after the last batch');
      return summary;
    },
  };
}

/**
 * The whole report, every row in key order, the totals summed from those rows: for the readers that need every
 * customer (the provision, the alerts); with `customerIds`, those customers' rows only (an alert evaluation of the
 * customers posted to), its totals those rows'. The API and the command line answer pages (agingReport) or files.
 */
export async function agingReportAll(ctx: Context, sql: Sql, raw: AgingQuery, customerIds?: readonly string[]): Promise<AgingReport> {
  const query = parseInput(agingQuerySchema, raw, 'aging');
  const s = await settingsOf(ctx, sql, query);
  const rows: AgingReportRow[] = [];
  const read = agingRowBatches(ctx, sql, { ...query, sort: 'key' }, ROW_BATCH, customerIds);
  for await (const batch of read.batches) rows.push(...batch);
  const { totals, rates } = read.summary();
  return { asOf: s.asOf, basis: s.basis, by: s.by, currency: s.currency, converted: s.convert, rates, buckets: s.buckets, rows, totals };
}

// ---------------------------------------------------------------------------------------------------------------
// Drill-down: the open items behind a row or a cell

/** The largest page of items; the drill-down pages through the rest with `offset`. */
export const MAX_AGING_ITEMS_PAGE = 500;
export const MAX_AGING_ITEMS_OFFSET = 1_000_000;

export const agingItemsQuerySchema = agingQuerySchema.extend({
  /** The row: its key in the report (a customer code, a segment…). */
  key: z.string().max(200),
  /** The figure: `current`, a bucket key (`31-60`), `outstanding` (every aged item, the default) or `unapplied`. */
  bucket: z.string().trim().max(30).default('outstanding'),
  limit: z.coerce.number().int().min(1).max(MAX_AGING_ITEMS_PAGE).default(100),
  offset: z.coerce.number().int().min(0).max(MAX_AGING_ITEMS_OFFSET).default(0),
});
export type AgingItemsQuery = z.input<typeof agingItemsQuerySchema>;

export interface AgingOpenItem {
  documentNumber: string;
  documentKind: string;
  /** The installment's number (1 for a one-installment invoice and for a credit). */
  installment: number;
  customer: string;
  customerName: string;
  documentDate: LocalDate;
  /** The installment's due date (null for a credit). */
  dueDate: LocalDate | null;
  /** Days past due (or since the document date on that basis) at the as-of date; null for a credit. */
  daysPastDue: number | null;
  /** The bucket key, or `unapplied` for a credit. */
  bucket: string;
  /** Open at the as-of date, in the document's currency. */
  open: string;
  currency: string;
  /** When converted: the open amount in the functional currency (what the report adds up) and the rate used. */
  converted?: string;
  rate?: string;
}

export interface AgingItemsPage {
  asOf: LocalDate;
  basis: AgingBasis;
  by: AgingGrouping;
  key: string;
  bucket: string;
  /** The currency of `total` (the report's). */
  currency: string;
  converted: boolean;
  /** Items in the selection, over all pages. */
  count: number;
  /** Their sum over all pages: the figure of the report's row and bucket. */
  total: string;
  items: AgingOpenItem[];
  /** Where the next page starts, or null on the last page. */
  nextOffset: number | null;
}

/** The open items at the as-of date behind one row (and one bucket) of the report, oldest first; paged. */
export async function agingItems(ctx: Context, sql: Sql, raw: AgingItemsQuery): Promise<AgingItemsPage> {
  const query = parseInput(agingItemsQuerySchema, raw, 'aging items');
  const s = await settingsOf(ctx, sql, query);
  const params: unknown[] = [ctx.tenant.id, s.asOf];
  const { from, where, amount, age } = openItemsSql(ctx, s, params, true);
  await tuneForLedgerRead(sql);
  params.push(query.key);
  let condition = `${where} AND ${GROUPING_SQL[s.by].key} = $${params.length}`;
  const bucket = s.buckets.find((b) => b.key === query.bucket);
  if (query.bucket === 'unapplied') condition += ` AND o.side = 'credit'`;
  else if (query.bucket === 'outstanding') condition += ` AND o.side = 'debit'`;
  else if (bucket) condition += ` AND o.side = 'debit' AND ${bucketCondition(bucket, age)}`;
  else {
    const choices = ['outstanding', ...s.buckets.map((b) => b.key), 'unapplied'].join(', ');
    throw invalid('INVALID_BUCKET', `bucket: "${query.bucket}" is not a figure of this report; use one of ${choices}`, [{ field: 'bucket', message: 'unknown bucket' }]);
  }
  params.push(query.limit, query.offset);
  const rows = await sql.query<{
    number: string; kind: string; seq: number; customer: string; customer_name: string; document_date: string; due_date: string | null;
    days: number | null; side: string; open_minor: unknown; currency: string; amount: unknown; count: unknown; total: unknown; missing?: string | null;
  }>(
    `${from.replace('%COLUMNS%', `d.number, d.kind, i.seq, c.code AS customer, c.name AS customer_name, o.document_date::text AS document_date,
            CASE WHEN o.side = 'debit' THEN o.due_date::text END AS due_date,
            CASE WHEN o.side = 'debit' THEN ${age} END AS days, o.side, o.open_minor, o.currency, ${amount} AS amount,
            count(*) OVER () AS count, sum(${amount}) OVER () AS total${s.convert ? ', min(o.currency) FILTER (WHERE r.factor IS NULL) OVER () AS missing' : ''}`)}
      WHERE ${condition}
      ORDER BY days DESC NULLS LAST, o.document_date, d.number, i.seq
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params);
  if (rows[0]?.missing) throw missingRate(rows[0].missing, s.asOf);
  let count = rows.length > 0 ? Number(rows[0]!.count) : 0;
  let total = rows.length > 0 ? big(rows[0]!.total) : 0n;
  if (rows.length === 0 && query.offset > 0) {
    // Past the last page: the window functions saw no row, so count the selection alone.
    const [all] = await sql.query<{ count: unknown; total: unknown }>(
      `${from.replace('%COLUMNS%', `count(*) AS count, sum(${amount}) AS total${s.convert ? ', min(o.currency) FILTER (WHERE r.factor IS NULL) AS missing' : ''}`)} WHERE ${condition}`, params.slice(0, -2)) as { count: unknown; total: unknown; missing?: string | null }[];
    if (all!.missing) throw missingRate(all!.missing, s.asOf);
    count = Number(all!.count);
    total = big(all!.total);
  }
  const items = rows.map((r): AgingOpenItem => {
    const days = r.days === null ? null : Number(r.days);
    const item: AgingOpenItem = {
      documentNumber: r.number, documentKind: r.kind, installment: Number(r.seq), customer: r.customer, customerName: r.customer_name,
      documentDate: r.document_date, dueDate: r.due_date, daysPastDue: days,
      bucket: days === null ? 'unapplied' : bucketOf(days, s.buckets).key,
      open: formatAmount(big(r.open_minor), r.currency), currency: r.currency,
    };
    if (s.convert) {
      item.converted = formatAmount(big(r.amount), s.currency);
      item.rate = r.currency === ctx.tenant.currency ? '1' : formatDecimal(s.rates.get(r.currency)!.rate);
    }
    return item;
  });
  const next = query.offset + rows.length;
  return {
    asOf: s.asOf, basis: s.basis, by: s.by, key: query.key, bucket: query.bucket, currency: s.currency, converted: s.convert,
    count, total: formatAmount(total, s.currency), items, nextOffset: next < count ? next : null,
  };
}

/** A SUM from either engine (bigint from PGlite's int8 parser, string from numeric), or null: as bigint. */
function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  return BigInt(String(value));
}
