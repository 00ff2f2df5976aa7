/**
 * The aging benchmark: `npm run bench:aging -- --invoices 1000000 [--database pglite|postgres|both]`.
 *
 * 1. Per database: an empty database (PGlite in .bench/, or a new PostgreSQL database), migrated, with a tenant, and
 *    a generated ledger written by SQL inside the database (the fastest correct path: INSERT … SELECT from
 *    generate_series, as the owner; the same rows, keys, checks and indexes as the ledger writes, with the cached
 *    open amounts computed from the allocations): N invoices over 18 months (2024-10-01 to 2026-03-31), N/10
 *    customers (one in 33 billing in USD), 30% of the invoices open at the end (a third of those part paid), the
 *    rest paid by 1 to 3 payments each, about 1.5 N allocations, and an unapplied payment for one customer in 20.
 *    Then VACUUM ANALYZE (this PostgreSQL server runs without autovacuum; PGlite has none).
 * 2. Times, each as the median of --runs runs after one warm-up, through the module's own function in a tenant
 *    transaction (row-level security on, as the app runs it): aging by customer today (2026-03-31), at a past date
 *    (6 months back, 2025-09-30), and the KPI set (`kpiSet` of src/modules/kpis, when that module exists).
 *    The aging report answers its first page (100 rows, largest outstanding first), the row count and the totals
 *    over every row, as the API does.
 * 3. Beside each, the median time of one hand-written query on the same database in the same run, computing the
 *    same totals by the same as-of method as the owner (no row-level security, no names, no paging): for aging by
 *    customer, every customer's totals per bucket (the report's rows) and their sum, with the row count; for the KPI
 *    set, its figures. That is the target's reference (docs/decisions.md, "The reference query of aging by
 *    customer"). For information beside it: the grand totals alone (no grouping: the work of an aging that is not by
 *    customer), and a plain statement of the report's whole answer (every customer summed, counted, the first page
 *    named, the totals), which must give the same page and count. And a check: the totals equal those of an
 *    independent query over the whole history (amount − allocations dated on or before the as-of date, for every
 *    item dated on or before it).
 * 4. Prints a table and writes the figures into docs/benchmarks.md between `<!-- bench:aging KEY -->` markers.
 *
 * Options: --invoices N (20000), --database pglite|postgres|both (both), --runs N (5), --postgres-url URL,
 * --keep (keep the databases), --reuse (use the database a --keep run left, named by N, without loading again),
 * --no-docs (do not touch docs/benchmarks.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database, type Sql } from '../src/db/database.ts';
import { agingReport, type AgingReport } from '../src/modules/aging/index.ts';
import { systemClock, type Context } from '../src/modules/context.ts';
import { createTenant, resolveTenant, type Tenant } from '../src/modules/tenants/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, '.bench');
const DOCS = path.join(ROOT, 'docs', 'benchmarks.md');

const TODAY = '2026-03-31';
const PAST = '2025-09-30';
const TENANT = { code: 'BENCHAGING', name: '账龄基准测试有限公司', currency: 'CNY', timeZone: 'Asia/Shanghai' };
/** Targets on the 2-core machine with PostgreSQL (issue 4); PGlite may take 3× as long. */
const TARGETS = { today: 0.6, past: 1.0, kpis: 1.0, vsHand: 1.5, pglite: 3 };

type Engine = 'pglite' | 'postgres';

