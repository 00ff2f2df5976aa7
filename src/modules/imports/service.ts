/**
 * `arflow import KIND FILE`: one pass over the file. Each row is checked as it is read (format, customers, terms,
 * currencies, FX rates) and, while the file is clean so far, written in batches inside one transaction, so the import
 * is all-or-nothing. At the first bad row the transaction is rolled back and the rest of the file is only checked, so
 * every bad row is still reported with line, column and reason. Each row is keyed by its number or reference, so
 * importing the same file again changes nothing and a changed row is reported as a conflict.
 * Memory stays bounded: rows stream through, only per-batch state and the customer index are held.
 */
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Sql } from '../../db/database.ts';
import { AppError, invalid, type ErrorDetail } from '../../domain/errors.ts';
import { planAllocations, type AllocationRequest, type OpenItem } from '../../domain/ledger.ts';
import { formatAmount, isCurrency, parseAmount } from '../../domain/money.ts';
import { convertAmount, formatDecimal, parseDecimal } from '../../domain/decimal.ts';
import { requestEvaluation } from '../alerts/request.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import {
  customerHash, customerSchema, insertCustomers, linkParents, loadCustomerIndex, updateCustomer, type CustomerFields,
  type NewCustomerRow,
} from '../customers/index.ts';
import { loadTermsMaps, type Terms } from '../terms/index.ts';
import { schedule } from '../../domain/terms.ts';
import { buildDocument, documentFingerprint } from '../ledger/service.ts';
import { insertAllocations, insertDocuments, type NewAllocation, type NewDocument, type NewItem } from '../ledger/repository.ts';
import type { ImportKind } from './columns.ts';
import {
  parseImportFile, type AdvanceRow, type CreditNoteRow, type CustomerRow, type InvoiceRow, type PaymentRow, type RowResult,
  type ImportRow,
} from './rows.ts';
import type { ReadOptions } from './read-file.ts';
import { zodDetails } from '../validate.ts';

/** Most errors listed in a report; the rest are counted. */
export const MAX_REPORTED_ERRORS = 1000;
const BATCH_ROWS = 2000;

export interface ImportReport {
  kind: ImportKind;
  file: string | null;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  allocations: number;
  dryRun: boolean;
}

export interface ImportOptions extends ReadOptions {
  /** Validate only; write nothing. */
  dryRun?: boolean;
  /** Called with the phase and bytes done / total, for a progress bar. */
  onPhase?: (phase: 'validating' | 'writing') => void;
}

type RowSource<R> = () => AsyncIterable<RowResult<R>>;

/** Imports a CSV or XLSX file. */
export async function importFile(ctx: Context, kind: ImportKind, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const source = () => parseImportFile(kind, file, options) as AsyncIterable<RowResult<ImportRow>>;
  const report = await importRows(ctx, kind, source, options);
  return { ...report, file: path.basename(file) };
}

