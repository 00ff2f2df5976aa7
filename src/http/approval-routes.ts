/** The approvals inbox, decisions, and the company's approval thresholds. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import {
  approvalListSchema, approvalSettings, approvalSettingsSchema, decideApproval, decisionSchema, listApprovals, setApprovalSettings,
} from '../modules/approvals/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idParams = z.object({ id: z.uuid() });

export async function registerApprovalRoutes(server: FastifyInstance, db: Database, scope: RequestScope) {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/approvals', {
    config: { access: 'signed-in' },
    schema: { tags: ['approvals'], summary: 'Approval requests, newest first: all of them for those who decide, one\'s own for the others', querystring: approvalListSchema, response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => listApprovals(ctx, sql, request.query));
  });
  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/api/v1/approvals/:id/${decision}`, {
      config: { access: 'approvals.decide' },
      schema: { tags: ['approvals'], summary: decision === 'approve' ? 'Approve a request: the action is done now, as the requester\'s, recorded with your name' : 'Reject a request (say why)', params: idParams, body: decisionSchema.nullish(), response: errors },
    }, async (request) => decideApproval(await scope.context(request), request.params.id, decision, request.body ?? {}));
  }
  app.post('/api/v1/approvals/:id/cancel', {
    config: { access: 'signed-in' },
    schema: { tags: ['approvals'], summary: 'Withdraw your own pending request', params: idParams, body: decisionSchema.nullish(), response: errors },
  }, async (request) => decideApproval(await scope.context(request), request.params.id, 'cancel', request.body ?? {}));
  app.get('/api/v1/company/approval-settings', {
    config: { access: 'company.read' },
    schema: { tags: ['company'], summary: 'What needs a second person: write-offs above, credit-limit increases above (and terms changes), reversals', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => approvalSettings(sql, ctx));
  });
  app.patch('/api/v1/company/approval-settings', {
    config: { access: 'company.manage' },
    schema: { tags: ['company'], summary: 'Change the approval thresholds (amounts in the functional currency; null: never needs approval)', body: approvalSettingsSchema, response: errors },
  }, async (request) => setApprovalSettings(await scope.context(request), request.body));
}
