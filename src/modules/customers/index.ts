/**
 * Customers: master data with contacts, group parent, credit limit and default terms. Unlike ledger rows, customer
 * records may change; every change is audited with before and after.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Preload, Sql } from '../../db/database.ts';
import { AppError, conflict, invalid, notFound, type ErrorDetail } from '../../domain/errors.ts';
import { checkCurrency, formatAmount, parseAmount } from '../../domain/money.ts';
import { taxIdProblem } from '../../domain/tax-id.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { payloadHash } from '../hash.ts';
import { codeSchema } from '../tenants/index.ts';
import { getTerms, loadTermsMaps } from '../terms/index.ts';
import { amountText, parseInput } from '../validate.ts';

export const CUSTOMER_STATUSES = ['active', 'on_hold', 'inactive'] as const;
export const CHANNELS = ['email', 'sms', 'phone', 'letter'] as const;

const optionalText = (max: number) => z.string().trim().max(max).optional().transform((v) => (v === '' ? undefined : v));
/** A postal address as printed on letters and statements: up to 5 lines, 300 characters. */
const addressLines = z.string().trim().max(300)
  .refine((v) => v.split(/\r?\n/).length <= 5, 'write the postal address on at most 5 lines')
  .transform((v) => v.replace(/\r\n/g, '\n'));
const addressText = addressLines.optional().transform((v) => (v === '' ? undefined : v));

export const contactSchema = z.object({
  name: z.string().trim().min(1).max(200),
  role: optionalText(100),
  email: z.string().trim().max(254).email('write an email address like name@example.com').optional(),
  phone: z.string().trim().max(40).regex(/^\+?[0-9 ()-]{3,40}$/, 'write a phone number with digits, spaces, dashes and an optional leading +').optional(),
  preferredChannel: z.enum(CHANNELS).default('email'),
  language: z.enum(['zh-CN', 'en']).default('zh-CN'),
  isPrimary: z.boolean().default(false),
});

export const customerSchema = z.object({
  code: codeSchema,
  name: z.string().trim().min(1).max(200),
  taxId: optionalText(40),
  /** The postal address, as printed on statements, confirmations and reminder letters. */
  address: addressText,
  parentCode: codeSchema.optional(),
  segment: optionalText(100),
  region: optionalText(100),
  industry: optionalText(100),
  salesperson: optionalText(100),
  collector: optionalText(100),
  currency: z.string().length(3).transform((c) => c.toUpperCase()).optional(),
  paymentTerms: codeSchema.optional(),
  creditLimit: amountText.optional(),
  status: z.enum(CUSTOMER_STATUSES).default('active'),
  contacts: z.array(contactSchema).max(50).default([]),
});
export type CustomerInput = z.input<typeof customerSchema>;
type CustomerFields = z.output<typeof customerSchema>;

/** In a change, an empty text ("") clears the field; a field left out keeps its value. */
const clearableText = (max: number) => z.string().trim().max(max).optional();

export const customerPatchSchema = customerSchema.omit({ code: true }).partial().extend({
  taxId: clearableText(40),
  address: addressLines.optional(),
  parentCode: codeSchema.or(z.literal('')).optional(),
  segment: clearableText(100),
  region: clearableText(100),
  industry: clearableText(100),
  salesperson: clearableText(100),
  collector: clearableText(100),
  // Without these, partial() would still fill in the defaults: every change would reset the status and drop the contacts.
  status: z.enum(CUSTOMER_STATUSES).optional(),
  contacts: z.array(contactSchema).max(50).optional(),
  /** The version the change was made against; a newer stored version is a conflict (someone else changed it). */
  version: z.number().int().positive().optional(),
});
export type CustomerPatch = z.input<typeof customerPatchSchema>;

