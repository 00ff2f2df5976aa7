/** Disputes (争议发票): list, raise, show, transition and the root-cause report. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { disputeReport, getDispute, listDisputes, listSchema, raiseDispute, raiseSchema, reportSchema, transitionDispute, transitionSchema } from '../modules/disputes/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const disputeParams = z.object({ id: z.string().min(1).max(64) });

export async function registerDisputeRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/disputes', {
    config: { access: 'customers.read' },
    schema: { tags: ['disputes'], summary: 'Disputes in the caller\'s scope, active first by due date; filter by status, customer, reason, owner (team, handle or `me`), overdue; paged', querystring: listSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listDisputes(ctx, sql, request.query));
  });
  app.post('/api/v1/disputes', {
    config: { access: 'disputes.raise' },
    schema: { tags: ['disputes'], summary: 'Raise a dispute on open items of one customer: reason, disputed amount per item (at most its open amount), owner team, due date', body: raiseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const dispute = await raiseDispute(ctx, request.body, scope.idempotencyKey(request));
    return reply.code(201).send(dispute);
  });
  app.get('/api/v1/disputes/report', {
    config: { access: 'customers.read' },
    schema: { tags: ['disputes'], summary: 'Root causes: disputes raised from–to grouped by reason, customer or owner team; count, amount and accepted amount per currency', querystring: reportSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, request.query));
  });
  app.get('/api/v1/disputes/:id', {
    config: { access: 'customers.read' },
    schema: { tags: ['disputes'], summary: 'One dispute with its items and history', params: disputeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getDispute(ctx, sql, request.params.id));
  });
  app.post('/api/v1/disputes/:id/transition', {
    config: { access: 'disputes.manage' },
    schema: { tags: ['disputes'], summary: 'Move a dispute on: open → investigating → resolved_credit_note (naming the credit note) | rejected | partly_accepted (with the accepted amount); with a note', params: disputeParams, body: transitionSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return transitionDispute(ctx, request.params.id, request.body, scope.idempotencyKey(request));
  });
}
