/** Credit limits, commitments, credit checks and holds (issue 5). Thin routes over src/modules/credit-limits. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  commitmentListSchema, commitmentPatchSchema, commitmentSchema, creditCheck, creditCheckSchema, creditPosition, creditSettings, creditSettingsSchema,
  customerLimits, evaluateHolds, holdListSchema, limitRequestSchema, listCommitments, listHolds, manualHoldSchema, placeManualHold,
  registerCommitment, releaseSchema, requestHoldRelease, requestLimitChange, setCreditSettings, updateCommitment,
} from '../modules/credit-limits/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });

export async function registerCreditLimitRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/credit/settings', {
    config: { access: 'company.read' },
    schema: { tags: ['credit'], summary: 'Credit settings: exposure parts, warn band, hold rules, what a hold blocks, each role\'s limit approval authority', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => creditSettings(sql, ctx));
  });
  app.put('/api/v1/credit/settings', {
    config: { access: 'company.manage' },
    schema: { tags: ['credit'], summary: 'Replace the credit settings (audited with before and after)', body: creditSettingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setCreditSettings(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/credit/limits/:customer', {
    config: { access: 'customers.read' },
    schema: { tags: ['credit'], summary: 'A customer\'s limit and its group\'s on a date (temporary increase in force) and the history of approved versions', params: z.object({ customer: z.string().max(64) }), querystring: z.object({ asOf: z.string().max(10).optional() }), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => customerLimits(ctx, sql, request.params.customer, request.query.asOf));
  });
  app.post('/api/v1/credit/limit-requests', {
    config: { access: 'customers.credit' },
    schema: { tags: ['credit'], summary: 'Ask for a customer or group limit (with an optional temporary increase); another user whose role has the authority approves it', body: limitRequestSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await requestLimitChange(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/credit/commitments', {
    config: { access: 'credit.check' },
    schema: { tags: ['credit'], summary: 'Register an open order or shipment (the same kind and reference with the same details again: no-op)', body: commitmentSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await registerCommitment(ctx, request.body, scope.idempotencyKey(request));
    return reply.status(result.outcome === 'created' ? 201 : 200).send(result);
  });
  app.patch('/api/v1/credit/commitments/:kind/:reference', {
    config: { access: 'credit.check' },
    schema: { tags: ['credit'], summary: 'Change an order\'s or shipment\'s amount, or close it', params: z.object({ kind: z.enum(['order', 'shipment']), reference: z.string().max(100) }), body: commitmentPatchSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return updateCommitment(ctx, request.params.kind, request.params.reference, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/credit/commitments', {
    config: { access: 'customers.read' },
    schema: { tags: ['credit'], summary: 'Registered orders and shipments, latest first', querystring: commitmentListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listCommitments(ctx, sql, request.query));
  });
  app.post('/api/v1/credit-checks', {
    config: { access: 'credit.check' },
    schema: { tags: ['credit'], summary: 'Credit check: pass / warn / hold / block with the reasons and figures (limits, exposure parts, utilisation, holds); recorded in the audit trail', body: creditCheckSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return creditCheck(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/credit/exposure', {
    config: { access: 'customers.read' },
    schema: { tags: ['credit'], summary: 'A customer\'s credit position (limits, exposure parts, utilisation, holds) without recording a check', querystring: z.object({ customer: z.string().max(64), asOf: z.string().max(10).optional() }), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => creditPosition(ctx, sql, { customer: request.query.customer, amount: '0', kind: 'order', ...(request.query.asOf ? { asOf: request.query.asOf } : {}) }));
  });
  app.get('/api/v1/credit/holds', {
    config: { access: 'customers.read' },
    schema: { tags: ['credit'], summary: 'Credit holds (open: active or awaiting release approval), newest first', querystring: holdListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listHolds(ctx, sql, request.query));
  });
  app.post('/api/v1/credit/holds', {
    config: { access: 'credit.hold' },
    schema: { tags: ['credit'], summary: 'Put a customer on a manual credit hold', body: manualHoldSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await placeManualHold(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/credit/holds/:id/release', {
    config: { access: 'credit.hold' },
    schema: { tags: ['credit'], summary: 'Ask for a hold\'s release; it is released when a second person approves', params: z.object({ id: z.string().max(64) }), body: releaseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await requestHoldRelease(ctx, request.params.id, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/credit/holds/evaluate', {
    config: { access: 'credit.hold' },
    schema: { tags: ['credit'], summary: 'Evaluate the hold rules on a date and place the holds that fire', body: z.object({ asOf: z.string().max(10).optional(), customer: z.string().max(64).optional() }).strict(), headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return evaluateHolds(ctx, request.body);
  });
}
