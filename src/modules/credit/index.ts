/**
 * Credit file, scorecard, assessments and reviews (issue 5, part A). Load (file versions, statements, payments from
 * the ledger, the current profile) → compute (src/domain/credit.ts) → persist in one transaction, audited.
 * A review's proposed limit becomes a limit request of credit control (src/modules/credit-limits), approved by
 * someone else; holds, checks and alerts read credit_profiles.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import {
  behaviourOf, checkScorecard, DEFAULT_SCORECARD, FACTOR_INPUTS, FINANCIAL_FIELDS, formatUnits, ratiosOf, recommendedLimit, scoreOf, zScore, Z_MODELS,
  type Behaviour, type Financials, type FinancialField, type InputValue, type FactorInput, type Measure, type Scorecard, type ZModel, type ZScore,
} from '../../domain/credit.ts';
import { addMonths, parseDate, type LocalDate } from '../../domain/dates.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { checkCurrency, formatAmount, parseAmount } from '../../domain/money.ts';
import { assertInScope, customerScope } from '../access/scope.ts';
import { requestEvaluation } from '../alerts/request.ts';
import { readRecords } from '../imports/read-file.ts';
import { groupLimitInForce, openLimitRequest } from '../credit-limits/index.ts';
import { brokenPromisesBetween } from '../collections/index.ts';
import { disputesRaisedBetween } from '../disputes/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { getCustomer, type Customer } from '../customers/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { PAID_ALLOCATIONS } from '../kpis/figures.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export const MAX_PERIODS = 40;
export const MAX_LIST = 200;

// ---------------------------------------------------------------------------------------------------------------
// Schemas (shared by API, CLI and web).

/** Signed money in major units ("-1234.50"): retained earnings, EBIT and net income may be negative. */
const signedAmount = z.string({ error: 'write the amount as a decimal string in major units, like "1234.50"' }).trim()
  .regex(/^-?\d{1,17}(\.\d{1,4})?$/, 'write the amount as a decimal string in major units, like "-1234.50"');

export const statementSchema = z.object({
  periodEnd: localDateText,
  currency: z.string().trim().length(3).optional(),
  ...Object.fromEntries(FINANCIAL_FIELDS.map((f) => [f, signedAmount])) as Record<FinancialField, typeof signedAmount>,
});
export const financialsSchema = z.object({ statements: z.array(statementSchema).min(1).max(MAX_PERIODS) });
export type StatementInput = z.input<typeof statementSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);
export const creditFileSchema = z.object({
  /** Which Altman form scores this customer: public manufacturer, private company, non-manufacturer. */
  zModel: z.enum(Z_MODELS).default('private'),
  externalRatings: z.array(z.object({ agency: text(100), grade: text(20), date: localDateText })).max(20).default([]),
  insurance: z.object({
    insurer: text(200), insuredLimit: z.string().trim().regex(/^\d{1,17}(\.\d{1,4})?$/, 'write the amount like "500000.00"'), currency: z.string().trim().length(3),
    validFrom: localDateText, validTo: localDateText, notificationDays: z.number().int().min(0).max(365),
  }).nullable().default(null),
  qualitative: z.object({
    yearsInBusiness: z.number().int().min(0).max(500).nullable().default(null),
    reputation: z.enum(['good', 'average', 'poor']).nullable().default(null),
    industryRisk: z.enum(['low', 'medium', 'high']).nullable().default(null),
    ownership: z.string().trim().max(200).nullable().default(null),
  }).default({ yearsInBusiness: null, reputation: null, industryRisk: null, ownership: null }),
  documents: z.array(z.object({ name: text(200), kind: text(50), date: localDateText, reference: z.string().trim().max(500).default('') })).max(100).default([]),
  /** Parent customers only: the group's limit, shared by its members (recommended limits respect what it leaves). */
  groupLimit: z.string().trim().regex(/^\d{1,17}(\.\d{1,4})?$/, 'write the amount like "1000000.00"').nullable().default(null),
  note: z.string().trim().max(2000).default(''),
});
export type CreditFileInput = z.input<typeof creditFileSchema>;
export type CreditFile = z.output<typeof creditFileSchema>;

const binSchema = z.object({ min: z.string().trim().max(20).optional(), equals: z.string().trim().max(50).optional(), points: z.number().int().min(0).max(100) });
export const scorecardSchema = z.object({
  factors: z.array(z.object({
    key: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'a key of letters, digits, - or _'),
    input: z.enum(FACTOR_INPUTS),
    group: z.enum(['financial', 'behavioural', 'external', 'qualitative']),
    weight: z.number().int().min(0).max(100),
    bins: z.array(binSchema).min(1).max(20),
    missingPoints: z.number().int().min(0).max(100),
  })).min(1).max(30),
  grades: z.array(z.object({
    grade: z.string().trim().min(1).max(8),
    minScore: z.number().int().min(0).max(100),
    limit: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('fixed'), amount: z.string().trim().regex(/^\d{1,17}(\.\d{1,4})?$/, 'write the amount like "50000.00"') }),
      z.object({ kind: z.literal('equityPercent'), percent: z.number().int().min(0).max(1000) }),
      z.object({ kind: z.literal('salesPercent'), percent: z.number().int().min(0).max(1000) }),
    ]),
    termsCode: z.string().trim().min(1).max(40),
    prepayment: z.boolean(),
    guarantee: z.boolean(),
    reviewMonths: z.number().int().min(1).max(60),
  })).min(1).max(10),
});

