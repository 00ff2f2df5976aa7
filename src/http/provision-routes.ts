/** Bad-debt provision (坏账准备): settings, preview, period-end runs, their GL journal, and recoveries. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getRun, listRuns, previewProvision, previewSchema, provisionSettings, recordRecovery, recoverySchema, runListSchema, runProvision, runSchema,
  setProvisionSettings, settingsSchema,
} from '../modules/provision/index.ts';
import { journalCsv, journalOf, journalXlsx } from '../modules/provision/journal.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const runParams = z.object({ id: z.string().min(1).max(64) });

export async function registerProvisionRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/provision/settings', {
    config: { access: 'provision.read' },
    schema: { tags: ['provision'], summary: 'Provision settings: aging-method rates per bucket (and per segment), the ECL window, factor and buckets, the journal accounts', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => provisionSettings(sql, ctx));
  });
  app.put('/api/v1/provision/settings', {
    config: { access: 'provision.run' },
    schema: { tags: ['provision'], summary: 'Replace the provision settings (rates 0–100% for every bucket; audited with before and after)', body: settingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setProvisionSettings(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/provision/preview', {
    config: { access: 'provision.read' },
    schema: { tags: ['provision'], summary: 'The provision at an as-of date by the aging method or ECL: per bucket and customer, the ECL derivation, the movement since the last run', querystring: previewSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => previewProvision(ctx, sql, request.query));
  });
  app.post('/api/v1/provision/runs', {
    config: { access: 'provision.run' },
    schema: { tags: ['provision'], summary: 'Record the provision of a period end (idempotent); a period\'s run is replaced by superseding it with a reason', body: runSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await runProvision(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/provision/runs', {
    config: { access: 'provision.read' },
    schema: { tags: ['provision'], summary: 'Provision runs, latest period first (superseded runs marked)', querystring: runListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listRuns(ctx, sql, request.query));
  });
  app.get('/api/v1/provision/runs/:id', {
    config: { access: 'provision.read' },
    schema: { tags: ['provision'], summary: 'One provision run with its stored report and movement', params: runParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getRun(ctx, sql, request.params.id));
  });
  app.get('/api/v1/provision/runs/:id/journal', {
    config: { access: 'provision.read' },
    schema: { tags: ['provision'], summary: 'The run\'s GL journal: Dr 信用减值损失 / Cr 坏账准备 per customer (a release reversed), as CSV or XLSX', params: runParams, querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const journal = await ctx.db.tenant(ctx.tenant.id, (sql) => journalOf(ctx, sql, request.params.id));
    const name = `provision-journal-${ctx.tenant.code}-${journal.periodEnd}`;
    if (request.query.format === 'xlsx') {
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(await journalXlsx(journal.lines));
    }
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(journalCsv(journal.lines));
  });
  app.post('/api/v1/provision/recoveries', {
    config: { access: 'write_offs.post' },
    schema: { tags: ['provision'], summary: 'Record cash received on a written-off amount: a debit note reinstates it and a payment is applied to it, linked to the write-off', body: recoverySchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await recordRecovery(ctx, request.body, scope.idempotencyKey(request)));
  });
}
