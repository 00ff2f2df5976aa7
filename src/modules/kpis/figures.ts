/**
 * The figures of the KPI set at an as-of date, loaded in four or five set-based statements (no per-customer loop), exact
 * for past dates: only documents and allocations dated on or before the as-of date count. What was open at a date
 * is found by the ledger's shared definition (src/modules/ledger/open-at.ts, the aging report's too): today's cached
 * open amount plus what was applied after that date, so the statements read today's open items and the allocations
 * since the period's start, never the whole history.
 */
import type { Sql } from '../../db/database.ts';
import { addDays, minDate, type LocalDate } from '../../domain/dates.ts';
import {
  COUNTBACK_MAX_MONTHS, countbackMonths, OVER_DAYS, salesByMonth, TOP_CUSTOMERS, type KpiFigures, type PaymentSums,
} from '../../domain/kpis.ts';
import type { CustomerScope } from '../access/scope.ts';
import { disputedAtSql } from '../disputes/index.ts';
import { openMovementsAtSql, tuneForLedgerRead } from '../ledger/open-at.ts';

/** Debit kinds that are credit sales; their reversals take them back on the reversal's date. */
export const SALES_KINDS = `('invoice', 'debit_note', 'charge')`;
/** Sales kinds and reversals: the predicate of the index documents_sales (migration 0032). */
const SALES_AND_REVERSALS = `('invoice', 'debit_note', 'charge', 'reversal')`;
/** Credit kinds that are cash: unapplied cash, and the payments that measure days to pay. */
export const CASH_KINDS = `('payment', 'advance')`;

export interface FiguresQuery {
  tenantId: string;
  asOf: LocalDate;
  currency: string;
  periodDays: number;
  /** Collectors and sales people: their own customers only. */
  scope: CustomerScope | null;
}

/** Customers in scope, as a join and a condition on customer id expression `idExpression` (parameter $5). */
function scopeJoin(scope: CustomerScope | null, idExpression: string): string {
  return scope ? `JOIN customers sc ON sc.tenant_id = $1 AND sc.id = ${idExpression} AND sc.${scope.field} = $5` : '';
}

/** Months of sales read first for the countback walk; more only when the receivables outlast them. */
const FIRST_MONTHS = 6;

/** Credit sales per day in (from, to]: invoices, debit notes and charges, less their reversals. */
async function loadSales(sql: Sql, q: FiguresQuery, from: LocalDate, to: LocalDate): Promise<{ date: LocalDate; salesMinor: bigint }[]> {
  const daily = await sql.query<{ date: LocalDate; sales: unknown }>(
    `SELECT d.document_date AS date, sum(CASE WHEN d.kind = 'reversal' THEN -d.amount_minor ELSE d.amount_minor END) AS sales
       FROM documents d
       ${scopeJoin(q.scope, 'd.customer_id')}
      WHERE d.tenant_id = $1 AND d.currency = $3 AND d.document_date > $4 AND d.document_date <= $2
        -- The partial index documents_sales (migration 0032) holds these kinds with every column read here.
        AND d.kind IN ${SALES_AND_REVERSALS}
        -- A reversal's original is looked up for reversals only (a subplan under OR), not hashed for every document.
        AND (d.kind <> 'reversal' OR EXISTS (
              SELECT 1 FROM documents r WHERE r.tenant_id = $1 AND r.id = d.reverses_document_id AND r.kind IN ${SALES_KINDS}))
      GROUP BY d.document_date`,
    [q.tenantId, to, q.currency, from, ...(q.scope ? [q.scope.handle] : [])]);
  return daily.map((r) => ({ date: r.date, salesMinor: big(r.sales) }));
}

/**
 * The KPI figures at `asOf` over the period (asOf − periodDays, asOf]. With `reader` (a second connection in the same
 * snapshot, PostgreSQL: src/db/snapshot-reader.ts) the ten largest customers, the sales and the disputes are read on
 * it while the balances' pass runs on `sql`: two backends on two cores instead of one after the other.
 */
