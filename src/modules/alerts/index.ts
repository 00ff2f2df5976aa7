/**
 * Early warning (预警): the company's rule settings, evaluation (load facts → src/domain/alerts.ts → persist), the
 * alerts inbox (list, acknowledge, resolve, assign) and each alert's history. Evaluation runs daily as a job, for one
 * customer after a posting touches it (a debounced job), and on demand (`POST /api/v1/alerts/evaluate`).
 *
 * One open alert per rule and subject (a unique partial index): re-firing refreshes the figures, severity and last
 * seen date; an alert whose condition no longer holds is resolved by the evaluation (recorded as `auto_resolved`).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { can } from '../../domain/access.ts';
import {
  DEFAULT_THRESHOLDS, evaluateRules, INACTIVE_RULES, OWNER_ROLES, reconcile, ROUNDING_RULE, RULES, SEVERITIES, Z_MODELS,
  type CustomerFacts, type Facts, type FiredAlert, type Figures, type OwnerRole, type RuleKey, type RuleThresholds,
} from '../../domain/alerts.ts';
import { addDays, parseDate, type LocalDate } from '../../domain/dates.ts';
import { averageDaysBeyondTerms, KPI_DECIMALS, roundRatio } from '../../domain/kpis.ts';
import { conflict, invalid, notAllowed, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import { customerScope, listFilter } from '../access/scope.ts';
import { agingReportAll } from '../aging/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { limitPositions } from '../credit-limits/index.ts';
import { creditAlertFacts } from '../credit/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { big, CASH_KINDS, SALES_KINDS } from '../kpis/figures.ts';
import { missedInstallmentFacts } from '../payment-plans/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { RULES, SEVERITIES, INACTIVE_RULES, type RuleKey };

// ---------------------------------------------------------------------------------------------------------------
// Settings: per rule enabled, owner role and threshold; the credit manager who gets credit alerts.

const owner = z.enum(OWNER_ROLES);
const percent = z.number().int().min(1).max(1000);
const days = z.number().int().min(1).max(3650);

export const settingsSchema = z.object({
  rules: z.object({
    limit_utilisation: z.object({ enabled: z.boolean(), owner, warningPercent: percent, criticalPercent: percent })
      .refine((r) => r.warningPercent <= r.criticalPercent, { message: 'warningPercent must not be above criticalPercent', path: ['warningPercent'] }),
    overdue_days: z.object({ enabled: z.boolean(), owner, days }),
    /** In the functional currency, major units as text ("100000.00"). */
    overdue_amount: z.object({ enabled: z.boolean(), owner, amount: amountText }),
    payment_trend: z.object({ enabled: z.boolean(), owner, days }),
    /** Best first, comma separated: "A,B,C,D,E". */
    grade_downgrade: z.object({ enabled: z.boolean(), owner, grades: z.string().trim().regex(/^[A-Za-z0-9+-]{1,8}(,[A-Za-z0-9+-]{1,8}){1,19}$/, 'list the grades best first, comma separated, like "A,B,C,D,E"') }),
    review_expired: z.object({ enabled: z.boolean(), owner }),
    concentration: z.object({ enabled: z.boolean(), owner, percent: z.number().int().min(1).max(100) }),
    z_score_distress: z.object({ enabled: z.boolean(), owner, model: z.enum(Z_MODELS) }),
    insured_overdue: z.object({ enabled: z.boolean(), owner, daysBefore: z.number().int().min(0).max(365) }),
    /** Settings saved before these rules existed have no entry: the defaults apply. */
    payment_plan_missed: z.object({ enabled: z.boolean(), owner, days: z.number().int().min(0).max(365) }).default({ ...DEFAULT_THRESHOLDS.payment_plan_missed }),
    promise_broken: z.object({ enabled: z.boolean(), owner, days }).default({ ...DEFAULT_THRESHOLDS.promise_broken }),
    dispute_overdue: z.object({ enabled: z.boolean(), owner, days: z.number().int().min(0).max(365) }).default({ ...DEFAULT_THRESHOLDS.dispute_overdue }),
  }),
  /** The handle of the user who gets credit-manager alerts; null: the first active credit manager (by email). */
  creditManager: z.string().trim().min(1).max(100).nullable(),
});
export type AlertSettings = z.output<typeof settingsSchema>;

export function defaultSettings(currency: string): AlertSettings {
  const d = DEFAULT_THRESHOLDS;
  return {
    rules: {
      limit_utilisation: { ...d.limit_utilisation },
      overdue_days: { ...d.overdue_days },
      overdue_amount: { enabled: d.overdue_amount.enabled, owner: d.overdue_amount.owner, amount: formatAmount(d.overdue_amount.amountMinor, currency) },
      payment_trend: { ...d.payment_trend },
      grade_downgrade: { enabled: true, owner: d.grade_downgrade.owner, grades: d.grade_downgrade.grades.join(',') },
      review_expired: { ...d.review_expired },
      concentration: { ...d.concentration },
      z_score_distress: { ...d.z_score_distress },
      insured_overdue: { ...d.insured_overdue },
      payment_plan_missed: { ...d.payment_plan_missed },
      promise_broken: { ...d.promise_broken },
      dispute_overdue: { ...d.dispute_overdue },
    },
    creditManager: null,
  };
}

