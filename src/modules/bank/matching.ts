/**
 * Cash matching (issue 7, matching half): runs the pure engine (src/domain/bank/matching.ts) over a statement's
 * incoming lines, stores each line's ranked proposals with their reasons, and applies the sure ones through the ledger:
 * a payment document applied to the chosen invoices (the rest stays on it as unapplied cash), and a write-off for an
 * early-payment discount or bank charges within the tolerance, and a dispute for a payer's deduction, in one
 * transaction with the line's application. A line is applied at most once (a unique index); undoing it reverses its
 * documents (the ledger stays append-only) and withdraws its dispute. A user's acceptance teaches the engine the payer's
 * account and how it quotes invoices (reference patterns). Every change is audited.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import {
  accountKey, addItems, buildBook, confusableKey, coreKey, decide, DEFAULT_MATCH_SETTINGS, findPayers, groupOf, isCreditorReference, proposeForLine, referenceCandidates,
  referenceKey, surePayer, type LineResult, type MatchBook, type MatchCustomer, type MatchItem,
  type MatchLine, type MatchSettings, type Proposal, type ProposalAllocation, type ProposalDeduction, type Reason, type ReferencePattern, learnPattern, adviceProposal, advicesFor, type AdviceFacts,
  settledMinor, type MatchFx,
} from '../../domain/bank/matching.ts';
import type { LocalDate } from '../../domain/dates.ts';
import { parseDecimal, type Decimal } from '../../domain/decimal.ts';
import { formatBankAmount } from '../../domain/bank/statement.ts';
import { AppError, conflict, invalid, notFound } from '../../domain/errors.ts';
import { parseAmount } from '../../domain/money.ts';
import { assertInScope, customerScope } from '../access/scope.ts';
import { getCustomer } from '../customers/index.ts';
import { appendAudit, auditMark, auditRollback } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument, reverseDocument } from '../ledger/index.ts';
import { DISPUTE_REASONS, OWNER_TEAMS, type DisputeReason, type OwnerTeam } from '../../domain/disputes.ts';
import { raiseDisputeIn, transitionDisputeIn } from '../disputes/index.ts';
import { tuneForLedgerRead } from '../ledger/open-at.ts';
import { amountText, localDateText, parseInput, rateText } from '../validate.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const numberText = z.string().trim().min(1).max(64);

export const matchSettingsSchema = z.object({
  autoApplyScore: z.number().int().min(0).max(101).optional(),
  suggestScore: z.number().int().min(0).max(100).optional(),
  ambiguityMargin: z.number().int().min(0).max(100).optional(),
  /** Short payments up to this amount (major units of the line's currency) are bank charges, written off. */
  chargeTolerance: amountText.optional(),
  /** …or up to this share of the amount due, in basis points (100 = 1%), at most 1000 (10%). */
  chargeToleranceBasisPoints: z.number().int().min(0).max(1000).optional(),
  /** Short payments beyond the charge tolerance and up to this amount (major units) are the payer's deduction: a dispute. 0: off. */
  deductionTolerance: amountText.optional(),
  /** …or up to this share of the amount due, in basis points, at most 5000 (50%); the larger of the two counts. */
  deductionToleranceBasisPoints: z.number().int().min(0).max(5000).optional(),
  /** A line paying items in another currency: how far the bank's rate may be from the rate on file, in basis points of the converted amount (default 50 = 0.5%, at most 1000). */
  fxToleranceBasisPoints: z.number().int().min(0).max(1000).optional(),
  maxItems: z.number().int().min(1).max(10).optional(),
  maxCombinations: z.number().int().min(1).max(1_000_000).optional(),
  autoApply: z.boolean().optional(),
}).strict();

export const matchRunSchema = z.object({ dryRun: z.boolean().optional() }).strict();

export const acceptSchema = z.object({
  /** The proposal to accept as it is; or give `customer` and `allocations` to apply the line to other items. */
  proposalId: z.string().regex(UUID, 'a proposal id from GET /bank/statements/{id}/lines').optional(),
  customer: z.string().trim().min(1).max(64).optional(),
  /**
   * `amount` in the line's currency; for a document in another currency, `settles` (the amount of it, in its own
   * currency, that `amount` settles) or `rate` (line currency per unit of the document's); neither: the rate on file.
   */
  allocations: z.array(z.object({ document: numberText, amount: amountText, settles: amountText.optional(), rate: rateText.optional() })).min(1).max(200).optional(),
  /** Written off on an item besides the payment (a discount taken, bank charges): at most one. */
  writeOff: z.object({ document: numberText, amount: amountText, reason: z.enum(['discount', 'bank_charges', 'short_payment']) }).optional(),
  /**
   * What the payer deducted (扣款) from an item: it stays open on the item and a dispute is raised for it with the
   * payment, owned by `ownerTeam` (default sales) for `reason` (default other). At most one; not with `writeOff` on the
   * same document.
   */
  deduction: z.object({
    document: numberText, amount: amountText,
    reason: z.enum(DISPUTE_REASONS).optional(), ownerTeam: z.enum(OWNER_TEAMS).optional(), note: z.string().trim().max(1000).optional(),
  }).strict().optional(),
  /** Remember the payer's account and how it quoted the invoices (reference patterns) for this customer (default true). */
  learnAccount: z.boolean().optional(),
}).strict();
export type AcceptInput = z.input<typeof acceptSchema>;

export const rejectSchema = z.object({
  /** One proposal; without it, all of the line's open proposals. */
  proposalId: z.string().regex(UUID, 'a proposal id from GET /bank/statements/{id}/lines').optional(),
  reason: z.string().trim().max(500).optional(),
}).strict();

export const undoSchema = z.object({ reason: z.string().trim().min(3, 'say why, in a few words').max(500), date: localDateText.optional() }).strict();