export async function loadKpiFigures(sql: Sql, q: FiguresQuery, reader: Sql | null = null): Promise<KpiFigures> {
  const periodStart = addDays(q.asOf, -q.periodDays);
  const months = countbackMonths(q.asOf, COUNTBACK_MAX_MONTHS);
  const params: unknown[] = [q.tenantId, q.asOf, q.currency, periodStart, ...(q.scope ? [q.scope.handle] : [])];
  await tuneForLedgerRead(sql);
  // Credit sales per day are read first for the period and the latest FIRST_MONTHS months, which is where the
  // countback walk ends for any company whose DSO is under about half a year; older months only if the receivables
  // outlast them (below).
  const firstFrom = minDate(periodStart, addDays(months[FIRST_MONTHS - 1]!.from, -1));

  // Balances at asOf and at the period's start, in one pass over today's open items and the movements since the
  // period's start, summed without grouping. The period's payments of sales (PAID_MOVES) are movements of that same
  // pass: an allocation is never dated before its documents, so each one dated in the period is among the movements
  // since the period's start of items dated on or before asOf.
  const balancesRead = () => sql.query<Record<string, unknown>>(
    `WITH ${openMovementsAtSql({ tenant: '$1', asOf: '$2', from: '$4', extra: PAID_COLUMNS, keepMoves: PAID_KEEP })}
     SELECT coalesce(sum(o.open_minor) FILTER (WHERE o.side = 'debit'), 0) AS outstanding,
            coalesce(sum(o.open_minor) FILTER (WHERE o.side = 'debit' AND o.due_date >= $2), 0) AS current,
            coalesce(sum(o.open_minor) FILTER (WHERE o.side = 'debit' AND $2::date - o.due_date > ${OVER_DAYS}), 0) AS over90,
            coalesce(sum(o.open_minor) FILTER (WHERE o.side = 'credit' AND o.kind IN ${CASH_KINDS}), 0) AS unapplied_cash,
            coalesce(sum(o.open_minor) FILTER (WHERE o.side = 'credit'), 0) AS unapplied,
            coalesce(sum(o.open_from) FILTER (WHERE o.side = 'debit'), 0) AS beginning,
            coalesce(sum(o.paid_minor), 0) AS paid,
            coalesce(sum(o.paid_minor::numeric * o.to_pay_days), 0) AS to_pay,
            coalesce(sum(o.paid_minor::numeric * o.beyond_days), 0) AS beyond
       FROM open_at o
       ${scopeJoin(q.scope, 'o.customer_id')}
      WHERE o.currency = $3`,
    params);

  // Then the ten largest customers (the one figure that needs a sum per customer: today's open items and what
  // moved after asOf only, summed as int8, migration 0036), the sales, and what open disputes cover at asOf
  // (src/modules/disputes), a share of outstanding.
  const restRead = async (on: Sql) => {
    const [top] = await on.query<{ top_customers: unknown }>(
      `WITH ${openMovementsAtSql({ tenant: '$1', asOf: '$2' })}
       SELECT coalesce(sum(t.outstanding), 0) AS top_customers FROM (
         SELECT minor_sum(o.open_minor) AS outstanding FROM open_at o
           ${scopeJoin(q.scope, 'o.customer_id')}
          WHERE o.side = 'debit' AND o.currency = $3 AND $4::date IS NOT NULL -- $4 (the period start) is unused here; typed so the shared parameters bind
          GROUP BY o.customer_id ORDER BY 1 DESC LIMIT ${TOP_CUSTOMERS}) t`,
      params);
    const sales = await loadSales(on, q, firstFrom, q.asOf);
    const [disputed] = await on.query<{ disputed: unknown }>(
      `WITH ${disputedAtSql({ tenant: '$1', asOf: '$2' })}
       SELECT coalesce(sum(o.disputed_minor), 0) AS disputed FROM disputed_at o
         ${scopeJoin(q.scope, 'o.customer_id')}
        WHERE o.currency = $3 AND o.disputed_minor > 0 AND $4::date IS NOT NULL -- $4 (the period start) is unused here; typed so the shared parameters bind
       `,
      params);
    return { topCustomersMinor: big(top!.top_customers), sales, disputedMinor: big(disputed!.disputed) };
  };

  let balances: Record<string, unknown>;
  let rest: Awaited<ReturnType<typeof restRead>>;
  if (reader) {
    // Both settled before anything is thrown: neither connection is left with a statement running.
    const [b, r] = await Promise.allSettled([balancesRead(), restRead(reader)]);
    if (b.status === 'rejected') throw b.reason;
    if (r.status === 'rejected') throw r.reason;
    [balances, rest] = [b.value[0]!, r.value];
  } else {
    balances = (await balancesRead())[0]!;
    rest = await restRead(sql);
  }

  const sales = rest.sales;
  const salesMinor = sales.filter((s) => s.date > periodStart).reduce((sum, s) => sum + s.salesMinor, 0n);
  const covered = months.filter((m) => m.from > firstFrom);
  const outstandingMinor = big(balances.outstanding);
  const coveredSales = salesByMonth(covered, sales);
  let walked = coveredSales;
  if (coveredSales.reduce((sum, m) => sum + m.salesMinor, 0n) < outstandingMinor && covered.length < months.length) {
    const older = await loadSales(sql, q, addDays(months[months.length - 1]!.from, -1), firstFrom);
    walked = salesByMonth(months, [...sales, ...older]);
  }

  // Payment behaviour: payments and advances applied to sales in the period, not undone by asOf (read with the balances).
  const paid = balances;
  const payments: PaymentSums = { paidMinor: big(paid.paid), daysToPayWeighted: big(paid.to_pay), daysBeyondTermsWeighted: big(paid.beyond) };

  const b = balances;
  return {
    asOf: q.asOf,
    periodDays: q.periodDays,
    periodStart,
    outstandingMinor,
    currentMinor: big(b.current),
    over90Minor: big(b.over90),
    topCustomersMinor: rest.topCustomersMinor,
    unappliedCashMinor: big(b.unapplied_cash),
    unappliedCreditsMinor: big(b.unapplied),
    beginningMinor: big(b.beginning),
    salesMinor,
    months: walked,
    payments,
    disputedMinor: rest.disputedMinor,
  };
}

