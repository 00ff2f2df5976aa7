/** The collector's worklist: customers with overdue items ranked by priority, with the reasons. Thin route. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { collectorWorklist, worklistQuerySchema } from '../modules/worklist/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

export async function registerWorklistRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/worklist', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['collections'],
      summary: 'The collector\'s worklist at an as-of date (default today): customers with overdue items ranked by priority score, each with its reasons; a manager may name a collector; paged (limit ≤ 200, offset)',
      querystring: worklistQuerySchema, response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => collectorWorklist(ctx, sql, request.query));
  });
}
