/**
 * Statements of account (对账单): for a customer and a period, the opening balance, the period's documents and
 * allocations with a running balance, the closing balance and the aging at the period's end, one section per
 * currency. Load (SQL here) → compute (src/domain/statement.ts, src/domain/aging.ts) → present (JSON, PDF, XLSX).
 */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { ageLedger, bucketsFrom, type AgingBucket, type AgingItem } from '../../domain/aging.ts';
import { addDays, parseDate, startOfMonth, type LocalDate } from '../../domain/dates.ts';
import { notFound } from '../../domain/errors.ts';
import { formatAmount } from '../../domain/money.ts';
import { buildSection, checkLineCount, checkPeriod, type StatementAllocation, type StatementDocument, type StatementLine } from '../../domain/statement.ts';
import { assertInScope } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { getCustomer, listContacts, type Contact, type Customer } from '../customers/index.ts';
import { openItemsAtSql } from '../ledger/open-at.ts';
import { tenantToday } from '../tenants/index.ts';
import { localDateText, parseInput } from '../validate.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const statementQuerySchema = z.object({
  /** First day of the period; default the first day of the month of `to`. */
  from: localDateText.optional(),
  /** Last day of the period; default the company's today. */
  to: localDateText.optional(),
  format: z.enum(['json', 'pdf', 'xlsx']).default('json'),
  /** Default: the language of the customer's statement contact, else the company's. */
  lang: z.enum(LANGUAGES).optional(),
});
export type StatementQuery = z.input<typeof statementQuerySchema>;

export interface PresentedLine {
  date: LocalDate;
  type: 'document' | 'allocation';
  kind: string;
  number: string;
  reference: string | null;
  dueDate: LocalDate | null;
  debit: string;
  credit: string;
  applied: string;
  balance: string;
}

export interface StatementSectionView {
  currency: string;
  opening: string;
  lines: PresentedLine[];
  debits: string;
  credits: string;
  closing: string;
  aging: { buckets: AgingBucket[]; current: string; byBucket: Record<string, string>; outstanding: string; unapplied: string; net: string };
}

export interface Statement {
  company: { name: string; address: string | null };
  customer: { code: string; name: string; taxId: string | null; address: string | null };
  from: LocalDate;
  to: LocalDate;
  language: Language;
  /** The company's today when it was drawn up. */
  generatedOn: LocalDate;
  sections: StatementSectionView[];
}

export interface CompanyDetails {
  name: string;
  address: string | null;
  statementDay: number | null;
}

export async function companyDetails(ctx: Context, sql: Sql): Promise<CompanyDetails> {
  const [row] = await sql.query<{ name: string; address: string | null; statementDay: number | null }>(
    `SELECT name, address, statement_day AS "statementDay" FROM tenants WHERE id = $1`, [ctx.tenant.id]);
  if (!row) throw new Error(`assertion failed: tenant ${ctx.tenant.id} is not readable in its own transaction`);
  return row;
}

/** The contact statements go to: one whose role names statements, billing or accounts, else the primary one, else any; with an email. */
export function statementContact(contacts: readonly Contact[]): Contact | null {
  const withEmail = contacts.filter((c) => c.email);
  return withEmail.find((c) => c.role && /statement|billing|account|finance|对账|财务|账务|应付/i.test(c.role))
    ?? withEmail.find((c) => c.isPrimary) ?? withEmail[0] ?? null;
}

