/** `arflow dunning run|strategies|outbox|send`: dunning from the command line. */
import type { Command } from 'commander';
import type { Context } from '../modules/context.ts';
import { listOutbox, listStrategies, recordBounce, runDunning } from '../modules/dunning/index.ts';
import { channelsFromEnv, sendOutbox } from '../modules/dunning/sender.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

export function registerDunningCommands(program: Command, withContext: WithContext, print: Print): void {
  const dunning = program.command('dunning').description('dunning: strategies, runs and the outbox');
  dunning.command('run').description('run dunning at a date (default today): writes the outbox, item steps and fees; --dry-run only shows what would go')
    .option('--as-of <date>', 'the date (default today; a real run not after today)')
    .option('--dry-run', 'plan and render, write nothing')
    .option('--key <key>', 'idempotency key')
    .action((o: { asOf?: string; dryRun?: boolean; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await runDunning(ctx, { asOf: o.asOf, dryRun: o.dryRun ?? false }, o.key);
        print(format, r, () => `${r.dryRun ? 'dry run' : `run ${r.runId}`} as of ${r.asOf}: ${r.messages} messages (${r.tasks} tasks), ${r.items} items`
          + `${r.alreadySent ? `, ${r.alreadySent} already in the outbox today` : ''}${r.feeDocuments.length ? `, fee documents ${r.feeDocuments.join(', ')}` : ''}\n`
          + `skipped: ${Object.entries(r.skipped).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}\n`
          + table(['customer', 'step', 'channel', 'to', 'subject', 'total'], r.preview.map((m) => [m.customer, String(m.stepSeq), m.channel, m.recipient ?? '', m.subject, m.totals.map((t) => `${t.currency} ${t.total}`).join(' ')])));
      }));
  dunning.command('strategies').description('the dunning strategies with their rule and steps')
    .action((_o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const list = await ctx.db.tenant(ctx.tenant.id, (sql) => listStrategies(ctx, sql));
        print(format, { items: list }, () => table(['code', 'name', 'priority', 'rule', 'steps'], list.map((s) => [
          s.code, s.name, String(s.priority), s.isDefault ? 'default' : JSON.stringify(s.match),
          s.steps.map((x) => `${x.offsetDays >= 0 ? '+' : ''}${x.offsetDays} ${x.channel}${x.fee ? ` fee ${x.fee} ${x.feeCurrency}` : ''}${x.lateInterest ? ' +interest' : ''}`).join(' → '),
        ])));
      }));
  dunning.command('outbox').description('dunning messages and tasks, newest first')
    .option('--status <status>', 'queued, sending, sent, failed, bounced, task, done')
    .option('--customer <code>', 'one customer')
    .option('--limit <n>', 'at most 200', '50')
    .action((o: { status?: 'queued'; customer?: string; limit: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listOutbox(ctx, sql, { status: o.status, customer: o.customer, limit: o.limit }));
        print(format, page, () => `${page.total} messages\n${table(['date', 'customer', 'step', 'channel', 'status', 'to', 'subject'], page.rows.map((m) => [m.asOf, m.customer, String(m.stepSeq), m.channel, m.status, m.recipient ?? '', m.subject]))}`);
      }));
  dunning.command('bounce').description('record a bounce of a sent message: it is marked bounced with the reason and not sent again')
    .option('--message-id <id>', "the email's Message-ID as sent")
    .option('--provider-id <id>', "the SMS provider's id of the message")
    .requiredOption('--reason <text>', 'what the mail server or provider said')
    .option('--key <key>', 'idempotency key')
    .action((o: { messageId?: string; providerId?: string; reason: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const m = await recordBounce(ctx, { messageId: o.messageId, providerId: o.providerId, reason: o.reason }, o.key);
        print(format, m, () => `${m.customer} ${m.channel} to ${m.recipient ?? ''}: ${m.status} (${o.reason})`);
      }));
  dunning.command('send').description('deliver the due messages of the outbox now (email: ARFLOW_SMTP_URL; SMS: ARFLOW_SMS_URL)')
    .action((_o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await sendOutbox(ctx.db, ctx.clock, ctx.tenant, channelsFromEnv());
        print(format, r, () => `claimed ${r.claimed}, sent ${r.sent}, failed ${r.failed}`);
      }));
}