interface Options {
  invoices: number;
  databases: Engine[];
  runs: number;
  postgresUrl: string;
  keep: boolean;
  reuse: boolean;
  docs: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    invoices: 20_000, databases: ['pglite', 'postgres'], runs: 5,
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? (fs.existsSync('/var/run/postgresql/.s.PGSQL.5432') ? 'postgres://postgres@%2Fvar%2Frun%2Fpostgresql' : 'postgres://postgres@127.0.0.1:5432'),
    keep: false, reuse: false, docs: true,
  };
  const count = (name: string, text: string | undefined, min: number, max: number) => {
    const n = Number(text?.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} takes a whole number from ${min} to ${max}, not ${text}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i];
    if (arg === '--invoices') options.invoices = count(arg, value(), 100, 20_000_000);
    else if (arg === '--database') {
      const v = value();
      if (v === 'both') options.databases = ['pglite', 'postgres'];
      else if (v === 'pglite' || v === 'postgres') options.databases = [v];
      else throw new Error(`--database takes pglite, postgres or both, not ${v}`);
    } else if (arg === '--runs') options.runs = count(arg, value(), 1, 100);
    else if (arg === '--postgres-url') options.postgresUrl = value() ?? options.postgresUrl;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--reuse') options.reuse = true;
    else if (arg === '--no-docs') options.docs = false;
    else if (arg === '--help' || arg === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${arg}; see --help`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// The ledger, written by SQL

/** A deterministic number in [0, 1) from n and a salt: the same ledger on every run and engine. */
const rand = (n: string, salt: number) => `((((${n})::bigint * 2654435761 + ${salt * 40503}) % 1000003)::float8 / 1000003)`;

/**
 * Ids in creation order, as uuid v7 gives them to the ledger (so indexes grow at their right end): a kind digit and
 * the row's number, e.g. invoice 42's document is 20000000-0000-7000-8000-00000000002a.
 */
const id = (kind: number, n: string) => `('${kind}0000000-0000-7000-8000-' || lpad(to_hex((${n})::bigint), 12, '0'))::uuid`;

/** The statements that write the ledger: $1 the tenant (the invoices' temporary table: $1 N, $2 customers, $3 and $4 the chunk's first and last invoice). */
const CUSTOMERS_SQL = `
INSERT INTO customers (tenant_id, id, code, name, segment, region, salesperson, collector, currency, parent_id, payload_hash)
SELECT $1, ${id(1, 'n')}, 'C' || lpad(n::text, 6, '0'), '基准客户' || n || '有限公司',
       (ARRAY['key account', 'distributor', 'retail', 'project'])[1 + n % 4], (ARRAY['华东', '华南', '华北', '西南', '华中'])[1 + (n / 4) % 5],
       (ARRAY['王磊', '李娜', '张伟', '刘洋', '陈静', '杨帆'])[1 + n % 6], (ARRAY['赵敏', '孙强', '周婷', '吴昊'])[1 + (n / 3) % 4],
       CASE WHEN n % 33 = 0 THEN 'USD' ELSE 'CNY' END,
       CASE WHEN n > 50 AND n % 50 BETWEEN 1 AND 4 THEN ${id(1, '(n - n % 50)')} END, 'bench'
  FROM generate_series(1, $2::int) n`;

/** Invoices of a chunk into a temporary table first: each later statement reads them from there. */
const INVOICES_TMP_SQL = `
CREATE TEMP TABLE bench_invoices ON COMMIT DROP AS
SELECT n, c, currency, document_date, document_date + (CASE WHEN n % 5 = 0 THEN 60 ELSE 30 END) AS due_date, amount_minor,
       CASE WHEN cls < 3 THEN 0 WHEN cls < 5 THEN 1 WHEN cls < 8 THEN 2 ELSE 3 END AS payments, cls
  FROM (SELECT n, c, CASE WHEN c % 33 = 0 THEN 'USD' ELSE 'CNY' END AS currency,
               DATE '2024-10-01' + ((n - 1)::bigint * 547 / $1::int)::int AS document_date,
               (100000 + (n::bigint * 7919) % 5000000) AS amount_minor, (n::bigint * 48271) % 10 AS cls
          FROM (SELECT n, 1 + floor(${rand('n', 1)} ^ 2 * $2::int)::int AS c FROM generate_series($3::int, $4::int) n) x) y`;

const ALLOCATIONS_TMP_SQL = `
CREATE TEMP TABLE bench_payments ON COMMIT DROP AS
SELECT i.n, j, i.c, i.currency,
       least(i.document_date + 20 + 15 * j + (i.n % 11), DATE '${TODAY}') AS payment_date,
       CASE WHEN i.payments = 0 THEN i.amount_minor / 2
            WHEN j < i.payments THEN i.amount_minor / i.payments
            ELSE i.amount_minor - (i.amount_minor / i.payments) * (i.payments - 1) END AS amount_minor
  FROM bench_invoices i
  CROSS JOIN LATERAL generate_series(1, greatest(i.payments, CASE WHEN i.cls = 0 THEN 1 ELSE 0 END)) j`;

const CHUNK_SQL = [
  `INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date, currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
   SELECT $1, ${id(2, 'n')}, 'invoice', 'debit', 'INV-' || lpad(n::text, 8, '0'), ${id(1, 'c')}, document_date, document_date, due_date, currency, amount_minor,
          CASE WHEN currency = 'USD' THEN 7.1234 ELSE 1 END, CASE WHEN currency = 'USD' THEN round(amount_minor * 7.1234) ELSE amount_minor END, 'bench', 'bench'
     FROM bench_invoices`,
  `INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date)
   SELECT $1, ${id(3, 'n')}, ${id(2, 'n')}, ${id(1, 'c')}, 1, 'debit', currency, amount_minor, due_date FROM bench_invoices`,
  `INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
   SELECT $1, ${id(4, 'n * 4 + j')}, 'payment', 'credit', 'PAY-' || lpad(n::text, 8, '0') || '-' || j, ${id(1, 'c')}, payment_date, payment_date, currency, amount_minor,
          CASE WHEN currency = 'USD' THEN 7.1234 ELSE 1 END, CASE WHEN currency = 'USD' THEN round(amount_minor * 7.1234) ELSE amount_minor END, 'bench', 'bench'
     FROM bench_payments`,
  `INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor)
   SELECT $1, ${id(5, 'n * 4 + j')}, ${id(4, 'n * 4 + j')}, ${id(1, 'c')}, 1, 'credit', currency, amount_minor FROM bench_payments`,
  `INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
   SELECT $1, ${id(3, 'i.n')}, ${id(1, 'i.c')}, i.amount_minor, i.amount_minor - coalesce(p.paid, 0), 'debit', i.currency, i.document_date, i.due_date, 'invoice'
     FROM bench_invoices i LEFT JOIN (SELECT n, sum(amount_minor) AS paid FROM bench_payments GROUP BY n) p ON p.n = i.n`,
  `INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
   SELECT $1, ${id(5, 'n * 4 + j')}, ${id(1, 'c')}, amount_minor, 0, 'credit', currency, payment_date, payment_date, 'payment' FROM bench_payments`,
  // After the balances: the allocations' trigger copies both items' facts from them (item_moves, migration 0027).
  `INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor, credit_amount_minor, allocation_date, created_by)
   SELECT $1, ${id(6, 'n * 4 + j')}, ${id(6, 'n * 4 + j')}, ${id(5, 'n * 4 + j')}, ${id(3, 'n')}, ${id(1, 'c')},
          amount_minor, amount_minor, payment_date, 'bench'
     FROM bench_payments`,
];

/** One customer in 20 has a payment it has not applied: 5,000.00 on a day of the last year. */
const UNAPPLIED_SQL = [
  `INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
   SELECT $1, ${id(7, 'n')}, 'payment', 'credit', 'PAY-U' || lpad(n::text, 6, '0'), ${id(1, 'n')}, DATE '${TODAY}' - n % 365, DATE '${TODAY}' - n % 365,
          CASE WHEN n % 33 = 0 THEN 'USD' ELSE 'CNY' END, 500000, CASE WHEN n % 33 = 0 THEN 7.1234 ELSE 1 END, CASE WHEN n % 33 = 0 THEN 3561700 ELSE 500000 END, 'bench', 'bench'
     FROM generate_series(20, $2::int, 20) n`,
  `INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor)
   SELECT $1, ${id(8, 'n')}, ${id(7, 'n')}, ${id(1, 'n')}, 1, 'credit', CASE WHEN n % 33 = 0 THEN 'USD' ELSE 'CNY' END, 500000 FROM generate_series(20, $2::int, 20) n`,
  `INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
   SELECT $1, ${id(8, 'n')}, ${id(1, 'n')}, 500000, 500000, 'credit', CASE WHEN n % 33 = 0 THEN 'USD' ELSE 'CNY' END,
          DATE '${TODAY}' - n % 365, DATE '${TODAY}' - n % 365, 'payment' FROM generate_series(20, $2::int, 20) n`,
];

/** Invoices per transaction while loading: bounded so PGlite's memory stays small. */
const CHUNK = 100_000;

async function load(db: Database, tenant: Tenant, invoices: number): Promise<number> {
  const started = performance.now();
  const customers = Math.max(1, Math.floor(invoices / 10));
  await db.system((sql) => sql.query(CUSTOMERS_SQL, [tenant.id, customers]));
  for (let first = 1; first <= invoices; first += CHUNK) {
    const last = Math.min(invoices, first + CHUNK - 1);
    await db.system(async (sql) => {
      await sql.query(INVOICES_TMP_SQL, [invoices, customers, first, last]);
      await sql.query(ALLOCATIONS_TMP_SQL, []);
      for (const statement of CHUNK_SQL) await sql.query(statement, [tenant.id]);
    });
    process.stdout.write(`\r   loading: ${last.toLocaleString('en-US')} of ${invoices.toLocaleString('en-US')} invoices, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await db.system(async (sql) => { for (const statement of UNAPPLIED_SQL) await sql.query(statement, [tenant.id, customers]); });
  await db.execute('VACUUM ANALYZE');
  console.log('');
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// The queries timed