/**
 * Allocations that are payments of sales in the period ($4, $2] in currency $3: from a payment or advance receipt
 * to an invoice, debit note or charge; neither a reversal nor undone on or before $2 (an allocation undone later
 * still counted at $2).
 */
export const PAID_ALLOCATIONS = `
  a.tenant_id = $1 AND a.allocation_date > $4 AND a.allocation_date <= $2 AND dr.currency = $3
  AND a.reverses_allocation_id IS NULL AND cr.kind IN ${CASH_KINDS} AND dr.kind IN ${SALES_KINDS}
  AND NOT EXISTS (SELECT 1 FROM allocations x WHERE x.tenant_id = $1 AND x.reverses_allocation_id = a.id AND x.allocation_date <= $2)`;

/**
 * PAID_ALLOCATIONS read from the debit sides in item_moves (migration 0027), alias m: the allocation's date, amount
 * and its items' kinds, currency and dates on one row, so the period's payments need no join to two balances each.
 * The same allocations: m.counter_kind is the credit item's kind, m.kind and m.currency the debit item's.
 */
export const PAID_MOVES = `
  m.tenant_id = $1 AND m.side = 'debit' AND m.move_date > $4 AND m.move_date <= $2 AND m.currency = $3
  AND m.reverses_allocation_id IS NULL AND m.counter_kind IN ${CASH_KINDS} AND m.kind IN ${SALES_KINDS}
  AND NOT EXISTS (SELECT 1 FROM allocations x WHERE x.tenant_id = $1 AND x.reverses_allocation_id = m.allocation_id AND x.allocation_date <= $2)`;

/**
 * PAID_MOVES as columns of the KPI set's one pass over the movements since the period's start (alias m; null on
 * today's open amounts): the amount paid, days to pay and days beyond terms of each payment of sales in the period.
 * The allocations undone on or before $2 are one hashed list (there are few), not a probe per movement.
 */
const PAID_KEEP = `m.side = 'debit' AND m.counter_kind IN ${CASH_KINDS} AND m.kind IN ${SALES_KINDS}`;
const PAID_MOVE = `${PAID_KEEP} AND m.move_date <= $2 AND m.reverses_allocation_id IS NULL
  AND m.allocation_id NOT IN (SELECT x.reverses_allocation_id FROM allocations x WHERE x.tenant_id = $1 AND x.reverses_allocation_id IS NOT NULL AND x.allocation_date <= $2)`;
const PAID_COLUMNS = [
  { name: 'paid_minor', move: `CASE WHEN ${PAID_MOVE} THEN m.amount_minor END`, open: 'NULL::int8' },
  { name: 'to_pay_days', move: 'm.move_date - m.document_date', open: 'NULL::int4' },
  { name: 'beyond_days', move: 'greatest(0, m.move_date - m.due_date)', open: 'NULL::int4' },
];

/** A SUM from either engine (bigint, numeric text) or null, as bigint. Sums of whole numbers only. */
export function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  const text = String(value);
  // numeric sums of integers may come back as "123.000" on some paths; they are whole.
  return BigInt(text.includes('.') ? text.replace(/\.0*$/, '') : text);
}