export interface Customer {
  id: string;
  code: string;
  name: string;
  taxId: string | null;
  address: string | null;
  parentId: string | null;
  parentCode: string | null;
  segment: string | null;
  region: string | null;
  industry: string | null;
  salesperson: string | null;
  collector: string | null;
  currency: string;
  termsId: string | null;
  termsCode: string | null;
  creditLimitMinor: bigint | null;
  status: (typeof CUSTOMER_STATUSES)[number];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Contact extends z.output<typeof contactSchema> {
  id: string;
}

const CUSTOMER_SELECT = `
  SELECT c.id, c.code, c.name, c.tax_id AS "taxId", c.address, c.parent_id AS "parentId", p.code AS "parentCode", c.segment,
         c.region, c.industry, c.salesperson, c.collector, c.currency, c.terms_id AS "termsId", t.code AS "termsCode",
         c.credit_limit_minor AS "creditLimitMinor", c.status, c.version, c.created_at AS "createdAt",
         c.updated_at AS "updatedAt"
    FROM customers c
    LEFT JOIN customers p ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
    LEFT JOIN payment_terms t ON t.tenant_id = c.tenant_id AND t.id = c.terms_id`;

export function presentCustomer(customer: Customer, contacts?: Contact[]) {
  return {
    id: customer.id,
    code: customer.code,
    name: customer.name,
    taxId: customer.taxId,
    address: customer.address,
    parentCode: customer.parentCode,
    segment: customer.segment,
    region: customer.region,
    industry: customer.industry,
    salesperson: customer.salesperson,
    collector: customer.collector,
    currency: customer.currency,
    paymentTerms: customer.termsCode,
    creditLimit: customer.creditLimitMinor === null ? null : formatAmount(customer.creditLimitMinor, customer.currency),
    status: customer.status,
    version: customer.version,
    createdAt: new Date(customer.createdAt).toISOString(),
    updatedAt: new Date(customer.updatedAt).toISOString(),
    ...(contacts ? { contacts: contacts.map(({ id, ...c }) => ({ id, ...c })) } : {}),
  };
}

export async function findCustomer(sql: Sql, tenantId: string, code: string): Promise<Customer | null> {
  const [row] = await sql.query<Customer>(`${CUSTOMER_SELECT} WHERE c.tenant_id = $1 AND c.code = $2`, [tenantId, code]);
  return row ?? null;
}

/**
 * The read findCustomer makes, as a preload of a write that needs the customer first, sent with the transaction's
 * start (Database.tenant). Its row goes to requireCustomer.
 */
export function findCustomerPreload(tenantId: string, code: string): Preload {
  return { text: `${CUSTOMER_SELECT} WHERE c.tenant_id = $1 AND c.code = $2`, values: [tenantId, code] };
}

export async function getCustomer(sql: Sql, tenantId: string, code: string, field = 'customer'): Promise<Customer> {
  return requireCustomer(await findCustomer(sql, tenantId, code), code, field);
}

/** The customer found by code, or the error that says there is none. */
export function requireCustomer(customer: Customer | null | undefined, code: string, field = 'customer'): Customer {
  if (!customer) {
    throw notFound('CUSTOMER_NOT_FOUND', `${field}: no customer has code ${code}; create it first or check the code`, [
      { field, message: 'unknown customer code' },
    ]);
  }
  return customer;
}

export async function getCustomerById(sql: Sql, tenantId: string, id: string): Promise<Customer> {
  const [row] = await sql.query<Customer>(`${CUSTOMER_SELECT} WHERE c.tenant_id = $1 AND c.id = $2`, [tenantId, id]);
  if (!row) throw notFound('CUSTOMER_NOT_FOUND', `no customer has id ${id}`);
  return row;
}

export async function listContacts(sql: Sql, tenantId: string, customerId: string): Promise<Contact[]> {
  return sql.query<Contact>(
    `SELECT id, name, role, email, phone, preferred_channel AS "preferredChannel", language, is_primary AS "isPrimary"
       FROM customer_contacts WHERE tenant_id = $1 AND customer_id = $2 ORDER BY is_primary DESC, name, id`,
    [tenantId, customerId],
  );
}

/** Resolved, checked values ready to store: codes turned into ids, the credit limit into minor units. */
interface ResolvedCustomer {
  fields: CustomerFields;
  currency: string;
  parentId: string | null;
  termsId: string | null;
  creditLimitMinor: bigint | null;
  hash: string;
}

async function resolve(ctx: Context, sql: Sql, fields: CustomerFields, selfCode: string): Promise<ResolvedCustomer> {
  const problems: ErrorDetail[] = [];
  const currency = fields.currency ?? ctx.tenant.currency;
  try {
    checkCurrency(currency);
  } catch (e) {
    problems.push(...(e as AppError).details);
  }
  if (fields.taxId) {
    const problem = taxIdProblem(fields.taxId);
    if (problem) problems.push({ field: 'taxId', message: problem });
  }
  let parentId: string | null = null;
  if (fields.parentCode) {
    if (fields.parentCode === selfCode) problems.push({ field: 'parentCode', message: 'a customer cannot be its own parent' });
    else {
      const parent = await findCustomer(sql, ctx.tenant.id, fields.parentCode);
      if (!parent) problems.push({ field: 'parentCode', message: `no customer has code ${fields.parentCode}` });
      else if (parent.parentId) problems.push({ field: 'parentCode', message: `${fields.parentCode} belongs to a group itself; name the group's head ${parent.parentCode}` });
      else parentId = parent.id;
    }
  }
  let termsId: string | null = null;
  if (fields.paymentTerms) {
    try {
      termsId = (await getTerms(sql, ctx.tenant.id, fields.paymentTerms)).id;
    } catch {
      problems.push({ field: 'paymentTerms', message: `no payment terms have code ${fields.paymentTerms}` });
    }
  }
  let creditLimitMinor: bigint | null = null;
  if (fields.creditLimit !== undefined && problems.length === 0) {
    try {
      creditLimitMinor = parseAmount(fields.creditLimit, currency, 'creditLimit');
    } catch (e) {
      problems.push(...(e as AppError).details);
    }
  }
  if (problems.length) throw invalid('CUSTOMER_INVALID', `customer ${selfCode}: ${problems[0]!.field}: ${problems[0]!.message}`, problems);
  return { fields, currency, parentId, termsId, creditLimitMinor, hash: customerHash(fields, selfCode, currency) };
}

/** The fingerprint of a customer's details: an import of the same row again is recognised as unchanged. */
export function customerHash(fields: CustomerFields, code: string, currency: string): string {
  return payloadHash({ ...fields, code, currency });
}

export { type CustomerFields };

export interface SaveResult {
  customer: Customer;
  outcome: 'created' | 'updated' | 'unchanged';
}

/** Creates a customer. The same code with the same details again is a no-op; with other details it is a conflict. */
export async function createCustomer(ctx: Context, raw: CustomerInput, sqlInTx?: Sql): Promise<SaveResult> {
  const fields = parseInput(customerSchema, raw, 'customer');
  const write = async (sql: Sql): Promise<SaveResult> => {
    const resolved = await resolve(ctx, sql, fields, fields.code);
    const existing = await sql.query<{ payloadHash: string }>(
      `SELECT payload_hash AS "payloadHash" FROM customers WHERE tenant_id = $1 AND code = $2`, [ctx.tenant.id, fields.code]);
    if (existing[0]) {
      if (existing[0].payloadHash === resolved.hash) return { customer: await getCustomer(sql, ctx.tenant.id, fields.code), outcome: 'unchanged' };
      throw conflict('CUSTOMER_EXISTS', `customer ${fields.code} already exists with other details; change it with PATCH /api/v1/customers/${fields.code}`);
    }
    const id = uuidv7();
    await sql.query(
      `INSERT INTO customers (tenant_id, id, code, name, tax_id, parent_id, segment, region, industry, salesperson,
                              collector, currency, terms_id, credit_limit_minor, status, payload_hash, address)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [ctx.tenant.id, id, fields.code, fields.name, fields.taxId?.toUpperCase() ?? null, resolved.parentId, fields.segment ?? null,
        fields.region ?? null, fields.industry ?? null, fields.salesperson ?? null, fields.collector ?? null, resolved.currency,
        resolved.termsId, resolved.creditLimitMinor, fields.status, resolved.hash, fields.address ?? null],
    );
    await insertContacts(sql, ctx.tenant.id, id, fields.contacts);
    const customer = await getCustomer(sql, ctx.tenant.id, fields.code);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'customer.create', entityType: 'customer', entityId: fields.code, after: presentCustomer(customer, await listContacts(sql, ctx.tenant.id, id)) });
    return { customer, outcome: 'created' };
  };
  return sqlInTx ? write(sqlInTx) : ctx.db.tenant(ctx.tenant.id, write);
}

async function insertContacts(sql: Sql, tenantId: string, customerId: string, contacts: CustomerFields['contacts']) {
  for (const c of contacts) {
    await sql.query(
      `INSERT INTO customer_contacts (tenant_id, id, customer_id, name, role, email, phone, preferred_channel, language, is_primary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [tenantId, uuidv7(), customerId, c.name, c.role ?? null, c.email ?? null, c.phone ?? null, c.preferredChannel, c.language, c.isPrimary],
    );
  }
}

type ClearableField = 'taxId' | 'address' | 'parentCode' | 'segment' | 'region' | 'industry' | 'salesperson' | 'collector';

/**
 * Changes a customer's details (audited with before and after). `contacts`, when given, replaces the list; a text
 * field sent as "" is cleared.
 */
export async function updateCustomer(ctx: Context, code: string, raw: CustomerPatch, sqlInTx?: Sql): Promise<Customer> {
  const patch = parseInput(customerPatchSchema, raw, 'customer change');
  const run = async (sql: Sql) => {
    const [locked] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE tenant_id = $1 AND code = $2 FOR UPDATE`, [ctx.tenant.id, code]);
    if (!locked) throw notFound('CUSTOMER_NOT_FOUND', `no customer has code ${code}`);
    const before = await getCustomer(sql, ctx.tenant.id, code);
    if (patch.version !== undefined && patch.version !== before.version) {
      throw conflict('CUSTOMER_CHANGED', `customer ${code} was changed by someone else (version ${before.version}, yours ${patch.version}); reload and apply your change again`);
    }
    const contactsBefore = await listContacts(sql, ctx.tenant.id, before.id);
    if (patch.currency && patch.currency !== before.currency) {
      const [used] = await sql.query(`SELECT 1 FROM documents WHERE tenant_id = $1 AND customer_id = $2 LIMIT 1`, [ctx.tenant.id, before.id]);
      if (used) throw conflict('CUSTOMER_CURRENCY_LOCKED', `customer ${code} already has documents in ${before.currency}; its default currency cannot change`);
    }
    // A text field sent empty ("") is cleared; one not sent keeps its value.
    const text = (field: ClearableField, stored: string | null): string | undefined =>
      patch[field] === undefined ? stored ?? undefined : patch[field] === '' ? undefined : patch[field];
    const merged: CustomerFields = {
      code,
      name: patch.name ?? before.name,
      taxId: text('taxId', before.taxId),
      address: text('address', before.address),
      parentCode: text('parentCode', before.parentCode),
      segment: text('segment', before.segment),
      region: text('region', before.region),
      industry: text('industry', before.industry),
      salesperson: text('salesperson', before.salesperson),
      collector: text('collector', before.collector),
      currency: patch.currency ?? before.currency,
      paymentTerms: patch.paymentTerms !== undefined ? patch.paymentTerms : before.termsCode ?? undefined,
      creditLimit: patch.creditLimit !== undefined ? patch.creditLimit : before.creditLimitMinor === null ? undefined : formatAmount(before.creditLimitMinor, before.currency),
      status: patch.status ?? before.status,
      contacts: patch.contacts ?? contactsBefore.map(({ id: _id, ...c }) => ({ ...c, role: c.role ?? undefined, email: c.email ?? undefined, phone: c.phone ?? undefined })),
    };
    const resolved = await resolve(ctx, sql, merged, code);
    await sql.query(
      `UPDATE customers SET name = $3, tax_id = $4, parent_id = $5, segment = $6, region = $7, industry = $8, salesperson = $9,
              collector = $10, currency = $11, terms_id = $12, credit_limit_minor = $13, status = $14, payload_hash = $15,
              address = $16, version = version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [ctx.tenant.id, before.id, merged.name, merged.taxId?.toUpperCase() ?? null, resolved.parentId, merged.segment ?? null, merged.region ?? null,
        merged.industry ?? null, merged.salesperson ?? null, merged.collector ?? null, resolved.currency, resolved.termsId,
        resolved.creditLimitMinor, merged.status, resolved.hash, merged.address ?? null],
    );
    if (patch.contacts) {
      await sql.query(`DELETE FROM customer_contacts WHERE tenant_id = $1 AND customer_id = $2`, [ctx.tenant.id, before.id]);
      await insertContacts(sql, ctx.tenant.id, before.id, patch.contacts as CustomerFields['contacts']);
    }
    const after = await getCustomer(sql, ctx.tenant.id, code);
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'customer.update', entityType: 'customer', entityId: code,
      before: presentCustomer(before, contactsBefore), after: presentCustomer(after, await listContacts(sql, ctx.tenant.id, before.id)),
    });
    return after;
  };
  return sqlInTx ? run(sqlInTx) : ctx.db.tenant(ctx.tenant.id, run);
}

