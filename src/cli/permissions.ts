/**
 * The permission each tenant command needs (docs/security.md lists them). The operator commands (init, tenants,
 * serve, db migrate, demo) work on the database as a whole and are for whoever can open it; they take no token.
 */
import type { Command } from 'commander';
import type { Permission } from '../domain/access.ts';

export const CLI_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'terms add': 'terms.write',
  'terms list': 'terms.read',
  'customers list': 'customers.read',
  'customers show': 'customers.read',
  'fx set': 'fx.write',
  'fx list': 'fx.read',
  import: 'imports.run',
  export: 'exports.run',
  'documents list': 'documents.read',
  'documents show': 'documents.read',
  apply: 'documents.post',
  reverse: 'documents.reverse',
  'advance verify': 'documents.verify',
  'ledger verify': 'ledger.verify',
  'users list': 'users.read',
  'users add': 'users.manage',
  'users reset-password': 'users.manage',
  'audit search': 'audit.read',
  'audit export': 'audit.export',
  'audit verify': 'audit.verify',
  aging: 'customers.read',
  kpi: 'customers.read',
  provision: 'provision.read',
  'provision-settings': 'provision.read',
  statement: 'customers.read',
  'statements settings': 'company.manage',
  'confirmations issue': 'confirmations.manage',
  'confirmations list': 'confirmations.read',
  'confirmations show': 'confirmations.read',
  'confirmations answer': 'confirmations.manage',
  'confirmations send': 'confirmations.manage',
  'credit file': 'credit.read',
  'credit financials show': 'credit.read',
  'credit financials import': 'credit.manage',
  'credit assess': 'credit.manage',
  'credit scorecard': 'credit.read',
  'credit reviews': 'credit.read',
  'credit review': 'credit.manage',
  'credit limits': 'customers.read',
  'credit limit request': 'customers.credit',
  'credit check': 'credit.check',
  'credit commitments list': 'customers.read',
  'credit commitments add': 'credit.check',
  'credit commitments update': 'credit.check',
  'credit holds list': 'customers.read',
  'credit holds place': 'credit.hold',
  'credit holds release': 'credit.hold',
  'credit holds evaluate': 'credit.hold',
  'credit settings': 'company.read',
  'alerts list': 'alerts.read',
  'alerts show': 'alerts.read',
  'alerts ack': 'alerts.read',
  'alerts resolve': 'alerts.manage',
  'alerts assign': 'alerts.manage',
  'alerts evaluate': 'alerts.manage',
  'alerts settings': 'alerts.read',
  'alerts digest': 'alerts.manage',
  'bank import': 'bank.import',
  'bank statements': 'documents.read',
  'bank show': 'documents.read',
  'bank profiles list': 'documents.read',
  'bank profiles save': 'bank.import',
  'disputes list': 'customers.read',
  'disputes show': 'customers.read',
  'disputes raise': 'disputes.raise',
  'disputes transition': 'disputes.manage',
  'disputes report': 'customers.read',
  'promises list': 'customers.read',
  'promises add': 'collections.record',
  'promises evaluate': 'collections.record',
  'activities add': 'collections.record',
  'activities list': 'customers.read',
  worklist: 'customers.read',
  'plans list': 'customers.read',
  'plans show': 'customers.read',
  'plans create': 'collections.record',
  'plans renegotiate': 'collections.record',
  'plans cancel': 'collections.record',
  'plans evaluate': 'collections.record',
  'agencies list': 'customers.read',
  'agencies save': 'escalations.manage',
  'cases list': 'customers.read',
  'cases show': 'customers.read',
  'cases open': 'escalations.manage',
  'cases recover': 'escalations.manage',
  'cases cost': 'escalations.manage',
  'cases transition': 'escalations.manage',
  'targets list': 'customers.read',
  'targets set': 'targets.manage',
  'targets effectiveness': 'customers.read',
};

/** "terms add" for `arflow terms add …`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function permissionOfCommand(command: Command): Permission {
  const path = commandPath(command);
  const permission = CLI_PERMISSIONS[path];
  if (!permission) throw new Error(`assertion failed: the command "arflow ${path}" declares no permission in CLI_PERMISSIONS`);
  return permission;
}
