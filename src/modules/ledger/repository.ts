/** The ledger's SQL. Posted rows are only ever inserted; item_balances is the one cache, updated beside them. */
import type { Preload, Sql } from '../../db/database.ts';
import type { DocumentKind, Side } from '../../domain/ledger.ts';
import type { LocalDate } from '../../domain/dates.ts';

export interface DocumentRow {
  id: string;
  kind: DocumentKind;
  side: Side;
  number: string;
  customerId: string;
  customerCode: string;
  customerName: string;
  documentDate: LocalDate;
  postingDate: LocalDate;
  dueDate: LocalDate | null;
  currency: string;
  amountMinor: bigint;
  fxRate: string;
  functionalAmountMinor: bigint;
  termsCode: string | null;
  relatedDocumentId: string | null;
  reversesDocumentId: string | null;
  reversedById: string | null;
  verifiedOn: LocalDate | null;
  reason: string | null;
  memo: string | null;
  sourceSystem: string;
  externalId: string | null;
  payloadHash: string;
  openMinor: bigint;
  createdAt: string;
  createdBy: string;
}

export const DOCUMENT_SELECT = `
  SELECT d.id, d.kind, d.side, d.number, d.customer_id AS "customerId", c.code AS "customerCode", c.name AS "customerName",
         d.document_date AS "documentDate", d.posting_date AS "postingDate", d.due_date AS "dueDate", d.currency,
         d.amount_minor AS "amountMinor", d.fx_rate AS "fxRate", d.functional_amount_minor AS "functionalAmountMinor",
         t.code AS "termsCode", d.related_document_id AS "relatedDocumentId", d.reverses_document_id AS "reversesDocumentId",
         r.id AS "reversedById", v.event_date AS "verifiedOn", d.reason, d.memo, d.source_system AS "sourceSystem",
         d.external_id AS "externalId", d.payload_hash AS "payloadHash", d.created_at AS "createdAt", d.created_by AS "createdBy",
         (SELECT coalesce(sum(b.open_minor), 0)::int8 FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
           WHERE i.tenant_id = d.tenant_id AND i.document_id = d.id) AS "openMinor"
    FROM documents d
    JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
    LEFT JOIN payment_terms t ON t.tenant_id = d.tenant_id AND t.id = d.terms_id
    LEFT JOIN documents r ON r.tenant_id = d.tenant_id AND r.reverses_document_id = d.id
    LEFT JOIN document_events v ON v.tenant_id = d.tenant_id AND v.document_id = d.id AND v.event = 'verified'`;

export async function findDocumentById(sql: Sql, tenantId: string, id: string): Promise<DocumentRow | null> {
  const [row] = await sql.query<DocumentRow>(`${DOCUMENT_SELECT} WHERE d.tenant_id = $1 AND d.id = $2`, [tenantId, id]);
  return row ?? null;
}

export async function findDocumentsByNumber(sql: Sql, tenantId: string, number: string, kinds?: readonly string[]): Promise<DocumentRow[]> {
  return sql.query<DocumentRow>(
    `${DOCUMENT_SELECT} WHERE d.tenant_id = $1 AND d.number = $2 AND ($3::text[] IS NULL OR d.kind = ANY($3)) ORDER BY d.kind`,
    [tenantId, number, kinds ?? null],
  );
}

/** The id of the document of `kind` numbered `number`, or null: a cheap existence check, before the full row is needed. */
export async function findDocumentIdByNumber(sql: Sql, tenantId: string, kind: string, number: string): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(`SELECT id FROM documents WHERE tenant_id = $1 AND kind = $2 AND number = $3`, [tenantId, kind, number]);
  return row?.id ?? null;
}

/** findDocumentIdByNumber's read, as a preload (Database.tenant). */
export function findDocumentIdPreload(tenantId: string, kind: string, number: string): Preload {
  return { text: `SELECT id FROM documents WHERE tenant_id = $1 AND kind = $2 AND number = $3`, values: [tenantId, kind, number] };
}

