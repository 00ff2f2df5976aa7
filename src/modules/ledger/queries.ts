/** Reading the ledger: document lists, open items, customer balances, and the consistency check of the cached balances. */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { parseDate } from '../../domain/dates.ts';
import { DOCUMENT_KINDS } from '../../domain/ledger.ts';
import { formatAmount, SCALE_EXCEPTIONS } from '../../domain/money.ts';
import { notFound } from '../../domain/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { assertInScope, customerScope, scopeCondition } from '../access/scope.ts';
import type { Context } from '../context.ts';
import { tenantToday } from '../tenants/index.ts';
import { decodeCursor, encodeCursor, getCustomer, MAX_PAGE_SIZE } from '../customers/index.ts';
import { localDateText, parseInput } from '../validate.ts';
import {
  ALLOCATION_SELECT, DOCUMENT_SELECT, findDocumentById, findDocumentsByNumber, itemsOfDocument, allocationsOfDocument,
  type AllocationRow, type DocumentRow,
} from './repository.ts';
import { presentAllocation, presenterFor } from './service.ts';

export const documentListSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS).optional(),
  customer: z.string().max(64).optional(),
  status: z.enum(['open', 'closed']).optional(),
  currency: z.string().length(3).optional(),
  from: localDateText.optional(),
  to: localDateText.optional(),
  q: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(500).optional(),
});
export type DocumentListQuery = z.input<typeof documentListSchema>;

