/**
 * Ledger use cases: post a document, apply credits to open items, reverse a document or an allocation, verify an
 * advance receipt, check and rebuild the cached balances. Each runs load → compute (domain) → persist in one
 * transaction, and appends its audit entry there too.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Preload, Sql } from '../../db/database.ts';
import { maxDate, parseDate, type LocalDate } from '../../domain/dates.ts';
import { ONE, convertAmount, crossRate, formatDecimal, formatRatio, parseDecimal, ratioOf } from '../../domain/decimal.ts';
import { AppError, conflict, invalid, notFound, type ErrorDetail } from '../../domain/errors.ts';
import {
  CREDIT_KINDS, DEBIT_KINDS, NUMBER_PREFIX, POSTABLE_KINDS, oppositeSide, planAllocations, sideOf,
  type AllocationRequest, type OpenItem, type PlannedAllocation, type PostableKind,
} from '../../domain/ledger.ts';
import { checkCurrency, currencyScale, formatAmount, parseAmount } from '../../domain/money.ts';
import { schedule, type PaymentTermsRule } from '../../domain/terms.ts';
import { requestEvaluation } from '../alerts/request.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { findCustomerPreload, getCustomer, requireCustomer, type Customer } from '../customers/index.ts';
import { fxRateOn } from '../fx/index.ts';
import { payloadHash } from '../hash.ts';
import { codeSchema, tenantToday } from '../tenants/index.ts';
import { findTerms } from '../terms/index.ts';
import { amountText, localDateText, parseInput, rateText } from '../validate.ts';
import {
  allocationsOfDocument, findAllocation, findDocumentById, findDocumentIdByNumber, findDocumentIdPreload, findDocumentsByNumber, insertAllocations,
  insertDocumentApplied, insertDocuments, itemsOfDocument, liveAllocationsOfDocument, lockDebitItemsByNumbers, lockDebitItemsPreload, lockItems, nextNumber,
  type AllocationRow, type DocumentRow, type ItemRow, type NewAllocation, type NewDocument, type NewItem,
} from './repository.ts';

export const MAX_APPLIES_TO = 200;
const numberSchema = z.string().trim().min(1).max(64).regex(/^[^\s;:：，|]([^;:：，|]*[^\s;:：，|])?$/, 'a document number may not contain ; : ， | or start/end with a space');

export const appliesToSchema = z.array(z.object({
  document: numberSchema,
  /** In the credit's currency. */
  amount: amountText.optional(),
  /**
   * A document in another currency than the credit's: the settlement rate, in units of the credit's currency per
   * unit of the document's (7.15 for a USD invoice paid in CNY). Default: the rates on file at the allocation date.
   */
  rate: rateText.optional(),
  /** A document in another currency: the amount of it (in its own currency) that `amount` settles. */
  settles: amountText.optional(),
})).max(MAX_APPLIES_TO);

export const postDocumentSchema = z.object({
  kind: z.enum(POSTABLE_KINDS),
  number: numberSchema.optional(),
  customer: codeSchema,
  documentDate: localDateText,
  postingDate: localDateText.optional(),
  dueDate: localDateText.optional(),
  paymentTerms: codeSchema.optional(),
  currency: z.string().length(3).transform((c) => c.toUpperCase()).optional(),
  amount: amountText,
  fxRate: rateText.optional(),
  /** Credit and debit notes: the invoice they correct. */
  againstInvoice: numberSchema.optional(),
  /** Refunds: the advance, payment or credit note whose unapplied money is paid back. */
  refundOf: z.object({ kind: z.enum(['advance', 'payment', 'credit_note']), number: numberSchema }).optional(),
  /** Credits: the documents to apply to right away. */
  appliesTo: appliesToSchema.optional(),
  /** Advance receipts: already verified against the bank (otherwise verify later before applying). */
  verified: z.boolean().optional(),
  reason: z.string().trim().max(500).optional(),
  memo: z.string().trim().max(1000).optional(),
  sourceSystem: z.string().trim().min(1).max(64).optional(),
  externalId: z.string().trim().min(1).max(128).optional(),
});
export type PostDocumentInput = z.input<typeof postDocumentSchema>;
type PostDocumentFields = z.output<typeof postDocumentSchema>;

export const applySchema = z.object({
  /** The credit to apply: a payment, credit note, advance receipt or write-off, by kind and number. */
  from: z.object({ kind: z.enum(CREDIT_KINDS), number: numberSchema }),
  to: appliesToSchema.min(1),
  /** The business date of the application; default the later of the two documents' dates. */
  date: localDateText.optional(),
});
export type ApplyInput = z.input<typeof applySchema>;

