/**
 * Dunning: strategies and their steps, templates with a live preview, the company's and a customer's dunning
 * settings, runs (a dry run to preview, a real run to write the outbox), the run history and the outbox. Thin routes.
 * Finance managers and administrators manage strategies and run dunning (`dunning.manage`); everyone who sees
 * customers sees the strategies and runs, and the messages of the customers in their scope (a collector: their own).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  bounceSchema, completeTask, customerSettingsSchema, recordBounce, dunningSettings, getMessage, getRun, getStrategy, listOutbox, listRuns, listStrategies, listTemplates, outboxQuerySchema,
  previewSchema, previewTemplate, runDunning, runSchema, saveStrategy, saveTemplate, setCustomerDunning, setDunningSettings, settingsSchema, strategySchema, templateSchema,
} from '../modules/dunning/index.ts';
import { channelsFromEnv, letterOf, sendOutbox } from '../modules/dunning/sender.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const idParams = z.object({ id: z.string().min(1).max(64) });
const codeParams = z.object({ code: z.string().min(1).max(100) });

function download(reply: FastifyReply, body: Buffer, type: string, filename: string) {
  return reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`).send(body);
}

export async function registerDunningRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['dunning'];
  app.get('/api/v1/dunning/settings', {
    config: { access: 'company.read' },
    schema: { tags, summary: 'The company\'s dunning settings: late interest rate (percent a year; null: none) and the bank details reminders print', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => dunningSettings(sql, ctx.tenant.id));
  });
  app.put('/api/v1/dunning/settings', {
    config: { access: 'dunning.manage' },
    schema: { tags, summary: 'Replace the dunning settings (audited)', body: settingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => setDunningSettings(await scope.context(request), request.body, scope.idempotencyKey(request)));

  app.get('/api/v1/dunning/strategies', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'Dunning strategies with their assignment rule and steps, by priority', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return { items: await ctx.db.tenant(ctx.tenant.id, (sql) => listStrategies(ctx, sql)) };
  });
  app.get('/api/v1/dunning/strategies/:code', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'One dunning strategy', params: codeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getStrategy(ctx, sql, request.params.code));
  });
  app.post('/api/v1/dunning/strategies', {
    config: { access: 'dunning.manage' },
    schema: {
      tags, summary: 'Create a strategy, or replace the one with this code (rule and all steps; set active false to retire it). Steps: offset days from the due date (negative before), strictly increasing; channel; a template key that exists; optional fee and late interest',
      body: strategySchema, headers: idempotencyHeader, response: errors,
    },
  }, async (request) => saveStrategy(await scope.context(request), request.body, scope.idempotencyKey(request)));

  app.get('/api/v1/dunning/templates', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'Message templates per key and language (zh-CN, en)', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return { items: await ctx.db.tenant(ctx.tenant.id, (sql) => listTemplates(sql, ctx.tenant.id)) };
  });
  app.put('/api/v1/dunning/templates', {
    config: { access: 'dunning.manage' },
    schema: { tags, summary: 'Create or replace the template of a key in a language; unknown variables and broken sections are refused naming where (audited)', body: templateSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => saveTemplate(await scope.context(request), request.body, scope.idempotencyKey(request)));
  app.post('/api/v1/dunning/templates/preview', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'Render a template (saved or not) with sample figures: subject, text body, and the body as HTML with the values escaped', body: previewSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => previewTemplate(ctx, sql, request.body));
  });

  app.put('/api/v1/dunning/customers/:code', {
    config: { access: 'dunning.manage' },
    schema: { tags, summary: 'A customer\'s dunning settings: a pinned strategy (null: by the rules), do not dun, in legal, a note (audited)', params: codeParams, body: customerSettingsSchema.omit({ customer: true }), headers: idempotencyHeader, response: errors },
  }, async (request) => setCustomerDunning(await scope.context(request), { ...request.body, customer: request.params.code }, scope.idempotencyKey(request)));

  app.post('/api/v1/dunning/runs', {
    config: { access: 'dunning.manage' },
    schema: {
      tags, summary: 'Run dunning at an as-of date (default today). dryRun: plan and render only, nothing written (any date). Real run (today or earlier): the outbox, item steps, fee and interest documents in one transaction; a second run the same day sends nothing twice',
      body: runSchema, headers: idempotencyHeader, response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await runDunning(ctx, request.body, scope.idempotencyKey(request));
    return reply.code(result.dryRun ? 200 : 201).send(result);
  });
  app.get('/api/v1/dunning/runs', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'Dunning runs, newest first (limit ≤ 200)', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return { items: await ctx.db.tenant(ctx.tenant.id, (sql) => listRuns(ctx, sql, request.query)) };
  });
  app.get('/api/v1/dunning/runs/:id', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'One run with its messages (those of the customers in the caller\'s scope, at most 200)', params: idParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getRun(ctx, sql, request.params.id));
  });

  app.get('/api/v1/dunning/outbox', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'Dunning messages and tasks in the caller\'s scope, newest first; filter by run, customer, status, channel; paged (limit ≤ 200, offset)', querystring: outboxQuerySchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listOutbox(ctx, sql, request.query));
  });
  app.get('/api/v1/dunning/outbox/:id', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'One dunning message with its delivery status, attempts and ids', params: idParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getMessage(ctx, sql, request.params.id));
  });
  app.get('/api/v1/dunning/outbox/:id/pdf', {
    config: { access: 'customers.read' },
    schema: { tags, summary: 'A message as a letter (PDF): date, reference, the text, items, interest, fees, total; Chinese or English', params: idParams },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const letter = await ctx.db.tenant(ctx.tenant.id, (sql) => letterOf(ctx, sql, request.params.id));
    return download(reply, letter.content, 'application/pdf', letter.filename);
  });
  app.post('/api/v1/dunning/outbox/:id/done', {
    config: { access: 'collections.record' },
    schema: { tags, summary: 'Mark a call or visit task done (log the call itself as an activity)', params: idParams, headers: idempotencyHeader, response: errors },
  }, async (request) => completeTask(await scope.context(request), request.params.id, scope.idempotencyKey(request)));
  app.post('/api/v1/dunning/bounces', {
    config: { access: 'dunning.manage' },
    schema: { tags, summary: 'Report a bounce of a sent message (for a mail server\'s or SMS provider\'s webhook): by the email\'s Message-ID or the SMS provider\'s id; the message becomes bounced with the reason and is not sent again', body: bounceSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => recordBounce(await scope.context(request), request.body, scope.idempotencyKey(request)));
  app.post('/api/v1/dunning/send', {
    config: { access: 'dunning.manage' },
    schema: { tags, summary: 'Deliver the due messages of the outbox now (the job does it every 5 minutes): email over ARFLOW_SMTP_URL, SMS over ARFLOW_SMS_URL; at most `limit` (≤ 200) messages', body: z.object({ limit: z.number().int().min(1).max(200).optional() }).strict().nullish(), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return sendOutbox(ctx.db, ctx.clock, ctx.tenant, channelsFromEnv(), { limit: request.body?.limit ?? 100 });
  });
}