/** Documents newest first (document date, then id), keyset-paged so page 1,000 costs what page 1 does. */
export async function listDocuments(ctx: Context, sql: Sql, raw: DocumentListQuery) {
  const query = parseInput(documentListSchema, raw, 'document list');
  if (query.from) parseDate(query.from, 'from'); // the schema checks the form only: 2026-02-30 must not reach SQL
  if (query.to) parseDate(query.to, 'to');
  const where = ['d.tenant_id = $1'];
  const params: unknown[] = [ctx.tenant.id];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll('?', `$${params.length}`));
  };
  if (query.kind) add('d.kind = ?', query.kind);
  if (query.customer) add('c.code = ?', query.customer);
  const scope = customerScope(ctx);
  if (scope) add(`c.${scope.field} = ?`, scope.handle);
  if (query.currency) add('d.currency = ?', query.currency.toUpperCase());
  if (query.from) add('d.document_date >= ?', query.from);
  if (query.to) add('d.document_date <= ?', query.to);
  if (query.q) add(`d.number ILIKE ? || '%'`, query.q.replace(/[\\%_]/g, (c) => `\\${c}`));
  const openSum = `(SELECT coalesce(sum(b.open_minor), 0) FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id WHERE i.tenant_id = d.tenant_id AND i.document_id = d.id)`;
  if (query.status === 'open') where.push(`${openSum} > 0`);
  if (query.status === 'closed') where.push(`${openSum} = 0`);
  if (query.cursor) {
    const [date, id] = decodeCursor(query.cursor, 2);
    params.push(date, id);
    where.push(`(d.document_date, d.id) < ($${params.length - 1}::date, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const rows = await sql.query<DocumentRow>(
    `${DOCUMENT_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.document_date DESC, d.id DESC LIMIT $${params.length}`, params);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const present = presenterFor(ctx);
  return {
    items: page.map((d) => present(d)),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.documentDate, last.id]) : null,
  };
}

/** One document with its items and allocations; `ref` is its id or `kind:number`. */
export async function getDocument(ctx: Context, sql: Sql, ref: string) {
  const doc = await resolveDocument(sql, ctx.tenant.id, ref);
  await assertInScope(ctx, sql, doc.customerId, () => notFound('DOCUMENT_NOT_FOUND', `no document matches ${ref}; give its id, its number, or KIND:NUMBER (invoice:INV-1)`));
  const items = await itemsOfDocument(sql, ctx.tenant.id, doc.id);
  const related = doc.relatedDocumentId ? await findDocumentById(sql, ctx.tenant.id, doc.relatedDocumentId) : null;
  return {
    ...presenterFor(ctx)(doc, items, related ? { kind: related.kind, number: related.number } : null),
    allocations: (await allocationsOfDocument(sql, ctx.tenant.id, doc.id)).map((a) => presentAllocation(a, ctx.tenant.currency)),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A document by id, by `kind:number`, or by a number that only one kind uses. */
export async function resolveDocument(sql: Sql, tenantId: string, ref: string): Promise<DocumentRow> {
  if (UUID.test(ref)) {
    const doc = await findDocumentById(sql, tenantId, ref.toLowerCase());
    if (doc) return doc;
  }
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : null;
  if (kind && (DOCUMENT_KINDS as readonly string[]).includes(kind)) {
    const [doc] = await findDocumentsByNumber(sql, tenantId, ref.slice(colon + 1), [kind]);
    if (doc) return doc;
  } else {
    const docs = await findDocumentsByNumber(sql, tenantId, ref);
    if (docs.length === 1) return docs[0]!;
    if (docs.length > 1) {
      throw notFound('DOCUMENT_AMBIGUOUS', `${ref} is the number of ${docs.map((d) => d.kind).join(' and ')}; name it as KIND:NUMBER, e.g. ${docs[0]!.kind}:${ref}`);
    }
  }
  throw notFound('DOCUMENT_NOT_FOUND', `no document matches ${ref}; give its id, its number, or KIND:NUMBER (invoice:INV-1)`);
}

/** A customer's balance per currency: receivable open items, unapplied credits, and the net. */
export async function customerBalance(ctx: Context, sql: Sql, code: string) {
  const customer = await getCustomer(sql, ctx.tenant.id, code);
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${code}; create it first or check the code`));
  // Today's balance: what is open now, overdue as of the tenant's today (past dates are aging's job, issue 4).
  const today = tenantToday(ctx.tenant, ctx.clock);
  const rows = await sql.query<{ currency: string; side: string; open: bigint; items: bigint; overdue: bigint }>(
    `SELECT i.currency, i.side, sum(b.open_minor)::int8 AS open, count(*)::int8 AS items,
            coalesce(sum(b.open_minor) FILTER (WHERE i.side = 'debit' AND i.due_date < $3), 0)::int8 AS overdue
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
      WHERE b.tenant_id = $1 AND b.customer_id = $2 AND b.open_minor > 0
      GROUP BY i.currency, i.side ORDER BY i.currency`,
    [ctx.tenant.id, customer.id, today],
  );
  const currencies = [...new Set(rows.map((r) => r.currency))];
  return {
    customer: customer.code,
    asOf: today,
    balances: currencies.map((currency) => {
      const debit = rows.find((r) => r.currency === currency && r.side === 'debit');
      const credit = rows.find((r) => r.currency === currency && r.side === 'credit');
      const receivable = debit?.open ?? 0n;
      const unapplied = credit?.open ?? 0n;
      return {
        currency,
        receivable: formatAmount(receivable, currency),
        overdue: formatAmount(debit?.overdue ?? 0n, currency),
        unapplied: formatAmount(unapplied, currency),
        net: formatAmount(receivable - unapplied, currency),
        openItems: Number(debit?.items ?? 0n),
        openCredits: Number(credit?.items ?? 0n),
      };
    }),
  };
}

/**
 * Open balances of a page of customers (at most a list page), per customer and currency: receivable open, unapplied
 * credits and net. One statement over the open-items index for just these customers, so the customer list's keyset
 * paging stays on its own index however many customers and documents the company has.
 */
