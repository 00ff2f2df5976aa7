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
  /** Printed under the name on statements and confirmations. */
  address: text('address'),
  /** Day of the month (1-28) monthly statements go to customers with a balance; null: no schedule. */
  statementDay: smallint('statement_day'),
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
  /** The postal address printed on statements and letters (up to 5 lines; migration 0024). */
  address: text('address'),
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
  /** The number as cash matching reads it in a text: letters and digits, upper case, O as 0, I as 1 (migration 0028). */
  numberKey: text('number_key').generatedAlwaysAs(sql`translate(regexp_replace(upper(number), '[^A-Z0-9]', '', 'g'), 'OI', '01')`),
  /** …and without its letter prefix. */
  numberCore: text('number_core').generatedAlwaysAs(sql`regexp_replace(regexp_replace(upper(number), '[^A-Z0-9]', '', 'g'), '^[A-Z]+', '')`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  // Number first, so lookups by number alone (KIND:NUMBER is optional) use this index too.
  uniqueIndex('documents_number').on(t.tenantId, t.number, t.kind),
  // Cash matching looks numbers up by their key as read in a text (migration 0028, src/modules/bank/matching.ts).
  index('documents_number_key').on(t.tenantId, t.numberKey),
  index('documents_number_core').on(t.tenantId, t.numberCore),
  // Partial: most documents have neither, and every index entry costs on a million-row import.
  uniqueIndex('documents_external_id').on(t.tenantId, t.sourceSystem, t.externalId).where(sql`${t.externalId} is not null`),
  uniqueIndex('documents_reverses').on(t.tenantId, t.reversesDocumentId).where(sql`${t.reversesDocumentId} is not null`),
  index('documents_customer_date').on(t.tenantId, t.customerId, t.documentDate),
  index('documents_date').on(t.tenantId, t.documentDate),
  // The KPIs' credit sales by day, index-only (migration 0032 INCLUDEs currency, kind, amount_minor, reverses_document_id).
  index('documents_sales').on(t.tenantId, t.documentDate).where(sql`${t.kind} in ('invoice', 'debit_note', 'charge', 'reversal')`),
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
  // Copies of the item's facts, which never change, so that aging reads this table alone (migration 0012).
  side: text('side').notNull(),
  currency: text('currency').notNull(),
  documentDate: businessDate('document_date').notNull(),
  /** The date the item is aged from: its installment's due date, else the document's, else the document date. */
  dueDate: businessDate('due_date').notNull(),
  /** The document's kind, copied like the facts above so the KPIs read this table alone (migration 0015). */
  kind: text('kind').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.itemId] }),
  // Covering (INCLUDE currency, side, kind, document_date, due_date, open_minor; migration 0027, hand-written).
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
  index('allocations_date').on(t.tenantId, t.allocationDate),
  uniqueIndex('allocations_reverses').on(t.tenantId, t.reversesAllocationId).where(sql`${t.reversesAllocationId} is not null`),
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

// ---------------------------------------------------------------------------------------------------------------
// Credit (issue 5)

/**
 * Each customer's current credit standing: the grade and score of the assessment in force and when the next review
 * is due (one row per graded customer). Scoring writes it; holds, the review queue and warning rules read it.
 */
export const creditProfiles = pgTable('credit_profiles', {
  tenantId: uuid('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  grade: text('grade'),
  score: smallint('score'),
  assessedOn: businessDate('assessed_on'),
  reviewDue: businessDate('review_due'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.customerId] }),
  index('credit_profiles_review_due').on(t.tenantId, t.reviewDue),
  foreignKey({ name: 'credit_profiles_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('credit_profiles_score', sql`${t.score} is null or ${t.score} between 0 and 100`),
  check('credit_profiles_grade', sql`${t.grade} is null or length(${t.grade}) between 1 and 8`),
]);

// ---------------------------------------------------------------------------------------------------------------
// Credit limits, commitments and holds (issue 5; hand-written migration 0017_credit_limits).

export const creditSettings = pgTable('credit_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  settings: jsonb('settings').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
});

