/**
 * Bad-debt provision (坏账准备): settings, the preview at an as-of date by the aging method or expected credit loss,
 * period-end runs (records: append-only, superseded by a new run with a reason), and recoveries of written-off
 * amounts. Load (aging at the as-of date and at past month-ends, write-offs and recoveries since the last run) →
 * compute (src/domain/provision.ts) → present.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { parseBuckets, type AgingBucket } from '../../domain/aging.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { formatDecimal, parseDecimal } from '../../domain/decimal.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import {
  agingMethodRate, allowanceOf, eclMatrix, eclMethodRate, monthEndsBefore, movementOf, parseRateSet, percentText, PROVISION_METHODS,
  ratioOfPercent, ROUNDING_RULE, MAX_ECL_MONTHS, type CustomerBalance, type EclMatrix, type ProvisionMethod, type RateSet, type Ratio,
} from '../../domain/provision.ts';
import { agingReportAll } from '../aging/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument, resolveDocument } from '../ledger/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { PROVISION_METHODS, type ProvisionMethod };

// ---------------------------------------------------------------------------------------------------------------
// Settings.

const percentText_ = z.string().trim().max(20);
const rateSetSchema = z.record(z.string().max(20), percentText_);
const accountSchema = z.object({ code: z.string().trim().min(1).max(40), name: z.string().trim().min(1).max(100) });

export const settingsSchema = z.object({
  /** Upper ends of the aging method's buckets, "30,60,90,180,365". */
  buckets: z.string().trim().max(100),
  /** The default aging-method rates: a percentage per bucket key. */
  rates: rateSetSchema,
  /** Rate sets of customer segments, each replacing the default set for the segment's customers. */
  segments: z.record(z.string().trim().min(1).max(100), rateSetSchema).refine((s) => Object.keys(s).length <= 50, 'at most 50 segments').default({}),
  ecl: z.object({
    /** Month-end transitions the matrix looks back over. */
    months: z.number().int().min(1).max(MAX_ECL_MONTHS),
    /** Forward-looking adjustment factor, e.g. "1.05". */
    factor: z.string().trim().max(20),
    /** The matrix's buckets: about one month wide, so a month-end moves an unpaid item one bucket on. */
    buckets: z.string().trim().max(100),
  }),
  accounts: z.object({ impairmentLoss: accountSchema, allowance: accountSchema }),
});
export type ProvisionSettings = z.output<typeof settingsSchema>;

export const DEFAULT_SETTINGS: ProvisionSettings = {
  buckets: '30,60,90,180,365',
  rates: { current: '1', '1-30': '3', '31-60': '10', '61-90': '20', '91-180': '50', '181-365': '80', 'over-365': '100' },
  segments: {},
  ecl: { months: 12, factor: '1', buckets: '30,60,90,120,150,180' },
  accounts: { impairmentLoss: { code: '6702', name: '信用减值损失' }, allowance: { code: '1231', name: '坏账准备' } },
};

/** Settings checked beyond their form: rates 0–100% matching the buckets, a factor from 0 to 10. */
interface CheckedSettings {
  settings: ProvisionSettings;
  buckets: AgingBucket[];
  rates: RateSet;
  segments: Record<string, RateSet>;
  eclBuckets: AgingBucket[];
}

function checkSettings(raw: unknown): CheckedSettings {
  const settings = parseInput(settingsSchema, raw, 'settings');
  const buckets = parseBuckets(settings.buckets, 'buckets');
  const rates = parseRateSet(settings.rates, buckets, 'rates');
  const segments = Object.fromEntries(Object.entries(settings.segments).map(([s, set]) => [s, parseRateSet(set, buckets, `segments.${s}`)]));
  const eclBuckets = parseBuckets(settings.ecl.buckets, 'ecl.buckets');
  const factor = parseDecimal(settings.ecl.factor, 'ecl.factor');
  if (factor.units > 10n * 10n ** BigInt(factor.scale)) throw invalid('INVALID_ECL_FACTOR', 'ecl.factor: give a factor from 0 to 10, e.g. "1.05"', [{ field: 'ecl.factor', message: 'above 10' }]);
  return { settings, buckets, rates, segments, eclBuckets };
}