export async function openBalancesOf(sql: Sql, tenantId: string, customerIds: readonly string[]) {
  const result = new Map<string, { currency: string; receivable: string; unapplied: string; net: string }[]>();
  if (customerIds.length === 0) return result;
  if (customerIds.length > MAX_PAGE_SIZE) throw new Error(`assertion failed: openBalancesOf takes at most ${MAX_PAGE_SIZE} customers at once, got ${customerIds.length}`);
  const rows = await sql.query<{ customerId: string; currency: string; debit: bigint; credit: bigint }>(
    `SELECT b.customer_id AS "customerId", i.currency,
            coalesce(sum(b.open_minor) FILTER (WHERE i.side = 'debit'), 0)::int8 AS debit,
            coalesce(sum(b.open_minor) FILTER (WHERE i.side = 'credit'), 0)::int8 AS credit
       FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
      WHERE b.tenant_id = $1 AND b.customer_id = ANY($2::uuid[]) AND b.open_minor > 0
      GROUP BY b.customer_id, i.currency ORDER BY b.customer_id, i.currency`,
    [tenantId, customerIds],
  );
  for (const r of rows) {
    const list = result.get(r.customerId) ?? [];
    list.push({
      currency: r.currency,
      receivable: formatAmount(r.debit, r.currency),
      unapplied: formatAmount(r.credit, r.currency),
      net: formatAmount(r.debit - r.credit, r.currency),
    });
    result.set(r.customerId, list);
  }
  return result;
}

export const openItemsSchema = z.object({
  customer: z.string().max(64),
  side: z.enum(['debit', 'credit']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  cursor: z.string().max(500).optional(),
});

/** A customer's open items (installments and unapplied credits), oldest due first. */
export async function listOpenItems(ctx: Context, sql: Sql, raw: z.input<typeof openItemsSchema>) {
  const query = parseInput(openItemsSchema, raw, 'open items');
  const customer = await getCustomer(sql, ctx.tenant.id, query.customer, 'customer');
  await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${query.customer}; create it first or check the code`));
  const params: unknown[] = [ctx.tenant.id, customer.id, query.side ?? null];
  let after = '';
  if (query.cursor) {
    const [due, id] = decodeCursor(query.cursor, 2);
    params.push(due, id);
    after = `AND (coalesce(i.due_date, d.document_date), i.id) > ($4::date, $5::uuid)`;
  }
  params.push(query.limit + 1);
  const rows = await sql.query<{ id: string; kind: string; number: string; seq: number; side: string; currency: string; documentDate: string; dueDate: string | null; sortDate: string; amountMinor: bigint; openMinor: bigint; discountDate: string | null; discountAmountMinor: bigint }>(
    `SELECT i.id, d.kind, d.number, i.seq, i.side, i.currency, d.document_date AS "documentDate", i.due_date AS "dueDate",
            coalesce(i.due_date, d.document_date) AS "sortDate", i.amount_minor AS "amountMinor", b.open_minor AS "openMinor",
            i.discount_date AS "discountDate", i.discount_amount_minor AS "discountAmountMinor"
       FROM item_balances b
       JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
      WHERE b.tenant_id = $1 AND b.customer_id = $2 AND b.open_minor > 0 AND ($3::text IS NULL OR i.side = $3) ${after}
      ORDER BY coalesce(i.due_date, d.document_date), i.id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      itemId: r.id, kind: r.kind, number: r.number, installment: r.seq, side: r.side, currency: r.currency,
      documentDate: r.documentDate, dueDate: r.dueDate, amount: formatAmount(r.amountMinor, r.currency),
      open: formatAmount(r.openMinor, r.currency), discountDate: r.discountDate,
      discountAmount: formatAmount(r.discountAmountMinor, r.currency),
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.sortDate, last.id]) : null,
  };
}

export const allocationListSchema = z.object({
  customer: z.string().max(64).optional(),
  from: localDateText.optional(),
  to: localDateText.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(500).optional(),
});

