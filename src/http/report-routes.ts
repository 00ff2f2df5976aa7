/** Reports: aging (账龄) at any as-of date, a page at a time, its drill-down to the items, and its XLSX/CSV files (every row, spooled to a temporary file and then sent). Thin routes over the report modules. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agingItems, agingItemsQuerySchema, agingPageQuerySchema, agingReport, agingRowBatches } from '../modules/aging/index.ts';
import { writeAgingCsv, writeAgingXlsx, type AgingHead } from '../modules/aging/export.ts';
import { spool } from './spool.ts';
import { DEFAULT_AGING_ROWS, MAX_AGING_OFFSET, MAX_AGING_ROWS } from '../domain/aging.ts';
import { unappliedCsv, unappliedQuerySchema, unappliedReport, unappliedXlsx } from '../modules/unapplied/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody };

export async function registerReportRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/reports/aging', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Aging at an as-of date (default today): what was open then, by bucket of days past due (or since the document date), per customer, group, segment, region, salesperson, collector or currency; unapplied credits netted; in one currency or, with convert=true, every currency converted to the functional one at the as-of rates. A collector or sales person sees their own customers.',
      description: 'JSON: `{asOf, basis, by, currency, converted, rates, buckets, rows, totals, page}`. `rows` is one page, sorted in SQL: '
        + '`sort=outstanding` (largest first, then by key; the default), `key` or `name` (then key), codes and names in byte order; '
        + `\`limit\` rows (default ${DEFAULT_AGING_ROWS}, at most ${MAX_AGING_ROWS}) from \`offset\` (at most ${MAX_AGING_OFFSET.toLocaleString('en')}). `
        + '`totals` are exact over every row of the report, whatever the page; `page: {sort, limit, offset, total, nextOffset}` gives the row count '
        + '(`total`) and where the next page starts (null on the last). format=csv or xlsx gives every row as a file (key order) with its Content-Length, '
        + 'with a total line; limit and offset do not apply to files.',
      querystring: agingPageQuerySchema.extend({
        format: z.enum(['json', 'csv', 'xlsx']).default('json'),
      }),
      response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const { format, ...query } = request.query;
    if (format === 'json') return ctx.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, query));
    const { sort: _s, limit: _l, offset: _o, ...settings } = query;
    // One transaction: the first page refuses bad settings and names the rates; then every row is read from a cursor
    // and written to a spooled file (src/http/spool.ts), which is sent after the transaction ends, whatever the
    // client's speed. Any error is an error answer, never a file cut short.
    let head: AgingHead | undefined;
    const file = await spool((out) => ctx.db.tenant(ctx.tenant.id, async (sql) => {
      const first = await agingReport(ctx, sql, { ...settings, limit: 1 });
      head = first;
      const read = agingRowBatches(ctx, sql, { ...settings, sort: 'key' });
      await (format === 'csv' ? writeAgingCsv(first, read, out, true) : writeAgingXlsx(first, read, out));
    }));
    return reply
      .header('content-disposition', `attachment; filename="aging-${head!.asOf}-${head!.by}-${head!.currency}.${format}"`)
      .header('content-length', file.size)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(file.stream);
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
  app.get('/api/v1/reports/unapplied', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Unapplied cash (未核销收款) at an as-of date (default today): each payment, advance receipt or credit note with something not applied then, its age and source, a page at a time (oldest or largest first), with the totals per currency and age band (0-30, 31-90, 91+ days) over every row. format=csv or xlsx gives every row (at most 100,000: narrow by currency or customer). A collector or sales person sees their own customers.',
      querystring: unappliedQuerySchema.extend({ format: z.enum(['json', 'csv', 'xlsx']).default('json') }),
      response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const { format, ...query } = request.query;
    if (format === 'json') return ctx.db.tenant(ctx.tenant.id, (sql) => unappliedReport(ctx, sql, query));
    if (format === 'csv') {
      const file = await ctx.db.tenant(ctx.tenant.id, (sql) => unappliedCsv(ctx, sql, query));
      reply.header('content-disposition', `attachment; filename="unapplied-${file.asOf}.csv"`);
      return reply.type('text/csv; charset=utf-8').send(`\uFEFF${file.text}`);
    }
    const file = await ctx.db.tenant(ctx.tenant.id, (sql) => unappliedXlsx(ctx, sql, query));
    reply.header('content-disposition', `attachment; filename="unapplied-${file.asOf}.xlsx"`);
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(file.buffer);
  });
}