export interface NewCustomerRow {
  /** The fields to store now (the parent is linked later by `linkParents`). */
  fields: CustomerFields;
  currency: string;
  termsId: string | null;
  creditLimitMinor: bigint | null;
  /** The fingerprint of the customer's full details, parent included. */
  hash: string;
}

/** Inserts many new customers (and their contacts) in two statements; parents are linked afterwards by code. */
export async function insertCustomers(sql: Sql, tenantId: string, rows: readonly NewCustomerRow[]): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map(() => uuidv7());
  const f = rows.map((r) => r.fields);
  await sql.query(
    `INSERT INTO customers (tenant_id, id, code, name, tax_id, segment, region, industry, salesperson, collector, currency,
                            terms_id, credit_limit_minor, status, payload_hash, address)
     SELECT $1::uuid, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                    $10::text[], $11::text[], $12::uuid[], $13::int8[], $14::text[], $15::text[], $16::text[])`,
    [tenantId, ids, f.map((x) => x.code), f.map((x) => x.name), f.map((x) => x.taxId?.toUpperCase() ?? null), f.map((x) => x.segment ?? null),
      f.map((x) => x.region ?? null), f.map((x) => x.industry ?? null), f.map((x) => x.salesperson ?? null), f.map((x) => x.collector ?? null),
      rows.map((r) => r.currency), rows.map((r) => r.termsId), rows.map((r) => r.creditLimitMinor), f.map((x) => x.status),
      rows.map((r) => r.hash), f.map((x) => x.address ?? null)],
  );
  const contacts = rows.flatMap((r, i) => r.fields.contacts.map((c) => ({ ...c, customerId: ids[i]! })));
  if (contacts.length) {
    await sql.query(
      `INSERT INTO customer_contacts (tenant_id, id, customer_id, name, role, email, phone, preferred_channel, language, is_primary)
       SELECT $1::uuid, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[])`,
      [tenantId, contacts.map(() => uuidv7()), contacts.map((c) => c.customerId), contacts.map((c) => c.name), contacts.map((c) => c.role ?? null),
        contacts.map((c) => c.email ?? null), contacts.map((c) => c.phone ?? null), contacts.map((c) => c.preferredChannel),
        contacts.map((c) => c.language), contacts.map((c) => c.isPrimary)],
    );
  }
}