export async function listAllocations(ctx: Context, sql: Sql, raw: z.input<typeof allocationListSchema>) {
  const query = parseInput(allocationListSchema, raw, 'allocation list');
  const where = ['a.tenant_id = $1'];
  const params: unknown[] = [ctx.tenant.id];
  if (query.customer) {
    const customer = await getCustomer(sql, ctx.tenant.id, query.customer, 'customer');
    params.push(customer.id);
    where.push(`a.customer_id = $${params.length}`);
  }
  const scope = customerScope(ctx);
  if (scope) { params.push(scope.handle); where.push(scopeCondition(scope, 'a.customer_id', params.length)); }
  if (query.from) { params.push(query.from); where.push(`a.allocation_date >= $${params.length}`); }
  if (query.to) { params.push(query.to); where.push(`a.allocation_date <= $${params.length}`); }
  if (query.cursor) {
    const [id] = decodeCursor(query.cursor, 1);
    params.push(id);
    where.push(`a.id < $${params.length}::uuid`);
  }
  params.push(query.limit + 1);
  const rows = await sql.query<AllocationRow>(`${ALLOCATION_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT $${params.length}`, params);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((a) => presentAllocation(a, ctx.tenant.currency)),
    nextCursor: rows.length > query.limit ? encodeCursor([page[page.length - 1]!.id]) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

export interface VerifyReport {
  items: number;
  documents: number;
  allocations: number;
  problems: { kind: string; reference: string; message: string }[];
  rebuilt: number;
}

/**
 * Recomputes every item's open amount from its allocations and compares it with the cache; checks that documents
 * equal the sum of their items and that allocations join items of one customer and currency. With `rebuild`, the
 * cached open amounts are set to the ledger's figures (audited). Runs as aggregates in SQL, so it returns only the
 * discrepancies however large the ledger is.
 */
export async function verifyLedger(ctx: Context, rebuild: boolean, options: { pageRows?: number | null } = {}): Promise<VerifyReport> {
  // PGlite runs a query on the process's one thread: the whole-ledger check would stop the server answering for as
  // long as it runs (about 100 s at 1,000,000 invoices), so there it goes in pages with the event loop free between.
  // `pageRows`: the page size, or null for one transaction (the default on PostgreSQL and for a rebuild).
  const pageRows = options.pageRows !== undefined ? options.pageRows : ctx.db.engine === 'pglite' && !rebuild ? VERIFY_PAGE_ROWS : null;
  if (pageRows !== null) {
    if (rebuild) throw new Error('assertion failed: a rebuild runs in one transaction, not in pages');
    return verifyLedgerInPages(ctx, pageRows);
  }
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const t = ctx.tenant.id;
    const [counts] = await sql.query<{ items: bigint; documents: bigint; allocations: bigint }>(
      `SELECT (SELECT count(*) FROM items WHERE tenant_id = $1)::int8 AS items,
              (SELECT count(*) FROM documents WHERE tenant_id = $1)::int8 AS documents,
              (SELECT count(*) FROM allocations WHERE tenant_id = $1)::int8 AS allocations`, [t]);
    const problems: VerifyReport['problems'] = [];
    const balanceDrift = await sql.query<{ itemId: string; number: string; seq: number; currency: string; cached: bigint | null; expected: bigint }>(
      `WITH applied AS (
         SELECT item_id, sum(amount)::int8 AS amount FROM (
           SELECT debit_item_id AS item_id, amount_minor AS amount FROM allocations WHERE tenant_id = $1
           UNION ALL
           SELECT credit_item_id, credit_amount_minor FROM allocations WHERE tenant_id = $1) x
         GROUP BY item_id)
       SELECT i.id AS "itemId", d.number, i.seq, i.currency, b.open_minor AS cached, (i.amount_minor - coalesce(a.amount, 0))::int8 AS expected
         FROM items i
         JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
         LEFT JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
         LEFT JOIN applied a ON a.item_id = i.id
        WHERE i.tenant_id = $1 AND (b.open_minor IS DISTINCT FROM i.amount_minor - coalesce(a.amount, 0))
        LIMIT 10000`, [t]);
    for (const d of balanceDrift) problems.push(balanceProblem(d));
    const docDrift = await sql.query<{ number: string; kind: string; amount: bigint; items: bigint }>(
      `SELECT d.number, d.kind, d.amount_minor AS amount, coalesce(sum(i.amount_minor), 0)::int8 AS items
         FROM documents d LEFT JOIN items i ON i.tenant_id = d.tenant_id AND i.document_id = d.id
        WHERE d.tenant_id = $1 GROUP BY d.tenant_id, d.id HAVING d.amount_minor <> coalesce(sum(i.amount_minor), 0) LIMIT 1000`, [t]);
    for (const d of docDrift) problems.push(documentProblem(d));
    const mixed = await sql.query<AllocationCheckRow>(
      `SELECT * FROM (SELECT a.id, ${ALLOCATION_CHECKS}
         FROM allocations a
         JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
         JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
        WHERE a.tenant_id = $1) x WHERE x.joins OR x."fxExpected" IS DISTINCT FROM x."fxRecorded" LIMIT 1000`, [t, ctx.tenant.currency]);
    for (const m of mixed) problems.push(allocationProblem(m, ctx.tenant.currency));
    let rebuilt = 0;
    if (rebuild) {
      const fixable = balanceDrift.filter((d) => d.expected >= 0n);
      const missing = fixable.filter((d) => d.cached === null);
      if (missing.length) {
        await sql.query(
          `INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
           SELECT i.tenant_id, i.id, i.customer_id, i.amount_minor, x.open, i.side, i.currency, d.document_date, coalesce(i.due_date, d.due_date, d.document_date), d.kind
             FROM unnest($2::uuid[], $3::int8[]) AS x(id, open)
             JOIN items i ON i.tenant_id = $1 AND i.id = x.id JOIN documents d ON d.tenant_id = $1 AND d.id = i.document_id`,
          [t, missing.map((d) => d.itemId), missing.map((d) => d.expected)]);
      }
      const stale = fixable.filter((d) => d.cached !== null);
      if (stale.length) {
        await sql.query(
          `UPDATE item_balances b SET open_minor = x.open FROM unnest($2::uuid[], $3::int8[]) AS x(id, open) WHERE b.tenant_id = $1 AND b.item_id = x.id`,
          [t, stale.map((d) => d.itemId), stale.map((d) => d.expected)]);
      }
      rebuilt = fixable.length;
      if (rebuilt) {
        await appendAudit(sql, t, { actor: ctx.actor, action: 'ledger.rebuild', entityType: 'ledger', entityId: null, after: { rebuilt, items: fixable.map((d) => ({ item: d.itemId, from: d.cached, to: d.expected })) } });
      }
    }
    return { items: Number(counts!.items), documents: Number(counts!.documents), allocations: Number(counts!.allocations), problems, rebuilt };
  });
}