/** Imports rows from any source (a file, or the demo generator), read once. */
export async function importRows(ctx: Context, kind: ImportKind, source: RowSource<ImportRow>, options: ImportOptions = {}): Promise<ImportReport> {
  const state = await ctx.db.tenant(ctx.tenant.id, async (sql) => loadState(ctx, sql));
  const report: ImportReport = { kind, file: null, rows: 0, created: 0, updated: 0, unchanged: 0, allocations: 0, dryRun: !!options.dryRun };
  // Problems a row has on its own (format, customer, terms, rate…): any of them rejects the file, and all are listed.
  const problems = new ErrorList();
  // Problems found against the ledger while writing (a changed re-import, an over-application). They are reported
  // only for a file without problems of the first kind, as when a validation pass ran before any writing.
  const conflicts = new ErrorList();
  const fileCodes = new Set<string>();
  const groupRefs: { line: number; code: string }[] = [];
  let wholeFileChecked = false;
  const checks: RowChecks = {
    problems,
    /** Checks one row as read; returns it ready to write, or null for a bad row (its problems are listed). */
    row(result) {
      report.rows += 1;
      if (!result.ok) {
        problems.add(result.errors);
        return null;
      }
      if (kind === 'customers') {
        const row = result.row as CustomerRow;
        fileCodes.add(row.code);
        if (row.groupCode) groupRefs.push({ line: row.line, code: row.groupCode });
        const found = validateCustomer(ctx, state, row).problems;
        problems.add(found);
        return found.length ? null : { row };
      }
      const { problems: found, doc } = validateDocument(ctx, state, kind, result.row as DocumentImportRow);
      problems.add(found);
      return doc ? { row: result.row as DocumentImportRow, checked: doc } : null;
    },
    /** Checks that need the whole file read: a group's head may come later in it. */
    wholeFile() {
      if (wholeFileChecked) return;
      wholeFileChecked = true;
      for (const ref of groupRefs) {
        if (!fileCodes.has(ref.code) && !state.customers.has(ref.code)) {
          problems.add([{ line: ref.line, column: 'group_code', message: `no customer has code ${ref.code}, here or in arflow; add the group's head first` }]);
        }
      }
    },
  };

  // One pass over the file: each row is checked as it is read and, while the file is clean so far, written in the
  // same go. At the first bad row the transaction is rolled back, so nothing of the file stays written, and the rest
  // of the file is only checked: the report still lists every bad row with its line and column.
  const rows = source()[Symbol.asyncIterator]();
  try {
    options.onPhase?.(options.dryRun ? 'validating' : 'writing');
    if (!options.dryRun) {
      try {
        await ctx.db.tenant(ctx.tenant.id, async (sql) => {
          await writeRows(ctx, sql, kind, state, rows, checks, report, conflicts);
          checks.wholeFile();
          if (problems.count > 0) throw STOP_WRITING;
          if (kind === 'customers') {
            const links = state.pendingLinks;
            const bad = new Set(await linkParents(sql, ctx.tenant.id, links.map((l) => ({ code: l.code, parentCode: l.parentCode }))));
            for (const l of links) if (bad.has(l.code)) conflicts.add([{ line: l.line, column: 'group_code', message: `${l.parentCode} cannot head a group: it is missing, is this customer itself, or belongs to a group itself` }]);
          }
          // Any problem found while writing rolls the whole import back.
          conflicts.throwIfAny(kind);
          await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: `import.${kind}`, entityType: 'import', entityId: null, after: report });
          // Check the ledger after a bulk change; enqueued in this transaction, so only if the import commits.
          await ctx.jobs?.enqueue(sql, 'ledger.verify', { tenantId: ctx.tenant.id }, { singletonKey: ctx.tenant.id });
          // One early-warning evaluation of the whole company after an import, not one per document.
          await requestEvaluation(ctx, sql);
        });
      } catch (error) {
        if (error !== STOP_WRITING) throw error;
      }
    }
    // A dry run, or a file with a bad row: check what is left of it.
    for (let next = await rows.next(); !next.done; next = await rows.next()) checks.row(next.value);
    checks.wholeFile();
  } finally {
    await rows.return?.();
  }
  problems.throwIfAny(kind);
  if (!options.dryRun) await refreshStatistics(ctx, kind);
  return report;
}

/** Thrown inside the import's transaction to roll it back at the first bad row; never leaves importRows. */
const STOP_WRITING = new Error('import: a bad row; rolling back and checking the rest of the file');

type WritableRow = { row: CustomerRow } | CheckedRow;
interface CheckedRow { row: DocumentImportRow; checked: CheckedDocument }
interface RowChecks {
  problems: ErrorList;
  row(result: RowResult<ImportRow>): WritableRow | null;
  wholeFile(): void;
}

/**
 * Reads, checks and writes rows until the file ends (then returns) or a row has a problem (then throws STOP_WRITING).
 * Documents are written one batch behind the reading: while the database writes batch k, the next rows are read,
 * checked and built (CPU), so the two overlap. Writes still run one at a time and in file order.
 */