export const linesQuerySchema = z.object({
  status: z.enum(['auto_applied', 'applied', 'suggested', 'unmatched', 'rejected', 'not_matched']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(200),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

// ---------------------------------------------------------------------------------------------------------------
// Settings.

interface SettingsRow {
  autoApplyScore: number; suggestScore: number; ambiguityMargin: number; chargeToleranceMinor: bigint; chargeToleranceBp: number;
  deductionToleranceMinor: bigint; deductionToleranceBp: number; fxToleranceBp: number;
  maxItems: number; maxCombinations: number; autoApply: boolean; updatedAt: string | null; updatedBy: string | null;
}

async function loadSettings(sql: Sql, ctx: Context): Promise<MatchSettings & { updatedAt: string | null; updatedBy: string | null }> {
  const [row] = await sql.query<SettingsRow>(
    `SELECT auto_apply_score AS "autoApplyScore", suggest_score AS "suggestScore", ambiguity_margin AS "ambiguityMargin",
       charge_tolerance_minor AS "chargeToleranceMinor", charge_tolerance_bp AS "chargeToleranceBp",
       deduction_tolerance_minor AS "deductionToleranceMinor", deduction_tolerance_bp AS "deductionToleranceBp", fx_tolerance_bp AS "fxToleranceBp", max_items AS "maxItems",
       max_combinations AS "maxCombinations", auto_apply AS "autoApply", updated_at AS "updatedAt", updated_by AS "updatedBy"
     FROM bank_match_settings WHERE tenant_id = $1`, [ctx.tenant.id]);
  if (!row) return { ...DEFAULT_MATCH_SETTINGS, updatedAt: null, updatedBy: null };
  return {
    autoApplyScore: row.autoApplyScore, suggestScore: row.suggestScore, ambiguityMargin: row.ambiguityMargin,
    chargeToleranceMinor: BigInt(row.chargeToleranceMinor), chargeToleranceBasisPoints: row.chargeToleranceBp,
    deductionToleranceMinor: BigInt(row.deductionToleranceMinor), deductionToleranceBasisPoints: row.deductionToleranceBp, fxToleranceBasisPoints: row.fxToleranceBp, maxItems: row.maxItems,
    maxCombinations: row.maxCombinations, autoApply: row.autoApply, updatedAt: row.updatedAt ? new Date(row.updatedAt).toISOString() : null, updatedBy: row.updatedBy,
  };
}

function presentSettings(ctx: Context, s: MatchSettings & { updatedAt: string | null; updatedBy: string | null }) {
  return {
    autoApplyScore: s.autoApplyScore, suggestScore: s.suggestScore, ambiguityMargin: s.ambiguityMargin,
    chargeTolerance: formatBankAmount(s.chargeToleranceMinor, ctx.tenant.currency), chargeToleranceBasisPoints: s.chargeToleranceBasisPoints,
    deductionTolerance: formatBankAmount(s.deductionToleranceMinor, ctx.tenant.currency), deductionToleranceBasisPoints: s.deductionToleranceBasisPoints,
    fxToleranceBasisPoints: s.fxToleranceBasisPoints,
    maxItems: s.maxItems, maxCombinations: s.maxCombinations, autoApply: s.autoApply, updatedAt: s.updatedAt, updatedBy: s.updatedBy,
  };
}

export async function getMatchSettings(ctx: Context, sql: Sql) {
  return presentSettings(ctx, await loadSettings(sql, ctx));
}

/** Changes the matching settings (only the fields given), audited with before and after. */
export async function saveMatchSettings(ctx: Context, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(matchSettingsSchema, raw, 'matching settings');
  return withIdempotency(ctx, idempotencyKey, 'bank.match.settings', input, async (sql) => {
    const before = await loadSettings(sql, ctx);
    const next: MatchSettings = {
      autoApplyScore: input.autoApplyScore ?? before.autoApplyScore,
      suggestScore: input.suggestScore ?? before.suggestScore,
      ambiguityMargin: input.ambiguityMargin ?? before.ambiguityMargin,
      chargeToleranceMinor: input.chargeTolerance === undefined ? before.chargeToleranceMinor : parseAmount(input.chargeTolerance, ctx.tenant.currency, 'chargeTolerance'),
      chargeToleranceBasisPoints: input.chargeToleranceBasisPoints ?? before.chargeToleranceBasisPoints,
      deductionToleranceMinor: input.deductionTolerance === undefined ? before.deductionToleranceMinor : parseAmount(input.deductionTolerance, ctx.tenant.currency, 'deductionTolerance'),
      deductionToleranceBasisPoints: input.deductionToleranceBasisPoints ?? before.deductionToleranceBasisPoints,
      fxToleranceBasisPoints: input.fxToleranceBasisPoints ?? before.fxToleranceBasisPoints,
      maxItems: input.maxItems ?? before.maxItems,
      maxCombinations: input.maxCombinations ?? before.maxCombinations,
      autoApply: input.autoApply ?? before.autoApply,
    };
    if (next.autoApplyScore < next.suggestScore) {
      throw invalid('VALIDATION_FAILED', `autoApplyScore: ${next.autoApplyScore} is below the suggest score ${next.suggestScore}; the auto-apply score must be at least the suggest score`, [{ field: 'autoApplyScore', message: 'below suggestScore' }]);
    }
    await sql.query(
      `INSERT INTO bank_match_settings (tenant_id, auto_apply_score, suggest_score, ambiguity_margin, charge_tolerance_minor, charge_tolerance_bp, max_items, max_combinations, auto_apply, updated_by,
         deduction_tolerance_minor, deduction_tolerance_bp, fx_tolerance_bp, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (tenant_id) DO UPDATE SET auto_apply_score = $2, suggest_score = $3, ambiguity_margin = $4, charge_tolerance_minor = $5,
         charge_tolerance_bp = $6, max_items = $7, max_combinations = $8, auto_apply = $9, updated_by = $10,
         deduction_tolerance_minor = $11, deduction_tolerance_bp = $12, fx_tolerance_bp = $13, updated_at = now()`,
      [ctx.tenant.id, next.autoApplyScore, next.suggestScore, next.ambiguityMargin, next.chargeToleranceMinor, next.chargeToleranceBasisPoints,
        next.maxItems, next.maxCombinations, next.autoApply, ctx.actor, next.deductionToleranceMinor, next.deductionToleranceBasisPoints, next.fxToleranceBasisPoints]);
    const after = presentSettings(ctx, { ...next, updatedAt: null, updatedBy: ctx.actor });
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.match.settings', entityType: 'bank_match_settings', entityId: ctx.tenant.id, before: presentSettings(ctx, before), after });
    return after;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Loading what the engine reads.

interface EntryRow {
  id: string; statementId: string; seq: number; bookingDate: string | null; valueDate: string | null; amountMinor: bigint; currency: string;
  bankReference: string | null; customerReference: string | null; endToEndId: string | null; remittanceText: string | null; creditorReference: string | null;
  counterpartyName: string | null; counterpartyAccount: string | null; reversal: boolean; booked: boolean; closingDate: string | null;
}

const ENTRY_SELECT = `SELECT e.id, e.statement_id AS "statementId", e.seq, e.booking_date AS "bookingDate", e.value_date AS "valueDate",
  e.amount_minor AS "amountMinor", e.currency, e.bank_reference AS "bankReference", e.customer_reference AS "customerReference",
  e.end_to_end_id AS "endToEndId", e.remittance_text AS "remittanceText", e.creditor_reference AS "creditorReference",
  e.counterparty_name AS "counterpartyName", e.counterparty_account AS "counterpartyAccount", e.reversal, e.booked,
  s.closing_date AS "closingDate"
  FROM bank_entries e JOIN bank_statements s ON s.tenant_id = e.tenant_id AND s.id = e.statement_id`;

/** An incoming, booked, non-reversal credit: the lines matching looks at. */
const matchable = (e: EntryRow) => e.amountMinor > 0n && e.booked && !e.reversal;
const lineDate = (e: EntryRow) => e.bookingDate ?? e.valueDate ?? e.closingDate ?? '1900-01-01';

function toLine(e: EntryRow): MatchLine {
  return {
    id: e.id, amountMinor: BigInt(e.amountMinor), currency: e.currency, date: lineDate(e),
    texts: [e.remittanceText, e.endToEndId, e.customerReference], creditorReference: e.creditorReference,
    counterpartyName: e.counterpartyName, counterpartyAccount: e.counterpartyAccount,
  };
}

const ITEM_SELECT = `SELECT b.item_id AS "itemId", d.number AS "documentNumber", b.customer_id AS "customerId", b.currency, b.open_minor AS "openMinor",
    b.document_date AS "documentDate", b.due_date AS "dueDate", i.discount_date AS "discountDate", i.discount_amount_minor AS "discountAmountMinor",
    d.number_key AS "numberKey", d.number_core AS "numberCore"
  FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
  JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id`;

/**
 * The book for these lines, read in a few set-based queries instead of every open item: all customers (names,
 * codes, known accounts, groups: the payers are found among them), then the open items of the customers the lines
 * name (account, name, code, their groups), the items (open or paid) whose numbers the texts name, and, for lines
 * naming nobody, the open items of their amounts (the AMOUNT_UNIQUE lead needs every item of that amount).
 */
async function loadBook(sql: Sql, ctx: Context, lines: readonly MatchLine[]): Promise<MatchBook> {
  const currencies = [...new Set(lines.map((l) => l.currency))];
  const customerRows = await sql.query<{ id: string; code: string; name: string; parentId: string | null }>(
    `SELECT c.id, c.code, c.name, c.parent_id AS "parentId" FROM customers c WHERE c.tenant_id = $1`, [ctx.tenant.id]);
  // The known accounts in one read (customer_bank_accounts is keyed by account, not by customer).
  const accounts = new Map<string, string[]>();
  for (const a of await sql.query<{ customerId: string; accountKey: string }>(
    `SELECT customer_id AS "customerId", account_key AS "accountKey" FROM customer_bank_accounts WHERE tenant_id = $1`, [ctx.tenant.id])) {
    accounts.set(a.customerId, [...(accounts.get(a.customerId) ?? []), a.accountKey]);
  }
  // How customers quote invoices, learned from decisions (a handful of rows per customer at most).
  const patterns = new Map<string, ReferencePattern[]>();
  for (const p of await sql.query<{ customerId: string; marker: string; digits: number; confirmations: number }>(
    `SELECT customer_id AS "customerId", marker, digits, confirmations FROM customer_reference_patterns WHERE tenant_id = $1`, [ctx.tenant.id])) {
    patterns.set(p.customerId, [...(patterns.get(p.customerId) ?? []), { marker: p.marker, digits: Number(p.digits), confirmations: Number(p.confirmations) }]);
  }
  const customers = customerRows.map((c): MatchCustomer => ({
    id: c.id, code: c.code, name: c.name, parentId: c.parentId, accounts: accounts.get(c.id) ?? [], patterns: patterns.get(c.id) ?? [],
  }));
  // The payers are found with the customers alone; the items read for them are then added to the same book (its
  // customer index and the payers found are kept for the matching).
  const book = buildBook([], customers);
  const customerIds = new Set<string>();
  const keys = new Set<string>();
  const cores = new Set<string>();
  const amounts = new Set<bigint>();
  for (const line of lines) {
    const payers = [...findPayers(book, line).keys()];
    const sure = surePayer(book, line);
    if (sure) payers.push(...groupOf(book, sure));
    for (const id of payers) customerIds.add(id);
    const texts = [...line.texts, line.creditorReference].filter((t): t is string => !!t);
    for (const text of texts) {
      for (const { key } of referenceCandidates(text)) {
        if (key.length < 3) continue;
        keys.add(confusableKey(key));
        const core = /^\d+$/.test(key) ? key : coreKey(key);
        if (core && core.length >= 5) cores.add(core);
      }
    }
    if (line.creditorReference && isCreditorReference(line.creditorReference)) keys.add(confusableKey(referenceKey(line.creditorReference.replace(/\s/g, '').slice(4))));
    if (!payers.length) amounts.add(line.amountMinor);
  }
  const where = `b.tenant_id = $1 AND b.side = 'debit' AND b.currency = ANY($2::text[]) AND d.kind <> 'reversal'`;
  // The payers' items and the items the texts name in every currency: a payment may be in another currency than its
  // invoices (proposeForeign); the AMOUNT_UNIQUE lead reads only the lines' currencies.
  const anyCurrency = `b.tenant_id = $1 AND b.side = 'debit' AND d.kind <> 'reversal'`;
  const rows = [
    ...await sql.query<ItemRow>(`${ITEM_SELECT} WHERE ${anyCurrency} AND b.open_minor > 0 AND b.customer_id = ANY($2::uuid[])`, [ctx.tenant.id, [...customerIds]]),
    ...await sql.query<ItemRow>(`${ITEM_SELECT} WHERE ${anyCurrency} AND b.open_minor >= 0 AND d.tenant_id = $1 AND d.number_key = ANY($2::text[])`, [ctx.tenant.id, [...keys]]),
    ...await sql.query<ItemRow>(`${ITEM_SELECT} WHERE ${anyCurrency} AND b.open_minor >= 0 AND d.tenant_id = $1 AND d.number_core = ANY($2::text[])`, [ctx.tenant.id, [...cores]]),
    ...amounts.size ? await sql.query<ItemRow>(`${ITEM_SELECT} WHERE ${where} AND b.open_minor = ANY($3::bigint[])`, [ctx.tenant.id, currencies, [...amounts]]) : [],
  ];
  const items = new Map<string, MatchItem>();
  for (const i of rows) items.set(i.itemId, { ...i, openMinor: BigInt(i.openMinor), discountAmountMinor: BigInt(i.discountAmountMinor) });
  addItems(book, [...items.values()]);
  return book;
}

type ItemRow = MatchItem & { openMinor: bigint; discountAmountMinor: bigint };

/**
 * The FX rates the run's conversions need: every rate on file, up to the latest line's date, of the currencies of the
 * book's items and of the lines (a small table: a rate a day per currency at most), looked up by date in memory.
 */
async function loadFx(sql: Sql, ctx: Context, book: MatchBook, lines: readonly MatchLine[], settings: MatchSettings): Promise<MatchFx> {
  const currencies = new Set<string>(lines.map((l) => l.currency));
  for (const item of book.items.values()) currencies.add(item.currency);
  currencies.delete(ctx.tenant.currency);
  const latest = lines.reduce((max, l) => (l.date > max ? l.date : max), '1900-01-01');
  const rows = currencies.size && lines.length ? await sql.query<{ currency: string; date: string; rate: string }>(
    `SELECT currency, rate_date::text AS date, rate::text AS rate FROM fx_rates WHERE tenant_id = $1 AND currency = ANY($2::text[]) AND rate_date <= $3
      ORDER BY currency, rate_date LIMIT 200000`, [ctx.tenant.id, [...currencies], latest]) : [];
  const byCurrency = new Map<string, { date: string; rate: Decimal }[]>();
  for (const r of rows) byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), { date: r.date, rate: parseDecimal(r.rate, 'rate') }]);
  return {
    functional: ctx.tenant.currency, toleranceBasisPoints: settings.fxToleranceBasisPoints,
    rateOn: (currency: string, date: LocalDate) => {
      const list = byCurrency.get(currency) ?? [];
      // The last rate dated on or before `date` (the list is in date order).
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.date <= date) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? list[lo - 1]!.rate : null;
    },
  };
}

/**
 * The open remittance advices that fit these lines (a payer, the currency and the exact amount of one of them), with
 * the items of the invoices they list added to the book (open or paid: a paid one shows why an advice no longer fits).
 */
async function loadAdvices(sql: Sql, ctx: Context, lines: readonly MatchLine[], book: MatchBook, settings: MatchSettings): Promise<AdviceFacts[]> {
  if (!lines.length) return [];
  // An advice of a line's amount, or up to the bank-charge tolerance more (c ≤ max(fixed, total × bp / 10000) with
  // total = amount + c gives c ≤ amount × bp / (10000 − bp)); advicesFor keeps exactly those within it.
  const heads = await sql.query<{ id: string; label: string; customerId: string; currency: string; totalMinor: bigint | string; reference: string | null }>(
    `SELECT r.id, coalesce(r.file_name, r.id::text) AS label, r.customer_id AS "customerId", r.currency, r.total_minor AS "totalMinor", r.reference
       FROM remittance_advices r
      WHERE r.tenant_id = $1 AND r.bank_entry_id IS NULL AND r.customer_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM unnest($2::text[], $3::int8[]) AS l(currency, amount)
                     WHERE l.currency = r.currency AND r.total_minor BETWEEN l.amount AND l.amount + greatest($4::int8, l.amount * $5::int8 / (10000 - $5::int8) + 1))
      ORDER BY r.imported_at, r.id`,
    [ctx.tenant.id, lines.map((l) => l.currency), lines.map((l) => l.amountMinor), settings.chargeToleranceMinor, settings.chargeToleranceBasisPoints]);
  if (!heads.length) return [];
  const rows = await sql.query<{ adviceId: string; invoiceNumber: string; documentId: string | null; amountMinor: bigint | string; deductionMinor: bigint | string }>(
    `SELECT advice_id AS "adviceId", invoice_number AS "invoiceNumber", document_id AS "documentId", amount_minor AS "amountMinor", deduction_minor AS "deductionMinor"
       FROM remittance_advice_lines WHERE tenant_id = $1 AND advice_id = ANY($2::uuid[]) ORDER BY advice_id, line`, [ctx.tenant.id, heads.map((h) => h.id)]);
  const documents = [...new Set(rows.map((r) => r.documentId).filter((d): d is string => !!d))];
  const items = documents.length ? await sql.query<ItemRow & { documentId: string }>(
    `${ITEM_SELECT.replace('SELECT ', 'SELECT d.id AS "documentId", ')} WHERE b.tenant_id = $1 AND b.side = 'debit' AND d.id = ANY($2::uuid[]) ORDER BY b.due_date, b.item_id`,
    [ctx.tenant.id, documents]) : [];
  addItems(book, items.filter((i) => !book.items.has(i.itemId)).map((i) => ({ ...i, openMinor: BigInt(i.openMinor), discountAmountMinor: BigInt(i.discountAmountMinor) })));
  const itemsOfDocument = new Map<string, string[]>();
  for (const i of items) itemsOfDocument.set(i.documentId, [...(itemsOfDocument.get(i.documentId) ?? []), i.itemId]);
  const linesOf = new Map<string, AdviceFacts['lines']>();
  for (const r of rows) {
    linesOf.set(r.adviceId, [...(linesOf.get(r.adviceId) ?? []), { invoiceNumber: r.invoiceNumber, itemIds: r.documentId ? itemsOfDocument.get(r.documentId) ?? [] : [], amountMinor: BigInt(r.amountMinor), deductionMinor: BigInt(r.deductionMinor) }]);
  }
  return heads.map((h) => ({
    id: h.id, label: h.label, customerId: h.customerId, currency: h.currency, totalMinor: BigInt(h.totalMinor), reference: h.reference, lines: linesOf.get(h.id) ?? [],
  }));
}

/** The advice a proposal came from (its REMITTANCE_ADVICE reason), if any. */
const adviceOf = (reasons: readonly Reason[]) => reasons.find((r) => r.code === 'REMITTANCE_ADVICE')?.detail ?? null;

/** Records that a bank line used an advice (once: an advice explains one payment). */
async function useAdvice(sql: Sql, ctx: Context, adviceId: string | null, entryId: string): Promise<void> {
  if (!adviceId) return;
  await sql.query(`UPDATE remittance_advices SET bank_entry_id = $3 WHERE tenant_id = $1 AND id = $2 AND bank_entry_id IS NULL`, [ctx.tenant.id, adviceId, entryId]);
}

const signature = (customerId: string, allocations: { itemId: string }[]) => `${customerId}:${allocations.map((a) => a.itemId).sort().join(',')}`;

// ---------------------------------------------------------------------------------------------------------------
// Running a statement.

export interface MatchRunLine {
  entryId: string;
  seq: number;
  amount: string;
  currency: string;
  status: 'auto_applied' | 'suggested' | 'unmatched' | 'already_applied' | 'not_a_credit' | 'rejected';
  bestScore: number | null;
  note: string;
  proposals: ReturnType<typeof presentProposal>[];
  applied?: { paymentNumber: string; writeOffNumber: string | null } | undefined;
}

export interface MatchRunResult {
  statementId: string;
  dryRun: boolean;
  lines: MatchRunLine[];
  counts: { lines: number; autoApplied: number; suggested: number; unmatched: number; alreadyApplied: number; notCredits: number };
}

function presentProposal(p: Proposal & { id?: string; status?: string }, book: Pick<MatchBook, 'customers'>, currency: string) {
  const customer = book.customers.get(p.customerId);
  const money = (v: bigint) => formatBankAmount(v, currency);
  return {
    ...(p.id ? { id: p.id } : {}),
    ...(p.status ? { status: p.status } : {}),
    customer: customer ? { code: customer.code, name: customer.name } : null,
    kind: p.kind, score: p.score, reasons: p.reasons,
    allocations: p.allocations.map((a) => presentAllocation(a, currency)),
    fxRate: p.fxRate ?? null,
    writeOff: p.writeOffMinor > 0n ? { amount: money(p.writeOffMinor), reason: p.writeOffReason } : null,
    deduction: presentDeductions(p.deductions, money),
    unapplied: money(p.unappliedMinor),
  };
}

/**
 * A proposal's allocation for people: `open` in the item's currency, `amount` in the line's; for an item in another
 * currency also `currency` and `settles` (what of it the amount settles, in its currency).
 */
function presentAllocation(a: { documentNumber: string; itemId: string; openMinor: bigint | string; amountMinor: bigint | string; currency?: string | undefined; settlesMinor?: bigint | string | undefined }, lineCurrency: string) {
  const itemCurrency = a.currency ?? lineCurrency;
  return {
    document: a.documentNumber, itemId: a.itemId, open: formatBankAmount(BigInt(a.openMinor), itemCurrency), amount: formatBankAmount(BigInt(a.amountMinor), lineCurrency),
    ...(a.currency ? { currency: a.currency, settles: formatBankAmount(BigInt(a.settlesMinor ?? 0), a.currency) } : {}),
  };
}

/** A proposal's deductions as the API shows them: the total and each document's part; null when there are none. */
function presentDeductions(deductions: readonly ProposalDeduction[], money: (v: bigint) => string) {
  const total = deductions.reduce((s, d) => s + d.amountMinor, 0n);
  return total > 0n ? { amount: money(total), items: deductions.map((d) => ({ document: d.documentNumber, amount: money(d.amountMinor) })) } : null;
}

async function findStatement(sql: Sql, ctx: Context, id: string): Promise<{ id: string; statementId: string; balanceCheck: string }> {
  if (!UUID.test(id)) throw notFound('BANK_STATEMENT_NOT_FOUND', `no bank statement has id ${id}; the ids are listed by GET /bank/statements (arflow bank statements)`);
  const [row] = await sql.query<{ id: string; statementId: string; balanceCheck: string }>(
    `SELECT id, statement_id AS "statementId", balance_check AS "balanceCheck" FROM bank_statements WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, id]);
  if (!row) throw notFound('BANK_STATEMENT_NOT_FOUND', `no bank statement has id ${id}; the ids are listed by GET /bank/statements (arflow bank statements)`);
  return row;
}

/**
 * Matches a statement's incoming lines. Lines already applied are left alone; the others get fresh proposals (those a
 * user rejected are not proposed again); the sure ones are applied unless `dryRun`. One transaction, audited.
 */
export async function matchStatement(ctx: Context, statementId: string, raw: unknown = {}, idempotencyKey?: string): Promise<MatchRunResult> {
  const input = parseInput(matchRunSchema, raw ?? {}, 'match');
  const run = async (sql: Sql): Promise<MatchRunResult> => {
    // Hash tables in memory and no JIT for the reads of up to hundreds of thousands of candidate items (JIT compiling
    // them costs more than it saves), local to this transaction, as for aging.
    await tuneForLedgerRead(sql);
    const statement = await findStatement(sql, ctx, statementId);
    const saved = await loadSettings(sql, ctx);
    // A statement whose own balances do not add up is checked with the bank first: nothing of it is applied unasked.
    const unbalanced = statement.balanceCheck === 'mismatch';
    const settings = unbalanced ? { ...saved, autoApply: false } : saved;
    // The entries this statement brought and those an earlier import (an intraday report) brought that it repeats
    // are both its lines; bank_entries holds each once, under the statement that brought it first.
    const entries = await sql.query<EntryRow>(`${ENTRY_SELECT} WHERE e.tenant_id = $1 AND e.statement_id = $2 ORDER BY e.seq LIMIT 100000`, [ctx.tenant.id, statement.id]);
    const applied = new Set((await sql.query<{ entryId: string }>(
      `SELECT entry_id AS "entryId" FROM bank_line_applications WHERE tenant_id = $1 AND undone_at IS NULL AND entry_id = ANY($2::uuid[])`,
      [ctx.tenant.id, entries.map((e) => e.id)])).map((r) => r.entryId));
    const rejected = new Set((await sql.query<{ entryId: string; customerId: string; allocations: { itemId: string }[] }>(
      `SELECT entry_id AS "entryId", customer_id AS "customerId", allocations FROM bank_match_proposals WHERE tenant_id = $1 AND status = 'rejected' AND entry_id = ANY($2::uuid[])`,
      [ctx.tenant.id, entries.map((e) => e.id)])).map((r) => `${r.entryId}|${signature(r.customerId, r.allocations)}`));
    const todo = entries.filter((e) => matchable(e) && !applied.has(e.id));
    const book = await loadBook(sql, ctx, todo.map(toLine));
    let advices = await loadAdvices(sql, ctx, todo.map(toLine), book, settings);
    const fx = await loadFx(sql, ctx, book, todo.map(toLine), settings);
    const lines: MatchRunLine[] = [];
    const counts = { lines: entries.length, autoApplied: 0, suggested: 0, unmatched: 0, alreadyApplied: 0, notCredits: 0 };
    for (const e of entries) {
      const base = { entryId: e.id, seq: e.seq, amount: formatBankAmount(e.amountMinor, e.currency), currency: e.currency };
      if (!matchable(e)) {
        counts.notCredits++;
        lines.push({ ...base, status: 'not_a_credit', bestScore: null, note: e.amountMinor <= 0n ? 'an outgoing payment' : e.reversal ? 'a reversal by the bank' : 'pending, not booked', proposals: [] });
        continue;
      }
      if (applied.has(e.id)) {
        counts.alreadyApplied++;
        lines.push({ ...base, status: 'already_applied', bestScore: null, note: 'applied before; undo it to match it again', proposals: [] });
        continue;
      }
      const line = toLine(e);
      // The customer's remittance advice for this payment, if one fits, comes before what the texts and amount say.
      const fitting = advicesFor(line, advices, settings);
      const fromAdvices = fitting.map((a) => adviceProposal(book, line, a, fitting.length === 1)).sort((a, b) => Number(!!b.sure) - Number(!!a.sure) || b.score - a.score);
      const ranked = [...fromAdvices, ...proposeForLine(book, line, settings, fx)].filter((p) => !rejected.has(`${e.id}|${signature(p.customerId, p.allocations)}`));
      const result = decide(e.id, ranked, settings);
      if (unbalanced && result.status === 'suggested' && result.proposals[0] && result.proposals[0].score >= saved.autoApplyScore) {
        result.note = 'the statement does not balance (opening + entries ≠ closing): check it with the bank, then accept';
      }
      let status: MatchRunLine['status'] = result.status === 'auto' ? 'auto_applied' : result.status;
      if (status === 'unmatched' && [...rejected].some((r) => r.startsWith(`${e.id}|`))) status = 'rejected';
      let note = result.note;
      let appliedDocs: MatchRunLine['applied'];
      let proposalIds: string[] = [];
      if (!input.dryRun) {
        proposalIds = await storeProposals(sql, ctx, e, result);
        if (result.status === 'auto') {
          // A line the ledger refuses (no FX rate for its currency, an invoice changed meanwhile) waits for review
          // instead of stopping the run: its postings are rolled back to the savepoint.
          await sql.query('SAVEPOINT bank_line');
          const mark = auditMark(sql);
          try {
            appliedDocs = await applyToLedger(sql, ctx, e, result.proposals[0]!, book, 'auto', proposalIds[0]!);
            await sql.query('RELEASE SAVEPOINT bank_line');
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            await sql.query('ROLLBACK TO SAVEPOINT bank_line');
            auditRollback(sql, mark);
            status = 'suggested';
            note = `not applied automatically: ${error.message}`;
          }
        }
        await setLineState(sql, ctx, e, status, { note, proposals: result.proposals });
      }
      if (status === 'auto_applied') {
        // The next lines see what this one leaves open (two payments for one invoice), and not the advice it used.
        const best = result.proposals[0]!;
        const used = adviceOf(best.reasons);
        if (used) {
          advices = advices.filter((a) => a.id !== used);
          if (!input.dryRun) await useAdvice(sql, ctx, used, e.id);
        }
        for (const a of best.allocations) book.open.set(a.itemId, book.open.get(a.itemId)! - settledMinor(a));
        if (best.writeOffMinor > 0n) {
          const last = best.allocations[best.allocations.length - 1]!;
          book.open.set(last.itemId, book.open.get(last.itemId)! - best.writeOffMinor);
        }
        counts.autoApplied++;
      } else if (status === 'suggested') counts.suggested++;
      else counts.unmatched++;
      lines.push({
        ...base, status, bestScore: result.proposals[0]?.score ?? null, note,
        proposals: result.proposals.map((p, i) => presentProposal({ ...p, ...(proposalIds[i] ? { id: proposalIds[i] } : {}) }, book, e.currency)),
        applied: appliedDocs,
      });
    }
    const out: MatchRunResult = { statementId: statement.id, dryRun: !!input.dryRun, lines, counts };
    if (!input.dryRun) {
      await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.match', entityType: 'bank_statement', entityId: statement.id, after: { statementId: statement.statementId, counts } });
    }
    return out;
  };
  if (input.dryRun) return ctx.db.tenant(ctx.tenant.id, run);
  return withIdempotency(ctx, idempotencyKey, 'bank.match', { statementId, dryRun: false }, run);
}

async function storeProposals(sql: Sql, ctx: Context, e: EntryRow, result: LineResult): Promise<string[]> {
  await sql.query(`UPDATE bank_match_proposals SET status = 'superseded' WHERE tenant_id = $1 AND entry_id = $2 AND status = 'proposed'`, [ctx.tenant.id, e.id]);
  const ids: string[] = [];
  for (const [rank, p] of result.proposals.entries()) {
    const id = uuidv7();
    ids.push(id);
    await sql.query(
      `INSERT INTO bank_match_proposals (tenant_id, id, entry_id, rank, customer_id, kind, score, reasons, allocations, write_off_minor, write_off_reason, unapplied_minor, deductions, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13::jsonb, 'proposed')`,
      [ctx.tenant.id, id, e.id, rank + 1, p.customerId, p.kind, p.score, JSON.stringify(p.reasons),
        JSON.stringify(p.allocations.map((a) => ({ ...a, openMinor: a.openMinor.toString(), amountMinor: a.amountMinor.toString(), ...(a.settlesMinor === undefined ? {} : { settlesMinor: a.settlesMinor.toString() }) }))),
        p.writeOffMinor, p.writeOffReason, p.unappliedMinor,
        JSON.stringify(p.deductions.map((d) => ({ ...d, amountMinor: d.amountMinor.toString() })))]);
  }
  return ids;
}

async function setLineState(sql: Sql, ctx: Context, e: EntryRow, status: string, result: Pick<LineResult, 'note' | 'proposals'>): Promise<void> {
  await sql.query(
    `INSERT INTO bank_line_matches (tenant_id, entry_id, statement_id, status, best_score, note, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, entry_id) DO UPDATE SET status = $4, best_score = $5, note = $6, updated_by = $7, updated_at = now(), matched_at = now()`,
    [ctx.tenant.id, e.id, e.statementId, status, result.proposals[0]?.score ?? null, result.note, ctx.actor]);
}

/** A deduction to raise as a dispute: the items (by id, or by document number for a user's choice) and how. */
interface DeductionPlan {
  deductions: ProposalDeduction[];
  reason?: DisputeReason | undefined;
  ownerTeam?: OwnerTeam | undefined;
  note?: string | undefined;
}

/**
 * Posts the line's payment (applied to the items; the rest unapplied on it) and, for a discount or bank charges, a
 * write-off of the difference; raises a dispute for the payer's deduction (left open on its items); records the
 * application. The unique index refuses a second live application.
 */
async function applyToLedger(
  sql: Sql, ctx: Context, e: EntryRow,
  p: { customerId: string; allocations: (ProposalAllocation & { rate?: string | undefined })[]; writeOffMinor: bigint; writeOffReason: string | null; writeOffDocument?: string } & DeductionPlan,
  book: Pick<MatchBook, 'customers'> | null, mode: 'auto' | 'manual', proposalId: string | null,
): Promise<{ paymentNumber: string; writeOffNumber: string | null; disputeId: string | null; deductionNote?: string }> {
  const [customer] = book?.customers.get(p.customerId) ? [book.customers.get(p.customerId)!] : await sql.query<{ code: string; name: string }>(
    `SELECT code, name FROM customers WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, p.customerId]);
  if (!customer) throw notFound('CUSTOMER_NOT_FOUND', 'the proposal\'s customer no longer exists');
  const applicationId = uuidv7();
  const date = lineDate(e);
  const money = (v: bigint) => formatBankAmount(v, e.currency);
  // The ledger applies by document: installments of one invoice are summed (and, for a document in another currency,
  // what they settle in its currency: the two amounts fix the rate, so the ledger needs none on file).
  const byDocument = new Map<string, { amountMinor: bigint; currency?: string | undefined; settlesMinor?: bigint | undefined; rate?: string | undefined }>();
  for (const a of p.allocations) {
    if (a.amountMinor <= 0n) continue;
    const before = byDocument.get(a.documentNumber);
    byDocument.set(a.documentNumber, {
      amountMinor: (before?.amountMinor ?? 0n) + a.amountMinor, currency: a.currency, rate: a.rate,
      settlesMinor: a.settlesMinor === undefined ? undefined : (before?.settlesMinor ?? 0n) + a.settlesMinor,
    });
  }
  const appliedMinor = [...byDocument.values()].reduce((s, v) => s + v.amountMinor, 0n);
  const amountMinor = BigInt(e.amountMinor);
  if (appliedMinor > amountMinor) throw invalid('ALLOCATION_TOO_LARGE', `allocations: ${money(appliedMinor)} is more than the line's ${money(amountMinor)}`, [{ field: 'allocations', message: 'more than the line' }]);
  const memo = [e.counterpartyName, e.remittanceText].filter(Boolean).join(' · ').slice(0, 1000) || null;
  const payment = await postDocument(ctx, {
    kind: 'payment', customer: customer.code, documentDate: date, currency: e.currency, amount: money(amountMinor),
    appliesTo: [...byDocument].map(([document, v]) => ({
      document, amount: money(v.amountMinor),
      ...(v.settlesMinor !== undefined && v.currency ? { settles: formatBankAmount(v.settlesMinor, v.currency) } : {}),
      ...(v.rate !== undefined ? { rate: v.rate } : {}),
    })),
    sourceSystem: 'bank', externalId: `${e.id}:${applicationId}`, memo: memo ?? undefined,
    reason: `bank line ${e.bankReference ?? e.seq} (${mode === 'auto' ? 'matched automatically' : 'matched by a user'})`,
  }, sql);
  let writeOff: Awaited<ReturnType<typeof postDocument>> | null = null;
  if (p.writeOffMinor > 0n) {
    const target = p.writeOffDocument ?? p.allocations[p.allocations.length - 1]!.documentNumber;
    writeOff = await postDocument(ctx, {
      kind: 'write_off', customer: customer.code, documentDate: date, currency: e.currency, amount: money(p.writeOffMinor),
      appliesTo: [{ document: target, amount: money(p.writeOffMinor) }], sourceSystem: 'bank', externalId: `${e.id}:${applicationId}:wo`,
      reason: p.writeOffReason === 'discount' ? 'early-payment discount taken' : p.writeOffReason === 'bank_charges' ? 'bank charges deducted by the payer\'s bank' : 'short payment accepted',
    }, sql);
  }
  const deducted = await raiseDeduction(sql, ctx, e, customer.code, p, mode);
  try {
    await sql.query(
      `INSERT INTO bank_line_applications (tenant_id, id, entry_id, proposal_id, customer_id, mode, payment_document_id, write_off_document_id, amount_minor, applied_minor, write_off_minor, unapplied_minor, applied_by,
         deduction_minor, dispute_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [ctx.tenant.id, applicationId, e.id, proposalId, p.customerId, mode, payment.document.id, writeOff?.document.id ?? null, amountMinor, appliedMinor,
        p.writeOffMinor, amountMinor - appliedMinor, ctx.actor, deducted.disputeId ? deducted.amountMinor : 0n, deducted.disputeId]);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw conflict('BANK_LINE_ALREADY_APPLIED', `bank line ${e.seq} is already applied; undo it first to apply it otherwise`);
    throw error;
  }
  if (proposalId) {
    await sql.query(`UPDATE bank_match_proposals SET status = $3, decided_at = now(), decided_by = $4 WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, proposalId, mode === 'auto' ? 'auto_applied' : 'accepted', ctx.actor]);
  }
  await sql.query(`UPDATE bank_match_proposals SET status = 'superseded' WHERE tenant_id = $1 AND entry_id = $2 AND status = 'proposed'`, [ctx.tenant.id, e.id]);
  await appendAudit(sql, ctx.tenant.id, {
    actor: ctx.actor, action: mode === 'auto' ? 'bank.line.auto_apply' : 'bank.line.accept', entityType: 'bank_entry', entityId: e.id,
    after: {
      customer: customer.code, payment: payment.document.number, writeOff: writeOff?.document.number ?? null, applied: money(appliedMinor), unapplied: money(amountMinor - appliedMinor), proposalId,
      ...(deducted.amountMinor > 0n ? { deduction: money(deducted.amountMinor), dispute: deducted.disputeId, ...(deducted.note ? { deductionNote: deducted.note } : {}) } : {}),
    },
  });
  return {
    paymentNumber: payment.document.number, writeOffNumber: writeOff?.document.number ?? null, disputeId: deducted.disputeId,
    ...(deducted.note ? { deductionNote: deducted.note } : {}),
  };
}

