/**
 * The database schema, in drizzle's notation; `npm run db:generate` turns changes into numbered SQL migrations under
 * src/db/migrations (row-level security, roles and append-only triggers live in hand-written migrations there).
 *
 * Every tenant-owned table leads its primary key and foreign keys with `tenant_id`: the layout a distributed
 * PostgreSQL (Citus) shards by. Money is `bigint` minor units; business dates are `date` read as strings.
 */
import { sql } from 'drizzle-orm';
import {
  bigint, boolean, check, date, foreignKey, index, integer, jsonb, numeric, pgTable, primaryKey, smallint, text,
  timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const money = (name: string) => bigint(name, { mode: 'bigint' });
const businessDate = (name: string) => date(name, { mode: 'string' });
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  timeZone: text('time_zone').notNull(),
  locale: text('locale').notNull(),
  defaultTermsCode: text('default_terms_code'),
  /** Write-offs above this (functional currency, minor units) need a second person's approval; 0: all do; null: none. */
  writeOffApprovalMinor: money('write_off_approval_minor').default(sql`0`),
  /** Credit-limit increases above this, and terms changes, need approval; 0: every one; null: none. */
  creditLimitApprovalMinor: money('credit_limit_approval_minor').default(sql`0`),
  reversalsNeedApproval: boolean('reversals_need_approval').notNull().default(true),
  createdAt: instant('created_at').notNull().default(sql`now()`),
});

export const paymentTerms = pgTable('payment_terms', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  rule: jsonb('rule').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('payment_terms_code').on(t.tenantId, t.code),
]);

export const customers = pgTable('customers', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  taxId: text('tax_id'),
  parentId: uuid('parent_id'),
  segment: text('segment'),
  region: text('region'),
  industry: text('industry'),
  salesperson: text('salesperson'),
  collector: text('collector'),
  currency: text('currency').notNull(),
  termsId: uuid('terms_id'),
  creditLimitMinor: money('credit_limit_minor'),
  status: text('status').notNull().default('active'),
  payloadHash: text('payload_hash').notNull(),
  version: integer('version').notNull().default(1),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('customers_code').on(t.tenantId, t.code),
  index('customers_name').on(t.tenantId, t.name),
  index('customers_tax_id').on(t.tenantId, t.taxId),
  index('customers_parent').on(t.tenantId, t.parentId),
  foreignKey({ columns: [t.tenantId, t.parentId], foreignColumns: [t.tenantId, t.id] }),
  foreignKey({ columns: [t.tenantId, t.termsId], foreignColumns: [paymentTerms.tenantId, paymentTerms.id] }),
  check('customers_status', sql`${t.status} in ('active', 'on_hold', 'inactive')`),
  check('customers_credit_limit', sql`${t.creditLimitMinor} is null or ${t.creditLimitMinor} >= 0`),
]);

export const customerContacts = pgTable('customer_contacts', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  name: text('name').notNull(),
  role: text('role'),
  email: text('email'),
  phone: text('phone'),
  preferredChannel: text('preferred_channel').notNull().default('email'),
  language: text('language').notNull().default('zh-CN'),
  isPrimary: boolean('is_primary').notNull().default(false),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('customer_contacts_customer').on(t.tenantId, t.customerId),
  foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('customer_contacts_channel', sql`${t.preferredChannel} in ('email', 'sms', 'phone', 'letter')`),
]);

/** FX rates to the tenant's functional currency: units of functional currency per one unit of `currency`. */
export const fxRates = pgTable('fx_rates', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  currency: text('currency').notNull(),
  rateDate: businessDate('rate_date').notNull(),
  rate: numeric('rate', { precision: 22, scale: 10 }).notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [primaryKey({ columns: [t.tenantId, t.currency, t.rateDate] }), check('fx_rates_positive', sql`${t.rate} > 0`)]);

/**
 * Posted documents. Never updated or deleted (a trigger forbids it); a reversal document undoes one.
 * Debit kinds (invoice, debit_note, charge, refund) raise what the customer owes; credit kinds (payment,
 * credit_note, advance, write_off) lower it; a reversal takes the opposite side of the document it reverses.
 */
