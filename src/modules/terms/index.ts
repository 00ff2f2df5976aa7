/** Payment terms (付款条件) per tenant: net days, end-of-month rules, early-payment discount, installment schedules. */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import {
  describeTerms, parseTermsSpec, termsRuleFromJson, termsRuleToJson, type PaymentTermsRule,
} from '../../domain/terms.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { codeSchema } from '../tenants/index.ts';
import { parseInput } from '../validate.ts';

export interface Terms {
  id: string;
  code: string;
  name: string;
  rule: PaymentTermsRule;
}

export const createTermsSchema = z.object({
  code: codeSchema,
  name: z.string().trim().min(1).max(200).optional(),
  net: z.union([z.string(), z.number().int()]).transform(String).optional(),
  eom: z.boolean().optional(),
  monthsAfterEom: z.union([z.string(), z.number().int()]).transform(String).optional(),
  discount: z.string().max(40).optional(),
  installments: z.string().max(1000).optional(),
});
export type CreateTermsInput = z.input<typeof createTermsSchema>;

export function presentTerms(terms: Terms) {
  return {
    id: terms.id,
    code: terms.code,
    name: terms.name,
    description: describeTerms(terms.rule, 'en'),
    descriptionZh: describeTerms(terms.rule, 'zh-CN'),
    rule: termsRuleToJson(terms.rule),
  };
}

interface TermsRow { id: string; code: string; name: string; rule: unknown }
const fromRow = (row: TermsRow): Terms => ({ id: row.id, code: row.code, name: row.name, rule: termsRuleFromJson(row.rule as never) });

export async function createTerms(ctx: Context, raw: CreateTermsInput, sqlInTx?: Sql): Promise<Terms> {
  const input = parseInput(createTermsSchema, raw, 'payment terms');
  const rule = parseTermsSpec({ net: input.net, eom: input.eom, monthsAfterEom: input.monthsAfterEom, discount: input.discount, installments: input.installments });
  const terms: Terms = { id: uuidv7(), code: input.code, name: input.name ?? describeTerms(rule, ctx.tenant.locale), rule };
  const write = async (sql: Sql) => {
    const existing = await findTerms(sql, ctx.tenant.id, input.code);
    if (existing) {
      if (JSON.stringify(termsRuleToJson(existing.rule)) === JSON.stringify(termsRuleToJson(rule))) return existing;
      throw conflict('TERMS_EXISTS', `payment terms ${input.code} already exist with a different rule; choose a new code`);
    }
    await sql.query(`INSERT INTO payment_terms (tenant_id, id, code, name, rule) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      ctx.tenant.id, terms.id, terms.code, terms.name, JSON.stringify(termsRuleToJson(rule)),
    ]);
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'terms.create', entityType: 'terms', entityId: terms.code, after: presentTerms(terms) });
    return terms;
  };
  return sqlInTx ? write(sqlInTx) : ctx.db.tenant(ctx.tenant.id, write);
}

export async function findTerms(sql: Sql, tenantId: string, code: string): Promise<Terms | null> {
  const [row] = await sql.query<TermsRow>(`SELECT id, code, name, rule FROM payment_terms WHERE tenant_id = $1 AND code = $2`, [tenantId, code]);
  return row ? fromRow(row) : null;
}

export async function getTerms(sql: Sql, tenantId: string, code: string): Promise<Terms> {
  const terms = await findTerms(sql, tenantId, code);
  if (!terms) throw notFound('TERMS_NOT_FOUND', `no payment terms have code ${code}; list them with \`arflow terms list\``);
  return terms;
}

export async function listTerms(sql: Sql, tenantId: string): Promise<Terms[]> {
  const rows = await sql.query<TermsRow>(`SELECT id, code, name, rule FROM payment_terms WHERE tenant_id = $1 ORDER BY code`, [tenantId]);
  return rows.map(fromRow);
}

/** All terms of the tenant by id and by code, for bulk work. */
export async function loadTermsMaps(sql: Sql, tenantId: string) {
  const all = await listTerms(sql, tenantId);
  return { byId: new Map(all.map((t) => [t.id, t])), byCode: new Map(all.map((t) => [t.code, t])) };
}
