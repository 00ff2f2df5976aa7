/**
 * Credit limits, commitments, credit checks and holds (issue 5). Load → compute (src/domain/credit-limits.ts) →
 * persist in one transaction. Limit changes and hold releases always wait for a second person (src/modules/approvals);
 * that module calls back into applyLimitChange and releaseHold when the request is approved.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import {
  CHECK_KINDS, decideCheck, effectiveLimit, exposureOf, firingHoldRules, utilisationPercent, type CheckKind, type ExposureParts, type HoldRule, type LimitTerms,
} from '../../domain/credit-limits.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { convertAmount, parseDecimal } from '../../domain/decimal.ts';
import { conflict, invalid, notAllowed, notFound } from '../../domain/errors.ts';
import { checkCurrency, currencyScale, formatAmount, parseAmount, roundHalfUp } from '../../domain/money.ts';
import { assertInScope } from '../access/scope.ts';
import { requestApproval } from '../approvals/index.ts';
import { requestEvaluation } from '../alerts/request.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { getCustomer, getCustomerById, updateCustomer, type Customer } from '../customers/index.ts';
import { fxRateOn } from '../fx/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { tenantToday } from '../tenants/index.ts';
import { amountText, localDateText, parseInput } from '../validate.ts';

// ---------------------------------------------------------------------------------------------------------------
// Settings

const roleAmounts = z.object({ credit_manager: amountText.nullable().optional(), finance_manager: amountText.nullable().optional() });

export const creditSettingsSchema = z.object({
  /** Which parts make up the exposure. */
  exposure: z.object({
    receivables: z.boolean(), orders: z.boolean(), shipments: z.boolean(), checkedAmount: z.boolean(), advances: z.boolean(),
  }),
  /** Utilisation at or above this whole percentage warns; null: no warn band. */
  warnPercent: z.number().int().min(1).max(100).nullable(),
  holdRules: z.object({
    overdueDays: z.number().int().min(0).max(3650).nullable(),
    /** In the functional currency. */
    overdueAmount: amountText.nullable(),
    gradeE: z.boolean(),
    reviewExpired: z.boolean(),
  }),
  /** What an active hold blocks; the other kinds get a warning. */
  holdBlocks: z.array(z.enum(CHECK_KINDS)).max(3),
  /**
   * The largest limit (base + temporary, functional currency) each role may approve; admin: unlimited. A role absent
   * or null may not approve limit changes.
   */
  approvalLimits: roleAmounts,
});
export type CreditSettings = z.output<typeof creditSettingsSchema>;

export const DEFAULT_CREDIT_SETTINGS: CreditSettings = {
  exposure: { receivables: true, orders: true, shipments: true, checkedAmount: true, advances: true },
  warnPercent: 90,
  holdRules: { overdueDays: 60, overdueAmount: null, gradeE: true, reviewExpired: false },
  holdBlocks: ['order', 'shipment'],
  approvalLimits: { credit_manager: '500000.00', finance_manager: '5000000.00' },
};