const BUCKETS = [[1, 30], [31, 60], [61, 90], [91, 180], [181, 365], [366, null]] as const;
const AGE = '($2::date - coalesce(i.due_date, d.due_date, d.document_date))';
const TOTAL_COLUMNS = [
  `sum(o.open_minor) FILTER (WHERE i.side = 'debit' AND ${AGE} <= 0) AS current`,
  ...BUCKETS.map(([from, to], n) => `sum(o.open_minor) FILTER (WHERE i.side = 'debit' AND ${AGE} >= ${from}${to === null ? '' : ` AND ${AGE} <= ${to}`}) AS b${n}`),
  `sum(o.open_minor) FILTER (WHERE i.side = 'debit') AS outstanding`,
  `sum(o.open_minor) FILTER (WHERE i.side = 'credit') AS unapplied`,
].join(',\n       ');

/**
 * For information: the same as-of method, the grand totals only, as the owner (no row-level security), on the same tables: today's
 * open balances plus what moved after the date, from item_moves (migration 0027; each movement carries its item's
 * facts). $1 tenant, $2 as-of.
 */
const HAND_SQL = `
WITH o AS (
  SELECT side, currency, document_date, due_date, open_minor FROM item_balances WHERE tenant_id = $1 AND open_minor > 0
  UNION ALL
  SELECT side, currency, document_date, due_date, amount_minor FROM item_moves WHERE tenant_id = $1 AND move_date > $2)
SELECT ${TOTAL_COLUMNS.replaceAll('i.side', 'o.side').replaceAll(AGE, '($2::date - o.due_date)')}
  FROM o WHERE o.document_date <= $2 AND o.currency = 'CNY'`;