export interface ItemRow {
  id: string;
  documentId: string;
  customerId: string;
  seq: number;
  side: Side;
  currency: string;
  amountMinor: bigint;
  openMinor: bigint;
  dueDate: LocalDate | null;
  discountDate: LocalDate | null;
  discountAmountMinor: bigint;
  documentNumber: string;
  documentKind: DocumentKind;
  documentDate: LocalDate;
  fxRate: string;
}

const ITEM_SELECT = `
  SELECT i.id, i.document_id AS "documentId", i.customer_id AS "customerId", i.seq, i.side, i.currency,
         i.amount_minor AS "amountMinor", b.open_minor AS "openMinor", i.due_date AS "dueDate",
         i.discount_date AS "discountDate", i.discount_amount_minor AS "discountAmountMinor", d.number AS "documentNumber",
         d.kind AS "documentKind", d.document_date AS "documentDate", d.fx_rate AS "fxRate"
    FROM items i
    JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
    JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id`;

export async function itemsOfDocument(sql: Sql, tenantId: string, documentId: string, lock = false): Promise<ItemRow[]> {
  return sql.query<ItemRow>(
    `${ITEM_SELECT} WHERE i.tenant_id = $1 AND i.document_id = $2 ORDER BY i.id ${lock ? 'FOR UPDATE OF b' : ''}`,
    [tenantId, documentId],
  );
}

/** Debit items of the named documents for one customer, locked in id order (the lock order everywhere: credits, then debits, each by id). */
export async function lockDebitItemsByNumbers(sql: Sql, tenantId: string, customerId: string, numbers: readonly string[]): Promise<ItemRow[]> {
  // One number (a payment posted for one invoice, the usual case) gets its own statement: with `= ANY` the server
  // cannot know the list's length in a cached plan, so it would plan the prepared statement anew every time.
  const single = numbers.length === 1;
  return sql.query<ItemRow>(
    `${ITEM_SELECT} WHERE i.tenant_id = $1 AND i.customer_id = $2 AND d.number = ${single ? '$3' : 'ANY($3)'} AND i.side = 'debit' AND d.kind <> 'reversal'
      ORDER BY i.id FOR UPDATE OF b`,
    [tenantId, customerId, single ? numbers[0] : numbers],
  );
}

/**
 * lockDebitItemsByNumbers's read with the customer given by code, as a preload (Database.tenant): the same rows,
 * locked in the same order.
 */
export function lockDebitItemsPreload(tenantId: string, customerCode: string, numbers: readonly string[]): Preload {
  const single = numbers.length === 1;
  return {
    text: `${ITEM_SELECT} WHERE i.tenant_id = $1 AND i.customer_id = (SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.code = $2)
              AND d.number = ${single ? '$3' : 'ANY($3::text[])'} AND i.side = 'debit' AND d.kind <> 'reversal'
            ORDER BY i.id FOR UPDATE OF b`,
    values: [tenantId, customerCode, single ? numbers[0]! : arrayLiteral(numbers)],
  };
}

export async function lockItems(sql: Sql, tenantId: string, itemIds: readonly string[]): Promise<ItemRow[]> {
  return sql.query<ItemRow>(`${ITEM_SELECT} WHERE i.tenant_id = $1 AND i.id = ANY($2) ORDER BY i.id FOR UPDATE OF b`, [tenantId, itemIds]);
}

export interface NewDocument {
  id: string;
  kind: DocumentKind;
  side: Side;
  number: string;
  customerId: string;
  documentDate: LocalDate;
  postingDate: LocalDate;
  dueDate: LocalDate | null;
  currency: string;
  amountMinor: bigint;
  fxRate: string;
  functionalAmountMinor: bigint;
  termsId: string | null;
  relatedDocumentId: string | null;
  reversesDocumentId: string | null;
  reason: string | null;
  memo: string | null;
  sourceSystem: string;
  externalId: string | null;
  payloadHash: string;
  createdBy: string;
}