async function writeRows(ctx: Context, sql: Sql, kind: ImportKind, state: ImportState, rows: AsyncIterator<RowResult<ImportRow>>, checks: RowChecks, report: ImportReport, conflicts: ErrorList) {
  let batch: WritableRow[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const rowsNow = batch;
    batch = [];
    if (kind === 'customers') {
      await writeCustomers(ctx, sql, state, rowsNow.map((r) => r.row as CustomerRow), report, conflicts);
      return;
    }
    const prepared = prepareDocuments(ctx, rowsNow as CheckedRow[]);
    await writing;
    writing = writeDocuments(ctx, sql, prepared, report, conflicts);
    // A failure is rethrown by the next `await writing`; this only keeps it from counting as unhandled meanwhile.
    writing.catch(() => {});
  };
  try {
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      const row = checks.row(next.value);
      if (checks.problems.count > 0) throw STOP_WRITING;
      batch.push(row!);
      if (batch.length >= BATCH_ROWS) await flush();
    }
    await flush();
  } finally {
    // Never leave the transaction while a write is still in flight, whatever failed.
    await writing.catch(() => {});
  }
  await writing;
}

/**
 * Brings the planner's statistics up to date after a bulk write. PGlite has no autovacuum and a PostgreSQL server
 * may run it late (or not at all): without statistics the planner takes a one-tenant table for a small one and
 * answers lookups by number or id with scans of the whole tenant, which makes the next import (and the API)
 * slower the larger the ledger. Only an optimisation, so a refusal (the database user does not own the tables) is ignored.
 */
async function refreshStatistics(ctx: Context, kind: ImportKind): Promise<void> {
  const tables = kind === 'customers' ? 'customers, customer_contacts' : 'documents, items, item_balances, allocations, document_events';
  await ctx.db.system((sql) => sql.query(`ANALYZE ${tables}`)).catch(() => {});
}

// ---------------------------------------------------------------------------------------------------------------

class ErrorList {
  readonly listed: ErrorDetail[] = [];
  count = 0;

  add(details: readonly ErrorDetail[]) {
    for (const d of details) {
      this.count += 1;
      if (this.listed.length < MAX_REPORTED_ERRORS) this.listed.push(d);
    }
  }

  throwIfAny(kind: ImportKind) {
    if (this.count === 0) return;
    const rowsWithErrors = new Set(this.listed.map((d) => d.line)).size;
    const more = this.count > this.listed.length ? `; the first ${this.listed.length} are listed` : '';
    throw invalid('IMPORT_REJECTED', `the ${kind} file has ${this.count} problem${this.count === 1 ? '' : 's'} in ${rowsWithErrors}${this.count > this.listed.length ? '+' : ''} row${rowsWithErrors === 1 ? '' : 's'}${more}; nothing was imported. Fix them and import the file again`, this.listed);
  }
}

interface ImportState {
  customers: Map<string, { id: string; code: string; currency: string; termsId: string | null; hash: string }>;
  terms: { byId: Map<string, Terms>; byCode: Map<string, Terms> };
  /** Per currency, rates sorted by date ascending. */
  rates: Map<string, { date: string; rate: string }[]>;
  pendingLinks: { line: number; code: string; parentCode: string }[];
}

async function loadState(ctx: Context, sql: Sql): Promise<ImportState> {
  const rateRows = await sql.query<{ currency: string; date: string; rate: string }>(
    `SELECT currency, rate_date AS date, rate FROM fx_rates WHERE tenant_id = $1 ORDER BY currency, rate_date`, [ctx.tenant.id]);
  const rates = new Map<string, { date: string; rate: string }[]>();
  for (const r of rateRows) {
    const list = rates.get(r.currency) ?? [];
    list.push({ date: r.date, rate: formatDecimal(parseDecimal(r.rate, 'rate')) });
    rates.set(r.currency, list);
  }
  return { customers: await loadCustomerIndex(sql, ctx.tenant.id), terms: await loadTermsMaps(sql, ctx.tenant.id), rates, pendingLinks: [] };
}