/**
 * Raises the dispute for a payer's deduction, after the payment (so each item's open amount is at least what is
 * disputed). A user's request that cannot be raised is an error naming the field; in an automatic run an item
 * already in an open dispute keeps that dispute, and the deduction simply stays open on it (said in the audit).
 */
async function raiseDeduction(
  sql: Sql, ctx: Context, e: EntryRow, customerCode: string, plan: DeductionPlan, mode: 'auto' | 'manual',
): Promise<{ amountMinor: bigint; disputeId: string | null; note?: string }> {
  const deductions = plan.deductions.filter((d) => d.amountMinor > 0n);
  const amountMinor = deductions.reduce((s, d) => s + d.amountMinor, 0n);
  if (amountMinor === 0n) return { amountMinor, disputeId: null };
  const byId = deductions.filter((d) => d.itemId);
  const found = byId.length ? await sql.query<{ id: string; kind: string; number: string; seq: number }>(
    `SELECT i.id, d.kind, d.number, i.seq FROM items i JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
      WHERE i.tenant_id = $1 AND i.id = ANY($2::uuid[])`, [ctx.tenant.id, byId.map((d) => d.itemId)]) : [];
  const items = deductions.map((d) => {
    const f = d.itemId ? found.find((x) => x.id === d.itemId) : undefined;
    return { document: f ? `${f.kind}:${f.number}` : d.documentNumber, installment: f ? Number(f.seq) : 1, amount: formatBankAmount(d.amountMinor, e.currency) };
  });
  const said = [e.remittanceText, e.counterpartyName].filter(Boolean).join(' · ').slice(0, 300);
  const note = plan.note || `deducted by the payer from bank line ${e.bankReference ?? e.seq} of ${e.bookingDate ?? e.valueDate}${said ? `: ${said}` : ''}`;
  const mark = auditMark(sql);
  try {
    if (mode === 'auto') await sql.query('SAVEPOINT deduction');
    const dispute = await raiseDisputeIn(sql, ctx, { customer: customerCode, reason: plan.reason ?? 'other', ownerTeam: plan.ownerTeam ?? 'sales', note, items });
    if (mode === 'auto') await sql.query('RELEASE SAVEPOINT deduction');
    return { amountMinor, disputeId: dispute.id };
  } catch (error) {
    if (mode === 'manual' || !(error instanceof AppError) || error.kind !== 'conflict') {
      if (error instanceof AppError && mode === 'manual' && error.details?.length) {
        throw new AppError(error.kind, error.code, `deduction: ${error.message}`, error.details.map((d) => ({ ...d, field: `deduction.${d.field}` })));
      }
      throw error;
    }
    await sql.query('ROLLBACK TO SAVEPOINT deduction');
    auditRollback(sql, mark);
    return { amountMinor, disputeId: null, note: `the deduction ${formatBankAmount(amountMinor, e.currency)} stays open without a new dispute: ${error.message}` };
  }
}