export interface NewItem {
  id: string;
  documentId: string;
  customerId: string;
  seq: number;
  side: Side;
  currency: string;
  amountMinor: bigint;
  dueDate: LocalDate | null;
  discountDate: LocalDate | null;
  discountAmountMinor: bigint;
}

/**
 * A column of values as one PostgreSQL array literal ('{"a","b",NULL}'), passed as a single text parameter and cast
 * in SQL ($2::uuid[]). Building the literal here costs a fraction of the driver's generic array serialisation, which
 * matters at a million rows; both engines parse it the same way. Every value is quoted, so no content can break it.
 */
function arrayLiteral(values: readonly (string | bigint | number | boolean | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'string') out += /["\\]/.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : `"${v}"`;
    else if (typeof v === 'boolean') out += v ? 't' : 'f';
    else out += String(v);
  }
  return out + '}';
}

const col = <T, K extends keyof T>(rows: readonly T[], key: K) => arrayLiteral(rows.map((r) => r[key] as string | bigint | number | boolean | null));

/**
 * Inserts documents with their items and balances in one statement, whatever the count: the bulk path of the
 * importer and the single path of the API are the same code. Documents whose (kind, number) or external id already
 * exists are skipped (ON CONFLICT DO NOTHING) together with their items. Returns the documents actually inserted,
 * each with its created_at (the transaction's time, as the database writes it).
 */
export async function insertDocuments(sql: Sql, tenantId: string, docs: readonly NewDocument[], items: readonly NewItem[]): Promise<Map<string, string>> {
  if (docs.length === 0) return new Map();
  // Data-modifying CTEs all run to completion; the foreign keys from items to documents and from balances to items
  // are checked at the end of the statement, when the rows they point to are in.
  const inserted = await sql.query<{ id: string; createdAt: string }>(
    `WITH new_documents AS (
       INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date, currency,
                              amount_minor, fx_rate, functional_amount_minor, terms_id, related_document_id,
                              reverses_document_id, reason, memo, source_system, external_id, payload_hash, created_by)
       SELECT $1::uuid, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::date[], $8::date[], $9::date[],
                                $10::text[], $11::int8[], $12::numeric[], $13::int8[], $14::uuid[], $15::uuid[], $16::uuid[],
                                $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])
       ON CONFLICT DO NOTHING RETURNING id, created_at, document_date, due_date, kind),
     new_items AS (
       INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date,
                          discount_date, discount_amount_minor)
       SELECT $1::uuid, x.* FROM unnest($23::uuid[], $24::uuid[], $25::uuid[], $26::int2[], $27::text[], $28::text[], $29::int8[],
                                        $30::date[], $31::date[], $32::int8[])
                AS x(id, document_id, customer_id, seq, side, currency, amount_minor, due_date, discount_date, discount_amount_minor)
        WHERE x.document_id IN (SELECT id FROM new_documents)
       RETURNING id, document_id, customer_id, amount_minor, side, currency, due_date),
     new_balances AS (
       INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
       SELECT $1::uuid, ni.id, ni.customer_id, ni.amount_minor, ni.amount_minor, ni.side, ni.currency, nd.document_date,
              coalesce(ni.due_date, nd.due_date, nd.document_date), nd.kind
         FROM new_items ni JOIN new_documents nd ON nd.id = ni.document_id)
     SELECT id, created_at AS "createdAt" FROM new_documents`,
    [tenantId, col(docs, 'id'), col(docs, 'kind'), col(docs, 'side'), col(docs, 'number'), col(docs, 'customerId'),
      col(docs, 'documentDate'), col(docs, 'postingDate'), col(docs, 'dueDate'), col(docs, 'currency'),
      col(docs, 'amountMinor'), col(docs, 'fxRate'), col(docs, 'functionalAmountMinor'), col(docs, 'termsId'),
      col(docs, 'relatedDocumentId'), col(docs, 'reversesDocumentId'), col(docs, 'reason'), col(docs, 'memo'),
      col(docs, 'sourceSystem'), col(docs, 'externalId'), col(docs, 'payloadHash'), col(docs, 'createdBy'),
      col(items, 'id'), col(items, 'documentId'), col(items, 'customerId'), col(items, 'seq'),
      col(items, 'side'), col(items, 'currency'), col(items, 'amountMinor'), col(items, 'dueDate'),
      col(items, 'discountDate'), col(items, 'discountAmountMinor')],
  );
  return new Map(inserted.map((r) => [r.id, r.createdAt]));
}

