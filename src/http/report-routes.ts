/** Reports: aging (账龄) at any as-of date, its drill-down to the items, and its XLSX/CSV files. Thin routes over the report modules. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agingItems, agingItemsQuerySchema, agingQuerySchema, agingReport } from '../modules/aging/index.ts';
import { agingCsv, agingXlsx } from '../modules/aging/export.ts';
import { DEFAULT_AGING_ROWS, largestRows, MAX_AGING_ROWS } from '../domain/aging.ts';
import { parseAmount } from '../domain/money.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody };

export async function registerReportRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/reports/aging', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Aging at an as-of date (default today), at most `limit` rows in JSON (default 2000, at most 5000: those with the largest outstanding; `rowCount` and `truncated` say so; the totals and the CSV/XLSX cover every row): what was open then, by bucket of days past due (or since the document date), per customer, group, segment, region, salesperson, collector or currency; unapplied credits netted; in one currency or, with convert=true, every currency converted to the functional one at the as-of rates. format=csv or xlsx gives the table as a file. A collector or sales person sees their own customers.',
      querystring: agingQuerySchema.extend({
        format: z.enum(['json', 'csv', 'xlsx']).default('json'),
        /** JSON: at most this many rows (those with the largest outstanding); the totals and the files cover every row. */
        limit: z.coerce.number().int().min(1).max(MAX_AGING_ROWS).default(DEFAULT_AGING_ROWS),
      }),
      response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const { format, limit, ...query } = request.query;
    const report = await ctx.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, query));
    if (format === 'json') {
      const rows = largestRows(report.rows, limit, (r) => parseAmount(r.outstanding, report.currency, 'outstanding', { allowNegative: true }));
      return { ...report, rows, rowCount: report.rows.length, truncated: rows.length < report.rows.length };
    }
    const name = `aging-${report.asOf}-${report.by}-${report.currency}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(`\uFEFF${agingCsv(report)}`);
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await agingXlsx(report));
  });
  app.get('/api/v1/reports/aging/items', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'The open items at the as-of date behind one row (key) and figure (bucket: current, a bucket key, outstanding or unapplied) of the aging report, with the same settings; most days past due first; paged by limit (at most 500) and offset. `total` is the row\'s figure in the report.',
      querystring: agingItemsQuerySchema,
      response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => agingItems(ctx, sql, request.query));
  });
}
