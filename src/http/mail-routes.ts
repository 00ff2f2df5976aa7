/** The company's email settings (its own SMTP server) and a test message: thin routes over src/modules/mail. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearMailSettings, getMailSettings, mailSettingsSchema, mailTestSchema, sendTestMail, setMailSettings } from '../modules/mail/index.ts';
import type { RequestScope } from './server.ts';

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string().optional(), message: z.string() })) });
const errors = { 200: z.any(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const tags = ['company'];

export async function registerMailRoutes(server: FastifyInstance, scope: RequestScope): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/company/mail-settings', {
    config: { access: 'company.manage' },
    schema: { tags, summary: 'Which mail server the company\'s email goes through (its own, the installation\'s, or none) and its own settings; the password is never returned, only whether one is set', response: errors },
  }, async (request) => {
    const ctx = await scope.context(request);
    return ctx.db.tenant(ctx.tenant.id, (sql) => getMailSettings(ctx, sql));
  });
  app.put('/api/v1/company/mail-settings', {
    config: { access: 'company.manage' },
    schema: {
      tags, body: mailSettingsSchema, response: errors,
      summary: 'Set the company\'s own SMTP server (host, port, security tls|starttls|none, user name, password, sender, reply-to) for statements, confirmations, dunning and digests. Leave out password to keep the stored one; null clears it. Audited (the password only as changed)',
    },
  }, async (request) => setMailSettings(await scope.context(request), request.body));
  app.delete('/api/v1/company/mail-settings', {
    config: { access: 'company.manage' },
    schema: { tags, summary: 'Remove the company\'s own SMTP server: its email goes through the installation\'s (ARFLOW_SMTP_URL) again. Audited', response: errors },
  }, async (request) => clearMailSettings(await scope.context(request)));
  app.post('/api/v1/company/mail-settings/test', {
    config: { access: 'company.manage' },
    schema: { tags, summary: 'Send a test message now through the company\'s mail settings; the mail server\'s refusal comes back as the error (SMTP_FAILED)', body: mailTestSchema, response: errors },
  }, async (request) => sendTestMail(await scope.context(request), request.body));
}
