/**
 * Unapplied cash (未核销收款, issue 7: "Unapplied cash is visible in aging and has its own report"): every credit item
 * (payment, advance receipt, credit note, refund reversal…) with something not yet applied at an as-of date, how old it
 * is, where it came from (a bank line, an import, a user) and the totals per currency with their age bands. Correct at
 * any past date through the ledger's "open at a date" rule (src/modules/ledger/open-at.ts): an allocation dated after
 * the as-of date does not count. A collector or salesperson sees their own customers'.
 */
import type ExcelJS from 'exceljs';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { csvCell } from '../../domain/csv.ts';
import { daysBetween, parseDate, type LocalDate } from '../../domain/dates.ts';
import { invalid } from '../../domain/errors.ts';
import { checkCurrency, currencyScale, formatAmount } from '../../domain/money.ts';
import { customerScope } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { getCustomer } from '../customers/index.ts';
import { openItemsAtSql, tuneForLedgerRead } from '../ledger/open-at.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export const MAX_UNAPPLIED_PAGE = 500;
/** The most rows a file (CSV/XLSX) holds: beyond it the caller narrows by currency or customer. */
export const MAX_UNAPPLIED_FILE_ROWS = 100_000;
/** Age bands of the totals, in days since the credit's date: up to 30, 31–90, over 90. */
export const UNAPPLIED_BANDS = [{ key: '0-30', to: 30 }, { key: '31-90', to: 90 }, { key: '91+', to: null }] as const;

export const unappliedQuerySchema = z.object({
  asOf: localDateText.optional(),
  /** One currency's credits only. */
  currency: z.string().trim().length(3).optional(),
  /** One customer's (its code). */
  customer: z.string().trim().min(1).max(64).optional(),
  /** Oldest first (default), or the largest unapplied amount first. */
  sort: z.enum(['age', 'amount']).default('age'),
  limit: z.coerce.number().int().min(1).max(MAX_UNAPPLIED_PAGE).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
}).strict();
export type UnappliedQuery = z.input<typeof unappliedQuerySchema>;

export interface UnappliedRow {
  customer: string;
  customerName: string;
  kind: string;
  document: string;
  documentDate: LocalDate;
  /** Days from the credit's date to the as-of date. */
  ageDays: number;
  currency: string;
  /** The credit's whole amount, and what of it was not applied at the as-of date. */
  amount: string;
  unapplied: string;
  /** Where the credit came from: 'bank' (a bank line applied by cash matching), 'import', or 'arflow' (a user). */
  source: string;
  reference: string | null;
}

export interface UnappliedTotals {
  currency: string;
  count: number;
  unapplied: string;
  bands: Record<(typeof UNAPPLIED_BANDS)[number]['key'], string>;
}

export interface UnappliedReport {
  asOf: LocalDate;
  rows: UnappliedRow[];
  page: { sort: 'age' | 'amount'; limit: number; offset: number; total: number; nextOffset: number | null };
  totals: UnappliedTotals[];
}

interface Filter { asOf: LocalDate; where: string; params: unknown[] }

async function filterOf(ctx: Context, sql: Sql, q: z.output<typeof unappliedQuerySchema>): Promise<Filter> {
  const asOf = q.asOf ? parseDate(q.asOf, 'asOf') : tenantToday(ctx.tenant, ctx.clock);
  const params: unknown[] = [ctx.tenant.id, asOf];
  const where: string[] = [`o.side = 'credit'`, 'o.open_minor > 0'];
  if (q.currency) {
    params.push(checkCurrency(q.currency.toUpperCase(), 'currency'));
    where.push(`o.currency = $${params.length}`);
  }
  if (q.customer) {
    params.push((await getCustomer(sql, ctx.tenant.id, q.customer)).id);
    where.push(`o.customer_id = $${params.length}`);
  }
  const scope = customerScope(ctx);
  if (scope) {
    params.push(scope.handle);
    where.push(`c.${scope.field} = $${params.length}`);
  }
  return { asOf, where: where.join(' AND '), params };
}

/** The credits open at the as-of date (alias o) with their customers (c), filtered; `documents` adds items i and documents d. */
const fromOpenCredits = (f: Filter, documents: boolean) => `WITH ${openItemsAtSql({ tenant: '$1', asOf: '$2' })}
  SELECT %COLUMNS% FROM open_at o
  ${documents ? 'JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id' : ''}
  JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id WHERE ${f.where}`;

/** A page of the credits not yet applied at the as-of date, with the totals over all of them per currency. */
export async function unappliedReport(ctx: Context, sql: Sql, raw: UnappliedQuery = {}): Promise<UnappliedReport> {
  const q = parseInput(unappliedQuerySchema, raw, 'query');
  const f = await filterOf(ctx, sql, q);
  await tuneForLedgerRead(sql);
  const totals = await totalsOf(sql, f);
  const total = totals.reduce((s, t) => s + t.count, 0);
  const rows = await readRows(sql, f, q.sort, q.limit, q.offset);
  return {
    asOf: f.asOf,
    rows,
    page: { sort: q.sort, limit: q.limit, offset: q.offset, total, nextOffset: q.offset + rows.length < total ? q.offset + rows.length : null },
    totals,
  };
}