export const documents = pgTable('documents', {
  // No foreign key of its own to tenants: the one to (tenant_id, customer_id) already needs the tenant, and every
  // key checked costs each of a million imported invoices a lookup.
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  kind: text('kind').notNull(),
  side: text('side').notNull(),
  number: text('number').notNull(),
  customerId: uuid('customer_id').notNull(),
  documentDate: businessDate('document_date').notNull(),
  postingDate: businessDate('posting_date').notNull(),
  dueDate: businessDate('due_date'),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  fxRate: numeric('fx_rate', { precision: 22, scale: 10 }).notNull(),
  functionalAmountMinor: money('functional_amount_minor').notNull(),
  termsId: uuid('terms_id'),
  relatedDocumentId: uuid('related_document_id'),
  reversesDocumentId: uuid('reverses_document_id'),
  reason: text('reason'),
  memo: text('memo'),
  sourceSystem: text('source_system').notNull().default('arflow'),
  externalId: text('external_id'),
  payloadHash: text('payload_hash').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  // Number first, so lookups by number alone (KIND:NUMBER is optional) use this index too.
  uniqueIndex('documents_number').on(t.tenantId, t.number, t.kind),
  // Partial: most documents have neither, and every index entry costs on a million-row import.
  uniqueIndex('documents_external_id').on(t.tenantId, t.sourceSystem, t.externalId).where(sql`${t.externalId} is not null`),
  uniqueIndex('documents_reverses').on(t.tenantId, t.reversesDocumentId).where(sql`${t.reversesDocumentId} is not null`),
  index('documents_customer_date').on(t.tenantId, t.customerId, t.documentDate),
  index('documents_date').on(t.tenantId, t.documentDate),
  foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ columns: [t.tenantId, t.termsId], foreignColumns: [paymentTerms.tenantId, paymentTerms.id] }),
  foreignKey({ columns: [t.tenantId, t.relatedDocumentId], foreignColumns: [t.tenantId, t.id] }),
  foreignKey({ columns: [t.tenantId, t.reversesDocumentId], foreignColumns: [t.tenantId, t.id] }),
  check('documents_kind', sql`${t.kind} in ('invoice', 'debit_note', 'charge', 'refund', 'credit_note', 'payment', 'advance', 'write_off', 'reversal')`),
  check('documents_side', sql`${t.side} in ('debit', 'credit')`),
  check('documents_amount', sql`${t.amountMinor} > 0`),
]);

/**
 * The items a document opens: an invoice's installments (debit), a payment's or credit note's amount to apply
 * (credit). Immutable; the open amount lives in item_balances.
 */