export const reverseSchema = z.object({
  reason: z.string().trim().min(3, 'say why, in a few words').max(500),
  date: localDateText.optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Presentation: amounts as decimal strings in major units.

export function presentDocument(doc: DocumentRow, functionalCurrency: string, items?: ItemRow[], related?: { kind: string; number: string } | null) {
  const money = (minor: bigint) => formatAmount(minor, doc.currency);
  const status = doc.reversedById || doc.kind === 'reversal'
    ? 'reversed'
    : doc.openMinor === 0n ? 'closed' : doc.openMinor === doc.amountMinor ? 'open' : 'partly_applied';
  return {
    id: doc.id,
    kind: doc.kind,
    side: doc.side,
    number: doc.number,
    customer: doc.customerCode,
    customerName: doc.customerName,
    documentDate: doc.documentDate,
    postingDate: doc.postingDate,
    dueDate: doc.dueDate,
    currency: doc.currency,
    amount: money(doc.amountMinor),
    open: money(doc.openMinor),
    status,
    fxRate: formatDecimal(parseDecimal(doc.fxRate, 'fxRate')),
    functionalAmount: formatAmount(doc.functionalAmountMinor, functionalCurrency),
    paymentTerms: doc.termsCode,
    relatedDocumentId: doc.relatedDocumentId,
    related: related ?? null,
    reversesDocumentId: doc.reversesDocumentId,
    reversedByDocumentId: doc.reversedById,
    verifiedOn: doc.kind === 'advance' ? doc.verifiedOn : undefined,
    reason: doc.reason,
    memo: doc.memo,
    sourceSystem: doc.sourceSystem,
    externalId: doc.externalId,
    createdAt: new Date(doc.createdAt).toISOString(),
    createdBy: doc.createdBy,
    ...(items ? {
      items: items.sort((a, b) => a.seq - b.seq).map((i) => ({
        id: i.id, seq: i.seq, dueDate: i.dueDate, amount: money(i.amountMinor), open: money(i.openMinor),
        discountDate: i.discountDate, discountAmount: money(i.discountAmountMinor),
      })),
    } : {}),
  };
}

/** Binds presentation to a tenant's functional currency. */
export function presenterFor(ctx: Context) {
  return (doc: DocumentRow, items?: ItemRow[], related?: { kind: string; number: string } | null) =>
    presentDocument(doc, ctx.tenant.currency, items, related);
}

export function presentAllocation(a: AllocationRow, functional: string) {
  return {
    id: a.id,
    batchId: a.batchId,
    from: { id: a.creditDocumentId, kind: a.creditDocumentKind, number: a.creditDocumentNumber },
    to: { id: a.debitDocumentId, kind: a.debitDocumentKind, number: a.debitDocumentNumber, installment: a.debitSeq },
    currency: a.currency,
    amount: formatAmount(a.amountMinor, a.currency),
    creditCurrency: a.creditCurrency,
    creditAmount: formatAmount(a.creditAmountMinor, a.creditCurrency),
    /** Across currencies: the settlement rate the two amounts make, credit currency per unit of the debit's (6 places); else null. */
    rate: a.currency === a.creditCurrency ? null : settlementRateText(a.amountMinor, a.currency, a.creditAmountMinor, a.creditCurrency),
    fxGain: formatAmount(a.fxGainMinor, functional),
    date: a.allocationDate,
    reversesAllocationId: a.reversesAllocationId,
    reversedByAllocationId: a.reversedById,
    reason: a.reason,
    createdAt: new Date(a.createdAt).toISOString(),
    createdBy: a.createdBy,
  };
}

/** The rate two amounts of an allocation across currencies make: 7,150.00 CNY for 1,000.00 USD → "7.15". */
export function settlementRateText(debitMinor: bigint, debitCurrency: string, creditMinor: bigint, creditCurrency: string): string {
  const abs = (x: bigint) => (x < 0n ? -x : x);
  return formatRatio({
    numerator: abs(creditMinor) * 10n ** BigInt(currencyScale(debitCurrency)),
    denominator: abs(debitMinor) * 10n ** BigInt(currencyScale(creditCurrency)),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Posting

/** What posting needs to know about the customer and its terms, loaded once (or once per batch in imports). */
export interface PostingContext {
  customer: Pick<Customer, 'id' | 'code' | 'currency' | 'termsId'>;
  terms: { id: string; code: string; rule: PaymentTermsRule } | null;
  fxRate: string;
}

export interface FingerprintFields {
  kind: string; number: string; customer: string; documentDate: string; dueDate?: string | undefined; paymentTerms?: string | undefined;
  currency: string; amountMinor: bigint; fxRate?: string | undefined; againstInvoice?: string | undefined; externalId?: string | undefined;
  appliesTo?: readonly { document: string; amount?: string | undefined; rate?: string | undefined; settles?: string | undefined }[] | undefined;
}

/**
 * The normalised form of a document that its payload hash is taken over: the same document always hashes alike.
 * It equals payloadHash({ ...f, appliesTo: f.appliesTo?.length ? f.appliesTo : undefined }) (a test holds it to that),
 * but writes the canonical JSON directly, keys in sorted order, which is several times faster: an import computes it
 * for every row.
 */
export function documentFingerprint(f: FingerprintFields): string {
  let text = '{';
  const add = (key: string, value: string | null | undefined) => {
    if (value === undefined) return;
    text += `${text.length > 1 ? ',' : ''}"${key}":${JSON.stringify(value)}`;
  };
  add('againstInvoice', f.againstInvoice);
  add('amountMinor', f.amountMinor.toString());
  if (f.appliesTo?.length) {
    text += ',"appliesTo":[';
    f.appliesTo.forEach((a, i) => {
      // Keys in sorted order; rate and settles (cross-currency applications) only when given, so that every
      // document posted before they existed keeps its hash.
      text += `${i > 0 ? ',' : ''}{${a.amount === undefined ? '' : `"amount":${JSON.stringify(a.amount)},`}"document":${JSON.stringify(a.document)}`;
      if (a.rate !== undefined) text += `,"rate":${JSON.stringify(a.rate)}`;
      if (a.settles !== undefined) text += `,"settles":${JSON.stringify(a.settles)}`;
      text += '}';
    });
    text += ']';
  }
  add('currency', f.currency);
  add('customer', f.customer);
  add('documentDate', f.documentDate);
  add('dueDate', f.dueDate);
  add('externalId', f.externalId);
  add('fxRate', f.fxRate);
  add('kind', f.kind);
  add('number', f.number);
  add('paymentTerms', f.paymentTerms);
  return createHash('sha256').update(text + '}').digest('base64url').slice(0, 32);
}

async function generatedNumber(sql: Sql, ctx: Context, kind: PostableKind): Promise<string> {
  return `${NUMBER_PREFIX[kind]}-${String(await nextNumber(sql, ctx.tenant.id, kind)).padStart(6, '0')}`;
}

/** Builds the rows of one document (not yet written). Pure apart from ids. */
export function buildDocument(
  ctx: Context,
  input: {
    kind: PostableKind | 'reversal'; side?: 'debit' | 'credit'; number: string; documentDate: LocalDate; postingDate?: LocalDate | undefined; dueDate?: LocalDate | undefined;
    currency: string; amountMinor: bigint; relatedDocumentId?: string | null; reversesDocumentId?: string | null;
    reason?: string | null | undefined; memo?: string | null | undefined; sourceSystem?: string | undefined; externalId?: string | null | undefined; payloadHash: string;
  },
  posting: PostingContext,
): { doc: NewDocument; items: NewItem[] } {
  const side = input.side ?? sideOf(input.kind as PostableKind);
  const id = uuidv7();
  let items: NewItem[];
  let dueDate: LocalDate | null = null;
  // Items are built as literals of one shape (not by spreading a common base): an import builds a million of them.
  const item = (seq: number, amountMinor: bigint, itemDueDate: LocalDate | null, discountDate: LocalDate | null, discountAmountMinor: bigint): NewItem => ({
    id: uuidv7(), documentId: id, customerId: posting.customer.id, seq, side, currency: input.currency, amountMinor,
    dueDate: itemDueDate, discountDate, discountAmountMinor,
  });
  if (side === 'debit' && input.kind !== 'reversal' && input.kind !== 'refund') {
    if (input.dueDate) {
      const discount = posting.terms?.rule.discount && !posting.terms.rule.installments ? posting.terms.rule : null;
      const planned = discount ? schedule(discount, input.documentDate, input.amountMinor, input.currency)[0]! : null;
      items = [item(1, input.amountMinor, input.dueDate, planned?.discountDate ?? null, planned?.discountAmountMinor ?? 0n)];
      dueDate = input.dueDate;
    } else {
      const rule = posting.terms?.rule ?? NET_ZERO;
      items = schedule(rule, input.documentDate, input.amountMinor, input.currency).map((s) => item(s.seq, s.amountMinor, s.dueDate, s.discountDate, s.discountAmountMinor));
      // A zero installment could never be paid or closed (and the items table refuses it): say so instead.
      if (items.some((i) => i.amountMinor === 0n)) {
        throw invalid('DOCUMENT_INVALID', `amount: ${formatAmount(input.amountMinor, input.currency)} ${input.currency} is too small to split into the ${items.length} installments of terms ${posting.terms?.code}; post a larger amount, other terms or a due date`, [
          { field: 'amount', message: 'too small to split into installments' },
        ]);
      }
      dueDate = items[items.length - 1]!.dueDate;
    }
  } else {
    dueDate = side === 'debit' ? input.dueDate ?? input.documentDate : null;
    items = [item(1, input.amountMinor, dueDate, null, 0n)];
  }
  const rate = parseDecimal(posting.fxRate, 'fxRate');
  const doc: NewDocument = {
    id, kind: input.kind, side, number: input.number, customerId: posting.customer.id, documentDate: input.documentDate,
    postingDate: input.postingDate ?? input.documentDate, dueDate, currency: input.currency, amountMinor: input.amountMinor,
    fxRate: formatDecimal(rate), functionalAmountMinor: convertAmount(input.amountMinor, input.currency, ctx.tenant.currency, rate),
    termsId: side === 'debit' && input.kind !== 'reversal' ? posting.terms?.id ?? null : null,
    relatedDocumentId: input.relatedDocumentId ?? null, reversesDocumentId: input.reversesDocumentId ?? null,
    reason: input.reason ?? null, memo: input.memo ?? null, sourceSystem: input.sourceSystem ?? 'arflow',
    externalId: input.externalId ?? null, payloadHash: input.payloadHash, createdBy: ctx.actor,
  };
  return { doc, items };
}

const NET_ZERO: PaymentTermsRule = { netDays: 0, endOfMonth: false, monthsAfterEom: 0, discount: null, installments: null };

/** The FX rate of a document: 1 in the functional currency, else the one given, else the latest on file. */
export async function resolveFxRate(sql: Sql, ctx: Context, currency: string, date: LocalDate, given: string | undefined, field = 'fxRate'): Promise<string> {
  if (currency === ctx.tenant.currency) {
    if (given !== undefined && formatDecimal(parseDecimal(given, field)) !== '1') {
      throw invalid('INVALID_RATE', `${field}: a document in the functional currency ${currency} has rate 1`, [{ field, message: 'must be 1' }]);
    }
    return '1';
  }
  if (given !== undefined) {
    const rate = parseDecimal(given, field);
    if (rate.units === 0n) throw invalid('INVALID_RATE', `${field}: must be more than zero`, [{ field, message: 'zero rate' }]);
    return formatDecimal(rate);
  }
  const onFile = await fxRateOn(sql, ctx.tenant.id, currency, date);
  if (!onFile) {
    throw invalid('FX_RATE_MISSING', `${field}: no ${currency} rate on or before ${date}; give fxRate or record one with \`arflow fx set ${currency} ${date} RATE\``, [
      { field, message: `no ${currency} rate on file` },
    ]);
  }
  return onFile;
}

/** The terms a debit document uses: its own, else the customer's, else the tenant's default (else due on the document date). */
export async function resolveTerms(sql: Sql, ctx: Context, customer: Pick<Customer, 'termsId'>, code: string | undefined, field = 'paymentTerms') {
  if (code) {
    const terms = await findTerms(sql, ctx.tenant.id, code);
    if (!terms) throw invalid('TERMS_NOT_FOUND', `${field}: no payment terms have code ${code}`, [{ field, message: 'unknown terms' }]);
    return terms;
  }
  if (customer.termsId) {
    const [row] = await sql.query<{ code: string }>(`SELECT code FROM payment_terms WHERE tenant_id = $1 AND id = $2`, [ctx.tenant.id, customer.termsId]);
    return row ? findTerms(sql, ctx.tenant.id, row.code) : null;
  }
  return ctx.tenant.defaultTermsCode ? findTerms(sql, ctx.tenant.id, ctx.tenant.defaultTermsCode) : null;
}

export interface PostResult {
  document: ReturnType<typeof presentDocument>;
  allocations: ReturnType<typeof presentAllocation>[];
  outcome: 'created' | 'unchanged';
}

/**
 * Posting's first reads, as statements to send with the transaction's start (Database.tenant's preload, through
 * withIdempotency): the customer, whether the number is taken, and the invoices a credit is applied to, locked.
 * Their rows go to postDocument, which then skips those round trips (3 of a posting's 8). Empty when the request is
 * malformed: postDocument then reports it as usual.
 */
export function postingPreload(ctx: Context, raw: PostDocumentInput): Preload[] {
  const parsed = postDocumentSchema.safeParse(raw);
  if (!parsed.success) return [];
  const input = parsed.data;
  const nothing: Preload = { text: 'SELECT 1 WHERE false', values: [] };
  return [
    findCustomerPreload(ctx.tenant.id, input.customer),
    input.number ? findDocumentIdPreload(ctx.tenant.id, input.kind, input.number) : nothing,
    input.appliesTo?.length && sideOf(input.kind) === 'credit' ? lockDebitItemsPreload(ctx.tenant.id, input.customer, input.appliesTo.map((a) => a.document)) : nothing,
  ];
}

/** What postingPreload's statements read. */
interface PostingReads {
  customer: Record<string, unknown>[];
  existing: Record<string, unknown>[];
  locked: Record<string, unknown>[];
}

/**
 * Posts one document (and applies it where asked) in one transaction. `preloaded`: the rows of postingPreload's
 * statements for this same input, read at the transaction's start.
 */
export async function postDocument(ctx: Context, raw: PostDocumentInput, sqlInTx?: Sql, preloaded?: Record<string, unknown>[][]): Promise<PostResult> {
  const input = parseInput(postDocumentSchema, raw, 'document');
  const reads = sqlInTx && preloaded?.length === 3 ? { customer: preloaded[0]!, existing: preloaded[1]!, locked: preloaded[2]! } : null;
  return sqlInTx ? postInTx(ctx, sqlInTx, input, reads) : ctx.db.tenant(ctx.tenant.id, (sql) => postInTx(ctx, sql, input, null));
}

async function postInTx(ctx: Context, sql: Sql, input: PostDocumentFields, reads: PostingReads | null): Promise<PostResult> {
  const problems: ErrorDetail[] = [];
  const check = (field: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      problems.push(...(e.details.length ? e.details : [{ field, message: e.message }]));
    }
  };
  check('documentDate', () => parseDate(input.documentDate, 'documentDate'));
  if (input.postingDate) check('postingDate', () => parseDate(input.postingDate!, 'postingDate'));
  if (input.dueDate) check('dueDate', () => parseDate(input.dueDate!, 'dueDate'));
  if (input.dueDate && input.dueDate < input.documentDate) problems.push({ field: 'dueDate', message: 'the due date is before the document date' });
  const side = sideOf(input.kind);
  if (side === 'credit' && (input.dueDate || input.paymentTerms)) problems.push({ field: input.dueDate ? 'dueDate' : 'paymentTerms', message: `a ${input.kind} has no due date or terms` });
  if (input.againstInvoice && !['credit_note', 'debit_note'].includes(input.kind)) problems.push({ field: 'againstInvoice', message: 'only credit and debit notes name the invoice they correct' });
  if (input.kind === 'refund' && !input.refundOf) problems.push({ field: 'refundOf', message: 'a refund names the advance, payment or credit note it pays back: {"kind": "advance", "number": "ADV-1"}' });
  if (input.kind !== 'refund' && input.refundOf) problems.push({ field: 'refundOf', message: 'only refunds pay back a credit' });
  if (input.kind === 'write_off' && !input.appliesTo?.length) problems.push({ field: 'appliesTo', message: 'a write-off names the items it writes off' });
  if (side === 'debit' && input.appliesTo?.length) problems.push({ field: 'appliesTo', message: `a ${input.kind} is not applied to other documents; apply a credit to it instead` });
  if (input.verified !== undefined && input.kind !== 'advance') problems.push({ field: 'verified', message: 'only advance receipts are verified' });
  if (input.kind === 'advance' && input.appliesTo?.length && !input.verified) problems.push({ field: 'appliesTo', message: 'an advance receipt is applied only once verified; post it with "verified": true or verify it first' });
  if (problems.length) throw invalid('DOCUMENT_INVALID', `document: ${problems[0]!.field}: ${problems[0]!.message}`, problems);

  const customer = reads ? requireCustomer(reads.customer[0] as unknown as Customer | undefined, input.customer) : await getCustomer(sql, ctx.tenant.id, input.customer, 'customer');
  const currency = input.currency ?? customer.currency;
  checkCurrency(currency);
  const amountMinor = parseAmount(input.amount, currency, 'amount');
  if (amountMinor === 0n) throw invalid('DOCUMENT_INVALID', 'amount: must be more than zero', [{ field: 'amount', message: 'zero amount' }]);
  const terms = side === 'debit' && input.kind !== 'refund' ? await resolveTerms(sql, ctx, customer, input.paymentTerms) : null;
  const fxRate = await resolveFxRate(sql, ctx, currency, input.documentDate, input.fxRate);

  let number = input.number;
  const numberGiven = number !== undefined;
  // Only what the request says, not what was looked up (terms, rates), so the same request always hashes alike.
  const fingerprint = (n: string) => documentFingerprint({
    kind: input.kind, number: n, customer: customer.code, documentDate: input.documentDate, dueDate: input.dueDate,
    paymentTerms: input.paymentTerms, currency, amountMinor, fxRate: input.fxRate, againstInvoice: input.againstInvoice,
    externalId: input.externalId,
    appliesTo: input.appliesTo?.map((a) => ({
      document: a.document, amount: a.amount === undefined ? undefined : formatAmount(parseAmount(a.amount, currency, 'appliesTo.amount'), currency),
      ...(a.rate === undefined ? {} : { rate: formatDecimal(parseDecimal(a.rate, 'appliesTo.rate')) }),
      ...(a.settles === undefined ? {} : { settles: a.settles }),
    })),
  });
  if (number) {
    // A cheap check first: the full row is read only for a repeat.
    const existingId = reads ? (reads.existing[0]?.id as string | undefined) ?? null : await findDocumentIdByNumber(sql, ctx.tenant.id, input.kind, number);
    if (existingId) return replayOrConflict(ctx, sql, (await findDocumentById(sql, ctx.tenant.id, existingId))!, fingerprint(number));
  } else {
    // A number someone gave a document by hand may be the next one: the insert below then skips it and takes another.
    number = await generatedNumber(sql, ctx, input.kind);
  }
  if (input.externalId) {
    const [clash] = await sql.query<{ number: string }>(
      `SELECT number FROM documents WHERE tenant_id = $1 AND source_system = $2 AND external_id = $3`,
      [ctx.tenant.id, input.sourceSystem ?? 'arflow', input.externalId]);
    if (clash) throw conflict('EXTERNAL_ID_TAKEN', `externalId: ${input.externalId} from ${input.sourceSystem ?? 'arflow'} is already document ${clash.number}`, [{ field: 'externalId', message: 'already used' }]);
  }

  let related: DocumentRow | null = null;
  if (input.againstInvoice) related = await findDebitDocument(sql, ctx, customer.id, input.againstInvoice, 'againstInvoice');
  if (input.refundOf) {
    const [credit] = await findDocumentsByNumber(sql, ctx.tenant.id, input.refundOf.number, [input.refundOf.kind]);
    if (!credit || credit.customerId !== customer.id) throw notFound('DOCUMENT_NOT_FOUND', `refundOf: customer ${customer.code} has no ${input.refundOf.kind} ${input.refundOf.number}`, [{ field: 'refundOf', message: 'not found' }]);
    related = credit;
  }

  const build = (n: string) => buildDocument(ctx, {
    kind: input.kind, number: n, documentDate: input.documentDate, postingDate: input.postingDate, dueDate: input.dueDate,
    currency, amountMinor, relatedDocumentId: related?.id ?? null, reason: input.reason, memo: input.memo,
    sourceSystem: input.sourceSystem, externalId: input.externalId, payloadHash: fingerprint(n),
  }, { customer, terms, fxRate });
  // The document's items as the repository would read them back. No other transaction can see them before this one
  // commits, so there is nothing to lock and nothing to read: the response below is built from what is in hand.
  const itemRowsOf = (doc: NewDocument, items: NewItem[]): ItemRow[] => items.map((i) => ({
    id: i.id, documentId: doc.id, customerId: i.customerId, seq: i.seq, side: i.side, currency: i.currency, amountMinor: i.amountMinor,
    openMinor: i.amountMinor, dueDate: i.dueDate, discountDate: i.discountDate, discountAmountMinor: i.discountAmountMinor,
    documentNumber: doc.number, documentKind: doc.kind, documentDate: doc.documentDate, fxRate: doc.fxRate,
  }));
  /**
   * The allocations this posting makes (refund, appliesTo, a credit note's invoice), planned against the locked items
   * they touch; `touched` gets every item an allocation touches, by id, for presenting them.
   */
  const planPosting = async (ownItems: ItemRow[], touched: Map<string, ItemRow>): Promise<NewAllocation[]> => {
    let rows: NewAllocation[] = [];
    if (input.kind === 'refund') {
      const [creditItemRow] = await itemsOfDocument(sql, ctx.tenant.id, related!.id, true);
      const refundItem = ownItems[0];
      if (creditItemRow) touched.set(creditItemRow.id, creditItemRow);
      if (!creditItemRow || creditItemRow.openMinor < amountMinor) {
        throw invalid('REFUND_TOO_LARGE', `amount: ${input.refundOf!.number} has only ${formatAmount(creditItemRow?.openMinor ?? 0n, currency)} ${currency} unapplied to refund`, [{ field: 'amount', message: 'more than unapplied' }]);
      }
      if (creditItemRow.currency !== currency) throw invalid('CURRENCY_MISMATCH', `currency: the refund must be in ${creditItemRow.currency}, the currency of ${input.refundOf!.number}`, [{ field: 'currency', message: 'currency mismatch' }]);
      rows = planned(ctx, uuidv7(), creditItemRow, [{ itemId: refundItem!.id, amountMinor, creditAmountMinor: amountMinor }], [refundItem!], input.documentDate, null);
    } else if (side === 'credit') {
      const requests: RawRequest[] = (input.appliesTo ?? []).map((a, i) => requestOf(a, currency, `appliesTo.${i}`));
      let auto = false;
      if (!requests.length && input.kind === 'credit_note' && related) {
        requests.push({ documentNumber: related.number, field: 'againstInvoice' });
        auto = true;
      }
      if (requests.length) {
        const debitItems: ItemRow[] = [];
        // The items of appliesTo may have been read and locked with the transaction's start (postingPreload).
        const prelocked = reads && !auto ? reads.locked as unknown as ItemRow[] : undefined;
        rows = await planFor(ctx, sql, ownItems[0]!, requests, null, auto, debitItems, prelocked);
        for (const i of debitItems) touched.set(i.id, i);
      }
      if (input.kind === 'write_off') {
        const applied = rows.reduce((s, a) => s + a.creditAmountMinor, 0n);
        if (applied !== amountMinor) throw invalid('WRITE_OFF_UNAPPLIED', `appliesTo: a write-off must be applied in full; ${formatAmount(amountMinor - applied, currency)} ${currency} of it would stay unapplied`, [{ field: 'appliesTo', message: 'not fully applied' }]);
      }
    }
    return rows;
  };

  let { doc, items } = build(number);
  let ownItems = itemRowsOf(doc, items);
  /** Every item an allocation of this posting touches, by id: for presenting the allocations. */
  const touched = new Map<string, ItemRow>();
  /** The allocations, once planned; they are written by the time the document is (see below). */
  let allocationRows: NewAllocation[] | null = null;
  /** The document's created_at once inserted, null when skipped (its number or external id exists), undefined before. */
  let createdAt: string | null | undefined;
  if (numberGiven && side === 'credit' && items.length === 1) {
    // The usual posting (a payment for one invoice): the allocation is planned first, so that the document, its item,
    // balance and allocation and the invoice's balance go in one statement (insertDocumentApplied).
    try {
      allocationRows = await planPosting(ownItems, touched);
    } catch (error) {
      // Had the document been inserted first, a post of the same number committed meanwhile would have made this a
      // repeat (or a conflict), not an error of the allocation: answer as that order would have.
      const existingId = error instanceof AppError ? await findDocumentIdByNumber(sql, ctx.tenant.id, input.kind, number) : null;
      if (existingId) return replayOrConflict(ctx, sql, (await findDocumentById(sql, ctx.tenant.id, existingId))!, doc.payloadHash);
      throw error;
    }
    if (allocationRows.length === 1) createdAt = await insertDocumentApplied(sql, ctx.tenant.id, doc, items[0]!, allocationRows[0]!);
  }
  if (createdAt === undefined) {
    let inserted = await insertDocuments(sql, ctx.tenant.id, [doc], items);
    // Skipped because a document posted by hand has the number: take the next one (not for a clash of external ids).
    while (!numberGiven && !inserted.has(doc.id) && await findDocumentIdByNumber(sql, ctx.tenant.id, input.kind, number)) {
      number = await generatedNumber(sql, ctx, input.kind);
      ({ doc, items } = build(number));
      inserted = await insertDocuments(sql, ctx.tenant.id, [doc], items);
    }
    ownItems = itemRowsOf(doc, items);
    createdAt = inserted.get(doc.id) ?? null;
    if (createdAt !== null) {
      if (allocationRows === null) allocationRows = await planPosting(ownItems, touched);
      await insertAllocations(sql, ctx.tenant.id, allocationRows);
    }
  }
  if (createdAt === null) {
    // A concurrent post of the same number won the race: replay its answer or report the conflict.
    const [existing] = await findDocumentsByNumber(sql, ctx.tenant.id, number, [input.kind]);
    if (!existing) throw conflict('DOCUMENT_CONFLICT', `document ${number} clashes with another document; check number and external id`);
    return replayOrConflict(ctx, sql, existing, doc.payloadHash);
  }
  allocationRows ??= [];
  if (input.kind === 'advance' && input.verified) await insertEvent(sql, ctx, doc.id, 'verified', input.documentDate, null);
  for (const i of ownItems) touched.set(i.id, i);
  // The open amounts the balance update has just written, as the repository would read them.
  for (const a of allocationRows) {
    const debit = ownItems.find((i) => i.id === a.debitItemId);
    if (debit) debit.openMinor -= a.amountMinor;
    const credit = ownItems.find((i) => i.id === a.creditItemId);
    if (credit) credit.openMinor -= a.creditAmountMinor;
  }
  const stored: DocumentRow = {
    id: doc.id, kind: doc.kind, side: doc.side, number: doc.number, customerId: customer.id, customerCode: customer.code,
    customerName: customer.name, documentDate: doc.documentDate, postingDate: doc.postingDate, dueDate: doc.dueDate, currency: doc.currency,
    amountMinor: doc.amountMinor, fxRate: doc.fxRate, functionalAmountMinor: doc.functionalAmountMinor,
    termsCode: doc.termsId ? terms?.code ?? null : null, relatedDocumentId: doc.relatedDocumentId, reversesDocumentId: null, reversedById: null,
    verifiedOn: input.kind === 'advance' && input.verified ? input.documentDate : null, reason: doc.reason, memo: doc.memo,
    sourceSystem: doc.sourceSystem, externalId: doc.externalId, payloadHash: doc.payloadHash,
    openMinor: ownItems.reduce((sum, i) => sum + i.openMinor, 0n), createdAt, createdBy: doc.createdBy,
  };
  // All rows of one transaction share its created_at, so the stored order (created_at, id) is the order of the ids.
  const allocations = [...allocationRows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((a) => {
    const credit = touched.get(a.creditItemId)!;
    const debit = touched.get(a.debitItemId)!;
    return presentAllocation({
      id: a.id, batchId: a.batchId, customerId: a.customerId, creditItemId: a.creditItemId, debitItemId: a.debitItemId,
      creditDocumentId: credit.documentId, creditDocumentKind: credit.documentKind, creditDocumentNumber: credit.documentNumber,
      debitDocumentId: debit.documentId, debitDocumentKind: debit.documentKind, debitDocumentNumber: debit.documentNumber, debitSeq: debit.seq,
      currency: debit.currency, creditCurrency: credit.currency, amountMinor: a.amountMinor, creditAmountMinor: a.creditAmountMinor,
      fxGainMinor: a.fxGainMinor, allocationDate: a.allocationDate, reversesAllocationId: a.reversesAllocationId, reversedById: null,
      reason: a.reason, createdAt, createdBy: a.createdBy,
    }, ctx.tenant.currency);
  });
  const result: PostResult = {
    document: presenterFor(ctx)(stored, ownItems, related ? { kind: related.kind, number: related.number } : null),
    allocations,
    outcome: 'created',
  };
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'document.post', entityType: 'document', entityId: doc.id, after: result });
  await requestEvaluation(ctx, sql, customer.id);
  return result;
}

async function replayOrConflict(ctx: Context, sql: Sql, existing: DocumentRow, hash: string): Promise<PostResult> {
  if (existing.payloadHash !== hash) {
    throw conflict('DOCUMENT_EXISTS', `${existing.kind} ${existing.number} is already posted with other details; a posted document is never changed: reverse it and post a new one`, [
      { field: 'number', message: 'number already used' },
    ]);
  }
  return {
    document: presenterFor(ctx)(existing, await itemsOfDocument(sql, ctx.tenant.id, existing.id)),
    allocations: (await allocationsOfDocument(sql, ctx.tenant.id, existing.id)).map((a) => presentAllocation(a, ctx.tenant.currency)),
    outcome: 'unchanged',
  };
}

async function findDebitDocument(sql: Sql, ctx: Context, customerId: string, number: string, field: string): Promise<DocumentRow> {
  const found = (await findDocumentsByNumber(sql, ctx.tenant.id, number, DEBIT_KINDS)).filter((d) => d.customerId === customerId);
  if (found.length === 0) throw notFound('DOCUMENT_NOT_FOUND', `${field}: this customer has no invoice or debit document numbered ${number}`, [{ field, message: 'not found' }]);
  if (found.length > 1) throw invalid('DOCUMENT_AMBIGUOUS', `${field}: ${number} names ${found.map((d) => d.kind).join(' and ')}; use distinct numbers`, [{ field, message: 'ambiguous' }]);
  return found[0]!;
}

async function insertEvent(sql: Sql, ctx: Context, documentId: string, event: string, date: LocalDate, reason: string | null) {
  await sql.query(
    `INSERT INTO document_events (tenant_id, id, document_id, event, event_date, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [ctx.tenant.id, uuidv7(), documentId, event, date, reason, ctx.actor],
  );
}

/** A request as parsed from the input: its rate (if any) still as the user wrote it. */
type RawRequest = Omit<AllocationRequest, 'rate'> & { rateText?: string | undefined };

/** One entry of appliesTo / to as the planner takes it; `amount` is in the credit's currency. */
function requestOf(a: { document: string; amount?: string | undefined; rate?: string | undefined; settles?: string | undefined }, creditCurrency: string, field: string): RawRequest {
  return {
    documentNumber: a.document, amountMinor: a.amount === undefined ? undefined : parseAmount(a.amount, creditCurrency, `${field}.amount`),
    rateText: a.rate, settles: a.settles, field,
  };
}

/**
 * The settlement rate of each request for a document in another currency than the credit's: the one given, else the
 * cross rate through the functional currency from the rates on file at the allocation date (none needed when the
 * user gave both amounts). A needed rate that is not on file is refused with FX_RATE_MISSING, naming the pair, the
 * date and how to record it.
 */
async function resolveSettlementRates(ctx: Context, sql: Sql, credit: ItemRow, requests: RawRequest[], byDocument: Map<string, OpenItem[]>, debitItems: ItemRow[], date: LocalDate | null): Promise<AllocationRequest[]> {
  const functional = ctx.tenant.currency;
  const onFile = async (currency: string, on: LocalDate, field: string, pair: string) => {
    if (currency === functional) return ONE;
    const rate = await fxRateOn(sql, ctx.tenant.id, currency, on);
    if (!rate) {
      throw invalid('FX_RATE_MISSING', `${field}: no ${currency} rate on or before ${on} to convert ${pair}; give rate, or record one with \`arflow fx set ${currency} ${on} RATE\``, [
        { field, message: `no ${currency} rate on file for ${pair} on ${on}` },
      ]);
    }
    return parseDecimal(rate, 'rate');
  };
  const out: AllocationRequest[] = [];
  for (const r of requests) {
    const { rateText: given, ...rest } = r;
    const items = byDocument.get(r.documentNumber);
    const debitCurrency = items?.[0]?.currency;
    if (given !== undefined) {
      const rate = parseDecimal(given, `${r.field}.rate`);
      if (rate.units === 0n) throw invalid('INVALID_RATE', `${r.field}.rate: a settlement rate must be more than zero`, [{ field: `${r.field}.rate`, message: 'zero rate' }]);
      if (r.amountMinor !== undefined && r.settles !== undefined) {
        throw invalid('ALLOCATION_INVALID', `${r.field}.rate: give the rate or the amount settled, not both (the two amounts fix the rate)`, [{ field: `${r.field}.rate`, message: 'rate and settles both given' }]);
      }
      out.push({ ...rest, rate: ratioOf(rate), rateGiven: true });
      continue;
    }
    if (!debitCurrency || debitCurrency === credit.currency || (r.amountMinor !== undefined && r.settles !== undefined)) {
      out.push(rest);
      continue;
    }
    const document = debitItems.find((i) => i.documentNumber === r.documentNumber)!;
    const on = date ?? maxDate(credit.documentDate, document.documentDate);
    const pair = `${debitCurrency} into ${credit.currency}`;
    const debitRate = await onFile(debitCurrency, on, `${r.field}.rate`, pair);
    const creditRate = await onFile(credit.currency, on, `${r.field}.rate`, pair);
    out.push({ ...rest, rate: crossRate(debitRate, creditRate), rateGiven: false });
  }
  return out;
}

/** Locks the requested debit items, plans the application and returns the allocation rows to insert. */
async function planFor(ctx: Context, sql: Sql, credit: ItemRow, rawRequests: RawRequest[], date: LocalDate | null, skipClosed = false, locked?: ItemRow[], prelocked?: ItemRow[]): Promise<NewAllocation[]> {
  const debitItems = prelocked ?? await lockDebitItemsByNumbers(sql, ctx.tenant.id, credit.customerId, rawRequests.map((r) => r.documentNumber));
  locked?.push(...debitItems);
  const byDocument = new Map<string, OpenItem[]>();
  const kindsByNumber = new Map<string, Set<string>>();
  for (const item of debitItems) {
    kindsByNumber.set(item.documentNumber, (kindsByNumber.get(item.documentNumber) ?? new Set()).add(item.documentKind));
    const list = byDocument.get(item.documentNumber) ?? [];
    list.push({ itemId: item.id, documentNumber: item.documentNumber, seq: item.seq, dueDate: item.dueDate, currency: item.currency, openMinor: item.openMinor });
    byDocument.set(item.documentNumber, list);
  }
  const ambiguous = [...kindsByNumber].filter(([, kinds]) => kinds.size > 1);
  if (ambiguous.length) throw invalid('DOCUMENT_AMBIGUOUS', `${ambiguous[0]![0]} names documents of several kinds (${[...ambiguous[0]![1]].join(', ')}); use distinct numbers`);
  if (skipClosed) rawRequests = rawRequests.filter((r) => (byDocument.get(r.documentNumber) ?? []).some((i) => i.openMinor > 0n));
  if (rawRequests.length === 0) return [];
  const requests = await resolveSettlementRates(ctx, sql, credit, rawRequests, byDocument, debitItems, date);
  const plan = planAllocations(credit.openMinor, credit.currency, requests, byDocument);
  return planned(ctx, uuidv7(), credit, plan, debitItems, date, null);
}

/**
 * Turns a plan into rows: dates checked against both documents, FX gain computed per row from the documents' own
 * rates: the credit's amount at the credit's rate less the debit's amount at the debit's rate, each in the functional
 * currency (received at one rate, booked at another: the difference is the realised gain; negative, a loss).
 */
function planned(ctx: Context, batchId: string, credit: ItemRow, plan: PlannedAllocation[], debitItems: ItemRow[], date: LocalDate | null, reason: string | null): NewAllocation[] {
  const debitById = new Map(debitItems.map((i) => [i.id, i]));
  const creditRate = parseDecimal(credit.fxRate, 'fxRate');
  return plan.map((p) => {
    const debit = debitById.get(p.itemId)!;
    const earliest = maxDate(credit.documentDate, debit.documentDate);
    if (date && date < earliest) {
      throw invalid('ALLOCATION_DATE_TOO_EARLY', `date: ${date} is before ${earliest}, the date of ${date < credit.documentDate ? credit.documentNumber : debit.documentNumber}; an application cannot predate its documents`, [{ field: 'date', message: 'too early' }]);
    }
    const functional = ctx.tenant.currency;
    const gain = convertAmount(p.creditAmountMinor, credit.currency, functional, creditRate) - convertAmount(p.amountMinor, debit.currency, functional, parseDecimal(debit.fxRate, 'fxRate'));
    return {
      id: uuidv7(), batchId, creditItemId: credit.id, debitItemId: debit.id, customerId: credit.customerId,
      amountMinor: p.amountMinor, creditAmountMinor: p.creditAmountMinor, fxGainMinor: gain, allocationDate: date ?? earliest,
      reversesAllocationId: null, reason, createdBy: ctx.actor,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Applying

async function findCredit(sql: Sql, ctx: Context, kind: string, number: string, field: string): Promise<DocumentRow> {
  const [doc] = await findDocumentsByNumber(sql, ctx.tenant.id, number, [kind]);
  if (!doc) throw notFound('DOCUMENT_NOT_FOUND', `${field}: there is no ${kind} numbered ${number}`, [{ field, message: 'not found' }]);
  if (doc.reversedById) throw conflict('DOCUMENT_REVERSED', `${field}: ${kind} ${number} has been reversed; it cannot be applied`, [{ field, message: 'reversed' }]);
  if (doc.kind === 'advance' && !doc.verifiedOn) throw conflict('ADVANCE_NOT_VERIFIED', `${field}: advance receipt ${number} is not verified yet; verify it (arflow advance verify ${number}) before applying it`, [{ field, message: 'not verified' }]);
  return doc;
}

export interface ApplyResult {
  batchId: string | null;
  allocations: ReturnType<typeof presentAllocation>[];
  creditOpen: string;
}

/** Applies a credit (payment, credit note, verified advance, write-off) to open items of the same customer. */
export async function applyCredit(ctx: Context, raw: ApplyInput, sqlInTx?: Sql): Promise<ApplyResult> {
  const input = parseInput(applySchema, raw, 'application');
  if (input.date) parseDate(input.date, 'date');
  const run = async (sql: Sql): Promise<ApplyResult> => {
    const doc = await findCredit(sql, ctx, input.from.kind, input.from.number, 'from');
    const [credit] = await itemsOfDocument(sql, ctx.tenant.id, doc.id, true);
    const requests: RawRequest[] = input.to.map((t, i) => requestOf(t, credit!.currency, `to.${i}`));
    if (credit!.openMinor === 0n) throw conflict('CREDIT_FULLY_APPLIED', `from: ${doc.kind} ${doc.number} has nothing left to apply`, [{ field: 'from', message: 'nothing unapplied' }]);
    const rows = await planFor(ctx, sql, credit!, requests, input.date ?? null);
    await insertAllocations(sql, ctx.tenant.id, rows);
    const all = await allocationsOfDocument(sql, ctx.tenant.id, doc.id);
    const batchId = rows[0]?.batchId ?? null;
    const result: ApplyResult = {
      batchId,
      allocations: all.filter((a) => a.batchId === batchId).map((a) => presentAllocation(a, ctx.tenant.currency)),
      creditOpen: formatAmount(credit!.openMinor - rows.reduce((s, r) => s + r.creditAmountMinor, 0n), credit!.currency),
    };
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'allocation.apply', entityType: 'document', entityId: doc.id, after: result });
    await requestEvaluation(ctx, sql, doc.customerId);
    return result;
  };
  return sqlInTx ? run(sqlInTx) : ctx.db.tenant(ctx.tenant.id, run);
}

// ---------------------------------------------------------------------------------------------------------------
// Reversals

/** Reverses one allocation: a new row with negated amounts; both items' open amounts come back. */
export async function reverseAllocation(ctx: Context, allocationId: string, raw: z.input<typeof reverseSchema>, sqlInTx?: Sql) {
  const input = parseInput(reverseSchema, raw, 'reversal');
  if (input.date) parseDate(input.date, 'date'); // the schema checks the form only: 2026-13-01 must not reach SQL
  const run = async (sql: Sql) => {
    // An id that is not a uuid cannot name an allocation (and would make the query fail).
    const wellFormed = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(allocationId);
    const allocation = wellFormed ? await findAllocation(sql, ctx.tenant.id, allocationId.toLowerCase()) : null;
    if (!allocation) throw notFound('ALLOCATION_NOT_FOUND', `no allocation has id ${allocationId}; the ids are listed by \`arflow documents show NUMBER --format json\``);
    if (allocation.reversesAllocationId) throw conflict('ALLOCATION_IS_REVERSAL', 'this allocation is itself a reversal; apply the credit again instead');
    if (allocation.reversedById) throw conflict('ALREADY_REVERSED', `allocation ${allocationId} is already reversed`);
    if (allocation.creditDocumentKind === 'reversal' || allocation.debitDocumentKind === 'reversal') {
      throw conflict('ALLOCATION_OF_REVERSAL', 'this allocation belongs to a document reversal and cannot be undone on its own');
    }
    await lockItems(sql, ctx.tenant.id, [allocation.creditItemId, allocation.debitItemId]);
    // Look again under the lock: a concurrent reversal of this allocation may have committed meanwhile.
    if ((await findAllocation(sql, ctx.tenant.id, allocation.id))?.reversedById) throw conflict('ALREADY_REVERSED', `allocation ${allocationId} is already reversed`);
    const date = input.date ?? maxDate(allocation.allocationDate, tenantToday(ctx.tenant, ctx.clock));
    if (input.date && input.date < allocation.allocationDate) throw invalid('REVERSAL_DATE_TOO_EARLY', `date: the reversal cannot predate the allocation (${allocation.allocationDate})`, [{ field: 'date', message: 'too early' }]);
    const row = unwindRow(ctx, allocation, date, input.reason);
    await insertAllocations(sql, ctx.tenant.id, [row]);
    const result = presentAllocation((await findAllocation(sql, ctx.tenant.id, row.id))!, ctx.tenant.currency);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'allocation.reverse', entityType: 'allocation', entityId: allocationId, reason: input.reason, after: result });
    await requestEvaluation(ctx, sql, allocation.customerId);
    return result;
  };
  return sqlInTx ? run(sqlInTx) : ctx.db.tenant(ctx.tenant.id, run);
}

function unwindRow(ctx: Context, a: AllocationRow, date: LocalDate, reason: string): NewAllocation {
  return {
    id: uuidv7(), batchId: uuidv7(), creditItemId: a.creditItemId, debitItemId: a.debitItemId,
    customerId: a.customerId, amountMinor: -a.amountMinor, creditAmountMinor: -a.creditAmountMinor, fxGainMinor: -a.fxGainMinor,
    allocationDate: date, reversesAllocationId: a.id, reason, createdBy: ctx.actor,
  };
}

/**
 * Reverses a posted document: undoes every live allocation touching it, then posts a reversal document on the other
 * side with mirror items and applies each to its original, so both net to zero. Nothing is updated or deleted.
 */
export async function reverseDocument(ctx: Context, documentId: string, raw: z.input<typeof reverseSchema>, sqlInTx?: Sql) {
  const input = parseInput(reverseSchema, raw, 'reversal');
  if (input.date) parseDate(input.date, 'date'); // the schema checks the form only: 2026-13-01 must not reach SQL
  const run = async (sql: Sql) => {
    const doc = await findDocumentById(sql, ctx.tenant.id, documentId);
    if (!doc) throw notFound('DOCUMENT_NOT_FOUND', `no document has id ${documentId}`);
    if (doc.kind === 'reversal') throw conflict('DOCUMENT_IS_REVERSAL', `${doc.number} is a reversal; post the original document again instead of reversing the reversal`);
    if (doc.reversedById) throw conflict('ALREADY_REVERSED', `${doc.kind} ${doc.number} is already reversed`);
    const date = input.date ?? maxDate(doc.documentDate, tenantToday(ctx.tenant, ctx.clock));
    if (date < doc.documentDate) throw invalid('REVERSAL_DATE_TOO_EARLY', `date: the reversal cannot predate ${doc.number} (${doc.documentDate})`, [{ field: 'date', message: 'too early' }]);
    let live = await liveAllocationsOfDocument(sql, ctx.tenant.id, doc.id);
    const touched = [...new Set(live.flatMap((a) => [a.creditItemId, a.debitItemId]))];
    const ownItems = await itemsOfDocument(sql, ctx.tenant.id, doc.id);
    const locked = new Set([...touched, ...ownItems.map((i) => i.id)]);
    await lockItems(sql, ctx.tenant.id, [...locked]);
    // Look again under the lock: a concurrent reversal or application of this document may have committed meanwhile.
    if ((await findDocumentById(sql, ctx.tenant.id, doc.id))?.reversedById) throw conflict('ALREADY_REVERSED', `${doc.kind} ${doc.number} is already reversed`);
    live = await liveAllocationsOfDocument(sql, ctx.tenant.id, doc.id);
    const lateItems = [...new Set(live.flatMap((a) => [a.creditItemId, a.debitItemId]))].filter((id) => !locked.has(id));
    if (lateItems.length) await lockItems(sql, ctx.tenant.id, lateItems);
    const unwound = live.map((a) => unwindRow(ctx, a, maxDate(date, a.allocationDate), `reversal of ${doc.kind} ${doc.number}: ${input.reason}`));
    await insertAllocations(sql, ctx.tenant.id, unwound);

    let number = `REV-${doc.number}`;
    if ((await findDocumentsByNumber(sql, ctx.tenant.id, number, ['reversal'])).length) number = `REV-${NUMBER_PREFIX[doc.kind]}-${doc.number}`;
    const mirrorSide = oppositeSide(doc.side);
    const { doc: reversal, items } = buildDocument(ctx, {
      kind: 'reversal', side: mirrorSide, number, documentDate: date, currency: doc.currency, amountMinor: doc.amountMinor,
      reversesDocumentId: doc.id, reason: input.reason, payloadHash: payloadHash({ reverses: doc.id }), dueDate: doc.dueDate ?? undefined,
    }, { customer: { id: doc.customerId, code: doc.customerCode, currency: doc.currency, termsId: null }, terms: null, fxRate: doc.fxRate });
    // Mirror the original's items one for one, so each installment is closed by its own counterpart.
    const mirrors: NewItem[] = ownItems.sort((a, b) => a.seq - b.seq).map((i) => ({
      ...items[0]!, id: uuidv7(), seq: i.seq, amountMinor: i.amountMinor, dueDate: i.dueDate, discountDate: null, discountAmountMinor: 0n,
    }));
    await insertDocuments(sql, ctx.tenant.id, [reversal], mirrors);
    const closing: NewAllocation[] = ownItems.map((original, index) => {
      const mirror = mirrors[index]!;
      const [creditItemId, debitItemId] = doc.side === 'debit' ? [mirror.id, original.id] : [original.id, mirror.id];
      return {
        id: uuidv7(), batchId: reversal.id, creditItemId, debitItemId, customerId: doc.customerId, amountMinor: original.amountMinor,
        creditAmountMinor: original.amountMinor, fxGainMinor: 0n, allocationDate: date, reversesAllocationId: null,
        reason: input.reason, createdBy: ctx.actor,
      };
    });
    await insertAllocations(sql, ctx.tenant.id, closing);
    const present = presenterFor(ctx);
    const result = {
      reversed: present((await findDocumentById(sql, ctx.tenant.id, doc.id))!),
      reversal: present((await findDocumentById(sql, ctx.tenant.id, reversal.id))!, await itemsOfDocument(sql, ctx.tenant.id, reversal.id)),
      unappliedAllocations: unwound.map((u) => u.reversesAllocationId!),
    };
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'document.reverse', entityType: 'document', entityId: doc.id, reason: input.reason, after: result });
    await requestEvaluation(ctx, sql, doc.customerId);
    return result;
  };
  return sqlInTx ? run(sqlInTx) : ctx.db.tenant(ctx.tenant.id, run);
}

