/** Reports: receivables KPIs at any as-of date, their monthly trend, and customers' payment behaviour. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  customerBehaviourQuerySchema, customerPaymentBehaviour, kpiQuerySchema, kpiSet, kpiTrend, kpiTrendQuerySchema,
} from '../modules/kpis/index.ts';
import { exportKpis, kpiExportQuerySchema } from '../modules/kpis/export.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody };

export async function registerKpiRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/reports/kpis', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'The KPI set at an as-of date (default today): countback and standard DSO, best-possible DSO, average days delinquent, CEI, AR turnover, overdue and over-90 shares, days to pay and beyond terms, top-10 concentration, disputed share, unapplied cash. Values are decimal strings; an undefined KPI is null with its reason. A collector or sales person gets the KPIs of their own customers.',
      querystring: kpiQuerySchema,
      response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => kpiSet(ctx, sql, request.query));
  });
  app.get('/api/v1/reports/kpis/trend', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Monthly trend (1 to 36 points: the month ends before asOf, then asOf) of DSO, CEI, the overdue shares and the AR balance; read from daily snapshots where present.',
      querystring: kpiTrendQuerySchema,
      response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => kpiTrend(ctx, sql, request.query));
  });
  app.get('/api/v1/reports/kpis/customers', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Each customer\'s payment behaviour in the period: amount paid, weighted average days to pay and days beyond terms; sorted, paged (limit up to 200, cursor). A collector or sales person sees their own customers.',
      querystring: customerBehaviourQuerySchema,
      response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => customerPaymentBehaviour(ctx, sql, request.query));
  });
  app.get('/api/v1/reports/kpis/export', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'The KPI set, the monthly trend and customers\' payment behaviour (up to 10,000 customers) as a file: XLSX (three sheets) or CSV; headings in Chinese or English (lang, default the company\'s).',
      querystring: kpiExportQuerySchema,
      response: { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody },
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const file = await ctx.db.tenant(ctx.tenant.id, (sql) => exportKpis(ctx, sql, request.query));
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(file.body);
  });
}