export async function creditSettings(sql: Sql, ctx: Context): Promise<CreditSettings> {
  const [row] = await sql.query<{ settings: CreditSettings }>(`SELECT settings FROM credit_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  return row?.settings ?? DEFAULT_CREDIT_SETTINGS;
}

/** Replaces the company's credit settings (company.manage), audited with before and after. */
export async function setCreditSettings(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<CreditSettings> {
  const settings = parseInput(creditSettingsSchema, raw, 'credit settings');
  const currency = ctx.tenant.currency;
  if (settings.holdRules.overdueAmount !== null) parseAmount(settings.holdRules.overdueAmount, currency, 'holdRules.overdueAmount');
  for (const [role, v] of Object.entries(settings.approvalLimits)) if (v) parseAmount(v, currency, `approvalLimits.${role}`);
  return withIdempotency(ctx, idempotencyKey, 'credit.settings', settings, async (sql) => {
    const before = await creditSettings(sql, ctx);
    await sql.query(
      `INSERT INTO credit_settings (tenant_id, settings, updated_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()`,
      [ctx.tenant.id, JSON.stringify(settings), ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.settings', entityType: 'credit_settings', entityId: ctx.tenant.code, before, after: settings });
    return settings;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Currency conversion (exposure parts into the limit's currency)

/**
 * Converts between any two currencies through the functional one at the latest rates on or before `asOf`, each step
 * rounded half up to the target's minor unit. A missing rate is FX_RATE_MISSING, as in aging.
 */
async function converter(sql: Sql, ctx: Context, asOf: LocalDate) {
  const functional = ctx.tenant.currency;
  const rates = new Map<string, string>();
  const rateOf = async (currency: string) => {
    if (!rates.has(currency)) {
      const rate = await fxRateOn(sql, ctx.tenant.id, currency, asOf);
      if (rate === null) {
        throw invalid('FX_RATE_MISSING', `exposure: no ${currency} rate on or before ${asOf}; record one (arflow fx set ${currency} ${asOf} RATE, or POST /api/v1/fx-rates) and check again`, [{ field: 'currency', message: `${currency} rate missing` }]);
      }
      rates.set(currency, rate);
    }
    return parseDecimal(rates.get(currency)!, 'rate');
  };
  const convert = async (amountMinor: bigint, from: string, to: string): Promise<bigint> => {
    if (from === to || amountMinor === 0n) return amountMinor;
    const inFunctional = from === functional ? amountMinor : convertAmount(amountMinor, from, functional, await rateOf(from));
    if (to === functional) return inFunctional;
    // functional → foreign: divide by the foreign currency's rate (units of functional per one unit of `to`).
    const rate = await rateOf(to);
    const shift = currencyScale(to) - currencyScale(functional);
    const numerator = inFunctional * 10n ** BigInt(rate.scale) * (shift > 0 ? 10n ** BigInt(shift) : 1n);
    const denominator = rate.units * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
    return roundHalfUp(numerator, denominator);
  };
  return { convert, rates };
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

export interface LimitVersion {
  id: string;
  customerId: string;
  scope: 'customer' | 'group';
  version: number;
  currency: string;
  limitMinor: bigint;
  temporaryMinor: bigint | null;
  temporaryFrom: string | null;
  temporaryTo: string | null;
  temporaryReason: string | null;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  approvalId: string | null;
  createdAt: string;
}

const VERSION_SELECT = `SELECT id, customer_id AS "customerId", scope, version, currency, limit_minor AS "limitMinor", temporary_minor AS "temporaryMinor",
  temporary_from AS "temporaryFrom", temporary_to AS "temporaryTo", temporary_reason AS "temporaryReason", reason, requested_by AS "requestedBy",
  approved_by AS "approvedBy", approval_id AS "approvalId", created_at AS "createdAt" FROM credit_limit_versions`;

function presentVersion(v: LimitVersion) {
  return {
    version: v.version, scope: v.scope, currency: v.currency, limit: formatAmount(v.limitMinor, v.currency),
    temporary: v.temporaryMinor === null ? null : { amount: formatAmount(v.temporaryMinor, v.currency), validFrom: v.temporaryFrom, validTo: v.temporaryTo, reason: v.temporaryReason },
    reason: v.reason, requestedBy: v.requestedBy, approvedBy: v.approvedBy, approvalId: v.approvalId, createdAt: new Date(v.createdAt).toISOString(),
  };
}

async function latestVersion(sql: Sql, tenantId: string, customerId: string, scope: 'customer' | 'group'): Promise<LimitVersion | null> {
  const [row] = await sql.query<LimitVersion>(`${VERSION_SELECT} WHERE tenant_id = $1 AND customer_id = $2 AND scope = $3 ORDER BY version DESC LIMIT 1`, [tenantId, customerId, scope]);
  return row ?? null;
}

/**
 * The customer's limit: the latest approved version; its base in the customer's own currency is the customer record's
 * credit_limit_minor, which the existing customer change flow also writes, so both flows stay one limit. No version:
 * the customer record's limit, without a temporary increase.
 */
async function customerLimitTerms(sql: Sql, tenantId: string, customer: Customer): Promise<(LimitTerms & { currency: string }) | null> {
  return limitTermsOf(customer, await latestVersion(sql, tenantId, customer.id, 'customer'));
}

function limitTermsOf(customer: Pick<Customer, 'currency' | 'creditLimitMinor'>, v: LimitVersion | null): (LimitTerms & { currency: string }) | null {
  if (!v) return customer.creditLimitMinor === null ? null : { currency: customer.currency, limitMinor: customer.creditLimitMinor, temporary: null };
  const base = v.currency === customer.currency && customer.creditLimitMinor !== null ? customer.creditLimitMinor : v.limitMinor;
  return { currency: v.currency, limitMinor: base, temporary: termsTemporary(v) };
}

/**
 * Every customer's own limit in force on `asOf` (with its temporary increase) and its exposure as the credit check
 * counts it (the settings' parts; no amount being checked): what the early-warning limit rule compares. The exposure
 * is summed in the limit's currency exactly as the credit check sums it (one code path, `exposureParts`), then both
 * figures are converted to the functional currency at the as-of rate for the alert; for a limit in the functional
 * currency (the usual case) the rule and the check compare the very same numbers. Customers without a limit are
 * absent. Set-based: five statements whatever the number of customers (or one customer).
 */
export async function limitPositions(ctx: Context, sql: Sql, asOf: LocalDate, customerIds: readonly string[] | null = null): Promise<Map<string, { limitMinor: bigint; exposureMinor: bigint }>> {
  const functional = ctx.tenant.currency;
  const settings = await creditSettings(sql, ctx);
  const { convert } = await converter(sql, ctx, asOf);
  const customers = await sql.query<{ id: string; currency: string; creditLimitMinor: bigint | null }>(
    `SELECT id, currency, credit_limit_minor AS "creditLimitMinor" FROM customers WHERE tenant_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
    [ctx.tenant.id, customerIds]);
  const versions = new Map((await sql.query<LimitVersion>(
    `SELECT DISTINCT ON ("customerId") * FROM (${VERSION_SELECT} WHERE tenant_id = $1 AND scope = 'customer' AND ($2::uuid[] IS NULL OR customer_id = ANY($2::uuid[]))) v
      ORDER BY "customerId", version DESC`, [ctx.tenant.id, customerIds])).map((v) => [v.customerId, v]));
  const loaded = await loadExposure(sql, ctx.tenant.id, customerIds, asOf);
  const byCustomer = <T extends { customerId: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) map.set(r.customerId, [...(map.get(r.customerId) ?? []), r]);
    return map;
  };
  const ledger = byCustomer(loaded.ledger);
  const commitments = byCustomer(loaded.commitments);
  const nothingChecked = { amountMinor: 0n, currency: functional };
  const out = new Map<string, { limitMinor: bigint; exposureMinor: bigint }>();
  for (const c of customers) {
    const terms = limitTermsOf({ currency: c.currency, creditLimitMinor: c.creditLimitMinor === null ? null : BigInt(c.creditLimitMinor) }, versions.get(c.id) ?? null);
    if (!terms) continue;
    const parts = await exposureParts({ ledger: ledger.get(c.id) ?? [], commitments: commitments.get(c.id) ?? [] }, convert, terms.currency, settings, nothingChecked);
    out.set(c.id, {
      limitMinor: await convert(effectiveLimit(terms, asOf).totalMinor, terms.currency, functional),
      exposureMinor: await convert(exposureOf(parts), terms.currency, functional),
    });
  }
  return out;
}

function termsTemporary(v: LimitVersion): LimitTerms['temporary'] {
  return v.temporaryMinor === null ? null : { amountMinor: v.temporaryMinor, validFrom: v.temporaryFrom!, validTo: v.temporaryTo! };
}

async function groupHead(sql: Sql, tenantId: string, customer: Customer): Promise<Customer> {
  return customer.parentId ? getCustomerById(sql, tenantId, customer.parentId) : customer;
}

async function groupMembers(sql: Sql, tenantId: string, headId: string): Promise<{ id: string; code: string }[]> {
  return sql.query(`SELECT id, code FROM customers WHERE tenant_id = $1 AND (id = $2 OR parent_id = $2) ORDER BY code LIMIT 10000`, [tenantId, headId]);
}