export const assessSchema = z.object({ asOf: localDateText.optional(), takeEffect: z.boolean().default(false) });
export const reviewQueueSchema = z.object({ asOf: localDateText.optional(), limit: z.coerce.number().int().min(1).max(MAX_LIST).default(50) });
export const reviewSchema = z.object({
  asOf: localDateText.optional(),
  decision: z.enum(['approve', 'change', 'hold']),
  proposedGrade: z.string().trim().min(1).max(8).nullable().default(null),
  proposedLimit: z.string().trim().regex(/^\d{1,17}(\.\d{1,4})?$/, 'write the amount like "100000.00"').nullable().default(null),
  note: z.string().trim().max(2000).default(''),
  statements: z.array(statementSchema).max(MAX_PERIODS).default([]),
});

// ---------------------------------------------------------------------------------------------------------------
// Loading.

async function customerFor(ctx: Context, sql: Sql, code: string): Promise<Customer> {
  const customer = await getCustomer(sql, ctx.tenant.id, code);
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `no customer "${code}"`));
  return customer;
}

async function latestFile(sql: Sql, ctx: Context, customerId: string): Promise<{ version: number; file: CreditFile } | null> {
  const [row] = await sql.query<{ version: number; file: CreditFile }>(
    `SELECT version, file FROM credit_files WHERE tenant_id = $1 AND customer_id = $2 ORDER BY version DESC LIMIT 1`, [ctx.tenant.id, customerId]);
  return row ? { version: Number(row.version), file: parseInput(creditFileSchema, row.file, 'stored credit file') } : null;
}

interface StoredStatement { id: string; periodEnd: LocalDate; currency: string; figures: Record<FinancialField, string>; source: string; createdAt: string; createdBy: string }

/** The latest row of each period (a later row corrects an earlier one), newest period first. */
async function statementsOf(sql: Sql, ctx: Context, customerId: string, asOf?: LocalDate): Promise<StoredStatement[]> {
  return sql.query<StoredStatement>(
    `SELECT DISTINCT ON (period_end) id, period_end AS "periodEnd", currency, figures, source, created_at AS "createdAt", created_by AS "createdBy"
       FROM credit_financials WHERE tenant_id = $1 AND customer_id = $2 ${asOf ? 'AND period_end <= $3' : ''}
      ORDER BY period_end DESC, id DESC LIMIT ${MAX_PERIODS}`,
    asOf ? [ctx.tenant.id, customerId, asOf] : [ctx.tenant.id, customerId]);
}

function financialsOf(s: StoredStatement): Financials {
  const minor = (f: FinancialField) => BigInt(s.figures[f]);
  return {
    periodEnd: s.periodEnd, currency: s.currency,
    currentAssetsMinor: minor('currentAssets'), cashMinor: minor('cash'), inventoryMinor: minor('inventory'), receivablesMinor: minor('receivables'),
    totalAssetsMinor: minor('totalAssets'), currentLiabilitiesMinor: minor('currentLiabilities'), totalLiabilitiesMinor: minor('totalLiabilities'),
    equityMinor: minor('equity'), retainedEarningsMinor: minor('retainedEarnings'), salesMinor: minor('sales'), ebitMinor: minor('ebit'),
    netIncomeMinor: minor('netIncome'), interestExpenseMinor: minor('interestExpense'),
  };
}

const showMeasure = (m: Measure) => (m.value === null ? { value: null, reason: m.reason } : { value: m.value });
const showZ = (z: ZScore) => (z.value === null ? { model: z.model, value: null, reason: z.reason } : { model: z.model, value: z.value, zone: z.zone });

function presentStatement(s: StoredStatement) {
  const f = financialsOf(s);
  const r = ratiosOf(f);
  return {
    id: s.id, periodEnd: s.periodEnd, currency: s.currency, source: s.source, enteredAt: s.createdAt, enteredBy: s.createdBy,
    figures: Object.fromEntries(FINANCIAL_FIELDS.map((k) => [k, formatAmount(BigInt(s.figures[k]), s.currency)])),
    ratios: {
      current: showMeasure(r.current), quick: showMeasure(r.quick), cash: showMeasure(r.cash), debt: showMeasure(r.debt),
      interestCoverage: showMeasure(r.interestCoverage), workingCapital: formatAmount(r.workingCapitalMinor, s.currency),
    },
    zScores: Z_MODELS.map((m) => showZ(zScore(f, m))),
  };
}

