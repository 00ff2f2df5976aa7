/** Early warning: the alerts inbox, acknowledge/resolve/assign, rule settings and on-demand evaluation. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  actOnAlert, alertCounts, alertSettings, assignSchema, evaluateAlerts, evaluateSchema, getAlert, listAlerts, listSchema, noteSchema, resolveSchema,
  setAlertSettings, settingsSchema,
} from '../modules/alerts/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const alertParams = z.object({ id: z.string().min(1).max(64) });

export async function registerAlertRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/alerts', {
    config: { access: 'alerts.read' },
    schema: { tags: ['alerts'], summary: 'Early-warning alerts in the caller\'s scope, critical first; filter by status, severity, rule, customer, owner (`me`); paged', querystring: listSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listAlerts(ctx, sql, request.query));
  });
  app.get('/api/v1/alerts/count', {
    config: { access: 'alerts.read' },
    schema: { tags: ['alerts'], summary: 'Open (unacknowledged) alerts in scope, and of those the caller owns: the nav badge', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => alertCounts(ctx, sql));
  });
  app.get('/api/v1/alerts/settings', {
    config: { access: 'alerts.read' },
    schema: { tags: ['alerts'], summary: 'Alert rule settings: per rule on/off, owner role and threshold; the rules inactive until the credit file exists', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => alertSettings(sql, ctx));
  });
  app.put('/api/v1/alerts/settings', {
    config: { access: 'alerts.settings' },
    schema: { tags: ['alerts'], summary: 'Replace the alert rule settings (audited with before and after)', body: settingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setAlertSettings(ctx, request.body, scope.idempotencyKey(request));
  });
  app.post('/api/v1/alerts/evaluate', {
    config: { access: 'alerts.manage' },
    schema: { tags: ['alerts'], summary: 'Evaluate the rules now at an as-of date (default today), for the company or one customer: opens, refreshes and auto-resolves alerts', body: evaluateSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return evaluateAlerts(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/alerts/:id', {
    config: { access: 'alerts.read' },
    schema: { tags: ['alerts'], summary: 'One alert with its figures and history', params: alertParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getAlert(ctx, sql, request.params.id));
  });
  app.post('/api/v1/alerts/:id/acknowledge', {
    config: { access: 'alerts.read' },
    schema: { tags: ['alerts'], summary: 'Acknowledge an alert (a collector: one they own; others need alerts.manage)', params: alertParams, body: noteSchema.optional(), headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return actOnAlert(ctx, request.params.id, 'acknowledge', request.body ?? {}, scope.idempotencyKey(request));
  });
  app.post('/api/v1/alerts/:id/resolve', {
    config: { access: 'alerts.manage' },
    schema: { tags: ['alerts'], summary: 'Resolve an alert with a note saying how', params: alertParams, body: resolveSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return actOnAlert(ctx, request.params.id, 'resolve', request.body, scope.idempotencyKey(request));
  });
  app.post('/api/v1/alerts/:id/assign', {
    config: { access: 'alerts.manage' },
    schema: { tags: ['alerts'], summary: 'Give an alert to another user (by handle)', params: alertParams, body: assignSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return actOnAlert(ctx, request.params.id, 'assign', request.body, scope.idempotencyKey(request));
  });
}