export const limitRequestSchema = z.object({
  customer: z.string().min(1).max(64),
  /** `group`: the limit of the customer's group (set on the group's head, covering all its members). */
  scope: z.enum(['customer', 'group']).default('customer'),
  currency: z.string().length(3).transform((c) => c.toUpperCase()).optional(),
  limit: amountText,
  temporary: z.object({
    amount: amountText,
    validFrom: localDateText,
    validTo: localDateText,
    reason: z.string().trim().min(1).max(500),
  }).optional(),
  reason: z.string().trim().min(1, 'say why the limit changes').max(500),
});
export type LimitRequest = z.input<typeof limitRequestSchema>;

/** Asks for a limit change; it takes effect when another user with enough authority approves it. */
export async function requestLimitChange(ctx: Context, raw: LimitRequest, idempotencyKey?: string) {
  const input = parseInput(limitRequestSchema, raw, 'limit request');
  return withIdempotency(ctx, idempotencyKey, 'credit.limit_request', input, (sql) => openLimitRequest(ctx, sql, input));
}

/**
 * Keeps the limit history whole when the customer record's limit changes through the customer change flow
 * (PATCH /api/v1/customers/{code}): a new customer-scope version in the customer's currency, carrying over the
 * temporary increase of the latest version in that currency. `approvedBy` is the approver, or the user who changed
 * it directly when the company's threshold asks for no approval (the reason says so).
 */
