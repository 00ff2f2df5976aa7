/**
 * `arflow credit …`: limits, limit requests, credit checks, commitments (orders and shipments), holds and the credit
 * settings. Thin: each command calls one use case of src/modules/credit-limits.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { can } from '../domain/access.ts';
import { invalid, notAllowed } from '../domain/errors.ts';
import { CHECK_KINDS } from '../domain/credit-limits.ts';
import type { Context } from '../modules/context.ts';
import {
  creditCheck, creditSettings, customerLimits, evaluateHolds, listCommitments, listHolds, placeManualHold, registerCommitment, requestHoldRelease,
  requestLimitChange, setCreditSettings, updateCommitment,
} from '../modules/credit-limits/index.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

/** Adds the limit, check, commitment, hold and settings commands to `arflow credit` (made by credit-commands.ts). */
export function registerCreditLimitCommands(credit: Command, withContext: WithContext, print: Print): void {

  credit.command('limits <customer>').description('the customer\'s limit and its group\'s on a date, with the temporary increase in force and the approved versions')
    .option('--as-of <date>', 'the business date (default today)')
    .action((customer: string, options: { asOf?: string }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await ctx.db.tenant(ctx.tenant.id, (sql) => customerLimits(ctx, sql, customer, options.asOf));
      const line = (label: string, l: typeof r.limit) => (l ? `${label}: ${l.base} ${l.currency} + temporary ${l.temporaryInForce} = ${l.total}${l.temporary ? ` (temporary ${l.temporary.amount} ${l.temporary.validFrom}..${l.temporary.validTo})` : ''}` : `${label}: none`);
      print(format, r, () => [`${r.customer} on ${r.asOf}`, line('limit', r.limit), line(`group ${r.group ?? '-'} limit`, r.groupLimit), '',
        table(['scope', 'version', 'limit', 'temporary', 'reason', 'requested by', 'approved by'], r.history.map((h) => [h.scope, h.version, `${h.limit} ${h.currency}`, h.temporary ? `${h.temporary.amount} ${h.temporary.validFrom}..${h.temporary.validTo}` : '', h.reason, h.requestedBy, h.approvedBy]))].join('\n'));
    }));

  const limit = credit.command('limit').description('limit changes (always approved by a second person)');
  limit.command('request <customer> <amount>').description('ask for a customer (or --group) limit; another user with the authority approves it')
    .option('--group', 'the limit of the customer\'s group (on its head)')
    .option('--currency <code>', 'the limit\'s currency (default the customer\'s)')
    .option('--temporary <amount>', 'a temporary increase on top')
    .option('--from <date>', 'with --temporary: its first day')
    .option('--to <date>', 'with --temporary: its last day')
    .option('--temporary-reason <text>', 'with --temporary: why')
    .requiredOption('--reason <text>', 'why the limit changes')
    .action((customer: string, amount: string, o: { group?: boolean; currency?: string; temporary?: string; from?: string; to?: string; temporaryReason?: string; reason: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (o.temporary && (!o.from || !o.to)) throw invalid('VALIDATION_FAILED', '--temporary needs --from and --to (the increase\'s first and last day)', [{ field: '--from', message: 'required with --temporary' }]);
        const r = await requestLimitChange(ctx, {
          customer, scope: o.group ? 'group' : 'customer', limit: amount, reason: o.reason, ...(o.currency ? { currency: o.currency } : {}),
          ...(o.temporary ? { temporary: { amount: o.temporary, validFrom: o.from!, validTo: o.to!, reason: o.temporaryReason ?? o.reason } } : {}),
        });
        print(format, r, () => `requested (approval ${r.approvalId}, ${r.status}): ${r.summary}`);
      }));

  credit.command('check').description('credit check: pass / warn / hold / block with the reasons and figures; recorded in the audit trail')
    .requiredOption('--customer <code>').requiredOption('--amount <amount>')
    .option('--currency <code>', 'default the customer\'s')
    .addOption(new Option('--kind <kind>').choices([...CHECK_KINDS]).makeOptionMandatory())
    .option('--as-of <date>').option('--reference <text>')
    .action((o: { customer: string; amount: string; currency?: string; kind: (typeof CHECK_KINDS)[number]; asOf?: string; reference?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await creditCheck(ctx, { customer: o.customer, amount: o.amount, kind: o.kind, ...(o.currency ? { currency: o.currency } : {}), ...(o.asOf ? { asOf: o.asOf } : {}), ...(o.reference ? { reference: o.reference } : {}) });
        const e = r.exposure;
        print(format, r, () => [
          `${r.outcome.toUpperCase()}: ${r.kind} of ${r.amount} ${r.currency} for ${r.customer} on ${r.asOf}`,
          ...r.reasons.map((x) => `  - ${x.message}`),
          r.limit ? `limit ${r.limit.base} + temporary ${r.limit.temporary} = ${r.limit.total} ${r.limit.currency}; utilisation ${r.utilisation ?? '∞'}%` : 'no customer limit',
          `exposure: receivables ${e.receivables} + orders ${e.orders} + shipments ${e.shipments} + this ${e.checkedAmount} − advances ${e.advances} = ${e.total} (overdue ${e.overdue})`,
          ...(r.group ? [`group ${r.group.head} (${r.group.members.join(', ')}): limit ${r.group.limit.total} ${r.group.limit.currency}, exposure ${r.group.exposure.total}, utilisation ${r.group.utilisation ?? '∞'}%`] : []),
          ...r.holds.map((h) => `hold: ${h.rule} since ${h.placedOn} (${h.status}): ${h.reason}`),
        ].join('\n'));
      }));

  const commitments = credit.command('commitments').description('open orders and shipments counted in the exposure');
  commitments.command('list').option('--customer <code>').addOption(new Option('--status <status>').choices(['open', 'closed']))
    .action((o: { customer?: string; status?: 'open' | 'closed' }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await ctx.db.tenant(ctx.tenant.id, (sql) => listCommitments(ctx, sql, o));
      print(format, r, () => table(['kind', 'reference', 'customer', 'amount', 'currency', 'status'], r.items.map((m) => [m.kind, m.reference, m.customer, m.amount, m.currency, m.status])));
    }));
  commitments.command('add <kind> <reference>').description('register an open order or shipment').requiredOption('--customer <code>').requiredOption('--amount <amount>').option('--currency <code>')
    .action((kind: 'order' | 'shipment', reference: string, o: { customer: string; amount: string; currency?: string }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await registerCommitment(ctx, { kind, reference, customer: o.customer, amount: o.amount, ...(o.currency ? { currency: o.currency } : {}) });
      print(format, r, () => `${r.outcome}: ${r.kind} ${r.reference} ${r.customer} ${r.amount} ${r.currency} ${r.status}`);
    }));
  commitments.command('update <kind> <reference>').description('change the amount or close it').option('--amount <amount>').addOption(new Option('--status <status>').choices(['open', 'closed']))
    .action((kind: string, reference: string, o: { amount?: string; status?: 'open' | 'closed' }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await updateCommitment(ctx, kind, reference, o);
      print(format, r, () => `${r.kind} ${r.reference} ${r.customer} ${r.amount} ${r.currency} ${r.status}`);
    }));

  const holds = credit.command('holds').description('credit holds: manual or by rule; a release needs a second person');
  holds.command('list').option('--customer <code>').addOption(new Option('--status <status>').choices(['active', 'release_requested', 'released', 'open']))
    .action((o: { customer?: string; status?: 'active' | 'release_requested' | 'released' | 'open' }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await ctx.db.tenant(ctx.tenant.id, (sql) => listHolds(ctx, sql, o));
      print(format, r, () => table(['id', 'customer', 'rule', 'since', 'status', 'reason'], r.items.map((h) => [h.id, h.customer, h.rule, h.placedOn, h.status, h.reason])));
    }));
  holds.command('place <customer>').description('put a customer on a manual hold').requiredOption('--reason <text>').option('--date <date>')
    .action((customer: string, o: { reason: string; date?: string }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await placeManualHold(ctx, { customer, reason: o.reason, ...(o.date ? { date: o.date } : {}) });
      print(format, r, () => `hold ${r.id} on ${r.customer} since ${r.placedOn}: ${r.reason}`);
    }));
  holds.command('release <hold>').description('ask for a hold\'s release (approved by a second person)').requiredOption('--reason <text>')
    .action((hold: string, o: { reason: string }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await requestHoldRelease(ctx, hold, o);
      print(format, r, () => `release of hold ${hold} on ${r.hold.customer} requested (approval ${r.approvalId})`);
    }));
  holds.command('evaluate').description('evaluate the hold rules and place the holds that fire').option('--as-of <date>').option('--customer <code>')
    .action((o: { asOf?: string; customer?: string }, command: Command) => withContext(command, async (ctx, format) => {
      const r = await evaluateHolds(ctx, o);
      print(format, r, () => [`hold rules on ${r.asOf}: ${r.evaluated} customers with overdue items or a credit profile, ${r.placed.length} holds placed`,
        ...r.placed.map((h) => `  ${h.customer}: ${h.rule}: ${h.reason}`)].join('\n'));
    }));

  credit.command('settings').description('the credit settings as JSON; --set FILE replaces them (company.manage)').option('--set <file>')
    .action((o: { set?: string }, command: Command) => withContext(command, async (ctx) => {
      if (o.set) {
        if (!ctx.principal || !can(ctx.principal.role, 'company.manage')) throw notAllowed('FORBIDDEN', 'your role may not change the credit settings: it needs the permission company.manage');
        let raw: unknown;
        try {
          raw = JSON.parse(fs.readFileSync(o.set, 'utf8'));
        } catch (error) {
          throw invalid('INVALID_SETTINGS_FILE', `--set: ${o.set} is not a readable JSON file (${(error as Error).message})`, [{ field: '--set', message: 'not JSON' }]);
        }
        print('json', await setCreditSettings(ctx, raw), () => '');
        return;
      }
      print('json', await ctx.db.tenant(ctx.tenant.id, (sql) => creditSettings(sql, ctx)), () => '');
    }));
}