function thresholdsOf(s: AlertSettings, currency: string): RuleThresholds {
  const r = s.rules;
  return {
    ...r,
    overdue_amount: { enabled: r.overdue_amount.enabled, owner: r.overdue_amount.owner, amountMinor: parseAmount(r.overdue_amount.amount, currency, 'rules.overdue_amount.amount') },
    grade_downgrade: { enabled: r.grade_downgrade.enabled, owner: r.grade_downgrade.owner, grades: r.grade_downgrade.grades.split(',').map((g) => g.trim().toUpperCase()) },
  };
}

export async function alertSettings(sql: Sql, ctx: Context): Promise<AlertSettings & { inactiveRules: RuleKey[]; currency: string }> {
  const [row] = await sql.query<{ settings: AlertSettings }>(`SELECT settings FROM alert_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  const defaults = defaultSettings(ctx.tenant.currency);
  // Rules added after the settings were saved take their defaults.
  const settings = row ? { ...row.settings, rules: { ...defaults.rules, ...row.settings.rules } } : defaults;
  return { ...settings, inactiveRules: [...INACTIVE_RULES], currency: ctx.tenant.currency };
}

/** Replaces the company's alert settings (validated), audited with before and after. */
export async function setAlertSettings(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<AlertSettings> {
  const settings = parseInput(settingsSchema, raw, 'alert settings');
  thresholdsOf(settings, ctx.tenant.currency); // the amount in the currency's scale
  return withIdempotency(ctx, idempotencyKey, 'alerts.settings', settings, async (sql) => {
    const { inactiveRules: _i, currency: _c, ...before } = await alertSettings(sql, ctx);
    await sql.query(
      `INSERT INTO alert_settings (tenant_id, settings, updated_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, JSON.stringify(settings), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'alerts.settings', entityType: 'alert_settings', entityId: ctx.tenant.code, before, after: settings });
    return settings;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Facts.

interface CustomerRow {
  id: string; code: string; name: string; parentId: string | null; collector: string | null; salesperson: string | null;
  creditLimitMinor: string | bigint | null; grade: string | null; reviewDue: LocalDate | null; lastSeenGrade: string | null;
}

/**
 * Days beyond terms per customer code, in tenths of a day (the KPI's one decimal, as the payment behaviour list shows
 * it), over the trend rule's two windows in one pass over the payments: the last TREND_RECENT_DAYS to `asOf` and the
 * TREND_PRIOR_DAYS before them, each as the KPI counts it at its own end (PAID_MOVES: a payment undone on or before a
 * window's end does not count in it).
 */
async function paymentTrendFacts(ctx: Context, sql: Sql, asOf: LocalDate, customerIds: readonly string[] | null): Promise<{ recent: Map<string, number>; prior: Map<string, number> }> {
  const priorEnd = addDays(asOf, -TREND_RECENT_DAYS);
  const params: unknown[] = [ctx.tenant.id, asOf, ctx.tenant.currency, addDays(priorEnd, -TREND_PRIOR_DAYS), priorEnd];
  if (customerIds) params.push(customerIds);
  const recent = `m.move_date > $5 AND (u.undone IS NULL OR u.undone > $2)`;
  const prior = `m.move_date <= $5 AND (u.undone IS NULL OR u.undone > $5)`;
  const beyond = 'm.amount_minor::numeric * greatest(0, m.move_date - m.due_date)';
  const rows = await sql.query<{ code: string; paidRecent: unknown; beyondRecent: unknown; paidPrior: unknown; beyondPrior: unknown }>(
    `SELECT c.code, sum(m.amount_minor) FILTER (WHERE ${recent}) AS "paidRecent", sum(${beyond}) FILTER (WHERE ${recent}) AS "beyondRecent",
            sum(m.amount_minor) FILTER (WHERE ${prior}) AS "paidPrior", sum(${beyond}) FILTER (WHERE ${prior}) AS "beyondPrior"
       FROM item_moves m
       JOIN customers c ON c.tenant_id = $1 AND c.id = m.customer_id
       -- When the payment was undone, if it was (a reversal of an allocation is dated; it counts from that date). The
       -- reversals are few: one hashed list, not a probe per payment.
       LEFT JOIN (SELECT x.reverses_allocation_id AS id, min(x.allocation_date) AS undone FROM allocations x
                   WHERE x.tenant_id = $1 AND x.reverses_allocation_id IS NOT NULL GROUP BY x.reverses_allocation_id) u ON u.id = m.allocation_id
      WHERE m.tenant_id = $1 AND m.side = 'debit' AND m.move_date > $4 AND m.move_date <= $2 AND m.currency = $3
        AND m.reverses_allocation_id IS NULL AND m.counter_kind IN ${CASH_KINDS} AND m.kind IN ${SALES_KINDS}
        ${customerIds ? 'AND m.customer_id = ANY($6::uuid[])' : ''}
      GROUP BY c.code`,
    params);
  const tenths = (paid: unknown, beyondSum: unknown): number | null => {
    const r = averageDaysBeyondTerms({ paidMinor: big(paid), daysToPayWeighted: 0n, daysBeyondTermsWeighted: big(beyondSum) });
    return 'reason' in r ? null : Math.round(Number(roundRatio(r, KPI_DECIMALS.days)) * 10);
  };
  const out = { recent: new Map<string, number>(), prior: new Map<string, number>() };
  for (const r of rows) {
    const a = tenths(r.paidRecent, r.beyondRecent);
    const b = tenths(r.paidPrior, r.beyondPrior);
    if (a !== null) out.recent.set(r.code, a);
    if (b !== null) out.prior.set(r.code, b);
  }
  return out;
}

/**
 * Per customer: the promises decided broken or partly kept (src/modules/collections decides them) whose deadline
 * (promised date + grace) is in (asOf − days, asOf): how many, and the latest one's figures.
 */
async function brokenPromiseFacts(sql: Sql, tenantId: string, asOf: LocalDate, days: number, customerIds: readonly string[] | null) {
  const rows = await sql.query<{ customerId: string; count: unknown; deadline: LocalDate; currency: string; amount: unknown; kept: unknown }>(
    `SELECT customer_id AS "customerId", count(*) OVER (PARTITION BY customer_id) AS count, (promised_date + grace_days)::text AS deadline, currency,
            amount_minor AS amount, kept_minor AS kept,
            row_number() OVER (PARTITION BY customer_id ORDER BY promised_date + grace_days DESC, created_at DESC) AS rn
       FROM promises
      WHERE tenant_id = $1 AND status IN ('broken', 'partly_kept') AND decided_on <= $2
        AND promised_date + grace_days < $2::date AND promised_date + grace_days >= $2::date - $3::int ${customerIds ? 'AND customer_id = ANY($4::uuid[])' : ''}`,
    customerIds ? [tenantId, asOf, days, customerIds] : [tenantId, asOf, days]);
  const out = new Map<string, NonNullable<CustomerFacts['brokenPromises']>>();
  for (const r of rows as (typeof rows[number] & { rn: unknown })[]) {
    if (Number(r.rn) !== 1) continue;
    out.set(r.customerId, { count: Number(r.count), lastDeadline: r.deadline, promised: formatAmount(BigInt(String(r.amount)), r.currency), paid: formatAmount(BigInt(String(r.kept ?? 0)), r.currency), currency: r.currency });
  }
  return out;
}

/**
 * Per customer: its disputes still open on `asOf` (raised by then, not closed by then: the aging's rule, so an evaluation
 * at a past date sees them as they were) whose due date has passed: how many, and the one past it longest (src/modules/disputes records them; the rule decides how far past is too far).
 */
async function overdueDisputeFacts(sql: Sql, tenantId: string, asOf: LocalDate, customerIds: readonly string[] | null) {
  const rows = await sql.query<{ customerId: string; count: unknown; dueDate: LocalDate; ownerTeam: string; currency: string; amount: unknown }>(
    `SELECT customer_id AS "customerId", count(*) OVER (PARTITION BY customer_id) AS count, due_date::text AS "dueDate", owner_team AS "ownerTeam",
            currency, amount_minor AS amount, row_number() OVER (PARTITION BY customer_id ORDER BY due_date, created_at) AS rn
       FROM disputes
      WHERE tenant_id = $1 AND raised_on <= $2 AND (closed_on IS NULL OR closed_on > $2) AND due_date < $2 ${customerIds ? 'AND customer_id = ANY($3::uuid[])' : ''}`,
    customerIds ? [tenantId, asOf, customerIds] : [tenantId, asOf]);
  const out = new Map<string, NonNullable<CustomerFacts['overdueDisputes']>>();
  for (const r of rows as (typeof rows[number] & { rn: unknown })[]) {
    if (Number(r.rn) !== 1) continue;
    out.set(r.customerId, { count: Number(r.count), dueDate: r.dueDate, ownerTeam: r.ownerTeam, disputed: formatAmount(BigInt(String(r.amount)), r.currency), currency: r.currency });
  }
  return out;
}

/** Last 3 months against the 9 before, as 90 and 270 days (the KPI module's windows are in days). */
export const TREND_RECENT_DAYS = 90;
export const TREND_PRIOR_DAYS = 270;

async function loadFacts(ctx: Context, sql: Sql, asOf: LocalDate, settings: AlertSettings, customerIds: readonly string[] | null): Promise<{ facts: Facts; rows: CustomerRow[] }> {
  const currency = ctx.tenant.currency;
  const overdueDays = settings.rules.overdue_days.days;
  // The evaluation of some customers (those posted to) reads their items and payments only: the whole company's
  // took 15-20 s at 1,000,000 invoices, for every customer posted to. Its total is then unknown, and unneeded:
  // concentration is evaluated with the whole company only.
  const aging = await agingReportAll(ctx, sql, { asOf, basis: 'due', buckets: String(overdueDays), by: 'customer', convert: true }, customerIds ?? undefined);
  const byCode = new Map(aging.rows.map((r) => [r.key, r]));
  const rows = await sql.query<CustomerRow>(
    `SELECT c.id, c.code, c.name, c.parent_id AS "parentId", c.collector, c.salesperson, c.credit_limit_minor AS "creditLimitMinor",
            p.grade, p.review_due::text AS "reviewDue", g.grade AS "lastSeenGrade"
       FROM customers c
       LEFT JOIN credit_profiles p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id
       LEFT JOIN alert_grades_seen g ON g.tenant_id = c.tenant_id AND g.customer_id = c.id
      WHERE c.tenant_id = $1 AND c.status <> 'inactive' ${customerIds ? 'AND c.id = ANY($2::uuid[])' : ''}
      ORDER BY c.code`, customerIds ? [ctx.tenant.id, customerIds] : [ctx.tenant.id]);
  const downgrades = new Map((await sql.query<{ customerId: string; from: string }>(
    `SELECT customer_id AS "customerId", figures->>'fromGrade' AS "from" FROM alerts
      WHERE tenant_id = $1 AND rule = 'grade_downgrade' AND status IN ('open', 'acknowledged')`, [ctx.tenant.id])).map((r) => [r.customerId, r.from]));
  const trendOn = settings.rules.payment_trend.enabled;
  const { recent, prior } = trendOn ? await paymentTrendFacts(ctx, sql, asOf, customerIds) : { recent: new Map<string, number>(), prior: new Map<string, number>() };
  // The limit in force and the exposure as the credit check counts them (temporary increases, orders, shipments, advances).
  const positions = await limitPositions(ctx, sql, asOf, customerIds);
  // The latest statements' Z-scores and the overdue insured invoices, from the credit files.
  const creditFacts = await creditAlertFacts(ctx, sql, asOf, customerIds, settings.rules.z_score_distress.model);
  // Payment plans with an installment unpaid beyond the rule's days, and promises decided broken in its window.
  const planMissed = settings.rules.payment_plan_missed.enabled ? await missedInstallmentFacts(sql, ctx.tenant.id, asOf, settings.rules.payment_plan_missed.days, customerIds) : new Map();
  const broken = settings.rules.promise_broken.enabled ? await brokenPromiseFacts(sql, ctx.tenant.id, asOf, settings.rules.promise_broken.days, customerIds) : new Map();
  const disputesPast = settings.rules.dispute_overdue.enabled ? await overdueDisputeFacts(sql, ctx.tenant.id, asOf, customerIds) : new Map();
  const amount = (text: string | undefined) => (text ? parseAmount(text.replace(/^-/, ''), currency) * (text.startsWith('-') ? -1n : 1n) : 0n);
  const customers: CustomerFacts[] = rows.map((c) => {
    const a = byCode.get(c.code);
    const outstandingMinor = amount(a?.outstanding);
    const position = positions.get(c.id);
    return {
      customerId: c.id, code: c.code, outstandingMinor,
      exposureMinor: position?.exposureMinor ?? outstandingMinor,
      creditLimitMinor: position?.limitMinor ?? null,
      overdueMinor: outstandingMinor - amount(a?.current),
      overdueBeyondDaysMinor: amount(a?.buckets[`over-${overdueDays}`]),
      daysBeyondTermsRecentTenths: recent.get(c.code) ?? null,
      daysBeyondTermsPriorTenths: prior.get(c.code) ?? null,
      grade: c.grade, lastSeenGrade: c.lastSeenGrade, openDowngradeFrom: downgrades.get(c.id) ?? null,
      reviewDue: c.reviewDue,
      zScore: creditFacts.get(c.id)?.zScore ?? null,
      insuredOverdue: creditFacts.get(c.id)?.insuredOverdue ?? [],
      planMissed: planMissed.has(c.id) ? (({ unpaidMinor, ...m }) => ({ ...m, unpaid: formatAmount(unpaidMinor, m.currency) }))(planMissed.get(c.id)!) : null,
      brokenPromises: broken.get(c.id) ?? null,
      overdueDisputes: disputesPast.get(c.id) ?? null,
    };
  });
  // Groups: a parent with its subsidiaries (only whole-company evaluations look at concentration).
  const groups = new Map<string, { customerId: string; code: string; outstandingMinor: bigint; members: number }>();
  if (!customerIds) {
    const all = new Map(rows.map((r) => [r.id, r]));
    for (const c of customers) {
      const row = all.get(c.customerId)!;
      const top = row.parentId && all.has(row.parentId) ? all.get(row.parentId)! : row;
      const g = groups.get(top.id) ?? { customerId: top.id, code: top.code, outstandingMinor: 0n, members: 0 };
      g.outstandingMinor += c.outstandingMinor;
      g.members += 1;
      groups.set(top.id, g);
    }
  }
  return {
    facts: { asOf, currency, totalOutstandingMinor: customerIds ? 0n : amount(aging.totals.outstanding), customers, groups: [...groups.values()].filter((g) => g.members > 1) },
    rows,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation.

export const evaluateSchema = z.object({
  asOf: localDateText.optional(),
  /** One customer's code: evaluate that customer's rules only (not concentration). */
  customer: z.string().trim().min(1).max(100).optional(),
}).strict();
export type EvaluateInput = z.input<typeof evaluateSchema>;

export interface EvaluationResult {
  asOf: LocalDate;
  customers: number;
  opened: number;
  refreshed: number;
  resolved: number;
}

interface OpenAlertRow { id: string; rule: string; subjectType: string; customerId: string; severity: string; owner: string | null; figures: Record<string, unknown> }

const toJsonFigures = (f: Figures) => JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
/** Figures compared regardless of key order (jsonb keeps its own order). */
const sameFigures = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const text = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k] === null || o[k] === undefined ? null : String(o[k])]));
  return text(a) === text(b);
};

