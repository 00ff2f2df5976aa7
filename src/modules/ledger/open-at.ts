/**
 * What was open at a date: the one SQL definition the aging report, the KPIs and the statements share.
 *
 * By definition an item's open amount at date d is its amount less its allocations dated on or before d (reversals
 * included, with their negative signs), for items dated on or before d. Reading that literally scans the whole
 * history; instead we roll back from today's cached balance (item_balances.open_minor, kept in the allocation's own
 * transaction): open at d = open now + allocations dated after d. Only items open now or touched after d can be open
 * at d, so the statement reads today's open items and the allocations since d, never the whole ledger. The
 * allocations since d are read from item_moves (migration 0027): one row per side of each allocation with copies of
 * its item's facts, so they need no join to the balances (which at 1,000,000 invoices was most of a historical
 * report's time). The test test/open-at.test.ts checks both readings give the same figures on a ledger with
 * back-dated postings, reversals and partial allocations.
 *
 * Two shapes, the same rows underneath:
 * - `openItemsAtSql`: one row per item with its open amount at d (drill-downs, statements: they show items);
 * - `openMovementsAtSql`: today's open items plus one row per later movement, NOT summed per item. Every column
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
  /** Placeholder of an array of customer ids (uuid[]): those customers' items only. */
  customers?: string;
  /**
   * Further columns of openMovementsAtSql's rows: `move`, an expression over a later movement (alias m, any column
   * of item_moves), and `open`, its value on today's open amounts (alias b). For figures read in the same pass, such
   * as the KPIs' payments in the period; they are not the items' facts, so never sum them per item.
   */
  extra?: { name: string; move: string; open: string }[];
  /** With `from` and `extra`: the later movements the extra columns need beyond those that move an open amount. */
  keepMoves?: string;
}

/** The condition on customers of `customer` or `customers`, on alias `t`, with its leading AND; empty without. */
function customerCondition(p: OpenAtParams, t: string): string {
  return (p.customer ? ` AND ${t}.customer_id = ${p.customer}` : '') + (p.customers ? ` AND ${t}.customer_id = ANY(${p.customers}::uuid[])` : '');
}

/** The item facts both sources share, as columns of the alias `t` (item_balances or item_moves). */
const factsOf = (t: string) => `${t}.item_id, ${t}.customer_id, ${t}.side, ${t}.kind, ${t}.currency, ${t}.document_date, ${t}.due_date`;

/**
 * The movements dated after `since` (one row per item an allocation moved, with the item's facts), as alias m. With
 * `from`, a movement dated on or before the as-of date of an item dated after `from` changes neither open amount
 * (it happened before the one date and its item did not exist at the other), so it is left out, unless `keepMoves`
 * wants it: in the KPIs' period these are most of the payments' own sides, half the rows read.
 */
function laterMoves(p: OpenAtParams, since: string): string {
  const customer = customerCondition(p, 'm');
  const moving = p.from ? ` AND (m.document_date <= ${p.from} OR m.move_date > ${p.asOf}${p.keepMoves ? ` OR (${p.keepMoves})` : ''})` : '';
  return `item_moves m WHERE m.tenant_id = ${p.tenant} AND m.move_date > ${since} AND m.document_date <= ${p.asOf}${customer}${moving}`;
}

/**
 * CTE definitions (without the leading WITH) ending in `open_at`: one row per item open at the as-of date (and, with
 * `from`, per item open at that earlier date), with its open amount then (possibly 0: an item open at the other
 * date only, or applied and reversed since).
 */
export function openItemsAtSql(p: OpenAtParams): string {
  // The movements summed per item; grouping by the facts as well changes no sum (they depend on the item alone).
  return `${openMovementsAtSql(p).replace(/^open_at AS/, 'open_moves AS')},
     open_at AS (
       SELECT ${factsOf('v')}, sum(v.open_minor)::int8 AS open_minor${p.from ? ', sum(v.open_from)::int8 AS open_from' : ''}
         FROM open_moves v GROUP BY ${factsOf('v')})`;
}

/**
 * CTE definitions (without the leading WITH) ending in `open_at`: rows whose amounts, summed per item, are the
 * items' open amounts at the as-of date (today's open amount, then each later allocation); sum them grouped by the
 * items' facts only. With `from`, open_from likewise for the earlier date.
 */
export function openMovementsAtSql(p: OpenAtParams): string {
  const since = p.from ?? p.asOf;
  const customer = customerCondition(p, 'b');
  const fromColumn = (amount: string, t: string) => (p.from ? `, CASE WHEN ${t}.document_date <= ${p.from} THEN ${amount} ELSE 0 END AS open_from` : '');
  const extra = (branch: 'move' | 'open') => (p.extra ?? []).map((e) => `, ${e[branch]} AS ${e.name}`).join('');
  return `open_at AS (
       SELECT ${factsOf('b')}, b.open_minor${fromColumn('b.open_minor', 'b')}${extra('open')}
         FROM item_balances b
        WHERE b.tenant_id = ${p.tenant} AND b.open_minor > 0 AND b.document_date <= ${p.asOf}${customer}
       UNION ALL
       SELECT ${factsOf('m')}, ${p.from ? `CASE WHEN m.move_date > ${p.asOf} THEN m.amount_minor ELSE 0 END` : 'm.amount_minor'}${fromColumn('m.amount_minor', 'm')}${extra('move')}
         FROM ${laterMoves(p, since)})`;
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