async function loadEntry(sql: Sql, ctx: Context, entryId: string): Promise<EntryRow> {
  if (!UUID.test(entryId)) throw notFound('BANK_LINE_NOT_FOUND', `no bank line has id ${entryId}; the ids are listed by GET /bank/statements/{id}/lines`);
  const [e] = await sql.query<EntryRow>(`${ENTRY_SELECT} WHERE e.tenant_id = $1 AND e.id = $2`, [ctx.tenant.id, entryId]);
  if (!e) throw notFound('BANK_LINE_NOT_FOUND', `no bank line has id ${entryId}; the ids are listed by GET /bank/statements/{id}/lines`);
  // Lock the line's state so two users cannot decide it at once.
  await sql.query(`SELECT 1 FROM bank_line_matches WHERE tenant_id = $1 AND entry_id = $2 FOR UPDATE`, [ctx.tenant.id, e.id]);
  return e;
}

async function liveApplication(sql: Sql, ctx: Context, entryId: string) {
  const [row] = await sql.query<{ id: string; paymentDocumentId: string; writeOffDocumentId: string | null; proposalId: string | null; customerId: string; disputeId: string | null }>(
    `SELECT id, payment_document_id AS "paymentDocumentId", write_off_document_id AS "writeOffDocumentId", proposal_id AS "proposalId", customer_id AS "customerId",
       dispute_id AS "disputeId"
     FROM bank_line_applications WHERE tenant_id = $1 AND entry_id = $2 AND undone_at IS NULL`, [ctx.tenant.id, entryId]);
  return row ?? null;
}