async function creditManagerHandle(sql: Sql, ctx: Context, settings: AlertSettings): Promise<string | null> {
  if (settings.creditManager) return settings.creditManager;
  const [row] = await sql.query<{ handle: string }>(
    `SELECT handle FROM users WHERE tenant_id = $1 AND role = 'credit_manager' AND status = 'active' ORDER BY email LIMIT 1`, [ctx.tenant.id]);
  return row?.handle ?? null;
}

/** Evaluates the rules at `asOf` (default today) for the company or one customer, in one transaction. */
export async function evaluateAlerts(ctx: Context, raw: EvaluateInput = {}, idempotencyKey?: string): Promise<EvaluationResult> {
  const input = parseInput(evaluateSchema, raw, 'evaluate');
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  return withIdempotency(ctx, idempotencyKey, 'alerts.evaluate', { ...input, asOf }, async (sql) => {
    let customerIds: string[] | null = null;
    if (input.customer) {
      const [row] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.customer]);
      if (!row) throw notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${input.customer}`, [{ field: 'customer', message: 'not found' }]);
      customerIds = [row.id];
    }
    return evaluateLocked(ctx, sql, asOf, customerIds);
  });
}

/** Customers the evaluation after postings takes in one transaction (one job batch). */
export const MAX_EVALUATION_CUSTOMERS = 500;

/**
 * Evaluates the rules at the company's today for some customers (by id; those no longer there are skipped), in one
 * transaction: the job after postings, which gathers the customers of many postings into one evaluation.
 */
export async function evaluateCustomers(ctx: Context, customerIds: readonly string[]): Promise<EvaluationResult> {
  if (customerIds.length === 0 || customerIds.length > MAX_EVALUATION_CUSTOMERS) throw new Error(`assertion failed: ${customerIds.length} customers to evaluate (1 to ${MAX_EVALUATION_CUSTOMERS})`);
  const asOf = tenantToday(ctx.tenant, ctx.clock);
  return ctx.db.tenant(ctx.tenant.id, (sql) => evaluateLocked(ctx, sql, asOf, [...new Set(customerIds)]));
}

async function evaluateLocked(ctx: Context, sql: Sql, asOf: LocalDate, customerIds: readonly string[] | null): Promise<EvaluationResult> {
  // One evaluation at a time per company: two at once would both open the same alert.
  await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`alerts:${ctx.tenant.id}`]);
  // The rules see every customer, whoever asks: a collector's evaluation must not resolve alerts it cannot see.
  return evaluateInTransaction({ ...ctx, principal: undefined }, sql, asOf, customerIds);
}

/**
 * The evaluation itself, inside the caller's transaction (the job and the API share it): the whole company, or only
 * `customerIds` (without the concentration rule, which needs the whole company).
 */
export async function evaluateInTransaction(ctx: Context, sql: Sql, asOf: LocalDate, customerIds: readonly string[] | null): Promise<EvaluationResult> {
  const settings = await alertSettings(sql, ctx);
  const thresholds = thresholdsOf(settings, ctx.tenant.currency);
  const { facts, rows } = await loadFacts(ctx, sql, asOf, settings, customerIds);
  const fired = evaluateRules(thresholds, facts);
  const open = await sql.query<OpenAlertRow>(
    `SELECT id, rule, subject_type AS "subjectType", customer_id AS "customerId", severity, owner, figures FROM alerts
      WHERE tenant_id = $1 AND status IN ('open', 'acknowledged') ${customerIds ? 'AND customer_id = ANY($2::uuid[])' : ''}`,
    customerIds ? [ctx.tenant.id, customerIds] : [ctx.tenant.id]);
  // Rules evaluated here: every rule that is on (a rule turned off leaves its alerts for people to resolve), and
  // concentration only when the whole company is evaluated.
  const evaluated = RULES.filter((r) => thresholds[r].enabled && !(customerIds && r === 'concentration'));
  const { opened, refreshed, cleared } = reconcile(fired, open, evaluated);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const manager = await creditManagerHandle(sql, ctx, settings);
  const ownerOf = (f: FiredAlert): string | null => {
    const c = byId.get(f.customerId);
    const role: OwnerRole = f.owner;
    const handle = role === 'collector' ? c?.collector : role === 'salesperson' ? c?.salesperson : manager;
    return handle ?? manager;
  };
  // Written set-based, WRITE_CHUNK rows a statement: an evaluation of a batch of customers opens and refreshes
  // hundreds of alerts at once.
  const events: AlertEventRow[] = [];
  const openedRows = opened.map((f) => ({ id: uuidv7(), f, figures: toJsonFigures(f.figures) }));
  for (const part of chunks(openedRows)) {
    await sql.query(
      `INSERT INTO alerts (tenant_id, id, rule, subject_type, customer_id, severity, owner, figures, first_seen_on, last_seen_on)
       SELECT $1, u.id, u.rule, u.subject_type, u.customer_id, u.severity, u.owner, u.figures::jsonb, $2, $2
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[]) AS u(id, rule, subject_type, customer_id, severity, owner, figures)`,
      [ctx.tenant.id, asOf, part.map((r) => r.id), part.map((r) => r.f.rule), part.map((r) => r.f.subjectType), part.map((r) => r.f.customerId),
        part.map((r) => r.f.severity), part.map((r) => ownerOf(r.f)), part.map((r) => r.figures)]);
  }
  for (const r of openedRows) events.push({ alertId: r.id, kind: 'opened', note: null, figures: r.figures });
  const refreshedRows = refreshed.map(({ alert, fired: f }) => ({ alert, f, figures: toJsonFigures(f.figures) }));
  for (const part of chunks(refreshedRows)) {
    await sql.query(
      `UPDATE alerts a SET severity = u.severity, figures = u.figures::jsonb, last_seen_on = greatest(a.last_seen_on, $2::date), updated_at = now()
         FROM unnest($3::uuid[], $4::text[], $5::text[]) AS u(id, severity, figures)
        WHERE a.tenant_id = $1 AND a.id = u.id`,
      [ctx.tenant.id, asOf, part.map((r) => r.alert.id), part.map((r) => r.f.severity), part.map((r) => r.figures)]);
  }
  for (const r of refreshedRows) {
    if (!sameFigures(JSON.parse(r.figures) as Record<string, unknown>, r.alert.figures) || r.f.severity !== r.alert.severity) {
      events.push({ alertId: r.alert.id, kind: 'refreshed', note: null, figures: r.figures });
    }
  }
  const clearedNote = `condition cleared as of ${asOf}`;
  for (const part of chunks(cleared)) {
    await sql.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $3, resolution_note = $4, updated_at = now() WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [ctx.tenant.id, part.map((a) => a.id), ctx.actor, clearedNote]);
  }
  for (const a of cleared) events.push({ alertId: a.id, kind: 'auto_resolved', note: clearedNote, figures: null });
  await insertEvents(sql, ctx, events);
  // The grades seen now are what the next evaluation compares with.
  const seen = facts.customers.filter((c) => c.grade !== null && c.grade !== c.lastSeenGrade);
  for (const part of chunks(seen)) {
    await sql.query(
      `INSERT INTO alert_grades_seen (tenant_id, customer_id, grade, seen_on)
       SELECT $1, u.customer_id, u.grade, $2 FROM unnest($3::uuid[], $4::text[]) AS u(customer_id, grade)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET grade = excluded.grade, seen_on = excluded.seen_on`,
      [ctx.tenant.id, asOf, part.map((c) => c.customerId), part.map((c) => c.grade)]);
  }
  if (opened.length || cleared.length) {
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'alerts.evaluate', entityType: 'alerts', entityId: ctx.tenant.code,
      after: { asOf, customers: customerIds, opened: opened.length, refreshed: refreshed.length, resolved: cleared.length },
    });
  }
  return { asOf, customers: facts.customers.length, opened: opened.length, refreshed: refreshed.length, resolved: cleared.length };
}

async function event(sql: Sql, ctx: Context, alertId: string, kind: string, note: string | null, figures: string | null): Promise<void> {
  await insertEvents(sql, ctx, [{ alertId, kind, note, figures }]);
}

interface AlertEventRow { alertId: string; kind: string; note: string | null; figures: string | null }

/** Rows a statement when an evaluation writes alerts and events. */
const WRITE_CHUNK = 1000;
function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) yield rows.slice(i, i + WRITE_CHUNK);
}

/** Appends events to alerts' histories, in the order given (their ids are time-ordered). */
async function insertEvents(sql: Sql, ctx: Context, events: readonly AlertEventRow[]): Promise<void> {
  for (const part of chunks(events)) {
    await sql.query(
      `INSERT INTO alert_events (tenant_id, id, alert_id, event, actor, note, figures)
       SELECT $1, u.id, u.alert_id, u.event, $2, u.note, u.figures::jsonb
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[]) AS u(id, alert_id, event, note, figures)`,
      [ctx.tenant.id, ctx.actor, part.map(() => uuidv7()), part.map((e) => e.alertId), part.map((e) => e.kind), part.map((e) => e.note), part.map((e) => e.figures)]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The inbox.

export const MAX_PAGE = 200;
export const STATUS_FILTERS = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;

export const listSchema = z.object({
  /** `active` (default): open and acknowledged. */
  status: z.enum(STATUS_FILTERS).default('active'),
  severity: z.enum(SEVERITIES).optional(),
  rule: z.enum(RULES).optional(),
  customer: z.string().trim().min(1).max(100).optional(),
  /** A user's handle, or `me`. */
  owner: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,7}$/, 'pass the previous page\'s nextCursor').optional(),
});
export type ListQuery = z.input<typeof listSchema>;

export interface PresentedAlert {
  id: string;
  rule: RuleKey;
  subjectType: 'customer' | 'group';
  customer: string;
  customerName: string;
  severity: (typeof SEVERITIES)[number];
  status: 'open' | 'acknowledged' | 'resolved';
  owner: string | null;
  /** Amounts as decimal text in `currency`; other figures as computed. */
  figures: Record<string, string | number | null>;
  currency: string;
  message: string;
  firstSeenOn: LocalDate;
  lastSeenOn: LocalDate;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

interface AlertRow {
  id: string; rule: RuleKey; subjectType: 'customer' | 'group'; customerId: string; code: string; name: string;
  severity: PresentedAlert['severity']; status: PresentedAlert['status']; owner: string | null; figures: Record<string, string | number | null>;
  firstSeenOn: LocalDate; lastSeenOn: LocalDate; acknowledgedAt: unknown; acknowledgedBy: string | null; resolvedAt: unknown; resolvedBy: string | null;
  resolutionNote: string | null; total?: unknown;
}

const ALERT_SELECT = `
  SELECT a.id, a.rule, a.subject_type AS "subjectType", a.customer_id AS "customerId", c.code, c.name, a.severity, a.status, a.owner, a.figures,
         a.first_seen_on::text AS "firstSeenOn", a.last_seen_on::text AS "lastSeenOn", a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedBy",
         a.resolved_at AS "resolvedAt", a.resolved_by AS "resolvedBy", a.resolution_note AS "resolutionNote"
    FROM alerts a JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id`;

/** Figures for people: `xMinor` money becomes `x` as decimal text in the functional currency. */
function presentFigures(f: Record<string, unknown>, currency: string): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k.endsWith('Minor') && v !== null && v !== undefined) out[k.slice(0, -5)] = formatAmount(BigInt(String(v)), currency);
    else out[k] = (v ?? null) as string | number | null;
  }
  return out;
}

/** A one-line English message (CLI, email); the web app words it from the rule and figures in zh-CN or en. */
export function alertMessage(rule: RuleKey, f: Record<string, string | number | null>, currency: string): string {
  switch (rule) {
    case 'limit_utilisation': return `limit utilisation ${f.utilisationPercent ?? '∞'}% (exposure ${f.exposure} of limit ${f.creditLimit} ${currency}) ≥ ${f.thresholdPercent}%`;
    case 'overdue_days': return `${f.overdueBeyondDays} ${currency} overdue more than ${f.days} days`;
    case 'overdue_amount': return `overdue ${f.overdue} ${currency} above ${f.threshold} ${currency}`;
    case 'payment_trend': return `days beyond terms ${f.recentDays} (last 3 months) against ${f.priorDays} (9 before): worse by ${f.worsenedDays} ≥ ${f.thresholdDays}`;
    case 'grade_downgrade': return `credit grade down from ${f.fromGrade} to ${f.toGrade}`;
    case 'review_expired': return `credit review was due ${f.reviewDue} (${f.daysExpired} days ago)`;
    case 'concentration': return `${f.sharePercent}% of all receivables (${f.outstanding} of ${f.totalOutstanding} ${currency}) > ${f.thresholdPercent}%`;
    case 'z_score_distress': return `Altman Z (${f.model}) ${f.zScore} below the distress cut-off ${f.cutoff}`;
    case 'insured_overdue': return `insured invoice ${f.document} overdue: notify the insurer by ${f.notifyBy} (${f.daysLeft} days left)`;
    case 'payment_plan_missed': return `payment plan ${f.plan}: installment ${f.installment} due ${f.dueDate} unpaid ${f.daysOverdue} days (${f.unpaid} ${f.currency}) > ${f.thresholdDays}`;
    case 'dispute_overdue': return `${f.count} dispute(s) open past the date to settle them: the oldest (${f.ownerTeam}, ${f.disputed} ${f.currency}) was due ${f.dueDate}, ${f.daysPast} days ago`;
    case 'promise_broken': return `promise to pay ${f.promised} ${f.currency} by ${f.deadline} broken (${f.paid} paid)${Number(f.count) > 1 ? `; ${f.count} broken in ${f.windowDays} days` : ''}`;
  }
}

const instantText = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

function present(r: AlertRow, currency: string): PresentedAlert {
  const figures = presentFigures(r.figures, currency);
  return {
    id: r.id, rule: r.rule, subjectType: r.subjectType, customer: r.code, customerName: r.name, severity: r.severity, status: r.status, owner: r.owner,
    figures, currency, message: alertMessage(r.rule, figures, currency), firstSeenOn: r.firstSeenOn, lastSeenOn: r.lastSeenOn,
    acknowledgedAt: instantText(r.acknowledgedAt), acknowledgedBy: r.acknowledgedBy, resolvedAt: instantText(r.resolvedAt), resolvedBy: r.resolvedBy,
    resolutionNote: r.resolutionNote,
  };
}

/** Alerts in the caller's scope, critical first then latest seen; paged. */
export async function listAlerts(ctx: Context, sql: Sql, raw: ListQuery = {}): Promise<{ total: number; rows: PresentedAlert[]; nextCursor: string | null }> {
  const q = parseInput(listSchema, raw, 'alerts');
  const { where, params, add, inScope } = listFilter('a', ctx.tenant.id);
  if (q.status === 'active') where.push(`a.status IN ('open', 'acknowledged')`);
  else if (q.status !== 'all') add((n) => `a.status = $${n}`, q.status);
  if (q.severity) add((n) => `a.severity = $${n}`, q.severity);
  if (q.rule) add((n) => `a.rule = $${n}`, q.rule);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  if (q.owner) add((n) => `a.owner = $${n}`, q.owner === 'me' ? (ctx.principal?.handle ?? '\t(no handle)') : q.owner);
  inScope(ctx);
  const offset = q.cursor ? Number(q.cursor) : 0;
  params.push(q.limit, offset);
  const rows = await sql.query<AlertRow>(
    `${ALERT_SELECT.replace('a.resolution_note AS "resolutionNote"', 'a.resolution_note AS "resolutionNote", count(*) OVER () AS total')}
      WHERE ${where.join(' AND ')}
      ORDER BY CASE a.status WHEN 'resolved' THEN 1 ELSE 0 END, CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
               a.last_seen_on DESC, c.code, a.rule
      LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: rows.map((r) => present(r, ctx.tenant.currency)), nextCursor: offset + rows.length < total ? String(offset + rows.length) : null };
}