export const creditLimitVersions = pgTable('credit_limit_versions', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  scope: text('scope').notNull(),
  version: integer('version').notNull(),
  currency: text('currency').notNull(),
  limitMinor: money('limit_minor').notNull(),
  temporaryMinor: money('temporary_minor'),
  temporaryFrom: businessDate('temporary_from'),
  temporaryTo: businessDate('temporary_to'),
  temporaryReason: text('temporary_reason'),
  reason: text('reason').notNull(),
  requestedBy: text('requested_by').notNull(),
  approvedBy: text('approved_by').notNull(),
  approvalId: uuid('approval_id'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('credit_limit_versions_version').on(t.tenantId, t.customerId, t.scope, t.version),
  foreignKey({ name: 'credit_limit_versions_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('credit_limit_versions_scope', sql`${t.scope} in ('customer', 'group')`),
]);

export const creditCommitments = pgTable('credit_commitments', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  kind: text('kind').notNull(),
  reference: text('reference').notNull(),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  status: text('status').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('credit_commitments_reference').on(t.tenantId, t.kind, t.reference),
  index('credit_commitments_open').on(t.tenantId, t.customerId).where(sql`${t.status} = 'open'`),
  foreignKey({ name: 'credit_commitments_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
]);

export const creditHolds = pgTable('credit_holds', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  rule: text('rule').notNull(),
  reason: text('reason').notNull(),
  placedOn: businessDate('placed_on').notNull(),
  placedBy: text('placed_by').notNull(),
  status: text('status').notNull(),
  releaseApprovalId: uuid('release_approval_id'),
  releasedOn: businessDate('released_on'),
  releasedBy: text('released_by'),
  releaseReason: text('release_reason'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('credit_holds_one_per_rule').on(t.tenantId, t.customerId, t.rule).where(sql`${t.status} <> 'released'`),
  index('credit_holds_customer').on(t.tenantId, t.customerId),
  foreignKey({ name: 'credit_holds_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
]);

// ---------------------------------------------------------------------------------------------------------------
// KPIs (issue 4): snapshots of the KPI figures per as-of date, a cache for the monthly trends.

/**
 * The figures the KPI set is computed from (src/domain/kpis.ts KpiFigures as JSON), per company, as-of date,
 * currency and period. A cache: posting a document or allocation dated on or before `asOf` deletes the row (a
 * statement trigger on documents and allocations, migration 0009), and the next read recomputes it.
 */
export const kpiSnapshots = pgTable('kpi_snapshots', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  asOf: businessDate('as_of').notNull(),
  currency: text('currency').notNull(),
  periodDays: smallint('period_days').notNull(),
  figures: jsonb('figures').notNull(),
  computedAt: instant('computed_at').notNull().default(sql`now()`),
}, (t) => [primaryKey({ columns: [t.tenantId, t.asOf, t.currency, t.periodDays] })]);

/** Bad-debt provision settings per company (aging-method rates, ECL window and factor, journal accounts); audited. */
export const provisionSettings = pgTable('provision_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  settings: jsonb('settings').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
});

/**
 * Period-end provision runs: records (append-only). A run for a period is superseded by a new run that names it
 * with a reason; the report (lines, movement, matrix) is stored as computed.
 */
export const provisionRuns = pgTable('provision_runs', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  periodEnd: businessDate('period_end').notNull(),
  method: text('method').notNull(),
  currency: text('currency').notNull(),
  allowanceMinor: money('allowance_minor').notNull(),
  chargeMinor: money('charge_minor').notNull(),
  supersedesRunId: uuid('supersedes_run_id'),
  reason: text('reason'),
  report: jsonb('report').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('provision_runs_period').on(t.tenantId, t.periodEnd),
  uniqueIndex('provision_runs_supersedes').on(t.tenantId, t.supersedesRunId),
  foreignKey({ name: 'provision_runs_supersedes_fk', columns: [t.tenantId, t.supersedesRunId], foreignColumns: [t.tenantId, t.id] }),
  check('provision_runs_method', sql`${t.method} in ('aging', 'ecl')`),
  check('provision_runs_reason', sql`${t.supersedesRunId} is null or ${t.reason} is not null`),
]);

/**
 * Recoveries of written-off amounts (append-only): the write-off, the debit note that reinstated the amount and the
 * payment applied to it.
 */
export const provisionRecoveries = pgTable('provision_recoveries', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  writeOffDocumentId: uuid('write_off_document_id').notNull(),
  reinstatementDocumentId: uuid('reinstatement_document_id').notNull(),
  paymentDocumentId: uuid('payment_document_id').notNull(),
  recoveryDate: businessDate('recovery_date').notNull(),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('provision_recoveries_date').on(t.tenantId, t.recoveryDate),
  index('provision_recoveries_write_off').on(t.tenantId, t.writeOffDocumentId),
  foreignKey({ name: 'provision_recoveries_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'provision_recoveries_write_off_fk', columns: [t.tenantId, t.writeOffDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  foreignKey({ name: 'provision_recoveries_reinstatement_fk', columns: [t.tenantId, t.reinstatementDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  foreignKey({ name: 'provision_recoveries_payment_fk', columns: [t.tenantId, t.paymentDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('provision_recoveries_positive', sql`${t.amountMinor} > 0`),
]);

// Statements of account and balance confirmations (issue 4). Hand-written migration 0011_statements.sql.

/** A balance confirmation (对账函/询证函): our ledger's balance of a customer at a date, per currency. Append-only. */
export const balanceConfirmations = pgTable('balance_confirmations', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  number: text('number').notNull(),
  customerId: uuid('customer_id').notNull(),
  asOf: businessDate('as_of').notNull(),
  language: text('language').notNull(),
  note: text('note'),
  issuedAt: instant('issued_at').notNull().default(sql`now()`),
  issuedOn: businessDate('issued_on').notNull(),
  issuedBy: text('issued_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('balance_confirmations_number').on(t.tenantId, t.number),
  index('balance_confirmations_customer').on(t.tenantId, t.customerId, t.asOf),
  foreignKey({ name: 'balance_confirmations_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('balance_confirmations_language', sql`${t.language} in ('zh-CN', 'en')`),
]);

export const confirmationBalances = pgTable('confirmation_balances', {
  tenantId: uuid('tenant_id').notNull(),
  confirmationId: uuid('confirmation_id').notNull(),
  currency: text('currency').notNull(),
  balanceMinor: money('balance_minor').notNull(),
}, (t) => [
  primaryKey({ name: 'confirmation_balances_pk', columns: [t.tenantId, t.confirmationId, t.currency] }),
  foreignKey({ name: 'confirmation_balances_confirmation_fk', columns: [t.tenantId, t.confirmationId], foreignColumns: [balanceConfirmations.tenantId, balanceConfirmations.id] }),
]);

/** The customer's answer; one per confirmation, a correction supersedes it with a reason. Append-only. */
export const confirmationAnswers = pgTable('confirmation_answers', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  confirmationId: uuid('confirmation_id').notNull(),
  status: text('status').notNull(),
  answeredOn: businessDate('answered_on').notNull(),
  explanation: text('explanation'),
  supersedesAnswerId: uuid('supersedes_answer_id'),
  reason: text('reason'),
  recordedAt: instant('recorded_at').notNull().default(sql`now()`),
  recordedBy: text('recorded_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('confirmation_answers_first').on(t.tenantId, t.confirmationId).where(sql`${t.supersedesAnswerId} is null`),
  uniqueIndex('confirmation_answers_supersedes').on(t.tenantId, t.supersedesAnswerId).where(sql`${t.supersedesAnswerId} is not null`),
  foreignKey({ name: 'confirmation_answers_confirmation_fk', columns: [t.tenantId, t.confirmationId], foreignColumns: [balanceConfirmations.tenantId, balanceConfirmations.id] }),
  foreignKey({ name: 'confirmation_answers_supersedes_fk', columns: [t.tenantId, t.supersedesAnswerId], foreignColumns: [t.tenantId, t.id] }),
  check('confirmation_answers_status', sql`${t.status} in ('confirmed', 'disputed')`),
  check('confirmation_answers_correction', sql`${t.supersedesAnswerId} is null or ${t.reason} is not null`),
]);

export const confirmationAnswerFigures = pgTable('confirmation_answer_figures', {
  tenantId: uuid('tenant_id').notNull(),
  answerId: uuid('answer_id').notNull(),
  currency: text('currency').notNull(),
  theirBalanceMinor: money('their_balance_minor').notNull(),
  ourBalanceMinor: money('our_balance_minor').notNull(),
  /** Theirs − ours. */
  differenceMinor: money('difference_minor').notNull(),
}, (t) => [
  primaryKey({ name: 'confirmation_answer_figures_pk', columns: [t.tenantId, t.answerId, t.currency] }),
  foreignKey({ name: 'confirmation_answer_figures_answer_fk', columns: [t.tenantId, t.answerId], foreignColumns: [confirmationAnswers.tenantId, confirmationAnswers.id] }),
  check('confirmation_answer_figures_difference', sql`${t.differenceMinor} = ${t.theirBalanceMinor} - ${t.ourBalanceMinor}`),
]);

export const confirmationAnswerItems = pgTable('confirmation_answer_items', {
  tenantId: uuid('tenant_id').notNull(),
  answerId: uuid('answer_id').notNull(),
  seq: smallint('seq').notNull(),
  documentNumber: text('document_number'),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  reason: text('reason').notNull(),
}, (t) => [
  primaryKey({ name: 'confirmation_answer_items_pk', columns: [t.tenantId, t.answerId, t.seq] }),
  foreignKey({ name: 'confirmation_answer_items_answer_fk', columns: [t.tenantId, t.answerId], foreignColumns: [confirmationAnswers.tenantId, confirmationAnswers.id] }),
]);

/** Statements and confirmations sent by email: queued with the request, marked sent or failed by the job. */
export const statementSends = pgTable('statement_sends', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  kind: text('kind').notNull(),
  customerId: uuid('customer_id').notNull(),
  confirmationId: uuid('confirmation_id'),
  periodFrom: businessDate('period_from'),
  periodTo: businessDate('period_to').notNull(),
  language: text('language').notNull(),
  format: text('format').notNull(),
  recipient: text('recipient').notNull(),
  status: text('status').notNull().default('queued'),
  messageId: text('message_id'),
  error: text('error'),
  requestedAt: instant('requested_at').notNull().default(sql`now()`),
  requestedBy: text('requested_by').notNull(),
  sentAt: instant('sent_at'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('statement_sends_customer').on(t.tenantId, t.customerId, t.requestedAt),
  index('statement_sends_confirmation').on(t.tenantId, t.confirmationId).where(sql`${t.confirmationId} is not null`),
  foreignKey({ name: 'statement_sends_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'statement_sends_confirmation_fk', columns: [t.tenantId, t.confirmationId], foreignColumns: [balanceConfirmations.tenantId, balanceConfirmations.id] }),
  check('statement_sends_kind', sql`${t.kind} in ('statement', 'confirmation')`),
  check('statement_sends_status', sql`${t.status} in ('queued', 'sent', 'failed')`),
  check('statement_sends_format', sql`${t.format} in ('pdf', 'xlsx')`),
]);

// ---------------------------------------------------------------------------------------------------------------
// Credit file, scorecard, assessments and reviews (issue 5, migration 0016). See src/modules/credit.

/** Numbered versions of a customer's credit file (ratings, insurance, qualitative factors, documents); append-only. */
export const creditFiles = pgTable('credit_files', {
  tenantId: uuid('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  version: integer('version').notNull(),
  file: jsonb('file').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.customerId, t.version] }),
  foreignKey({ name: 'credit_files_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('credit_files_version', sql`${t.version} >= 1`),
]);

/** Financial statements per period (figures as minor-unit strings in jsonb); a later row for a period corrects it. */
export const creditFinancials = pgTable('credit_financials', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  periodEnd: businessDate('period_end').notNull(),
  currency: text('currency').notNull(),
  figures: jsonb('figures').notNull(),
  source: text('source').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('credit_financials_period').on(t.tenantId, t.customerId, t.periodEnd),
  foreignKey({ name: 'credit_financials_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
]);

/** The company's scorecard (factors, bins, weights, grade policies); audited with before and after. */
export const creditScorecards = pgTable('credit_scorecards', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  scorecard: jsonb('scorecard').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
});

/** Assessments: inputs, factor points, score, grade and recommended limit at an as-of date; append-only. */
export const creditAssessments = pgTable('credit_assessments', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  asOf: businessDate('as_of').notNull(),
  score: smallint('score').notNull(),
  grade: text('grade').notNull(),
  currency: text('currency').notNull(),
  recommendedLimitMinor: money('recommended_limit_minor'),
  tookEffect: boolean('took_effect').notNull(),
  report: jsonb('report').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('credit_assessments_customer').on(t.tenantId, t.customerId, t.asOf),
  foreignKey({ name: 'credit_assessments_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('credit_assessments_score', sql`${t.score} between 0 and 100`),
]);

/** Completed credit reviews: the decision, proposed grade and limit, and the assessment the review ran; append-only. */
export const creditReviews = pgTable('credit_reviews', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  asOf: businessDate('as_of').notNull(),
  decision: text('decision').notNull(),
  proposedGrade: text('proposed_grade'),
  currency: text('currency').notNull(),
  proposedLimitMinor: money('proposed_limit_minor'),
  note: text('note'),
  assessmentId: uuid('assessment_id').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('credit_reviews_customer').on(t.tenantId, t.customerId, t.asOf),
  foreignKey({ name: 'credit_reviews_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'credit_reviews_assessment_fk', columns: [t.tenantId, t.assessmentId], foreignColumns: [creditAssessments.tenantId, creditAssessments.id] }),
  check('credit_reviews_decision', sql`${t.decision} in ('approve', 'change', 'hold')`),
]);

// Early warning (issue 5). Hand-written migration 0018_alerts.sql.

/** The company's alert rule thresholds and routing; audited with before and after. */
export const alertSettings = pgTable('alert_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  settings: jsonb('settings').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
});

/** Alerts: one open (open or acknowledged) per rule and subject; re-firing refreshes figures and last seen. */
export const alerts = pgTable('alerts', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  rule: text('rule').notNull(),
  subjectType: text('subject_type').notNull(),
  customerId: uuid('customer_id').notNull(),
  severity: text('severity').notNull(),
  status: text('status').notNull().default('open'),
  owner: text('owner'),
  figures: jsonb('figures').notNull(),
  firstSeenOn: businessDate('first_seen_on').notNull(),
  lastSeenOn: businessDate('last_seen_on').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  acknowledgedAt: instant('acknowledged_at'),
  acknowledgedBy: text('acknowledged_by'),
  resolvedAt: instant('resolved_at'),
  resolvedBy: text('resolved_by'),
  resolutionNote: text('resolution_note'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('alerts_one_open').on(t.tenantId, t.rule, t.subjectType, t.customerId).where(sql`${t.status} in ('open', 'acknowledged')`),
  index('alerts_inbox').on(t.tenantId, t.status, t.owner),
  index('alerts_customer').on(t.tenantId, t.customerId),
  foreignKey({ name: 'alerts_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('alerts_severity', sql`${t.severity} in ('info', 'warning', 'critical')`),
  check('alerts_status', sql`${t.status} in ('open', 'acknowledged', 'resolved')`),
  check('alerts_subject_type', sql`${t.subjectType} in ('customer', 'group')`),
  check('alerts_resolved', sql`(${t.status} = 'resolved') = (${t.resolvedAt} is not null)`),
]);

/** Each alert's history (append-only): opened, refreshed, acknowledged, assigned, resolved, auto-resolved. */
export const alertEvents = pgTable('alert_events', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  alertId: uuid('alert_id').notNull(),
  event: text('event').notNull(),
  actor: text('actor').notNull(),
  note: text('note'),
  figures: jsonb('figures'),
  at: instant('at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('alert_events_alert').on(t.tenantId, t.alertId),
  foreignKey({ name: 'alert_events_alert_fk', columns: [t.tenantId, t.alertId], foreignColumns: [alerts.tenantId, alerts.id] }),
  check('alert_events_event', sql`${t.event} in ('opened', 'refreshed', 'acknowledged', 'assigned', 'resolved', 'auto_resolved')`),
]);

/** The grade each customer had at the last evaluation: what the grade-downgrade rule compares with. */
export const alertGradesSeen = pgTable('alert_grades_seen', {
  tenantId: uuid('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  grade: text('grade').notNull(),
  seenOn: businessDate('seen_on').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.customerId] }),
  foreignKey({ name: 'alert_grades_seen_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
]);

/** Bank accounts statements are imported for (issue 7): one per account number and currency. */
export const bankAccounts = pgTable('bank_accounts', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  accountId: text('account_id').notNull(),
  currency: text('currency').notNull(),
  name: text('name'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('bank_accounts_number').on(t.tenantId, t.accountId, t.currency),
  foreignKey({ name: 'bank_accounts_tenant_id_tenants_id_fk', columns: [t.tenantId], foreignColumns: [tenants.id] }),
  check('bank_accounts_currency', sql`${t.currency} ~ '^[A-Z]{3}$'`),
]);

/** Imported statements (append-only) with their balance check; unique per account and content. */
export const bankStatements = pgTable('bank_statements', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  bankAccountId: uuid('bank_account_id').notNull(),
  contentHash: text('content_hash').notNull(),
  fileHash: text('file_hash').notNull(),
  fileName: text('file_name'),
  format: text('format').notNull(),
  formatVersion: text('format_version').notNull(),
  statementId: text('statement_id').notNull(),
  sequence: text('sequence'),
  openingMinor: money('opening_minor'),
  openingDate: businessDate('opening_date'),
  closingMinor: money('closing_minor'),
  closingDate: businessDate('closing_date'),
  balanceCheck: text('balance_check').notNull(),
  differenceMinor: money('difference_minor').notNull(),
  entriesTotalMinor: money('entries_total_minor').notNull(),
  entryCount: integer('entry_count').notNull(),
  newEntryCount: integer('new_entry_count').notNull(),
  importedAt: instant('imported_at').notNull().default(sql`now()`),
  importedBy: text('imported_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('bank_statements_content').on(t.tenantId, t.bankAccountId, t.contentHash),
  index('bank_statements_history').on(t.tenantId, t.importedAt),
  foreignKey({ name: 'bank_statements_account_fk', columns: [t.tenantId, t.bankAccountId], foreignColumns: [bankAccounts.tenantId, bankAccounts.id] }),
  check('bank_statements_format', sql`${t.format} in ('camt.053', 'camt.052', 'camt.054', 'mt940', 'bai2', 'csv')`),
  check('bank_statements_balance_check', sql`${t.balanceCheck} in ('ok', 'mismatch', 'not_given')`),
  check('bank_statements_counts', sql`${t.newEntryCount} between 0 and ${t.entryCount}`),
]);

/** Bank entries (append-only), one per booked line; unique per account and entry key. */
export const bankEntries = pgTable('bank_entries', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  bankAccountId: uuid('bank_account_id').notNull(),
  statementId: uuid('statement_id').notNull(),
  entryKey: text('entry_key').notNull(),
  seq: integer('seq').notNull(),
  bookingDate: businessDate('booking_date'),
  valueDate: businessDate('value_date'),
  amountMinor: money('amount_minor').notNull(),
  currency: text('currency').notNull(),
  bankReference: text('bank_reference'),
  customerReference: text('customer_reference'),
  endToEndId: text('end_to_end_id'),
  remittanceText: text('remittance_text'),
  creditorReference: text('creditor_reference'),
  counterpartyName: text('counterparty_name'),
  counterpartyAccount: text('counterparty_account'),
  transactionCode: text('transaction_code'),
  reversal: boolean('reversal').notNull(),
  booked: boolean('booked').notNull(),
  details: jsonb('details'),
  position: text('position').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('bank_entries_key').on(t.tenantId, t.bankAccountId, t.entryKey),
  index('bank_entries_statement').on(t.tenantId, t.statementId, t.seq),
  foreignKey({ name: 'bank_entries_account_fk', columns: [t.tenantId, t.bankAccountId], foreignColumns: [bankAccounts.tenantId, bankAccounts.id] }),
  foreignKey({ name: 'bank_entries_statement_fk', columns: [t.tenantId, t.statementId], foreignColumns: [bankStatements.tenantId, bankStatements.id] }),
]);

/** Saved CSV mapping profiles, one per bank export layout. */
export const bankCsvProfiles = pgTable('bank_csv_profiles', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  name: text('name').notNull(),
  profile: jsonb('profile').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('bank_csv_profiles_name').on(t.tenantId, t.name),
  foreignKey({ name: 'bank_csv_profiles_tenant_id_tenants_id_fk', columns: [t.tenantId], foreignColumns: [tenants.id] }),
]);

// Collections, first part (issue 6): disputes, promises to pay, activities. Hand-written migration 0019_collections.sql.

/** A dispute on one or more open items of a customer; its status changes are dispute_events. */
export const disputes = pgTable('disputes', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  reason: text('reason').notNull(),
  status: text('status').notNull().default('open'),
  ownerTeam: text('owner_team').notNull(),
  ownerUser: text('owner_user'),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  acceptedMinor: money('accepted_minor'),
  creditNoteDocumentId: uuid('credit_note_document_id'),
  raisedOn: businessDate('raised_on').notNull(),
  dueDate: businessDate('due_date').notNull(),
  closedOn: businessDate('closed_on'),
  note: text('note'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('disputes_board').on(t.tenantId, t.status, t.dueDate),
  index('disputes_customer').on(t.tenantId, t.customerId, t.raisedOn),
  index('disputes_raised').on(t.tenantId, t.raisedOn),
  foreignKey({ name: 'disputes_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'disputes_credit_note_fk', columns: [t.tenantId, t.creditNoteDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('disputes_reason', sql`${t.reason} in ('price', 'quantity', 'quality', 'not_received', 'duplicate_billing', 'tax_invoice_error', 'other')`),
  check('disputes_status', sql`${t.status} in ('open', 'investigating', 'resolved_credit_note', 'rejected', 'partly_accepted')`),
  check('disputes_owner_team', sql`${t.ownerTeam} in ('sales', 'logistics', 'finance')`),
  check('disputes_amount', sql`${t.amountMinor} > 0`),
  check('disputes_accepted', sql`${t.acceptedMinor} is null or (${t.acceptedMinor} >= 0 and ${t.acceptedMinor} <= ${t.amountMinor})`),
  check('disputes_closed', sql`(${t.status} in ('open', 'investigating')) = (${t.closedOn} is null)`),
]);

/** The items a dispute covers, with the amount disputed on each (append-only). */
export const disputeItems = pgTable('dispute_items', {
  tenantId: uuid('tenant_id').notNull(),
  disputeId: uuid('dispute_id').notNull(),
  itemId: uuid('item_id').notNull(),
  amountMinor: money('amount_minor').notNull(),
  openAtRaiseMinor: money('open_at_raise_minor').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.disputeId, t.itemId] }),
  index('dispute_items_item').on(t.tenantId, t.itemId),
  foreignKey({ name: 'dispute_items_dispute_fk', columns: [t.tenantId, t.disputeId], foreignColumns: [disputes.tenantId, disputes.id] }),
  foreignKey({ name: 'dispute_items_item_fk', columns: [t.tenantId, t.itemId], foreignColumns: [items.tenantId, items.id] }),
  check('dispute_items_amount', sql`${t.amountMinor} > 0 and ${t.amountMinor} <= ${t.openAtRaiseMinor}`),
]);

/** Each dispute's history (append-only): raised, then every transition with who, when and a note. */
export const disputeEvents = pgTable('dispute_events', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  disputeId: uuid('dispute_id').notNull(),
  event: text('event').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  actor: text('actor').notNull(),
  note: text('note'),
  at: instant('at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('dispute_events_dispute').on(t.tenantId, t.disputeId),
  foreignKey({ name: 'dispute_events_dispute_fk', columns: [t.tenantId, t.disputeId], foreignColumns: [disputes.tenantId, disputes.id] }),
  check('dispute_events_event', sql`${t.event} in ('raised', 'transition')`),
]);

/** Promises to pay: kept, partly kept or broken is decided from the allocations by the promised date plus grace. */
export const promises = pgTable('promises', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  promisedDate: businessDate('promised_date').notNull(),
  graceDays: integer('grace_days').notNull(),
  createdOn: businessDate('created_on').notNull(),
  status: text('status').notNull().default('open'),
  keptMinor: money('kept_minor'),
  decidedOn: businessDate('decided_on'),
  note: text('note'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('promises_open').on(t.tenantId, t.status, t.promisedDate),
  index('promises_customer').on(t.tenantId, t.customerId, t.createdOn),
  foreignKey({ name: 'promises_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('promises_status', sql`${t.status} in ('open', 'kept', 'partly_kept', 'broken')`),
  check('promises_amount', sql`${t.amountMinor} > 0`),
  check('promises_grace', sql`${t.graceDays} >= 0 and ${t.graceDays} <= 60`),
  check('promises_dates', sql`${t.promisedDate} >= ${t.createdOn}`),
  check('promises_decided', sql`(${t.status} = 'open') = (${t.decidedOn} is null)`),
]);

/** The items a promise names (none: any of the customer's items in its currency). */
export const promiseItems = pgTable('promise_items', {
  tenantId: uuid('tenant_id').notNull(),
  promiseId: uuid('promise_id').notNull(),
  itemId: uuid('item_id').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.promiseId, t.itemId] }),
  foreignKey({ name: 'promise_items_promise_fk', columns: [t.tenantId, t.promiseId], foreignColumns: [promises.tenantId, promises.id] }),
  foreignKey({ name: 'promise_items_item_fk', columns: [t.tenantId, t.itemId], foreignColumns: [items.tenantId, items.id] }),
]);

/** Calls, emails, visits… on a customer's collections timeline (append-only). */
export const collectionActivities = pgTable('collection_activities', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  activityDate: businessDate('activity_date').notNull(),
  channel: text('channel').notNull(),
  outcome: text('outcome').notNull(),
  contact: text('contact'),
  note: text('note'),
  followUpOn: businessDate('follow_up_on'),
  promiseId: uuid('promise_id'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('collection_activities_customer').on(t.tenantId, t.customerId, t.activityDate),
  foreignKey({ name: 'collection_activities_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'collection_activities_promise_fk', columns: [t.tenantId, t.promiseId], foreignColumns: [promises.tenantId, promises.id] }),
  check('collection_activities_channel', sql`${t.channel} in ('phone', 'email', 'sms', 'visit', 'letter')`),
  check('collection_activities_outcome', sql`${t.outcome} in ('reached', 'no_answer', 'promised', 'refused', 'wrong_contact', 'left_message')`),
]);

/** The company's collection settings: the promises' default grace days. */
export const collectionSettings = pgTable('collection_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  promiseGraceDays: integer('promise_grace_days').notNull().default(3),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  check('collection_settings_grace', sql`${t.promiseGraceDays} >= 0 and ${t.promiseGraceDays} <= 60`),
]);

// ---------------------------------------------------------------------------------------------------------------
// Dunning (issue 6, "Strategies and dunning"). Hand-written migration 0021_dunning.sql.

/** The company's dunning settings: the late interest rate (percent a year; null: none) and the bank details reminders print. */
export const dunningSettings = pgTable('dunning_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  interestRatePercent: numeric('interest_rate_percent', { precision: 9, scale: 4 }),
  bankName: text('bank_name'),
  bankAccount: text('bank_account'),
  bankAccountName: text('bank_account_name'),
  statementLink: text('statement_link'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  check('dunning_settings_rate', sql`${t.interestRatePercent} is null or (${t.interestRatePercent} >= 0 and ${t.interestRatePercent} <= 100)`),
]);

/** A dunning strategy and its assignment rule (all conditions given must hold; lower priority first; one default). */
export const dunningStrategies = pgTable('dunning_strategies', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  priority: integer('priority').notNull().default(100),
  matchSegment: text('match_segment'),
  matchGrades: text('match_grades').array(),
  matchMinOpenMinor: money('match_min_open_minor'),
  matchMinBrokenPromises: integer('match_min_broken_promises'),
  isDefault: boolean('is_default').notNull().default(false),
  minAmountMinor: money('min_amount_minor').notNull().default(sql`0`),
  active: boolean('active').notNull().default(true),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('dunning_strategies_code').on(t.tenantId, t.code),
  uniqueIndex('dunning_strategies_one_default').on(t.tenantId).where(sql`${t.isDefault}`),
  check('dunning_strategies_min', sql`${t.minAmountMinor} >= 0`),
]);

/** A strategy's steps, in order (seq), relative to the items' due dates. */
export const dunningSteps = pgTable('dunning_steps', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  strategyId: uuid('strategy_id').notNull(),
  seq: integer('seq').notNull(),
  offsetDays: integer('offset_days').notNull(),
  channel: text('channel').notNull(),
  templateKey: text('template_key').notNull(),
  feeMinor: money('fee_minor'),
  feeCurrency: text('fee_currency'),
  lateInterest: boolean('late_interest').notNull().default(false),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('dunning_steps_seq').on(t.tenantId, t.strategyId, t.seq),
  foreignKey({ name: 'dunning_steps_strategy_fk', columns: [t.tenantId, t.strategyId], foreignColumns: [dunningStrategies.tenantId, dunningStrategies.id] }),
  check('dunning_steps_channel', sql`${t.channel} in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task')`),
  check('dunning_steps_fee', sql`(${t.feeMinor} is null) = (${t.feeCurrency} is null) and (${t.feeMinor} is null or ${t.feeMinor} > 0)`),
]);

/** Message templates per key and language. */
export const dunningTemplates = pgTable('dunning_templates', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  key: text('key').notNull(),
  language: text('language').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('dunning_templates_key').on(t.tenantId, t.key, t.language),
  check('dunning_templates_language', sql`${t.language} in ('zh-CN', 'en')`),
]);

/** A customer's dunning settings: a pinned strategy, "do not dun", in legal. */
export const dunningCustomers = pgTable('dunning_customers', {
  tenantId: uuid('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  pinnedStrategyId: uuid('pinned_strategy_id'),
  doNotDun: boolean('do_not_dun').notNull().default(false),
  inLegal: boolean('in_legal').notNull().default(false),
  note: text('note'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.customerId] }),
  foreignKey({ name: 'dunning_customers_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'dunning_customers_strategy_fk', columns: [t.tenantId, t.pinnedStrategyId], foreignColumns: [dunningStrategies.tenantId, dunningStrategies.id] }),
]);

/** A real dunning run (a dry run writes nothing). Append-only. */
export const dunningRuns = pgTable('dunning_runs', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  asOf: businessDate('as_of').notNull(),
  messages: integer('messages').notNull(),
  tasks: integer('tasks').notNull(),
  items: integer('items').notNull(),
  skipped: integer('skipped').notNull(),
  fees: integer('fees').notNull(),
  summary: jsonb('summary').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('dunning_runs_as_of').on(t.tenantId, t.asOf),
]);

/**
 * The step each item reached in a run, with the earlier steps it skipped then (after missed days): once per item,
 * strategy and step reached. Append-only. No foreign keys (migration 0026): the run writes these rows from the items
 * it has just read and the run it has just created, in its own transaction.
 */
export const dunningItemSteps = pgTable('dunning_item_steps', {
  tenantId: uuid('tenant_id').notNull(),
  itemId: uuid('item_id').notNull(),
  strategyId: uuid('strategy_id').notNull(),
  stepSeq: integer('step_seq').notNull(),
  skippedSeqs: integer('skipped_seqs').array().notNull().default(sql`'{}'`),
  runId: uuid('run_id').notNull(),
  outboxId: uuid('outbox_id'),
  asOf: businessDate('as_of').notNull(),
  openMinor: money('open_minor').notNull(),
  interestMinor: money('interest_minor').notNull().default(sql`0`),
  interestTo: businessDate('interest_to'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.itemId, t.strategyId, t.stepSeq] }),
]);

/** One message (or task) per run day, customer and step, rendered; its delivery status, attempts and claim. */
export const dunningOutbox = pgTable('dunning_outbox', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  runId: uuid('run_id').notNull(),
  key: text('key').notNull(),
  asOf: businessDate('as_of').notNull(),
  customerId: uuid('customer_id').notNull(),
  strategyId: uuid('strategy_id').notNull(),
  stepSeq: integer('step_seq').notNull(),
  channel: text('channel').notNull(),
  language: text('language').notNull(),
  recipient: text('recipient'),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  totals: jsonb('totals').notNull(),
  items: jsonb('items').notNull(),
  feeDocuments: text('fee_documents').array(),
  status: text('status').notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: instant('next_attempt_at'),
  claimedAt: instant('claimed_at'),
  claimToken: uuid('claim_token'),
  messageId: text('message_id'),
  providerId: text('provider_id'),
  error: text('error'),
  sentAt: instant('sent_at'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('dunning_outbox_key').on(t.tenantId, t.key),
  index('dunning_outbox_run').on(t.tenantId, t.runId),
  index('dunning_outbox_due').on(t.tenantId, t.status, t.nextAttemptAt),
  index('dunning_outbox_customer').on(t.tenantId, t.customerId, t.asOf),
  // A bounce is reported by the id the message was sent with (migration 0025).
  index('dunning_outbox_message_id').on(t.tenantId, t.messageId).where(sql`${t.messageId} is not null`),
  index('dunning_outbox_provider_id').on(t.tenantId, t.providerId).where(sql`${t.providerId} is not null`),
  check('dunning_outbox_channel', sql`${t.channel} in ('email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task')`),
  check('dunning_outbox_status', sql`${t.status} in ('queued', 'sending', 'sent', 'failed', 'bounced', 'task', 'done')`),
]);

/** The company's cash-matching settings (issue 7): thresholds, bank-charge tolerance, subset-sum bounds. */
export const bankMatchSettings = pgTable('bank_match_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  autoApplyScore: smallint('auto_apply_score').notNull().default(80),
  suggestScore: smallint('suggest_score').notNull().default(40),
  ambiguityMargin: smallint('ambiguity_margin').notNull().default(10),
  chargeToleranceMinor: money('charge_tolerance_minor').notNull().default(sql`0`),
  chargeToleranceBp: integer('charge_tolerance_bp').notNull().default(0),
  /** Short payments beyond the charge tolerance and up to this (or the share below) are deductions: a dispute. 0: off. */
  deductionToleranceMinor: money('deduction_tolerance_minor').notNull().default(sql`0`),
  deductionToleranceBp: integer('deduction_tolerance_bp').notNull().default(0),
  /** How far the bank's FX rate may be from the rate on file, in basis points of the converted amount (50 = 0.5%). */
  fxToleranceBp: integer('fx_tolerance_bp').notNull().default(50),
  maxItems: smallint('max_items').notNull().default(5),
  maxCombinations: integer('max_combinations').notNull().default(20000),
  autoApply: boolean('auto_apply').notNull().default(true),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  check('bank_match_settings_scores', sql`${t.suggestScore} between 0 and 100 and ${t.autoApplyScore} between ${t.suggestScore} and 101 and ${t.ambiguityMargin} between 0 and 100`),
  check('bank_match_settings_tolerance', sql`${t.chargeToleranceMinor} >= 0 and ${t.chargeToleranceBp} between 0 and 1000`),
  check('bank_match_settings_deduction', sql`${t.deductionToleranceMinor} >= 0 and ${t.deductionToleranceBp} between 0 and 5000`),
  check('bank_match_settings_fx', sql`${t.fxToleranceBp} between 0 and 1000`),
  check('bank_match_settings_bounds', sql`${t.maxItems} between 1 and 10 and ${t.maxCombinations} between 1 and 1000000`),
]);

/** Payer accounts known per customer: learned when a user confirms a match (or entered by hand). */
export const customerBankAccounts = pgTable('customer_bank_accounts', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  /** The account's letters and digits, upper case: what a statement's payer account is compared by. */
  accountKey: text('account_key').notNull(),
  account: text('account').notNull(),
  source: text('source').notNull(),
  confirmations: integer('confirmations').notNull().default(1),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('customer_bank_accounts_key').on(t.tenantId, t.accountKey, t.customerId),
  foreignKey({ name: 'customer_bank_accounts_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('customer_bank_accounts_source', sql`${t.source} in ('learned', 'manual')`),
]);

/** How a customer quotes invoices (learned from a user's decision): the number's last `digits` digits after `marker`. */
export const customerReferencePatterns = pgTable('customer_reference_patterns', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  customerId: uuid('customer_id').notNull(),
  marker: text('marker').notNull(),
  digits: smallint('digits').notNull(),
  /** The text it was learned from, as the payer wrote it (e.g. "尾号0012"). */
  example: text('example').notNull(),
  confirmations: integer('confirmations').notNull().default(1),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('customer_reference_patterns_key').on(t.tenantId, t.customerId, t.marker, t.digits),
  foreignKey({ name: 'customer_reference_patterns_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('customer_reference_patterns_digits', sql`${t.digits} between 4 and 12 and length(${t.marker}) <= 8`),
]);

/** Each matched bank line's state: applied (automatically or by a user), suggested, unmatched or rejected. */
export const bankLineMatches = pgTable('bank_line_matches', {
  tenantId: uuid('tenant_id').notNull(),
  entryId: uuid('entry_id').notNull(),
  statementId: uuid('statement_id').notNull(),
  status: text('status').notNull(),
  bestScore: smallint('best_score'),
  note: text('note').notNull(),
  matchedAt: instant('matched_at').notNull().default(sql`now()`),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.entryId] }),
  index('bank_line_matches_statement').on(t.tenantId, t.statementId, t.status),
  foreignKey({ name: 'bank_line_matches_entry_fk', columns: [t.tenantId, t.entryId], foreignColumns: [bankEntries.tenantId, bankEntries.id] }),
  check('bank_line_matches_status', sql`${t.status} in ('auto_applied', 'applied', 'suggested', 'unmatched', 'rejected')`),
]);