export async function recordCustomerLimit(ctx: Context, sql: Sql, customer: Customer, who: { requestedBy: string; approvedBy: string; approvalId: string | null; reason: string }): Promise<void> {
  const previous = await latestVersion(sql, ctx.tenant.id, customer.id, 'customer');
  if (customer.creditLimitMinor === null || (previous && previous.currency === customer.currency && previous.limitMinor === customer.creditLimitMinor)) return;
  const carried = previous && previous.currency === customer.currency ? previous : null;
  await sql.query(
    `INSERT INTO credit_limit_versions (tenant_id, id, customer_id, scope, version, currency, limit_minor, temporary_minor, temporary_from, temporary_to,
            temporary_reason, reason, requested_by, approved_by, approval_id)
     VALUES ($1, $2, $3, 'customer', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [ctx.tenant.id, uuidv7(), customer.id, (previous?.version ?? 0) + 1, customer.currency, customer.creditLimitMinor, carried?.temporaryMinor ?? null,
      carried?.temporaryFrom ?? null, carried?.temporaryTo ?? null, carried?.temporaryReason ?? null, who.reason.slice(0, 500), who.requestedBy, who.approvedBy, who.approvalId]);
}

/** The approved limit of the group headed by `headId` in force on `asOf` (with its temporary increase), or null. */
export async function groupLimitInForce(ctx: Context, sql: Sql, headId: string, asOf: LocalDate): Promise<{ currency: string; totalMinor: bigint } | null> {
  const v = await latestVersion(sql, ctx.tenant.id, headId, 'group');
  return v ? { currency: v.currency, totalMinor: effectiveLimit({ limitMinor: v.limitMinor, temporary: termsTemporary(v) }, asOf).totalMinor } : null;
}

/** Asks for a limit change inside the caller's transaction (a credit review proposing a new limit does). */
export async function openLimitRequest(ctx: Context, sql: Sql, raw: LimitRequest) {
  const input = parseInput(limitRequestSchema, raw, 'limit request');
  const customer = await getCustomer(sql, ctx.tenant.id, input.customer);
  await assertInScope(ctx, sql, customer.id);
  const head = input.scope === 'group' ? await groupHead(sql, ctx.tenant.id, customer) : customer;
  const checked = checkLimitRequest(input, head);
  const summary = `${input.scope === 'group' ? `group ${head.code}` : customer.code}: credit limit ${formatAmount(checked.limitMinor, checked.currency)} ${checked.currency}`
    + (input.temporary ? ` + temporary ${input.temporary.amount} ${input.temporary.validFrom}..${input.temporary.validTo}` : '') + `: ${input.reason}`;
  const approval = await requestApproval(sql, ctx, 'credit.limit', { ...input, customer: head.code, currency: checked.currency }, summary);
  return { approvalId: approval.id, status: approval.status, summary };
}

function checkLimitRequest(input: z.output<typeof limitRequestSchema>, head: Customer) {
  const currency = checkCurrency(input.currency ?? head.currency);
  const limitMinor = parseAmount(input.limit, currency, 'limit');
  let temporaryMinor: bigint | null = null;
  if (input.temporary) {
    parseDate(input.temporary.validFrom, 'temporary.validFrom');
    parseDate(input.temporary.validTo, 'temporary.validTo');
    if (input.temporary.validTo < input.temporary.validFrom) {
      throw invalid('VALIDATION_FAILED', 'temporary.validTo: the increase must end on or after its first day', [{ field: 'temporary.validTo', message: 'before validFrom' }]);
    }
    temporaryMinor = parseAmount(input.temporary.amount, currency, 'temporary.amount');
    if (temporaryMinor === 0n) throw invalid('VALIDATION_FAILED', 'temporary.amount: a temporary increase must be more than zero', [{ field: 'temporary.amount', message: 'zero' }]);
  }
  return { currency, limitMinor, temporaryMinor };
}

/**
 * Applies an approved limit change (called by approvals, in its transaction). The approver's role must have the
 * authority for the limit's size: base + temporary, in the functional currency, at most the role's approval limit.
 */
export async function applyLimitChange(ctx: Context, sql: Sql, raw: unknown, approval: { id: string; requestedBy: string }, approver: { role: string; actor: string }) {
  const input = parseInput(limitRequestSchema, raw, 'limit request');
  const head = await getCustomer(sql, ctx.tenant.id, input.customer);
  const checked = checkLimitRequest(input, head);
  const settings = await creditSettings(sql, ctx);
  if (approver.role !== 'admin') {
    const authority = settings.approvalLimits[approver.role as keyof CreditSettings['approvalLimits']];
    if (!authority) throw notAllowed('CREDIT_AUTHORITY', `your role (${approver.role}) has no authority to approve credit limits; ask a user whose role has (settings: approvalLimits)`);
    const today = tenantToday(ctx.tenant, ctx.clock);
    const { convert } = await converter(sql, ctx, today);
    const sizeMinor = await convert(checked.limitMinor + (checked.temporaryMinor ?? 0n), checked.currency, ctx.tenant.currency);
    const authorityMinor = parseAmount(authority, ctx.tenant.currency, 'approvalLimits');
    if (sizeMinor > authorityMinor) {
      throw notAllowed('CREDIT_AUTHORITY', `this limit (${formatAmount(sizeMinor, ctx.tenant.currency)} ${ctx.tenant.currency} with any temporary increase) is above what your role (${approver.role}) may approve, ${authority} ${ctx.tenant.currency}; ask a user with more authority`);
    }
  }
  const previous = await latestVersion(sql, ctx.tenant.id, head.id, input.scope);
  const version = (previous?.version ?? 0) + 1;
  await sql.query(
    `INSERT INTO credit_limit_versions (tenant_id, id, customer_id, scope, version, currency, limit_minor, temporary_minor, temporary_from, temporary_to,
            temporary_reason, reason, requested_by, approved_by, approval_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [ctx.tenant.id, uuidv7(), head.id, input.scope, version, checked.currency, checked.limitMinor, checked.temporaryMinor, input.temporary?.validFrom ?? null,
      input.temporary?.validTo ?? null, input.temporary?.reason ?? null, input.reason, approval.requestedBy, approver.actor, approval.id]);
  // One limit, two flows: the customer record keeps the base limit in its own currency (the existing change flow's field).
  if (input.scope === 'customer' && checked.currency === head.currency && head.creditLimitMinor !== checked.limitMinor) {
    await updateCustomer(ctx, head.code, { creditLimit: formatAmount(checked.limitMinor, checked.currency) }, sql);
  }
  const [row] = await sql.query<LimitVersion>(`${VERSION_SELECT} WHERE tenant_id = $1 AND customer_id = $2 AND scope = $3 AND version = $4`, [ctx.tenant.id, head.id, input.scope, version]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.limit', entityType: 'customer', entityId: head.code, before: previous ? presentVersion(previous) : null, after: presentVersion(row!) });
  return presentVersion(row!);
}

/** A customer's limits on `asOf`: its own and its group's, each with the temporary increase in force and the history. */
export async function customerLimits(ctx: Context, sql: Sql, code: string, asOf?: string) {
  const customer = await getCustomer(sql, ctx.tenant.id, code);
  await assertInScope(ctx, sql, customer.id);
  const date = asOf ? parseDate(asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const head = await groupHead(sql, ctx.tenant.id, customer);
  const own = await customerLimitTerms(sql, ctx.tenant.id, customer);
  const group = await latestVersion(sql, ctx.tenant.id, head.id, 'group');
  const show = (t: (LimitTerms & { currency: string }) | null) => {
    if (!t) return null;
    const e = effectiveLimit(t, date);
    return {
      currency: t.currency, base: formatAmount(e.baseMinor, t.currency), temporaryInForce: formatAmount(e.temporaryMinor, t.currency), total: formatAmount(e.totalMinor, t.currency),
      temporary: t.temporary ? { amount: formatAmount(t.temporary.amountMinor, t.currency), validFrom: t.temporary.validFrom, validTo: t.temporary.validTo } : null,
    };
  };
  const history = await sql.query<LimitVersion>(
    `${VERSION_SELECT} WHERE tenant_id = $1 AND ((customer_id = $2 AND scope = 'customer') OR (customer_id = $3 AND scope = 'group')) ORDER BY created_at DESC, version DESC LIMIT 200`,
    [ctx.tenant.id, customer.id, head.id]);
  return {
    customer: customer.code, asOf: date, group: head.id === customer.id && !group ? null : head.code,
    limit: show(own),
    groupLimit: show(group ? { currency: group.currency, limitMinor: group.limitMinor, temporary: termsTemporary(group) } : null),
    history: history.map(presentVersion),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Commitments: open orders and shipments registered by the order system

export const COMMITMENT_KINDS = ['order', 'shipment'] as const;

export const commitmentSchema = z.object({
  kind: z.enum(COMMITMENT_KINDS),
  reference: z.string().trim().min(1).max(100),
  customer: z.string().min(1).max(64),
  amount: amountText,
  currency: z.string().length(3).transform((c) => c.toUpperCase()).optional(),
  status: z.enum(['open', 'closed']).default('open'),
});
export const commitmentPatchSchema = z.object({
  amount: amountText.optional(),
  status: z.enum(['open', 'closed']).optional(),
});

interface CommitmentRow { id: string; customerId: string; customerCode: string; kind: string; reference: string; currency: string; amountMinor: bigint; status: string; updatedAt: string }
const COMMITMENT_SELECT = `SELECT m.id, m.customer_id AS "customerId", c.code AS "customerCode", m.kind, m.reference, m.currency, m.amount_minor AS "amountMinor",
  m.status, m.updated_at AS "updatedAt" FROM credit_commitments m JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id`;
const presentCommitment = (m: CommitmentRow) => ({
  kind: m.kind, reference: m.reference, customer: m.customerCode, amount: formatAmount(m.amountMinor, m.currency), currency: m.currency, status: m.status,
  updatedAt: new Date(m.updatedAt).toISOString(),
});

/** Registers an order or shipment; the same kind and reference again with the same details is a no-op, with others a conflict. */
export async function registerCommitment(ctx: Context, raw: z.input<typeof commitmentSchema>, idempotencyKey?: string) {
  const input = parseInput(commitmentSchema, raw, 'commitment');
  return withIdempotency(ctx, idempotencyKey, 'credit.commitment', input, async (sql) => {
    const customer = await getCustomer(sql, ctx.tenant.id, input.customer);
    await assertInScope(ctx, sql, customer.id);
    const currency = checkCurrency(input.currency ?? customer.currency);
    const amountMinor = parseAmount(input.amount, currency, 'amount');
    const [existing] = await sql.query<CommitmentRow>(`${COMMITMENT_SELECT} WHERE m.tenant_id = $1 AND m.kind = $2 AND m.reference = $3`, [ctx.tenant.id, input.kind, input.reference]);
    if (existing) {
      if (existing.customerId === customer.id && existing.currency === currency && existing.amountMinor === amountMinor && existing.status === input.status) return { ...presentCommitment(existing), outcome: 'unchanged' };
      throw conflict('COMMITMENT_EXISTS', `${input.kind} ${input.reference} is already registered with other details; change it with PATCH /api/v1/credit/commitments/${input.kind}/${input.reference}`);
    }
    await sql.query(
      `INSERT INTO credit_commitments (tenant_id, id, customer_id, kind, reference, currency, amount_minor, status, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ctx.tenant.id, uuidv7(), customer.id, input.kind, input.reference, currency, amountMinor, input.status, ctx.actor]);
    const [row] = await sql.query<CommitmentRow>(`${COMMITMENT_SELECT} WHERE m.tenant_id = $1 AND m.kind = $2 AND m.reference = $3`, [ctx.tenant.id, input.kind, input.reference]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.commitment', entityType: 'credit_commitment', entityId: `${input.kind}:${input.reference}`, after: presentCommitment(row!) });
    await requestEvaluation(ctx, sql, customer.id);
    return { ...presentCommitment(row!), outcome: 'created' };
  });
}

/** Changes an order's or shipment's amount or closes it (shipped, invoiced or cancelled); audited with before and after. */
export async function updateCommitment(ctx: Context, kind: string, reference: string, raw: z.input<typeof commitmentPatchSchema>, idempotencyKey?: string) {
  const input = parseInput(commitmentPatchSchema, raw, 'commitment change');
  return withIdempotency(ctx, idempotencyKey, 'credit.commitment_update', { kind, reference, input }, async (sql) => {
    const [before] = await sql.query<CommitmentRow>(`${COMMITMENT_SELECT} WHERE m.tenant_id = $1 AND m.kind = $2 AND m.reference = $3 FOR UPDATE OF m`, [ctx.tenant.id, kind, reference]);
    if (!before) throw notFound('COMMITMENT_NOT_FOUND', `no ${kind} ${reference} is registered; register it with POST /api/v1/credit/commitments`);
    await assertInScope(ctx, sql, before.customerId);
    const amountMinor = input.amount === undefined ? before.amountMinor : parseAmount(input.amount, before.currency, 'amount');
    await sql.query(`UPDATE credit_commitments SET amount_minor = $3, status = $4, updated_by = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, before.id, amountMinor, input.status ?? before.status, ctx.actor]);
    const [after] = await sql.query<CommitmentRow>(`${COMMITMENT_SELECT} WHERE m.tenant_id = $1 AND m.id = $2`, [ctx.tenant.id, before.id]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.commitment_update', entityType: 'credit_commitment', entityId: `${kind}:${reference}`, before: presentCommitment(before), after: presentCommitment(after!) });
    await requestEvaluation(ctx, sql, before.customerId);
    return presentCommitment(after!);
  });
}

export const commitmentListSchema = z.object({
  customer: z.string().max(64).optional(),
  status: z.enum(['open', 'closed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export async function listCommitments(ctx: Context, sql: Sql, raw: z.input<typeof commitmentListSchema>) {
  const q = parseInput(commitmentListSchema, raw, 'list');
  let customerId: string | null = null;
  if (q.customer) {
    const customer = await getCustomer(sql, ctx.tenant.id, q.customer);
    await assertInScope(ctx, sql, customer.id);
    customerId = customer.id;
  }
  const rows = await sql.query<CommitmentRow>(
    `${COMMITMENT_SELECT} WHERE m.tenant_id = $1 AND ($2::uuid IS NULL OR m.customer_id = $2) AND ($3::text IS NULL OR m.status = $3) ORDER BY m.updated_at DESC, m.id DESC LIMIT ${q.limit}`,
    [ctx.tenant.id, customerId, q.status ?? null]);
  return { items: rows.map(presentCommitment) };
}

// ---------------------------------------------------------------------------------------------------------------
// Exposure and the credit check

type ExposureRows = Awaited<ReturnType<typeof loadExposure>>;

/**
 * Per customer and currency: open receivables, unapplied advances, open orders and shipments, and what is overdue on
 * `asOf`, of some customers (`null`: all of the tenant's). The one read behind the credit check and the limit rule.
 */
async function loadExposure(sql: Sql, tenantId: string, customerIds: readonly string[] | null, asOf: LocalDate) {
  const ledger = await sql.query<{ customerId: string; currency: string; receivable: bigint; advances: bigint; overdue: bigint }>(
    `SELECT b.customer_id AS "customerId", b.currency,
            coalesce(sum(b.open_minor) FILTER (WHERE b.side = 'debit'), 0)::int8 AS receivable,
            coalesce(sum(b.open_minor) FILTER (WHERE b.side = 'credit' AND b.kind = 'advance'), 0)::int8 AS advances,
            coalesce(sum(b.open_minor) FILTER (WHERE b.side = 'debit' AND b.due_date < $3), 0)::int8 AS overdue
       FROM item_balances b
      WHERE b.tenant_id = $1 AND ($2::uuid[] IS NULL OR b.customer_id = ANY($2::uuid[])) AND b.open_minor > 0
      GROUP BY b.customer_id, b.currency`,
    [tenantId, customerIds, asOf]);
  const commitments = await sql.query<{ customerId: string; currency: string; kind: string; amount: bigint }>(
    `SELECT customer_id AS "customerId", currency, kind, sum(amount_minor)::int8 AS amount FROM credit_commitments
      WHERE tenant_id = $1 AND ($2::uuid[] IS NULL OR customer_id = ANY($2::uuid[])) AND status = 'open'
      GROUP BY customer_id, currency, kind`,
    [tenantId, customerIds]);
  return { ledger, commitments };
}

/** The exposure parts of loaded rows in `currency`, each part switched on or off by the settings. */
async function exposureParts(rows: ExposureRows, convert: (m: bigint, from: string, to: string) => Promise<bigint>, currency: string, settings: CreditSettings, checked: { amountMinor: bigint; currency: string }): Promise<ExposureParts & { overdueMinor: bigint }> {
  const parts = { receivablesMinor: 0n, ordersMinor: 0n, shipmentsMinor: 0n, checkedMinor: 0n, advancesMinor: 0n, overdueMinor: 0n };
  for (const l of rows.ledger) {
    if (settings.exposure.receivables) parts.receivablesMinor += await convert(BigInt(l.receivable), l.currency, currency);
    if (settings.exposure.advances) parts.advancesMinor += await convert(BigInt(l.advances), l.currency, currency);
    parts.overdueMinor += await convert(BigInt(l.overdue), l.currency, currency);
  }
  for (const c of rows.commitments) {
    if (c.kind === 'order' && settings.exposure.orders) parts.ordersMinor += await convert(BigInt(c.amount), c.currency, currency);
    if (c.kind === 'shipment' && settings.exposure.shipments) parts.shipmentsMinor += await convert(BigInt(c.amount), c.currency, currency);
  }
  if (settings.exposure.checkedAmount) parts.checkedMinor = await convert(checked.amountMinor, checked.currency, currency);
  return parts;
}

/** The exposure parts of some customers in `currency` (the credit check's figures). */
async function exposureIn(sql: Sql, ctx: Context, convert: (m: bigint, from: string, to: string) => Promise<bigint>, customerIds: readonly string[], currency: string, asOf: LocalDate, settings: CreditSettings, checked: { amountMinor: bigint; currency: string }): Promise<ExposureParts & { overdueMinor: bigint }> {
  return exposureParts(await loadExposure(sql, ctx.tenant.id, customerIds, asOf), convert, currency, settings, checked);
}

export const creditCheckSchema = z.object({
  customer: z.string().min(1).max(64),
  amount: amountText,
  currency: z.string().length(3).transform((c) => c.toUpperCase()).optional(),
  kind: z.enum(CHECK_KINDS),
  /** The business date of the check (default: the company's today). */
  asOf: localDateText.optional(),
  /** Your document's reference, recorded with the check. */
  reference: z.string().trim().max(100).optional(),
});

function presentParts(p: ExposureParts & { overdueMinor: bigint }, currency: string) {
  const f = (m: bigint) => formatAmount(m, currency);
  return { receivables: f(p.receivablesMinor), orders: f(p.ordersMinor), shipments: f(p.shipmentsMinor), checkedAmount: f(p.checkedMinor), advances: f(p.advancesMinor), total: f(exposureOf(p)), overdue: f(p.overdueMinor) };
}

/**
 * The credit position of a customer (and its group) with `amount` of `kind` added: limits in force on the date,
 * exposure parts, utilisation, holds, and the verdict. Pure read; creditCheck records it.
 */
export async function creditPosition(ctx: Context, sql: Sql, raw: z.input<typeof creditCheckSchema>) {
  const input = parseInput(creditCheckSchema, raw, 'credit check');
  const customer = await getCustomer(sql, ctx.tenant.id, input.customer);
  await assertInScope(ctx, sql, customer.id);
  const asOf = input.asOf ? parseDate(input.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const checkedCurrency = checkCurrency(input.currency ?? customer.currency);
  const checked = { amountMinor: parseAmount(input.amount, checkedCurrency, 'amount'), currency: checkedCurrency };
  const settings = await creditSettings(sql, ctx);
  const { convert, rates } = await converter(sql, ctx, asOf);

  const ownTerms = await customerLimitTerms(sql, ctx.tenant.id, customer);
  const ownCurrency = ownTerms?.currency ?? customer.currency;
  const own = await exposureIn(sql, ctx, convert, [customer.id], ownCurrency, asOf, settings, checked);
  const ownLimit = ownTerms ? effectiveLimit(ownTerms, asOf) : null;

  const head = await groupHead(sql, ctx.tenant.id, customer);
  const groupVersion = await latestVersion(sql, ctx.tenant.id, head.id, 'group');
  let group: null | { head: string; members: string[]; currency: string; limit: ReturnType<typeof effectiveLimit>; parts: Awaited<ReturnType<typeof exposureIn>> } = null;
  if (groupVersion) {
    const members = await groupMembers(sql, ctx.tenant.id, head.id);
    const limit = effectiveLimit({ limitMinor: groupVersion.limitMinor, temporary: termsTemporary(groupVersion) }, asOf);
    group = { head: head.code, members: members.map((m) => m.code), currency: groupVersion.currency, limit, parts: await exposureIn(sql, ctx, convert, members.map((m) => m.id), groupVersion.currency, asOf, settings, checked) };
  }
  const holds = await activeHolds(sql, ctx.tenant.id, customer.id);
  const verdict = decideCheck({
    kind: input.kind,
    customer: ownLimit ? { limitMinor: ownLimit.totalMinor, exposureMinor: exposureOf(own) } : null,
    group: group ? { limitMinor: group.limit.totalMinor, exposureMinor: exposureOf(group.parts) } : null,
    warnPercent: settings.warnPercent,
    holds: holds.map((h) => h.rule),
    holdBlocks: settings.holdBlocks,
  });
  const showLimit = (l: ReturnType<typeof effectiveLimit>, currency: string) => ({ currency, base: formatAmount(l.baseMinor, currency), temporary: formatAmount(l.temporaryMinor, currency), total: formatAmount(l.totalMinor, currency) });
  return {
    customer: customer.code, kind: input.kind, amount: formatAmount(checked.amountMinor, checked.currency), currency: checked.currency, asOf, reference: input.reference ?? null,
    outcome: verdict.outcome,
    // Each reason with its facts (an amount over a limit in the limit's currency) so a screen can word it itself.
    reasons: verdict.reasons.map(({ overMinor, ...r }) => {
      if (overMinor === undefined) return r;
      const currency = r.code === 'OVER_GROUP_LIMIT' ? group!.currency : ownCurrency;
      const over = formatAmount(overMinor, currency);
      return { ...r, message: `${r.message} by ${over} ${currency}`, over, overCurrency: currency };
    }),
    limit: ownLimit ? showLimit(ownLimit, ownCurrency) : null,
    exposure: presentParts(own, ownCurrency),
    utilisation: ownLimit ? utilisationPercent(exposureOf(own), ownLimit.totalMinor) : null,
    group: group ? {
      head: group.head, members: group.members, limit: showLimit(group.limit, group.currency), exposure: presentParts(group.parts, group.currency),
      utilisation: utilisationPercent(exposureOf(group.parts), group.limit.totalMinor),
    } : null,
    holds: holds.map((h) => ({ id: h.id, rule: h.rule, reason: h.reason, placedOn: h.placedOn, status: h.status })),
    fxRates: Object.fromEntries(rates),
    settings: { exposure: settings.exposure, warnPercent: settings.warnPercent, holdBlocks: settings.holdBlocks },
  };
}

/** Runs a credit check and records it in the audit trail (what was asked, the verdict and the figures behind it). */
export async function creditCheck(ctx: Context, raw: z.input<typeof creditCheckSchema>, idempotencyKey?: string) {
  return withIdempotency(ctx, idempotencyKey, 'credit.check', raw, async (sql) => {
    const result = await creditPosition(ctx, sql, raw);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.check', entityType: 'customer', entityId: result.customer, after: result });
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Holds

interface HoldRow { id: string; customerId: string; customerCode: string; customerName: string; rule: HoldRule | 'manual'; reason: string; placedOn: string; placedBy: string; status: string; releaseApprovalId: string | null; releasedOn: string | null; releasedBy: string | null; releaseReason: string | null }
const HOLD_SELECT = `SELECT h.id, h.customer_id AS "customerId", c.code AS "customerCode", c.name AS "customerName", h.rule, h.reason, h.placed_on AS "placedOn",
  h.placed_by AS "placedBy", h.status, h.release_approval_id AS "releaseApprovalId", h.released_on AS "releasedOn", h.released_by AS "releasedBy",
  h.release_reason AS "releaseReason" FROM credit_holds h JOIN customers c ON c.tenant_id = h.tenant_id AND c.id = h.customer_id`;
const presentHold = ({ customerId: _id, customerCode, ...h }: HoldRow) => ({ ...h, customer: customerCode });

async function activeHolds(sql: Sql, tenantId: string, customerId: string): Promise<HoldRow[]> {
  return sql.query<HoldRow>(`${HOLD_SELECT} WHERE h.tenant_id = $1 AND h.customer_id = $2 AND h.status <> 'released' ORDER BY h.placed_on, h.id`, [tenantId, customerId]);
}

/** Keeps customers.status in step with the holds: on_hold while any hold is not released, active again after the last. */
async function syncCustomerStatus(ctx: Context, sql: Sql, customerId: string) {
  const customer = await getCustomerById(sql, ctx.tenant.id, customerId);
  const held = (await activeHolds(sql, ctx.tenant.id, customerId)).length > 0;
  if (held && customer.status === 'active') await updateCustomer(ctx, customer.code, { status: 'on_hold' }, sql);
  if (!held && customer.status === 'on_hold') await updateCustomer(ctx, customer.code, { status: 'active' }, sql);
}

async function placeHold(ctx: Context, sql: Sql, customerId: string, rule: HoldRule | 'manual', reason: string, placedOn: LocalDate) {
  const id = uuidv7();
  await sql.query(`INSERT INTO credit_holds (tenant_id, id, customer_id, rule, reason, placed_on, placed_by, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')`,
    [ctx.tenant.id, id, customerId, rule, reason, placedOn, ctx.actor]);
  const [row] = await sql.query<HoldRow>(`${HOLD_SELECT} WHERE h.tenant_id = $1 AND h.id = $2`, [ctx.tenant.id, id]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.hold', entityType: 'customer', entityId: row!.customerCode, after: presentHold(row!) });
  await syncCustomerStatus(ctx, sql, customerId);
  return presentHold(row!);
}

export const manualHoldSchema = z.object({
  customer: z.string().min(1).max(64),
  reason: z.string().trim().min(1, 'say why the customer is put on hold').max(500),
  date: localDateText.optional(),
});

/** Puts a customer on a manual credit hold (credit.hold). */
export async function placeManualHold(ctx: Context, raw: z.input<typeof manualHoldSchema>, idempotencyKey?: string) {
  const input = parseInput(manualHoldSchema, raw, 'hold');
  return withIdempotency(ctx, idempotencyKey, 'credit.hold', input, async (sql) => {
    const customer = await getCustomer(sql, ctx.tenant.id, input.customer);
    await assertInScope(ctx, sql, customer.id);
    const [existing] = await sql.query(`SELECT 1 FROM credit_holds WHERE tenant_id = $1 AND customer_id = $2 AND rule = 'manual' AND status <> 'released'`, [ctx.tenant.id, customer.id]);
    if (existing) throw conflict('HOLD_EXISTS', `${customer.code} is already on a manual hold; release it before placing another`);
    return placeHold(ctx, sql, customer.id, 'manual', input.reason, input.date ? parseDate(input.date, 'date') : tenantToday(ctx.tenant, ctx.clock));
  });
}

export const holdListSchema = z.object({
  customer: z.string().max(64).optional(),
  status: z.enum(['active', 'release_requested', 'released', 'open']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/** Holds, newest first; `open`: not released (active or awaiting release approval). */
export async function listHolds(ctx: Context, sql: Sql, raw: z.input<typeof holdListSchema>) {
  const q = parseInput(holdListSchema, raw, 'list');
  let customerId: string | null = null;
  if (q.customer) {
    const customer = await getCustomer(sql, ctx.tenant.id, q.customer);
    await assertInScope(ctx, sql, customer.id);
    customerId = customer.id;
  }
  const rows = await sql.query<HoldRow>(
    `${HOLD_SELECT} WHERE h.tenant_id = $1 AND ($2::uuid IS NULL OR h.customer_id = $2)
        AND ($3::text IS NULL OR h.status = $3 OR ($3 = 'open' AND h.status <> 'released')) ORDER BY h.placed_on DESC, h.id DESC LIMIT ${q.limit}`,
    [ctx.tenant.id, customerId, q.status ?? null]);
  return { items: rows.map(presentHold) };
}

export const releaseSchema = z.object({ reason: z.string().trim().min(1, 'say why the hold may be released').max(500) });

/** Asks for a hold's release; a second person with credit.hold approves it (segregation of duties). */
export async function requestHoldRelease(ctx: Context, holdId: string, raw: z.input<typeof releaseSchema>, idempotencyKey?: string) {
  const input = parseInput(releaseSchema, raw, 'release');
  if (!/^[0-9a-f-]{36}$/.test(holdId)) throw notFound('HOLD_NOT_FOUND', `no hold has id ${holdId}`);
  return withIdempotency(ctx, idempotencyKey, 'credit.hold_release', { holdId, input }, async (sql) => {
    const [hold] = await sql.query<HoldRow>(`${HOLD_SELECT} WHERE h.tenant_id = $1 AND h.id = $2 FOR UPDATE OF h`, [ctx.tenant.id, holdId]);
    if (!hold) throw notFound('HOLD_NOT_FOUND', `no hold has id ${holdId}`);
    await assertInScope(ctx, sql, hold.customerId);
    if (hold.status !== 'active') throw conflict('HOLD_NOT_ACTIVE', `this hold is ${hold.status.replace('_', ' ')}; only an active hold can be asked to be released`);
    const approval = await requestApproval(sql, ctx, 'credit.hold_release', { holdId, reason: input.reason }, `release the ${hold.rule} credit hold on ${hold.customerCode}: ${input.reason}`);
    await sql.query(`UPDATE credit_holds SET status = 'release_requested', release_approval_id = $3 WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, holdId, approval.id]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.hold_release_request', entityType: 'customer', entityId: hold.customerCode, reason: input.reason, before: presentHold(hold), after: { status: 'release_requested', approvalId: approval.id } });
    return { approvalId: approval.id, hold: { ...presentHold(hold), status: 'release_requested', releaseApprovalId: approval.id } };
  });
}

/** Releases a hold whose release was approved (called by approvals, in its transaction). */
export async function releaseHold(ctx: Context, sql: Sql, request: { holdId: string; reason: string }, approver: string) {
  const [hold] = await sql.query<HoldRow>(`${HOLD_SELECT} WHERE h.tenant_id = $1 AND h.id = $2 FOR UPDATE OF h`, [ctx.tenant.id, request.holdId]);
  if (!hold) throw notFound('HOLD_NOT_FOUND', `no hold has id ${request.holdId}`);
  if (hold.status === 'released') throw conflict('HOLD_NOT_ACTIVE', 'this hold is already released');
  await sql.query(`UPDATE credit_holds SET status = 'released', released_on = $3, released_by = $4, release_reason = $5 WHERE tenant_id = $1 AND id = $2`,
    [ctx.tenant.id, hold.id, tenantToday(ctx.tenant, ctx.clock), approver, request.reason]);
  const [after] = await sql.query<HoldRow>(`${HOLD_SELECT} WHERE h.tenant_id = $1 AND h.id = $2`, [ctx.tenant.id, hold.id]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'credit.hold_release', entityType: 'customer', entityId: hold.customerCode, reason: request.reason, before: presentHold(hold), after: presentHold(after!) });
  await syncCustomerStatus(ctx, sql, hold.customerId);
  return presentHold(after!);
}

/** A rejected or withdrawn release request puts the hold back to active (called by approvals). */
export async function reopenHold(sql: Sql, tenantId: string, holdId: string) {
  await sql.query(`UPDATE credit_holds SET status = 'active', release_approval_id = NULL WHERE tenant_id = $1 AND id = $2 AND status = 'release_requested'`, [tenantId, holdId]);
}

export const MAX_EVALUATED_CUSTOMERS = 20_000;

/**
 * Evaluates the hold rules for every customer (or one) on `asOf` and places a hold for each rule that fires and has
 * no open hold yet. A rule that stops firing does not release its hold: a release always needs a second person.
 */
export async function evaluateHolds(ctx: Context, raw: { asOf?: string; customer?: string }) {
  const asOf = raw.asOf ? parseDate(raw.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const settings = await creditSettings(sql, ctx);
    const functional = ctx.tenant.currency;
    const rules = {
      overdueDays: settings.holdRules.overdueDays,
      overdueAmountMinor: settings.holdRules.overdueAmount === null ? null : parseAmount(settings.holdRules.overdueAmount, functional, 'overdueAmount'),
      gradeE: settings.holdRules.gradeE,
      reviewExpired: settings.holdRules.reviewExpired,
    };
    const only = raw.customer ? await getCustomer(sql, ctx.tenant.id, raw.customer) : null;
    // One pass over the open overdue items (grouped per customer and currency) and the credit profiles.
    const overdue = await sql.query<{ customerId: string; currency: string; overdue: bigint; oldestDue: string }>(
      `SELECT b.customer_id AS "customerId", i.currency, sum(b.open_minor)::int8 AS overdue, min(i.due_date) AS "oldestDue"
         FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
        WHERE b.tenant_id = $1 AND b.open_minor > 0 AND i.side = 'debit' AND i.due_date < $2 AND ($3::uuid IS NULL OR b.customer_id = $3)
        GROUP BY b.customer_id, i.currency`,
      [ctx.tenant.id, asOf, only?.id ?? null]);
    const profiles = await sql.query<{ customerId: string; grade: string | null; reviewDue: string | null }>(
      `SELECT customer_id AS "customerId", grade, review_due AS "reviewDue" FROM credit_profiles WHERE tenant_id = $1 AND ($2::uuid IS NULL OR customer_id = $2)`,
      [ctx.tenant.id, only?.id ?? null]);
    const { convert } = await converter(sql, ctx, asOf);
    const facts = new Map<string, { oldestOverdueDue: string | null; overdueMinor: bigint; grade: string | null; reviewDue: string | null }>();
    const factOf = (id: string) => facts.get(id) ?? facts.set(id, { oldestOverdueDue: null, overdueMinor: 0n, grade: null, reviewDue: null }).get(id)!;
    for (const o of overdue) {
      const f = factOf(o.customerId);
      f.overdueMinor += await convert(o.overdue, o.currency, functional);
      if (f.oldestOverdueDue === null || o.oldestDue < f.oldestOverdueDue) f.oldestOverdueDue = o.oldestDue;
    }
    for (const p of profiles) Object.assign(factOf(p.customerId), { grade: p.grade, reviewDue: p.reviewDue });
    if (facts.size > MAX_EVALUATED_CUSTOMERS) throw invalid('TOO_MANY_CUSTOMERS', `hold rules: ${facts.size} customers to evaluate, more than ${MAX_EVALUATED_CUSTOMERS} at once; evaluate one customer at a time with --customer`);
    const open = await sql.query<{ customerId: string; rule: string }>(`SELECT customer_id AS "customerId", rule FROM credit_holds WHERE tenant_id = $1 AND status <> 'released'`, [ctx.tenant.id]);
    const held = new Set(open.map((h) => `${h.customerId}:${h.rule}`));
    const placed = [];
    let evaluated = 0;
    for (const [customerId, f] of [...facts].sort(([a], [b]) => a.localeCompare(b))) {
      evaluated += 1;
      for (const fired of firingHoldRules(rules, f, asOf, (m) => `${formatAmount(m, functional)} ${functional}`)) {
        if (held.has(`${customerId}:${fired.rule}`)) continue;
        placed.push(await placeHold(ctx, sql, customerId, fired.rule, fired.reason, asOf));
      }
    }
    return { asOf, evaluated, placed };
  });
}