/** The nav badge: open (unacknowledged) alerts in the caller's scope, and of those the caller owns. */
export async function alertCounts(ctx: Context, sql: Sql): Promise<{ open: number; mine: number }> {
  const scope = customerScope(ctx);
  const params: unknown[] = [ctx.tenant.id, ctx.principal?.handle ?? '\t(no handle)'];
  if (scope) params.push(scope.handle);
  const [row] = await sql.query<{ open: unknown; mine: unknown }>(
    `SELECT count(*) AS open, count(*) FILTER (WHERE a.owner = $2) AS mine FROM alerts a JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
      WHERE a.tenant_id = $1 AND a.status = 'open' ${scope ? `AND c.${scope.field} = $3` : ''}`, params);
  return { open: Number(row?.open ?? 0), mine: Number(row?.mine ?? 0) };
}

async function alertInScope(ctx: Context, sql: Sql, id: string, lock = false): Promise<AlertRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('ALERT_NOT_FOUND', `no alert has id ${id}`);
  const scope = customerScope(ctx);
  const [row] = await sql.query<AlertRow>(
    `${ALERT_SELECT} WHERE a.tenant_id = $1 AND a.id = $2 ${scope ? `AND c.${scope.field} = $3` : ''}${lock ? ' FOR UPDATE OF a' : ''}`,
    scope ? [ctx.tenant.id, id, scope.handle] : [ctx.tenant.id, id]);
  if (!row) throw notFound('ALERT_NOT_FOUND', `no alert has id ${id}`);
  return row;
}

