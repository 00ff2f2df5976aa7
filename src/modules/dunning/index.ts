/**
 * Dunning (issue 6, "Strategies and dunning"): strategies, templates, the company's and customers' dunning settings,
 * and the run: load the facts at an as-of date, plan with src/domain/dunning.ts, render each message with its
 * template, and (unless a dry run) write the outbox, the item steps and the fee documents in one transaction,
 * audited. The outbox is delivered by ./sender.ts.
 *
 * A run is idempotent by construction: the steps an item reached are recorded once per item and step (a second run
 * plans nothing for them), and each message's key (run day, customer, step) is unique in the outbox.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database, Sql } from '../../db/database.ts';
import { openSnapshotReader } from '../../db/snapshot-reader.ts';
import { addDays, parseDate, type LocalDate } from '../../domain/dates.ts';
import { parseDecimal } from '../../domain/decimal.ts';
import {
  assertSteps, assignStrategy, DUNNING_CHANNELS, LETTER_CHANNELS, planRun, TASK_CHANNELS, type AssignmentRule, type DunningChannel,
  type DunningCustomer, type DunningItem, type DunningStep, type DunningStrategy, type PlannedMessage, type RunPlan, type SkipReason,
} from '../../domain/dunning.ts';
import { renderTemplate, TEMPLATE_LANGUAGES, templateProblems, type TemplateLanguage, type TemplateScope } from '../../domain/dunning-template.ts';
import { AppError, conflict, invalid, notFound } from '../../domain/errors.ts';
import { checkCurrency, formatAmount, parseAmount } from '../../domain/money.ts';
import { customerScope, listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Clock, Context } from '../context.ts';
import { customersInLegal, itemsInEscalation } from '../escalation/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument } from '../ledger/index.ts';
import { itemsInPaymentPlans } from '../payment-plans/index.ts';
import { groupDigits } from '../statements/labels.ts';
import { listTenants, tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

export { DUNNING_CHANNELS, TEMPLATE_LANGUAGES };
export const MAX_PAGE = 200;
/** Messages rendered into a dry run's answer (the counts cover all). */
export const MAX_PREVIEW_MESSAGES = 200;

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(String(v)));
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const codeText = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-"');

// ---------------------------------------------------------------------------------------------------------------
// Settings.

export const settingsSchema = z.object({
  /** Late interest, percent a year ("12" = 12%); null: none. */
  interestRatePercent: z.string().trim().regex(/^\d{1,3}(\.\d{1,4})?$/, 'write the rate as a decimal string of percent a year, like "12" or "7.5"').nullable(),
  bankName: z.string().trim().max(200).nullable().default(null),
  bankAccount: z.string().trim().max(100).nullable().default(null),
  bankAccountName: z.string().trim().max(200).nullable().default(null),
  statementLink: z.string().trim().max(500).nullable().default(null),
}).strict();
export type DunningSettings = z.output<typeof settingsSchema>;

export async function dunningSettings(sql: Sql, tenantId: string): Promise<DunningSettings> {
  const [row] = await sql.query<{ rate: string | null; bankName: string | null; bankAccount: string | null; bankAccountName: string | null; statementLink: string | null }>(
    `SELECT interest_rate_percent::text AS rate, bank_name AS "bankName", bank_account AS "bankAccount", bank_account_name AS "bankAccountName", statement_link AS "statementLink"
       FROM dunning_settings WHERE tenant_id = $1`, [tenantId]);
  const rate = row?.rate ? row.rate.replace(/\.?0+$/, '') : null;
  return { interestRatePercent: rate === '' ? '0' : rate, bankName: row?.bankName ?? null, bankAccount: row?.bankAccount ?? null, bankAccountName: row?.bankAccountName ?? null, statementLink: row?.statementLink ?? null };
}

/** Replaces the company's dunning settings; audited with before and after. */
export async function setDunningSettings(ctx: Context, raw: unknown, key?: string): Promise<DunningSettings> {
  const input = parseInput(settingsSchema, raw, 'dunning settings');
  if (input.interestRatePercent !== null && Number(input.interestRatePercent) > 100) throw invalid('VALIDATION_FAILED', 'interestRatePercent: at most 100 (percent a year)', [{ field: 'interestRatePercent', message: 'above 100' }]);
  return withIdempotency(ctx, key, 'dunning.settings', input, async (sql) => {
    const before = await dunningSettings(sql, ctx.tenant.id);
    await sql.query(
      `INSERT INTO dunning_settings (tenant_id, interest_rate_percent, bank_name, bank_account, bank_account_name, statement_link, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET interest_rate_percent = excluded.interest_rate_percent, bank_name = excluded.bank_name, bank_account = excluded.bank_account,
         bank_account_name = excluded.bank_account_name, statement_link = excluded.statement_link, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, input.interestRatePercent, input.bankName, input.bankAccount, input.bankAccountName, input.statementLink, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'dunning.settings', entityType: 'dunning_settings', entityId: ctx.tenant.code, before, after: input });
    return dunningSettings(sql, ctx.tenant.id);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Templates.

export const templateSchema = z.object({
  key: codeText,
  language: z.enum(TEMPLATE_LANGUAGES),
  subject: z.string().max(500),
  body: z.string().min(1).max(20_000),
}).strict();
export type TemplateInput = z.input<typeof templateSchema>;

export interface PresentedTemplate { key: string; language: TemplateLanguage; subject: string; body: string; updatedAt: string; updatedBy: string }

function checkTemplate(subject: string, body: string): void {
  const problems = [...templateProblems(subject, 'subject'), ...templateProblems(body, 'body')];
  if (problems.length) throw invalid('DUNNING_TEMPLATE_INVALID', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
}

export async function listTemplates(sql: Sql, tenantId: string): Promise<PresentedTemplate[]> {
  const rows = await sql.query<PresentedTemplate>(
    `SELECT key, language, subject, body, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM dunning_templates WHERE tenant_id = $1 ORDER BY key, language LIMIT 1000`, [tenantId]);
  return rows.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt).toISOString() }));
}

/** Creates or replaces the template of a key in a language; checked (variables, sections) before it is saved; audited. */
export async function saveTemplate(ctx: Context, raw: TemplateInput, key?: string): Promise<PresentedTemplate> {
  const input = parseInput(templateSchema, raw, 'template');
  checkTemplate(input.subject, input.body);
  return withIdempotency(ctx, key, 'dunning.template', input, async (sql) => {
    const [before] = await sql.query<{ subject: string; body: string }>(`SELECT subject, body FROM dunning_templates WHERE tenant_id = $1 AND key = $2 AND language = $3`, [ctx.tenant.id, input.key, input.language]);
    await sql.query(
      `INSERT INTO dunning_templates (tenant_id, id, key, language, subject, body, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, key, language) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, uuidv7(), input.key, input.language, input.subject, input.body, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'dunning.template', entityType: 'dunning_template', entityId: `${input.key}/${input.language}`, before: before ?? null, after: { subject: input.subject, body: input.body } });
    return (await listTemplates(sql, ctx.tenant.id)).find((t) => t.key === input.key && t.language === input.language)!;
  });
}

/** Sample figures a template preview is rendered with (or a customer's, see previewTemplate). */
export function sampleScope(language: TemplateLanguage, settings: DunningSettings, company: { name: string; address: string | null }, asOf: LocalDate): TemplateScope {
  const zh = language === 'zh-CN';
  return {
    company: { name: company.name, address: company.address ?? '' },
    customer: { code: 'C001', name: zh ? '上海示例贸易有限公司' : 'Example Trading Co., Ltd.', address: zh ? '上海市浦东新区张江路 88 号\n邮编 201203' : '88 Zhangjiang Road, Pudong\nShanghai 201203' },
    contact: { name: zh ? '王经理' : 'Ms Wang', email: 'ap@example.com', phone: '+86 21 5555 0100' },
    asOf, reference: `DUN-${asOf.replaceAll('-', '')}-C001-2`, step: { seq: 2, channel: 'email' },
    statementLink: settings.statementLink ?? '', bank: { name: settings.bankName ?? '', account: settings.bankAccount ?? '', accountName: settings.bankAccountName ?? '' },
    items: [
      { document: 'INV-2026-0101', installment: 1, dueDate: addDays(asOf, -36), daysOverdue: 36, currency: 'CNY', open: '10,000.00', interest: '118.36' },
      { document: 'INV-2026-0144', installment: 1, dueDate: addDays(asOf, -9), daysOverdue: 9, currency: 'CNY', open: '2,500.00', interest: '0.00' },
    ],
    totals: [{ currency: 'CNY', open: '12,500.00', interest: '118.36', fee: '50.00', total: '12,668.36' }],
    fee: '50.00', hasFee: true, hasInterest: true,
  };
}