/**
 * A posting's usual case in one statement: one document with one item (a payment, credit note or advance) applied to
 * one item of another document. Its balance is written already net of the allocation, so the new balance row is
 * never updated (no second row version, index entries or foreign-key check for it), and the insert, the allocation
 * and the other item's balance go in one round trip instead of two. As with insertDocuments, a document whose number
 * or external id exists already is skipped, and then so is everything else: nothing is allocated. Returns the
 * document's created_at when it was inserted.
 */
export async function insertDocumentApplied(sql: Sql, tenantId: string, doc: NewDocument, item: NewItem, allocation: NewAllocation): Promise<string | null> {
  if (allocation.creditItemId !== item.id || allocation.debitItemId === item.id || item.documentId !== doc.id) {
    throw new Error('assertion failed: insertDocumentApplied applies the new item (the credit) to an item of another document');
  }
  const [row] = await sql.query<{ createdAt: string }>(
    `WITH new_document AS (
       INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date, currency,
                              amount_minor, fx_rate, functional_amount_minor, terms_id, related_document_id,
                              reverses_document_id, reason, memo, source_system, external_id, payload_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       ON CONFLICT DO NOTHING RETURNING id, created_at),
     new_item AS (
       INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date,
                          discount_date, discount_amount_minor)
       SELECT $1::uuid, $23::uuid, id, $6::uuid, $24::int2, $4::text, $10::text, $25::int8, $26::date, $27::date, $28::int8 FROM new_document
       RETURNING id),
     new_balance AS (
       INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
       SELECT $1::uuid, id, $6::uuid, $25::int8, $25::int8 - $33::int8, $4::text, $10::text, $7::date, coalesce($26::date, $9::date, $7::date), $3::text
         FROM new_item),
     new_allocation AS (
       INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor,
                                credit_amount_minor, fx_gain_minor, allocation_date, reverses_allocation_id, reason, created_by)
       SELECT $1::uuid, $29::uuid, $30::uuid, id, $31::uuid, $32::uuid, $34::int8, $33::int8, $35::int8, $36::date, $37::uuid, $38::text, $39::text
         FROM new_item),
     debit_balance AS (
       UPDATE item_balances b SET open_minor = b.open_minor - $34::int8
         FROM new_document WHERE b.tenant_id = $1 AND b.item_id = $31::uuid)
     SELECT created_at AS "createdAt" FROM new_document`,
    [tenantId, doc.id, doc.kind, doc.side, doc.number, doc.customerId, doc.documentDate, doc.postingDate, doc.dueDate, doc.currency,
      doc.amountMinor, doc.fxRate, doc.functionalAmountMinor, doc.termsId, doc.relatedDocumentId, doc.reversesDocumentId,
      doc.reason, doc.memo, doc.sourceSystem, doc.externalId, doc.payloadHash, doc.createdBy,
      item.id, item.seq, item.amountMinor, item.dueDate, item.discountDate, item.discountAmountMinor,
      allocation.id, allocation.batchId, allocation.debitItemId, allocation.customerId, allocation.creditAmountMinor,
      allocation.amountMinor, allocation.fxGainMinor, allocation.allocationDate, allocation.reversesAllocationId,
      allocation.reason, allocation.createdBy],
  );
  return row?.createdAt ?? null;
}