interface StoredProposal {
  id: string; entryId: string; customerId: string; status: string; kind: string; score: number; reasons: Reason[];
  allocations: { itemId: string; documentNumber: string; openMinor: string; amountMinor: string; currency?: string; settlesMinor?: string }[];
  writeOffMinor: bigint; writeOffReason: string | null; unappliedMinor: bigint; rank: number;
  deductions: { itemId: string; documentNumber: string; amountMinor: string }[];
}
const PROPOSAL_SELECT = `SELECT id, entry_id AS "entryId", customer_id AS "customerId", status, kind, score, reasons, allocations, write_off_minor AS "writeOffMinor",
  write_off_reason AS "writeOffReason", unapplied_minor AS "unappliedMinor", rank, deductions FROM bank_match_proposals`;

/**
 * A user applies a line: a proposal as it stands, or the items and amounts they chose (another customer's, other
 * invoices, a split); whatever is not applied stays on the payment as unapplied cash. The payer's account is learned.
 */
export async function acceptLine(ctx: Context, entryId: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(acceptSchema, raw ?? {}, 'acceptance');
  if (!input.proposalId && !(input.customer && input.allocations)) {
    throw invalid('VALIDATION_FAILED', 'acceptance: give proposalId, or customer and allocations ([{ "document": "INV-1", "amount": "100.00" }])', [{ field: 'proposalId', message: 'required without customer and allocations' }]);
  }
  return withIdempotency(ctx, idempotencyKey, 'bank.line.accept', { entryId, input }, async (sql) => {
    const e = await loadEntry(sql, ctx, entryId);
    if (!matchable(e)) throw invalid('BANK_LINE_NOT_A_CREDIT', `bank line ${e.seq} is not an incoming booked payment; only those are applied to invoices`);
    if (await liveApplication(sql, ctx, e.id)) throw conflict('BANK_LINE_ALREADY_APPLIED', `bank line ${e.seq} is already applied; undo it first to apply it otherwise`);
    let proposal: StoredProposal | null = null;
    if (input.proposalId) {
      proposal = (await sql.query<StoredProposal>(`${PROPOSAL_SELECT} WHERE tenant_id = $1 AND id = $2 AND entry_id = $3`, [ctx.tenant.id, input.proposalId, e.id]))[0] ?? null;
      if (!proposal) throw notFound('PROPOSAL_NOT_FOUND', `proposalId: bank line ${e.seq} has no proposal ${input.proposalId}`, [{ field: 'proposalId', message: 'not found' }]);
      if (proposal.status === 'superseded') throw conflict('PROPOSAL_SUPERSEDED', `proposalId: the statement was matched again since; choose one of the line's current proposals`, [{ field: 'proposalId', message: 'superseded' }]);
    }
    let customerId: string;
    if (input.customer) {
      const [c] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, input.customer]);
      if (!c) throw notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${input.customer}`, [{ field: 'customer', message: 'not found' }]);
      customerId = c.id;
    } else customerId = proposal!.customerId;
    const amountOf = (text: string, field: string) => parseAmount(text, e.currency, field);
    // A document in another currency: what the user gave (settles, in its currency, or a rate) goes to the ledger,
    // which checks both against what is open and names the field.
    const allocations: (ProposalAllocation & { rate?: string })[] = [];
    if (input.allocations) {
      for (const [i, a] of input.allocations.entries()) {
        let settles: { currency: string; settlesMinor: bigint } | Record<string, never> = {};
        if (a.settles !== undefined) {
          const [doc] = await sql.query<{ currency: string }>(
            `SELECT currency FROM documents WHERE tenant_id = $1 AND customer_id = $2 AND number = $3 AND side = 'debit' AND kind <> 'reversal' LIMIT 1`, [ctx.tenant.id, customerId, a.document]);
          if (!doc) throw notFound('DOCUMENT_NOT_FOUND', `allocations.${i}.document: this customer has no document numbered ${a.document}`, [{ field: `allocations.${i}.document`, message: 'not found' }]);
          settles = { currency: doc.currency, settlesMinor: parseAmount(a.settles, doc.currency, `allocations.${i}.settles`) };
        }
        allocations.push({ itemId: '', documentNumber: a.document, openMinor: 0n, amountMinor: amountOf(a.amount, `allocations.${i}.amount`), ...settles, ...(a.rate ? { rate: a.rate } : {}) });
      }
    } else {
      for (const a of proposal!.allocations) {
        allocations.push({
          itemId: a.itemId, documentNumber: a.documentNumber, openMinor: BigInt(a.openMinor), amountMinor: BigInt(a.amountMinor),
          ...(a.currency && a.settlesMinor !== undefined ? { currency: a.currency, settlesMinor: BigInt(a.settlesMinor) } : {}),
        });
      }
    }
    if (allocations.some((a) => a.amountMinor <= 0n)) throw invalid('VALIDATION_FAILED', 'allocations: every amount must be more than zero', [{ field: 'allocations', message: 'zero amount' }]);
    const writeOff = input.writeOff
      ? { writeOffMinor: amountOf(input.writeOff.amount, 'writeOff.amount'), writeOffReason: input.writeOff.reason, writeOffDocument: input.writeOff.document }
      : input.allocations ? { writeOffMinor: 0n, writeOffReason: null } : { writeOffMinor: BigInt(proposal!.writeOffMinor), writeOffReason: proposal!.writeOffReason };
    const useProposal = proposal && !input.allocations && (!input.customer || customerId === proposal.customerId);
    const deduction: DeductionPlan = input.deduction
      ? { deductions: [{ itemId: '', documentNumber: input.deduction.document, amountMinor: amountOf(input.deduction.amount, 'deduction.amount') }], reason: input.deduction.reason, ownerTeam: input.deduction.ownerTeam, note: input.deduction.note }
      : useProposal ? { deductions: proposal!.deductions.map((d) => ({ ...d, amountMinor: BigInt(d.amountMinor) })) } : { deductions: [] };
    if (deduction.deductions.some((d) => d.amountMinor <= 0n)) throw invalid('VALIDATION_FAILED', 'deduction.amount: the amount deducted must be more than zero', [{ field: 'deduction.amount', message: 'zero amount' }]);
    if (input.deduction && input.writeOff && input.deduction.document === input.writeOff.document) {
      throw invalid('VALIDATION_FAILED', 'deduction.document: the write-off is on the same document; an amount is either written off or disputed, not both', [{ field: 'deduction.document', message: 'same document as writeOff' }]);
    }
    const docs = await applyToLedger(sql, ctx, e, { customerId, allocations, ...writeOff, ...deduction }, null, 'manual', useProposal ? proposal!.id : null);
    if (useProposal) await useAdvice(sql, ctx, adviceOf(proposal!.reasons), e.id);
    if (proposal && !useProposal) {
      await sql.query(`UPDATE bank_match_proposals SET status = 'rejected', decided_at = now(), decided_by = $3 WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, proposal.id, ctx.actor]);
    }
    await setLineState(sql, ctx, e, 'applied', { note: 'applied by a user', proposals: [] });
    const learned = input.learnAccount !== false && e.counterpartyAccount ? await learnAccount(sql, ctx, customerId, e.counterpartyAccount) : null;
    const patterns = input.learnAccount !== false ? await learnPatterns(sql, ctx, customerId, e, allocations.map((a) => a.documentNumber)) : [];
    return { entryId: e.id, status: 'applied' as const, ...docs, learnedAccount: learned, learnedPatterns: patterns };
  });
}

