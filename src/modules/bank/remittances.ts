/**
 * Remittance advices (付款通知): a customer's CSV or XLSX list of the invoices a payment covers, with the amount paid
 * on each (and any discount or deduction taken). Imported and kept here, so that cash matching can apply the bank
 * line that brings the money to exactly those invoices and amounts (src/modules/bank/matching.ts).
 *
 * The file's kind is recognised from its content (an XLSX is a zip), its rows by their header names (pure parser:
 * src/domain/bank/remittance.ts). Each invoice number is looked up among the company's invoices and debit notes
 * (exactly as written, then without separators and case, O as 0 and I as 1); the payer is the customer given, else the one customer
 * all found invoices belong to. All or nothing; the same file again changes nothing.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { MAX_BANK_FILE_BYTES } from '../../domain/bank/statement.ts';
import { confusableKey, referenceKey } from '../../domain/bank/matching.ts';
import { MAX_REMITTANCE_LINES, parseRemittanceCsv, parseRemittanceXlsx, type RemittanceAdvice } from '../../domain/bank/remittance.ts';
import { invalid, notFound, tooLarge } from '../../domain/errors.ts';
import { formatAmount } from '../../domain/money.ts';
import { listFilter } from '../access/scope.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { parseInput } from '../validate.ts';
import { MAX_UPLOAD_BODY_BYTES } from './index.ts';

export const remittanceImportSchema = z.object({
  fileName: z.string().trim().min(1).max(255).optional(),
  /** The file's bytes, base64-encoded. */
  content: z.string().min(1, 'choose a file').max(MAX_UPLOAD_BODY_BYTES, 'the file is larger than 20 MB'),
  /** The payer, when known (else found from the invoices). */
  customer: z.string().trim().min(1).max(64).optional(),
  /** The currency of lines that name none (default: the company's). */
  currency: z.string().trim().regex(/^[A-Za-z]{3}$/, 'a three-letter currency code like CNY').optional(),
  /** A CSV's text encoding when it is not UTF-8 (GBK from Chinese systems). */
  encoding: z.string().trim().min(1).max(20).optional(),
}).strict();
export type RemittanceImportInput = z.input<typeof remittanceImportSchema>;