export const items = pgTable('items', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  documentId: uuid('document_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  seq: smallint('seq').notNull(),
  side: text('side').notNull(),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  dueDate: businessDate('due_date'),
  discountDate: businessDate('discount_date'),
  discountAmountMinor: money('discount_amount_minor').notNull().default(sql`0`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('items_document_seq').on(t.tenantId, t.documentId, t.seq),
  index('items_customer_due').on(t.tenantId, t.customerId, t.dueDate),
  foreignKey({ columns: [t.tenantId, t.documentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('items_amount', sql`${t.amountMinor} > 0`),
  check('items_side', sql`${t.side} in ('debit', 'credit')`),
]);

/** Cached open amount per item, updated in the same transaction as each allocation; `arflow ledger verify` rebuilds it. */
export const itemBalances = pgTable('item_balances', {
  tenantId: uuid('tenant_id').notNull(),
  itemId: uuid('item_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  amountMinor: money('amount_minor').notNull(),
  openMinor: money('open_minor').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.itemId] }),
  index('item_balances_open').on(t.tenantId, t.customerId).where(sql`${t.openMinor} > 0`),
  foreignKey({ columns: [t.tenantId, t.itemId], foreignColumns: [items.tenantId, items.id] }),
  check('item_balances_range', sql`${t.openMinor} >= 0 and ${t.openMinor} <= ${t.amountMinor}`),
]);

/**
 * Applying a credit item to a debit item. `amountMinor` is in the debit item's currency, `creditAmountMinor` in the
 * credit item's; `fxGainMinor` is the realised FX gain (negative: loss) in the functional currency. A reversal is a
 * new row with negated amounts pointing at the row it reverses.
 */
export const allocations = pgTable('allocations', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  batchId: uuid('batch_id').notNull(),
  creditItemId: uuid('credit_item_id').notNull(),
  debitItemId: uuid('debit_item_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  amountMinor: money('amount_minor').notNull(),
  creditAmountMinor: money('credit_amount_minor').notNull(),
  fxGainMinor: money('fx_gain_minor').notNull().default(sql`0`),
  allocationDate: businessDate('allocation_date').notNull(),
  reversesAllocationId: uuid('reverses_allocation_id'),
  reason: text('reason'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('allocations_credit').on(t.tenantId, t.creditItemId),
  index('allocations_debit').on(t.tenantId, t.debitItemId),
  index('allocations_batch').on(t.tenantId, t.batchId),
  uniqueIndex('allocations_reverses').on(t.tenantId, t.reversesAllocationId),
  foreignKey({ columns: [t.tenantId, t.creditItemId], foreignColumns: [items.tenantId, items.id] }),
  foreignKey({ columns: [t.tenantId, t.debitItemId], foreignColumns: [items.tenantId, items.id] }),
  foreignKey({ columns: [t.tenantId, t.reversesAllocationId], foreignColumns: [t.tenantId, t.id] }),
  check('allocations_nonzero', sql`${t.amountMinor} <> 0 and sign(${t.amountMinor}) = sign(${t.creditAmountMinor})`),
]);

/** Status events of a document (an advance receipt's verification), append-only. */
export const documentEvents = pgTable('document_events', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  documentId: uuid('document_id').notNull(),
  event: text('event').notNull(),
  eventDate: businessDate('event_date').notNull(),
  reason: text('reason'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('document_events_once').on(t.tenantId, t.documentId, t.event),
  foreignKey({ columns: [t.tenantId, t.documentId], foreignColumns: [documents.tenantId, documents.id] }),
]);

/** First answer to each idempotency key: a repeat with the same request hash replays it, another hash is a conflict. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  key: text('key').notNull(),
  operation: text('operation').notNull(),
  requestHash: text('request_hash').notNull(),
  response: jsonb('response').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [primaryKey({ columns: [t.tenantId, t.key] })]);

/** Next number per document kind for documents posted without one (PAY-000001). */
export const numberSequences = pgTable('number_sequences', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  kind: text('kind').notNull(),
  nextValue: bigint('next_value', { mode: 'bigint' }).notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.kind] })]);

/** Who changed what, when, from where and why. Append-only, hash-chained per tenant (audit_seals). */
export const auditLog = pgTable('audit_log', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  occurredAt: instant('occurred_at').notNull().default(sql`now()`),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id'),
  reason: text('reason'),
  before: jsonb('before'),
  after: jsonb('after'),
  /**
   * From where: `web 203.0.113.7`, `api 203.0.113.7` (an API token), `cli root@host`, `job`. Filled by the column's
   * default from the transaction's app.origin setting, which the request's context sets as it enters the tenant.
   */
  origin: text('origin').default(sql`NULLIF(current_setting('app.origin', true), '')`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('audit_log_entity').on(t.tenantId, t.entityType, t.entityId),
  index('audit_log_time').on(t.tenantId, t.occurredAt),
]);

/**
 * The audit trail's hash chain, per tenant: seal `seq` covers audit entry `auditId` with
 * hash = SHA-256(previous seal's hash + the entry's canonical JSON). Entries are sealed shortly after they commit (a
 * job every minute, and before every check), in the order the sealer sees them, so writers never wait on a chain
 * head; `arflow audit verify` recomputes the chain and names any entry changed or deleted, and any gap.
 */
export const auditSeals = pgTable('audit_seals', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  seq: bigint('seq', { mode: 'bigint' }).notNull(),
  auditId: uuid('audit_id').notNull(),
  hash: text('hash').notNull(),
  sealedAt: instant('sealed_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.seq] }),
  uniqueIndex('audit_seals_entry').on(t.tenantId, t.auditId),
]);

// ---------------------------------------------------------------------------------------------------------------
// Access (issue 3): users, their sessions, API tokens, sign-in attempts, approval requests.

/**
 * People who sign in. A user belongs to one company (tenant); the email is unique across all of them, so signing in
 * needs no company code. `handle` is what customers' `collector` and `salesperson` fields name.
 */
