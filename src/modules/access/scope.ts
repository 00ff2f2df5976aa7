/**
 * Row scope: collectors and sales people see only their own customers (docs/security.md), those whose `collector`
 * (or `salesperson`) is the user's handle, and those customers' documents and allocations. Another customer is
 * answered as not found, exactly as if it did not exist.
 */
import type { Sql } from '../../db/database.ts';
import { ROLE_SCOPE } from '../../domain/access.ts';
import { notFound } from '../../domain/errors.ts';
import type { Context } from '../context.ts';

export interface CustomerScope {
  field: 'collector' | 'salesperson';
  handle: string;
}

const NO_HANDLE = '\t(no handle)';

export function customerScope(ctx: Context): CustomerScope | null {
  const principal = ctx.principal;
  if (!principal) return null;
  const field = ROLE_SCOPE[principal.role];
  if (!field) return null;
  // An API token with a scoped role has no handle: it sees no customer at all. The stand-in matches no customer:
  // customers' collector and salesperson are trimmed, so none starts with a tab (and PostgreSQL text cannot hold
  // the NUL character that was used here before, which made every such request a 400).
  return { field, handle: principal.handle ?? NO_HANDLE };
}

/** SQL true when customer `idExpression` is in scope, with the handle as parameter `$n`. */
export function scopeCondition(scope: CustomerScope, idExpression: string, n: number): string {
  return `EXISTS (SELECT 1 FROM customers sc WHERE sc.tenant_id = $1 AND sc.id = ${idExpression} AND sc.${scope.field} = $${n})`;
}

/** Throws not found unless customer `customerId` is in the caller's scope. */
export async function assertInScope(ctx: Context, sql: Sql, customerId: string, what: () => Error = () => notFound('CUSTOMER_NOT_FOUND', 'no such customer')): Promise<void> {
  const scope = customerScope(ctx);
  if (!scope) return;
  const [row] = await sql.query(`SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2 AND ${scope.field} = $3`, [ctx.tenant.id, customerId, scope.handle]);
  if (!row) throw what();
}

/**
 * A list query's WHERE clauses with their parameters: the company first (`alias.tenant_id = $1`), then each condition
 * added with its value as the next parameter; `inScope` keeps only the customers (alias `c`) a collector or
 * salesperson may see.
 */
export function listFilter(alias: string, tenantId: string) {
  const where = [`${alias}.tenant_id = $1`];
  const params: unknown[] = [tenantId];
  const add = (cond: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(cond(params.length));
  };
  const inScope = (ctx: Context) => {
    const scope = customerScope(ctx);
    if (scope) add((n) => `c.${scope.field} = $${n}`, scope.handle);
  };
  return { where, params, add, inScope };
}