/** The customer, in the caller's scope (a collector's or sales person's own), or not found. */
export async function customerInScope(ctx: Context, sql: Sql, code: string): Promise<Customer> {
  const customer = await getCustomer(sql, ctx.tenant.id, code);
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${code}; create it first or check the code`, [{ field: 'customer', message: 'unknown customer code' }]));
  return customer;
}

/** The language a customer reads: its statement contact's, else the company's. */
export async function customerLanguage(ctx: Context, sql: Sql, customer: Customer): Promise<Language> {
  const contact = statementContact(await listContacts(sql, ctx.tenant.id, customer.id));
  return contact?.language ?? ctx.tenant.locale;
}

/** The period a query asks for, with its defaults (the month to date). */
export function statementPeriod(ctx: Context, query: { from?: string | undefined; to?: string | undefined }): { from: LocalDate; to: LocalDate } {
  const to = query.to ? parseDate(query.to, 'to') : tenantToday(ctx.tenant, ctx.clock);
  const from = query.from ? parseDate(query.from, 'from') : startOfMonth(to);
  checkPeriod(from, to);
  return { from, to };
}

/** A customer's statement of account for a period. */
export async function loadStatement(ctx: Context, sql: Sql, code: string, raw: StatementQuery): Promise<Statement> {
  const query = parseInput(statementQuerySchema, raw, 'statement');
  const { from, to } = statementPeriod(ctx, query);
  const customer = await customerInScope(ctx, sql, code);
  const language = query.lang ?? await customerLanguage(ctx, sql, customer);
  const company = await companyDetails(ctx, sql);
  const tenantId = ctx.tenant.id;

  // Bound first: one count over the customer's date index before reading any line.
  const [count] = await sql.query<{ documents: bigint; allocations: bigint }>(
    `SELECT (SELECT count(*) FROM documents WHERE tenant_id = $1 AND customer_id = $2 AND document_date BETWEEN $3 AND $4)::int8 AS documents,
            (SELECT count(*) FROM allocations WHERE tenant_id = $1 AND customer_id = $2 AND allocation_date BETWEEN $3 AND $4)::int8 AS allocations`,
    [tenantId, customer.id, from, to]);
  checkLineCount(Number(count!.documents + count!.allocations), from, to);

  // The documents before the period, and the allocations across currencies before it (each moves balance from the
  // debit's currency to the credit's: see src/domain/statement.ts).
  const openings = await sql.query<{ currency: string; opening: bigint }>(
    `SELECT currency, sum(amount)::int8 AS opening FROM (
       SELECT currency, CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END AS amount
         FROM documents WHERE tenant_id = $1 AND customer_id = $2 AND document_date < $3
       UNION ALL
       SELECT m.currency, CASE m.side WHEN 'debit' THEN -m.amount ELSE m.amount END
         FROM allocations a
         JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
         JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
        CROSS JOIN LATERAL (VALUES ('debit', di.currency, a.amount_minor), ('credit', ci.currency, a.credit_amount_minor)) AS m(side, currency, amount)
        WHERE a.tenant_id = $1 AND a.customer_id = $2 AND a.allocation_date < $3 AND di.currency <> ci.currency) x
      GROUP BY currency`,
    [tenantId, customer.id, from]);
  const documents = await sql.query<StatementDocument & { currency: string }>(
    `SELECT d.document_date AS date, d.kind, d.number, d.side, d.amount_minor AS "amountMinor", d.due_date AS "dueDate",
            r.number AS reverses, d.memo, d.currency
       FROM documents d LEFT JOIN documents r ON r.tenant_id = d.tenant_id AND r.id = d.reverses_document_id
      WHERE d.tenant_id = $1 AND d.customer_id = $2 AND d.document_date BETWEEN $3 AND $4
      ORDER BY d.document_date, d.number`,
    [tenantId, customer.id, from, to]);
  const rows = await sql.query<StatementAllocation & { currency: string; creditCurrency: string; creditAmountMinor: bigint }>(
    `SELECT a.allocation_date AS date, cd.kind AS "creditKind", cd.number AS "creditNumber", dd.kind AS "debitKind",
            dd.number AS "debitNumber", a.amount_minor AS "amountMinor", di.currency, ci.currency AS "creditCurrency",
            a.credit_amount_minor AS "creditAmountMinor"
       FROM allocations a
       JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
       JOIN documents cd ON cd.tenant_id = a.tenant_id AND cd.id = ci.document_id
       JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
       JOIN documents dd ON dd.tenant_id = a.tenant_id AND dd.id = di.document_id
      WHERE a.tenant_id = $1 AND a.customer_id = $2 AND a.allocation_date BETWEEN $3 AND $4
      ORDER BY a.allocation_date, a.id`,
    [tenantId, customer.id, from, to]);
  // An allocation across currencies shows in both sections: settling the debit's (a credit there), using the credit's
  // (a debit there), each in its own currency.
  const allocations: (StatementAllocation & { currency: string })[] = rows.flatMap(({ creditCurrency, creditAmountMinor, ...a }) => (a.currency === creditCurrency
    ? [a]
    : [{ ...a, creditMinor: a.amountMinor }, { ...a, currency: creditCurrency, amountMinor: creditAmountMinor, debitMinor: creditAmountMinor }]));
  const aging = await agingAt(ctx, sql, customer.id, to);

  const currencies = [...new Set([...openings.map((o) => o.currency), ...documents.map((d) => d.currency), ...allocations.map((a) => a.currency), ...aging.keys()])].sort();
  if (currencies.length === 0) currencies.push(customer.currency);
  const buckets = bucketsFrom();
  const sections = currencies.map((currency): StatementSectionView => {
    const section = buildSection(
      openings.find((o) => o.currency === currency)?.opening ?? 0n,
      documents.filter((d) => d.currency === currency),
      allocations.filter((a) => a.currency === currency),
    );
    const money = (minor: bigint) => formatAmount(minor, currency);
    const aged = aging.get(currency);
    return {
      currency,
      opening: money(section.openingMinor),
      lines: section.lines.map((l) => presentLine(l, currency)),
      debits: money(section.debitsMinor),
      credits: money(section.creditsMinor),
      closing: money(section.closingMinor),
      aging: {
        buckets,
        current: money(aged?.current ?? 0n),
        byBucket: Object.fromEntries(buckets.slice(1).map((b) => [b.key, money(aged?.buckets[b.key] ?? 0n)])),
        outstanding: money(aged?.outstanding ?? 0n),
        unapplied: money(aged?.unapplied ?? 0n),
        net: money(aged?.net ?? 0n),
      },
    };
  });
  return {
    company: { name: company.name, address: company.address },
    customer: { code: customer.code, name: customer.name, taxId: customer.taxId, address: customer.address },
    from, to, language, generatedOn: tenantToday(ctx.tenant, ctx.clock), sections,
  };
}

function presentLine(line: StatementLine, currency: string): PresentedLine {
  const money = (minor: bigint) => formatAmount(minor, currency);
  return {
    date: line.date, type: line.type, kind: line.kind, number: line.number, reference: line.reference, dueDate: line.dueDate,
    debit: money(line.debitMinor), credit: money(line.creditMinor), applied: money(line.appliedMinor), balance: money(line.balanceMinor),
  };
}

/**
 * One customer's aging at `asOf`, per currency, by the default buckets on due dates. What was open then is read by
 * the ledger's shared definition (src/modules/ledger/open-at.ts, the aging report's too) for this customer only, and aged by the aging rules (ageLedger), so the figures agree with the aging report's row.
 */
export async function agingAt(ctx: Context, sql: Sql, customerId: string, asOf: LocalDate) {
  const rows = await sql.query<{ itemId: string; currency: string; side: 'debit' | 'credit'; documentDate: string; dueDate: string; openMinor: bigint }>(
    `WITH ${openItemsAtSql({ tenant: '$1', asOf: '$3', customer: '$2' })}
     SELECT o.item_id AS "itemId", o.currency, o.side, o.document_date AS "documentDate", o.due_date AS "dueDate", o.open_minor::int8 AS "openMinor"
       FROM open_at o`,
    [ctx.tenant.id, customerId, asOf]);
  // Each item enters with what was open at asOf and no allocations: the as-of step is done above, the ageing here.
  const items: AgingItem[] = rows.map((r) => ({ itemId: r.itemId, groupKey: r.currency, side: r.side, documentDate: r.documentDate, dueDate: r.dueDate, amountMinor: r.openMinor }));
  const { rows: aged } = ageLedger(asOf, 'due', bucketsFrom(), items, []);
  return new Map(aged.map((row) => [row.groupKey, row]));
}

/** The period of the monthly statement sent on `today`: the previous calendar month. */
export function previousMonth(today: LocalDate): { from: LocalDate; to: LocalDate } {
  const to = addDays(startOfMonth(today), -1);
  return { from: startOfMonth(to), to };
}
