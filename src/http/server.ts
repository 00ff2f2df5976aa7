/**
 * The HTTP API under /api/v1: thin routes that validate with zod and call one use case each. OpenAPI at
 * /api/openapi.json, browsable at /api/docs.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { withOrigin, type Database } from '../db/database.ts';
import { invalid } from '../domain/errors.ts';
import type { Clock, Context } from '../modules/context.ts';
import type { JobQueue } from '../jobs/index.ts';
import { getTenantById, type Tenant } from '../modules/tenants/index.ts';
import { principalOf, registerAuth } from './auth.ts';
import { registerAccessRoutes } from './access-routes.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerApprovalRoutes } from './approval-routes.ts';
import { registerMailRoutes } from './mail-routes.ts';
import { errorHandler } from './errors.ts';
import { registerRoutes } from './routes.ts';
import { registerReportRoutes } from './report-routes.ts';
import { registerKpiRoutes } from './kpi-routes.ts';
import { registerProvisionRoutes } from './provision-routes.ts';
import { registerCreditRoutes } from './credit-routes.ts';
import { registerCreditLimitRoutes } from './credit-limit-routes.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { registerStatementRoutes } from './statement-routes.ts';
import { registerBankRoutes } from './bank-routes.ts';
import { registerDisputeRoutes } from './dispute-routes.ts';
import { registerCollectionRoutes } from './collection-routes.ts';
import { registerWorklistRoutes } from './worklist-routes.ts';
import { registerDunningRoutes } from './dunning-routes.ts';
import { registerPlanRoutes } from './plan-routes.ts';
import { registerWeb, wantsWebApp } from './web.ts';

export interface ServerOptions {
  db: Database;
  clock: Clock;
  jobs?: JobQueue;
  logger?: boolean | object;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** The built web app to serve at / (src/web/build.ts); without it only the API is served. */
  webDist?: string;
  /**
   * The reverse proxies to believe about the caller's address and protocol (X-Forwarded-For/-Proto): `true` for
   * any, or addresses and CIDR ranges. Behind a TLS proxy it makes the session cookie Secure.
   */
  trustProxy?: boolean | string[];
}

/** ARFLOW_TRUST_PROXY: unset = none, `true` = any, else a comma-separated list of addresses or CIDR ranges. */
export function parseTrustProxy(value: string | undefined): boolean | string[] {
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

/**
 * The access log: one line per request, when it is answered, with Fastify's serializers' req (method, url, host,
 * remote address and port) and res (status code), instead of Fastify's two lines (one on arrival, one on
 * completion): a posting's log writes are a measurable part of its CPU (docs/decisions.md, "access log").
 */
class AccessLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export interface RequestScope {
  context(request: FastifyRequest): Promise<Context>;
  idempotencyKey(request: FastifyRequest): string | undefined;
  /** Forget the cached tenant after its settings change. */
  tenantChanged(tenantId: string): void;
}

const VERSION = '0.1.0';

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  // Fastify 5 takes a ready logger (pino instance, as `arflow serve` passes) as loggerInstance, options as logger.
  const logger = options.logger;
  const isLoggerInstance = typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
  const app = Fastify({
    ...(isLoggerInstance ? { loggerInstance: logger as FastifyBaseLogger } : { logger: logger ?? false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    logController: new AccessLog(),
    trustProxy: options.trustProxy ?? false,
    // Errors the router raises before a route is found (a path parameter too long, a malformed URL) get the same shape.
    frameworkErrors: errorHandler,
    // Requests Node's parser refuses (raw non-ASCII in the URL, bad headers) still get arflow's error shape.
    clientErrorHandler: (error, socket) => {
      const body = JSON.stringify({ code: 'BAD_REQUEST', message: `the request could not be parsed (${error.message}); percent-encode non-ASCII characters in the URL`, details: [] });
      if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => options.webDist && wantsWebApp(request.method, request.url)
    ? reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html')
    : reply.status(404).send({ code: 'ROUTE_NOT_FOUND', message: `${request.method} ${request.url} is not an arflow route; see /api/docs`, details: [] }));
  // Safety net: presenters emit amounts as strings; should a bigint slip through it must not crash the reply.
  // Without a replacer first (a replacer function makes every answer's serialisation about twice as slow); only an
  // answer JSON.stringify refuses (a bigint in it) is written again with one. The text is the same either way.
  app.setReplySerializer((payload) => {
    try {
      return JSON.stringify(payload);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'arflow API',
        version: VERSION,
        description:
          'Accounts receivable ledger. Amounts are decimal strings in major units ("1234.50"); dates are YYYY-MM-DD business dates. ' +
          'Every write accepts an Idempotency-Key header: a repeat with the same body returns the first answer, a different body is 409. ' +
          'Errors are {code, message, details}. Lists are cursor-paged: pass nextCursor back as cursor. ' +
          'Sign in with POST /api/v1/session (a session cookie; changes then send its csrfToken in X-CSRF-Token), or send an API ' +
          'token in Authorization: Bearer arf_…. The caller\'s company and role follow from either; each route needs one permission (docs/security.md).',
      },
      components: {},
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await registerAuth(app, options.db, options.clock);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Tenants by id, read once per process: a principal names its tenant by id.
  const tenants = new Map<string, Tenant>();
  const scope: RequestScope = {
    async context(request) {
      const principal = principalOf(request);
      let tenant = tenants.get(principal.tenantId);
      if (!tenant) {
        tenant = await getTenantById(options.db, principal.tenantId);
        tenants.set(tenant.id, tenant);
      }
      // Every change this request makes is audited as coming from the caller's address, by browser or by API token.
      const db = withOrigin(options.db, `${principal.via === 'token' ? 'api' : 'web'} ${request.ip}`);
      return { db, tenant, actor: principal.actor, principal, clock: options.clock, ...(options.jobs ? { jobs: options.jobs } : {}) };
    },
    idempotencyKey(request) {
      const header = request.headers['idempotency-key'];
      if (Array.isArray(header)) throw invalid('INVALID_IDEMPOTENCY_KEY', 'send one Idempotency-Key header, not several');
      return header;
    },
    tenantChanged(tenantId) {
      tenants.delete(tenantId);
    },
  };
  app.get('/api/v1/health', { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Liveness and the database in use' } }, async () => ({
    status: 'ok', version: VERSION, database: options.db.engine,
  }));
  await registerAccessRoutes(app, options.db, options.clock, scope);
  await registerRoutes(app, options.db, scope);
  await registerAuditRoutes(app, options.db, scope);
  await registerApprovalRoutes(app, options.db, scope);
  await registerReportRoutes(app, scope);
  await registerKpiRoutes(app, scope);
  await registerProvisionRoutes(app, scope);
  await registerCreditRoutes(app, scope);
  await registerStatementRoutes(app, scope);
  await registerMailRoutes(app, scope);
  await registerCreditLimitRoutes(app, scope);
  await registerAlertRoutes(app, scope);
  await registerBankRoutes(app, scope);
  await registerDisputeRoutes(app, scope);
  await registerCollectionRoutes(app, scope);
  await registerWorklistRoutes(app, scope);
  await registerDunningRoutes(app, scope);
  await registerPlanRoutes(app, scope);
  if (options.webDist) await registerWeb(app, options.webDist);
  return app;
}
