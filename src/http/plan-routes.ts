/** Payment plans, escalation (agencies and cases) and collector targets (issue 6). Thin routes over the modules. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  agencySchema, caseListSchema, caseSchema, costSchema, getCase, listAgencies, listCases, openCase, recordCost, recordRecovery, recoverySchema, saveAgency,
  transitionCase, transitionSchema,
} from '../modules/escalation/index.ts';
import {
  cancelPlan, cancelSchema, createPlan, evaluatePlans, getPlan, listPlans, planEvaluateSchema, planInputSchema, planListSchema, planSettings, planSettingsSchema,
  previewPlan, renegotiatePlan, renegotiateSchema, setPlanSettings,
} from '../modules/payment-plans/index.ts';
import { effectivenessReport, effectivenessSchema, setTarget, targetReportSchema, targetSchema } from '../modules/targets/index.ts';
import { targetsReport } from '../modules/targets/index.ts';
import { localDateText } from '../modules/validate.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const idParams = z.object({ id: z.string().min(1).max(64).describe('id or number (PP-0001, EC-0001)') });
const asOfQuery = z.object({ asOf: localDateText.optional() });

export async function registerPlanRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const read = async <T>(request: Parameters<RequestScope['context']>[0], fn: (ctx: Awaited<ReturnType<RequestScope['context']>>, sql: Parameters<Parameters<Awaited<ReturnType<RequestScope['context']>>['db']['tenant']>[1]>[0]) => Promise<T>) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => fn(ctx, sql));
  };

  // Payment plans --------------------------------------------------------------------------------------------------
  app.get('/api/v1/payment-plans', {
    config: { access: 'customers.read' },
    schema: { tags: ['payment plans'], summary: 'Payment plans in the caller\'s scope (default active), newest first, each with its installments\' status at asOf; paged', querystring: planListSchema, response: errors },
  }, (request) => read(request, (ctx, sql) => listPlans(ctx, sql, request.query)));
  app.post('/api/v1/payment-plans/preview', {
    config: { access: 'customers.read' },
    schema: { tags: ['payment plans'], summary: 'What a plan would be: its items (default the customer\'s overdue ones), installments with interest and fee, totals; writes nothing', body: planInputSchema, response: errors },
  }, (request) => read(request, (ctx, sql) => previewPlan(ctx, sql, request.body)));
  app.post('/api/v1/payment-plans', {
    config: { access: 'collections.record' },
    schema: { tags: ['payment plans'], summary: 'Make a payment plan: down payment, n installments (monthly or given dates), optional interest and fee (posted as a charge)', body: planInputSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await createPlan(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/payment-plans/evaluate', {
    config: { access: 'collections.record' },
    schema: { tags: ['payment plans'], summary: 'Close the plans paid in full and cancel those in default (when the company\'s autoCancelDays is set) at asOf', body: planEvaluateSchema.nullish(), querystring: planEvaluateSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return evaluatePlans(ctx, { asOf: request.body?.asOf ?? request.query.asOf }, scope.idempotencyKey(request));
  });
  app.get('/api/v1/payment-plans/settings', {
    config: { access: 'company.read' },
    schema: { tags: ['payment plans'], summary: 'Payment plan settings: grace days, days unpaid before a plan is cancelled by itself', response: errors },
  }, (request) => read(request, (ctx, sql) => planSettings(sql, ctx)));
  app.put('/api/v1/payment-plans/settings', {
    config: { access: 'company.manage' },
    schema: { tags: ['payment plans'], summary: 'Replace the payment plan settings (audited)', body: planSettingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setPlanSettings(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/payment-plans/:id', {
    config: { access: 'customers.read' },
    schema: { tags: ['payment plans'], summary: 'One plan (by id, or the latest version of a number) with its installments at asOf, items, versions and history', params: idParams, querystring: asOfQuery, response: errors },
  }, (request) => read(request, (ctx, sql) => getPlan(ctx, sql, request.params.id, request.query.asOf)));
  app.post('/api/v1/payment-plans/:id/renegotiate', {
    config: { access: 'collections.record' },
    schema: { tags: ['payment plans'], summary: 'Replace an active plan by its next version over what is still open; the old version is kept', params: idParams, body: renegotiateSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await renegotiatePlan(ctx, request.params.id, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/payment-plans/:id/cancel', {
    config: { access: 'collections.record' },
    schema: { tags: ['payment plans'], summary: 'Cancel an active plan: its items go back to dunning', params: idParams, body: cancelSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return cancelPlan(ctx, request.params.id, request.body, scope.idempotencyKey(request));
  });

  // Escalation -----------------------------------------------------------------------------------------------------
  app.get('/api/v1/escalations/agencies', {
    config: { access: 'customers.read' },
    schema: { tags: ['escalation'], summary: 'Collection agencies and law firms with their commission rates and open cases', response: errors },
  }, (request) => read(request, (ctx, sql) => listAgencies(ctx, sql)));
  app.post('/api/v1/escalations/agencies', {
    config: { access: 'escalations.manage' },
    schema: { tags: ['escalation'], summary: 'Add an agency or change one (by code); cases keep the rate they were opened with', body: agencySchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await saveAgency(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/escalations/cases', {
    config: { access: 'customers.read' },
    schema: { tags: ['escalation'], summary: 'Agency and legal cases in the caller\'s scope (default active), with recovered, commission, costs and net; paged', querystring: caseListSchema, response: errors },
  }, (request) => read(request, (ctx, sql) => listCases(ctx, sql, request.query)));
  app.post('/api/v1/escalations/cases', {
    config: { access: 'escalations.manage' },
    schema: { tags: ['escalation'], summary: 'Hand a customer\'s items (default the overdue ones) over to an agency or to legal action', body: caseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await openCase(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/escalations/cases/:id', {
    config: { access: 'customers.read' },
    schema: { tags: ['escalation'], summary: 'One case with its items, recoveries, costs and history', params: idParams, response: errors },
  }, (request) => read(request, (ctx, sql) => getCase(ctx, sql, request.params.id)));
  app.post('/api/v1/escalations/cases/:id/transition', {
    config: { access: 'escalations.manage' },
    schema: { tags: ['escalation'], summary: 'Move a case on: in_progress, closed_recovered, closed_partly, closed_unrecoverable', params: idParams, body: transitionSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return transitionCase(ctx, request.params.id, request.body, scope.idempotencyKey(request));
  });
  app.post('/api/v1/escalations/cases/:id/recoveries', {
    config: { access: 'escalations.manage' },
    schema: { tags: ['escalation'], summary: 'Record cash recovered: a payment posted and applied to the case\'s items, oldest due first; commission at the case\'s rate', params: idParams, body: recoverySchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await recordRecovery(ctx, request.params.id, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/escalations/cases/:id/costs', {
    config: { access: 'escalations.manage' },
    schema: { tags: ['escalation'], summary: 'Record a cost of a case (court fee, lawyer\'s fee…)', params: idParams, body: costSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.code(201).send(await recordCost(ctx, request.params.id, request.body, scope.idempotencyKey(request)));
  });

  // Collector targets ------------------------------------------------------------------------------------------------
  app.get('/api/v1/collectors/targets', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'Collector targets against actuals for a month: amount collected and CEI from the ledger (a collector sees their own)', querystring: targetReportSchema, response: errors },
  }, (request) => read(request, (ctx, sql) => targetsReport(ctx, sql, request.query)));
  app.put('/api/v1/collectors/targets', {
    config: { access: 'targets.manage' },
    schema: { tags: ['collections'], summary: 'Set a collector\'s target for a month (amount collected, CEI); audited', body: targetSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setTarget(ctx, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/collectors/effectiveness', {
    config: { access: 'customers.read' },
    schema: { tags: ['collections'], summary: 'Per activity channel and outcome: the share followed by a payment from that customer within 7 and 30 days', querystring: effectivenessSchema, response: errors },
  }, (request) => read(request, (ctx, sql) => effectivenessReport(ctx, sql, request.query)));
}
