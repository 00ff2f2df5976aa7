/** Signing in and out, the signed-in user's company, users and API tokens. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { PERMISSIONS, ROLE_NAMES, ROLE_PERMISSIONS, ROLES } from '../domain/access.ts';
import {
  changePassword, createApiToken, createTokenSchema, createUser, createUserSchema, getUser, listApiTokens, listUsers,
  MAX_PASSWORD_LENGTH, resetPassword, revokeApiToken, signIn, signInSchema, signOut, updateUser, updateUserSchema,
  type Principal,
} from '../modules/access/index.ts';
import type { Clock } from '../modules/context.ts';
import type { Tenant } from '../modules/tenants/index.ts';
import { clearSessionCookie, permissionsOf, principalOf, setSessionCookie } from './auth.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 201: z.any(), 204: z.null(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 429: errorBody };
const idParams = z.object({ id: z.uuid() });

function sessionBody(principal: Principal, tenant: Tenant, extra: { expiresAt?: string } = {}) {
  return {
    user: { id: principal.userId, email: principal.actor, name: principal.name, role: principal.role, handle: principal.handle, mustChangePassword: principal.mustChangePassword ?? false },
    company: { code: tenant.code, name: tenant.name, currency: tenant.currency, timeZone: tenant.timeZone, locale: tenant.locale },
    permissions: permissionsOf(principal),
    csrfToken: principal.csrfToken ?? null,
    via: principal.via,
    ...extra,
  };
}

export async function registerAccessRoutes(server: FastifyInstance, db: Database, clock: Clock, scope: RequestScope) {
  const app = server.withTypeProvider<ZodTypeProvider>();

  // Session ---------------------------------------------------------------------------------------------------------
  app.post('/api/v1/session', {
    config: { access: 'public' },
    schema: { tags: ['session'], summary: 'Sign in with email and password: sets the session cookie; answers with the user, company, permissions and csrfToken', body: signInSchema, response: errors },
  }, async (request, reply) => {
    const signedIn = await signIn(db, clock, request.body, { ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(reply, request, signedIn.token);
    return reply.status(201).send(sessionBody(signedIn.principal, signedIn.tenant, { expiresAt: signedIn.expiresAt }));
  });
  app.get('/api/v1/session', { config: { access: 'signed-in' }, schema: { tags: ['session'], summary: 'Who is signed in, in which company, with which permissions', response: errors } }, async (request) => {
    const ctx = await scope.context(request);
    return sessionBody(principalOf(request), ctx.tenant);
  });
  app.delete('/api/v1/session', { config: { access: 'signed-in' }, schema: { tags: ['session'], summary: 'Sign out (this browser)', response: errors } }, async (request, reply) => {
    await signOut(await scope.context(request), principalOf(request));
    clearSessionCookie(reply, request);
    return reply.status(204).send(null);
  });
  app.post('/api/v1/session/sign-out-everywhere', { config: { access: 'signed-in' }, schema: { tags: ['session'], summary: 'End every session of the signed-in user', response: errors } }, async (request, reply) => {
    const ended = await signOut(await scope.context(request), principalOf(request), true);
    clearSessionCookie(reply, request);
    return reply.send({ sessionsEnded: ended });
  });
  app.post('/api/v1/session/password', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'Change your own password (other sessions end)', body: z.object({ currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH), newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH) }), response: errors },
  }, async (request, reply) => {
    await changePassword(await scope.context(request), principalOf(request), request.body.currentPassword, request.body.newPassword);
    return reply.status(204).send(null);
  });

  // The company -----------------------------------------------------------------------------------------------------
  app.get('/api/v1/company', { config: { access: 'company.read' }, schema: { tags: ['company'], summary: 'The signed-in company: currency, time zone, language, default terms', response: errors } }, async (request) =>
    (await scope.context(request)).tenant);

  // Roles -----------------------------------------------------------------------------------------------------------
  app.get('/api/v1/roles', { config: { access: 'signed-in' }, schema: { tags: ['users'], summary: 'The roles and what each may do', response: errors } }, async () => ({
    roles: ROLES.map((role) => ({ role, name: ROLE_NAMES[role], permissions: ROLE_PERMISSIONS[role] })),
    permissions: Object.entries(PERMISSIONS).map(([permission, description]) => ({ permission, description })),
  }));

  // Users -----------------------------------------------------------------------------------------------------------
  app.get('/api/v1/users', { config: { access: 'users.read' }, schema: { tags: ['users'], summary: 'Users of the company', response: errors } }, async (request) =>
    ({ items: await listUsers(await scope.context(request)) }));
  app.post('/api/v1/users', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Create a user; without a password the answer carries a one-time password to hand over', body: createUserSchema, response: errors },
  }, async (request, reply) => reply.status(201).send(await createUser(await scope.context(request), request.body)));
  app.get('/api/v1/users/:id', { config: { access: 'users.read' }, schema: { tags: ['users'], summary: 'One user', params: idParams, response: errors } }, async (request) =>
    getUser(await scope.context(request), request.params.id));
  app.patch('/api/v1/users/:id', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Change a user\'s name, handle, role, status or language (send the version you read)', params: idParams, body: updateUserSchema, response: errors },
  }, async (request) => updateUser(await scope.context(request), principalOf(request), request.params.id, request.body));
  app.post('/api/v1/users/:id/reset-password', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Give a user a new one-time password (their sessions end)', params: idParams, response: errors },
  }, async (request) => resetPassword(await scope.context(request), request.params.id));

  // API tokens ------------------------------------------------------------------------------------------------------
  app.get('/api/v1/tokens', { config: { access: 'users.read' }, schema: { tags: ['users'], summary: 'API tokens (never their secrets)', response: errors } }, async (request) =>
    ({ items: await listApiTokens(await scope.context(request)) }));
  app.post('/api/v1/tokens', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Issue an API token for another system; the secret is shown in this answer only', body: createTokenSchema, response: errors },
  }, async (request, reply) => reply.status(201).send(await createApiToken(await scope.context(request), principalOf(request), request.body)));
  app.post('/api/v1/tokens/:id/revoke', { config: { access: 'users.manage' }, schema: { tags: ['users'], summary: 'Revoke an API token', params: idParams, response: errors } }, async (request) =>
    revokeApiToken(await scope.context(request), request.params.id));
}