/**
 * The reference for aging by customer: the same totals as the report's, every customer's current, buckets,
 * outstanding and unapplied (the rows with something open), summed in the database to the report's totals and
 * counted, as the owner, by the same as-of method. What a by-customer aging must compute, without the names and the
 * page. $1 tenant, $2 as-of.
 */
const BY_CUSTOMER_HAND_SQL = `
WITH o AS (
  SELECT customer_id, side, currency, document_date, due_date, open_minor FROM item_balances WHERE tenant_id = $1 AND open_minor > 0
  UNION ALL
  SELECT customer_id, side, currency, document_date, due_date, amount_minor FROM item_moves WHERE tenant_id = $1 AND move_date > $2),
c AS (
  SELECT customer_id, ${TOTAL_COLUMNS.replaceAll('i.side', 'o.side').replaceAll(AGE, '($2::date - o.due_date)')}
    FROM o WHERE o.document_date <= $2 AND o.currency = 'CNY'
   GROUP BY customer_id
  HAVING sum(o.open_minor) FILTER (WHERE o.side = 'debit') <> 0 OR sum(o.open_minor) FILTER (WHERE o.side = 'credit') <> 0)
SELECT count(*) AS rows, ${['current', ...BUCKETS.map((_b, n) => `b${n}`), 'outstanding', 'unapplied'].map((f) => `sum(${f}) AS ${f}`).join(', ')}
  FROM c`;

/**
 * The same answer as the report's, written plainly as the owner: every customer's row summed, the rows with something
 * open counted, the first page (the 100 largest outstanding, ties by code) with codes and names, and the totals. What
 * the database needs for the paged report's work, beside HAND_SQL's totals alone. $1 tenant, $2 as-of.
 */
const PAGE_HAND_SQL = `
WITH o AS (
  SELECT customer_id, side, currency, document_date, due_date, open_minor FROM item_balances WHERE tenant_id = $1 AND open_minor > 0
  UNION ALL
  SELECT customer_id, side, currency, document_date, due_date, amount_minor FROM item_moves WHERE tenant_id = $1 AND move_date > $2),
c AS MATERIALIZED (
  SELECT customer_id, ${TOTAL_COLUMNS.replaceAll('i.side', 'o.side').replaceAll(AGE, '($2::date - o.due_date)')}
    FROM o WHERE o.document_date <= $2 AND o.currency = 'CNY'
   GROUP BY customer_id
  HAVING sum(o.open_minor) FILTER (WHERE o.side = 'debit') <> 0 OR sum(o.open_minor) FILTER (WHERE o.side = 'credit') <> 0),
page AS (
  SELECT cu.code, cu.name, c.outstanding FROM c JOIN customers cu ON cu.tenant_id = $1 AND cu.id = c.customer_id
   ORDER BY c.outstanding DESC NULLS LAST, cu.code COLLATE "C" LIMIT 100)
SELECT count(*) AS rows, (SELECT array_agg(code ORDER BY outstanding DESC NULLS LAST, code COLLATE "C") FROM page) AS page,
       ${['current', ...BUCKETS.map((_b, n) => `b${n}`), 'outstanding', 'unapplied'].map((f) => `sum(${f}) AS ${f}`).join(', ')}
  FROM c`;

/** The check: from the whole history, not from the cached open amounts. */
const HISTORY_SQL = `
WITH applied AS (
  SELECT item_id, sum(amount_minor)::bigint AS amount_minor FROM (
    SELECT debit_item_id AS item_id, amount_minor FROM allocations WHERE tenant_id = $1 AND allocation_date <= $2
    UNION ALL
    SELECT credit_item_id, credit_amount_minor FROM allocations WHERE tenant_id = $1 AND allocation_date <= $2) m
  GROUP BY item_id),
open_items AS (
  SELECT i.id AS item_id, i.amount_minor - coalesce(a.amount_minor, 0) AS open_minor
    FROM items i LEFT JOIN applied a ON a.item_id = i.id WHERE i.tenant_id = $1)
SELECT ${TOTAL_COLUMNS}
  FROM open_items o JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id
 WHERE o.open_minor <> 0 AND d.document_date <= $2 AND i.currency = 'CNY'`;