export const remittanceListSchema = z.object({
  status: z.enum(['open', 'used', 'all']).default('all'),
  customer: z.string().trim().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export interface PresentedAdviceLine { line: number; invoiceNumber: string; document: string | null; amount: string; deduction: string; reference: string | null; paymentDate: string | null }
export interface PresentedAdvice {
  id: string; fileName: string | null; customer: string | null; customerName: string | null; currency: string; total: string; lineCount: number;
  /** Lines whose invoice number names none of the company's invoices. */
  unknownInvoices: number;
  reference: string | null; paymentDate: string | null;
  /** The bank entry the advice explained, once cash matching used it. */
  bankEntryId: string | null;
  importedAt: string; importedBy: string;
  lines?: PresentedAdviceLine[];
  alreadyImported?: boolean;
}

/** A number compared without separators and case, O as 0 and I as 1: the documents' indexed `number_key`. */
const normal = (n: string) => confusableKey(referenceKey(n));

/** Reads an advice's bytes: XLSX when it is a zip, else CSV. */
async function parseAdvice(bytes: Uint8Array, currency: string, encoding: string | undefined): Promise<RemittanceAdvice> {
  const zip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  return zip ? parseRemittanceXlsx(bytes, currency) : parseRemittanceCsv(bytes, currency, encoding);
}

/** Imports an advice from the API (base64 content). */
export async function importRemittance(ctx: Context, raw: RemittanceImportInput, idempotencyKey?: string): Promise<PresentedAdvice> {
  const input = parseInput(remittanceImportSchema, raw, 'remittance advice');
  if (!/^[A-Za-z0-9+/=\s]+$/.test(input.content)) {
    throw invalid('VALIDATION_FAILED', 'content: is not base64; send the file\'s bytes base64-encoded', [{ field: 'content', message: 'not base64' }]);
  }
  return importRemittanceBytes(ctx, Buffer.from(input.content, 'base64'), { fileName: input.fileName ?? null, customer: input.customer, currency: input.currency, encoding: input.encoding }, idempotencyKey);
}

/** Imports an advice's bytes (API and CLI). */
export async function importRemittanceBytes(
  ctx: Context, bytes: Uint8Array, options: { fileName: string | null; customer?: string | undefined; currency?: string | undefined; encoding?: string | undefined }, idempotencyKey?: string,
): Promise<PresentedAdvice> {
  if (bytes.length > MAX_BANK_FILE_BYTES) throw tooLarge('REMITTANCE_FILE_TOO_LARGE', `the file has ${bytes.length} bytes, more than the ${MAX_BANK_FILE_BYTES} arflow reads`);
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  // Parse before the transaction: a malformed file fails here, naming its line, and nothing is written.
  const advice = await parseAdvice(bytes, (options.currency ?? ctx.tenant.currency).toUpperCase(), options.encoding);
  if (advice.lines.length > MAX_REMITTANCE_LINES) throw tooLarge('REMITTANCE_TOO_MANY_LINES', `the advice has ${advice.lines.length} lines, more than ${MAX_REMITTANCE_LINES}`);
  const request = { fileHash, customer: options.customer ?? null, currency: options.currency ?? null, encoding: options.encoding ?? null };
  return withIdempotency(ctx, idempotencyKey, 'bank.remittance', request, async (sql) => {
    const [existing] = await sql.query<{ id: string }>(`SELECT id FROM remittance_advices WHERE tenant_id = $1 AND file_hash = $2`, [ctx.tenant.id, fileHash]);
    if (existing) return { ...(await getAdvice(ctx, sql, existing.id)), alreadyImported: true };
    let customerId: string | null = null;
    if (options.customer) {
      const [c] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, options.customer]);
      if (!c) throw notFound('CUSTOMER_NOT_FOUND', `customer ${options.customer} does not exist`, [{ field: 'customer', message: 'no such customer' }]);
      customerId = c.id;
    }
    // The documents the lines name: exact numbers first, then without separators and case (of the payer's, if known).
    const numbers = [...new Set(advice.lines.map((l) => l.invoiceNumber))];
    const found = await sql.query<{ id: string; number: string; customerId: string }>(
      `SELECT id, number, customer_id AS "customerId" FROM documents
        WHERE tenant_id = $1 AND kind IN ('invoice', 'debit_note') AND reverses_document_id IS NULL
          AND (number = ANY($2::text[]) OR number_key = ANY($3::text[]))
          AND ($4::uuid IS NULL OR customer_id = $4)`,
      [ctx.tenant.id, numbers, numbers.map(normal), customerId]);
    const exact = new Map(found.map((d) => [d.number, d]));
    const byNormal = new Map<string, typeof found>();
    for (const d of found) byNormal.set(normal(d.number), [...(byNormal.get(normal(d.number)) ?? []), d]);
    const documentOf = (n: string) => exact.get(n) ?? (byNormal.get(normal(n))?.length === 1 ? byNormal.get(normal(n))![0] : undefined);
    const resolved = advice.lines.map((l) => documentOf(l.invoiceNumber));
    if (!customerId) {
      const owners = new Set(resolved.filter((d) => d).map((d) => d!.customerId));
      if (owners.size === 1) customerId = [...owners][0]!;
    }
    const references = [...new Set(advice.lines.map((l) => l.reference).filter((r): r is string => !!r))];
    const dates = advice.lines.map((l) => l.paymentDate).filter((d): d is string => !!d).sort();
    const id = uuidv7();
    // Two imports of one file at once: the unique file hash lets one write, the other answers what it wrote.
    const [inserted] = await sql.query<{ id: string }>(
      `INSERT INTO remittance_advices (tenant_id, id, file_hash, file_name, customer_id, currency, total_minor, line_count, reference, payment_date, imported_at, imported_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (tenant_id, file_hash) DO NOTHING RETURNING id`,
      [ctx.tenant.id, id, fileHash, options.fileName, customerId, advice.currency, advice.totalMinor, advice.lines.length,
        references.length === 1 ? references[0] : null, dates.at(-1) ?? null, ctx.clock.now().toISOString(), ctx.actor]);
    if (!inserted) {
      const [other] = await sql.query<{ id: string }>(`SELECT id FROM remittance_advices WHERE tenant_id = $1 AND file_hash = $2`, [ctx.tenant.id, fileHash]);
      return { ...(await getAdvice(ctx, sql, other!.id)), alreadyImported: true };
    }
    await sql.query(
      `INSERT INTO remittance_advice_lines (tenant_id, advice_id, line, invoice_number, document_id, amount_minor, deduction_minor, reference, payment_date)
       SELECT $1, $2, x.line, x.invoice_number, x.document_id, x.amount_minor, x.deduction_minor, x.reference, x.payment_date
         FROM unnest($3::int[], $4::text[], $5::uuid[], $6::int8[], $7::int8[], $8::text[], $9::date[])
              AS x(line, invoice_number, document_id, amount_minor, deduction_minor, reference, payment_date)`,
      [ctx.tenant.id, id, advice.lines.map((l) => l.line), advice.lines.map((l) => l.invoiceNumber), resolved.map((d) => d?.id ?? null),
        advice.lines.map((l) => l.amountMinor), advice.lines.map((l) => l.deductionMinor), advice.lines.map((l) => l.reference), advice.lines.map((l) => l.paymentDate)]);
    const presented = await getAdvice(ctx, sql, id);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'bank.remittance', entityType: 'remittance_advice', entityId: id,
      after: { fileName: options.fileName, fileHash, customer: presented.customer, currency: presented.currency, total: presented.total, lines: presented.lineCount, unknownInvoices: presented.unknownInvoices },
    });
    return { ...presented, alreadyImported: false };
  });
}

