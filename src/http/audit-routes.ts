/** The audit trail: search, export (CSV), verification of its hash chain, and one document's history. */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { verifyAudit } from '../modules/audit/chain.ts';
import { auditSearchSchema, documentHistory, exportAudit, searchAudit } from '../modules/audit/search.ts';
import { resolveDocument } from '../modules/ledger/index.ts';
import type { RequestScope } from './server.ts';
import { assertInScope } from '../modules/access/scope.ts';
import { notFound } from '../domain/errors.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

export async function registerAuditRoutes(server: FastifyInstance, db: Database, scope: RequestScope) {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/audit', {
    config: { access: 'audit.read' },
    schema: { tags: ['audit'], summary: 'Search the audit trail: by actor, action (or "prefix."), entity, document, customer, dates; newest first', querystring: auditSearchSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => searchAudit(ctx, sql, request.query));
  });
  app.get('/api/v1/audit/export', {
    config: { access: 'audit.export' },
    schema: { tags: ['audit'], summary: 'The matching entries as CSV (the export is itself recorded)', querystring: auditSearchSchema.omit({ limit: true, cursor: true }) },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const body = new PassThrough();
    exportAudit(ctx, request.query, (chunk) => body.write(chunk)).then(() => body.end(), (error: unknown) => body.destroy(error as Error));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${ctx.tenant.code}.csv"`)
      .send(body);
  });
  app.post('/api/v1/audit/verify', {
    config: { access: 'audit.verify' },
    schema: { tags: ['audit'], summary: 'Seal new entries and recompute the hash chain: names every entry changed or deleted', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return verifyAudit(db, ctx.tenant.id);
  });
  app.get('/api/v1/documents/:ref/history', {
    config: { access: 'documents.read' },
    schema: { tags: ['documents'], summary: 'A document\'s history, newest first: its own audit entries, the credits applied to it, the undoing of its allocations, and the import that brought it in', params: z.object({ ref: z.string().min(1).max(140) }), querystring: z.object({ cursor: z.string().max(36).optional() }), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, async (sql) => {
      const doc = await resolveDocument(sql, ctx.tenant.id, request.params.ref);
      await assertInScope(ctx, sql, doc.customerId, () => notFound('DOCUMENT_NOT_FOUND', `no document matches ${request.params.ref}`));
      return documentHistory(ctx, sql, doc.id, request.query.cursor);
    });
  });
}