/**
 * The KPI set's reference: the same figures (balances at the as-of date and at the period's start, credit sales and
 * payments in the period) as plainly as one statement can, as the owner. $1 tenant, $2 as-of, $3 period start
 * (as-of − 90 days). The ledger written above has only invoices, payments and no reversals, so kinds need no test.
 */
const KPI_HAND_SQL = `
WITH o AS (
  SELECT customer_id, side, due_date, document_date, open_minor AS at_as_of, open_minor AS at_start
    FROM item_balances WHERE tenant_id = $1 AND open_minor > 0 AND currency = 'CNY'
  UNION ALL
  SELECT customer_id, side, due_date, document_date, CASE WHEN move_date > $2 THEN amount_minor ELSE 0 END, amount_minor
    FROM item_moves WHERE tenant_id = $1 AND move_date > $3 AND currency = 'CNY'),
c AS (
  SELECT customer_id,
         sum(at_as_of) FILTER (WHERE side = 'debit') AS outstanding,
         sum(at_as_of) FILTER (WHERE side = 'debit' AND due_date >= $2) AS current,
         sum(at_as_of) FILTER (WHERE side = 'debit' AND $2::date - due_date > 90) AS over90,
         sum(at_as_of) FILTER (WHERE side = 'credit') AS unapplied,
         sum(at_start) FILTER (WHERE side = 'debit' AND document_date <= $3) AS beginning
    FROM o WHERE document_date <= $2 GROUP BY customer_id)
SELECT sum(outstanding) AS outstanding, sum(current) AS current, sum(over90) AS over90, sum(unapplied) AS unapplied, sum(beginning) AS beginning,
       (SELECT sum(t.outstanding) FROM (SELECT outstanding FROM c WHERE outstanding IS NOT NULL ORDER BY outstanding DESC LIMIT 10) t) AS top,
       (SELECT sum(amount_minor) FROM documents WHERE tenant_id = $1 AND kind = 'invoice' AND currency = 'CNY' AND document_date > $3 AND document_date <= $2) AS sales,
       (SELECT sum(amount_minor) FROM item_moves WHERE tenant_id = $1 AND side = 'debit' AND move_date > $3 AND move_date <= $2 AND currency = 'CNY') AS paid
  FROM c`;

type Totals = Record<string, bigint>;

function totalsOf(row: Record<string, unknown>): Totals {
  const out: Totals = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? 0n : BigInt(String(v));
  return out;
}

/** The report's totals in minor units, under the hand query's column names. */
function reportTotals(report: AgingReport): Totals {
  const minor = (s: string) => BigInt(s.replace('.', ''));
  const out: Totals = { current: minor(report.totals.current) };
  report.buckets.slice(1).forEach((b, n) => { out[`b${n}`] = minor(report.totals.buckets[b.key]!); });
  out.outstanding = minor(report.totals.outstanding);
  out.unapplied = minor(report.totals.unapplied);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median seconds of `runs` runs after one warm-up, and the last result. */
async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ seconds: number; all: number[]; result: T }> {
  let result = await fn();
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    all.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(all), all, result };
}

interface Measure {
  what: string;
  seconds: number | null;
  /** The reference: the hand-written query of the same totals (aging: every customer's; the KPI set: its figures). */
  handSeconds: number | null;
  /** Aging, for information: the grand totals alone, no grouping per customer. */
  totalsOnlySeconds?: number | null;
  /** Aging, for information: the hand-written query of the same answer (page, row count and totals). */
  pageHandSeconds?: number | null;
  rows: number | null;
  target: number;
  note: string;
}

interface Result {
  engine: Engine;
  version: string;
  loadBefore: number;
  loadAfter: number;
  loadSeconds: number | null;
  counts: Record<string, number>;
  measures: Measure[];
}