export async function provisionSettings(sql: Sql, ctx: Context): Promise<ProvisionSettings> {
  const [row] = await sql.query<{ settings: ProvisionSettings }>(`SELECT settings FROM provision_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  return row?.settings ?? DEFAULT_SETTINGS;
}

/** Replaces the company's provision settings (validated), audited with before and after. */
export async function setProvisionSettings(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<ProvisionSettings> {
  const { settings } = checkSettings(raw);
  return withIdempotency(ctx, idempotencyKey, 'provision.settings', settings, async (sql) => {
    const before = await provisionSettings(sql, ctx);
    await sql.query(
      `INSERT INTO provision_settings (tenant_id, settings, updated_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, JSON.stringify(settings), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'provision.settings', entityType: 'provision_settings', entityId: ctx.tenant.code, before, after: settings });
    return settings;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The provision at an as-of date.

export const previewSchema = z.object({
  asOf: localDateText.optional(),
  method: z.enum(PROVISION_METHODS).default('aging'),
});
export type PreviewQuery = z.input<typeof previewSchema>;

const fraction = (r: Ratio) => `${r.num}/${r.den}`;

export interface ProvisionReport {
  asOf: LocalDate;
  method: ProvisionMethod;
  currency: string;
  rounding: string;
  buckets: AgingBucket[];
  /** Per bucket: the balance, the rate applied (for the aging method, the default set's) and the allowance. */
  byBucket: { bucket: string; balance: string; rate: string | null; allowance: string }[];
  customers: {
    customer: string; name: string; segment: string | null; balance: string; allowance: string;
    buckets: Record<string, { balance: string; rate: string; allowance: string }>;
  }[];
  totals: { balance: string; allowance: string };
  /** Aging method: the rate sets used (percentages). */
  rates?: { default: Record<string, string>; segments: Record<string, Record<string, string>> };
  /** ECL: how each rate was derived. */
  matrix?: PresentedMatrix;
  movement: PresentedMovement;
}

export interface PresentedMatrix {
  months: number;
  factor: string;
  terminal: string;
  rollRates: {
    from: string; to: string; sumFrom: string; sumTo: string; rate: string; fraction: string; noHistory: boolean; capped: boolean;
    steps: { monthEnd: LocalDate; nextMonthEnd: LocalDate; from: string; to: string; rate: string | null }[];
  }[];
  lossRates: { bucket: string; chain: string[]; historical: string; rate: string; fraction: string }[];
}

export interface PresentedMovement {
  previousRun: { id: string; periodEnd: LocalDate; method: ProvisionMethod } | null;
  /** Write-offs and recoveries are counted after `from` (the previous run's period end) up to the as-of date. */
  from: LocalDate | null;
  opening: string; charge: string; utilised: string; recovered: string; closing: string;
  customers: { customer: string; name: string; opening: string; charge: string; utilised: string; recovered: string; closing: string }[];
}

/** Customers' balances by bucket at `asOf`, from the aging report (functional currency, by due date). */
async function balancesAt(ctx: Context, sql: Sql, asOf: LocalDate, buckets: AgingBucket[], limits: string): Promise<CustomerBalance[]> {
  const aging = await agingReportAll(ctx, sql, { asOf, basis: 'due', buckets: limits, by: 'customer' });
  const codes = aging.rows.map((r) => r.key);
  const segments = new Map((await sql.query<{ code: string; segment: string | null }>(
    `SELECT code, segment FROM customers WHERE tenant_id = $1 AND code = ANY($2::text[])`, [ctx.tenant.id, codes])).map((r) => [r.code, r.segment]));
  const currency = aging.currency;
  return aging.rows.map((r) => ({
    customer: r.key, name: r.name, segment: segments.get(r.key) ?? null,
    buckets: Object.fromEntries(buckets.map((b) => [b.key, parseAmount(b.key === 'current' ? r.current : r.buckets[b.key]!, currency)])),
  }));
}

/** The provision at an as-of date by a method, with the movement since the last run before it. */
export async function previewProvision(ctx: Context, sql: Sql, raw: PreviewQuery): Promise<ProvisionReport> {
  const query = parseInput(previewSchema, raw, 'provision');
  const asOf = query.asOf ? parseDate(query.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const checked = checkSettings(await provisionSettings(sql, ctx));
  const currency = ctx.tenant.currency;
  const money = (v: bigint) => formatAmount(v, currency);
  let buckets: AgingBucket[];
  let balances: CustomerBalance[];
  let rateOf;
  let matrix: EclMatrix | undefined;
  let monthEnds: LocalDate[] = [];
  if (query.method === 'aging') {
    buckets = checked.buckets;
    balances = await balancesAt(ctx, sql, asOf, buckets, checked.settings.buckets);
    rateOf = agingMethodRate(checked.rates, checked.segments);
  } else {
    buckets = checked.eclBuckets;
    balances = await balancesAt(ctx, sql, asOf, buckets, checked.settings.ecl.buckets);
    monthEnds = monthEndsBefore(asOf, checked.settings.ecl.months);
    const history = [];
    for (const monthEnd of monthEnds) {
      const aging = await agingReportAll(ctx, sql, { asOf: monthEnd, basis: 'due', buckets: checked.settings.ecl.buckets, by: 'customer' });
      history.push({
        monthEnd,
        buckets: Object.fromEntries(buckets.map((b) => [b.key, parseAmount(b.key === 'current' ? aging.totals.current : aging.totals.buckets[b.key]!, currency)])),
      });
    }
    matrix = eclMatrix(history, buckets, parseDecimal(checked.settings.ecl.factor, 'ecl.factor'));
    rateOf = eclMethodRate(matrix);
  }
  const allowance = allowanceOf(balances, buckets, rateOf);
  const movement = await movementAt(ctx, sql, asOf, balances, allowance.byCustomer, allowance.totalMinor);

  const lineOf = new Map(allowance.lines.map((l) => [`${l.customer}\u0000${l.bucket}`, l]));
  const defaultRate = (bucket: string) => (query.method === 'aging' ? percentText(ratioOfPercent(checked.rates[bucket]!)) : percentText(matrix!.lossRates.find((l) => l.bucket === bucket)!.rate));
  return {
    asOf, method: query.method, currency, rounding: ROUNDING_RULE, buckets,
    byBucket: buckets.map((b) => {
      const s = allowance.byBucket.get(b.key)!;
      return { bucket: b.key, balance: money(s.balanceMinor), rate: defaultRate(b.key), allowance: money(s.allowanceMinor) };
    }),
    customers: balances.filter((c) => buckets.some((b) => c.buckets[b.key] !== 0n)).map((c) => ({
      customer: c.customer, name: c.name, segment: c.segment,
      balance: money(buckets.reduce((s, b) => s + (c.buckets[b.key] ?? 0n), 0n)),
      allowance: money(allowance.byCustomer.get(c.customer) ?? 0n),
      buckets: Object.fromEntries(buckets.map((b) => {
        const line = lineOf.get(`${c.customer}\u0000${b.key}`);
        return [b.key, { balance: money(line?.balanceMinor ?? 0n), rate: percentText(line?.rate ?? rateOf(c, b.key)), allowance: money(line?.allowanceMinor ?? 0n) }];
      })),
    })),
    totals: { balance: money(allowance.totalBalanceMinor), allowance: money(allowance.totalMinor) },
    ...(query.method === 'aging' ? {
      rates: {
        default: Object.fromEntries(Object.entries(checked.rates).map(([k, d]) => [k, formatDecimal(d)])),
        segments: Object.fromEntries(Object.entries(checked.segments).map(([s, set]) => [s, Object.fromEntries(Object.entries(set).map(([k, d]) => [k, formatDecimal(d)]))])),
      },
    } : {}),
    ...(matrix ? { matrix: presentMatrix(matrix, checked.settings.ecl.months, money) } : {}),
    movement,
  };
}

function presentMatrix(m: EclMatrix, months: number, money: (v: bigint) => string): PresentedMatrix {
  return {
    months, factor: formatDecimal(m.factor), terminal: m.terminal,
    rollRates: m.rollRates.map((r) => ({
      from: r.from, to: r.to, sumFrom: money(r.sumFromMinor), sumTo: money(r.sumToMinor), rate: percentText(r.rate), fraction: fraction(r.rate),
      noHistory: r.noHistory, capped: r.capped,
      steps: r.steps.map((s) => ({
        monthEnd: s.monthEnd, nextMonthEnd: s.nextMonthEnd, from: money(s.fromMinor), to: money(s.toMinor),
        rate: s.fromMinor > 0n && s.toMinor >= 0n ? percentText({ num: s.toMinor, den: s.fromMinor }) : null,
      })),
    })),
    lossRates: m.lossRates.map((l) => ({ bucket: l.bucket, chain: l.chain, historical: percentText(l.historical), rate: percentText(l.rate), fraction: fraction(l.rate) })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Movement since the last run.

interface RunRow {
  id: string;
  periodEnd: LocalDate;
  method: ProvisionMethod;
  currency: string;
  allowanceMinor: bigint;
  chargeMinor: bigint;
  supersedesRunId: string | null;
  supersededBy: string | null;
  reason: string | null;
  report: ProvisionReport;
  createdAt: string;
  createdBy: string;
}

const RUN_SELECT = `
  SELECT r.id, r.period_end AS "periodEnd", r.method, r.currency, r.allowance_minor AS "allowanceMinor", r.charge_minor AS "chargeMinor",
         r.supersedes_run_id AS "supersedesRunId", s.id AS "supersededBy", r.reason, r.report, r.created_at AS "createdAt", r.created_by AS "createdBy"
    FROM provision_runs r
    LEFT JOIN provision_runs s ON s.tenant_id = r.tenant_id AND s.supersedes_run_id = r.id`;

/** The live (not superseded) run with the latest period end before `asOf`, or on it when `onOrBefore`. */
async function lastLiveRun(sql: Sql, tenantId: string, asOf: LocalDate, onOrBefore: boolean): Promise<RunRow | null> {
  const [row] = await sql.query<RunRow>(
    `${RUN_SELECT} WHERE r.tenant_id = $1 AND s.id IS NULL AND r.period_end ${onOrBefore ? '<=' : '<'} $2 ORDER BY r.period_end DESC LIMIT 1`, [tenantId, asOf]);
  return row ?? null;
}

async function movementAt(ctx: Context, sql: Sql, asOf: LocalDate, balances: CustomerBalance[], closing: Map<string, bigint>, closingTotal: bigint): Promise<PresentedMovement> {
  const currency = ctx.tenant.currency;
  const money = (v: bigint) => formatAmount(v, currency);
  const previous = await lastLiveRun(sql, ctx.tenant.id, asOf, false);
  const names = new Map(balances.map((b) => [b.customer, b.name]));
  const opening = new Map<string, bigint>();
  const utilised = new Map<string, bigint>();
  const recovered = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  // The first run recognises the allowance: opening zero, and no write-off or recovery before it is counted.
  if (previous) {
    for (const c of previous.report.customers) {
      add(opening, c.customer, parseAmount(c.allowance, currency));
      names.set(c.customer, names.get(c.customer) ?? c.name);
    }
    // Write-offs dated in the window use the allowance; a write-off reversed in the window gives it back.
    const rows = await sql.query<{ code: string; name: string; amount: bigint | string }>(
      `SELECT c.code, min(c.name) AS name,
              sum(CASE WHEN d.kind = 'write_off' THEN d.amount_minor ELSE -d.amount_minor END)::int8 AS amount
         FROM documents d
         JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
         LEFT JOIN documents w ON w.tenant_id = d.tenant_id AND w.id = d.reverses_document_id
        WHERE d.tenant_id = $1 AND d.currency = $4 AND d.document_date > $2 AND d.document_date <= $3
          AND (d.kind = 'write_off' OR (d.kind = 'reversal' AND w.kind = 'write_off'))
        GROUP BY c.code`, [ctx.tenant.id, previous.periodEnd, asOf, currency]);
    for (const r of rows) {
      add(utilised, r.code, BigInt(r.amount));
      names.set(r.code, names.get(r.code) ?? r.name);
    }
    const recoveries = await sql.query<{ code: string; name: string; amount: bigint | string }>(
      `SELECT c.code, min(c.name) AS name, sum(x.amount_minor)::int8 AS amount
         FROM provision_recoveries x JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id
        WHERE x.tenant_id = $1 AND x.currency = $4 AND x.recovery_date > $2 AND x.recovery_date <= $3
        GROUP BY c.code`, [ctx.tenant.id, previous.periodEnd, asOf, currency]);
    for (const r of recoveries) {
      add(recovered, r.code, BigInt(r.amount));
      names.set(r.code, names.get(r.code) ?? r.name);
    }
  }
  const codes = [...new Set([...opening.keys(), ...utilised.keys(), ...recovered.keys(), ...closing.keys()])].sort();
  const customers = codes.map((code) => ({
    code,
    m: movementOf({
      openingMinor: opening.get(code) ?? 0n, utilisedMinor: utilised.get(code) ?? 0n,
      recoveredMinor: recovered.get(code) ?? 0n, closingMinor: closing.get(code) ?? 0n,
    }),
  })).filter(({ m }) => m.openingMinor !== 0n || m.utilisedMinor !== 0n || m.recoveredMinor !== 0n || m.closingMinor !== 0n).map(({ code, m }) => ({
    customer: code, name: names.get(code) ?? code,
    opening: money(m.openingMinor), charge: money(m.chargeMinor), utilised: money(m.utilisedMinor), recovered: money(m.recoveredMinor), closing: money(m.closingMinor),
  }));
  const sum = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
  const total = movementOf({ openingMinor: sum(opening), utilisedMinor: sum(utilised), recoveredMinor: sum(recovered), closingMinor: closingTotal });
  return {
    previousRun: previous ? { id: previous.id, periodEnd: previous.periodEnd, method: previous.method } : null,
    from: previous?.periodEnd ?? null,
    opening: money(total.openingMinor), charge: money(total.chargeMinor), utilised: money(total.utilisedMinor),
    recovered: money(total.recoveredMinor), closing: money(total.closingMinor), customers,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Runs.

export const runSchema = z.object({
  asOf: localDateText,
  method: z.enum(PROVISION_METHODS).default('aging'),
  /** The live run of the same period this run replaces; needs a reason. */
  supersedes: z.string().uuid().optional(),
  reason: z.string().trim().min(3, 'say why, in a few words').max(500).optional(),
});
export type RunInput = z.input<typeof runSchema>;

export interface PresentedRun {
  id: string;
  periodEnd: LocalDate;
  method: ProvisionMethod;
  currency: string;
  allowance: string;
  charge: string;
  supersedes: string | null;
  supersededBy: string | null;
  reason: string | null;
  createdAt: string;
  createdBy: string;
}

function presentRun(r: RunRow): PresentedRun {
  return {
    id: r.id, periodEnd: r.periodEnd, method: r.method, currency: r.currency, allowance: formatAmount(BigInt(r.allowanceMinor), r.currency),
    charge: formatAmount(BigInt(r.chargeMinor), r.currency), supersedes: r.supersedesRunId, supersededBy: r.supersededBy, reason: r.reason,
    createdAt: r.createdAt, createdBy: r.createdBy,
  };
}

/** Records the provision of a period end (idempotent by key). Runs go forward; a period's run is replaced only by superseding it. */
export async function runProvision(ctx: Context, raw: RunInput, idempotencyKey?: string): Promise<PresentedRun & { report: ProvisionReport }> {
  const input = parseInput(runSchema, raw, 'run');
  const asOf = parseDate(input.asOf, 'asOf');
  const today = tenantToday(ctx.tenant, ctx.clock);
  if (asOf > today) throw invalid('PROVISION_IN_FUTURE', `asOf: ${asOf} is after today (${today}); a provision is run for a period end that has passed`, [{ field: 'asOf', message: 'in the future' }]);
  if (input.supersedes && !input.reason) throw invalid('VALIDATION_FAILED', 'reason: say why the run is replaced', [{ field: 'reason', message: 'required when superseding' }]);
  return withIdempotency(ctx, idempotencyKey, 'provision.run', input, async (sql) => {
    // One run at a time per company: the movement chains each run to the one before.
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`provision:${ctx.tenant.id}`]);
    const latest = await lastLiveRun(sql, ctx.tenant.id, '9999-12-31', true);
    if (latest && latest.periodEnd > asOf) {
      throw conflict('PROVISION_RUN_LATER', `a run for ${latest.periodEnd} exists; runs go forward, so run ${asOf} is refused (supersede the ${latest.periodEnd} run instead)`, [{ field: 'asOf', message: 'before the latest run' }]);
    }
    if (latest && latest.periodEnd === asOf && latest.id !== input.supersedes) {
      throw conflict('PROVISION_RUN_EXISTS', `a run for ${asOf} exists (${latest.id}); to replace it give "supersedes": "${latest.id}" and a reason`, [{ field: 'supersedes', message: 'the period has a run' }]);
    }
    if (input.supersedes && latest?.id !== input.supersedes) {
      throw conflict('PROVISION_RUN_NOT_LIVE', `supersedes: ${input.supersedes} is not the live run for ${asOf}`, [{ field: 'supersedes', message: 'not the live run of this period' }]);
    }
    const report = await previewProvision(ctx, sql, { asOf, method: input.method });
    const id = uuidv7();
    const currency = ctx.tenant.currency;
    const allowanceMinor = parseAmount(report.totals.allowance, currency);
    const chargeMinor = report.movement.charge.startsWith('-') ? -parseAmount(report.movement.charge.slice(1), currency) : parseAmount(report.movement.charge, currency);
    await sql.query(
      `INSERT INTO provision_runs (tenant_id, id, period_end, method, currency, allowance_minor, charge_minor, supersedes_run_id, reason, report, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)`,
      [ctx.tenant.id, id, asOf, input.method, currency, allowanceMinor, chargeMinor, input.supersedes ?? null, input.reason ?? null, JSON.stringify(report), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: input.supersedes ? 'provision.supersede' : 'provision.run', entityType: 'provision_run', entityId: id, reason: input.reason ?? null,
      before: input.supersedes ? { run: input.supersedes } : null,
      after: { periodEnd: asOf, method: input.method, allowance: report.totals.allowance, charge: report.movement.charge },
    });
    const [row] = await sql.query<RunRow>(`${RUN_SELECT} WHERE r.tenant_id = $1 AND r.id = $2`, [ctx.tenant.id, id]);
    return { ...presentRun(row!), report };
  });
}

export const runListSchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** Runs, latest period first (superseded ones too, marked). */
export async function listRuns(ctx: Context, sql: Sql, raw: z.input<typeof runListSchema>): Promise<{ items: PresentedRun[] }> {
  const query = parseInput(runListSchema, raw, 'runs');
  const rows = await sql.query<RunRow>(`${RUN_SELECT} WHERE r.tenant_id = $1 ORDER BY r.period_end DESC, r.created_at DESC, r.id DESC LIMIT $2`, [ctx.tenant.id, query.limit]);
  return { items: rows.map(presentRun) };
}

export async function getRun(ctx: Context, sql: Sql, id: string): Promise<PresentedRun & { report: ProvisionReport }> {
  if (!z.string().uuid().safeParse(id).success) throw notFound('PROVISION_RUN_NOT_FOUND', `no provision run ${id}`);
  const [row] = await sql.query<RunRow>(`${RUN_SELECT} WHERE r.tenant_id = $1 AND r.id = $2`, [ctx.tenant.id, id]);
  if (!row) throw notFound('PROVISION_RUN_NOT_FOUND', `no provision run ${id}`);
  return { ...presentRun(row), report: row.report };
}

// ---------------------------------------------------------------------------------------------------------------
// Recoveries.

export const recoverySchema = z.object({
  /** The write-off whose amount the customer paid after all, by number. */
  writeOff: z.string().trim().min(1).max(64),
  amount: amountText,
  date: localDateText,
  /** Numbers for the reinstating debit note and the payment (default: assigned). */
  debitNoteNumber: z.string().trim().min(1).max(64).optional(),
  paymentNumber: z.string().trim().min(1).max(64).optional(),
  memo: z.string().trim().max(1000).optional(),
});
export type RecoveryInput = z.input<typeof recoverySchema>;

/**
 * Records cash received on a written-off amount. The ledger stays append-only: a debit note reinstates the amount
 * (Dr 应收账款 / Cr 坏账准备) and a payment is applied to it (Dr 银行存款 / Cr 应收账款); the recovery row links the
 * write-off, the debit note and the payment, and the next provision run shows it in the movement. At most the
 * written-off amount can be recovered.
 */
export async function recordRecovery(ctx: Context, raw: RecoveryInput, idempotencyKey?: string) {
  const input = parseInput(recoverySchema, raw, 'recovery');
  const date = parseDate(input.date, 'date');
  return withIdempotency(ctx, idempotencyKey, 'provision.recovery', input, async (sql) => {
    const writeOff = await resolveDocument(sql, ctx.tenant.id, input.writeOff.includes(':') ? input.writeOff : `write_off:${input.writeOff}`);
    if (writeOff.kind !== 'write_off') throw invalid('NOT_A_WRITE_OFF', `writeOff: ${input.writeOff} is a ${writeOff.kind}, not a write-off`, [{ field: 'writeOff', message: 'not a write-off' }]);
    if (writeOff.reversedById) throw conflict('WRITE_OFF_REVERSED', `writeOff: ${writeOff.number} was reversed; nothing written off remains to recover`, [{ field: 'writeOff', message: 'reversed' }]);
    if (date < writeOff.documentDate) throw invalid('VALIDATION_FAILED', `date: a recovery comes after the write-off (${writeOff.documentDate})`, [{ field: 'date', message: 'before the write-off' }]);
    const amountMinor = parseAmount(input.amount, writeOff.currency, 'amount');
    if (amountMinor <= 0n) throw invalid('VALIDATION_FAILED', 'amount: must be more than zero', [{ field: 'amount', message: 'zero' }]);
    const [done] = await sql.query<{ amount: bigint | string }>(
      `SELECT coalesce(sum(amount_minor), 0)::int8 AS amount FROM provision_recoveries WHERE tenant_id = $1 AND write_off_document_id = $2`, [ctx.tenant.id, writeOff.id]);
    const left = BigInt(writeOff.amountMinor) - BigInt(done!.amount);
    if (amountMinor > left) {
      throw conflict('RECOVERY_TOO_LARGE', `amount: ${formatAmount(amountMinor, writeOff.currency)} is more than is left to recover of ${writeOff.number} (${formatAmount(left, writeOff.currency)})`, [{ field: 'amount', message: 'more than written off' }]);
    }
    const reason = `Recovery of written-off ${writeOff.number}`;
    const debitNote = await postDocument(ctx, {
      kind: 'debit_note', number: input.debitNoteNumber, customer: writeOff.customerCode, documentDate: date, dueDate: date,
      currency: writeOff.currency, amount: input.amount, reason, memo: input.memo,
    }, sql);
    const payment = await postDocument(ctx, {
      kind: 'payment', number: input.paymentNumber, customer: writeOff.customerCode, documentDate: date, currency: writeOff.currency,
      amount: input.amount, appliesTo: [{ document: debitNote.document.number }], reason, memo: input.memo,
    }, sql);
    const id = uuidv7();
    await sql.query(
      `INSERT INTO provision_recoveries (tenant_id, id, customer_id, write_off_document_id, reinstatement_document_id, payment_document_id, recovery_date, currency, amount_minor, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [ctx.tenant.id, id, writeOff.customerId, writeOff.id, debitNote.document.id, payment.document.id, date, writeOff.currency, amountMinor, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'provision.recovery', entityType: 'provision_recovery', entityId: id, reason,
      after: { writeOff: writeOff.number, customer: writeOff.customerCode, date, amount: formatAmount(amountMinor, writeOff.currency), debitNote: debitNote.document.number, payment: payment.document.number },
    });
    return {
      id, writeOff: writeOff.number, customer: writeOff.customerCode, date, currency: writeOff.currency, amount: formatAmount(amountMinor, writeOff.currency),
      debitNote: debitNote.document.number, payment: payment.document.number, leftToRecover: formatAmount(left - amountMinor, writeOff.currency),
    };
  });
}
