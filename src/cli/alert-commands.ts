/** `arflow alerts …`: the early-warning inbox, evaluation, settings and the email digest from the command line. */
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { can } from '../domain/access.ts';
import { invalid, notAllowed } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import { actOnAlert, alertSettings, evaluateAlerts, getAlert, listAlerts, RULES, setAlertSettings, SEVERITIES, STATUS_FILTERS, type PresentedAlert } from '../modules/alerts/index.ts';
import { sendDigests } from '../modules/alerts/digest.ts';
import { table, toJson, type Format, type Io } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const row = (a: PresentedAlert) => [a.id, a.severity, a.status, a.rule, a.customer, a.owner ?? '', a.lastSeenOn, a.message];
const HEAD = ['id', 'severity', 'status', 'rule', 'customer', 'owner', 'last seen', 'what'];

export function registerAlertCommands(program: Command, withContext: WithContext, print: Print, io: Io): void {
  const alerts = program.command('alerts').description('early-warning alerts (预警): inbox, evaluation, rule settings, digest');
  alerts.command('list')
    .description('alerts in your scope, critical first (default: open and acknowledged)')
    .addOption(new Option('--status <status>').choices([...STATUS_FILTERS]).default('active'))
    .addOption(new Option('--severity <severity>').choices([...SEVERITIES]))
    .addOption(new Option('--rule <rule>').choices([...RULES]))
    .option('--customer <code>', 'one customer\'s alerts')
    .option('--owner <handle>', 'alerts owned by a handle, or "me"')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--cursor <n>', 'the previous page\'s next cursor')
    .action((o: { status: string; severity?: string; rule?: string; customer?: string; owner?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listAlerts(ctx, sql, { ...o, status: o.status as 'active', severity: o.severity as 'warning', rule: o.rule as 'overdue_days', limit: Number(o.limit) }));
        print(format, page, () => `${page.total} alerts${page.nextCursor ? ` (next page: --cursor ${page.nextCursor})` : ''}\n${table(HEAD, page.rows.map(row))}`);
      }));
  alerts.command('show <id>').description('one alert with its figures and history').action((id: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const a = await ctx.db.tenant(ctx.tenant.id, (sql) => getAlert(ctx, sql, id));
      print(format, a, () => [table(HEAD, [row(a)]), '', ...Object.entries(a.figures).map(([k, v]) => `${k}: ${v ?? ''}`), '', table(['at', 'event', 'by', 'note'], a.events.map((e) => [e.at, e.event, e.actor, e.note ?? '']))].join('\n'));
    }));
  alerts.command('ack <id>').description('acknowledge an alert (yours; any with alerts.manage)').option('--note <text>').action((id: string, o: { note?: string }, command: Command) =>
    withContext(command, async (ctx, format) => {
      const a = await actOnAlert(ctx, id, 'acknowledge', { note: o.note });
      print(format, a, () => `alert ${a.id} acknowledged`);
    }));
  alerts.command('resolve <id>').description('resolve an alert, saying how').requiredOption('--note <text>', 'how it was resolved').action((id: string, o: { note: string }, command: Command) =>
    withContext(command, async (ctx, format) => {
      const a = await actOnAlert(ctx, id, 'resolve', { note: o.note });
      print(format, a, () => `alert ${a.id} resolved`);
    }));
  alerts.command('assign <id> <handle>').description('give an alert to another user').action((id: string, handle: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const a = await actOnAlert(ctx, id, 'assign', { owner: handle });
      print(format, a, () => `alert ${a.id} assigned to ${a.owner}`);
    }));
  alerts.command('evaluate').description('evaluate the rules now: opens, refreshes and auto-resolves alerts')
    .option('--as-of <date>', 'the date to evaluate at (default today)')
    .option('--customer <code>', 'only this customer (concentration is left out)')
    .action((o: { asOf?: string; customer?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await evaluateAlerts(ctx, { asOf: o.asOf, customer: o.customer });
        print(format, r, () => `evaluated ${r.customers} customers as of ${r.asOf}: ${r.opened} opened, ${r.refreshed} still firing, ${r.resolved} resolved`);
      }));
  alerts.command('settings').description('the rule settings as JSON; --set FILE replaces them (needs alerts.settings, audited)')
    .option('--set <file>', 'a JSON file with the whole settings, as printed')
    .action((o: { set?: string }, command: Command) =>
      withContext(command, async (ctx) => {
        if (o.set) {
          if (!ctx.principal || !can(ctx.principal.role, 'alerts.settings')) throw notAllowed('FORBIDDEN', 'your role may not change the alert settings: it needs the permission alerts.settings');
          let raw: unknown;
          try {
            raw = JSON.parse(fs.readFileSync(o.set, 'utf8'));
          } catch (error) {
            throw invalid('INVALID_SETTINGS_FILE', `--set: ${o.set} is not a readable JSON file (${(error as Error).message})`, [{ field: '--set', message: 'not JSON' }]);
          }
          const { inactiveRules: _i, currency: _c, ...settings } = raw as Record<string, unknown>;
          io.out(toJson(await setAlertSettings(ctx, settings)));
          return;
        }
        io.out(toJson(await ctx.db.tenant(ctx.tenant.id, (sql) => alertSettings(sql, ctx))));
      }));
  alerts.command('digest').description('email each owner the digest of their new and open alerts (needs ARFLOW_SMTP_URL)')
    .option('--as-of <date>', 'alerts first seen on this date count as new (default today)')
    .action((o: { asOf?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const sent = await sendDigests(ctx, o.asOf);
        print(format, sent, () => sent.length ? table(['owner', 'to', 'new', 'open'], sent.map((d) => [d.owner, d.to.join(', '), String(d.newCount), String(d.openCount)])) : 'no owner has open alerts');
      }));
}