async function totalsOf(sql: Sql, f: Filter): Promise<UnappliedTotals[]> {
  const rows = await sql.query<{ currency: string; count: number; total: string; b1: string; b2: string; b3: string }>(
    fromOpenCredits(f, false).replace('%COLUMNS%', `o.currency, count(*)::int AS count, sum(o.open_minor)::text AS total,
       coalesce(sum(o.open_minor) FILTER (WHERE $2::date - o.document_date <= 30), 0)::text AS b1,
       coalesce(sum(o.open_minor) FILTER (WHERE $2::date - o.document_date BETWEEN 31 AND 90), 0)::text AS b2,
       coalesce(sum(o.open_minor) FILTER (WHERE $2::date - o.document_date > 90), 0)::text AS b3`) + ' GROUP BY o.currency ORDER BY o.currency', f.params);
  return rows.map((t) => ({
    currency: t.currency, count: Number(t.count), unapplied: formatAmount(BigInt(t.total), t.currency),
    bands: { '0-30': formatAmount(BigInt(t.b1), t.currency), '31-90': formatAmount(BigInt(t.b2), t.currency), '91+': formatAmount(BigInt(t.b3), t.currency) },
  }));
}

async function readRows(sql: Sql, f: Filter, sort: 'age' | 'amount', limit: number, offset: number): Promise<UnappliedRow[]> {
  const order = sort === 'age' ? 'o.document_date, d.number, i.seq' : 'o.open_minor DESC, o.document_date, d.number, i.seq';
  const rows = await sql.query<{ customer: string; customerName: string; kind: string; document: string; documentDate: string; currency: string; amount: string; unapplied: string; source: string; reference: string | null }>(
    fromOpenCredits(f, true).replace('%COLUMNS%', `c.code AS customer, c.name AS "customerName", o.kind, d.number AS document, o.document_date::text AS "documentDate", o.currency,
       i.amount_minor::text AS amount, o.open_minor::text AS unapplied, d.source_system AS source, coalesce(d.memo, d.reason) AS reference`)
      + ` ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, f.params);
  return rows.map((r) => ({
    customer: r.customer, customerName: r.customerName, kind: r.kind, document: r.document, documentDate: r.documentDate,
    ageDays: daysBetween(r.documentDate, f.asOf), currency: r.currency,
    amount: formatAmount(BigInt(r.amount), r.currency), unapplied: formatAmount(BigInt(r.unapplied), r.currency),
    source: r.source, reference: r.reference ? r.reference.slice(0, 200) : null,
  }));
}

const HEADERS = ['customer', 'name', 'kind', 'document', 'date', 'age_days', 'currency', 'amount', 'unapplied', 'source', 'reference'];
const cells = (r: UnappliedRow) => [r.customer, r.customerName, r.kind, r.document, r.documentDate, String(r.ageDays), r.currency, r.amount, r.unapplied, r.source, r.reference ?? ''];

/** Every row (in the query's order), for a file; refused above `maxRows` (MAX_UNAPPLIED_FILE_ROWS) with what to narrow by. */
async function allRows(ctx: Context, sql: Sql, raw: UnappliedQuery, maxRows: number): Promise<{ asOf: LocalDate; totals: UnappliedTotals[]; rows: UnappliedRow[] }> {
  const q = parseInput(unappliedQuerySchema, raw, 'query');
  const f = await filterOf(ctx, sql, q);
  await tuneForLedgerRead(sql);
  const totals = await totalsOf(sql, f);
  const count = totals.reduce((s, t) => s + t.count, 0);
  if (count > maxRows) {
    throw invalid('TOO_MANY_ROWS', `the file would hold ${count} rows, more than ${maxRows}; choose a currency or a customer`, [{ field: 'currency', message: 'narrow the report' }]);
  }
  return { asOf: f.asOf, totals, rows: count ? await readRows(sql, f, q.sort, maxRows, 0) : [] };
}

export async function unappliedCsv(ctx: Context, sql: Sql, raw: UnappliedQuery, maxRows = MAX_UNAPPLIED_FILE_ROWS): Promise<{ asOf: LocalDate; text: string }> {
  const { asOf, totals, rows } = await allRows(ctx, sql, raw, maxRows);
  const lines = [HEADERS, ...rows.map(cells), ...totals.map((t) => ['total', '', '', '', '', '', t.currency, '', t.unapplied, '', ''])];
  return { asOf, text: lines.map((l) => l.map(csvCell).join(',')).join('\n') + '\n' };
}

export async function unappliedXlsx(ctx: Context, sql: Sql, raw: UnappliedQuery, maxRows = MAX_UNAPPLIED_FILE_ROWS): Promise<{ asOf: LocalDate; buffer: Buffer }> {
  const { asOf, totals, rows } = await allRows(ctx, sql, raw, maxRows);
  const { default: Excel } = (await import('exceljs')) as { default: typeof ExcelJS };
  const workbook = new Excel.Workbook();
  workbook.creator = 'arflow';
  const sheet = workbook.addWorksheet(`unapplied ${asOf}`);
  sheet.addRow([`unapplied cash as of ${asOf}`]);
  sheet.addRow([]);
  sheet.addRow(HEADERS).font = { bold: true };
  const format = (currency: string) => { const scale = currencyScale(currency); return scale === 0 ? '#,##0' : `#,##0.${'0'.repeat(scale)}`; };
  for (const r of rows) {
    // Amounts as numbers so a spreadsheet adds them up (display only: the CSV and JSON keep the exact text).
    const row = sheet.addRow([...cells(r).slice(0, 5), r.ageDays, r.currency, Number(r.amount), Number(r.unapplied), r.source, r.reference ?? '']);
    row.getCell(8).numFmt = format(r.currency);
    row.getCell(9).numFmt = format(r.currency);
  }
  for (const t of totals) {
    const row = sheet.addRow(['total', '', '', '', '', '', t.currency, '', Number(t.unapplied)]);
    row.font = { bold: true };
    row.getCell(9).numFmt = format(t.currency);
  }
  sheet.views = [{ state: 'frozen', ySplit: 3 }];
  sheet.columns.forEach((column, i) => { column.width = i === 1 || i === 10 ? 32 : 14; });
  return { asOf, buffer: Buffer.from(await workbook.xlsx.writeBuffer()) };
}
