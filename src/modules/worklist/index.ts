/**
 * The collector's worklist (issue 6, "Collector workspace"): the customers with overdue receivables at an as-of date,
 * ranked by the priority score of src/domain/worklist.ts, each row with the reasons that make up its score.
 *
 * Load → compute → present, in three set-based statements whatever the number of customers:
 * 1. overdue per customer: the receivables open at the as-of date with a due date before it, each converted to the
 *    functional currency at the as-of rate (the latest on or before it, rounded half away from zero per item, the
 *    aging report's rule); items in a currency with no rate are left out of the amount and named on the row;
 * 2. the disputed part of that overdue (open or investigating disputes at the as-of date: disputedAtSql), converted
 *    the same way;
 * 3. the customers' credit grade (credit_profiles, the current grade), broken promises in the last 90 days, the open
 *    promise and the follow-up date of the last activity on or before the as-of date.
 * Today's open items are read from item_balances directly; a past as-of date rolls back with openItemsAtSql.
 *
 * Scope: a collector sees their own customers (src/modules/access/scope.ts) and may not ask for another collector's;
 * a manager sees every customer, or one collector's with `collector`. Rows are scored in memory (one small row per
 * overdue customer in the scope) and a page of at most 200 is returned.
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { addDays, daysBetween, parseDate, type LocalDate } from '../../domain/dates.ts';
import { formatDecimal, parseDecimal } from '../../domain/decimal.ts';
import { notAllowed } from '../../domain/errors.ts';
import { currencyScale, formatAmount } from '../../domain/money.ts';
import {
  brokenWindowStart, grouped, LATENESS_HISTORY_DAYS, predictedDaysLate, rankWorklist, scoreCustomer, WORKLIST_WEIGHTS, type PaymentHistory, type TaskChannel, type WorklistReason,
} from '../../domain/worklist.ts';
import { customerScope } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { disputedAtSql } from '../disputes/index.ts';
import { CASH_KINDS, SALES_KINDS } from '../kpis/figures.ts';
import { openItemsAtSql, tuneForLedgerRead } from '../ledger/open-at.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export { WORKLIST_WEIGHTS };
export const MAX_WORKLIST_PAGE = 200;

export const worklistQuerySchema = z.object({
  /** The date the worklist is as of; default the company's today. */
  asOf: localDateText.optional(),
  /** One collector's customers (managers); a collector may only name themself. */
  collector: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_WORKLIST_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type WorklistQuery = z.input<typeof worklistQuerySchema>;

export interface WorklistRow {
  rank: number;
  customer: string;
  customerName: string;
  collector: string | null;
  /** Overdue at the as-of date in the functional currency, and the part open disputes cover. */
  overdue: string;
  disputed: string;
  collectable: string;
  oldestDueDate: LocalDate;
  oldestDaysPastDue: number;
  grade: string | null;
  brokenPromises: number;
  openPromise: { promisedDate: LocalDate; deadline: LocalDate; amount: string } | null;
  followUpOn: LocalDate | null;
  /** The oldest open call or visit task dunning set for the customer (src/modules/dunning), null: none. */
  dunningTask: { channel: TaskChannel; since: LocalDate } | null;
  /** The predicted lateness in days (average days beyond terms of the last 365 days' payments), null: too little history. */
  predictedDaysLate: number | null;
  /** Currencies of overdue items with no rate on or before the as-of date: not in `overdue`. */
  unconverted: string[];
  score: number;
  reasons: WorklistReason[];
}

export interface Worklist {
  asOf: LocalDate;
  /** The currency of every amount: the company's functional currency. */
  currency: string;
  collector: string | null;
  total: number;
  limit: number;
  offset: number;
  nextOffset: number | null;
  rows: WorklistRow[];
}

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));