/** Rows (items, documents or allocations) per page of the paged check: 80-120 ms of PGlite's time each on a busy machine (2,000 took up to 640 ms). */
export const VERIFY_PAGE_ROWS = 500;

/**
 * verifyLedger's check in pages of ids, each page its own short transaction, the event loop free between them: the
 * same problems with the same messages. Each item's balance is compared with its own allocations inside one page, so
 * a posting committed between pages cannot make a problem appear that is not there (its document, items, balances
 * and allocations are written in one transaction, and each page sees either all or none of it).
 */
async function verifyLedgerInPages(ctx: Context, pageRows: number): Promise<VerifyReport> {
  if (!Number.isInteger(pageRows) || pageRows < 1) throw new Error(`assertion failed: page of ${pageRows} rows`);
  const t = ctx.tenant.id;
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
  const [counts] = await ctx.db.tenant(t, (sql) => sql.query<{ items: bigint; documents: bigint; allocations: bigint }>(
    `SELECT (SELECT count(*) FROM items WHERE tenant_id = $1)::int8 AS items,
            (SELECT count(*) FROM documents WHERE tenant_id = $1)::int8 AS documents,
            (SELECT count(*) FROM allocations WHERE tenant_id = $1)::int8 AS allocations`, [t]));
  const problems: VerifyReport['problems'] = [];
  /** Runs `check` over the ids of `table` in pages (id > after AND id <= upto), until the ids or the `limit` run out. */
  const inPages = async <R>(table: 'items' | 'documents' | 'allocations', limit: number, check: (sql: Sql, after: string, upto: string, left: number) => Promise<R[]>, report: (row: R) => void) => {
    let after = '00000000-0000-0000-0000-000000000000';
    let found = 0;
    while (found < limit) {
      const page = await ctx.db.tenant(t, async (sql) => {
        const [bound] = await sql.query<{ upto: string | null }>(
          `SELECT id AS upto FROM (SELECT id FROM ${table} WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3) p ORDER BY id DESC LIMIT 1`, [t, after, pageRows]);
        return bound?.upto ? { upto: bound.upto, rows: await check(sql, after, bound.upto, limit - found) } : null;
      });
      if (!page) break;
      for (const row of page.rows) report(row);
      found += page.rows.length;
      after = page.upto;
      await pause();
    }
  };
  await inPages('items', 10000, (sql, after, upto, left) => sql.query<{ itemId: string; number: string; seq: number; currency: string; cached: bigint | null; expected: bigint }>(
    `WITH applied AS (
       SELECT item_id, sum(amount)::int8 AS amount FROM (
         SELECT debit_item_id AS item_id, amount_minor AS amount FROM allocations WHERE tenant_id = $1 AND debit_item_id > $2 AND debit_item_id <= $3
         UNION ALL
         SELECT credit_item_id, credit_amount_minor FROM allocations WHERE tenant_id = $1 AND credit_item_id > $2 AND credit_item_id <= $3) x
       GROUP BY item_id)
     SELECT i.id AS "itemId", (SELECT d.number FROM documents d WHERE d.tenant_id = i.tenant_id AND d.id = i.document_id) AS number,
            i.seq, i.currency, b.open_minor AS cached, (i.amount_minor - coalesce(a.amount, 0))::int8 AS expected
       FROM items i
       LEFT JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id AND b.item_id > $2 AND b.item_id <= $3
       LEFT JOIN applied a ON a.item_id = i.id
      WHERE i.tenant_id = $1 AND i.id > $2 AND i.id <= $3 AND (b.open_minor IS DISTINCT FROM i.amount_minor - coalesce(a.amount, 0))
      LIMIT $4`, [t, after, upto, left]), (d) => problems.push(balanceProblem(d)));
  await inPages('documents', 1000, (sql, after, upto, left) => sql.query<{ number: string; kind: string; amount: bigint; items: bigint }>(
    `SELECT d.number, d.kind, d.amount_minor AS amount, coalesce(sum(i.amount_minor), 0)::int8 AS items
       FROM documents d LEFT JOIN items i ON i.tenant_id = d.tenant_id AND i.document_id = d.id AND i.document_id > $2 AND i.document_id <= $3
      WHERE d.tenant_id = $1 AND d.id > $2 AND d.id <= $3 GROUP BY d.tenant_id, d.id HAVING d.amount_minor <> coalesce(sum(i.amount_minor), 0) LIMIT $4`,
    [t, after, upto, left]), (d) => problems.push(documentProblem(d)));
  await inPages('allocations', 1000, (sql, after, upto, left) => sql.query<AllocationCheckRow>(
    `SELECT * FROM (SELECT a.id, ${ALLOCATION_CHECKS.replaceAll('$2', '$5')}
       FROM allocations a
       JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
       JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
      WHERE a.tenant_id = $1 AND a.id > $2 AND a.id <= $3) x WHERE x.joins OR x."fxExpected" IS DISTINCT FROM x."fxRecorded" LIMIT $4`,
    [t, after, upto, left, ctx.tenant.currency]), (m) => problems.push(allocationProblem(m, ctx.tenant.currency)));
  return { items: Number(counts!.items), documents: Number(counts!.documents), allocations: Number(counts!.allocations), problems, rebuilt: 0 };
}

