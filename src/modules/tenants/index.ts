/** Tenants (companies): functional currency, time zone and locale. Managed as the database owner. */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { checkCurrency } from '../../domain/money.ts';
import { isTimeZone, todayIn, type LocalDate } from '../../domain/dates.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import type { Clock } from '../context.ts';
import { appendAudit } from '../audit/index.ts';
import { parseInput } from '../validate.ts';

export interface Tenant {
  id: string;
  code: string;
  name: string;
  currency: string;
  timeZone: string;
  locale: 'zh-CN' | 'en';
  defaultTermsCode: string | null;
}

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const codeSchema = z.string().regex(CODE_PATTERN, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const createTenantSchema = z.object({
  code: codeSchema,
  name: z.string().trim().min(1).max(200),
  currency: z.string().length(3).transform((c) => c.toUpperCase()),
  timeZone: z.string().min(1).max(64).default('Asia/Shanghai'),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
});
export type CreateTenantInput = z.input<typeof createTenantSchema>;

const SELECT = `SELECT id, code, name, currency, time_zone AS "timeZone", locale, default_terms_code AS "defaultTermsCode" FROM tenants`;

function checkedTenantInput(raw: CreateTenantInput) {
  const input = parseInput(createTenantSchema, raw, 'tenant');
  checkCurrency(input.currency);
  if (!isTimeZone(input.timeZone)) {
    throw invalid('INVALID_TIME_ZONE', `timeZone: "${input.timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`, [
      { field: 'timeZone', message: 'unknown time zone' },
    ]);
  }
  return input;
}

/** Validates a new tenant and that its code is free, without writing (for `arflow init`, before anything is written). */
export async function checkNewTenant(db: Database, raw: CreateTenantInput): Promise<void> {
  const input = checkedTenantInput(raw);
  const existing = await db.system((sql) => sql.query(`SELECT 1 FROM tenants WHERE code = $1`, [input.code]));
  if (existing[0]) throw conflict('TENANT_EXISTS', `a tenant with code ${input.code} already exists`);
}

export async function createTenant(db: Database, raw: CreateTenantInput, actor = 'system'): Promise<Tenant> {
  const input = checkedTenantInput(raw);
  return db.system(async (sql) => {
    const existing = await sql.query<Tenant>(`${SELECT} WHERE code = $1`, [input.code]);
    if (existing[0]) throw conflict('TENANT_EXISTS', `a tenant with code ${input.code} already exists`);
    const id = uuidv7();
    await sql.query(
      `INSERT INTO tenants (id, code, name, currency, time_zone, locale) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, input.code, input.name, input.currency, input.timeZone, input.locale],
    );
    const tenant: Tenant = { id, ...input, defaultTermsCode: null };
    await appendAudit(sql, id, { actor, action: 'tenant.create', entityType: 'tenant', entityId: input.code, after: tenant });
    return tenant;
  });
}

export async function listTenants(db: Database): Promise<Tenant[]> {
  return db.system((sql) => sql.query<Tenant>(`${SELECT} ORDER BY code`));
}

/** The tenant named by `code`, or the only one when no code is given. */
export async function resolveTenant(db: Database, code: string | undefined): Promise<Tenant> {
  if (code) {
    const [tenant] = await db.system((sql) => sql.query<Tenant>(`${SELECT} WHERE code = $1`, [code]));
    if (!tenant) throw notFound('TENANT_NOT_FOUND', `no tenant has code ${code}; list them with \`arflow tenants\``);
    return tenant;
  }
  const all = await listTenants(db);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw notFound('NO_TENANT', 'there is no tenant yet; create one with `arflow init --tenant CODE --name NAME --currency CNY`');
  throw invalid('TENANT_REQUIRED', `there are ${all.length} tenants (${all.map((t) => t.code).join(', ')}); name one with --tenant CODE`);
}

export async function getTenantById(db: Database, id: string): Promise<Tenant> {
  const [tenant] = await db.system((sql) => sql.query<Tenant>(`${SELECT} WHERE id = $1`, [id]));
  if (!tenant) throw notFound('TENANT_NOT_FOUND', `no tenant has id ${id}`);
  return tenant;
}

export async function setDefaultTerms(db: Database, tenant: Tenant, termsCode: string, actor = 'system'): Promise<void> {
  await db.system(async (sql) => {
    await sql.query(`UPDATE tenants SET default_terms_code = $2 WHERE id = $1`, [tenant.id, termsCode]);
    await appendAudit(sql, tenant.id, { actor, action: 'tenant.default_terms', entityType: 'tenant', entityId: tenant.code, before: { defaultTermsCode: tenant.defaultTermsCode }, after: { defaultTermsCode: termsCode } });
  });
}

/** The tenant's business date now, in its time zone. */
export function tenantToday(tenant: Tenant, clock: Clock): LocalDate {
  return todayIn(tenant.timeZone, clock.now());
}
