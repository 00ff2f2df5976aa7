/** Bank statement import: upload (base64 JSON), history, one statement with its entries, CSV profiles. Thin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  csvProfileSchema, getStatement, importBankStatement, importSchema, listProfiles, listSchema, listStatements, MAX_UPLOAD_BODY_BYTES, saveProfile,
} from '../modules/bank/index.ts';
import {
  acceptLine, acceptSchema, getMatchSettings, linesQuerySchema, listLines, matchImported, matchRunSchema, matchSettingsSchema, matchStatement, rejectLine,
  rejectSchema, saveMatchSettings, undoLine, undoSchema, forgetKnowledge, getMatchingKnowledge, KNOWLEDGE_KINDS,
} from '../modules/bank/matching.ts';
import { getAdvice, importRemittance, listAdvices, remittanceImportSchema, remittanceListSchema } from '../modules/bank/remittances.ts';
import type { RequestScope } from './server.ts';
import { can } from '../domain/access.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), line: z.number().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const statementParams = z.object({ id: z.string().min(1).max(64) });
const lineParams = z.object({ id: z.string().min(1).max(64) });

export async function registerBankRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/bank/statements', {
    config: { access: 'bank.import' },
    bodyLimit: MAX_UPLOAD_BODY_BYTES + 4096,
    schema: {
      tags: ['bank'],
      summary: 'Import a bank statement file (camt.052/053/054, MT940, BAI2, or CSV with a saved profile), base64 in `content`; the format is recognised from the content. All or nothing; importing it again adds nothing (201 when something new was written, 200 when all of it was already there)',
      body: importSchema, headers: idempotencyHeader, response: errors,
      querystring: z.object({ match: z.enum(['true', 'false']).optional().describe('true: match the new statements right after the import (needs bank.match too); their counts come back in `matching`') }),
    },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await importBankStatement(ctx, request.body, scope.idempotencyKey(request));
    const matching = request.query.match === 'true' && ctx.principal && can(ctx.principal.role, 'bank.match') ? await matchImported(ctx, result.statements) : undefined;
    return reply.code(result.statements.some((s) => !s.alreadyImported) ? 201 : 200).send(matching ? { ...result, matching } : result);
  });
  app.post('/api/v1/bank/remittances', {
    config: { access: 'bank.import' },
    bodyLimit: MAX_UPLOAD_BODY_BYTES + 4096,
    schema: {
      tags: ['bank'], body: remittanceImportSchema, headers: idempotencyHeader, response: errors,
      summary: 'Import a remittance advice (付款通知: CSV or XLSX of invoice numbers and amounts paid), base64 in `content`, for cash matching; the payer is `customer` or found from the invoices. All or nothing; the same file again changes nothing (200 with alreadyImported)',
    },
  }, async (request, reply) => {
    const result = await importRemittance(await scope.context(request), request.body, scope.idempotencyKey(request));
    return reply.code(result.alreadyImported ? 200 : 201).send(result);
  });
  app.get('/api/v1/bank/remittances', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'Imported remittance advices, newest first (status open: not yet used by a bank line); paged', querystring: remittanceListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listAdvices(ctx, sql, request.query));
  });
  app.get('/api/v1/bank/remittances/:id', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'One remittance advice with its lines and the invoices they name', params: statementParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getAdvice(ctx, sql, request.params.id));
  });
  app.get('/api/v1/bank/statements', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'Imported bank statements, newest first, with their balance check; paged', querystring: listSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listStatements(ctx, sql, request.query));
  });
  app.get('/api/v1/bank/statements/:id', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'One imported statement with its entries', params: statementParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getStatement(ctx, sql, request.params.id));
  });
  app.get('/api/v1/bank/profiles', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'Saved CSV mapping profiles', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listProfiles(ctx, sql));
  });
  app.post('/api/v1/bank/profiles', {
    config: { access: 'bank.import' },
    schema: { tags: ['bank'], summary: 'Save a CSV mapping profile (delimiter, encoding, date and amount formats, column mapping); the same name replaces it, audited', body: csvProfileSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const saved = await saveProfile(ctx, request.body, scope.idempotencyKey(request));
    return reply.code(saved.created ? 201 : 200).send(saved);
  });

  // Cash matching (docs/cash-matching.md) -------------------------------------------------------------------------
  app.post('/api/v1/bank/statements/:id/match', {
    config: { access: 'bank.match' },
    schema: {
      tags: ['bank'], summary: 'Match the statement\'s incoming lines to open items: ranked proposals with reasons and scores; the sure ones applied (a payment posted and applied), unless dryRun. Lines already applied are left alone; audited',
      params: statementParams, body: matchRunSchema.nullish(), headers: idempotencyHeader, response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return matchStatement(ctx, request.params.id, request.body ?? {}, scope.idempotencyKey(request));
  });
  app.get('/api/v1/bank/statements/:id/lines', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'The statement\'s lines with their matching state, proposals (score, reasons with points) and application; collectors see only their customers\' proposals', params: statementParams, querystring: linesQuerySchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listLines(ctx, sql, request.params.id, request.query));
  });
  app.post('/api/v1/bank/lines/:id/accept', {
    config: { access: 'bank.match' },
    schema: { tags: ['bank'], summary: 'Apply a line: a proposal as it stands (proposalId), or the chosen customer, items and amounts (the rest stays as unapplied cash); learns the payer account', params: lineParams, body: acceptSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return acceptLine(ctx, request.params.id, request.body, scope.idempotencyKey(request));
  });
  app.post('/api/v1/bank/lines/:id/reject', {
    config: { access: 'bank.match' },
    schema: { tags: ['bank'], summary: 'Reject one proposal of a line, or all of them; a rejected proposal is not proposed again', params: lineParams, body: rejectSchema.nullish(), headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return rejectLine(ctx, request.params.id, request.body ?? {}, scope.idempotencyKey(request));
  });
  app.post('/api/v1/bank/lines/:id/undo', {
    config: { access: 'bank.match' },
    schema: { tags: ['bank'], summary: 'Undo a line\'s application: its payment (and write-off) are reversed in the ledger; the line waits for review again', params: lineParams, body: undoSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return undoLine(ctx, request.params.id, request.body, scope.idempotencyKey(request));
  });
  app.get('/api/v1/bank/matching-settings', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'Cash-matching settings: auto-apply and suggest scores, ambiguity margin, bank-charge tolerance, subset-sum bounds', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getMatchSettings(ctx, sql));
  });
  app.put('/api/v1/bank/matching-settings', {
    config: { access: 'bank.match' },
    schema: { tags: ['bank'], summary: 'Change the cash-matching settings (the fields given), audited', body: matchSettingsSchema, headers: idempotencyHeader, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return saveMatchSettings(ctx, request.body, scope.idempotencyKey(request));
  });
  const knowledgeParams = z.object({ code: z.string().trim().min(1).max(64) });
  app.get('/api/v1/customers/:code/matching-knowledge', {
    config: { access: 'documents.read' },
    schema: { tags: ['bank'], summary: 'What cash matching learned about a customer from users\' decisions: payer accounts and how it quotes invoice numbers', params: knowledgeParams, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getMatchingKnowledge(ctx, sql, request.params.code));
  });
  app.delete('/api/v1/customers/:code/matching-knowledge/:kind/:id', {
    config: { access: 'bank.match' },
    schema: {
      tags: ['bank'], summary: 'Forget a learned payer account or reference pattern (a wrong decision taught it), audited',
      params: knowledgeParams.extend({ kind: z.enum(KNOWLEDGE_KINDS), id: z.string().max(64) }), headers: idempotencyHeader, response: errors,
    },
  }, async (request) => {
    const ctx = await scope.context(request);
    return forgetKnowledge(ctx, request.params.code, request.params.kind, request.params.id, scope.idempotencyKey(request));
  });
}