function balanceProblem(d: { number: string; seq: number; currency: string; cached: bigint | null; expected: bigint }): VerifyReport['problems'][number] {
  const bad = d.expected < 0n ? ' (the ledger itself is over-applied)' : '';
  const cached = d.cached === null ? 'missing' : `${formatAmount(d.cached, d.currency)} ${d.currency}`;
  return { kind: 'balance', reference: `${d.number}#${d.seq}`, message: `cached open amount ${cached}, the ledger says ${formatAmount(d.expected, d.currency)} ${d.currency}${bad}` };
}

function documentProblem(d: { number: string; kind: string; amount: bigint; items: bigint }): VerifyReport['problems'][number] {
  return { kind: 'document', reference: `${d.kind}:${d.number}`, message: `amount ${d.amount} but items add up to ${d.items}` };
}

/** A currency's minor-unit scale in SQL (ISO 4217: 2 unless listed otherwise), for `column`. */
const scaleSql = (column: string) => `(CASE ${column} ${Object.entries(SCALE_EXCEPTIONS).map(([c, n]) => `WHEN '${c}' THEN ${n}`).join(' ')} ELSE 2 END)`;

/** An amount of `currency` at `rate` in the functional currency ($2), rounded half away from zero (SQL's round of a numeric), as convertAmount does. */
const functionalSql = (amount: string, rate: string, currency: string) => `round(${amount} * ${rate} * power(10::numeric, ${scaleSql('$2')} - ${scaleSql(currency)}))`;