/** Payments applied to the customer's sales in the 12 months up to `asOf`, in the customer's currency. */
async function behaviourAt(sql: Sql, ctx: Context, customer: Customer, asOf: LocalDate): Promise<Behaviour> {
  const from = addMonths(asOf, -12);
  const rows = await sql.query<{ paidOn: LocalDate; dueOn: LocalDate; amount: string }>(
    `SELECT a.allocation_date AS "paidOn", dr.due_date AS "dueOn", a.amount_minor::text AS amount
       FROM allocations a
       -- PAID_ALLOCATIONS reads the items' copied facts (kind, currency, due date) from item_balances as cr and dr.
       JOIN item_balances cr ON cr.tenant_id = $1 AND cr.item_id = a.credit_item_id
       JOIN item_balances dr ON dr.tenant_id = $1 AND dr.item_id = a.debit_item_id
      WHERE ${PAID_ALLOCATIONS} AND a.customer_id = $5
      LIMIT 100000`,
    [ctx.tenant.id, asOf, customer.currency, from, customer.id]);
  const [reversed] = await sql.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM documents r JOIN documents p ON p.tenant_id = r.tenant_id AND p.id = r.reverses_document_id
      WHERE r.tenant_id = $1 AND r.customer_id = $2 AND r.kind = 'reversal' AND p.kind IN ('payment', 'advance')
        AND r.document_date > $3 AND r.document_date <= $4`,
    [ctx.tenant.id, customer.id, from, asOf]);
  const collections = {
    brokenPromises: await brokenPromisesBetween(sql, ctx.tenant.id, customer.id, from, asOf),
    disputes: await disputesRaisedBetween(sql, ctx.tenant.id, customer.id, from, asOf),
  };
  return behaviourOf(asOf, rows.map((r) => ({ paidOn: r.paidOn, dueOn: r.dueOn, amountMinor: BigInt(r.amount) })), Number(reversed?.n ?? 0), collections);
}

function presentBehaviour(b: Behaviour, currency: string) {
  return {
    asOf: b.asOf, paid: formatAmount(b.paidMinor, currency), payments: b.payments,
    averageDaysBeyondTerms: showMeasure(b.averageDaysBeyondTerms), recentDaysBeyondTerms: showMeasure(b.recentDaysBeyondTerms),
    earlierDaysBeyondTerms: showMeasure(b.earlierDaysBeyondTerms), trendDays: showMeasure(b.trendDays), lateShare: showMeasure(b.lateShare),
    longestDelayDays: b.longestDelayDays, reversedPayments: b.reversedPayments, brokenPromises: b.brokenPromises, disputes: b.disputes,
  };
}

async function profileOf(sql: Sql, ctx: Context, customerId: string) {
  const [row] = await sql.query<{ grade: string | null; score: number | null; assessedOn: LocalDate | null; reviewDue: LocalDate | null }>(
    `SELECT grade, score, assessed_on AS "assessedOn", review_due AS "reviewDue" FROM credit_profiles WHERE tenant_id = $1 AND customer_id = $2`,
    [ctx.tenant.id, customerId]);
  return row ? { ...row, score: row.score === null ? null : Number(row.score) } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The credit file.

export const EMPTY_FILE: CreditFile = parseInput(creditFileSchema, {}, 'credit file');

/** A customer's credit file at `asOf`: the file's latest version, statements with ratios and Z-scores, behaviour, grade. */
export async function creditFileOf(ctx: Context, sql: Sql, code: string, raw: { asOf?: string } = {}) {
  const asOf = raw.asOf ? parseDate(raw.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const customer = await customerFor(ctx, sql, code);
  const file = await latestFile(sql, ctx, customer.id);
  const statements = await statementsOf(sql, ctx, customer.id);
  const [versions] = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM credit_files WHERE tenant_id = $1 AND customer_id = $2`, [ctx.tenant.id, customer.id]);
  const members = await sql.query<{ code: string; name: string }>(
    `SELECT code, name FROM customers WHERE tenant_id = $1 AND parent_id = $2 ORDER BY code LIMIT ${MAX_LIST}`, [ctx.tenant.id, customer.id]);
  return {
    customer: { code: customer.code, name: customer.name, currency: customer.currency, parent: customer.parentCode, creditLimit: customer.creditLimitMinor === null ? null : formatAmount(customer.creditLimitMinor, customer.currency), terms: customer.termsCode },
    asOf,
    version: file?.version ?? 0,
    versions: Number(versions?.n ?? 0),
    file: file?.file ?? EMPTY_FILE,
    groupMembers: members,
    profile: await profileOf(sql, ctx, customer.id),
    statements: statements.map(presentStatement),
    behaviour: presentBehaviour(await behaviourAt(sql, ctx, customer, asOf), customer.currency),
    assessments: await listAssessments(ctx, sql, code, { limit: 20 }),
  };
}