/** Links customers to their group's head by code; returns the codes whose named parent is missing or is itself in a group. */
export async function linkParents(sql: Sql, tenantId: string, links: readonly { code: string; parentCode: string }[]): Promise<string[]> {
  if (links.length === 0) return [];
  await sql.query(
    `UPDATE customers c SET parent_id = p.id FROM unnest($2::text[], $3::text[]) AS l(code, parent_code)
       JOIN customers p ON p.tenant_id = $1 AND p.code = l.parent_code
      WHERE c.tenant_id = $1 AND c.code = l.code AND c.code <> l.parent_code`,
    [tenantId, links.map((l) => l.code), links.map((l) => l.parentCode)],
  );
  const bad = await sql.query<{ code: string }>(
    `SELECT l.code FROM unnest($2::text[], $3::text[]) AS l(code, parent_code)
       LEFT JOIN customers p ON p.tenant_id = $1 AND p.code = l.parent_code
      WHERE p.id IS NULL OR p.parent_id IS NOT NULL OR l.code = l.parent_code`,
    [tenantId, links.map((l) => l.code), links.map((l) => l.parentCode)],
  );
  return bad.map((b) => b.code);
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

export const MAX_PAGE_SIZE = 200;

export const customerListSchema = z.object({
  q: z.string().trim().max(100).optional(),
  segment: z.string().max(100).optional(),
  region: z.string().max(100).optional(),
  salesperson: z.string().max(100).optional(),
  collector: z.string().max(100).optional(),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  currency: z.string().length(3).optional(),
  parent: z.string().max(64).optional(),
  sort: z.enum(['code', 'name']).default('code'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(500).optional(),
});
export type CustomerListQuery = z.input<typeof customerListSchema>;

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string')) return values as string[];
  } catch {
    // fall through
  }
  throw invalid('INVALID_CURSOR', 'cursor: not a cursor this list gave out; start again without it', [{ field: 'cursor', message: 'bad cursor' }]);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listCustomers(sql: Sql, tenantId: string, rawQuery: CustomerListQuery) {
  const query = parseInput(customerListSchema, rawQuery, 'customer list');
  const where = ['c.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll('?', `$${params.length}`));
  };
  if (query.q) {
    // Chinese has no letter case: without cased letters LIKE finds the same rows several times faster than ILIKE (a
    // search scans the company's customers; 100,000 in ~90 ms instead of ~260 ms on PostgreSQL). Tax ids are stored
    // upper-case.
    const cased = query.q.toLowerCase() !== query.q.toUpperCase();
    const like = cased ? 'ILIKE' : 'LIKE';
    add(`(c.code ${like} ? || '%' OR c.name ${like} '%' || ? || '%' OR c.tax_id LIKE upper(?) || '%')`, escapeLike(query.q));
  }
  if (query.segment) add('c.segment = ?', query.segment);
  if (query.region) add('c.region = ?', query.region);
  if (query.salesperson) add('c.salesperson = ?', query.salesperson);
  if (query.collector) add('c.collector = ?', query.collector);
  if (query.status) add('c.status = ?', query.status);
  if (query.currency) add('c.currency = ?', query.currency.toUpperCase());
  if (query.parent) add('p.code = ?', query.parent);
  const sortColumn = query.sort === 'name' ? 'c.name' : 'c.code';
  if (query.cursor) {
    const [key, code] = decodeCursor(query.cursor, 2);
    params.push(key, code);
    where.push(`(${sortColumn}, c.code) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit + 1);
  const rows = await sql.query<Customer>(
    `${CUSTOMER_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${sortColumn}, c.code LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page,
    nextCursor: rows.length > query.limit && last ? encodeCursor([query.sort === 'name' ? last.name : last.code, last.code]) : null,
  };
}

/**
 * The values the customer list can be filtered by (segments, regions, collectors, salespeople, currencies), each
 * sorted, at most 500 of each; `scope` limits them to a collector's or salesperson's own customers.
 */
export async function listCustomerFacets(sql: Sql, tenantId: string, scope?: { field: 'collector' | 'salesperson'; handle: string } | null) {
  const params: unknown[] = [tenantId];
  let where = 'tenant_id = $1';
  if (scope) {
    params.push(scope.handle);
    where += ` AND ${scope.field === 'collector' ? 'collector' : 'salesperson'} = $2`;
  }
  const values = async (column: string) =>
    (await sql.query<{ value: string }>(
      `SELECT DISTINCT ${column} AS value FROM customers WHERE ${where} AND ${column} IS NOT NULL ORDER BY 1 LIMIT 500`, params,
    )).map((r) => r.value);
  return {
    segments: await values('segment'),
    regions: await values('region'),
    collectors: await values('collector'),
    salespeople: await values('salesperson'),
    currencies: await values('currency'),
  };
}

/** Loads every customer's id, currency and terms by code, for bulk imports (100,000 customers ≈ 20 MB). */
export async function loadCustomerIndex(sql: Sql, tenantId: string) {
  const rows = await sql.query<{ id: string; code: string; currency: string; termsId: string | null; hash: string }>(
    `SELECT id, code, currency, terms_id AS "termsId", payload_hash AS hash FROM customers WHERE tenant_id = $1`, [tenantId]);
  return new Map(rows.map((r) => [r.code, r]));
}

export { loadTermsMaps };