/**
 * Remembers how the payer quoted the invoices a user applied the line to, when the text does not name them in a way
 * matching already reads (learnPattern: the number's last digits after the payer's own words); a pattern seen again
 * counts one more confirmation. Returns the patterns as "尾号 + 4 digits".
 */
async function learnPatterns(sql: Sql, ctx: Context, customerId: string, e: EntryRow, documents: readonly string[]): Promise<string[]> {
  const texts = [e.remittanceText, e.endToEndId, e.creditorReference];
  const key = referenceKey(texts.filter(Boolean).join(' '));
  const learned: string[] = [];
  for (const number of [...new Set(documents)]) {
    // Named already (as written, without separators or without its prefix): nothing to learn.
    const own = referenceKey(number);
    if (key.includes(own) || key.includes(coreKey(own) ?? own)) continue;
    const pattern = learnPattern(texts, number);
    if (!pattern) continue;
    const example = (texts.find((t) => t && t.normalize('NFKC').toUpperCase().includes(pattern.marker)) ?? '').slice(0, 200);
    await sql.query(
      `INSERT INTO customer_reference_patterns (tenant_id, id, customer_id, marker, digits, example, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, customer_id, marker, digits) DO UPDATE SET confirmations = customer_reference_patterns.confirmations + 1, example = $6, updated_at = now()`,
      [ctx.tenant.id, uuidv7(), customerId, pattern.marker, pattern.digits, example, ctx.actor]);
    const words = `${pattern.marker ? `${pattern.marker} + ` : ''}${pattern.digits} digits`;
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.pattern.learn', entityType: 'customer', entityId: customerId, after: { pattern: words, example, document: number } });
    learned.push(words);
  }
  return learned;
}