/** A line's ranked proposals with their reasons (JSON: code, points, words) and score. */
export const bankMatchProposals = pgTable('bank_match_proposals', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  entryId: uuid('entry_id').notNull(),
  rank: smallint('rank').notNull(),
  customerId: uuid('customer_id').notNull(),
  kind: text('kind').notNull(),
  score: smallint('score').notNull(),
  reasons: jsonb('reasons').notNull(),
  allocations: jsonb('allocations').notNull(),
  writeOffMinor: money('write_off_minor').notNull().default(sql`0`),
  writeOffReason: text('write_off_reason'),
  unappliedMinor: money('unapplied_minor').notNull().default(sql`0`),
  /** What the payer deducted, per item ({itemId, documentNumber, amountMinor}): raised as a dispute when applied. */
  deductions: jsonb('deductions').notNull().default(sql`'[]'::jsonb`),
  status: text('status').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  decidedAt: instant('decided_at'),
  decidedBy: text('decided_by'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('bank_match_proposals_entry').on(t.tenantId, t.entryId, t.status, t.rank),
  foreignKey({ name: 'bank_match_proposals_entry_fk', columns: [t.tenantId, t.entryId], foreignColumns: [bankEntries.tenantId, bankEntries.id] }),
  foreignKey({ name: 'bank_match_proposals_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  check('bank_match_proposals_status', sql`${t.status} in ('proposed', 'accepted', 'rejected', 'auto_applied', 'superseded')`),
  check('bank_match_proposals_score', sql`${t.score} between 0 and 100`),
]);

/** A bank line applied: the payment (and write-off) documents posted for it; at most one live application per line. */
export const bankLineApplications = pgTable('bank_line_applications', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  entryId: uuid('entry_id').notNull(),
  proposalId: uuid('proposal_id'),
  customerId: uuid('customer_id').notNull(),
  mode: text('mode').notNull(),
  paymentDocumentId: uuid('payment_document_id').notNull(),
  writeOffDocumentId: uuid('write_off_document_id'),
  amountMinor: money('amount_minor').notNull(),
  appliedMinor: money('applied_minor').notNull(),
  writeOffMinor: money('write_off_minor').notNull().default(sql`0`),
  unappliedMinor: money('unapplied_minor').notNull().default(sql`0`),
  /** The payer's deduction left open on the items and the dispute raised for it. */
  deductionMinor: money('deduction_minor').notNull().default(sql`0`),
  disputeId: uuid('dispute_id'),
  appliedAt: instant('applied_at').notNull().default(sql`now()`),
  appliedBy: text('applied_by').notNull(),
  undoneAt: instant('undone_at'),
  undoneBy: text('undone_by'),
  undoReason: text('undo_reason'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('bank_line_applications_once').on(t.tenantId, t.entryId).where(sql`${t.undoneAt} is null`),
  foreignKey({ name: 'bank_line_applications_entry_fk', columns: [t.tenantId, t.entryId], foreignColumns: [bankEntries.tenantId, bankEntries.id] }),
  foreignKey({ name: 'bank_line_applications_payment_fk', columns: [t.tenantId, t.paymentDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('bank_line_applications_mode', sql`${t.mode} in ('auto', 'manual')`),
  check('bank_line_applications_amounts', sql`${t.amountMinor} > 0 and ${t.appliedMinor} + ${t.unappliedMinor} = ${t.amountMinor}`),
]);

// ---------------------------------------------------------------------------------------------------------------
// Payment plans and escalation (issue 6; migration 0023).

/** Installment agreements: one row per version; a renegotiation replaces a version by the next (previous_id). */
export const paymentPlans = pgTable('payment_plans', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  number: text('number').notNull(),
  version: integer('version').notNull(),
  previousId: uuid('previous_id'),
  customerId: uuid('customer_id').notNull(),
  currency: text('currency').notNull(),
  status: text('status').notNull().default('active'),
  startDate: businessDate('start_date').notNull(),
  principalMinor: money('principal_minor').notNull(),
  downPaymentMinor: money('down_payment_minor').notNull(),
  rateBp: integer('rate_bp').notNull(),
  interestMinor: money('interest_minor').notNull(),
  feeMinor: money('fee_minor').notNull(),
  totalMinor: money('total_minor').notNull(),
  graceDays: integer('grace_days').notNull(),
  chargeDocumentId: uuid('charge_document_id'),
  endedOn: businessDate('ended_on'),
  endReason: text('end_reason'),
  note: text('note'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('payment_plans_number_version').on(t.tenantId, t.number, t.version),
  index('payment_plans_customer').on(t.tenantId, t.customerId, t.status),
  index('payment_plans_status').on(t.tenantId, t.status, t.startDate),
  foreignKey({ name: 'payment_plans_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'payment_plans_previous_fk', columns: [t.tenantId, t.previousId], foreignColumns: [t.tenantId, t.id] }),
  foreignKey({ name: 'payment_plans_charge_fk', columns: [t.tenantId, t.chargeDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('payment_plans_status', sql`${t.status} in ('active', 'completed', 'cancelled', 'replaced')`),
  check('payment_plans_amounts', sql`${t.principalMinor} > 0 and ${t.downPaymentMinor} >= 0 and ${t.downPaymentMinor} < ${t.principalMinor} and ${t.interestMinor} >= 0 and ${t.feeMinor} >= 0`),
  check('payment_plans_rate', sql`${t.rateBp} >= 0 and ${t.rateBp} <= 10000`),
  check('payment_plans_grace', sql`${t.graceDays} >= 0 and ${t.graceDays} <= 60`),
  check('payment_plans_ended', sql`(${t.status} = 'active') = (${t.endedOn} is null)`),
]);

/** The items a plan version covers, with their open amount when it was made (append-only). */
export const paymentPlanItems = pgTable('payment_plan_items', {
  tenantId: uuid('tenant_id').notNull(),
  planId: uuid('plan_id').notNull(),
  itemId: uuid('item_id').notNull(),
  openMinor: money('open_minor').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.planId, t.itemId] }),
  index('payment_plan_items_item').on(t.tenantId, t.itemId),
  foreignKey({ name: 'payment_plan_items_plan_fk', columns: [t.tenantId, t.planId], foreignColumns: [paymentPlans.tenantId, paymentPlans.id] }),
  foreignKey({ name: 'payment_plan_items_item_fk', columns: [t.tenantId, t.itemId], foreignColumns: [items.tenantId, items.id] }),
  check('payment_plan_items_open', sql`${t.openMinor} > 0`),
]);

/** A plan version's schedule: 0 the down payment, 1…n the installments (append-only). */
export const paymentPlanInstallments = pgTable('payment_plan_installments', {
  tenantId: uuid('tenant_id').notNull(),
  planId: uuid('plan_id').notNull(),
  seq: integer('seq').notNull(),
  dueDate: businessDate('due_date').notNull(),
  principalMinor: money('principal_minor').notNull(),
  interestMinor: money('interest_minor').notNull(),
  feeMinor: money('fee_minor').notNull(),
  amountMinor: money('amount_minor').notNull(),
  days: integer('days').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.planId, t.seq] }),
  foreignKey({ name: 'payment_plan_installments_plan_fk', columns: [t.tenantId, t.planId], foreignColumns: [paymentPlans.tenantId, paymentPlans.id] }),
  check('payment_plan_installments_amount', sql`${t.amountMinor} = ${t.principalMinor} + ${t.interestMinor} + ${t.feeMinor}`),
]);

/** A plan's history (append-only). */
export const paymentPlanEvents = pgTable('payment_plan_events', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  planId: uuid('plan_id').notNull(),
  event: text('event').notNull(),
  actor: text('actor').notNull(),
  onDate: businessDate('on_date').notNull(),
  note: text('note'),
  at: instant('at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('payment_plan_events_plan').on(t.tenantId, t.planId),
  foreignKey({ name: 'payment_plan_events_plan_fk', columns: [t.tenantId, t.planId], foreignColumns: [paymentPlans.tenantId, paymentPlans.id] }),
  check('payment_plan_events_event', sql`${t.event} in ('created', 'renegotiated', 'replaced', 'cancelled', 'completed')`),
]);

/** The company's plan settings: grace days, and the days unpaid after which a plan is cancelled (null: never). */
export const paymentPlanSettings = pgTable('payment_plan_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  graceDays: integer('grace_days').notNull().default(3),
  autoCancelDays: integer('auto_cancel_days'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  check('payment_plan_settings_grace', sql`${t.graceDays} >= 0 and ${t.graceDays} <= 60`),
  check('payment_plan_settings_cancel', sql`${t.autoCancelDays} is null or (${t.autoCancelDays} >= 1 and ${t.autoCancelDays} <= 365)`),
]);

/** Collection agencies and law firms, with their commission rate. */
export const collectionAgencies = pgTable('collection_agencies', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  commissionBp: integer('commission_bp').notNull(),
  contact: text('contact'),
  email: text('email'),
  phone: text('phone'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('collection_agencies_code').on(t.tenantId, t.code),
  check('collection_agencies_kind', sql`${t.kind} in ('agency', 'law_firm')`),
  check('collection_agencies_commission', sql`${t.commissionBp} >= 0 and ${t.commissionBp} <= 10000`),
]);

/** Hand-overs of a customer's items to an agency or to legal action. */
export const escalationCases = pgTable('escalation_cases', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  number: text('number').notNull(),
  customerId: uuid('customer_id').notNull(),
  kind: text('kind').notNull(),
  agencyId: uuid('agency_id'),
  lawyer: text('lawyer'),
  currency: text('currency').notNull(),
  amountMinor: money('amount_minor').notNull(),
  commissionBp: integer('commission_bp').notNull(),
  status: text('status').notNull().default('open'),
  openedOn: businessDate('opened_on').notNull(),
  closedOn: businessDate('closed_on'),
  note: text('note'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('escalation_cases_number').on(t.tenantId, t.number),
  index('escalation_cases_customer').on(t.tenantId, t.customerId, t.status),
  foreignKey({ name: 'escalation_cases_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
  foreignKey({ name: 'escalation_cases_agency_fk', columns: [t.tenantId, t.agencyId], foreignColumns: [collectionAgencies.tenantId, collectionAgencies.id] }),
  check('escalation_cases_kind', sql`${t.kind} in ('agency', 'legal')`),
  check('escalation_cases_status', sql`${t.status} in ('open', 'in_progress', 'closed_recovered', 'closed_partly', 'closed_unrecoverable')`),
  check('escalation_cases_amount', sql`${t.amountMinor} > 0`),
  check('escalation_cases_commission', sql`${t.commissionBp} >= 0 and ${t.commissionBp} <= 10000`),
  check('escalation_cases_agency', sql`${t.kind} = 'legal' or ${t.agencyId} is not null`),
  check('escalation_cases_closed', sql`(${t.status} in ('open', 'in_progress')) = (${t.closedOn} is null)`),
]);

/** The items handed over, with the amount open when handed over (append-only). */
export const escalationCaseItems = pgTable('escalation_case_items', {
  tenantId: uuid('tenant_id').notNull(),
  caseId: uuid('case_id').notNull(),
  itemId: uuid('item_id').notNull(),
  amountMinor: money('amount_minor').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.caseId, t.itemId] }),
  index('escalation_case_items_item').on(t.tenantId, t.itemId),
  foreignKey({ name: 'escalation_case_items_case_fk', columns: [t.tenantId, t.caseId], foreignColumns: [escalationCases.tenantId, escalationCases.id] }),
  foreignKey({ name: 'escalation_case_items_item_fk', columns: [t.tenantId, t.itemId], foreignColumns: [items.tenantId, items.id] }),
  check('escalation_case_items_amount', sql`${t.amountMinor} > 0`),
]);

/** Cash recovered on a case: each a payment posted in the ledger and applied to the case's items (append-only). */
export const escalationRecoveries = pgTable('escalation_recoveries', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  caseId: uuid('case_id').notNull(),
  recoveredOn: businessDate('recovered_on').notNull(),
  amountMinor: money('amount_minor').notNull(),
  commissionMinor: money('commission_minor').notNull(),
  paymentDocumentId: uuid('payment_document_id').notNull(),
  reference: text('reference'),
  note: text('note'),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('escalation_recoveries_case').on(t.tenantId, t.caseId),
  foreignKey({ name: 'escalation_recoveries_case_fk', columns: [t.tenantId, t.caseId], foreignColumns: [escalationCases.tenantId, escalationCases.id] }),
  foreignKey({ name: 'escalation_recoveries_payment_fk', columns: [t.tenantId, t.paymentDocumentId], foreignColumns: [documents.tenantId, documents.id] }),
  check('escalation_recoveries_amount', sql`${t.amountMinor} > 0 and ${t.commissionMinor} >= 0`),
]);

/** Costs of a case: court fees, lawyer's fees… (append-only). */
export const escalationCosts = pgTable('escalation_costs', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  caseId: uuid('case_id').notNull(),
  incurredOn: businessDate('incurred_on').notNull(),
  amountMinor: money('amount_minor').notNull(),
  description: text('description').notNull(),
  createdAt: instant('created_at').notNull().default(sql`now()`),
  createdBy: text('created_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('escalation_costs_case').on(t.tenantId, t.caseId),
  foreignKey({ name: 'escalation_costs_case_fk', columns: [t.tenantId, t.caseId], foreignColumns: [escalationCases.tenantId, escalationCases.id] }),
  check('escalation_costs_amount', sql`${t.amountMinor} > 0`),
]);

/** A case's history (append-only). */
export const escalationEvents = pgTable('escalation_events', {
  tenantId: uuid('tenant_id').notNull(),
  id: uuid('id').notNull(),
  caseId: uuid('case_id').notNull(),
  event: text('event').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  actor: text('actor').notNull(),
  note: text('note'),
  at: instant('at').notNull().default(sql`now()`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('escalation_events_case').on(t.tenantId, t.caseId),
  foreignKey({ name: 'escalation_events_case_fk', columns: [t.tenantId, t.caseId], foreignColumns: [escalationCases.tenantId, escalationCases.id] }),
  check('escalation_events_event', sql`${t.event} in ('opened', 'transition', 'recovery', 'cost')`),
]);

/** Per collector and month: the amount to collect (functional currency) and the CEI to reach (basis points of a percent). */
export const collectorTargets = pgTable('collector_targets', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  collector: text('collector').notNull(),
  month: businessDate('month').notNull(),
  collectedMinor: money('collected_minor').notNull(),
  ceiBp: integer('cei_bp'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.collector, t.month] }),
  check('collector_targets_month', sql`extract(day from ${t.month}) = 1`),
  check('collector_targets_amounts', sql`${t.collectedMinor} >= 0 and (${t.ceiBp} is null or (${t.ceiBp} >= 0 and ${t.ceiBp} <= 10000))`),
]);

