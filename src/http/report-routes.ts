/** Reports: aging (账龄) at any as-of date. Thin routes over the report modules. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agingQuerySchema, agingReport } from '../modules/aging/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody };

export async function registerReportRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/reports/aging', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['reports'],
      summary: 'Aging at an as-of date (default today): what was open then, by bucket of days past due (or since the document date), per customer, group, segment, region, salesperson or collector; unapplied credits netted. A collector or sales person sees their own customers.',
      querystring: agingQuerySchema,
      response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, request.query));
  });
}
