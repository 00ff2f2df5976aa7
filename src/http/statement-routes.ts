/** Statements of account and balance confirmations: thin routes over src/modules/statements and confirmations. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  answerConfirmation, answerSchema, confirmationListSchema, confirmationPrintOf, getConfirmation, issueConfirmation, issueSchema,
  listConfirmations, sendConfirmation,
} from '../modules/confirmations/index.ts';
import { customerInScope, loadStatement, statementQuerySchema, type Statement } from '../modules/statements/index.ts';
import { confirmationPdf, statementPdf, statementXlsx } from '../modules/statements/render.ts';
import { listSends, requestStatementSend, setStatementSettings, statementSendSchema, statementSettings, statementSettingsSchema } from '../modules/statements/sends.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 202: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const codeParams = z.object({ code: z.string().min(1).max(64) });
const refParams = z.object({ ref: z.string().min(1).max(64).describe('reference number (BC-2026-000001) or id') });

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file download; the file name is ASCII (codes and dates), so it needs no RFC 5987 encoding. */
function download(reply: FastifyReply, body: Buffer, type: string, filename: string) {
  return reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`).send(body);
}

const statementFile = (s: Statement, ext: string) => `statement-${s.customer.code}-${s.from}-${s.to}.${ext}`;

export async function registerStatementRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/company/statement-settings', {
    config: { access: 'company.read' },
    schema: { tags: ['company'], summary: 'The letterhead address printed on statements and confirmations, and the day of the month statements are emailed (null: no monthly run)', response: errors },
  }, async (request) => statementSettings(await scope.context(request)));
  app.put('/api/v1/company/statement-settings', {
    config: { access: 'company.manage' },
    schema: { tags: ['company'], summary: 'Change the letterhead address and the monthly statement day (1-28, or null); audited with before and after', body: statementSettingsSchema, response: errors },
  }, async (request) => setStatementSettings(await scope.context(request), request.body));

  app.get('/api/v1/customers/:code/statement', {
    config: { access: 'customers.read' },
    schema: {
      tags: ['statements'],
      summary: 'Statement of account (对账单) for a period: opening balance, documents and allocations with a running balance, closing balance and aging at the end, per currency; JSON, PDF or XLSX, in Chinese or English. A collector or sales person sees their own customers.',
      params: codeParams, querystring: statementQuerySchema, response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const statement = await ctx.db.tenant(ctx.tenant.id, (sql) => loadStatement(ctx, sql, request.params.code, request.query));
    if (request.query.format === 'pdf') return download(reply, await statementPdf(statement), 'application/pdf', statementFile(statement, 'pdf'));
    if (request.query.format === 'xlsx') return download(reply, await statementXlsx(statement), XLSX, statementFile(statement, 'xlsx'));
    return statement;
  });
  app.post('/api/v1/customers/:code/statement/send', {
    config: { access: 'statements.send' },
    schema: {
      tags: ['statements'],
      summary: 'Email the statement (PDF or XLSX attached) to the address given or the customer\'s statement contact: recorded and queued (202); the send log shows when it went and its message id. Needs ARFLOW_SMTP_URL.',
      params: codeParams, body: statementSendSchema, headers: idempotencyHeader, response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(202).send(await requestStatementSend(ctx, request.params.code, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/customers/:code/statement/sends', {
    config: { access: 'customers.read' },
    schema: { tags: ['statements'], summary: 'Statements and confirmations emailed to a customer, newest first (the last 50)', params: codeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, async (sql) => {
      const customer = await customerInScope(ctx, sql, request.params.code);
      return { items: await listSends(sql, ctx.tenant.id, { customerId: customer.id }) };
    });
  });

  app.post('/api/v1/confirmations', {
    config: { access: 'confirmations.manage' },
    schema: {
      tags: ['confirmations'],
      summary: 'Issue a balance confirmation (对账函/询证函): the customer\'s balance per our ledger at a date, per currency, with a reference number; optionally emailed at once (send: true)',
      body: issueSchema, headers: idempotencyHeader, response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await issueConfirmation(ctx, request.body, scope.idempotencyKey(request)));
  });
  app.get('/api/v1/confirmations', {
    config: { access: 'confirmations.read' },
    schema: { tags: ['confirmations'], summary: 'Balance confirmations, newest first: status (unanswered with days outstanding, answered, confirmed, disputed), customer; cursor-paged', querystring: confirmationListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listConfirmations(ctx, sql, request.query));
  });
  app.get('/api/v1/confirmations/:ref', {
    config: { access: 'confirmations.read' },
    schema: { tags: ['confirmations'], summary: 'One confirmation: balances, every answer (corrections supersede with a reason), the emails sent', params: refParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getConfirmation(ctx, sql, request.params.ref));
  });
  app.get('/api/v1/confirmations/:ref/pdf', {
    config: { access: 'confirmations.read' },
    schema: { tags: ['confirmations'], summary: 'The confirmation letter with its reply slip, as PDF', params: refParams, querystring: z.object({ lang: z.enum(['zh-CN', 'en']).optional() }) },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const print = await ctx.db.tenant(ctx.tenant.id, (sql) => confirmationPrintOf(ctx, sql, request.params.ref));
    return download(reply, await confirmationPdf({ ...print, language: request.query.lang ?? print.language }), 'application/pdf', `${print.number}.pdf`);
  });
  app.post('/api/v1/confirmations/:ref/answer', {
    config: { access: 'confirmations.manage' },
    schema: {
      tags: ['confirmations'],
      summary: 'Record the customer\'s answer: confirmed, or disputed with their balance (difference = theirs − ours) and itemised differences; once — a correction (correction: true, reason) supersedes it',
      params: refParams, body: answerSchema, headers: idempotencyHeader, response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return answerConfirmation(ctx, request.params.ref, request.body, scope.idempotencyKey(request));
  });
  app.post('/api/v1/confirmations/:ref/send', {
    config: { access: 'confirmations.manage' },
    schema: {
      tags: ['confirmations'], summary: 'Email the confirmation (again, as a reminder) to the address given or the customer\'s statement contact (202). Needs ARFLOW_SMTP_URL.',
      params: refParams, body: z.object({ recipient: z.string().max(254).optional() }), headers: idempotencyHeader, response: errors,
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(202).send(await sendConfirmation(ctx, request.params.ref, request.body, scope.idempotencyKey(request)));
  });
}