export interface NewAllocation {
  id: string;
  batchId: string;
  creditItemId: string;
  debitItemId: string;
  customerId: string;
  amountMinor: bigint;
  creditAmountMinor: bigint;
  fxGainMinor: bigint;
  allocationDate: LocalDate;
  reversesAllocationId: string | null;
  reason: string | null;
  createdBy: string;
}

/**
 * Inserts allocations and moves the open amounts of both sides. The balance table's check constraint
 * (0 <= open <= amount) is the last line of defence: an over-application fails the whole transaction.
 */
export async function insertAllocations(sql: Sql, tenantId: string, rows: readonly NewAllocation[]): Promise<void> {
  if (rows.length === 0) return;
  // One item may appear in several rows: sum per item first.
  const delta = new Map<string, bigint>();
  for (const r of rows) {
    delta.set(r.debitItemId, (delta.get(r.debitItemId) ?? 0n) + r.amountMinor);
    delta.set(r.creditItemId, (delta.get(r.creditItemId) ?? 0n) + r.creditAmountMinor);
  }
  if (rows.length === 1 && delta.size === 2) {
    // One allocation (a payment posted for one invoice, the usual case through the API) gets a statement without
    // arrays: the server cannot know an array's length in a cached plan, so it would plan the statement every time.
    const r = rows[0]!;
    const [[firstItemId, firstDelta], [secondItemId, secondDelta]] = [...delta] as [[string, bigint], [string, bigint]];
    await sql.query(
      `WITH new_allocation AS (
         INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor,
                                  credit_amount_minor, fx_gain_minor, allocation_date, reverses_allocation_id, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13))
       UPDATE item_balances b SET open_minor = b.open_minor - d.delta
         FROM (VALUES ($14::uuid, $15::int8), ($16::uuid, $17::int8)) AS d(item_id, delta)
        WHERE b.tenant_id = $1 AND b.item_id = d.item_id`,
      [tenantId, r.id, r.batchId, r.creditItemId, r.debitItemId, r.customerId, r.amountMinor, r.creditAmountMinor, r.fxGainMinor,
        r.allocationDate, r.reversesAllocationId, r.reason, r.createdBy, firstItemId, firstDelta, secondItemId, secondDelta],
    );
    return;
  }
  // One statement: the insert runs as a CTE beside the balance update (they touch different tables). The `= ANY`
  // makes the balances an index lookup by primary key whatever the planner believes about the table's size.
  await sql.query(
    `WITH new_allocations AS (
       INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor,
                                credit_amount_minor, fx_gain_minor, allocation_date, reverses_allocation_id, reason, created_by)
       SELECT $1::uuid, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::int8[], $8::int8[], $9::int8[],
                                $10::date[], $11::uuid[], $12::text[], $13::text[]))
     UPDATE item_balances b SET open_minor = b.open_minor - d.delta
       FROM unnest($14::uuid[], $15::int8[]) AS d(item_id, delta)
      WHERE b.tenant_id = $1 AND b.item_id = ANY($14::uuid[]) AND b.item_id = d.item_id`,
    [tenantId, col(rows, 'id'), col(rows, 'batchId'), col(rows, 'creditItemId'), col(rows, 'debitItemId'), col(rows, 'customerId'),
      col(rows, 'amountMinor'), col(rows, 'creditAmountMinor'), col(rows, 'fxGainMinor'), col(rows, 'allocationDate'),
      col(rows, 'reversesAllocationId'), col(rows, 'reason'), col(rows, 'createdBy'),
      arrayLiteral([...delta.keys()]), arrayLiteral([...delta.values()])],
  );
}