// Company email (issue 6): a company's own SMTP server, used instead of the installation's ARFLOW_SMTP_URL.

/** A company's outgoing mail server; the password is encrypted (src/modules/mail/secret.ts). */
export const companyMailSettings = pgTable('company_mail_settings', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id),
  host: text('host').notNull(),
  port: integer('port').notNull(),
  security: text('security').notNull(),
  username: text('username'),
  passwordSealed: text('password_sealed'),
  fromAddress: text('from_address').notNull(),
  fromName: text('from_name'),
  replyTo: text('reply_to'),
  updatedAt: instant('updated_at').notNull().default(sql`now()`),
  updatedBy: text('updated_by').notNull(),
}, (t) => [
  check('company_mail_settings_port', sql`${t.port} between 1 and 65535`),
  check('company_mail_settings_security', sql`${t.security} in ('tls', 'starttls', 'none')`),
]);

// Remittance advices (issue 7): a customer's list of the invoices a payment covers, kept for cash matching.

/** One advice file: its payer (when known), currency and total; `bank_entry_id` once a bank line used it. */
export const remittanceAdvices = pgTable('remittance_advices', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
  id: uuid('id').notNull(),
  fileHash: text('file_hash').notNull(),
  fileName: text('file_name'),
  customerId: uuid('customer_id'),
  currency: text('currency').notNull(),
  totalMinor: money('total_minor').notNull(),
  lineCount: integer('line_count').notNull(),
  reference: text('reference'),
  paymentDate: businessDate('payment_date'),
  bankEntryId: uuid('bank_entry_id'),
  importedAt: instant('imported_at').notNull().default(sql`now()`),
  importedBy: text('imported_by').notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  uniqueIndex('remittance_advices_file').on(t.tenantId, t.fileHash),
  index('remittance_advices_open').on(t.tenantId, t.currency, t.totalMinor).where(sql`${t.bankEntryId} is null`),
  foreignKey({ name: 'remittance_advices_customer_fk', columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }),
]);

