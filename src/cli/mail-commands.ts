/** `arflow mail …`: the company's own mail server (SMTP) for everything it emails, and a test message. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import { clearMailSettings, getMailSettings, sendTestMail, setMailSettings, type PresentedMailSettings } from '../modules/mail/index.ts';
import type { Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

function describe(s: PresentedMailSettings): string {
  if (s.company) {
    const c = s.company;
    return [
      `the company's own server: ${c.host}:${c.port} (${c.security})${c.username ? `, user ${c.username}, password ${c.passwordSet ? 'set' : 'not set'}` : ', no login'}`,
      `from ${c.fromName ? `${c.fromName} <${c.fromAddress}>` : c.fromAddress}${c.replyTo ? `, replies to ${c.replyTo}` : ''}`,
      `changed ${c.updatedAt} by ${c.updatedBy}`,
    ].join('\n');
  }
  return s.server ? `the installation's server (ARFLOW_SMTP_URL), from ${s.server.from}` : 'no mail server: nothing can be emailed (set one with `arflow mail settings --set FILE`)';
}

export function registerMailCommands(program: Command, withContext: WithContext, print: Print, env: NodeJS.ProcessEnv): void {
  const mail = program.command('mail').description('the company\'s email: its own SMTP server for statements, confirmations, dunning and digests (company.manage)');
  mail.command('settings')
    .description('which server the company\'s email goes through; --set FILE sets its own (JSON: host, port, security tls|starttls|none, username, password, fromAddress, fromName, replyTo; leave out password to keep the stored one)')
    .option('--set <file>', 'a JSON file with the settings')
    .action((o: { set?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        let result: PresentedMailSettings;
        if (o.set) {
          let raw: unknown;
          try {
            raw = JSON.parse(fs.readFileSync(o.set, 'utf8'));
          } catch (error) {
            throw invalid('INVALID_SETTINGS_FILE', `--set: ${o.set} is not a readable JSON file (${(error as Error).message})`, [{ field: '--set', message: 'not JSON' }]);
          }
          result = await setMailSettings(ctx, raw as Parameters<typeof setMailSettings>[1], env);
        } else {
          result = await ctx.db.tenant(ctx.tenant.id, (sql) => getMailSettings(ctx, sql, env));
        }
        print(format, result, () => describe(result));
      }));
  mail.command('clear').description('remove the company\'s own server: its email goes through the installation\'s again')
    .action((_o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const result = await clearMailSettings(ctx, env);
        print(format, result, () => describe(result));
      }));
  mail.command('test').description('send a test message now through the company\'s mail settings')
    .requiredOption('--to <address>', 'where to send it')
    .action((o: { to: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const sent = await sendTestMail(ctx, { to: o.to }, env);
        print(format, sent, () => `sent through the ${sent.source === 'company' ? 'company\'s' : 'installation\'s'} server from ${sent.from} to ${sent.to} (message ${sent.messageId})`);
      }));
}