export const users = pgTable('users', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  handle: text('handle').notNull(),
  role: text('role').notNull(),
  status: text('status').notNull().default('active'),
  /** argon2id, in the PHC string format ($argon2id$v=19$m=…). */
  passwordHash: text('password_hash').notNull(),
  /** Set for a password someone else chose (first admin, reset): the user must choose a new one at sign-in. */
  mustChangePassword: boolean('must_change_password').notNull().default(true),
  locale: text('locale'),
  version: integer('version').notNull().default(1),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('users_email').on(sql`lower(${t.email})`),
  uniqueIndex('users_handle').on(t.tenantId, t.handle),
  check('users_role', sql`${t.role} in ('admin', 'finance_manager', 'credit_manager', 'collector', 'sales', 'auditor', 'viewer')`),
  check('users_status', sql`${t.status} in ('active', 'disabled')`),
]);

/** Signed-in browsers. The cookie holds a random token; only its SHA-256 is stored. */
export const sessions = pgTable('sessions', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  tokenHash: text('token_hash').notNull(),
  userId: uuid('user_id').notNull(),
  /** Sent back by the page in X-CSRF-Token on every write made with the cookie. */
  csrfToken: text('csrf_token').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  lastSeenAt: instant('last_seen_at').notNull().default(sql`now()`),
  expiresAt: instant('expires_at').notNull(),
  revokedAt: instant('revoked_at'),
  ip: text('ip'),
  userAgent: text('user_agent'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('sessions_token').on(t.tokenHash),
  index('sessions_user').on(t.tenantId, t.userId),
  foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }),
]);

/** Credentials for other systems: a role, shown once, stored as its SHA-256, revocable. */
export const apiTokens = pgTable('api_tokens', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  /** The first characters of the token, to tell tokens apart in lists (arf_3kq9…). */
  prefix: text('prefix').notNull(),
  role: text('role').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: uuid('created_by').notNull(),
  expiresAt: instant('expires_at'),
  lastUsedAt: instant('last_used_at'),
  revokedAt: instant('revoked_at'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('api_tokens_token').on(t.tokenHash),
  foreignKey({ columns: [t.tenantId, t.createdBy], foreignColumns: [users.tenantId, users.id] }),
  check('api_tokens_role', sql`${t.role} in ('admin', 'finance_manager', 'credit_manager', 'collector', 'sales', 'auditor', 'viewer')`),
]);

/** Failed sign-ins, for the rate limit per email and per address (kept for a day by the nightly job). */
export const signInFailures = pgTable('sign_in_failures', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  ip: text('ip'),
  at: instant('at').notNull().default(sql`now()`),
}, (t) => [
  index('sign_in_failures_email').on(sql`lower(${t.email})`, t.at),
  index('sign_in_failures_ip').on(t.ip, t.at),
]);

/**
 * Requests that need a second person (segregation of duties): write-offs above the company threshold, credit-limit
 * and terms changes, reversals. The request carries the action's input; approving it performs the action as the
 * requester, recorded with the approver.
 */
export const approvals = pgTable('approvals', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  action: text('action').notNull(),
  permission: text('permission').notNull(),
  summary: text('summary').notNull(),
  request: jsonb('request').notNull(),
  /** The requesting user (null for an API token); requestedByActor says who either way. */
  requestedBy: uuid('requested_by'),
  requestedByActor: text('requested_by_actor').notNull(),
  requestedAt: instant('requested_at').notNull().default(sql`now()`),
  status: text('status').notNull().default('pending'),
  decidedBy: uuid('decided_by'),
  decidedByActor: text('decided_by_actor'),
  decidedAt: instant('decided_at'),
  decisionReason: text('decision_reason'),
  result: jsonb('result'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('approvals_status').on(t.tenantId, t.status, t.requestedAt),
  foreignKey({ columns: [t.tenantId, t.requestedBy], foreignColumns: [users.tenantId, users.id] }),
  foreignKey({ columns: [t.tenantId, t.decidedBy], foreignColumns: [users.tenantId, users.id] }),
  check('approvals_status', sql`${t.status} in ('pending', 'approved', 'rejected', 'cancelled')`),
]);