/** Marks an advance receipt as verified against the bank (it can then be applied to invoices). Idempotent. */
export async function verifyAdvance(ctx: Context, documentId: string, raw: { date?: string | undefined }) {
  const date = raw.date ? parseDate(raw.date, 'date') : tenantToday(ctx.tenant, ctx.clock);
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const doc = await findDocumentById(sql, ctx.tenant.id, documentId);
    if (!doc) throw notFound('DOCUMENT_NOT_FOUND', `no document has id ${documentId}`);
    if (doc.kind !== 'advance') throw invalid('NOT_AN_ADVANCE', `${doc.kind} ${doc.number} is not an advance receipt; only advances are verified`);
    if (doc.reversedById) throw conflict('DOCUMENT_REVERSED', `advance ${doc.number} has been reversed`);
    if (!doc.verifiedOn) {
      if (date < doc.documentDate) throw invalid('VERIFY_DATE_TOO_EARLY', `date: ${date} is before the advance's date ${doc.documentDate}`, [{ field: 'date', message: 'too early' }]);
      await insertEvent(sql, ctx, doc.id, 'verified', date, null);
      await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'advance.verify', entityType: 'document', entityId: doc.id, after: { verifiedOn: date } });
    }
    return presenterFor(ctx)((await findDocumentById(sql, ctx.tenant.id, doc.id))!, await itemsOfDocument(sql, ctx.tenant.id, doc.id));
  });
}