export interface AllocationRow {
  id: string;
  batchId: string;
  customerId: string;
  creditItemId: string;
  debitItemId: string;
  creditDocumentId: string;
  creditDocumentKind: DocumentKind;
  creditDocumentNumber: string;
  debitDocumentId: string;
  debitDocumentKind: DocumentKind;
  debitDocumentNumber: string;
  debitSeq: number;
  currency: string;
  creditCurrency: string;
  amountMinor: bigint;
  creditAmountMinor: bigint;
  fxGainMinor: bigint;
  allocationDate: LocalDate;
  reversesAllocationId: string | null;
  reversedById: string | null;
  reason: string | null;
  createdAt: string;
  createdBy: string;
}

export const ALLOCATION_SELECT = `
  SELECT a.id, a.batch_id AS "batchId", a.customer_id AS "customerId", a.credit_item_id AS "creditItemId", a.debit_item_id AS "debitItemId",
         cd.id AS "creditDocumentId", cd.kind AS "creditDocumentKind", cd.number AS "creditDocumentNumber",
         dd.id AS "debitDocumentId", dd.kind AS "debitDocumentKind", dd.number AS "debitDocumentNumber", di.seq AS "debitSeq",
         di.currency, ci.currency AS "creditCurrency", a.amount_minor AS "amountMinor",
         a.credit_amount_minor AS "creditAmountMinor", a.fx_gain_minor AS "fxGainMinor", a.allocation_date AS "allocationDate",
         a.reverses_allocation_id AS "reversesAllocationId", r.id AS "reversedById", a.reason, a.created_at AS "createdAt",
         a.created_by AS "createdBy"
    FROM allocations a
    JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id
    JOIN documents cd ON cd.tenant_id = a.tenant_id AND cd.id = ci.document_id
    JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id
    JOIN documents dd ON dd.tenant_id = a.tenant_id AND dd.id = di.document_id
    LEFT JOIN allocations r ON r.tenant_id = a.tenant_id AND r.reverses_allocation_id = a.id`;

/** Ids of allocations touching document $2's items, through the credit and debit indexes (an OR would scan). */
const OF_DOCUMENT = `
  SELECT x.id FROM items i JOIN allocations x ON x.tenant_id = i.tenant_id AND x.credit_item_id = i.id WHERE i.tenant_id = $1 AND i.document_id = $2
  UNION ALL
  SELECT x.id FROM items i JOIN allocations x ON x.tenant_id = i.tenant_id AND x.debit_item_id = i.id WHERE i.tenant_id = $1 AND i.document_id = $2`;

export async function allocationsOfDocument(sql: Sql, tenantId: string, documentId: string): Promise<AllocationRow[]> {
  return sql.query<AllocationRow>(
    `${ALLOCATION_SELECT} WHERE a.tenant_id = $1 AND a.id IN (${OF_DOCUMENT}) ORDER BY a.created_at, a.id`,
    [tenantId, documentId],
  );
}

export async function findAllocation(sql: Sql, tenantId: string, id: string): Promise<AllocationRow | null> {
  const [row] = await sql.query<AllocationRow>(`${ALLOCATION_SELECT} WHERE a.tenant_id = $1 AND a.id = $2`, [tenantId, id]);
  return row ?? null;
}

/** Live allocations touching a document's items: not reversals themselves and not yet reversed. */
export async function liveAllocationsOfDocument(sql: Sql, tenantId: string, documentId: string): Promise<AllocationRow[]> {
  return sql.query<AllocationRow>(
    `${ALLOCATION_SELECT} WHERE a.tenant_id = $1 AND a.id IN (${OF_DOCUMENT}) AND a.reverses_allocation_id IS NULL AND r.id IS NULL
      ORDER BY a.id`,
    [tenantId, documentId],
  );
}

export async function nextNumber(sql: Sql, tenantId: string, kind: DocumentKind): Promise<bigint> {
  const [row] = await sql.query<{ value: bigint }>(
    `INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, $2, 2)
     ON CONFLICT (tenant_id, kind) DO UPDATE SET next_value = number_sequences.next_value + 1
     RETURNING next_value - 1 AS value`,
    [tenantId, kind],
  );
  return row!.value;
}