/** The advice's lines: an invoice number as the customer wrote it, the document it names (when found), the amount. */
export const remittanceAdviceLines = pgTable('remittance_advice_lines', {
  tenantId: uuid('tenant_id').notNull(),
  adviceId: uuid('advice_id').notNull(),
  line: integer('line').notNull(),
  invoiceNumber: text('invoice_number').notNull(),
  documentId: uuid('document_id'),
  amountMinor: money('amount_minor').notNull(),
  deductionMinor: money('deduction_minor').notNull(),
  reference: text('reference'),
  paymentDate: businessDate('payment_date'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.adviceId, t.line] }),
  foreignKey({ name: 'remittance_advice_lines_advice_fk', columns: [t.tenantId, t.adviceId], foreignColumns: [remittanceAdvices.tenantId, remittanceAdvices.id] }),
]);

/**
 * One side of one allocation (two rows per allocation) with copies of its item's facts, which never change, so that
 * what moved after a date is read without joining the balances (migration 0027; src/modules/ledger/open-at.ts).
 * Written only by the allocations' statement trigger; `amountMinor` is what the allocation applied to this item, in
 * the item's currency (negative for a reversal); `counterKind` is the other item's document kind.
 */
export const itemMoves = pgTable('item_moves', {
  tenantId: uuid('tenant_id').notNull(),
  allocationId: uuid('allocation_id').notNull(),
  itemId: uuid('item_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  side: text('side').notNull(),
  kind: text('kind').notNull(),
  currency: text('currency').notNull(),
  documentDate: businessDate('document_date').notNull(),
  dueDate: businessDate('due_date').notNull(),
  moveDate: businessDate('move_date').notNull(),
  amountMinor: money('amount_minor').notNull(),
  counterKind: text('counter_kind').notNull(),
  reversesAllocationId: uuid('reverses_allocation_id'),
}, (t) => [
  // No key: written only by the allocations' trigger, two rows per allocation (migration 0027 says why).
  index('item_moves_date').on(t.tenantId, t.moveDate, t.documentDate),
  // One customer's movements after a date (an alert evaluation, a statement at a past date; migration 0037).
  index('item_moves_customer').on(t.tenantId, t.customerId, t.moveDate),
]);
