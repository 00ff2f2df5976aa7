/**
 * What was open at a date: the one SQL definition the aging report, the KPIs and the statements share.
 *
 * By definition an item's open amount at date d is its amount less its allocations dated on or before d (reversals
 * included, with their negative signs), for items dated on or before d. Reading that literally scans the whole
 * history; instead we roll back from today's cached balance (item_balances.open_minor, kept in the allocation's own
 * transaction): open at d = open now + allocations dated after d. Only items open now or touched after d can be open
 * at d, so the statement reads today's open items and the allocations since d, never the whole ledger. The test
 * test/open-at.test.ts checks both readings give the same figures on a ledger with back-dated postings, reversals
 * and partial allocations.
 *
 * Two shapes, the same rows underneath:
 * - `openItemsAtSql`: one row per item with its open amount at d (drill-downs, statements: they show items);
 * - `openMovementsAtSql`: today's open items plus one row per later allocation, NOT summed per item. Every column
 *   but the amount is the item's fixed facts (customer, side, currency, dates), so any sum grouped by those facts,
 *   per bucket or per customer, equals the sum over `openItemsAtSql`; it saves the hash aggregate of the later
 *   allocations per item, which dominated a historical report (docs/decisions.md, "Open at a date").
 *
 * Both expose: item_id, customer_id, side, kind (the document's), currency, document_date, due_date (the aged-from date), open_minor; with
 * `from` (an earlier date, the KPIs' period start) also open_from (open at that date; 0 for items dated after it).
 * Placeholders are the caller's ($1…): the tenant, the date(s) and, for one customer's items, the customer.
 */
import type { Sql } from '../../db/database.ts';

export interface OpenAtParams {
  /** Placeholder of the tenant id, e.g. `$1`. */
  tenant: string;
  /** Placeholder of the as-of date. */
  asOf: string;
  /** Placeholder of an earlier date whose open amounts come too (column open_from). */
  from?: string;
  /** Placeholder of a customer id: that customer's items only. */
  customer?: string;
}

/** The allocations dated after `since`, one row per item they moved (a debit and a credit item each). */
function laterMoves(p: OpenAtParams, since: string): string {
  const customer = p.customer ? ` AND a.customer_id = ${p.customer}` : '';
  return `SELECT a.debit_item_id AS item_id, a.amount_minor, a.allocation_date FROM allocations a
          WHERE a.tenant_id = ${p.tenant} AND a.allocation_date > ${since}${customer}
         UNION ALL
         SELECT a.credit_item_id, a.credit_amount_minor, a.allocation_date FROM allocations a
          WHERE a.tenant_id = ${p.tenant} AND a.allocation_date > ${since}${customer}`;
}

/** The balances' facts, as the columns both shapes share. */
const FACTS = 'b.item_id, b.customer_id, b.side, b.kind, b.currency, b.document_date, b.due_date';

/**
 * CTE definitions (without the leading WITH) ending in `open_at`: one row per item open at the as-of date (and, with
 * `from`, per item open at that earlier date), with its open amount then.
 */
export function openItemsAtSql(p: OpenAtParams): string {
  const since = p.from ?? p.asOf;
  const customer = p.customer ? ` AND b.customer_id = ${p.customer}` : '';
  const laterColumns = p.from
    ? `sum(amount_minor)::int8 AS after_from, coalesce(sum(amount_minor) FILTER (WHERE allocation_date > ${p.asOf}), 0)::int8 AS after_as_of`
    : 'sum(amount_minor)::int8 AS after_as_of';
  const fromColumn = (open: string, after: string) => (p.from ? `, CASE WHEN b.document_date <= ${p.from} THEN ${open} + ${after} ELSE 0 END AS open_from` : '');
  return `open_later AS (
       SELECT item_id, ${laterColumns} FROM (${laterMoves(p, since)}) moved GROUP BY item_id),
     open_at AS (
       SELECT ${FACTS}, b.open_minor + coalesce(l.after_as_of, 0) AS open_minor${fromColumn('b.open_minor', 'coalesce(l.after_from, 0)')}
         FROM item_balances b LEFT JOIN open_later l ON l.item_id = b.item_id
        WHERE b.tenant_id = ${p.tenant} AND b.open_minor > 0 AND b.document_date <= ${p.asOf}${customer}
       UNION ALL
       SELECT ${FACTS}, l.after_as_of${fromColumn('0', 'l.after_from')}
         FROM open_later l JOIN item_balances b ON b.tenant_id = ${p.tenant} AND b.item_id = l.item_id
        WHERE b.open_minor = 0 AND b.document_date <= ${p.asOf}${customer})`;
}

/**
 * CTE definitions (without the leading WITH) ending in `open_at`: rows whose amounts, summed per item, are the
 * items' open amounts at the as-of date (today's open amount, then each later allocation); sum them grouped by the
 * items' facts only. With `from`, open_from likewise for the earlier date.
 */
export function openMovementsAtSql(p: OpenAtParams): string {
  const since = p.from ?? p.asOf;
  const customer = p.customer ? ` AND b.customer_id = ${p.customer}` : '';
  const fromColumn = (amount: string) => (p.from ? `, CASE WHEN b.document_date <= ${p.from} THEN ${amount} ELSE 0 END AS open_from` : '');
  return `open_later AS (${laterMoves(p, since)}),
     open_at AS (
       SELECT ${FACTS}, b.open_minor${fromColumn('b.open_minor')}
         FROM item_balances b
        WHERE b.tenant_id = ${p.tenant} AND b.open_minor > 0 AND b.document_date <= ${p.asOf}${customer}
       UNION ALL
       SELECT ${FACTS}, ${p.from ? `CASE WHEN l.allocation_date > ${p.asOf} THEN l.amount_minor ELSE 0 END` : 'l.amount_minor'}${fromColumn('l.amount_minor')}
         FROM open_later l JOIN item_balances b ON b.tenant_id = ${p.tenant} AND b.item_id = l.item_id
        WHERE b.document_date <= ${p.asOf}${customer})`;
}

/**
 * Settings for a transaction that reads the ledger at a date: hash tables in memory rather than on disk (hundreds of
 * thousands of open items and later allocations; the server's default work_mem of 4 MB makes it sort and spill), and
 * no JIT compilation, which costs more than it saves on these short scans (3.5 s on the KPI set at 1,000,000
 * invoices; docs/benchmarks.md, Aging). Local to the transaction.
 */
export async function tuneForLedgerRead(sql: Sql): Promise<void> {
  await sql.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`, []);
}
