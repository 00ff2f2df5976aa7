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