/** Remembers a payer account for a customer (or counts one more confirmation of it). */
async function learnAccount(sql: Sql, ctx: Context, customerId: string, account: string): Promise<string | null> {
  const key = accountKey(account);
  if (key.length < 4) return null;
  await sql.query(
    `INSERT INTO customer_bank_accounts (tenant_id, id, customer_id, account_key, account, source, created_by)
     VALUES ($1, $2, $3, $4, $5, 'learned', $6)
     ON CONFLICT (tenant_id, account_key, customer_id) DO UPDATE SET confirmations = customer_bank_accounts.confirmations + 1, updated_at = now()`,
    [ctx.tenant.id, uuidv7(), customerId, key, account.slice(0, 100), ctx.actor]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.account.learn', entityType: 'customer', entityId: customerId, after: { account } });
  return account;
}

/** Rejects one proposal (or all the line's open ones): it is not proposed again for this line. */
export async function rejectLine(ctx: Context, entryId: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(rejectSchema, raw ?? {}, 'rejection');
  return withIdempotency(ctx, idempotencyKey, 'bank.line.reject', { entryId, input }, async (sql) => {
    const e = await loadEntry(sql, ctx, entryId);
    if (await liveApplication(sql, ctx, e.id)) throw conflict('BANK_LINE_ALREADY_APPLIED', `bank line ${e.seq} is applied; undo it instead (POST /bank/lines/${e.id}/undo)`);
    const rows = await sql.query<{ id: string }>(
      `UPDATE bank_match_proposals SET status = 'rejected', decided_at = now(), decided_by = $3
       WHERE tenant_id = $1 AND entry_id = $2 AND status = 'proposed' ${input.proposalId ? 'AND id = $4' : ''} RETURNING id`,
      input.proposalId ? [ctx.tenant.id, e.id, ctx.actor, input.proposalId] : [ctx.tenant.id, e.id, ctx.actor]);
    if (input.proposalId && rows.length === 0) throw notFound('PROPOSAL_NOT_FOUND', `proposalId: bank line ${e.seq} has no open proposal ${input.proposalId}`, [{ field: 'proposalId', message: 'not found or already decided' }]);
    const [left] = await sql.query<{ n: number; best: number | null }>(
      `SELECT count(*)::int AS n, max(score)::int AS best FROM bank_match_proposals WHERE tenant_id = $1 AND entry_id = $2 AND status = 'proposed'`, [ctx.tenant.id, e.id]);
    const status = left!.n > 0 ? 'suggested' : 'rejected';
    await sql.query(
      `INSERT INTO bank_line_matches (tenant_id, entry_id, statement_id, status, best_score, note, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, entry_id) DO UPDATE SET status = $4, best_score = $5, note = $6, updated_by = $7, updated_at = now()`,
      [ctx.tenant.id, e.id, e.statementId, status, left!.best, input.reason ? `rejected: ${input.reason}` : 'rejected by a user', ctx.actor]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.line.reject', entityType: 'bank_entry', entityId: e.id, reason: input.reason ?? null, after: { rejected: rows.map((r) => r.id), status } });
    return { entryId: e.id, status, rejected: rows.map((r) => r.id) };
  });
}

/** Undoes a line's application: its write-off and payment are reversed in the ledger; the proposal is not applied again. */
export async function undoLine(ctx: Context, entryId: string, raw: unknown, idempotencyKey?: string) {
  const input = parseInput(undoSchema, raw ?? {}, 'undo');
  return withIdempotency(ctx, idempotencyKey, 'bank.line.undo', { entryId, input }, async (sql) => {
    const e = await loadEntry(sql, ctx, entryId);
    const application = await liveApplication(sql, ctx, e.id);
    if (!application) throw conflict('BANK_LINE_NOT_APPLIED', `bank line ${e.seq} is not applied; there is nothing to undo`);
    const reversal = { reason: `bank line undone: ${input.reason}`, ...(input.date ? { date: input.date } : {}) };
    if (application.writeOffDocumentId) await reverseDocument(ctx, application.writeOffDocumentId, reversal, sql);
    const reversed = await reverseDocument(ctx, application.paymentDocumentId, reversal, sql);
    // The deduction's dispute was raised with the payment: an active one is withdrawn (through its statuses, in its history).
    const withdrawn = application.disputeId ? await withdrawDeduction(sql, ctx, application.disputeId, input.reason) : null;
    await sql.query(`UPDATE bank_line_applications SET undone_at = now(), undone_by = $3, undo_reason = $4 WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, application.id, ctx.actor, input.reason]);
    // An advice the line used waits for a payment again.
    await sql.query(`UPDATE remittance_advices SET bank_entry_id = NULL WHERE tenant_id = $1 AND bank_entry_id = $2`, [ctx.tenant.id, e.id]);
    if (application.proposalId) {
      await sql.query(`UPDATE bank_match_proposals SET status = 'rejected', decided_at = now(), decided_by = $3 WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, application.proposalId, ctx.actor]);
    }
    await setLineState(sql, ctx, e, 'rejected', { note: `undone: ${input.reason}; match the statement again or apply it by hand`, proposals: [] });
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.line.undo', entityType: 'bank_entry', entityId: e.id, reason: input.reason, after: { reversal: reversed.reversal.number, ...(withdrawn ? { disputeWithdrawn: withdrawn } : {}) } });
    return { entryId: e.id, status: 'rejected' as const, reversal: reversed.reversal.number, disputeWithdrawn: withdrawn };
  });
}