function rateOn(state: ImportState, currency: string, date: string): string | null {
  const list = state.rates.get(currency);
  if (!list) return null;
  let lo = 0;
  let hi = list.length - 1;
  let found: string | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.date <= date) {
      found = list[mid]!.rate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Customers

function customerInput(row: CustomerRow) {
  const contact = row.email || row.phone
    ? [{ name: row.name, email: row.email, phone: row.phone, language: row.language ?? 'zh-CN', isPrimary: true, preferredChannel: row.email ? 'email' : 'phone' }]
    : [];
  return {
    code: row.code, name: row.name, taxId: row.taxId, currency: row.currency, paymentTerms: row.paymentTerms,
    creditLimit: row.creditLimit, parentCode: row.groupCode, segment: row.segment, region: row.region, address: row.address,
    salesperson: row.salesperson, collector: row.collector, contacts: contact,
  };
}

const COLUMN_OF_FIELD: Record<string, string> = {
  code: 'code', name: 'name', taxId: 'tax_id', currency: 'currency', paymentTerms: 'payment_terms', creditLimit: 'credit_limit',
  parentCode: 'group_code', segment: 'segment', region: 'region', address: 'address', salesperson: 'salesperson', collector: 'collector',
  'contacts.0.email': 'email', 'contacts.0.phone': 'phone', 'contacts.0.name': 'name',
};

function validateCustomer(ctx: Context, state: ImportState, row: CustomerRow): { problems: ErrorDetail[]; fields?: CustomerFields; currency?: string } {
  const parsed = customerSchema.safeParse(customerInput(row));
  if (!parsed.success) {
    return { problems: zodDetails(parsed.error).map((d) => ({ line: row.line, column: COLUMN_OF_FIELD[d.field] ?? d.field, message: d.message })) };
  }
  const problems: ErrorDetail[] = [];
  const currency = parsed.data.currency ?? ctx.tenant.currency;
  if (!isCurrency(currency)) problems.push({ line: row.line, column: 'currency', message: `${currency} is not an ISO 4217 currency` });
  if (parsed.data.paymentTerms && !state.terms.byCode.has(parsed.data.paymentTerms)) {
    problems.push({ line: row.line, column: 'payment_terms', message: `no payment terms have code ${parsed.data.paymentTerms}; create them first (arflow terms add ${parsed.data.paymentTerms} --net 30)` });
  }
  if (parsed.data.creditLimit !== undefined && problems.length === 0) {
    try {
      parseAmount(parsed.data.creditLimit, currency, 'credit_limit');
    } catch (e) {
      problems.push({ line: row.line, column: 'credit_limit', message: (e as AppError).details[0]?.message ?? (e as Error).message });
    }
  }
  return { problems, fields: parsed.data, currency };
}

async function writeCustomers(ctx: Context, sql: Sql, state: ImportState, rows: CustomerRow[], report: ImportReport, errors: ErrorList) {
  const fresh: NewCustomerRow[] = [];
  for (const row of rows) {
    const { fields, currency } = validateCustomer(ctx, state, row);
    const existing = state.customers.get(row.code);
    const hash = customerHash(fields!, row.code, currency!);
    if (fields!.parentCode) state.pendingLinks.push({ line: row.line, code: row.code, parentCode: fields!.parentCode });
    if (existing && existing.hash === hash) {
      report.unchanged += 1;
    } else if (existing) {
      try {
        const { code: _code, ...patch } = fields!;
        await updateCustomer(ctx, row.code, patch, sql);
        report.updated += 1;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        errors.add([{ line: row.line, column: 'code', message: e.message }]);
      }
    } else {
      const termsId = fields!.paymentTerms ? state.terms.byCode.get(fields!.paymentTerms)!.id : null;
      const creditLimitMinor = fields!.creditLimit === undefined ? null : parseAmount(fields!.creditLimit, currency!);
      // Parents are linked after every row is in, so a group's head may come later in the file.
      fresh.push({ fields: { ...fields!, parentCode: undefined }, currency: currency!, termsId, creditLimitMinor, hash });
      state.customers.set(row.code, { id: '', code: row.code, currency: currency!, termsId, hash });
      report.created += 1;
    }
  }
  await insertCustomers(sql, ctx.tenant.id, fresh);
}

// ---------------------------------------------------------------------------------------------------------------
// Documents

type DocumentImportRow = InvoiceRow | PaymentRow | CreditNoteRow | AdvanceRow;

interface CheckedDocument {
  kind: 'invoice' | 'payment' | 'credit_note' | 'advance';
  number: string;
  customer: { id: string; code: string; currency: string; termsId: string | null };
  documentDate: string;
  dueDate?: string;
  terms: Terms | null;
  termsCode?: string;
  currency: string;
  amountMinor: bigint;
  fxRate: string;
  externalId?: string;
  againstInvoice?: string;
  appliesTo?: { document: string; amountMinor?: bigint; amount?: string }[];
}

const KIND_OF: Record<Exclude<ImportKind, 'customers'>, CheckedDocument['kind']> = {
  invoices: 'invoice', payments: 'payment', 'credit-notes': 'credit_note', advances: 'advance',
};

function validateDocument(ctx: Context, state: ImportState, kind: ImportKind, row: DocumentImportRow): { problems: ErrorDetail[]; doc?: CheckedDocument } {
  const problems: ErrorDetail[] = [];
  const at = (column: string, message: string) => problems.push({ line: row.line, column, message });
  const customer = state.customers.get(row.customerCode);
  if (!customer) {
    at('customer_code', `no customer has code ${row.customerCode}; import the customer first`);
    return { problems };
  }
  const currency = row.currency ?? customer.currency;
  let amountMinor = 0n;
  try {
    amountMinor = parseAmount(row.amount, currency, 'amount');
  } catch (e) {
    at('amount', (e as AppError).details[0]?.message ?? (e as Error).message);
  }
  const documentDate = 'documentDate' in row ? row.documentDate : row.date;
  const dateColumn = 'documentDate' in row ? 'document_date' : 'date';
  let fxRate = '1';
  if (currency !== ctx.tenant.currency) {
    const rate = rateOn(state, currency, documentDate);
    if (!rate) at(dateColumn, `no ${currency} rate on or before ${documentDate}; record one first (arflow fx set ${currency} ${documentDate} RATE)`);
    else fxRate = rate;
  }
  let terms: Terms | null = null;
  let termsCode: string | undefined;
  // Every invoice gets terms: optional cells are absent from the row when empty, so test the kind, not the keys.
  if (kind === 'invoices') {
    const inv = row as InvoiceRow;
    termsCode = inv.paymentTerms;
    if (inv.paymentTerms) {
      terms = state.terms.byCode.get(inv.paymentTerms) ?? null;
      if (!terms) at('payment_terms', `no payment terms have code ${inv.paymentTerms}; create them first (arflow terms add ${inv.paymentTerms} --net 30)`);
    } else if (customer.termsId) {
      terms = state.terms.byId.get(customer.termsId) ?? null;
    } else if (ctx.tenant.defaultTermsCode) {
      terms = state.terms.byCode.get(ctx.tenant.defaultTermsCode) ?? null;
    }
    if (inv.dueDate && inv.dueDate < inv.documentDate) at('due_date', `the due date ${inv.dueDate} is before the invoice date ${inv.documentDate}`);
    if (!inv.dueDate && terms?.rule.installments && amountMinor > 0n && schedule(terms.rule, inv.documentDate, amountMinor, currency).some((i) => i.amountMinor <= 0n)) {
      at('amount', `${row.amount} is too small to split into the ${terms.rule.installments.length} installments of terms ${terms.code}; give a due date or other terms`);
    }
  }
  const applies = 'appliesTo' in row ? row.appliesTo : undefined;
  const appliesTo = applies?.map((a) => {
    let minor: bigint | undefined;
    if (a.amount !== undefined) {
      try {
        minor = parseAmount(a.amount, currency, 'applies_to');
      } catch (e) {
        at('applies_to', `${a.number}: ${(e as AppError).details[0]?.message ?? (e as Error).message}`);
      }
    }
    return { document: a.number, amountMinor: minor, amount: minor === undefined ? undefined : formatAmount(minor, currency) };
  });
  if (appliesTo && problems.length === 0) {
    const total = appliesTo.reduce((s, a) => s + (a.amountMinor ?? 0n), 0n);
    if (total > amountMinor) at('applies_to', `the amounts to apply add up to ${formatAmount(total, currency)}, more than the ${formatAmount(amountMinor, currency)} received`);
  }
  if (problems.length) return { problems };
  const number = 'number' in row ? row.number : row.reference;
  return {
    problems,
    doc: {
      kind: KIND_OF[kind as Exclude<ImportKind, 'customers'>], number, customer, documentDate, dueDate: 'dueDate' in row ? row.dueDate : undefined,
      terms, termsCode, currency, amountMinor, fxRate, externalId: 'externalId' in row ? row.externalId : undefined,
      againstInvoice: 'againstInvoice' in row ? row.againstInvoice : undefined, appliesTo,
    },
  };
}

interface PreparedDocument { row: DocumentImportRow; checked: CheckedDocument; doc: NewDocument; items: NewItem[] }

/** Builds a batch's checked documents: CPU only, no database, so it can run while the previous batch is written. */
function prepareDocuments(ctx: Context, rows: CheckedRow[]): PreparedDocument[] {
  return rows.map(({ row, checked }) => {
    // The related invoice of a credit note is looked up when the batch is written (writeDocuments).
    const { doc, items } = buildDocument(ctx, {
      kind: checked.kind, number: checked.number, documentDate: checked.documentDate, dueDate: checked.dueDate,
      currency: checked.currency, amountMinor: checked.amountMinor, externalId: checked.externalId,
      sourceSystem: checked.externalId ? 'import' : undefined, relatedDocumentId: null,
      payloadHash: documentFingerprint({
        kind: checked.kind, number: checked.number, customer: checked.customer.code, documentDate: checked.documentDate,
        dueDate: checked.dueDate, paymentTerms: checked.termsCode, currency: checked.currency, amountMinor: checked.amountMinor,
        againstInvoice: checked.againstInvoice, externalId: checked.externalId,
        appliesTo: checked.appliesTo?.map((a) => ({ document: a.document, amount: a.amount })),
      }),
    }, { customer: checked.customer, terms: checked.terms, fxRate: checked.fxRate });
    return { row, checked, doc, items };
  });
}

async function writeDocuments(ctx: Context, sql: Sql, prepared: PreparedDocument[], report: ImportReport, errors: ErrorList) {
  // Credit notes name the invoice they correct: find it (same customer) to link the note to it.
  const againstNumbers = [...new Set(prepared.flatMap((c) => (c.checked.againstInvoice ? [c.checked.againstInvoice] : [])))];
  const related = new Map<string, string>();
  if (againstNumbers.length) {
    const found = await sql.query<{ id: string; number: string; customerId: string }>(
      `SELECT id, number, customer_id AS "customerId" FROM documents
        WHERE tenant_id = $1 AND number = ANY($2) AND side = 'debit' AND kind <> 'reversal'`, [ctx.tenant.id, againstNumbers]);
    for (const f of found) related.set(`${f.customerId}|${f.number}`, f.id);
  }
  const built: PreparedDocument[] = [];
  for (const b of prepared) {
    if (b.checked.againstInvoice) {
      const relatedDocumentId = related.get(`${b.checked.customer.id}|${b.checked.againstInvoice}`) ?? null;
      if (!relatedDocumentId) {
        errors.add([{ line: b.row.line, column: 'against_invoice', message: `customer ${b.checked.customer.code} has no invoice ${b.checked.againstInvoice}` }]);
        continue;
      }
      b.doc.relatedDocumentId = relatedDocumentId;
    }
    built.push(b);
  }
  if (built.length === 0) return;
  const inserted = await insertDocuments(sql, ctx.tenant.id, built.map((b) => b.doc), built.flatMap((b) => b.items));
  const skipped = built.filter((b) => !inserted.has(b.doc.id));
  if (skipped.length) {
    const kindOf = built[0]!.checked.kind;
    const existing = await sql.query<PostedDocument>(
      `SELECT d.number, d.payload_hash AS hash, c.code AS "customerCode", d.document_date AS "documentDate", d.currency, d.amount_minor AS "amountMinor"
         FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
        WHERE d.tenant_id = $1 AND d.kind = $2 AND d.number = ANY($3)`,
      [ctx.tenant.id, kindOf, skipped.map((b) => b.doc.number)]);
    const posted = new Map(existing.map((e) => [e.number, e]));
    for (const b of skipped) {
      const before = posted.get(b.doc.number);
      if (before?.hash === b.doc.payloadHash) report.unchanged += 1;
      else if (before) errors.add(changedDetails(b.row, b.checked, before));
      else errors.add([{ line: b.row.line, column: 'external_id', message: `external id ${b.checked.externalId} is already used by another document` }]);
    }
  }
  const fresh = built.filter((b) => inserted.has(b.doc.id));
  report.created += fresh.length;

  if (fresh.some((b) => b.checked.kind === 'advance')) {
    const advances = fresh.filter((b) => b.checked.kind === 'advance');
    await sql.query(
      `INSERT INTO document_events (tenant_id, id, document_id, event, event_date, created_by)
       SELECT $1::uuid, x.id, x.document_id, 'verified', x.event_date, $2 FROM unnest($3::uuid[], $4::uuid[], $5::date[]) AS x(id, document_id, event_date)`,
      [ctx.tenant.id, ctx.actor, advances.map(() => uuidv7()), advances.map((b) => b.doc.id), advances.map((b) => b.doc.documentDate)]);
  }
  const applying = fresh.filter((b) => b.checked.appliesTo?.length || b.checked.againstInvoice);
  if (applying.length) await applyImported(ctx, sql, applying, report, errors);
}

interface PostedDocument { number: string; hash: string; customerCode: string; documentDate: string; currency: string; amountMinor: bigint }

/** A re-imported document whose details differ from the posted one: one problem per differing column, so the user sees what changed. */
function changedDetails(row: DocumentImportRow, checked: CheckedDocument, posted: PostedDocument): ErrorDetail[] {
  const fix = 'a posted document is never changed: reverse it in arflow and import the correction under a new number';
  const compared: [string, string, string][] = [
    ['customer_code', posted.customerCode, checked.customer.code],
    ['documentDate' in row ? 'document_date' : 'date', posted.documentDate, checked.documentDate],
    ['currency', posted.currency, checked.currency],
    ['amount', formatAmount(posted.amountMinor, posted.currency), formatAmount(checked.amountMinor, checked.currency)],
  ];
  const changed = compared.filter(([, before, now]) => before !== now);
  if (changed.length === 0) {
    return [{ line: row.line, column: 'number' in row ? 'number' : 'reference', message: `${checked.number} is already posted with other details (due date, terms or applications); ${fix}` }];
  }
  return changed.map(([column, before, now]) => ({ line: row.line, column, message: `${checked.number} is already posted with ${column} ${before}, not ${now}; ${fix}` }));
}

/** Plans and writes the allocations of imported payments and credit notes, in file order, against locked open items. */
async function applyImported(ctx: Context, sql: Sql, rows: { row: DocumentImportRow; checked: CheckedDocument; doc: NewDocument; items: NewItem[] }[], report: ImportReport, errors: ErrorList) {
  const numbers = [...new Set(rows.flatMap((b) => [...(b.checked.appliesTo ?? []).map((a) => a.document), ...(b.checked.againstInvoice ? [b.checked.againstInvoice] : [])]))];
  const customerIds = [...new Set(rows.map((b) => b.checked.customer.id))];
  const debitItems = await sql.query<{ id: string; customerId: string; number: string; kind: string; seq: number; dueDate: string | null; currency: string; openMinor: bigint; documentDate: string; fxRate: string }>(
    `SELECT i.id, i.customer_id AS "customerId", d.number, d.kind, i.seq, i.due_date AS "dueDate", i.currency, b.open_minor AS "openMinor",
            d.document_date AS "documentDate", d.fx_rate AS "fxRate"
       FROM documents d
       JOIN items i ON i.tenant_id = d.tenant_id AND i.document_id = d.id
       JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
      WHERE d.tenant_id = $1 AND d.number = ANY($2) AND d.customer_id = ANY($3) AND d.side = 'debit' AND d.kind <> 'reversal'
      ORDER BY i.id FOR UPDATE OF b`,
    [ctx.tenant.id, numbers, customerIds]);
  // Open items per customer and number, updated in memory as rows are planned so later rows see earlier ones.
  const open = new Map<string, Map<string, OpenItem[]>>();
  const meta = new Map<string, { documentDate: string; fxRate: string }>();
  for (const item of debitItems) {
    const byNumber = open.get(item.customerId) ?? new Map<string, OpenItem[]>();
    const list = byNumber.get(item.number) ?? [];
    list.push({ itemId: item.id, documentNumber: item.number, seq: item.seq, dueDate: item.dueDate, currency: item.currency, openMinor: item.openMinor });
    byNumber.set(item.number, list);
    open.set(item.customerId, byNumber);
    meta.set(item.id, { documentDate: item.documentDate, fxRate: item.fxRate });
  }
  const allocations: NewAllocation[] = [];
  for (const b of rows) {
    const byNumber = open.get(b.checked.customer.id) ?? new Map<string, OpenItem[]>();
    const column = b.checked.appliesTo?.length ? 'applies_to' : 'against_invoice';
    let requests: AllocationRequest[] = (b.checked.appliesTo ?? []).map((a) => ({ documentNumber: a.document, amountMinor: a.amountMinor, field: column }));
    if (!requests.length && b.checked.againstInvoice) {
      // A note against a paid invoice stays unapplied, to be applied or refunded later.
      const items = byNumber.get(b.checked.againstInvoice) ?? [];
      if (items.every((i) => i.openMinor === 0n)) continue;
      requests = [{ documentNumber: b.checked.againstInvoice, field: column }];
    }
    try {
      const plan = planAllocations(b.checked.amountMinor, b.checked.currency, requests, byNumber);
      const creditRate = parseDecimal(b.checked.fxRate, 'fxRate');
      for (const p of plan) {
        const list = [...byNumber.values()].flat();
        const item = list.find((i) => i.itemId === p.itemId)!;
        item.openMinor -= p.amountMinor;
        const m = meta.get(p.itemId)!;
        const date = m.documentDate > b.checked.documentDate ? m.documentDate : b.checked.documentDate;
        const gain = convertAmount(p.creditAmountMinor, b.checked.currency, ctx.tenant.currency, creditRate) - convertAmount(p.amountMinor, item.currency, ctx.tenant.currency, parseDecimal(m.fxRate, 'fxRate'));
        allocations.push({
          id: uuidv7(), batchId: b.doc.id, creditItemId: b.items[0]!.id, debitItemId: p.itemId, customerId: b.checked.customer.id,
          amountMinor: p.amountMinor, creditAmountMinor: p.creditAmountMinor, fxGainMinor: gain, allocationDate: date,
          reversesAllocationId: null, reason: null, createdBy: ctx.actor,
        });
      }
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      errors.add(e.details.map((d) => ({ line: b.row.line, column, message: d.message })));
    }
  }
  await insertAllocations(sql, ctx.tenant.id, allocations);
  report.allocations += allocations.length;
}