async function measure(engine: Engine, db: Database, tenant: Tenant, options: Options): Promise<Measure[]> {
  const ctx: Context = { db, tenant, actor: 'bench', clock: systemClock };
  const measures: Measure[] = [];
  for (const [what, asOf, target] of [['aging by customer today', TODAY, TARGETS.today], ['aging by customer 6 months back', PAST, TARGETS.past]] as const) {
    const report = await timed(options.runs, () => db.tenant(tenant.id, (sql) => agingReport(ctx, sql, { asOf, by: 'customer' })));
    // The same session settings as the report's (work_mem 64MB, no JIT): the comparison is of the queries.
    const hand = await timed(options.runs, () => db.system(async (sql) => {
      await sql.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`, []);
      return (await sql.query<Record<string, unknown>>(BY_CUSTOMER_HAND_SQL, [tenant.id, asOf]))[0]!;
    }));
    const totalsOnly = await timed(options.runs, () => db.system(async (sql) => {
      await sql.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`, []);
      return (await sql.query<Record<string, unknown>>(HAND_SQL, [tenant.id, asOf]))[0]!;
    }));
    const pageHand = await timed(options.runs, () => db.system(async (sql) => {
      await sql.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`, []);
      return (await sql.query<Record<string, unknown> & { rows: unknown; page: string[] }>(PAGE_HAND_SQL, [tenant.id, asOf]))[0]!;
    }));
    const history = await db.system(async (sql) => (await sql.query<Record<string, unknown>>(HISTORY_SQL, [tenant.id, asOf]))[0]!);
    const mine = reportTotals(report.result);
    // The page and the row count, as the plain statement gives them.
    const { rows: handRows, page: handPage, ...handPageTotals } = pageHand.result;
    const keys = report.result.rows.map((r) => r.key);
    if (Number(handRows) !== report.result.page.total || JSON.stringify(handPage) !== JSON.stringify(keys) || !Object.keys(mine).every((k) => mine[k] === totalsOf(handPageTotals)[k])) {
      throw new Error(`${engine} ${what}: the page differs from the plain statement's: ${report.result.page.total} rows vs ${String(handRows)}; first keys ${keys.slice(0, 3).join(',')} vs ${handPage.slice(0, 3).join(',')}`);
    }
    const same = (x: Totals) => Object.keys(mine).every((k) => mine[k] === x[k]);
    const { rows: customerRows, ...customerTotals } = hand.result;
    if (Number(customerRows) !== report.result.page.total) throw new Error(`${engine} ${what}: ${report.result.page.total} rows vs the hand query's ${String(customerRows)}`);
    if (!same(totalsOf(customerTotals)) || !same(totalsOf(totalsOnly.result)) || !same(totalsOf(history))) {
      throw new Error(`${engine} ${what}: the totals differ:\n report ${JSON.stringify(mine, (_k, v: unknown) => String(v))}\n hand ${JSON.stringify(totalsOf(customerTotals), (_k, v: unknown) => String(v))}\n totals only ${JSON.stringify(totalsOf(totalsOnly.result), (_k, v: unknown) => String(v))}\n history ${JSON.stringify(totalsOf(history), (_k, v: unknown) => String(v))}`);
    }
    measures.push({
      what: `${what} (${asOf})`, seconds: report.seconds, handSeconds: hand.seconds, totalsOnlySeconds: totalsOnly.seconds, pageHandSeconds: pageHand.seconds, rows: report.result.page.total,
      target: engine === 'pglite' ? target * TARGETS.pglite : target,
      note: `a page of ${report.result.rows.length} rows (largest outstanding first) of ${report.result.page.total.toLocaleString('en-US')}, the same as the plain statement's; rows and totals equal the hand query's, totals the grand-totals query's and the whole history's: outstanding ${report.result.totals.outstanding}, unapplied ${report.result.totals.unapplied} CNY; runs ${report.all.map((s) => s.toFixed(2)).join(', ')} s`,
    });
    console.log(`   ${what}: ${report.seconds.toFixed(3)} s (hand-written: every customer's totals ${hand.seconds.toFixed(3)} s, grand totals only ${totalsOnly.seconds.toFixed(3)} s, same page ${pageHand.seconds.toFixed(3)} s), page of ${report.result.rows.length} of ${report.result.page.total} rows`);
  }
  // The KPI set comes from another branch: timed when present.
  const kpiModule = path.join(ROOT, 'src', 'modules', 'kpis', 'index.ts');
  let kpi: Measure = { what: `KPI set (${TODAY})`, seconds: null, handSeconds: null, rows: null, target: engine === 'pglite' ? TARGETS.kpis * TARGETS.pglite : TARGETS.kpis, note: 'not available: src/modules/kpis is not on this branch' };
  if (fs.existsSync(kpiModule)) {
    const mod = (await import(kpiModule)) as { kpiSet?: (ctx: Context, sql: Sql, q: { asOf: string; currency: string }) => Promise<{ period: { from: string }; figures: Record<string, string> }> };
    if (mod.kpiSet) {
      const kpiSet = mod.kpiSet;
      const run = await timed(options.runs, () => db.tenant(tenant.id, (sql) => kpiSet(ctx, sql, { asOf: TODAY, currency: 'CNY' })));
      const start = run.result.period.from === undefined ? null : new Date(Date.parse(`${run.result.period.from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      const hand = await timed(options.runs, () => db.system(async (sql) => {
        await sql.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`, []);
        return (await sql.query<Record<string, unknown>>(KPI_HAND_SQL, [tenant.id, TODAY, start]))[0]!;
      }));
      // The KPI set's figures must equal the hand query's: the same totals by another statement.
      const f = run.result.figures;
      const minor = (x: string) => BigInt(x.replace('.', ''));
      const h = totalsOf(hand.result);
      const pairs: [string, bigint, bigint][] = [
        ['outstanding', minor(f.outstanding!), h.outstanding!], ['current', minor(f.current!), h.current!], ['over90', minor(f.over90!), h.over90!],
        ['unapplied', minor(f.unappliedCredits!), h.unapplied!], ['beginning', minor(f.beginning!), h.beginning!], ['top customers', minor(f.topCustomers!), h.top!],
        ['sales', minor(f.sales!), h.sales!], ['paid', minor(f.paid!), h.paid!],
      ];
      const wrong = pairs.filter(([, a, b]) => a !== b);
      if (wrong.length) throw new Error(`${engine} KPI set: figures differ from the hand query's: ${wrong.map(([k, a, b]) => `${k} ${a} vs ${b}`).join('; ')}`);
      kpi = {
        ...kpi, seconds: run.seconds, handSeconds: hand.seconds,
        note: `figures equal the hand query's (outstanding ${f.outstanding}, beginning ${f.beginning}, sales ${f.sales}, paid ${f.paid} CNY); runs ${run.all.map((x) => x.toFixed(2)).join(', ')} s`,
      };
    }
  }
  console.log(`   KPI set: ${kpi.seconds === null ? kpi.note : `${kpi.seconds.toFixed(3)} s (hand-written ${s3(kpi.handSeconds)})`}`);
  measures.push(kpi);
  return measures;
}

