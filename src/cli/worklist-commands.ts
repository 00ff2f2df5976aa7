/** `arflow worklist`: the collector's ranked customers with the reasons, from the command line. */
import type { Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import { collectorWorklist, type WorklistRow } from '../modules/worklist/index.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const HEAD = ['#', 'customer', 'overdue', 'disputed', 'oldest days', 'grade', 'next step', 'score', 'reasons'];
const nextStep = (r: WorklistRow) => (r.openPromise ? `promise ${r.openPromise.promisedDate}` : r.followUpOn ? `follow up ${r.followUpOn}` : '');
const row = (r: WorklistRow) => [String(r.rank), r.customer, r.overdue, r.disputed, String(r.oldestDaysPastDue), r.grade ?? '', nextStep(r), String(r.score),
  r.reasons.map((x) => `${x.text} (${x.points >= 0 ? '+' : ''}${x.points})`).join('; ')];

function whole(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,8}$/.test(text)) throw invalid('INVALID_NUMBER', `${option}: "${text}" is not a whole number`, [{ field: option, message: 'not a whole number' }]);
  return Number(text);
}

export function registerWorklistCommands(program: Command, withContext: WithContext, print: Print): void {
  program.command('worklist').description('the collector\'s worklist: customers with overdue items ranked by priority, with the reasons')
    .option('--as-of <date>', 'the date (default today)')
    .option('--collector <handle>', 'one collector\'s customers (managers; a collector sees their own)')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--offset <n>', 'rows to skip (the previous page\'s nextOffset)', '0')
    .action((o: { asOf?: string; collector?: string; limit: string; offset: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const list = await ctx.db.tenant(ctx.tenant.id, (sql) => collectorWorklist(ctx, sql, { asOf: o.asOf, collector: o.collector, limit: whole(o.limit, '--limit'), offset: whole(o.offset, '--offset') }));
        print(format, list, () => `worklist as of ${list.asOf}${list.collector ? ` for ${list.collector}` : ''}: ${list.total} customers with overdue items (amounts in ${list.currency})`
          + `${list.nextOffset !== null ? ` (next page: --offset ${list.nextOffset})` : ''}\n${table(HEAD, list.rows.map(row))}`);
      }));
}