export const previewSchema = z.object({ subject: z.string().max(500), body: z.string().min(1).max(20_000), language: z.enum(TEMPLATE_LANGUAGES), asOf: localDateText.optional() }).strict();

/** Renders a template (saved or not) with sample figures: the editor's live preview. Pure but for the settings read. */
export async function previewTemplate(ctx: Context, sql: Sql, raw: z.input<typeof previewSchema>): Promise<{ subject: string; body: string; html: string }> {
  const input = parseInput(previewSchema, raw, 'preview');
  checkTemplate(input.subject, input.body);
  const scope = sampleScope(input.language, await dunningSettings(sql, ctx.tenant.id), await companyOf(sql, ctx.tenant.id), input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock));
  return { subject: renderTemplate(input.subject, scope), body: renderTemplate(input.body, scope), html: renderTemplate(input.body, scope, { html: true }) };
}

async function companyOf(sql: Sql, tenantId: string): Promise<{ name: string; address: string | null }> {
  const [row] = await sql.query<{ name: string; address: string | null }>(`SELECT name, address FROM tenants WHERE id = $1`, [tenantId]);
  return row ?? { name: '', address: null };
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies.

const stepInput = z.object({
  offsetDays: z.number().int(),
  channel: z.enum(DUNNING_CHANNELS),
  templateKey: codeText,
  /** A fee charged when the step executes, in major units ("50.00"), with its currency. */
  fee: amountText.optional(),
  feeCurrency: z.string().trim().length(3).optional(),
  lateInterest: z.boolean().default(false),
}).strict();

export const strategySchema = z.object({
  code: codeText,
  name: z.string().trim().min(1).max(200),
  priority: z.number().int().min(0).max(10_000).default(100),
  /** The rule: every condition given must hold. */
  match: z.object({
    segment: z.string().trim().min(1).max(100).optional(),
    grades: z.array(z.string().trim().min(1).max(8)).min(1).max(20).optional(),
    /** Open receivables at least this (major units, the customer's currency). */
    minOpen: amountText.optional(),
    minBrokenPromises: z.number().int().min(1).max(100).optional(),
  }).strict().default({}),
  isDefault: z.boolean().default(false),
  /** Items of a currency whose due total in a message is below this (major units) are not dunned. */
  minAmount: amountText.default('0'),
  active: z.boolean().default(true),
  steps: z.array(stepInput).min(1).max(20),
}).strict();
export type StrategyInput = z.input<typeof strategySchema>;

export interface PresentedStrategy {
  id: string; code: string; name: string; priority: number; isDefault: boolean; active: boolean; minAmount: string;
  match: { segment?: string; grades?: string[]; minOpen?: string; minBrokenPromises?: number };
  steps: { seq: number; offsetDays: number; channel: DunningChannel; templateKey: string; fee: string | null; feeCurrency: string | null; lateInterest: boolean }[];
}

interface StrategyRow {
  id: string; code: string; name: string; priority: number; matchSegment: string | null; matchGrades: string[] | null; matchMinOpenMinor: unknown;
  matchMinBrokenPromises: number | null; isDefault: boolean; minAmountMinor: unknown; active: boolean;
}
interface StepRow { id: string; strategyId: string; seq: number; offsetDays: number; channel: DunningChannel; templateKey: string; feeMinor: unknown; feeCurrency: string | null; lateInterest: boolean }

async function loadStrategies(sql: Sql, tenantId: string, onlyActive: boolean): Promise<{ rows: StrategyRow[]; steps: StepRow[] }> {
  const rows = await sql.query<StrategyRow>(
    `SELECT id, code, name, priority, match_segment AS "matchSegment", match_grades AS "matchGrades", match_min_open_minor AS "matchMinOpenMinor",
            match_min_broken_promises AS "matchMinBrokenPromises", is_default AS "isDefault", min_amount_minor AS "minAmountMinor", active
       FROM dunning_strategies WHERE tenant_id = $1 ${onlyActive ? 'AND active' : ''} ORDER BY priority, code LIMIT 500`, [tenantId]);
  const steps = await sql.query<StepRow>(
    `SELECT id, strategy_id AS "strategyId", seq, offset_days AS "offsetDays", channel, template_key AS "templateKey", fee_minor AS "feeMinor", fee_currency AS "feeCurrency", late_interest AS "lateInterest"
       FROM dunning_steps WHERE tenant_id = $1 ORDER BY strategy_id, seq`, [tenantId]);
  return { rows, steps };
}

// Minimum amounts and open thresholds are entered in major units and kept in minor units of the tenant's currency scale.
function presentStrategy(r: StrategyRow, steps: StepRow[], currency: string): PresentedStrategy {
  return {
    id: r.id, code: r.code, name: r.name, priority: Number(r.priority), isDefault: r.isDefault, active: r.active, minAmount: formatAmount(big(r.minAmountMinor), currency),
    match: {
      ...(r.matchSegment ? { segment: r.matchSegment } : {}), ...(r.matchGrades ? { grades: r.matchGrades } : {}),
      ...(r.matchMinOpenMinor !== null ? { minOpen: formatAmount(big(r.matchMinOpenMinor), currency) } : {}),
      ...(r.matchMinBrokenPromises !== null ? { minBrokenPromises: Number(r.matchMinBrokenPromises) } : {}),
    },
    steps: steps.filter((s) => s.strategyId === r.id).map((s) => ({
      seq: Number(s.seq), offsetDays: Number(s.offsetDays), channel: s.channel, templateKey: s.templateKey,
      fee: s.feeMinor === null ? null : formatAmount(big(s.feeMinor), s.feeCurrency!), feeCurrency: s.feeCurrency, lateInterest: s.lateInterest,
    })),
  };
}

export async function listStrategies(ctx: Context, sql: Sql): Promise<PresentedStrategy[]> {
  const { rows, steps } = await loadStrategies(sql, ctx.tenant.id, false);
  return rows.map((r) => presentStrategy(r, steps, ctx.tenant.currency));
}

export async function getStrategy(ctx: Context, sql: Sql, code: string): Promise<PresentedStrategy> {
  const found = (await listStrategies(ctx, sql)).find((s) => s.code === code);
  if (!found) throw notFound('DUNNING_STRATEGY_NOT_FOUND', `no dunning strategy has code ${code}; see GET /dunning/strategies`);
  return found;
}

/**
 * Creates a strategy, or replaces one with the same code (its rule and all its steps). The steps' template keys must
 * have a template (in either language); a step's seq keeps meaning "the n-th step", which is what items remember.
 */
export async function saveStrategy(ctx: Context, raw: StrategyInput, key?: string): Promise<PresentedStrategy> {
  const input = parseInput(strategySchema, raw, 'strategy');
  const steps = input.steps.map((s, i) => {
    const feeCurrency = s.fee !== undefined ? checkCurrency((s.feeCurrency ?? ctx.tenant.currency).toUpperCase(), `steps.${i}.feeCurrency`) : null;
    return { ...s, feeCurrency, feeMinor: s.fee !== undefined ? parseAmount(s.fee, feeCurrency!, `steps.${i}.fee`) : null };
  });
  assertSteps(steps);
  const currency = ctx.tenant.currency;
  const minAmountMinor = parseAmount(input.minAmount, currency, 'minAmount');
  const minOpenMinor = input.match.minOpen !== undefined ? parseAmount(input.match.minOpen, currency, 'match.minOpen') : null;
  return withIdempotency(ctx, key, 'dunning.strategy', input, async (sql) => {
    const templateKeys = new Set((await sql.query<{ key: string }>(`SELECT DISTINCT key FROM dunning_templates WHERE tenant_id = $1`, [ctx.tenant.id])).map((r) => r.key));
    const missing = steps.map((s, i) => ({ s, i })).filter(({ s }) => !templateKeys.has(s.templateKey));
    if (missing.length) {
      throw invalid('DUNNING_TEMPLATE_MISSING', `steps.${missing[0]!.i}.templateKey: no template has key ${missing[0]!.s.templateKey}; save the template first (PUT /dunning/templates)`,
        missing.map(({ s, i }) => ({ field: `steps.${i}.templateKey`, message: `no template ${s.templateKey}` })));
    }
    const [existing] = await sql.query<{ id: string }>(`SELECT id FROM dunning_strategies WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.code]);
    const before = existing ? await getStrategy(ctx, sql, input.code) : null;
    if (input.isDefault) await sql.query(`UPDATE dunning_strategies SET is_default = false WHERE tenant_id = $1 AND is_default AND code <> $2`, [ctx.tenant.id, input.code]);
    const id = existing?.id ?? uuidv7();
    const values = [ctx.tenant.id, id, input.code, input.name, input.priority, input.match.segment ?? null, input.match.grades ?? null, minOpenMinor, input.match.minBrokenPromises ?? null, input.isDefault, minAmountMinor, input.active, ctx.actor];
    if (existing) {
      await sql.query(
        `UPDATE dunning_strategies SET name = $4, priority = $5, match_segment = $6, match_grades = $7, match_min_open_minor = $8, match_min_broken_promises = $9,
                is_default = $10, min_amount_minor = $11, active = $12, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND code = $3 AND $13::text IS NOT NULL`, values);
      await sql.query(`DELETE FROM dunning_steps WHERE tenant_id = $1 AND strategy_id = $2`, [ctx.tenant.id, id]);
    } else {
      await sql.query(
        `INSERT INTO dunning_strategies (tenant_id, id, code, name, priority, match_segment, match_grades, match_min_open_minor, match_min_broken_promises, is_default, min_amount_minor, active, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, values);
    }
    for (const [i, s] of steps.entries()) {
      await sql.query(
        `INSERT INTO dunning_steps (tenant_id, id, strategy_id, seq, offset_days, channel, template_key, fee_minor, fee_currency, late_interest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [ctx.tenant.id, uuidv7(), id, i + 1, s.offsetDays, s.channel, s.templateKey, s.feeMinor, s.feeCurrency, s.lateInterest]);
    }
    const after = await getStrategy(ctx, sql, input.code);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: existing ? 'dunning.strategy.change' : 'dunning.strategy.create', entityType: 'dunning_strategy', entityId: input.code, before, after });
    return after;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// A customer's dunning settings.

export const customerSettingsSchema = z.object({
  customer: z.string().trim().min(1).max(100),
  /** A strategy code pinned to the customer; null: follow the rules. */
  strategy: codeText.nullable().default(null),
  doNotDun: z.boolean().default(false),
  inLegal: z.boolean().default(false),
  note: z.string().trim().max(1000).nullable().default(null),
}).strict();

export async function setCustomerDunning(ctx: Context, raw: z.input<typeof customerSettingsSchema>, key?: string) {
  const input = parseInput(customerSettingsSchema, raw, 'customer dunning');
  return withIdempotency(ctx, key, 'dunning.customer', input, async (sql) => {
    const [customer] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.customer]);
    if (!customer) throw notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${input.customer}`, [{ field: 'customer', message: 'unknown customer code' }]);
    let strategyId: string | null = null;
    if (input.strategy) {
      const [s] = await sql.query<{ id: string }>(`SELECT id FROM dunning_strategies WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.strategy]);
      if (!s) throw invalid('DUNNING_STRATEGY_NOT_FOUND', `strategy: no dunning strategy has code ${input.strategy}`, [{ field: 'strategy', message: 'unknown strategy' }]);
      strategyId = s.id;
    }
    const [before] = await sql.query(`SELECT pinned_strategy_id AS "strategyId", do_not_dun AS "doNotDun", in_legal AS "inLegal", note FROM dunning_customers WHERE tenant_id = $1 AND customer_id = $2`, [ctx.tenant.id, customer.id]);
    await sql.query(
      `INSERT INTO dunning_customers (tenant_id, customer_id, pinned_strategy_id, do_not_dun, in_legal, note, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET pinned_strategy_id = excluded.pinned_strategy_id, do_not_dun = excluded.do_not_dun, in_legal = excluded.in_legal,
         note = excluded.note, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, customer.id, strategyId, input.doNotDun, input.inLegal, input.note, ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'dunning.customer', entityType: 'customer', entityId: input.customer, before: before ?? null, after: input });
    return input;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Exclusions read from other parts.


// ---------------------------------------------------------------------------------------------------------------
// The run.

export const runSchema = z.object({
  /** Default the company's today. A real run may not be after today. */
  asOf: localDateText.optional(),
  dryRun: z.boolean().default(false),
}).strict();
export type RunInput = z.input<typeof runSchema>;

interface CustomerRow {
  id: string; code: string; name: string; address: string | null; currency: string; segment: string | null; collector: string | null; grade: string | null; openMinor: unknown;
  broken: unknown; pinned: string | null; doNotDun: boolean | null; inLegal: boolean | null;
  contactName: string | null; email: string | null; phone: string | null; language: string | null;
}

interface RunFacts {
  asOf: LocalDate;
  plan: RunPlan;
  customers: Map<string, CustomerRow>;
  strategies: Map<string, DunningStrategy & { name: string }>;
  templates: Map<string, { subject: string; body: string }>;
  settings: DunningSettings;
  company: { name: string; address: string | null };
}

/** Customers per slice of a run: the run plans, renders and writes one slice at a time, so its memory is bounded. */
export const RUN_SLICE_CUSTOMERS = 2_000;

interface CustomerRange { first: string; last: string }

/** The customers with open receivables, as ranges of at most `size` customer ids (in id order). */
async function customerRanges(sql: Sql, tenantId: string, size: number): Promise<CustomerRange[]> {
  const ids = (await sql.query<{ id: string }>(
    `SELECT DISTINCT customer_id AS id FROM item_balances WHERE tenant_id = $1 AND open_minor > 0 AND side = 'debit' ORDER BY customer_id`, [tenantId])).map((r) => r.id);
  const ranges: CustomerRange[] = [];
  for (let i = 0; i < ids.length; i += size) ranges.push({ first: ids[i]!, last: ids[Math.min(ids.length, i + size) - 1]! });
  return ranges;
}

async function loadFacts(ctx: Context, sql: Sql, asOf: LocalDate, range: CustomerRange): Promise<RunFacts> {
  const tenantId = ctx.tenant.id;
  const { rows, steps } = await loadStrategies(sql, tenantId, true);
  const strategies = new Map(rows.map((r): [string, DunningStrategy & { name: string }] => [r.id, {
    id: r.id, code: r.code, name: r.name, minAmountMinor: big(r.minAmountMinor),
    steps: steps.filter((s) => s.strategyId === r.id).map((s): DunningStep => ({
      id: s.id, seq: Number(s.seq), offsetDays: Number(s.offsetDays), channel: s.channel, templateKey: s.templateKey,
      feeMinor: s.feeMinor === null ? null : big(s.feeMinor), feeCurrency: s.feeCurrency, lateInterest: s.lateInterest,
    })),
  }]));
  const rules: AssignmentRule[] = rows.map((r) => ({
    strategyId: r.id, priority: Number(r.priority), segment: r.matchSegment, grades: r.matchGrades, minOpenMinor: r.matchMinOpenMinor === null ? null : big(r.matchMinOpenMinor),
    minBrokenPromises: r.matchMinBrokenPromises === null ? null : Number(r.matchMinBrokenPromises), isDefault: r.isDefault,
  }));
  // The receivables dunning is about: invoices, debit notes and charges still open, not the fees dunning posted itself.
  // On PostgreSQL the slice's items, documents and balances are each read by the customer range (an item is its
  // document's customer's, as is its balance) and joined in memory: without the ranges, the company's items and
  // documents were scanned once per slice; by key, it was a lookup per item, 2.6 times slower. PGlite keeps no
  // statistics (nothing analyses its tables), and with the ranges it scanned the items once per balance: there each
  // item and document is looked up by key (OFFSET 0 keeps the lookup per row).
  const joins = ctx.db.engine === 'postgres'
    ? `JOIN items i ON i.tenant_id = $1 AND i.id = b.item_id AND i.customer_id BETWEEN $2 AND $3
       JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id AND d.customer_id BETWEEN $2 AND $3`
    : `CROSS JOIN LATERAL (SELECT i.seq, i.document_id, i.discount_date, i.discount_amount_minor FROM items i WHERE i.tenant_id = b.tenant_id AND i.id = b.item_id OFFSET 0) i
       CROSS JOIN LATERAL (SELECT d.number, d.source_system FROM documents d WHERE d.tenant_id = b.tenant_id AND d.id = i.document_id OFFSET 0) d`;
  const itemRows = await sql.query<{ itemId: string; customerId: string; number: string; seq: number; currency: string; dueDate: LocalDate; openMinor: unknown; amountMinor: unknown; discountUntil: LocalDate | null; discountMinor: unknown }>(
    `SELECT b.item_id AS "itemId", b.customer_id AS "customerId", d.number, i.seq, b.currency, b.due_date::text AS "dueDate", b.open_minor AS "openMinor",
            b.amount_minor AS "amountMinor", i.discount_date::text AS "discountUntil", i.discount_amount_minor AS "discountMinor"
       FROM item_balances b
       ${joins}
      WHERE b.tenant_id = $1 AND b.customer_id BETWEEN $2 AND $3 AND b.open_minor > 0 AND b.side = 'debit' AND b.kind IN ('invoice', 'debit_note', 'charge') AND d.source_system <> 'dunning'`,
    [tenantId, range.first, range.last]);
  // The steps the slice's open items reached (and skipped): from the open items, by the item steps' key, so a slice
  // reads its own items' rows only, however many the company has (OFFSET 0 keeps the lookup per item). The run writes
  // this table as it goes, so its statistics say it is empty: the planner would scan it whole once per item (141 s
  // for one slice of 2,000 customers). Sequential scans are off for this one read.
  await sql.query(`SET LOCAL enable_seqscan = off`);
  const done = await sql.query<{ itemId: string; strategyId: string; seq: number; skippedSeqs: number[]; interestTo: LocalDate | null }>(
    `SELECT b.item_id AS "itemId", s.strategy_id AS "strategyId", s.step_seq AS seq, s.skipped_seqs AS "skippedSeqs", s.interest_to::text AS "interestTo"
       FROM item_balances b
       CROSS JOIN LATERAL (SELECT s.strategy_id, s.step_seq, s.skipped_seqs, s.interest_to FROM dunning_item_steps s
                            WHERE s.tenant_id = b.tenant_id AND s.item_id = b.item_id OFFSET 0) s
      WHERE b.tenant_id = $1 AND b.customer_id BETWEEN $2 AND $3 AND b.open_minor > 0`, [tenantId, range.first, range.last]);
  await sql.query(`SET LOCAL enable_seqscan = on`);
  // The customers by the slice's range on PostgreSQL (else it scanned them whole, twice per slice); not on PGlite,
  // whose planner, without statistics, then scanned them once per customer.
  const inRange = (alias: string) => (ctx.db.engine === 'postgres' ? `AND ${alias}.id BETWEEN $3 AND $4` : '');
  const customerRows = await sql.query<CustomerRow>(
    `WITH open AS (SELECT b.customer_id, sum(b.open_minor) FILTER (WHERE b.currency = oc.currency) AS open_minor
                     FROM item_balances b JOIN customers oc ON oc.tenant_id = b.tenant_id AND oc.id = b.customer_id ${inRange('oc')}
                    WHERE b.tenant_id = $1 AND b.customer_id BETWEEN $3 AND $4 AND b.open_minor > 0 AND b.side = 'debit' GROUP BY b.customer_id)
     SELECT c.id, c.code, c.name, c.address, c.currency, c.segment, c.collector, cp.grade, open.open_minor AS "openMinor",
            (SELECT count(*) FROM promises p WHERE p.tenant_id = $1 AND p.customer_id = c.id AND p.status IN ('broken', 'partly_kept')
               AND p.promised_date + p.grace_days > $2::date - 365 AND p.promised_date + p.grace_days <= $2::date) AS broken,
            dc.pinned_strategy_id AS pinned, dc.do_not_dun AS "doNotDun", dc.in_legal AS "inLegal",
            ct.name AS "contactName", ct.email, ct.phone, ct.language
       FROM open JOIN customers c ON c.tenant_id = $1 AND c.id = open.customer_id ${inRange('c')}
       LEFT JOIN credit_profiles cp ON cp.tenant_id = $1 AND cp.customer_id = c.id
       LEFT JOIN dunning_customers dc ON dc.tenant_id = $1 AND dc.customer_id = c.id
       LEFT JOIN LATERAL (SELECT x.name, x.email, x.phone, x.language FROM customer_contacts x WHERE x.tenant_id = $1 AND x.customer_id = c.id
                           ORDER BY (x.role ~* 'statement|billing|account|finance|对账|财务|账务|应付') DESC NULLS LAST, x.is_primary DESC, x.created_at LIMIT 1) ct ON true`,
    [tenantId, asOf, range.first, range.last]);
  const customers = new Map(customerRows.map((c) => [c.id, c]));
  const disputed = await sql.query<{ itemId: string }>(
    `SELECT DISTINCT di.item_id AS "itemId" FROM dispute_items di JOIN disputes x ON x.tenant_id = di.tenant_id AND x.id = di.dispute_id
      WHERE di.tenant_id = $1 AND x.customer_id BETWEEN $2 AND $3 AND x.status IN ('open', 'investigating')`, [tenantId, range.first, range.last]);
  const promised = await sql.query<{ customerId: string; itemId: string | null; until: LocalDate }>(
    `SELECT p.customer_id AS "customerId", pi.item_id AS "itemId", (p.promised_date + p.grace_days)::text AS until
       FROM promises p LEFT JOIN promise_items pi ON pi.tenant_id = p.tenant_id AND pi.promise_id = p.id
      WHERE p.tenant_id = $1 AND p.customer_id BETWEEN $3 AND $4 AND p.status = 'open' AND p.created_on <= $2 AND p.promised_date + p.grace_days >= $2::date`,
    [tenantId, asOf, range.first, range.last]);
  const promisedItemUntil = new Map<string, LocalDate>();
  const promisedCustomerUntil = new Map<string, LocalDate>();
  for (const p of promised) {
    const map = p.itemId ? promisedItemUntil : promisedCustomerUntil;
    const id = p.itemId ?? p.customerId;
    if (!map.has(id) || map.get(id)! < p.until) map.set(id, p.until);
  }
  const settings = await dunningSettings(sql, tenantId);
  // A customer in an open legal case is in legal, as is one marked so by hand.
  const inLegal = await customersInLegal(ctx, asOf, sql);
  const dunningCustomers: DunningCustomer[] = customerRows.map((c) => ({
    customerId: c.id, doNotDun: c.doNotDun ?? false, inLegal: (c.inLegal ?? false) || inLegal.has(c.id),
    strategyId: assignStrategy({ segment: c.segment, grade: c.grade, openMinor: big(c.openMinor), brokenPromises: Number(c.broken ?? 0), pinnedStrategyId: c.pinned }, rules)?.strategyId ?? null,
  }));
  const strategyOf = new Map(dunningCustomers.map((c) => [c.customerId, c.strategyId]));
  const customerOfItem = new Map(itemRows.map((r) => [r.itemId, r.customerId]));
  const doneByItem = new Map<string, { seqs: number[]; interestTo: LocalDate | null }>();
  for (const d of done) {
    if (strategyOf.get(customerOfItem.get(d.itemId) ?? '') !== d.strategyId) continue;
    const entry = doneByItem.get(d.itemId) ?? { seqs: [], interestTo: null };
    entry.seqs.push(Number(d.seq), ...d.skippedSeqs.map(Number));
    if (d.interestTo && (!entry.interestTo || d.interestTo > entry.interestTo)) entry.interestTo = d.interestTo;
    doneByItem.set(d.itemId, entry);
  }
  const items: DunningItem[] = itemRows.map((r) => ({
    itemId: r.itemId, customerId: r.customerId, documentNumber: r.number, seq: Number(r.seq), currency: r.currency, dueDate: r.dueDate, openMinor: big(r.openMinor),
    stepsDone: doneByItem.get(r.itemId)?.seqs ?? [], interestChargedTo: doneByItem.get(r.itemId)?.interestTo ?? null,
    // The terms' discount is on the whole installment: offered only while nothing is paid on it.
    discount: r.discountUntil && big(r.openMinor) === big(r.amountMinor) ? { amountMinor: big(r.discountMinor), until: r.discountUntil } : null,
  }));
  const plan = planRun({
    asOf, customers: dunningCustomers, items, strategies,
    exclusions: { disputedItemIds: new Set(disputed.map((d) => d.itemId)), promisedItemUntil, promisedCustomerUntil, paymentPlanItemIds: await itemsInPaymentPlans(ctx, asOf, sql), escalatedItemIds: await itemsInEscalation(ctx, asOf, sql) },
    interestRatePercent: settings.interestRatePercent ? parseDecimal(settings.interestRatePercent, 'interestRatePercent') : null,
  });
  const templates = new Map((await sql.query<{ key: string; language: string; subject: string; body: string }>(`SELECT key, language, subject, body FROM dunning_templates WHERE tenant_id = $1`, [tenantId]))
    .map((t) => [`${t.key}/${t.language}`, { subject: t.subject, body: t.body }]));
  return { asOf, plan, customers, strategies, templates, settings, company: await companyOf(sql, tenantId) };
}

export interface RenderedMessage {
  key: string;
  reference: string;
  customer: string;
  customerName: string;
  collector: string | null;
  strategy: string;
  stepSeq: number;
  channel: DunningChannel;
  language: TemplateLanguage;
  recipient: string | null;
  subject: string;
  body: string;
  items: { document: string; installment: number; dueDate: LocalDate; daysOverdue: number; currency: string; open: string; interest: string; interestFrom: LocalDate | null; itemId: string; skippedSeqs: number[]; hasDiscount: boolean; discount: string; discountUntil: string; payWithDiscount: string }[];
  totals: { currency: string; open: string; interest: string; fee: string; total: string }[];
}

// Zero, per currency, formatted once: most items carry no interest (a run formats two amounts per item).
const ZERO_AMOUNTS = new Map<string, string>();
function amountOf(minor: bigint, currency: string): string {
  if (minor !== 0n) return groupDigits(formatAmount(minor, currency));
  let zero = ZERO_AMOUNTS.get(currency);
  if (zero === undefined) ZERO_AMOUNTS.set(currency, (zero = formatAmount(0n, currency)));
  return zero;
}

/** A planned message with its template rendered in the contact's language (the company's when none; the other language when the key has only that one). */
function renderMessage(facts: RunFacts, m: PlannedMessage): RenderedMessage {
  const c = facts.customers.get(m.customerId)!;
  const strategy = facts.strategies.get(m.strategyId)!;
  const wanted: TemplateLanguage = c.language === 'en' ? 'en' : c.language === 'zh-CN' ? 'zh-CN' : 'zh-CN';
  const language: TemplateLanguage = facts.templates.has(`${m.step.templateKey}/${wanted}`) ? wanted : wanted === 'en' ? 'zh-CN' : 'en';
  const template = facts.templates.get(`${m.step.templateKey}/${language}`) ?? { subject: `${m.step.templateKey}`, body: `(no template ${m.step.templateKey})` };
  const reference = `DUN-${facts.asOf.replaceAll('-', '')}-${c.code}-${m.step.seq}`;
  const items = m.items.map((i) => ({
    document: i.documentNumber, installment: i.seq, dueDate: i.dueDate, daysOverdue: i.daysOverdue, currency: i.currency,
    open: amountOf(i.openMinor, i.currency), interest: amountOf(i.interestMinor, i.currency), interestFrom: i.interestFrom, itemId: i.itemId, skippedSeqs: i.skippedSeqs,
    hasDiscount: i.discount !== null, discount: i.discount ? amountOf(i.discount.amountMinor, i.currency) : '', discountUntil: i.discount?.until ?? '',
    payWithDiscount: i.discount ? amountOf(i.openMinor - i.discount.amountMinor, i.currency) : '',
  }));
  const totals = m.totals.map((t) => ({ currency: t.currency, open: amountOf(t.openMinor, t.currency), interest: amountOf(t.interestMinor, t.currency), fee: amountOf(t.feeMinor, t.currency), total: amountOf(t.totalMinor, t.currency) }));
  const s = facts.settings;
  const scope: TemplateScope = {
    company: { name: facts.company.name, address: facts.company.address ?? '' },
    customer: { code: c.code, name: c.name, address: c.address ?? '' },
    contact: { name: c.contactName ?? '', email: c.email ?? '', phone: c.phone ?? '' },
    asOf: facts.asOf, reference, step: { seq: m.step.seq, channel: m.step.channel }, statementLink: s.statementLink ?? '',
    bank: { name: s.bankName ?? '', account: s.bankAccount ?? '', accountName: s.bankAccountName ?? '' },
    // The rendered items themselves: their extra fields (itemId, skippedSeqs, interestFrom) are no template variable,
    // and a template naming an unknown variable is refused when saved, so they never show (one object less per item).
    items: items as unknown as TemplateScope[], totals,
    fee: m.step.feeMinor !== null ? amountOf(m.step.feeMinor, m.step.feeCurrency!) : '', hasFee: m.step.feeMinor !== null,
    hasInterest: m.items.some((i) => i.interestMinor > 0n),
  };
  const recipient = m.step.channel === 'sms' ? c.phone : TASK_CHANNELS.includes(m.step.channel) ? c.collector : c.email;
  return {
    key: m.key, reference, customer: c.code, customerName: c.name, collector: c.collector, strategy: strategy.code, stepSeq: m.step.seq, channel: m.step.channel, language,
    recipient: recipient ?? null, subject: renderTemplate(template.subject, scope), body: renderTemplate(template.body, scope), items, totals,
  };
}

export interface RunResult {
  runId: string | null;
  asOf: LocalDate;
  dryRun: boolean;
  messages: number;
  tasks: number;
  items: number;
  /** Items (or customers, itemId null) left out, by reason. */
  skipped: Record<SkipReason, number>;
  /** Messages already in the outbox for this day (a second run the same day): not written again. */
  alreadySent: number;
  feeDocuments: string[];
  /** At most MAX_PREVIEW_MESSAGES of them. */
  preview: RenderedMessage[];
}

const emptySkips = (): Record<SkipReason, number> => ({ disputed: 0, promise: 0, payment_plan: 0, escalated: 0, do_not_dun: 0, legal: 0, below_minimum: 0, no_strategy: 0 });

/**
 * The slices' reads are a few thousand key lookups each, which PostgreSQL's cost estimate puts above the JIT threshold:
 * compiling them took longer than running them (0.4 s a slice). The setting ends with the run's transaction.
 */
const NO_JIT = `SET LOCAL jit = off`;

/**
 * Runs dunning at `asOf` (default today). A dry run plans and renders, and writes nothing. A real run writes, in one
 * transaction: the run, each message to the outbox (calls and visits as tasks), the item steps reached and skipped,
 * the fee and interest documents through the ledger (kind `charge`), and the audit entries. Idempotent by key and by
 * construction (a second run the same day writes nothing new).
 */
export async function runDunning(ctx: Context, raw: RunInput, key?: string, options: { sliceCustomers?: number } = {}): Promise<RunResult> {
  const slice = options.sliceCustomers ?? RUN_SLICE_CUSTOMERS;
  const input = parseInput(runSchema, raw, 'dunning run');
  const today = tenantToday(ctx.tenant, ctx.clock);
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : today;
  if (!input.dryRun && asOf > today) throw invalid('DUNNING_RUN_IN_FUTURE', `asOf: ${asOf} is after today (${today}); a real run sends now, so preview a later date with dryRun`, [{ field: 'asOf', message: 'after today' }]);
  if (input.dryRun) {
    return ctx.db.tenant(ctx.tenant.id, async (sql) => {
      await sql.query(NO_JIT);
      const tally = newTally();
      await eachSlice(ctx, sql, asOf, await customerRanges(sql, ctx.tenant.id, slice), async (facts) => {
        countSkipped(tally, facts);
        countMessages(tally, facts.plan.messages);
        for (const m of facts.plan.messages) if (tally.preview.length < MAX_PREVIEW_MESSAGES) tally.preview.push(renderMessage(facts, m));
      });
      return resultOf(tally, null, asOf, true);
    });
  }
  return withIdempotency(ctx, key, 'dunning.run', { asOf }, async (sql) => {
    // One run at a time per company: two at once would plan the same steps.
    await sql.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, [`dunning:${ctx.tenant.id}`]);
    await sql.query(NO_JIT);
    const runId = uuidv7();
    // The run first (the outbox and item steps point at it), its figures filled in once written, in this transaction.
    await sql.query(`INSERT INTO dunning_runs (tenant_id, id, as_of, messages, tasks, items, skipped, fees, summary, created_by) VALUES ($1, $2, $3, 0, 0, 0, 0, 0, '{}', $4)`,
      [ctx.tenant.id, runId, asOf, ctx.actor]);
    const tally = newTally();
    const ranges = await customerRanges(sql, ctx.tenant.id, slice);
    const writer = outboxWriter(ctx, sql, runId, tally);
    // A second connection for the slices' reads (PostgreSQL), in the run's own snapshot: they run beside the writes of
    // the slice before instead of queueing behind them on the one connection.
    const reader = ranges.length > 1 ? await openSnapshotReader(ctx.db, sql, ctx.tenant.id, { setup: (r) => r.query(NO_JIT) }) : null;
    try {
      await eachSlice(ctx, reader?.sql ?? sql, asOf, ranges, (facts) => writer.write(facts));
    } finally {
      await reader?.close();
      await writer.settled();
    }
    await writer.finish();
    const result = resultOf(tally, runId, asOf, false);
    const skippedTotal = Object.values(result.skipped).reduce((a, b) => a + b, 0);
    await sql.query(
      `UPDATE dunning_runs SET messages = $3, tasks = $4, items = $5, skipped = $6, fees = $7, summary = $8 WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, runId, result.messages - result.tasks, result.tasks, result.items, skippedTotal, result.feeDocuments.length,
        JSON.stringify({ skipped: result.skipped, alreadySent: result.alreadySent, feeDocuments: result.feeDocuments.slice(0, 1000) })]);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'dunning.run', entityType: 'dunning_run', entityId: runId,
      after: { asOf, messages: result.messages, tasks: result.tasks, items: result.items, skipped: result.skipped, alreadySent: result.alreadySent, feeDocuments: result.feeDocuments.slice(0, 1000) },
    });
    return result;
  });
}

/**
 * Loads each slice's facts and hands them to `use`, one slice after the other. On PostgreSQL the next slice's reads
 * are sent before the current slice is used, so the database reads while this process plans, renders and writes
 * (on the run's reader connection when it has one, else queued on its own connection, where statements run in the
 * order sent). A slice's reads do not depend on the writes of the slices before it: they are about other customers
 * and their items. PGlite runs in this process: one thing at a time.
 */
async function eachSlice(ctx: Context, sql: Sql, asOf: LocalDate, ranges: readonly CustomerRange[], use: (facts: RunFacts) => Promise<void>): Promise<void> {
  if (ctx.db.engine !== 'postgres') {
    for (const range of ranges) await use(await loadFacts(ctx, sql, asOf, range));
    return;
  }
  const load = (i: number) => {
    if (i >= ranges.length) return null;
    const loading = loadFacts(ctx, sql, asOf, ranges[i]!);
    loading.catch(() => {}); // awaited below, or in the finally
    return loading;
  };
  let next = load(0);
  try {
    for (let i = 0; next; i++) {
      const facts = await next;
      next = load(i + 1);
      await use(facts);
    }
  } finally {
    // Never leave a read running on the connection once the transaction ends (failed or not).
    if (next) await next.catch(() => {});
  }
}

interface Tally { messages: number; tasks: number; items: number; skipped: Record<SkipReason, number>; alreadySent: number; feeDocuments: string[]; preview: RenderedMessage[] }
const newTally = (): Tally => ({ messages: 0, tasks: 0, items: 0, skipped: emptySkips(), alreadySent: 0, feeDocuments: [], preview: [] });

/** Adds what a slice's plan left out. */
function countSkipped(tally: Tally, facts: RunFacts): void {
  for (const s of facts.plan.skipped) tally.skipped[s.reason] += 1;
}

/** Adds messages (those written, for a real run). */
function countMessages(tally: Tally, messages: readonly PlannedMessage[]): void {
  tally.messages += messages.length;
  tally.tasks += messages.filter((m) => TASK_CHANNELS.includes(m.step.channel)).length;
  tally.items += messages.reduce((n, m) => n + m.items.length, 0);
}

const resultOf = (t: Tally, runId: string | null, asOf: LocalDate, dryRun: boolean): RunResult => ({
  runId, asOf, dryRun, messages: t.messages, tasks: t.tasks, items: t.items, skipped: t.skipped, alreadySent: t.alreadySent, feeDocuments: t.feeDocuments, preview: t.preview,
});

/**
 * An array parameter as PostgreSQL's array text, for values that need no quoting (uuids, integers, dates, or elements
 * already quoted): the drivers' general conversion escapes each element, a million times per run.
 */
const arrayText = (values: readonly (string | number | bigint | null)[]) => `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;

/** Messages per INSERT (with their items' steps). */
const OUTBOX_BATCH = 500;

interface Written { m: PlannedMessage; r: RenderedMessage; outboxId: string; asOf: LocalDate }

type RenderedItem = RenderedMessage['items'][number];

/**
 * An item as the outbox keeps it: its interest start and discount fields only when it has them (a million items a
 * run: the empty ones were over a quarter of the items' bytes); presentItem fills them back, so readers see every field.
 */
function storedItem(i: RenderedItem): Record<string, unknown> {
  const stored: Record<string, unknown> = {
    document: i.document, installment: i.installment, dueDate: i.dueDate, daysOverdue: i.daysOverdue, currency: i.currency, open: i.open, interest: i.interest, itemId: i.itemId,
  };
  if (i.interestFrom !== null) stored.interestFrom = i.interestFrom;
  if (i.hasDiscount) Object.assign(stored, { hasDiscount: true, discount: i.discount, discountUntil: i.discountUntil, payWithDiscount: i.payWithDiscount });
  return stored;
}

/** An outbox item with the fields storedItem leaves out when empty (rows written before kept them all). */
const presentItem = (stored: unknown): unknown =>
  stored && typeof stored === 'object' ? { interestFrom: null, hasDiscount: false, discount: '', discountUntil: '', payWithDiscount: '', ...stored } : stored;

/**
 * A real run's writer: the slices' outbox messages, item steps and fee documents, added to the tally. One statement
 * per batch writes its messages and, for those the outbox took (not already there from an earlier run the same day),
 * their items' steps. One batch is in flight while the next is rendered, from one slice to the next: the database
 * writes the end of a slice while this process plans and renders the start of the next. settled() waits for the
 * batch in flight (whatever became of it); finish() then posts the fees of the last messages written.
 */
function outboxWriter(ctx: Context, sql: Sql, runId: string, tally: Tally) {
  const tenantId = ctx.tenant.id;
  let inflight: { asOf: LocalDate; batch: { m: PlannedMessage; r: RenderedMessage; id: string }[]; inserted: Promise<{ id: string }[]> } | null = null;
  let written: Written[] = [];
  const settle = async () => {
    if (!inflight) return;
    const { asOf, batch, inserted } = inflight;
    inflight = null;
    const ids = new Set((await inserted).map((x) => x.id));
    for (const b of batch) {
      if (ids.has(b.id)) written.push({ m: b.m, r: b.r, outboxId: b.id, asOf });
      else tally.alreadySent += 1;
    }
  };
  // The messages whose statement has returned: their fees and late interest, then the tally.
  const postWritten = async () => {
    const done = written;
    written = [];
    tally.feeDocuments.push(...await postCharges(ctx, sql, done));
    countMessages(tally, done.map((w) => w.m));
    for (const w of done) if (tally.preview.length < MAX_PREVIEW_MESSAGES) tally.preview.push(w.r);
  };
  return {
    async write(facts: RunFacts): Promise<void> {
      const messages = facts.plan.messages;
      for (let first = 0; first < messages.length; first += OUTBOX_BATCH) {
        const batch = messages.slice(first, first + OUTBOX_BATCH).map((m) => ({ m, r: renderMessage(facts, m), id: uuidv7() }));
        const rows = batch.map(({ m, r, id }) => ({
          id, key: m.key, customer_id: m.customerId, strategy_id: m.strategyId, step_seq: m.step.seq, channel: m.step.channel, language: r.language, recipient: r.recipient,
          subject: r.subject, body: r.body, totals: r.totals, items: r.items.map(storedItem),
          status: TASK_CHANNELS.includes(m.step.channel) ? 'task' : 'queued',
        }));
        // The item steps: one row per item, the step sent and the stale ones before it, skipped; as arrays, a column each.
        // Without ON CONFLICT (its speculative insertion cost 40% more per row): the plan never holds a step an item
        // reached or skipped already (the run reads them after taking the company's dunning lock), so a duplicate is a
        // bug, and the primary key stops it loudly rather than dropping the row without a word.
        const steps = batch.flatMap(({ m, id }) => m.items.map((i) => ({ i, m, id })));
        const params = [tenantId, runId, facts.asOf, JSON.stringify(rows), arrayText(steps.map((r) => r.i.itemId)), arrayText(steps.map((r) => r.m.strategyId)), arrayText(steps.map((r) => r.m.step.seq)),
          arrayText(steps.map((r) => `"{${r.i.skippedSeqs.join(',')}}"`)), arrayText(steps.map((r) => r.id)), arrayText(steps.map((r) => r.i.openMinor)),
          arrayText(steps.map((r) => r.i.interestMinor)), arrayText(steps.map((r) => (r.i.interestFrom ? facts.asOf : null)))];
        await settle();
        const inserted = sql.query<{ id: string }>(
          `WITH outbox AS (
             INSERT INTO dunning_outbox (tenant_id, id, run_id, key, as_of, customer_id, strategy_id, step_seq, channel, language, recipient, subject, body, totals, items, status)
             SELECT $1, x.id, $2, x.key, $3, x.customer_id, x.strategy_id, x.step_seq, x.channel, x.language, x.recipient, x.subject, x.body, x.totals, x.items, x.status
               FROM jsonb_to_recordset($4::jsonb) AS x(id uuid, key text, customer_id uuid, strategy_id uuid, step_seq int, channel text, language text, recipient text,
                                                       subject text, body text, totals jsonb, items jsonb, status text)
             ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id),
           steps AS (
             INSERT INTO dunning_item_steps (tenant_id, item_id, strategy_id, step_seq, skipped_seqs, run_id, outbox_id, as_of, open_minor, interest_minor, interest_to)
             SELECT $1, x.item_id, x.strategy_id, x.step_seq, x.skipped_seqs::int[], $2, x.outbox_id, $3, x.open_minor, x.interest_minor, x.interest_to
               FROM unnest($5::uuid[], $6::uuid[], $7::int[], $8::text[], $9::uuid[], $10::bigint[], $11::bigint[], $12::date[])
                 AS x(item_id, strategy_id, step_seq, skipped_seqs, outbox_id, open_minor, interest_minor, interest_to)
              WHERE x.outbox_id IN (SELECT id FROM outbox))
           SELECT id FROM outbox`, params);
        // Awaited by settle(), at the latest when the run ends; until then its failure is not an unhandled rejection.
        inserted.catch(() => {});
        inflight = { asOf: facts.asOf, batch, inserted };
        if (written.length) await postWritten();
      }
      countSkipped(tally, facts);
    },
    /** Waits for the batch in flight, if any; its failure is thrown by finish(), or by the statement after it. */
    async settled(): Promise<void> {
      if (inflight) await inflight.inserted.catch(() => {});
    },
    async finish(): Promise<void> {
      await settle();
      await postWritten();
    },
  };
}

/** Fees and late interest of messages written, posted through the ledger as `charge` documents keyed by the message (externalId). */
async function postCharges(ctx: Context, sql: Sql, written: readonly Written[]): Promise<string[]> {
  const feeDocuments: string[] = [];
  for (const { m, r, outboxId, asOf } of written) {
    const numbers: string[] = [];
    for (const t of m.totals) {
      const charges: [string, bigint, string][] = [];
      if (t.feeMinor > 0n) charges.push(['fee', t.feeMinor, `dunning fee, step ${m.step.seq} (${m.step.channel}), ${r.reference}`]);
      if (t.interestMinor > 0n) charges.push(['interest', t.interestMinor, `late interest to ${asOf}, ${r.reference}`]);
      for (const [what, amountMinor, memo] of charges) {
        const posted = await postDocument({ ...ctx }, {
          kind: 'charge', customer: r.customer, documentDate: asOf, dueDate: asOf, currency: t.currency, amount: formatAmount(amountMinor, t.currency),
          memo, reason: `dunning ${what}`, sourceSystem: 'dunning', externalId: `${outboxId}:${what}:${t.currency}`,
        }, sql);
        numbers.push(posted.document.number);
      }
    }
    if (numbers.length) {
      await sql.query(`UPDATE dunning_outbox SET fee_documents = $3 WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, outboxId, numbers]);
      feeDocuments.push(...numbers);
    }
  }
  return feeDocuments;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs and the outbox, read.

export interface PresentedRun { id: string; asOf: LocalDate; messages: number; tasks: number; items: number; skipped: number; fees: number; summary: unknown; createdAt: string; createdBy: string }

export async function listRuns(ctx: Context, sql: Sql, raw: { limit?: number | string | undefined } = {}): Promise<PresentedRun[]> {
  const { limit } = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50) }), raw, 'runs');
  const rows = await sql.query<PresentedRun>(
    `SELECT id, as_of::text AS "asOf", messages, tasks, items, skipped, fees, summary, created_at AS "createdAt", created_by AS "createdBy"
       FROM dunning_runs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [ctx.tenant.id, limit]);
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
}

export async function getRun(ctx: Context, sql: Sql, id: string): Promise<PresentedRun & { outbox: PresentedMessage[] }> {
  if (!uuidPattern.test(id)) throw notFound('DUNNING_RUN_NOT_FOUND', `no dunning run has id ${id}`);
  const [row] = await sql.query<PresentedRun>(
    `SELECT id, as_of::text AS "asOf", messages, tasks, items, skipped, fees, summary, created_at AS "createdAt", created_by AS "createdBy" FROM dunning_runs WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id]);
  if (!row) throw notFound('DUNNING_RUN_NOT_FOUND', `no dunning run has id ${id}`);
  const outbox = await listOutbox(ctx, sql, { run: id, limit: MAX_PAGE });
  return { ...row, createdAt: new Date(row.createdAt).toISOString(), outbox: outbox.rows };
}

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed', 'bounced', 'task', 'done'] as const;
export const outboxQuerySchema = z.object({
  run: z.string().regex(uuidPattern, 'give a run id').optional(),
  customer: z.string().trim().min(1).max(100).optional(),
  status: z.enum(OUTBOX_STATUSES).optional(),
  channel: z.enum(DUNNING_CHANNELS).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

export interface PresentedMessage {
  id: string; runId: string; asOf: LocalDate; customer: string; customerName: string; collector: string | null; strategy: string; stepSeq: number; channel: DunningChannel;
  language: string; recipient: string | null; subject: string; body: string; totals: unknown; items: unknown; feeDocuments: string[]; status: string; attempts: number;
  nextAttemptAt: string | null; messageId: string | null; error: string | null; sentAt: string | null;
}

const OUTBOX_SELECT = `
  SELECT o.id, o.run_id AS "runId", o.as_of::text AS "asOf", c.code AS customer, c.name AS "customerName", c.collector, s.code AS strategy, o.step_seq AS "stepSeq",
         o.channel, o.language, o.recipient, o.subject, o.body, o.totals, o.items, o.fee_documents AS "feeDocuments", o.status, o.attempts,
         o.next_attempt_at AS "nextAttemptAt", o.message_id AS "messageId", o.error, o.sent_at AS "sentAt"
    FROM dunning_outbox o JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    JOIN dunning_strategies s ON s.tenant_id = o.tenant_id AND s.id = o.strategy_id`;

const presentMessage = (r: PresentedMessage & { total?: unknown }): PresentedMessage => {
  const { total: _t, ...m } = r;
  return { ...m, items: Array.isArray(m.items) ? m.items.map(presentItem) : m.items, stepSeq: Number(m.stepSeq), attempts: Number(m.attempts), feeDocuments: m.feeDocuments ?? [],
    nextAttemptAt: m.nextAttemptAt ? new Date(m.nextAttemptAt).toISOString() : null, sentAt: m.sentAt ? new Date(m.sentAt).toISOString() : null };
};

/** The outbox in the caller's scope (a collector: their customers' messages), newest first; filtered, paged. */
export async function listOutbox(ctx: Context, sql: Sql, raw: z.input<typeof outboxQuerySchema> = {}): Promise<{ total: number; rows: PresentedMessage[]; nextOffset: number | null }> {
  const q = parseInput(outboxQuerySchema, raw, 'outbox');
  const { where, params, add, inScope } = listFilter('o', ctx.tenant.id);
  if (q.run) add((n) => `o.run_id = $${n}`, q.run);
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  if (q.status) add((n) => `o.status = $${n}`, q.status);
  if (q.channel) add((n) => `o.channel = $${n}`, q.channel);
  inScope(ctx);
  params.push(q.limit, q.offset);
  const rows = await sql.query<PresentedMessage & { total: unknown }>(
    `${OUTBOX_SELECT.replace('o.sent_at AS "sentAt"', 'o.sent_at AS "sentAt", count(*) OVER () AS total')} WHERE ${where.join(' AND ')}
      ORDER BY o.created_at DESC, o.key LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { total, rows: rows.map(presentMessage), nextOffset: q.offset + rows.length < total ? q.offset + rows.length : null };
}

export async function getMessage(ctx: Context, sql: Sql, id: string): Promise<PresentedMessage> {
  if (!uuidPattern.test(id)) throw notFound('DUNNING_MESSAGE_NOT_FOUND', `no dunning message has id ${id}`);
  const scope = customerScope(ctx);
  const rows = await sql.query<PresentedMessage>(`${OUTBOX_SELECT} WHERE o.tenant_id = $1 AND o.id = $2 ${scope ? `AND c.${scope.field} = $3` : ''}`, scope ? [ctx.tenant.id, id, scope.handle] : [ctx.tenant.id, id]);
  if (!rows[0]) throw notFound('DUNNING_MESSAGE_NOT_FOUND', `no dunning message has id ${id}`);
  return presentMessage(rows[0]);
}

/** Marks a call or visit task done (the collector logs the call itself through the activities). */
export async function completeTask(ctx: Context, id: string, key?: string): Promise<PresentedMessage> {
  return withIdempotency(ctx, key, 'dunning.task.done', { id }, async (sql) => {
    const message = await getMessage(ctx, sql, id);
    if (message.status !== 'task') throw conflict('DUNNING_NOT_A_TASK', `message ${id} is ${message.status}, not an open task`);
    await sql.query(`UPDATE dunning_outbox SET status = 'done', sent_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'task'`, [ctx.tenant.id, id, ctx.clock.now().toISOString()]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'dunning.task.done', entityType: 'dunning_message', entityId: id, before: { status: 'task' }, after: { status: 'done' } });
    return getMessage(ctx, sql, id);
  });
}

export const bounceSchema = z.object({
  /** The email's Message-ID as sent (`<dunning-…@arflow>`, the angle brackets optional), or… */
  messageId: z.string().trim().min(3).max(300).optional(),
  /** …the SMS provider's id of the message. */
  providerId: z.string().trim().min(1).max(200).optional(),
  /** What the mail server or provider said (e.g. "550 5.1.1 mailbox unavailable"). */
  reason: z.string().trim().min(1).max(1000),
}).strict().refine((b) => (b.messageId === undefined) !== (b.providerId === undefined), { message: 'give messageId (email) or providerId (SMS), one of them', path: ['messageId'] });

/**
 * A bounce reported for a sent message (a mail server's delivery status notification, or an SMS provider's failed
 * delivery), found by the id it was sent with: the message becomes `bounced` with the reason, is not sent again, and
 * shows so in the outbox for the collector to find another way. Idempotent under the caller's key; a second report
 * of the same bounce changes nothing.
 */
export async function recordBounce(ctx: Context, raw: z.input<typeof bounceSchema>, key?: string): Promise<PresentedMessage> {
  const input = parseInput(bounceSchema, raw, 'bounce');
  return withIdempotency(ctx, key, 'dunning.bounce', input, async (sql) => {
    const messageId = input.messageId?.replace(/^<|>$/g, '');
    // Message-IDs are stored as sent, in angle brackets; both lookups use their index.
    const [row] = await sql.query<{ id: string; status: string }>(
      messageId !== undefined
        ? `SELECT id, status FROM dunning_outbox WHERE tenant_id = $1 AND message_id = $2 FOR UPDATE`
        : `SELECT id, status FROM dunning_outbox WHERE tenant_id = $1 AND provider_id = $2 FOR UPDATE`,
      [ctx.tenant.id, messageId !== undefined ? `<${messageId}>` : input.providerId]);
    const which = messageId !== undefined ? `Message-ID <${messageId}>` : `provider id ${input.providerId}`;
    if (!row) throw notFound('DUNNING_MESSAGE_NOT_FOUND', `no dunning message was sent with ${which}`);
    if (row.status === 'bounced') return getMessage(ctx, sql, row.id);
    if (row.status !== 'sent') throw conflict('DUNNING_NOT_SENT', `the message sent with ${which} is ${row.status}; only a sent message can bounce`);
    await sql.query(`UPDATE dunning_outbox SET status = 'bounced', error = $3 WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, row.id, input.reason]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'dunning.bounced', entityType: 'dunning_message', entityId: row.id, before: { status: 'sent' }, after: { status: 'bounced', reason: input.reason } });
    return getMessage(ctx, sql, row.id);
  });
}

/** The daily job: every company's run at its today; one company's failure does not stop the others. */
export async function runDailyDunning(db: Database, clock: Clock, log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): Promise<void> {
  for (const tenant of await listTenants(db)) {
    const ctx: Context = { db, tenant, clock, actor: 'job:dunning.daily' };
    try {
      const today = tenantToday(tenant, clock);
      const result = await runDunning(ctx, { asOf: today }, `dunning.daily:${today}`);
      if (result.messages) log?.info({ tenant: tenant.code, asOf: today, messages: result.messages, tasks: result.tasks }, 'dunning run');
    } catch (error) {
      if (error instanceof AppError) log?.error({ tenant: tenant.code, code: error.code, err: error }, 'dunning run failed');
      else log?.error({ tenant: tenant.code, err: error }, 'dunning run failed');
    }
  }
}

export const LETTERS: readonly DunningChannel[] = LETTER_CHANNELS;