interface AdviceRow {
  id: string; fileName: string | null; customer: string | null; customerName: string | null; currency: string; total: bigint | string; lineCount: number;
  unknown: number; reference: string | null; paymentDate: string | null; bankEntryId: string | null; importedAt: string | Date; importedBy: string;
}

const ADVICE_COLUMNS = `r.id, r.file_name AS "fileName", c.code AS customer, c.name AS "customerName", r.currency, r.total_minor AS total, r.line_count AS "lineCount",
       (SELECT count(*)::int FROM remittance_advice_lines l WHERE l.tenant_id = r.tenant_id AND l.advice_id = r.id AND l.document_id IS NULL) AS unknown,
       r.reference, r.payment_date::text AS "paymentDate", r.bank_entry_id AS "bankEntryId", r.imported_at AS "importedAt", r.imported_by AS "importedBy"`;

function present(r: AdviceRow): PresentedAdvice {
  return {
    id: r.id, fileName: r.fileName, customer: r.customer, customerName: r.customerName, currency: r.currency, total: formatAmount(BigInt(r.total), r.currency),
    lineCount: r.lineCount, unknownInvoices: r.unknown, reference: r.reference, paymentDate: r.paymentDate, bankEntryId: r.bankEntryId,
    importedAt: new Date(r.importedAt).toISOString(), importedBy: r.importedBy,
  };
}

/** Advices in the caller's scope (a collector's or sales person's own customers), newest first. */
export async function listAdvices(ctx: Context, sql: Sql, raw: z.input<typeof remittanceListSchema> = {}): Promise<{ total: number; rows: PresentedAdvice[] }> {
  const q = parseInput(remittanceListSchema, raw, 'remittance advices');
  const { where, params, add, inScope } = listFilter('r', ctx.tenant.id);
  if (q.status !== 'all') where.push(q.status === 'open' ? 'r.bank_entry_id IS NULL' : 'r.bank_entry_id IS NOT NULL');
  if (q.customer) add((n) => `c.code = $${n}`, q.customer);
  inScope(ctx);
  const from = `FROM remittance_advices r LEFT JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id WHERE ${where.join(' AND ')}`;
  const [count] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, params);
  const rows = await sql.query<AdviceRow>(`SELECT ${ADVICE_COLUMNS} ${from} ORDER BY r.imported_at DESC, r.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`, params);
  return { total: count!.n, rows: rows.map(present) };
}

/** One advice with its lines. */
export async function getAdvice(ctx: Context, sql: Sql, id: string): Promise<PresentedAdvice> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('REMITTANCE_NOT_FOUND', `remittance advice ${id} does not exist`);
  const { where, params, add, inScope } = listFilter('r', ctx.tenant.id);
  add((n) => `r.id = $${n}`, id);
  inScope(ctx);
  const [row] = await sql.query<AdviceRow>(
    `SELECT ${ADVICE_COLUMNS} FROM remittance_advices r LEFT JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id
      WHERE ${where.join(' AND ')}`, params);
  if (!row) throw notFound('REMITTANCE_NOT_FOUND', `remittance advice ${id} does not exist`);
  const lines = await sql.query<{ line: number; invoiceNumber: string; document: string | null; amount: bigint | string; deduction: bigint | string; reference: string | null; paymentDate: string | null }>(
    `SELECT l.line, l.invoice_number AS "invoiceNumber", d.number AS document, l.amount_minor AS amount, l.deduction_minor AS deduction, l.reference, l.payment_date::text AS "paymentDate"
       FROM remittance_advice_lines l LEFT JOIN documents d ON d.tenant_id = l.tenant_id AND d.id = l.document_id
      WHERE l.tenant_id = $1 AND l.advice_id = $2 ORDER BY l.line`, [ctx.tenant.id, id]);
  return {
    ...present(row),
    lines: lines.map((l) => ({ line: l.line, invoiceNumber: l.invoiceNumber, document: l.document, amount: formatAmount(BigInt(l.amount), row.currency), deduction: formatAmount(BigInt(l.deduction), row.currency), reference: l.reference, paymentDate: l.paymentDate })),
  };
}