/** One alert with its history. */
export async function getAlert(ctx: Context, sql: Sql, id: string): Promise<PresentedAlert & { events: { event: string; actor: string; note: string | null; at: string }[] }> {
  const row = await alertInScope(ctx, sql, id);
  const events = await sql.query<{ event: string; actor: string; note: string | null; at: unknown }>(
    `SELECT event, actor, note, at FROM alert_events WHERE tenant_id = $1 AND alert_id = $2 ORDER BY at, id`, [ctx.tenant.id, id]);
  return { ...present(row, ctx.tenant.currency), events: events.map((e) => ({ ...e, at: instantText(e.at)! })) };
}

export const noteSchema = z.object({ note: z.string().trim().max(1000).optional() });
export const resolveSchema = z.object({ note: z.string().trim().min(3, 'say how it was resolved, in a few words').max(1000) });
export const assignSchema = z.object({ owner: z.string().trim().min(1).max(100) });

type Action = 'acknowledge' | 'resolve' | 'assign';

/** Acknowledge, resolve (with a note) or assign an alert; audited and recorded in its history. */
export async function actOnAlert(ctx: Context, id: string, action: Action, raw: unknown, idempotencyKey?: string): Promise<PresentedAlert> {
  const input = action === 'resolve' ? parseInput(resolveSchema, raw, 'resolve') : action === 'assign' ? parseInput(assignSchema, raw, 'assign') : parseInput(noteSchema, raw ?? {}, 'acknowledge');
  return withIdempotency(ctx, idempotencyKey, `alerts.${action}`, { id, ...input }, async (sql) => {
    const alert = await alertInScope(ctx, sql, id, true);
    const role = ctx.principal?.role;
    // Collectors may acknowledge their own alerts; everything else needs alerts.manage.
    const manager = !role || can(role, 'alerts.manage');
    if (!manager && !(action === 'acknowledge' && alert.owner !== null && alert.owner === ctx.principal?.handle)) {
      throw notAllowed('FORBIDDEN', action === 'acknowledge' ? 'you may acknowledge only alerts you own; ask a credit manager' : `to ${action} an alert needs the permission alerts.manage`);
    }
    if (alert.status === 'resolved') throw conflict('ALERT_RESOLVED', `alert ${id} is resolved already (${alert.resolutionNote ?? ''}); if the condition holds, the next evaluation opens a new one`);
    const note = 'note' in input ? (input.note ?? null) : null;
    if (action === 'acknowledge') {
      if (alert.status === 'acknowledged') throw conflict('ALERT_ACKNOWLEDGED', `alert ${id} was acknowledged by ${alert.acknowledgedBy}`);
      await sql.query(`UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id, ctx.actor]);
    } else if (action === 'resolve') {
      await sql.query(`UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $3, resolution_note = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id, ctx.actor, note]);
    } else {
      const handle = (input as { owner: string }).owner;
      const [user] = await sql.query(`SELECT 1 AS found FROM users WHERE tenant_id = $1 AND handle = $2 AND status = 'active'`, [ctx.tenant.id, handle]);
      if (!user) throw invalid('UNKNOWN_OWNER', `owner: no active user has the handle ${handle}`, [{ field: 'owner', message: 'no such user' }]);
      await sql.query(`UPDATE alerts SET owner = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id, handle]);
    }
    const eventNote = action === 'assign' ? `to ${(input as { owner: string }).owner}` : note;
    await event(sql, ctx, id, action === 'acknowledge' ? 'acknowledged' : action === 'resolve' ? 'resolved' : 'assigned', eventNote, null);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: `alerts.${action}`, entityType: 'alert', entityId: id, reason: note,
      before: { status: alert.status, owner: alert.owner }, after: action === 'assign' ? { owner: (input as { owner: string }).owner } : { status: action === 'resolve' ? 'resolved' : 'acknowledged' },
    });
    return present(await alertInScope(ctx, sql, id), ctx.tenant.currency);
  });
}

export { ROUNDING_RULE };
