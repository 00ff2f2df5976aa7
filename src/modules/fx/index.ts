/** FX rates to the tenant's functional currency, by date. A document in another currency takes the latest rate on or before its date unless it carries its own. */
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { checkCurrency } from '../../domain/money.ts';
import { parseDate, type LocalDate } from '../../domain/dates.ts';
import { formatDecimal, parseDecimal } from '../../domain/decimal.ts';
import { invalid } from '../../domain/errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { localDateText, parseInput, rateText } from '../validate.ts';

export const fxRateSchema = z.object({
  currency: z.string().length(3).transform((c) => c.toUpperCase()),
  date: localDateText,
  rate: rateText,
});
export type FxRateInput = z.input<typeof fxRateSchema>;

export async function setFxRate(ctx: Context, raw: FxRateInput) {
  const input = parseInput(fxRateSchema, raw, 'fx rate');
  checkCurrency(input.currency);
  parseDate(input.date, 'date');
  const rate = parseDecimal(input.rate, 'rate');
  if (rate.units === 0n) throw invalid('INVALID_RATE', 'rate: must be more than zero', [{ field: 'rate', message: 'zero rate' }]);
  if (input.currency === ctx.tenant.currency) {
    throw invalid('INVALID_RATE', `currency: ${input.currency} is the functional currency; its rate is always 1`, [{ field: 'currency', message: 'functional currency' }]);
  }
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const [before] = await sql.query<{ rate: string }>(
      `SELECT rate FROM fx_rates WHERE tenant_id = $1 AND currency = $2 AND rate_date = $3`, [ctx.tenant.id, input.currency, input.date]);
    await sql.query(
      `INSERT INTO fx_rates (tenant_id, currency, rate_date, rate) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, currency, rate_date) DO UPDATE SET rate = excluded.rate`,
      [ctx.tenant.id, input.currency, input.date, formatDecimal(rate)],
    );
    const result = { currency: input.currency, date: input.date, rate: formatDecimal(rate) };
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'fx_rate.set', entityType: 'fx_rate', entityId: `${input.currency}@${input.date}`, before: before ? { rate: formatDecimal(parseDecimal(before.rate, 'rate')) } : null, after: result });
    return result;
  });
}

/** The latest rate for `currency` on or before `date`, as decimal text, or null when there is none. */
export async function fxRateOn(sql: Sql, tenantId: string, currency: string, date: LocalDate): Promise<string | null> {
  const [row] = await sql.query<{ rate: string }>(
    `SELECT rate FROM fx_rates WHERE tenant_id = $1 AND currency = $2 AND rate_date <= $3 ORDER BY rate_date DESC LIMIT 1`,
    [tenantId, currency, date],
  );
  return row ? formatDecimal(parseDecimal(row.rate, 'rate')) : null;
}

export async function listFxRates(sql: Sql, tenantId: string, currency?: string) {
  const rows = await sql.query<{ currency: string; date: string; rate: string }>(
    `SELECT currency, rate_date AS date, rate FROM fx_rates WHERE tenant_id = $1 AND ($2::text IS NULL OR currency = $2)
      ORDER BY currency, rate_date DESC LIMIT 1000`,
    [tenantId, currency ?? null],
  );
  return rows.map((r) => ({ ...r, rate: formatDecimal(parseDecimal(r.rate, 'rate')) }));
}
