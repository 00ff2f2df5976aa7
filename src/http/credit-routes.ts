/** Credit file, statements, assessments, scorecard and reviews (issue 5, part A). Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  assessCustomer, assessSchema, completeReview, creditFileHistory, creditFileOf, creditFileSchema, addFinancials, financialsSchema, listAssessments,
  listReviews, reviewQueue, reviewQueueSchema, reviewSchema, saveCreditFile, scorecardOf, scorecardSchema, setScorecard,
  financialsFileSchema, importFinancialsFile, MAX_FINANCIALS_FILE_BYTES,
} from '../modules/credit/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const codeParams = z.object({ code: z.string().min(1).max(64) });
const asOfQuery = z.object({ asOf: z.string().max(10).optional() });

export async function registerCreditRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/customers/:code/credit', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'The credit file: ratings, insurance, qualitative factors, documents, statements with ratios and Z-scores, payment behaviour at the as-of date, grade, assessments', params: codeParams, querystring: asOfQuery, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, request.params.code, request.query));
  });
  app.put('/api/v1/customers/:code/credit', {
    config: { access: 'credit.manage' },
    schema: { tags: ['credit'], summary: 'Save a new version of the credit file (the whole file; versions are kept, audited)', params: codeParams, body: creditFileSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return saveCreditFile(ctx, request.params.code, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/customers/:code/credit/history', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'Every version of the credit file, newest first', params: codeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => creditFileHistory(ctx, sql, request.params.code));
  });
  app.post('/api/v1/customers/:code/financials', {
    config: { access: 'credit.manage' },
    schema: { tags: ['credit'], summary: 'Record financial statements by period (a period on file is corrected by the new one); all or nothing', params: codeParams, body: financialsSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await addFinancials(ctx, request.params.code, request.body, scope.idempotencyKey(request)));
  });
  app.post('/api/v1/credit/financials/import', {
    config: { access: 'credit.manage' },
    bodyLimit: MAX_FINANCIALS_FILE_BYTES * 2,
    schema: { tags: ['credit'], summary: 'Import financial statements of many customers from a CSV or XLSX file (base64 in `content`; columns: customer, periodEnd, currency, then the 13 figures); all or nothing, problems named by line', body: financialsFileSchema, response: errors },
  }, async (request, reply) => reply.status(201).send(await importFinancialsFile(await scope.context(request), request.body)));
  app.get('/api/v1/customers/:code/assessments', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'The customer\'s assessments, newest first, with factor points and limit caps', params: codeParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listAssessments(ctx, sql, request.params.code, request.query));
  });
  app.post('/api/v1/customers/:code/assessments', {
    config: { access: 'credit.manage' },
    schema: { tags: ['credit'], summary: 'Run an assessment at an as-of date (stored); takeEffect sets the grade, score and next review', params: codeParams, body: assessSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await assessCustomer(ctx, request.params.code, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/customers/:code/credit/reviews', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'The customer\'s completed credit reviews', params: codeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listReviews(ctx, sql, request.params.code));
  });
  app.post('/api/v1/customers/:code/credit/reviews', {
    config: { access: 'credit.manage' },
    schema: { tags: ['credit'], summary: 'Complete a review: new statements, an assessment that takes effect, the decision (approve / change / hold) and proposals', params: codeParams, body: reviewSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await completeReview(ctx, request.params.code, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/credit/reviews', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'The review queue: review due on or before the as-of date, or never graded with an open balance', querystring: reviewQueueSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => reviewQueue(ctx, sql, request.query));
  });
  app.get('/api/v1/credit/scorecard', {
    config: { access: 'credit.read' },
    schema: { tags: ['credit'], summary: 'The scorecard: factors, bins, weights and the policy of each grade', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => scorecardOf(sql, ctx));
  });
  app.put('/api/v1/credit/scorecard', {
    config: { access: 'credit.manage' },
    schema: { tags: ['credit'], summary: 'Replace the scorecard (weights add to 100, bins in order, grades down to score 0); audited', body: scorecardSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return setScorecard(ctx, request.body, scope.idempotencyKey(request));
  });
}
