/** `arflow disputes …`: raise, list, show, move on and report disputes (争议发票) from the command line. */
import { Option, type Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import {
  disputeReport, DISPUTE_REASONS, DISPUTE_STATUSES, getDispute, listDisputes, OWNER_TEAMS, raiseDispute, REPORT_GROUPINGS, STATUS_FILTERS, transitionDispute,
  type PresentedDispute,
} from '../modules/disputes/index.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const HEAD = ['id', 'customer', 'status', 'reason', 'owner', 'amount', 'due', 'documents'];
const row = (d: PresentedDispute) => [d.id, d.customer, d.status + (d.overdue ? ' (overdue)' : ''), d.reason, d.ownerUser ? `${d.ownerTeam}/${d.ownerUser}` : d.ownerTeam, `${d.amount} ${d.currency}`, d.dueDate, d.documents.join(', ')];

/** "INV-1=1234.56" or "INV-1#2=100.00": a document (and installment) and the amount disputed on it. */
function parseItem(text: string, all: { document: string; installment: number; amount: string }[] = []) {
  const match = /^(.+?)(?:#(\d{1,3}))?=(\S+)$/.exec(text.trim());
  if (!match) throw invalid('INVALID_ITEM', `--item: "${text}" is not DOCUMENT[#INSTALLMENT]=AMOUNT, like INV-1=1234.56 or INV-1#2=100.00`, [{ field: '--item', message: 'bad format' }]);
  return [...all, { document: match[1]!, installment: match[2] ? Number(match[2]) : 1, amount: match[3]! }];
}

export function registerDisputeCommands(program: Command, withContext: WithContext, print: Print): void {
  const disputes = program.command('disputes').description('disputes on invoices (争议发票): raise, list, move on, report');
  disputes.command('list')
    .description('disputes in your scope, active first by due date (default: open and investigating)')
    .addOption(new Option('--status <status>').choices([...STATUS_FILTERS]).default('active'))
    .addOption(new Option('--reason <reason>').choices([...DISPUTE_REASONS]))
    .option('--customer <code>', 'one customer\'s disputes')
    .option('--owner <owner>', 'an owner team (sales, logistics, finance), a handle, or "me"')
    .option('--overdue', 'only active disputes past their due date')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--cursor <n>', 'the previous page\'s next cursor')
    .action((o: { status: string; reason?: string; customer?: string; owner?: string; overdue?: boolean; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listDisputes(ctx, sql, { ...o, status: o.status as 'active', reason: o.reason as 'price', limit: Number(o.limit) }));
        print(format, page, () => `${page.total} disputes${page.nextCursor ? ` (next page: --cursor ${page.nextCursor})` : ''}\n${table(HEAD, page.rows.map(row))}`);
      }));
  disputes.command('show <id>').description('one dispute with its items and history').action((id: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const d = await ctx.db.tenant(ctx.tenant.id, (sql) => getDispute(ctx, sql, id));
      print(format, d, () => [
        table(HEAD, [row(d)]),
        d.acceptedAmount !== null ? `accepted: ${d.acceptedAmount} ${d.currency}${d.creditNote ? ` (credit note ${d.creditNote})` : ''}` : '',
        '', table(['document', 'installment', 'due', 'disputed', 'open when raised'], d.items.map((i) => [i.document, String(i.installment), i.dueDate ?? '', i.amount, i.openAtRaise])),
        '', table(['at', 'from', 'to', 'by', 'note'], d.events.map((e) => [e.at, e.from ?? '', e.to, e.actor, e.note ?? ''])),
      ].join('\n'));
    }));
  disputes.command('raise')
    .description('raise a dispute on open items of one customer')
    .requiredOption('--customer <code>', 'the customer')
    .addOption(new Option('--reason <reason>', 'why the customer disputes').choices([...DISPUTE_REASONS]).makeOptionMandatory())
    .addOption(new Option('--owner-team <team>', 'who investigates').choices([...OWNER_TEAMS]).makeOptionMandatory())
    .requiredOption('--item <DOCUMENT[#N]=AMOUNT>', 'an item and the amount disputed on it; repeat for several', parseItem)
    .option('--owner-user <handle>', 'the user in the team who works on it')
    .option('--due-date <date>', 'when it should be settled (default in 14 days)')
    .option('--note <text>', 'what the customer says')
    .option('--key <key>', 'idempotency key: raising again with it raises nothing twice')
    .action((o: { customer: string; reason: string; ownerTeam: string; item: { document: string; installment: number; amount: string }[]; ownerUser?: string; dueDate?: string; note?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const d = await raiseDispute(ctx, { customer: o.customer, reason: o.reason as 'price', ownerTeam: o.ownerTeam as 'sales', ownerUser: o.ownerUser, dueDate: o.dueDate, note: o.note, items: o.item }, o.key);
        print(format, d, () => `dispute ${d.id} raised: ${d.amount} ${d.currency} on ${d.documents.join(', ')} (${d.reason}), due ${d.dueDate}`);
      }));
  disputes.command('transition <id>')
    .description('move a dispute on: investigating, then resolved_credit_note, rejected or partly_accepted')
    .addOption(new Option('--to <status>').choices([...DISPUTE_STATUSES]).makeOptionMandatory())
    .option('--note <text>', 'what was found or decided (required to reject or partly accept)')
    .option('--credit-note <number>', 'the credit note already posted that resolves it')
    .option('--accepted <amount>', 'partly_accepted: the amount accepted')
    .option('--key <key>', 'idempotency key')
    .action((id: string, o: { to: string; note?: string; creditNote?: string; accepted?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const d = await transitionDispute(ctx, id, { to: o.to as 'investigating', note: o.note, creditNote: o.creditNote, acceptedAmount: o.accepted }, o.key);
        print(format, d, () => `dispute ${d.id} is ${d.status}${d.acceptedAmount !== null ? `, accepted ${d.acceptedAmount} ${d.currency}` : ''}`);
      }));
  disputes.command('report')
    .description('root causes: disputes raised in a period by reason, customer or owner team')
    .option('--from <date>', 'raised on or after (default 89 days before --to)')
    .option('--to <date>', 'raised on or before (default today)')
    .addOption(new Option('--by <grouping>').choices([...REPORT_GROUPINGS]).default('reason'))
    .action((o: { from?: string; to?: string; by: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await ctx.db.tenant(ctx.tenant.id, (sql) => disputeReport(ctx, sql, { from: o.from, to: o.to, by: o.by as 'reason' }));
        print(format, r, () => [`disputes raised ${r.from} to ${r.to} by ${r.by}`,
          table([r.by, 'name', 'currency', 'count', 'active', 'amount', 'accepted'], [
            ...r.rows.map((x) => [x.key, x.name, x.currency, String(x.count), String(x.active), x.amount, x.accepted]),
            ...r.totals.map((x) => ['total', '', x.currency, String(x.count), String(x.active), x.amount, x.accepted]),
          ])].join('\n'));
      }));
}