/** Per currency, the factor that turns its minor units into the functional currency's at the as-of rate (exact decimal text). */
async function rateFactors(ctx: Context, sql: Sql, asOf: LocalDate): Promise<{ currencies: string[]; factors: string[] }> {
  const functional = ctx.tenant.currency;
  const rows = await sql.query<{ currency: string; rate: string }>(
    `SELECT DISTINCT ON (currency) currency, rate::text AS rate FROM fx_rates WHERE tenant_id = $1 AND rate_date <= $2 ORDER BY currency, rate_date DESC`,
    [ctx.tenant.id, asOf]);
  const currencies = [functional];
  const factors = ['1'];
  for (const r of rows) {
    if (r.currency === functional) continue;
    const rate = parseDecimal(r.rate, 'rate');
    // rate × 10^(functional scale − currency scale), by moving the decimal point: never a float.
    const scale = rate.scale - (currencyScale(functional) - currencyScale(r.currency));
    const units = scale < 0 ? rate.units * 10n ** BigInt(-scale) : rate.units;
    currencies.push(r.currency);
    factors.push(formatDecimal({ units, scale: Math.max(scale, 0) }));
  }
  return { currencies, factors };
}

/** The ranked worklist at an as-of date for the caller's scope (and one collector's, if asked); one page of it. */
export async function collectorWorklist(ctx: Context, sql: Sql, raw: WorklistQuery = {}): Promise<Worklist> {
  const q = parseInput(worklistQuerySchema, raw, 'worklist');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const asOf = q.asOf ? parseDate(q.asOf, 'asOf') : today;
  const scope = customerScope(ctx);
  if (scope?.field === 'collector' && q.collector && q.collector !== scope.handle) {
    throw notAllowed('WORKLIST_OTHER_COLLECTOR', `collector: a collector sees only their own worklist; leave collector out or give your own handle (${scope.handle})`, [{ field: 'collector', message: 'not your handle' }]);
  }
  const currency = ctx.tenant.currency;
  const { currencies, factors } = await rateFactors(ctx, sql, asOf);
  await tuneForLedgerRead(sql);

  // 1. Overdue per customer, converted per item.
  const params: unknown[] = [ctx.tenant.id, asOf, currencies, factors];
  const where = [`o.side = 'debit'`, 'o.open_minor > 0', 'o.due_date < $2::date'];
  if (scope) { params.push(scope.handle); where.push(`c.${scope.field} = $${params.length}`); }
  if (q.collector) { params.push(q.collector); where.push(`c.collector = $${params.length}`); }
  const openAt = asOf === today
    ? `open_at AS (SELECT b.item_id, b.customer_id, b.side, b.currency, b.due_date, b.open_minor FROM item_balances b
                    WHERE b.tenant_id = $1 AND b.open_minor > 0 AND b.document_date <= $2)`
    : openItemsAtSql({ tenant: '$1', asOf: '$2' });
  const overdue = await sql.query<{ id: string; code: string; name: string; collector: string | null; overdue: unknown; oldest: LocalDate; unconverted: string[] | null }>(
    `WITH ${openAt}
     SELECT c.id, c.code, c.name, c.collector, coalesce(sum(round(o.open_minor * r.factor)), 0)::int8 AS overdue, min(o.due_date)::text AS oldest,
            array_agg(DISTINCT o.currency ORDER BY o.currency) FILTER (WHERE r.factor IS NULL) AS unconverted
       FROM open_at o
       JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id
       LEFT JOIN unnest($3::text[], $4::numeric[]) AS r(currency, factor) ON r.currency = o.currency
      WHERE ${where.join(' AND ')}
      GROUP BY c.id, c.code, c.name, c.collector`, params);
  const ids = overdue.map((r) => r.id);

  // 2. The disputed part of the overdue.
  const disputed = new Map<string, bigint>();
  // 3. Grade, broken promises, the open promise and the last activity's follow-up.
  type Facts = { id: string; grade: string | null; broken: LocalDate[] | null; promisedDate: LocalDate | null; deadline: LocalDate | null; promiseMinor: unknown; promiseCurrency: string | null; followUpOn: LocalDate | null; taskChannel: TaskChannel | null; taskSince: LocalDate | null };
  const facts = new Map<string, Facts>();
  const history = new Map<string, PaymentHistory>();
  if (ids.length > 0) {
    const rows = await sql.query<{ customerId: string; disputed: unknown }>(
      `WITH ${disputedAtSql({ tenant: '$1', asOf: '$2' })}
       SELECT d.customer_id AS "customerId", sum(round(d.disputed_minor * r.factor))::int8 AS disputed
         FROM disputed_at d
         JOIN item_balances b ON b.tenant_id = $1 AND b.item_id = d.item_id
         JOIN unnest($3::text[], $4::numeric[]) AS r(currency, factor) ON r.currency = d.currency
        WHERE d.disputed_minor > 0 AND b.due_date < $2::date AND d.customer_id = ANY($5::uuid[])
        GROUP BY d.customer_id`, [ctx.tenant.id, asOf, currencies, factors, ids]);
    for (const r of rows) disputed.set(r.customerId, big(r.disputed));
    const factRows = await sql.query<Facts>(
      `WITH ids AS (SELECT unnest($2::uuid[]) AS id),
       broken AS (
         SELECT customer_id, array_agg(promised_date::text ORDER BY promised_date DESC) AS dates FROM promises
          WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND status IN ('broken', 'partly_kept') AND decided_on <= $3::date
            AND promised_date + grace_days > $4::date AND promised_date + grace_days <= $3::date
          GROUP BY customer_id),
       open_promise AS (
         SELECT DISTINCT ON (customer_id) customer_id, promised_date::text AS promised, (promised_date + grace_days)::text AS deadline, amount_minor, currency FROM promises
          WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND created_on <= $3::date AND (status = 'open' OR decided_on > $3::date)
            AND promised_date + grace_days >= $3::date
          ORDER BY customer_id, promised_date, created_at, id),
       last_activity AS (
         SELECT DISTINCT ON (customer_id) customer_id, follow_up_on::text AS follow_up_on FROM collection_activities
          WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND activity_date <= $3::date
          ORDER BY customer_id, activity_date DESC, created_at DESC, id DESC),
       dunning_task AS (
         SELECT DISTINCT ON (customer_id) customer_id, channel, as_of::text AS since FROM dunning_outbox
          WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND status = 'task' AND as_of <= $3::date
          ORDER BY customer_id, as_of, id)
       SELECT i.id, cp.grade, b.dates AS broken, p.promised AS "promisedDate", p.deadline, p.amount_minor AS "promiseMinor", p.currency AS "promiseCurrency",
              a.follow_up_on AS "followUpOn", dt.channel AS "taskChannel", dt.since AS "taskSince"
         FROM ids i
         LEFT JOIN credit_profiles cp ON cp.tenant_id = $1 AND cp.customer_id = i.id
         LEFT JOIN broken b ON b.customer_id = i.id
         LEFT JOIN open_promise p ON p.customer_id = i.id
         LEFT JOIN last_activity a ON a.customer_id = i.id
         LEFT JOIN dunning_task dt ON dt.customer_id = i.id`, [ctx.tenant.id, ids, asOf, brokenWindowStart(asOf)]);
    for (const r of factRows) facts.set(r.id, r);
    // 4. Payment history for the predicted lateness: cash applied to sales (the KPIs' kinds) in the year before the
    // date, not undone by it, converted like the overdue; days beyond terms per allocation (early is 0), weighted by
    // the amount. The KPIs' "days beyond terms" (PAID_ALLOCATIONS) on one customer and a year, in every currency.
    const historyRows = await sql.query<{ customerId: string; paid: unknown; beyond: unknown; items: number }>(
      `SELECT a.customer_id AS "customerId", sum(round(a.amount_minor * r.factor))::int8 AS paid,
              sum(round(a.amount_minor * r.factor) * greatest(0, a.allocation_date - dr.due_date))::int8 AS beyond,
              count(DISTINCT a.debit_item_id)::int AS items
         FROM allocations a
         JOIN item_balances dr ON dr.tenant_id = $1 AND dr.item_id = a.debit_item_id
         JOIN item_balances cr ON cr.tenant_id = $1 AND cr.item_id = a.credit_item_id
         JOIN unnest($3::text[], $4::numeric[]) AS r(currency, factor) ON r.currency = dr.currency
        WHERE a.tenant_id = $1 AND a.customer_id = ANY($5::uuid[]) AND a.allocation_date > $6::date AND a.allocation_date <= $2::date
          AND a.reverses_allocation_id IS NULL AND cr.kind IN ${CASH_KINDS} AND dr.kind IN ${SALES_KINDS}
          AND NOT EXISTS (SELECT 1 FROM allocations x WHERE x.tenant_id = $1 AND x.reverses_allocation_id = a.id AND x.allocation_date <= $2::date)
        GROUP BY a.customer_id`, [ctx.tenant.id, asOf, currencies, factors, ids, addDays(asOf, -LATENESS_HISTORY_DAYS)]);
    for (const r of historyRows) history.set(r.customerId, { paidMinor: big(r.paid), beyondWeightedMinorDays: big(r.beyond), items: Number(r.items) });
  }

  const scored = overdue.map((r) => {
    const f = facts.get(r.id);
    const overdueMinor = big(r.overdue);
    const disputedMinor = disputed.get(r.id) ?? 0n;
    const openPromise = f?.promisedDate && f.deadline
      ? { promisedDate: f.promisedDate, deadline: f.deadline, amount: `${grouped(big(f.promiseMinor), f.promiseCurrency!)} ${f.promiseCurrency}` }
      : null;
    const oldestDaysPastDue = daysBetween(r.oldest, asOf);
    const result = scoreCustomer({
      customer: r.code, currency, overdueMinor, disputedMinor, oldestDaysPastDue, grade: f?.grade ?? null,
      brokenPromiseDates: f?.broken ?? [], openPromise, followUpOn: f?.followUpOn ?? null,
      dunningTask: f?.taskChannel && f.taskSince ? { channel: f.taskChannel, since: f.taskSince } : null,
      paymentHistory: history.get(r.id) ?? null,
    }, asOf);
    const predictedLate = predictedDaysLate(history.get(r.id));
    return { r, f, overdueMinor, disputedMinor, openPromise, oldestDaysPastDue, predictedLate, customer: r.code, ...result };
  });
  const ranked = rankWorklist(scored);
  const page = ranked.slice(q.offset, q.offset + q.limit);
  const money = (v: bigint) => formatAmount(v, currency);
  return {
    asOf, currency, collector: q.collector ?? (scope?.field === 'collector' ? scope.handle : null),
    total: ranked.length, limit: q.limit, offset: q.offset,
    nextOffset: q.offset + page.length < ranked.length ? q.offset + page.length : null,
    rows: page.map((s, n) => ({
      rank: q.offset + n + 1,
      customer: s.r.code,
      customerName: s.r.name,
      collector: s.r.collector,
      overdue: money(s.overdueMinor),
      disputed: money(s.overdueMinor - s.collectableMinor),
      collectable: money(s.collectableMinor),
      oldestDueDate: s.r.oldest,
      oldestDaysPastDue: s.oldestDaysPastDue,
      grade: s.f?.grade ?? null,
      brokenPromises: s.f?.broken?.length ?? 0,
      openPromise: s.openPromise,
      followUpOn: s.f?.followUpOn ?? null,
      dunningTask: s.f?.taskChannel && s.f.taskSince ? { channel: s.f.taskChannel, since: s.f.taskSince } : null,
      predictedDaysLate: s.predictedLate,
      unconverted: s.r.unconverted ?? [],
      score: s.score,
      reasons: s.reasons,
    })),
  };
}