/**
 * The checks of an allocation row (a, its items ci and di): `joins` when it joins items of the wrong sides or of two
 * customers, or unequal amounts within one currency; across currencies, the FX gain the documents' own rates make
 * (the credit's amount at its rate less the debit's at its rate, each rounded once: docs/decisions.md, "Foreign-
 * currency payments") and the one recorded, read only for those rows (CASE: the documents are not joined for others).
 */
const ALLOCATION_CHECKS = `(ci.side <> 'credit' OR di.side <> 'debit' OR ci.customer_id <> di.customer_id
         OR (ci.currency = di.currency AND a.amount_minor <> a.credit_amount_minor)) AS joins,
       CASE WHEN ci.currency <> di.currency THEN a.fx_gain_minor END AS "fxRecorded",
       CASE WHEN ci.currency <> di.currency THEN (
         SELECT (${functionalSql('a.credit_amount_minor', 'cd.fx_rate', 'ci.currency')} - ${functionalSql('a.amount_minor', 'dd.fx_rate', 'di.currency')})::int8
           FROM documents cd, documents dd WHERE cd.tenant_id = a.tenant_id AND cd.id = ci.document_id AND dd.tenant_id = a.tenant_id AND dd.id = di.document_id) END AS "fxExpected"`;

interface AllocationCheckRow { id: string; joins: boolean; fxRecorded: bigint | null; fxExpected: bigint | null }

function allocationProblem(m: AllocationCheckRow, functional: string): VerifyReport['problems'][number] {
  if (m.joins) return { kind: 'allocation', reference: m.id, message: 'joins items of different sides, customers or unequal amounts' };
  return {
    kind: 'allocation', reference: m.id,
    message: `across currencies: FX gain ${formatAmount(m.fxRecorded ?? 0n, functional)} ${functional} recorded, the documents' rates make ${formatAmount(m.fxExpected ?? 0n, functional)} ${functional}`,
  };
}