/** Rejects the deduction's dispute if it is still open or investigating; a decided one is left as it was decided. */
async function withdrawDeduction(sql: Sql, ctx: Context, disputeId: string, reason: string): Promise<string | null> {
  const [d] = await sql.query<{ status: string }>(`SELECT status FROM disputes WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, disputeId]);
  if (!d || (d.status !== 'open' && d.status !== 'investigating')) return null;
  const note = `withdrawn: the bank line's application was undone (${reason})`;
  if (d.status === 'open') await transitionDisputeIn(sql, ctx, disputeId, { to: 'investigating', note });
  await transitionDisputeIn(sql, ctx, disputeId, { to: 'rejected', note });
  return disputeId;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: a statement's lines with their state, proposals and application.

/** Matches each statement an import brought (not those already imported before): the import's follow-up. */
export async function matchImported(ctx: Context, statements: readonly { id: string; alreadyImported: boolean }[]) {
  const runs: MatchRunResult[] = [];
  for (const s of statements) if (!s.alreadyImported) runs.push(await matchStatement(ctx, s.id));
  return runs.map((r) => ({ statementId: r.statementId, counts: r.counts }));
}

export async function listLines(ctx: Context, sql: Sql, statementId: string, raw: unknown = {}) {
  const q = parseInput(linesQuerySchema, raw ?? {}, 'query');
  const statement = await findStatement(sql, ctx, statementId);
  const scope = customerScope(ctx);
  const statusFilter = q.status === 'not_matched' ? `AND m.entry_id IS NULL` : q.status ? `AND m.status = $4` : '';
  const params: unknown[] = [ctx.tenant.id, statement.id, q.limit + 1];
  if (q.status && q.status !== 'not_matched') params.push(q.status);
  params.push(q.offset);
  const entries = await sql.query<EntryRow & { status: string | null; bestScore: number | null; note: string | null }>(
    `SELECT e.id, e.seq, e.booking_date AS "bookingDate", e.value_date AS "valueDate", e.amount_minor AS "amountMinor", e.currency,
       e.bank_reference AS "bankReference", e.end_to_end_id AS "endToEndId", e.remittance_text AS "remittanceText", e.creditor_reference AS "creditorReference",
       e.counterparty_name AS "counterpartyName", e.counterparty_account AS "counterpartyAccount", e.reversal, e.booked,
       m.status, m.best_score AS "bestScore", m.note
     FROM bank_entries e LEFT JOIN bank_line_matches m ON m.tenant_id = e.tenant_id AND m.entry_id = e.id
     WHERE e.tenant_id = $1 AND e.statement_id = $2 ${statusFilter} ORDER BY e.seq LIMIT $3 OFFSET $${params.length}`, params);
  const more = entries.length > q.limit;
  const page = entries.slice(0, q.limit);
  const ids = page.map((e) => e.id);
  const proposals = await sql.query<StoredProposal & { customerCode: string; customerName: string; inScope: boolean }>(
    `SELECT p.id, p.entry_id AS "entryId", p.customer_id AS "customerId", p.status, p.kind, p.score, p.reasons, p.allocations,
       p.write_off_minor AS "writeOffMinor", p.write_off_reason AS "writeOffReason", p.unapplied_minor AS "unappliedMinor", p.rank, p.deductions,
       c.code AS "customerCode", c.name AS "customerName", ${scope ? `(c.${scope.field} = $3)` : 'true'} AS "inScope"
     FROM bank_match_proposals p JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
     WHERE p.tenant_id = $1 AND p.entry_id = ANY($2::uuid[]) AND p.status IN ('proposed', 'accepted', 'auto_applied')
     ORDER BY p.rank, p.created_at DESC`, scope ? [ctx.tenant.id, ids, scope.handle] : [ctx.tenant.id, ids]);
  const applications = await sql.query<{ entryId: string; mode: string; customerCode: string; customerName: string; payment: string; writeOff: string | null; appliedMinor: bigint; writeOffMinor: bigint; unappliedMinor: bigint; deductionMinor: bigint; disputeId: string | null; appliedAt: string; appliedBy: string; inScope: boolean }>(
    `SELECT a.entry_id AS "entryId", a.mode, c.code AS "customerCode", c.name AS "customerName", d.number AS payment, w.number AS "writeOff",
       a.deduction_minor AS "deductionMinor", a.dispute_id AS "disputeId",
       a.applied_minor AS "appliedMinor", a.write_off_minor AS "writeOffMinor", a.unapplied_minor AS "unappliedMinor", a.applied_at AS "appliedAt", a.applied_by AS "appliedBy",
       ${scope ? `(c.${scope.field} = $3)` : 'true'} AS "inScope"
     FROM bank_line_applications a JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
     JOIN documents d ON d.tenant_id = a.tenant_id AND d.id = a.payment_document_id
     LEFT JOIN documents w ON w.tenant_id = a.tenant_id AND w.id = a.write_off_document_id
     WHERE a.tenant_id = $1 AND a.entry_id = ANY($2::uuid[]) AND a.undone_at IS NULL`, scope ? [ctx.tenant.id, ids, scope.handle] : [ctx.tenant.id, ids]);
  const [counts] = await sql.query<Record<string, number>>(
    `SELECT count(*)::int AS lines, count(*) FILTER (WHERE m.status = 'auto_applied')::int AS "autoApplied", count(*) FILTER (WHERE m.status = 'applied')::int AS applied,
       count(*) FILTER (WHERE m.status = 'suggested')::int AS suggested, count(*) FILTER (WHERE m.status IN ('unmatched', 'rejected'))::int AS unmatched,
       count(*) FILTER (WHERE m.entry_id IS NULL AND e.amount_minor > 0 AND e.booked AND NOT e.reversal)::int AS "notMatched"
     FROM bank_entries e LEFT JOIN bank_line_matches m ON m.tenant_id = e.tenant_id AND m.entry_id = e.id WHERE e.tenant_id = $1 AND e.statement_id = $2`,
    [ctx.tenant.id, statement.id]);
  return {
    statementId: statement.id, counts, more,
    lines: page.map((e) => {
      const money = (v: bigint | string) => formatBankAmount(BigInt(v), e.currency);
      const application = applications.find((a) => a.entryId === e.id);
      return {
        id: e.id, seq: e.seq, bookingDate: e.bookingDate, valueDate: e.valueDate, amount: money(e.amountMinor), currency: e.currency,
        direction: BigInt(e.amountMinor) < 0n ? 'debit' : 'credit', bankReference: e.bankReference, endToEndId: e.endToEndId, remittanceText: e.remittanceText,
        creditorReference: e.creditorReference, counterpartyName: e.counterpartyName, counterpartyAccount: e.counterpartyAccount,
        matchable: matchable(e), status: e.status ?? (matchable(e) ? 'not_matched' : 'not_a_credit'), bestScore: e.bestScore, note: e.note,
        proposals: proposals.filter((p) => p.entryId === e.id && p.inScope).map((p) => ({
          id: p.id, status: p.status, rank: p.rank, customer: { code: p.customerCode, name: p.customerName }, kind: p.kind, score: p.score, reasons: p.reasons,
          allocations: p.allocations.map((a) => presentAllocation(a, e.currency)),
          fxRate: p.allocations.some((a) => a.currency) ? p.reasons.find((r) => r.code === 'AMOUNT_FX' || r.code === 'AMOUNT_PARTIAL' || r.code === 'AMOUNT_OVER')?.detail ?? null : null,
          writeOff: BigInt(p.writeOffMinor) > 0n ? { amount: money(p.writeOffMinor), reason: p.writeOffReason } : null,
          deduction: presentDeductions(p.deductions.map((d) => ({ ...d, amountMinor: BigInt(d.amountMinor) })), money),
          unapplied: money(p.unappliedMinor),
        })),
        application: application && application.inScope ? {
          mode: application.mode, customer: { code: application.customerCode, name: application.customerName }, payment: application.payment,
          writeOff: application.writeOff, applied: money(application.appliedMinor), writeOffAmount: money(application.writeOffMinor),
          unapplied: money(application.unappliedMinor), deduction: BigInt(application.deductionMinor) > 0n ? money(application.deductionMinor) : null, disputeId: application.disputeId,
          appliedAt: new Date(application.appliedAt).toISOString(), appliedBy: application.appliedBy,
        } : null,
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What matching has learned about a customer: payer accounts and how it quotes invoices; a user may forget either.

export interface MatchingKnowledge {
  customer: { code: string; name: string };
  accounts: { id: string; account: string; source: string; confirmations: number; learnedBy: string; learnedAt: string; lastConfirmedAt: string }[];
  patterns: { id: string; marker: string; digits: number; example: string; confirmations: number; learnedBy: string; learnedAt: string; lastConfirmedAt: string }[];
}

async function knowledgeCustomer(ctx: Context, sql: Sql, code: string): Promise<{ id: string; code: string; name: string }> {
  const customer = await getCustomer(sql, ctx.tenant.id, code);
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${code}`, [{ field: 'customer', message: 'not found' }]));
  return { id: customer.id, code: customer.code, name: customer.name };
}

/** The payer accounts and reference patterns cash matching knows for a customer, newest confirmation first. */
export async function getMatchingKnowledge(ctx: Context, sql: Sql, code: string): Promise<MatchingKnowledge> {
  const customer = await knowledgeCustomer(ctx, sql, code);
  const iso = (v: unknown) => new Date(v as string).toISOString();
  const accounts = await sql.query<{ id: string; account: string; source: string; confirmations: number; createdBy: string; createdAt: unknown; updatedAt: unknown }>(
    `SELECT id, account, source, confirmations, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customer_bank_accounts WHERE tenant_id = $1 AND customer_id = $2 ORDER BY updated_at DESC, id LIMIT 200`, [ctx.tenant.id, customer.id]);
  const patterns = await sql.query<{ id: string; marker: string; digits: number; example: string; confirmations: number; createdBy: string; createdAt: unknown; updatedAt: unknown }>(
    `SELECT id, marker, digits, example, confirmations, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customer_reference_patterns WHERE tenant_id = $1 AND customer_id = $2 ORDER BY updated_at DESC, id LIMIT 200`, [ctx.tenant.id, customer.id]);
  return {
    customer: { code: customer.code, name: customer.name },
    accounts: accounts.map((a) => ({ id: a.id, account: a.account, source: a.source, confirmations: Number(a.confirmations), learnedBy: a.createdBy, learnedAt: iso(a.createdAt), lastConfirmedAt: iso(a.updatedAt) })),
    patterns: patterns.map((p) => ({ id: p.id, marker: p.marker, digits: Number(p.digits), example: p.example, confirmations: Number(p.confirmations), learnedBy: p.createdBy, learnedAt: iso(p.createdAt), lastConfirmedAt: iso(p.updatedAt) })),
  };
}

export const KNOWLEDGE_KINDS = ['accounts', 'patterns'] as const;

/** Forgets one learned account or pattern of a customer (a wrong decision taught it); audited with what it was. */
export async function forgetKnowledge(ctx: Context, code: string, kind: (typeof KNOWLEDGE_KINDS)[number], id: string, idempotencyKey?: string): Promise<MatchingKnowledge> {
  if (!KNOWLEDGE_KINDS.includes(kind)) throw invalid('VALIDATION_FAILED', `kind: accounts or patterns, not ${kind}`, [{ field: 'kind', message: 'accounts or patterns' }]);
  const missing = () => notFound('KNOWLEDGE_NOT_FOUND', `${kind === 'accounts' ? 'account' : 'pattern'} ${id} is not one customer ${code} is known by; GET /customers/${code}/matching-knowledge lists them`);
  if (!UUID.test(id)) throw missing();
  return withIdempotency(ctx, idempotencyKey, 'bank.knowledge.forget', { code, kind, id }, async (sql) => {
    const customer = await knowledgeCustomer(ctx, sql, code);
    const table = kind === 'accounts' ? 'customer_bank_accounts' : 'customer_reference_patterns';
    const [row] = await sql.query<Record<string, unknown>>(
      `DELETE FROM ${table} WHERE tenant_id = $1 AND customer_id = $2 AND id = $3 RETURNING ${kind === 'accounts' ? 'account, confirmations' : 'marker, digits, example, confirmations'}`,
      [ctx.tenant.id, customer.id, id]);
    if (!row) throw missing();
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: kind === 'accounts' ? 'bank.account.forget' : 'bank.pattern.forget', entityType: 'customer', entityId: customer.id, before: row });
    return getMatchingKnowledge(ctx, sql, code);
  });
}