/** Saves a new version of the credit file (the whole file), audited with before and after. */
export async function saveCreditFile(ctx: Context, code: string, raw: unknown, idempotencyKey?: string) {
  const file = parseInput(creditFileSchema, raw, 'credit file');
  if (file.insurance) {
    checkCurrency(file.insurance.currency, 'insurance.currency');
    parseAmount(file.insurance.insuredLimit, file.insurance.currency, 'insurance.insuredLimit');
    if (file.insurance.validTo < file.insurance.validFrom) throw invalid('VALIDATION_FAILED', 'insurance.validTo: the cover ends before it starts; give validTo on or after validFrom', [{ field: 'insurance.validTo', message: 'before validFrom' }]);
  }
  return withIdempotency(ctx, idempotencyKey, 'credit.file', { code, file }, async (sql) => {
    const customer = await customerFor(ctx, sql, code);
    if (file.groupLimit !== null) parseAmount(file.groupLimit, customer.currency, 'groupLimit');
    const before = await latestFile(sql, ctx, customer.id);
    const version = (before?.version ?? 0) + 1;
    await sql.query(`INSERT INTO credit_files (tenant_id, customer_id, version, file, created_by) VALUES ($1, $2, $3, $4::jsonb, $5)`,
      [ctx.tenant.id, customer.id, version, JSON.stringify(file), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.file', entityType: 'customer', entityId: customer.code, before: before?.file ?? null, after: file });
    return { customer: customer.code, version, file };
  });
}

/** Every version of the file, newest first (the history of changes). */
export async function creditFileHistory(ctx: Context, sql: Sql, code: string) {
  const customer = await customerFor(ctx, sql, code);
  return sql.query<{ version: number; file: unknown; createdAt: string; createdBy: string }>(
    `SELECT version, file, created_at AS "createdAt", created_by AS "createdBy" FROM credit_files WHERE tenant_id = $1 AND customer_id = $2 ORDER BY version DESC LIMIT ${MAX_LIST}`,
    [ctx.tenant.id, customer.id]);
}

// ---------------------------------------------------------------------------------------------------------------
// Financial statements.

/** Statements checked to minor units; every problem names the statement and field. */
function checkStatements(statements: z.output<typeof statementSchema>[], fallbackCurrency: string, where: (i: number) => string) {
  return statements.map((s, i) => {
    const currency = checkCurrency(s.currency ?? fallbackCurrency, `${where(i)}.currency`);
    const periodEnd = parseDate(s.periodEnd, `${where(i)}.periodEnd`);
    const figures = Object.fromEntries(FINANCIAL_FIELDS.map((f) => [f, parseAmount(s[f], currency, `${where(i)}.${f}`, { allowNegative: true }).toString()])) as Record<FinancialField, string>;
    for (const f of ['currentAssets', 'cash', 'inventory', 'receivables', 'totalAssets', 'currentLiabilities', 'totalLiabilities', 'sales', 'interestExpense'] as const) {
      if (BigInt(figures[f]) < 0n) throw invalid('INVALID_FINANCIALS', `${where(i)}.${f}: must not be negative (only equity, retained earnings, EBIT and net income may be)`, [{ field: `${where(i)}.${f}`, message: 'negative' }]);
    }
    if (BigInt(figures.currentAssets) > BigInt(figures.totalAssets)) throw invalid('INVALID_FINANCIALS', `${where(i)}.currentAssets: larger than totalAssets; check the figures`, [{ field: `${where(i)}.currentAssets`, message: 'above totalAssets' }]);
    return { periodEnd, currency, figures };
  });
}

async function insertStatements(sql: Sql, ctx: Context, customer: Customer, rows: ReturnType<typeof checkStatements>, source: string) {
  for (const r of rows) {
    await sql.query(`INSERT INTO credit_financials (tenant_id, id, customer_id, period_end, currency, figures, source, created_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [ctx.tenant.id, uuidv7(), customer.id, r.periodEnd, r.currency, JSON.stringify(r.figures), source, ctx.actor]);
  }
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.financials', entityType: 'customer', entityId: customer.code, before: null, after: { source, statements: rows } });
}

/** Records statements for one customer (a period already on file is corrected by the new row), all or nothing. */
export async function addFinancials(ctx: Context, code: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(financialsSchema, raw, 'financials');
  return withIdempotency(ctx, idempotencyKey, 'credit.financials', { code, input }, async (sql) => {
    const customer = await customerFor(ctx, sql, code);
    const rows = checkStatements(input.statements, customer.currency, (i) => `statements.${i}`);
    await insertStatements(sql, ctx, customer, rows, 'entered');
    return { customer: customer.code, recorded: rows.length, statements: (await statementsOf(sql, ctx, customer.id)).map(presentStatement) };
  });
}

export const IMPORT_COLUMNS = ['customer', 'periodEnd', 'currency', ...FINANCIAL_FIELDS] as const;

/**
 * Imports statements from CSV or XLSX rows (header + records, as src/modules/imports/read-file.ts reads them):
 * columns customer, periodEnd, currency (optional) and the 13 figures. All or nothing: the first problems are
 * reported by line and column and nothing is written.
 */
/** The most a statements file sent to the API may hold (base64 grows it by a third). */
export const MAX_FINANCIALS_FILE_BYTES = 5 * 1024 ** 2;
export const financialsFileSchema = z.object({
  /** The file's name (its extension says CSV or XLSX; the content decides when it is missing). */
  fileName: z.string().trim().min(1).max(200),
  /** The file's bytes, base64-encoded. */
  content: z.string().min(1, 'choose a file').max(Math.ceil(MAX_FINANCIALS_FILE_BYTES / 3) * 4 + 4, 'the file is larger than 5 MB'),
});

/**
 * Imports a statements file (CSV or XLSX, the columns of IMPORT_COLUMNS) sent to the API as base64: all or nothing,
 * each problem named by its line, like `arflow credit financials import`.
 */
export async function importFinancialsFile(ctx: Context, raw: unknown) {
  const input = parseInput(financialsFileSchema, raw, 'statements file');
  if (!/^[A-Za-z0-9+/=\s]+$/.test(input.content)) throw invalid('VALIDATION_FAILED', 'content: is not base64; send the file\'s bytes base64-encoded', [{ field: 'content', message: 'not base64' }]);
  const dir = await mkdtemp(join(tmpdir(), 'arflow-financials-'));
  const file = join(dir, /\.xlsx$/i.test(input.fileName) ? 'statements.xlsx' : 'statements.csv');
  try {
    await writeFile(file, Buffer.from(input.content, 'base64'));
    const records = [];
    for await (const r of readRecords(file, { limits: { maxFileBytes: MAX_FINANCIALS_FILE_BYTES, maxRows: 10_001, maxColumns: 30 } })) records.push(r);
    return await importFinancials(ctx, records, `import:${input.fileName}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function importFinancials(ctx: Context, records: { line: number; values: string[] }[], source: string) {
  if (records.length < 2) throw invalid('EMPTY_FILE', 'the file has no statements: give a header line and one line per customer and period', []);
  if (records.length > 10_001) throw invalid('TOO_MANY_ROWS', 'at most 10,000 statements per file; split the file', []);
  const header = records[0]!.values.map((v) => v.trim());
  const index = new Map(header.map((h, i) => [h, i]));
  const missing = IMPORT_COLUMNS.filter((c) => c !== 'currency' && !index.has(c));
  if (missing.length) throw invalid('MISSING_COLUMNS', `line 1: the header lacks ${missing.join(', ')}; columns are ${IMPORT_COLUMNS.join(', ')}`, missing.map((c) => ({ line: 1, column: c, message: 'missing' })));
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const problems: { line: number; column?: string; message: string }[] = [];
    const byCustomer = new Map<string, { customer: Customer; rows: ReturnType<typeof checkStatements> }>();
    for (const rec of records.slice(1)) {
      const cell = (c: string) => (index.has(c) ? (rec.values[index.get(c)!] ?? '').trim() : '');
      const code = cell('customer');
      try {
        let entry = byCustomer.get(code);
        if (!entry) {
          entry = { customer: await customerFor(ctx, sql, code), rows: [] };
          byCustomer.set(code, entry);
        }
        const raw = Object.fromEntries(IMPORT_COLUMNS.filter((c) => c !== 'customer').map((c) => [c, cell(c) === '' && c === 'currency' ? undefined : cell(c)]));
        const statement = parseInput(statementSchema, raw, `line ${rec.line}`);
        entry.rows.push(...checkStatements([statement], entry.customer.currency, () => `line ${rec.line}`));
      } catch (error) {
        const e = error as { message?: string; details?: { field?: string; message: string }[] };
        problems.push({ line: rec.line, column: e.details?.[0]?.field?.split('.').pop(), message: e.message ?? String(error) });
        if (problems.length >= 50) break;
      }
    }
    if (problems.length) throw invalid('IMPORT_FAILED', `${problems.length} problem(s), nothing imported; first: line ${problems[0]!.line}: ${problems[0]!.message}`, problems);
    let recorded = 0;
    for (const { customer, rows } of byCustomer.values()) {
      await insertStatements(sql, ctx, customer, rows, source);
      recorded += rows.length;
    }
    return { recorded, customers: byCustomer.size };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Scorecard.

export async function scorecardOf(sql: Sql, ctx: Context): Promise<Scorecard> {
  const [row] = await sql.query<{ scorecard: Scorecard }>(`SELECT scorecard FROM credit_scorecards WHERE tenant_id = $1`, [ctx.tenant.id]);
  return row?.scorecard ?? DEFAULT_SCORECARD;
}

/** Replaces the company's scorecard (weights add to 100, bins ordered, grades down to 0), audited. */
export async function setScorecard(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<Scorecard> {
  const scorecard = parseInput(scorecardSchema, raw, 'scorecard') as Scorecard;
  checkScorecard(scorecard);
  scorecard.grades.forEach((g, i) => { if (g.limit.kind === 'fixed') parseAmount(g.limit.amount, ctx.tenant.currency, `grades.${i}.limit.amount`); });
  return withIdempotency(ctx, idempotencyKey, 'credit.scorecard', scorecard, async (sql) => {
    const before = await scorecardOf(sql, ctx);
    await sql.query(
      `INSERT INTO credit_scorecards (tenant_id, scorecard, updated_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET scorecard = excluded.scorecard, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, JSON.stringify(scorecard), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.scorecard', entityType: 'credit_scorecard', entityId: ctx.tenant.code, before, after: scorecard });
    return scorecard;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Assessments.

const units = (m: Measure): InputValue => (m.value === null ? { missing: m.reason } : { units: m.units });

/** Open receivables (debit − credit open amounts) of the group's other members, in the customer's currency, today. */
async function othersOpen(sql: Sql, ctx: Context, parentId: string, exceptId: string, currency: string): Promise<bigint> {
  const [row] = await sql.query<{ open: string | null }>(
    `SELECT sum(CASE WHEN b.side = 'debit' THEN b.open_minor ELSE -b.open_minor END)::text AS open
       FROM item_balances b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
      WHERE b.tenant_id = $1 AND (c.parent_id = $2 OR c.id = $2) AND c.id <> $3 AND b.currency = $4 AND b.open_minor > 0`,
    [ctx.tenant.id, parentId, exceptId, currency]);
  return BigInt(row?.open ?? '0');
}

/** Computes an assessment at `asOf` without storing it (the input of assess and of the review form). */
export async function computeAssessment(ctx: Context, sql: Sql, customer: Customer, asOf: LocalDate) {
  const scorecard = await scorecardOf(sql, ctx);
  const file = (await latestFile(sql, ctx, customer.id))?.file ?? EMPTY_FILE;
  const [latest] = await statementsOf(sql, ctx, customer.id, asOf);
  const behaviour = await behaviourAt(sql, ctx, customer, asOf);
  const inputs: Partial<Record<FactorInput, InputValue>> = {};
  const noStatements: InputValue = { missing: `no financial statements for a period ending on or before ${asOf}` };
  let financials: Financials | null = null;
  if (latest) {
    financials = financialsOf(latest);
    const r = ratiosOf(financials);
    inputs.currentRatio = units(r.current);
    inputs.quickRatio = units(r.quick);
    inputs.cashRatio = units(r.cash);
    inputs.debtRatio = units(r.debt);
    inputs.interestCoverage = units(r.interestCoverage);
    const z = zScore(financials, file.zModel);
    inputs.zScore = z.value === null ? { missing: z.reason } : { text: z.zone };
  } else {
    for (const k of ['currentRatio', 'quickRatio', 'cashRatio', 'debtRatio', 'interestCoverage', 'zScore'] as const) inputs[k] = noStatements;
  }
  inputs.averageDaysBeyondTerms = units(behaviour.averageDaysBeyondTerms);
  inputs.lateShare = units(behaviour.lateShare);
  inputs.trendDays = units(behaviour.trendDays);
  inputs.reversedPayments = { units: BigInt(behaviour.reversedPayments) * 10_000n };
  inputs.brokenPromises = { units: BigInt(behaviour.brokenPromises) * 10_000n };
  inputs.disputes = { units: BigInt(behaviour.disputes) * 10_000n };
  const rating = file.externalRatings.filter((r) => r.date <= asOf).sort((a, b) => (a.date < b.date ? 1 : -1))[0];
  inputs.externalRating = rating ? { text: rating.grade } : { missing: 'no external rating' };
  inputs.yearsInBusiness = file.qualitative.yearsInBusiness === null ? { missing: 'years in business not on file' } : { units: BigInt(file.qualitative.yearsInBusiness) * 10_000n };
  inputs.reputation = file.qualitative.reputation ? { text: file.qualitative.reputation } : { missing: 'reputation not on file' };
  inputs.industryRisk = file.qualitative.industryRisk ? { text: file.qualitative.industryRisk } : { missing: 'industry risk not on file' };
  const insuredNow = file.insurance && file.insurance.validFrom <= asOf && asOf <= file.insurance.validTo ? file.insurance : null;
  inputs.insured = { text: insuredNow ? 'yes' : 'no' };

  const result = scoreOf(scorecard, inputs);
  const policy = scorecard.grades.find((g) => g.grade === result.grade)!;
  const sameCurrency = financials && financials.currency === customer.currency ? financials : null;
  let group: { limitMinor: bigint; otherMembersOpenMinor: bigint; parent: string } | null = null;
  const parentId = customer.parentId ?? customer.id;
  const parentFile = customer.parentId ? (await latestFile(sql, ctx, customer.parentId))?.file : file;
  // The group's approved limit in credit control wins; the file's groupLimit counts only where none was approved.
  const approvedGroup = await groupLimitInForce(ctx, sql, parentId, asOf);
  const groupLimitMinor = approvedGroup && approvedGroup.currency === customer.currency ? approvedGroup.totalMinor
    : parentFile?.groupLimit ? parseAmount(parentFile.groupLimit, customer.currency, 'groupLimit') : null;
  if (groupLimitMinor !== null) {
    group = { limitMinor: groupLimitMinor, otherMembersOpenMinor: await othersOpen(sql, ctx, parentId, customer.id, customer.currency), parent: customer.parentCode ?? customer.code };
  }
  const limit = recommendedLimit({
    policy,
    ...(policy.limit.kind === 'fixed' ? { fixedMinor: parseAmount(policy.limit.amount, customer.currency, 'limit.amount') } : {}),
    equityMinor: sameCurrency ? sameCurrency.equityMinor : null,
    annualSalesMinor: sameCurrency ? sameCurrency.salesMinor : null,
    insuredLimitMinor: insuredNow && insuredNow.currency === customer.currency ? parseAmount(insuredNow.insuredLimit, customer.currency, 'insuredLimit') : null,
    group,
  });
  const money = (v: bigint | null) => (v === null ? null : formatAmount(v, customer.currency));
  return {
    customer: customer.code, asOf, currency: customer.currency,
    score: result.score, grade: result.grade,
    factors: result.factors.map((f) => ({ ...f, contribution: formatUnits(BigInt(f.contributionHundredths) * 100n).replace(/00$/, '') })),
    policy: { termsCode: policy.termsCode, prepayment: policy.prepayment, guarantee: policy.guarantee, reviewMonths: policy.reviewMonths, limit: policy.limit },
    recommendedLimit: money(limit.amountMinor),
    recommendedLimitMinor: limit.amountMinor,
    caps: limit.caps.map((c) => ({ kind: c.kind, amount: money(c.amountMinor), explanation: c.explanation })),
    statement: latest ? presentStatement(latest) : null,
    zModel: file.zModel,
    behaviour: presentBehaviour(behaviour, customer.currency),
    reviewDue: addMonths(asOf, policy.reviewMonths),
  };
}

type Computed = Awaited<ReturnType<typeof computeAssessment>>;

async function storeAssessment(sql: Sql, ctx: Context, customer: Customer, a: Computed, takeEffect: boolean) {
  const id = uuidv7();
  const { recommendedLimitMinor, ...report } = a;
  await sql.query(
    `INSERT INTO credit_assessments (tenant_id, id, customer_id, as_of, score, grade, currency, recommended_limit_minor, took_effect, report, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)`,
    [ctx.tenant.id, id, customer.id, a.asOf, a.score, a.grade, a.currency, recommendedLimitMinor, takeEffect, JSON.stringify(report), ctx.actor]);
  let profileBefore = null;
  if (takeEffect) {
    profileBefore = await profileOf(sql, ctx, customer.id);
    await sql.query(
      `INSERT INTO credit_profiles (tenant_id, customer_id, grade, score, assessed_on, review_due, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, assessed_on = excluded.assessed_on,
         review_due = excluded.review_due, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, customer.id, a.grade, a.score, a.asOf, a.reviewDue, ctx.actor]);
    // A new grade may be a downgrade, or end an expired review: early warning looks again.
    await requestEvaluation(ctx, sql, customer.id);
  }
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: takeEffect ? 'credit.assess.effective' : 'credit.assess', entityType: 'customer', entityId: customer.code,
    before: profileBefore, after: { assessment: id, score: a.score, grade: a.grade, recommendedLimit: a.recommendedLimit, ...(takeEffect ? { reviewDue: a.reviewDue } : {}) },
  });
  return { id, tookEffect: takeEffect, ...report };
}

/** Runs an assessment at an as-of date and stores it; with takeEffect it sets the customer's grade, score and next review. */
export async function assessCustomer(ctx: Context, code: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(assessSchema, raw ?? {}, 'assessment');
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  return withIdempotency(ctx, idempotencyKey, 'credit.assess', { code, asOf, takeEffect: input.takeEffect }, async (sql) => {
    const customer = await customerFor(ctx, sql, code);
    return storeAssessment(sql, ctx, customer, await computeAssessment(ctx, sql, customer, asOf), input.takeEffect);
  });
}

/** A customer's assessments, newest first. */
export async function listAssessments(ctx: Context, sql: Sql, code: string, raw: { limit?: number } = {}) {
  const limit = Math.min(Math.max(1, raw.limit ?? 50), MAX_LIST);
  const customer = await customerFor(ctx, sql, code);
  const rows = await sql.query<{ id: string; asOf: LocalDate; score: number; grade: string; currency: string; limit: string | null; tookEffect: boolean; createdAt: string; createdBy: string; report: Computed }>(
    `SELECT id, as_of AS "asOf", score, grade, currency, recommended_limit_minor::text AS limit, took_effect AS "tookEffect", created_at AS "createdAt", created_by AS "createdBy", report
       FROM credit_assessments WHERE tenant_id = $1 AND customer_id = $2 ORDER BY as_of DESC, id DESC LIMIT ${limit}`,
    [ctx.tenant.id, customer.id]);
  return rows.map((r) => ({
    id: r.id, asOf: r.asOf, score: Number(r.score), grade: r.grade, recommendedLimit: r.limit === null ? null : formatAmount(BigInt(r.limit), r.currency),
    tookEffect: r.tookEffect, createdAt: r.createdAt, createdBy: r.createdBy, factors: r.report.factors, caps: r.report.caps, policy: r.report.policy,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Reviews.

/** Customers due for review at `asOf`: review_due on or before it, or never graded with an open balance. */
export async function reviewQueue(ctx: Context, sql: Sql, raw: unknown = {}) {
  const q = parseInput(reviewQueueSchema, raw, 'review queue');
  const asOf = q.asOf ? parseDate(q.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const scope = customerScope(ctx);
  const params: unknown[] = [ctx.tenant.id, asOf, q.limit];
  if (scope) params.push(scope.handle);
  const rows = await sql.query<{ code: string; name: string; currency: string; grade: string | null; score: number | null; reviewDue: LocalDate | null; open: string | null; total: string }>(
    `WITH open AS (
       SELECT customer_id, sum(CASE WHEN side = 'debit' THEN open_minor ELSE -open_minor END) AS open
         FROM item_balances WHERE tenant_id = $1 AND open_minor > 0 GROUP BY customer_id)
     SELECT c.code, c.name, c.currency, p.grade, p.score, p.review_due AS "reviewDue", o.open::text AS open, count(*) OVER ()::text AS total
       FROM customers c
       LEFT JOIN credit_profiles p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id
       LEFT JOIN open o ON o.customer_id = c.id
      WHERE c.tenant_id = $1 ${scope ? `AND c.${scope.field} = $4` : ''}
        AND ((p.review_due IS NOT NULL AND p.review_due <= $2) OR (p.grade IS NULL AND coalesce(o.open, 0) > 0))
      ORDER BY p.review_due NULLS FIRST, c.code
      LIMIT $3`,
    params);
  return {
    asOf, total: rows.length ? Number(rows[0]!.total) : 0,
    rows: rows.map((r) => ({
      customer: r.code, name: r.name, grade: r.grade, score: r.score === null ? null : Number(r.score), reviewDue: r.reviewDue,
      reason: r.reviewDue ? 'review due' : 'never graded, open balance',
      open: formatAmount(BigInt(r.open ?? '0'), r.currency),
    })),
  };
}

/**
 * Completes a review: records any new statements, runs an assessment at the as-of date and lets it take effect
 * (the grade and next review date), and records the decision with the proposed grade and limit. A changed limit is
 * then requested through the customers flow (it needs approval).
 */
export async function completeReview(ctx: Context, code: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(reviewSchema, raw, 'review');
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  if (input.decision === 'change' && input.proposedGrade === null && input.proposedLimit === null) {
    throw invalid('VALIDATION_FAILED', 'proposedLimit: a "change" decision needs a proposed grade or limit', [{ field: 'proposedLimit', message: 'required for change' }]);
  }
  return withIdempotency(ctx, idempotencyKey, 'credit.review', { code, input, asOf }, async (sql) => {
    const customer = await customerFor(ctx, sql, code);
    const proposedLimitMinor = input.proposedLimit === null ? null : parseAmount(input.proposedLimit, customer.currency, 'proposedLimit');
    if (input.statements.length) await insertStatements(sql, ctx, customer, checkStatements(input.statements, customer.currency, (i) => `statements.${i}`), 'review');
    const assessment = await storeAssessment(sql, ctx, customer, await computeAssessment(ctx, sql, customer, asOf), true);
    const id = uuidv7();
    await sql.query(
      `INSERT INTO credit_reviews (tenant_id, id, customer_id, as_of, decision, proposed_grade, currency, proposed_limit_minor, note, assessment_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [ctx.tenant.id, id, customer.id, asOf, input.decision, input.proposedGrade, customer.currency, proposedLimitMinor, input.note || null, assessment.id, ctx.actor]);
    // A proposed limit becomes a limit request: another user with enough authority approves it (credit control).
    const limitRequest = input.proposedLimit === null ? null : await openLimitRequest(ctx, sql, {
      customer: customer.code, scope: 'customer', limit: input.proposedLimit, currency: customer.currency,
      reason: `credit review of ${asOf}${input.note ? `: ${input.note}` : ''}`.slice(0, 500),
    });
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.review', entityType: 'customer', entityId: customer.code, before: null, after: { review: id, decision: input.decision, proposedGrade: input.proposedGrade, proposedLimit: input.proposedLimit, assessment: assessment.id, limitRequest: limitRequest?.approvalId ?? null } });
    return { id, customer: customer.code, asOf, decision: input.decision, proposedGrade: input.proposedGrade, proposedLimit: input.proposedLimit, note: input.note, assessment, limitRequest };
  });
}

/** A customer's completed reviews, newest first. */
export async function listReviews(ctx: Context, sql: Sql, code: string) {
  const customer = await customerFor(ctx, sql, code);
  const rows = await sql.query<{ id: string; asOf: LocalDate; decision: string; proposedGrade: string | null; currency: string; limit: string | null; note: string | null; assessmentId: string; createdBy: string }>(
    `SELECT id, as_of AS "asOf", decision, proposed_grade AS "proposedGrade", currency, proposed_limit_minor::text AS limit, note, assessment_id AS "assessmentId", created_by AS "createdBy"
       FROM credit_reviews WHERE tenant_id = $1 AND customer_id = $2 ORDER BY as_of DESC, id DESC LIMIT ${MAX_LIST}`, [ctx.tenant.id, customer.id]);
  return rows.map(({ limit, ...r }) => ({ ...r, proposedLimit: limit === null ? null : formatAmount(BigInt(limit), r.currency) }));
}

/** At most this many overdue insured invoices per customer feed the early-warning rule (the nearest deadline decides). */
export const MAX_INSURED_ITEMS = 200;

/**
 * What the early-warning rules read from the credit files at `asOf`, per customer id: the Altman Z of the latest
 * statement on or before the date, in the form the customer's file names (`defaultModel` when there is no file), and
 * the overdue open invoices of customers whose trade credit insurance is in force that day, with the insurer's days
 * to notify an overdue. Set-based: three statements for every customer.
 */
export async function creditAlertFacts(ctx: Context, sql: Sql, asOf: LocalDate, customerIds: readonly string[] | null, defaultModel: ZModel): Promise<Map<string, {
  zScore: { model: ZModel; units: bigint } | null;
  insuredOverdue: { document: string; dueDate: LocalDate; notifyWithinDays: number; openMinor: bigint }[];
}>> {
  const files = await sql.query<{ customerId: string; file: unknown }>(
    `SELECT DISTINCT ON (customer_id) customer_id AS "customerId", file FROM credit_files
      WHERE tenant_id = $1 AND ($2::uuid[] IS NULL OR customer_id = ANY($2::uuid[])) ORDER BY customer_id, version DESC`, [ctx.tenant.id, customerIds]);
  const fileOf = new Map(files.map((f) => [f.customerId, parseInput(creditFileSchema, f.file, 'stored credit file')]));
  const statements = await sql.query<StoredStatement & { customerId: string }>(
    `SELECT DISTINCT ON (customer_id) customer_id AS "customerId", id, period_end AS "periodEnd", currency, figures, source, created_at AS "createdAt", created_by AS "createdBy"
       FROM credit_financials WHERE tenant_id = $1 AND period_end <= $2 AND ($3::uuid[] IS NULL OR customer_id = ANY($3::uuid[]))
      ORDER BY customer_id, period_end DESC, id DESC`, [ctx.tenant.id, asOf, customerIds]);
  const out = new Map<string, { zScore: { model: ZModel; units: bigint } | null; insuredOverdue: { document: string; dueDate: LocalDate; notifyWithinDays: number; openMinor: bigint }[] }>();
  const entry = (id: string) => out.get(id) ?? out.set(id, { zScore: null, insuredOverdue: [] }).get(id)!;
  for (const s of statements) {
    const model = fileOf.get(s.customerId)?.zModel ?? defaultModel;
    const z = zScore(financialsOf(s), model);
    if (z.value !== null) entry(s.customerId).zScore = { model, units: z.units };
  }
  const insured = [...fileOf].filter(([, f]) => f.insurance && f.insurance.validFrom <= asOf && asOf <= f.insurance.validTo);
  if (insured.length) {
    const items = await sql.query<{ customerId: string; document: string; dueDate: LocalDate; openMinor: bigint }>(
      `SELECT customer_id AS "customerId", document, due_date AS "dueDate", open_minor AS "openMinor" FROM (
         SELECT b.customer_id, d.number AS document, b.due_date, b.open_minor,
                row_number() OVER (PARTITION BY b.customer_id ORDER BY b.due_date, d.number) AS n
           FROM item_balances b
           JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
           JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
          WHERE b.tenant_id = $1 AND b.customer_id = ANY($2::uuid[]) AND b.open_minor > 0 AND b.side = 'debit'
            AND b.kind = 'invoice' AND b.due_date < $3) x
        WHERE n <= ${MAX_INSURED_ITEMS}`,
      [ctx.tenant.id, insured.map(([id]) => id), asOf]);
    const days = new Map(insured.map(([id, f]) => [id, f.insurance!.notificationDays]));
    for (const i of items) entry(i.customerId).insuredOverdue.push({ document: i.document, dueDate: i.dueDate, notifyWithinDays: days.get(i.customerId)!, openMinor: BigInt(i.openMinor) });
  }
  return out;
}

export type { ZModel };
