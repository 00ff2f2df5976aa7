/** Collections work: promises to pay, activities (calls, emails, visits…), a customer's timeline, settings. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  activityListSchema, activitySchema, collectionSettings, customerTimeline, evaluatePromises, evaluateSchema, getPromise, listActivities, listPromises,
  promiseListSchema, promiseSchema, recordActivity, recordPromise, setCollectionSettings, settingsSchema, timelineSchema,
} from '../modules/collections/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const idParams = z.object({ id: z.string().min(1).max(64) });
const codeParams = z.object({ code: z.string().min(1).max(100) });

export async function registerCollectionRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/promises', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'Promises to pay in the caller\'s scope, latest promised date first; filter by status and customer; paged', querystring: promiseListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listPromises(ctx, sql, request.query));
  });
  app.post('/api/v1/promises', {
    config: { access: 'collections.record' },
    schema: { tags: ['collections'], summary: 'Record a promise to pay: amount, promised date, grace days (default the company\'s), optionally the items it is about', body: promiseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await recordPromise(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/promises/evaluate', {
    config: { access: 'collections.record' },
    schema: { tags: ['collections'], summary: 'Decide the open promises at an as-of date (default today): kept, partly kept or broken from the payments applied by the promised date plus grace', body: evaluateSchema.nullish(), querystring: evaluateSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return evaluatePromises(ctx, { asOf: request.body?.asOf ?? request.query.asOf }, scope.idempotencyKey(request));
  });
  app.get('/api/v1/promises/:id', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'One promise to pay with what has been paid towards it', params: idParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getPromise(ctx, sql, request.params.id));
  });
  app.get('/api/v1/activities', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'Collection activities in the caller\'s scope, newest first; filter by customer, outcome, follow-up due by a date; paged', querystring: activityListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listActivities(ctx, sql, request.query));
  });
  app.post('/api/v1/activities', {
    config: { access: 'collections.record' },
    schema: { tags: ['collections'], summary: 'Record a call, email, SMS, visit or letter with its outcome, a note and a follow-up date', body: activitySchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await recordActivity(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/customers/:code/collections/timeline', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'A customer\'s collections timeline: activities, promises and disputes, newest first (at most `limit`), with a summary', params: codeParams, querystring: timelineSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => customerTimeline(ctx, sql, request.params.code, request.query));
  });
  app.get('/api/v1/collections/settings', {
    config: { access: 'company.read' },
    schema: { tags: ['collections'], summary: 'Collection settings: the promises\' default grace days', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => collectionSettings(sql, ctx));
  });
  app.put('/api/v1/collections/settings', {
    config: { access: 'company.manage' },
    schema: { tags: ['collections'], summary: 'Replace the collection settings (audited)', body: settingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setCollectionSettings(ctx, request.body, scope.idempotencyKey(request));
  });
}