// ---------------------------------------------------------------------------------------------------------------

async function benchmark(engine: Engine, options: Options): Promise<Result> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`\n== ${engine}, ${options.invoices.toLocaleString('en-US')} invoices (load average ${loadBefore.toFixed(2)})`);
  const name = `arflow_aging_${options.invoices}`;
  const dir = path.join(WORK, `aging-pglite-${options.invoices}`);
  const base = options.postgresUrl.replace(/\/+$/, '');
  let existed = false;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    existed = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (existed && !options.reuse) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    if (!existed || !options.reuse) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  } else {
    existed = fs.existsSync(dir);
    if (existed && !options.reuse) fs.rmSync(dir, { recursive: true, force: true });
  }
  const reusing = existed && options.reuse;
  const db = await openDatabase(engine === 'postgres' ? { databaseUrl: `${base}/${name}` } : { dataDir: dir });
  try {
    await db.migrate();
    let tenant: Tenant;
    let loadSeconds: number | null = null;
    if (reusing) {
      tenant = await resolveTenant(db, TENANT.code);
      console.log(`   reusing ${engine === 'postgres' ? name : path.relative(ROOT, dir)}`);
    } else {
      tenant = await createTenant(db, TENANT);
      await setFxRate({ db, tenant, actor: 'bench', clock: systemClock }, { currency: 'USD', date: '2024-09-30', rate: '7.1234' });
      loadSeconds = await load(db, tenant, options.invoices);
    }
    const [row] = await db.system((sql) => sql.query<{ version: string }>('SELECT version()'));
    let version = row!.version.split(' on ')[0]!.split(',')[0]!;
    if (engine === 'pglite') {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
      version = `PGlite ${pkg.version} (${version})`;
    }
    const [c] = await db.system((sql) => sql.query<Record<string, unknown>>(
      `SELECT (SELECT count(*) FROM customers WHERE tenant_id = $1) AS customers,
              (SELECT count(*) FROM documents WHERE tenant_id = $1 AND kind = 'invoice') AS invoices,
              (SELECT count(*) FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id WHERE i.tenant_id = $1 AND i.side = 'debit' AND b.open_minor > 0) AS "open invoices",
              (SELECT count(*) FROM documents WHERE tenant_id = $1 AND kind = 'payment') AS payments,
              (SELECT count(*) FROM allocations WHERE tenant_id = $1) AS allocations,
              (SELECT count(*) FROM allocations WHERE tenant_id = $1 AND allocation_date > '${PAST}') AS "allocations after ${PAST}"`, [tenant.id]));
    const counts = Object.fromEntries(Object.entries(c!).map(([k, v]) => [k, Number(v)]));
    console.log(`   ${version}; ${loadSeconds === null ? '' : `loaded in ${loadSeconds.toFixed(0)} s; `}${Object.entries(counts).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}`);
    const measures = await measure(engine, db, tenant, options);
    return { engine, version, loadBefore, loadAfter: os.loadavg()[0]!, loadSeconds, counts, measures };
  } finally {
    await db.close();
    if (!options.keep && !reusing) {
      if (engine === 'postgres') {
        const admin = new pg.Client({ connectionString: `${base}/postgres` });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      } else fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

const s3 = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(3)} s`);

function rowsOf(result: Result, postgres: Result | undefined): string[][] {
  return result.measures.map((m) => {
    const verdicts: string[] = [];
    if (m.seconds !== null) {
      verdicts.push(`≤ ${m.target.toFixed(1)} s: ${m.seconds <= m.target ? 'met' : '**missed**'}`);
      if (m.handSeconds !== null) verdicts.push(`≤ ${TARGETS.vsHand}× hand-written: ${m.seconds <= m.handSeconds * TARGETS.vsHand ? 'met' : '**missed**'} (${(m.seconds / m.handSeconds).toFixed(2)}×)`);
      const pgMeasure = postgres?.measures.find((x) => x.what === m.what);
      if (result.engine === 'pglite' && pgMeasure?.seconds) verdicts.push(`≤ ${TARGETS.pglite}× PostgreSQL: ${m.seconds <= pgMeasure.seconds * TARGETS.pglite ? 'met' : '**missed**'} (${(m.seconds / pgMeasure.seconds).toFixed(1)}×)`);
    }
    if (m.seconds !== null && m.totalsOnlySeconds) verdicts.push(`for information, vs the grand totals alone: ${(m.seconds / m.totalsOnlySeconds).toFixed(2)}×`);
    if (m.seconds !== null && m.pageHandSeconds) verdicts.push(`vs the same page by hand: ${(m.seconds / m.pageHandSeconds).toFixed(2)}×`);
    const info = (x: number | null | undefined) => (x === undefined ? '' : s3(x));
    return [m.what, s3(m.seconds), s3(m.handSeconds), info(m.totalsOnlySeconds), info(m.pageHandSeconds), m.rows === null ? '' : m.rows.toLocaleString('en-US'), verdicts.join('; '), m.note];
  });
}

const HEADER = ['report', 'median', 'hand-written query of the same totals (the reference)', 'for information: grand totals only', 'for information: the same page, count and totals', 'rows', 'target', 'note'];

function machine() {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return `${cpu.trim()}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM; ${os.type()} ${os.release()}; Node ${process.version}`;
}

function section(result: Result, postgres: Result | undefined, options: Options): string {
  const key = `${result.engine}-${options.invoices}`;
  return [
    `<!-- bench:aging ${key} -->`,
    `### Aging, ${result.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${options.invoices.toLocaleString('en-US')} invoices`,
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine()}; ${result.version};`,
    `load average ${result.loadBefore.toFixed(2)} when the run began, ${result.loadAfter.toFixed(2)} at its end; median of ${options.runs} runs after a warm-up.`,
    `Data (written by SQL${result.loadSeconds === null ? ', reused from an earlier run' : ` in ${result.loadSeconds.toFixed(0)} s`}): ${Object.entries(result.counts).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rowsOf(result, postgres).map((r) => `| ${r.join(' | ')} |`),
    `<!-- /bench:aging ${key} -->`,
  ].join('\n');
}

