/** Route table: each route validates its input with the module's zod schema and calls one use case. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import {
  createCustomer, customerListSchema, customerPatchSchema, customerSchema, getCustomer, listContacts, listCustomerFacets,
  listCustomers, presentCustomer, updateCustomer,
} from '../modules/customers/index.ts';
import { fxRateSchema, listFxRates, setFxRate } from '../modules/fx/index.ts';
import { withIdempotency } from '../modules/idempotency/index.ts';
import {
  allocationListSchema, applyCredit, applySchema, customerBalance, documentListSchema, getDocument, listAllocations,
  listDocuments, listOpenItems, openBalancesOf, postDocument, postDocumentSchema, postingPreload, resolveDocument, reverseAllocation, reverseDocument,
  reverseSchema, verifyAdvance, verifyLedger,
} from '../modules/ledger/index.ts';
import { createTermsSchema, createTerms, getTerms, listTerms, presentTerms } from '../modules/terms/index.ts';
import type { RequestScope } from './server.ts';
import { demand } from './auth.ts';
import { assertInScope, customerScope } from '../modules/access/scope.ts';
import { notFound } from '../domain/errors.ts';
import { needsApproval, requestApproval } from '../modules/approvals/index.ts';
import { recordCustomerLimit } from '../modules/credit-limits/index.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), line: z.number().optional(), column: z.string().optional(), message: z.string() })) });
/** Success bodies are documented by the route summaries and docs/api.md; errors share one schema. */
const ok = { 200: z.any(), 201: z.any(), 202: z.any() };
const errors = { ...ok, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const idempotencyHeader = z.object({ 'idempotency-key': z.string().max(200).optional() });
const codeParams = z.object({ code: z.string().min(1).max(64) });
const refParams = z.object({ ref: z.string().min(1).max(140).describe('document id, number, or KIND:NUMBER') });

export async function registerRoutes(server: FastifyInstance, db: Database, scope: RequestScope) {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const read = async <T>(request: Parameters<RequestScope['context']>[0], fn: (ctx: Awaited<ReturnType<RequestScope['context']>>, sql: Parameters<Parameters<Database['tenant']>[1]>[0]) => Promise<T>) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => fn(ctx, sql));
  };

  // Payment terms ---------------------------------------------------------------------------------------------------
  app.get('/api/v1/terms', { config: { access: 'terms.read' }, schema: { tags: ['terms'], summary: 'List payment terms', response: errors } }, (request) =>
    read(request, async (ctx, sql) => ({ items: (await listTerms(sql, ctx.tenant.id)).map(presentTerms) })));
  app.get('/api/v1/terms/:code', { config: { access: 'terms.read' }, schema: { tags: ['terms'], summary: 'One payment terms rule', params: codeParams, response: errors } }, (request) =>
    read(request, async (ctx, sql) => presentTerms(await getTerms(sql, ctx.tenant.id, request.params.code))));
  app.post('/api/v1/terms', { config: { access: 'terms.write' },
    schema: { tags: ['terms'], summary: 'Create payment terms: net days, end of month, discount "2/10", installments "30@0,70@30"', body: createTermsSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'terms.create', request.body, async (sql) => presentTerms(await createTerms(ctx, request.body, sql)));
    return reply.status(201).send(result);
  });

  // Customers -------------------------------------------------------------------------------------------------------
  app.get('/api/v1/customers', { config: { access: 'customers.read' }, schema: { tags: ['customers'], summary: 'Search (code or tax id prefix, part of the name) and page through customers, each with its open balance per currency', querystring: customerListSchema, response: errors } }, (request) =>
    read(request, async (ctx, sql) => {
      const scope = customerScope(ctx);
      const page = await listCustomers(sql, ctx.tenant.id, scope ? { ...request.query, [scope.field]: scope.handle } : request.query);
      const balances = await openBalancesOf(sql, ctx.tenant.id, page.items.map((c) => c.id));
      return { items: page.items.map((c) => ({ ...presentCustomer(c), balances: balances.get(c.id) ?? [] })), nextCursor: page.nextCursor };
    }));
  app.get('/api/v1/customer-filters', { config: { access: 'customers.read' }, schema: { tags: ['customers'], summary: "The values the customer list's filters take: segments, regions, collectors, salespeople, currencies (a collector's or salesperson's own customers only)", response: errors } }, (request) =>
    read(request, (ctx, sql) => listCustomerFacets(sql, ctx.tenant.id, customerScope(ctx))));
  app.post('/api/v1/customers', { config: { access: 'customers.write' }, schema: { tags: ['customers'], summary: 'Create a customer with its contacts', body: customerSchema, headers: idempotencyHeader, response: errors } }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'customer.create', request.body, async (sql) => {
      const saved = await createCustomer(ctx, request.body, sql);
      return { ...presentCustomer(saved.customer, await listContacts(sql, ctx.tenant.id, saved.customer.id)), outcome: saved.outcome };
    });
    return reply.status(result.outcome === 'created' ? 201 : 200).send(result);
  });
  app.get('/api/v1/customers/:code', { config: { access: 'customers.read' }, schema: { tags: ['customers'], summary: 'A customer with contacts', params: codeParams, response: errors } }, (request) =>
    read(request, async (ctx, sql) => {
      const customer = await getCustomer(sql, ctx.tenant.id, request.params.code);
      await assertInScope(ctx, sql, customer.id, () => notFound('CUSTOMER_NOT_FOUND', `customer: no customer has code ${request.params.code}; create it first or check the code`));
      return presentCustomer(customer, await listContacts(sql, ctx.tenant.id, customer.id));
    }));
  app.patch('/api/v1/customers/:code', { config: { access: 'customers.write' }, schema: { tags: ['customers'], summary: 'Change a customer (send version to guard against concurrent edits); a credit-limit increase above the company threshold or a terms change answers 202 with an approval request', params: codeParams, body: customerPatchSchema, response: errors } }, async (request, reply) => {
    const ctx = await scope.context(request);
    const credit = request.body.creditLimit !== undefined || request.body.paymentTerms !== undefined;
    if (credit) await demand(ctx, 'customers.credit', 'PATCH /api/v1/customers/:code (credit limit or terms)');
    const asked = { code: request.params.code, patch: request.body };
    const held = credit ? await ctx.db.tenant(ctx.tenant.id, async (sql) => {
      const summary = await needsApproval(sql, ctx, 'customer.credit', asked);
      return summary ? requestApproval(sql, ctx, 'customer.credit', asked, summary) : null;
    }) : null;
    if (held) return reply.status(202).send({ outcome: 'approval_requested', approval: held });
    return ctx.db.tenant(ctx.tenant.id, async (sql) => {
      const customer = await updateCustomer(ctx, request.params.code, request.body, sql);
      // A limit changed without approval (within the company's threshold) is a version of the limit history too.
      if (request.body.creditLimit !== undefined) {
        await recordCustomerLimit(ctx, sql, customer, { requestedBy: ctx.actor, approvedBy: ctx.actor, approvalId: null, reason: 'changed on the customer record, within the approval threshold' });
      }
      return presentCustomer(customer, await listContacts(sql, ctx.tenant.id, customer.id));
    });
  });
  app.get('/api/v1/customers/:code/balance', { config: { access: 'customers.read' }, schema: { tags: ['customers'], summary: 'Receivable, overdue, unapplied and net balance per currency', params: codeParams, response: errors } }, (request) =>
    read(request, (ctx, sql) => customerBalance(ctx, sql, request.params.code)));
  app.get('/api/v1/customers/:code/open-items', { config: { access: 'customers.read' },
    schema: { tags: ['customers'], summary: 'Open installments and unapplied credits, oldest due first', params: codeParams, querystring: z.object({ side: z.enum(['debit', 'credit']).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(500).optional() }), response: errors },
  }, (request) => read(request, (ctx, sql) => listOpenItems(ctx, sql, { ...request.query, customer: request.params.code })));

  // FX rates --------------------------------------------------------------------------------------------------------
  app.get('/api/v1/fx-rates', { config: { access: 'fx.read' }, schema: { tags: ['fx'], summary: 'FX rates to the functional currency', querystring: z.object({ currency: z.string().length(3).optional() }) } }, (request) =>
    read(request, async (ctx, sql) => ({ items: await listFxRates(sql, ctx.tenant.id, request.query.currency?.toUpperCase()) })));
  app.post('/api/v1/fx-rates', { config: { access: 'fx.write' }, schema: { tags: ['fx'], summary: 'Record the rate of a currency on a date', body: fxRateSchema, response: errors } }, async (request, reply) => {
    const ctx = await scope.context(request);
    return reply.status(201).send(await setFxRate(ctx, request.body));
  });

  // Documents -------------------------------------------------------------------------------------------------------
  app.get('/api/v1/documents', { config: { access: 'documents.read' }, schema: { tags: ['documents'], summary: 'Documents, newest first, with filters', querystring: documentListSchema, response: errors } }, (request) =>
    read(request, (ctx, sql) => listDocuments(ctx, sql, request.query)));
  app.post('/api/v1/documents', { config: { access: 'documents.post' },
    schema: { tags: ['documents'], summary: 'Post an invoice, debit note, charge, refund, payment, credit note, advance receipt or write-off', body: postDocumentSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    if (request.body.kind === 'write_off') await demand(ctx, 'write_offs.post', 'POST /api/v1/documents (write-off)');
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'document.post', request.body, async (sql, preloaded) => {
      const summary = request.body.kind === 'write_off' ? await needsApproval(sql, ctx, 'write_off.post', request.body) : null;
      if (summary) return { outcome: 'approval_requested' as const, approval: await requestApproval(sql, ctx, 'write_off.post', request.body, summary) };
      return postDocument(ctx, request.body, sql, preloaded);
    }, { preload: postingPreload(ctx, request.body) });
    return reply.status(result.outcome === 'created' ? 201 : result.outcome === 'approval_requested' ? 202 : 200).send(result);
  });
  app.get('/api/v1/documents/:ref', { config: { access: 'documents.read' }, schema: { tags: ['documents'], summary: 'A document with its items and allocations', params: refParams, response: errors } }, (request) =>
    read(request, (ctx, sql) => getDocument(ctx, sql, request.params.ref)));
  app.post('/api/v1/documents/:ref/reverse', { config: { access: 'documents.reverse' },
    schema: { tags: ['documents'], summary: 'Reverse a posted document (its allocations are undone first)', params: refParams, body: reverseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const asked = { ref: request.params.ref, ...request.body };
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'document.reverse', asked, async (sql) => {
      const doc = await resolveDocument(sql, ctx.tenant.id, request.params.ref);
      const summary = await needsApproval(sql, ctx, 'document.reverse', asked);
      if (summary) return { outcome: 'approval_requested' as const, approval: await requestApproval(sql, ctx, 'document.reverse', { ...asked, ref: doc.id }, summary) };
      return reverseDocument(ctx, doc.id, request.body, sql);
    });
    return reply.status('outcome' in result && result.outcome === 'approval_requested' ? 202 : 201).send(result);
  });
  app.post('/api/v1/documents/:ref/verify', { config: { access: 'documents.verify' },
    schema: { tags: ['documents'], summary: 'Mark an advance receipt as verified against the bank', params: refParams, body: z.object({ date: z.string().optional() }).nullish(), response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    const doc = await ctx.db.tenant(ctx.tenant.id, (sql) => resolveDocument(sql, ctx.tenant.id, request.params.ref));
    return verifyAdvance(ctx, doc.id, request.body ?? {});
  });

  // Allocations -----------------------------------------------------------------------------------------------------
  app.get('/api/v1/allocations', { config: { access: 'documents.read' }, schema: { tags: ['allocations'], summary: 'Allocations, newest first', querystring: allocationListSchema, response: errors } }, (request) =>
    read(request, (ctx, sql) => listAllocations(ctx, sql, request.query)));
  app.post('/api/v1/allocations', { config: { access: 'documents.post' },
    schema: { tags: ['allocations'], summary: 'Apply a payment, credit note, advance or write-off to open items', body: applySchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'allocation.apply', request.body, (sql) => applyCredit(ctx, request.body, sql));
    return reply.status(201).send(result);
  });
  app.post('/api/v1/allocations/:id/reverse', { config: { access: 'documents.reverse' },
    schema: { tags: ['allocations'], summary: 'Undo one allocation', params: z.object({ id: z.uuid() }), body: reverseSchema, headers: idempotencyHeader, response: errors },
  }, async (request, reply) => {
    const ctx = await scope.context(request);
    const result = await withIdempotency(ctx, scope.idempotencyKey(request), 'allocation.reverse', { id: request.params.id, ...request.body }, (sql) => reverseAllocation(ctx, request.params.id, request.body, sql));
    return reply.status(201).send(result);
  });

  // Ledger ----------------------------------------------------------------------------------------------------------
  app.post('/api/v1/ledger/verify', { config: { access: 'ledger.verify' },
    schema: { tags: ['ledger'], summary: 'Check cached open amounts against the ledger; rebuild them with {"rebuild": true}', body: z.object({ rebuild: z.boolean().default(false) }).nullish() },
  }, async (request) => verifyLedger(await scope.context(request), request.body?.rebuild ?? false));
}
