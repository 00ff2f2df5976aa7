/**
 * Who may do what: the roles of a receivables team and the permissions each one has, in one place. Every API route
 * and CLI command names the permission it needs; docs/security.md shows this matrix and a test holds the running
 * server to it, route by route and role by role.
 *
 * Collectors and sales people see only their own customers: those whose `collector` (or `salesperson`) is the user's
 * handle. That is a row scope applied by the queries, on top of the permission.
 */

export const ROLES = ['admin', 'finance_manager', 'credit_manager', 'collector', 'sales', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission, with what it allows, as the user-administration screen and docs/security.md show it. */
export const PERMISSIONS = {
  'company.read': 'See the company: currency, time zone, settings',
  'company.manage': 'Change company settings and approval thresholds',
  'customers.read': 'See customers, their contacts, balances and open items',
  'customers.write': 'Create and change customers and contacts',
  'customers.credit': 'Change a customer\'s credit limit or payment terms (needs approval)',
  'terms.read': 'See payment terms',
  'terms.write': 'Create payment terms',
  'fx.read': 'See FX rates',
  'fx.write': 'Record FX rates',
  'documents.read': 'See documents, their allocations and history',
  'documents.post': 'Post invoices, notes, payments, advance receipts and refunds; apply credits to open items',
  'documents.reverse': 'Reverse a posted document or undo an allocation (needs approval)',
  'documents.verify': 'Verify an advance receipt against the bank',
  'write_offs.post': 'Write off open items (above the company threshold: needs approval)',
  'imports.run': 'Import customers and documents from files',
  'exports.run': 'Export data to files',
  'ledger.verify': 'Check and rebuild the ledger\'s cached balances',
  'audit.read': 'Search the audit trail',
  'audit.export': 'Export the audit trail',
  'audit.verify': 'Verify the audit trail\'s hash chain',
  'approvals.decide': 'Approve or reject other users\' requests',
  'disputes.raise': 'Raise a dispute on an invoice',
  'provision.read': 'See the bad-debt provision: preview, runs, movement and journal, settings',
  'provision.run': 'Change the provision settings and record period-end provision runs',
  'users.read': 'See users and API tokens',
  'users.manage': 'Create, change and disable users; issue and revoke API tokens',
  'statements.send': 'Email statements of account to customers (a collector: their own customers)',
  'confirmations.read': 'See balance confirmations, their answers and the emails sent',
  'confirmations.manage': 'Issue balance confirmations, send them and record the customers\' answers',
  'credit.read': 'See credit files, financial statements, ratios, scores, assessments and the review queue (collectors and sales: their own customers)',
  'credit.manage': 'Edit credit files and statements, run assessments, change the scorecard, complete credit reviews',
  'credit.check': 'Run credit checks; register open orders and shipments for the credit exposure',
  'credit.hold': 'Put customers on credit hold, ask for a hold\'s release and run the hold rules (a release needs approval)',
  'alerts.read': 'See early-warning alerts (a collector or salesperson: their own customers\'); acknowledge alerts they own',
  'alerts.manage': 'Acknowledge, resolve and assign any alert in scope; run an evaluation',
  'alerts.settings': 'Change the alert rules\' thresholds and routing',
  'bank.import': 'Import bank statements (camt, MT940, BAI2, CSV) and save CSV mapping profiles',
  'bank.match': 'Match bank lines to invoices: run matching, accept, reject or undo a line\'s application, change the matching settings',
  'disputes.manage': 'Move disputes through investigation to resolution (credit note, rejection, partial acceptance)',
  'collections.record': 'Record collection calls and promises to pay (a collector: their own customers); evaluate promises; make, renegotiate and cancel payment plans',
  'dunning.manage': 'Define dunning strategies, steps and templates, customers\' dunning settings; run dunning and send the outbox',
  'escalations.manage': 'Manage collection agencies; hand customers\' items over to an agency or to legal action; record recoveries (posted as payments) and costs; move cases on',
  'targets.manage': 'Set collectors\' monthly targets (amount collected, CEI)',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.keys(PERMISSIONS) as Permission[];
const READS: Permission[] = ['company.read', 'customers.read', 'terms.read', 'fx.read', 'documents.read'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ALL,
  finance_manager: ALL.filter((p) => !['company.manage', 'users.manage', 'audit.verify'].includes(p)),
  credit_manager: [...READS, 'customers.write', 'customers.credit', 'approvals.decide', 'exports.run', 'disputes.raise', 'provision.read', 'credit.read', 'credit.manage', 'credit.check', 'credit.hold', 'alerts.read', 'alerts.manage', 'alerts.settings', 'disputes.manage', 'collections.record', 'escalations.manage', 'targets.manage'],
  collector: [...READS, 'disputes.raise', 'statements.send', 'credit.read', 'alerts.read', 'collections.record'],
  sales: [...READS, 'disputes.raise', 'credit.read', 'credit.check', 'alerts.read'],
  auditor: [...READS, 'exports.run', 'audit.read', 'audit.export', 'audit.verify', 'users.read', 'provision.read', 'confirmations.read', 'credit.read', 'alerts.read'],
  viewer: READS,
};

/** Roles whose users see only some customers, and the customer field that names the user (by handle). */
export const ROLE_SCOPE: Readonly<Partial<Record<Role, 'collector' | 'salesperson'>>> = {
  collector: 'collector',
  sales: 'salesperson',
};

export const ROLE_NAMES: Readonly<Record<Role, { en: string; zh: string }>> = {
  admin: { en: 'Administrator', zh: '系统管理员' },
  finance_manager: { en: 'Finance manager', zh: '财务经理' },
  credit_manager: { en: 'Credit manager', zh: '信用经理' },
  collector: { en: 'Collector', zh: '催收专员' },
  sales: { en: 'Sales', zh: '销售' },
  auditor: { en: 'Auditor', zh: '审计' },
  viewer: { en: 'Viewer', zh: '只读用户' },
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * Segregation of duties: a request that needs approval may not be approved by whoever made it, and only by a user
 * whose role may decide approvals and may also do the thing itself.
 */
export function mayApprove(approver: { id: string; role: Role }, request: { requestedBy: string; permission: Permission }): boolean {
  return approver.id !== request.requestedBy && can(approver.role, 'approvals.decide') && can(approver.role, request.permission);
}