function updateDocs(sections: { key: string; text: string }[]) {
  let doc = fs.readFileSync(DOCS, 'utf8');
  if (!doc.includes('<!-- bench:aging results -->')) doc = `${doc.trimEnd()}\n\n## Aging results\n\n<!-- bench:aging results -->\n`;
  for (const s of sections) {
    const pattern = new RegExp(`<!-- bench:aging ${s.key} -->[\\s\\S]*?<!-- /bench:aging ${s.key} -->`);
    if (pattern.test(doc)) doc = doc.replace(pattern, () => s.text);
    else doc = doc.replace('<!-- bench:aging results -->', () => `<!-- bench:aging results -->\n\n${s.text}`);
  }
  fs.writeFileSync(DOCS, doc.replace(/\n{3,}/g, '\n\n'));
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  fs.mkdirSync(WORK, { recursive: true });
  const results: Result[] = [];
  // PostgreSQL first: PGlite's verdicts compare with it.
  for (const engine of [...options.databases].sort((a) => (a === 'postgres' ? -1 : 1))) results.push(await benchmark(engine, options));
  const postgres = results.find((r) => r.engine === 'postgres');
  console.log(`\n${machine()}`);
  for (const r of results) {
    console.log(`\n${r.version}`);
    for (const row of rowsOf(r, postgres)) console.log(`  ${row.slice(0, 6).join(' | ').replace(/\*\*/g, '')}`);
  }
  if (options.docs) {
    updateDocs(results.map((r) => ({ key: `${r.engine}-${options.invoices}`, text: section(r, postgres, options) })));
    console.log(`\nfigures written to ${path.relative(ROOT, DOCS)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
