/** `arflow promises …` and `arflow activities …`: promises to pay and the collector's calls from the command line. */
import { Option, type Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import {
  ACTIVITY_CHANNELS, ACTIVITY_OUTCOMES, evaluatePromises, listActivities, listPromises, PROMISE_STATUSES, recordActivity, recordPromise,
  type PresentedActivity, type PresentedPromise,
} from '../modules/collections/index.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const PROMISE_HEAD = ['id', 'customer', 'status', 'amount', 'paid', 'promised', 'deadline', 'documents'];
const promiseRow = (p: PresentedPromise) => [p.id, p.customer, p.status, `${p.amount} ${p.currency}`, p.paid, p.promisedDate, p.deadline, p.documents.join(', ')];
const ACTIVITY_HEAD = ['date', 'customer', 'channel', 'outcome', 'follow up', 'by', 'note'];
const activityRow = (a: PresentedActivity) => [a.activityDate, a.customer, a.channel, a.outcome, a.followUpOn ?? '', a.recordedBy, a.note ?? ''];

/** "INV-1" or "INV-1#2". */
function parseItem(text: string, all: { document: string; installment: number }[] = []) {
  const match = /^(.+?)(?:#(\d{1,3}))?$/.exec(text.trim());
  if (!match || !match[1]) throw invalid('INVALID_ITEM', `--item: "${text}" is not DOCUMENT[#INSTALLMENT], like INV-1 or INV-1#2`, [{ field: '--item', message: 'bad format' }]);
  return [...all, { document: match[1], installment: match[2] ? Number(match[2]) : 1 }];
}

export function registerCollectionCommands(program: Command, withContext: WithContext, print: Print): void {
  const promises = program.command('promises').description('promises to pay (付款承诺): record, list, decide');
  promises.command('list').description('promises in your scope, latest promised date first')
    .addOption(new Option('--status <status>').choices(['all', ...PROMISE_STATUSES]).default('all'))
    .option('--customer <code>', 'one customer\'s promises')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--cursor <n>', 'the previous page\'s next cursor')
    .action((o: { status: string; customer?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listPromises(ctx, sql, { ...o, status: o.status as 'all', limit: Number(o.limit) }));
        print(format, page, () => `${page.total} promises${page.nextCursor ? ` (next page: --cursor ${page.nextCursor})` : ''}\n${table(PROMISE_HEAD, page.rows.map(promiseRow))}`);
      }));
  promises.command('add').description('record a customer\'s promise to pay')
    .requiredOption('--customer <code>', 'the customer')
    .requiredOption('--amount <amount>', 'the amount promised, like 3000.00')
    .requiredOption('--date <date>', 'the promised date')
    .option('--currency <code>', 'default the customer\'s currency')
    .option('--grace <days>', 'days after the date a payment still keeps it (default the company\'s, 3)')
    .option('--item <DOCUMENT[#N]>', 'an item the promise is about; repeat for several', parseItem)
    .option('--note <text>')
    .option('--key <key>', 'idempotency key: recording again with it records nothing twice')
    .action((o: { customer: string; amount: string; date: string; currency?: string; grace?: string; item?: { document: string; installment: number }[]; note?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const grace = o.grace === undefined ? undefined : Number(o.grace);
        if (grace !== undefined && !Number.isInteger(grace)) throw invalid('INVALID_GRACE', `--grace: "${o.grace}" is not a whole number of days`, [{ field: '--grace', message: 'not a whole number' }]);
        const p = await recordPromise(ctx, { customer: o.customer, amount: o.amount, promisedDate: o.date, currency: o.currency, graceDays: grace, items: o.item, note: o.note }, o.key);
        print(format, p, () => `promise ${p.id} recorded: ${p.customer} ${p.amount} ${p.currency} by ${p.promisedDate} (counts until ${p.deadline})`);
      }));
  promises.command('evaluate').description('decide the open promises: kept, partly kept or broken at a date')
    .option('--as-of <date>', 'the date to decide at (default today)')
    .action((o: { asOf?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await evaluatePromises(ctx, { asOf: o.asOf });
        print(format, r, () => `evaluated ${r.evaluated} open promises as of ${r.asOf}: ${r.kept} kept, ${r.partlyKept} partly kept, ${r.broken} broken, ${r.open} still open`);
      }));

  const activities = program.command('activities').description('collection activities: calls, emails, visits on the customer\'s timeline');
  activities.command('add').description('record a call (or email, SMS, visit, letter) and its outcome')
    .requiredOption('--customer <code>', 'the customer')
    .addOption(new Option('--outcome <outcome>').choices([...ACTIVITY_OUTCOMES]).makeOptionMandatory())
    .addOption(new Option('--channel <channel>').choices([...ACTIVITY_CHANNELS]).default('phone'))
    .option('--contact <who>', 'whom it was with')
    .option('--note <text>')
    .option('--follow-up <date>', 'when to follow up')
    .option('--date <date>', 'when it happened (default today)')
    .option('--promise <id>', 'the promise recorded on this call')
    .option('--key <key>', 'idempotency key')
    .action((o: { customer: string; outcome: string; channel: string; contact?: string; note?: string; followUp?: string; date?: string; promise?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const a = await recordActivity(ctx, { customer: o.customer, outcome: o.outcome as 'reached', channel: o.channel as 'phone', contact: o.contact, note: o.note, followUpOn: o.followUp, activityDate: o.date, promiseId: o.promise }, o.key);
        print(format, a, () => `${a.channel} with ${a.customer} recorded: ${a.outcome}${a.followUpOn ? `, follow up ${a.followUpOn}` : ''}`);
      }));
  activities.command('list').description('activities in your scope, newest first')
    .option('--customer <code>', 'one customer\'s activities')
    .addOption(new Option('--outcome <outcome>').choices([...ACTIVITY_OUTCOMES]))
    .option('--follow-up-by <date>', 'only those to follow up on or before this date')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--cursor <n>', 'the previous page\'s next cursor')
    .action((o: { customer?: string; outcome?: string; followUpBy?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listActivities(ctx, sql, { ...o, outcome: o.outcome as 'reached', limit: Number(o.limit) }));
        print(format, page, () => `${page.total} activities${page.nextCursor ? ` (next page: --cursor ${page.nextCursor})` : ''}\n${table(ACTIVITY_HEAD, page.rows.map(activityRow))}`);
      }));
}
