/** `arflow plans …`, `arflow cases …`, `arflow agencies …` and `arflow targets …`: payment plans, escalation and collector targets. */
import { Option, type Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import { CASE_KINDS, CASE_STATUSES, getCase, listAgencies, listCases, openCase, recordCost, recordRecovery, saveAgency, transitionCase, type PresentedCase } from '../modules/escalation/index.ts';
import { cancelPlan, createPlan, evaluatePlans, getPlan, listPlans, PLAN_STATUSES, previewPlan, renegotiatePlan, type PlanDetail, type PlanInput, type PresentedPlan } from '../modules/payment-plans/index.ts';
import { effectivenessReport, setTarget, targetsReport } from '../modules/targets/index.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const PLAN_HEAD = ['number', 'v', 'customer', 'status', 'total', 'paid', 'missed', 'next due', 'start'];
const planRow = (p: PresentedPlan) => [p.number, p.version, p.customer, p.status, `${p.total} ${p.currency}`, p.paid, p.missed, p.nextDue ? `${p.nextDue.dueDate} ${p.nextDue.amount}` : '', p.startDate];
const INST_HEAD = ['#', 'due', 'principal', 'interest', 'fee', 'amount', 'paid', 'status'];
const CASE_HEAD = ['number', 'customer', 'kind', 'agency/lawyer', 'status', 'handed over', 'recovered', 'commission', 'costs', 'net', 'open now'];
const caseRow = (c: PresentedCase) => [c.number, c.customer, c.kind, c.agency ?? c.lawyer ?? '', c.status, `${c.handedOver} ${c.currency}`, c.recovered, c.commission, c.costs, c.net, c.openNow];

function planText(p: PlanDetail): string {
  return `${p.number} v${p.version} ${p.customer} ${p.customerName}: ${p.status}, total ${p.total} ${p.currency} (principal ${p.principal}, interest ${p.interest} at ${p.interestRate}%, fee ${p.fee}), paid ${p.paid} as of ${p.asOf}\n`
    + table(INST_HEAD, p.installments.map((i) => [i.seq === 0 ? 'down' : i.seq, i.dueDate, i.principal, i.interest, i.fee, i.amount, i.paid, `${i.status}${i.late ? ' (late)' : ''}`]));
}

function collect(value: string, all: string[] = []): string[] {
  return [...all, value];
}

export function registerPlanCommands(program: Command, withContext: WithContext, print: Print): void {
  const plans = program.command('plans').description('payment plans (分期还款协议): installment agreements over overdue items');
  plans.command('list').description('plans in your scope, newest first, with their installments at a date')
    .addOption(new Option('--status <status>').choices(['all', ...PLAN_STATUSES]).default('active'))
    .option('--customer <code>')
    .option('--as-of <date>', 'the date the installments are seen at (default today)')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--cursor <n>')
    .action((o: { status: string; customer?: string; asOf?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listPlans(ctx, sql, { ...o, status: o.status as 'all', limit: Number(o.limit) }));
        print(format, page, () => `${page.total} plans as of ${page.asOf}${page.nextCursor ? ` (next page: --cursor ${page.nextCursor})` : ''}\n${table(PLAN_HEAD, page.rows.map(planRow))}`);
      }));
  plans.command('show <plan>').description('one plan (number or id) with its installments\' status')
    .option('--as-of <date>')
    .action((plan: string, o: { asOf?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const p = await ctx.db.tenant(ctx.tenant.id, (sql) => getPlan(ctx, sql, plan, o.asOf));
        print(format, p, () => planText(p));
      }));
  plans.command('create').description('make a plan over a customer\'s overdue items (or the items named); --preview shows it without making it')
    .requiredOption('--customer <code>')
    .option('--item <document>', 'a document to put in the plan; repeat for several (default: every overdue one)', collect)
    .option('--down <amount>', 'down payment, due on the start date')
    .option('--installments <n>', 'number of monthly installments')
    .option('--first-date <date>', 'the first installment\'s date (the others follow monthly)')
    .option('--date <date>', 'an installment date instead of monthly; repeat for each', collect)
    .option('--rate <percent>', 'simple interest a year, like 6.00')
    .option('--fee <amount>', 'a fixed fee split over the installments')
    .option('--start <date>', 'start date (default today)')
    .option('--grace <days>')
    .option('--note <text>')
    .option('--preview', 'show the schedule only')
    .option('--key <key>', 'idempotency key')
    .action((o: { customer: string; item?: string[]; down?: string; installments?: string; firstDate?: string; date?: string[]; rate?: string; fee?: string; start?: string; grace?: string; note?: string; preview?: boolean; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const n = o.installments === undefined ? undefined : Number(o.installments);
        if (n !== undefined && !Number.isInteger(n)) throw invalid('INVALID_INSTALLMENTS', `--installments: "${o.installments}" is not a whole number`, [{ field: '--installments', message: 'not a whole number' }]);
        const input: PlanInput = {
          customer: o.customer, items: o.item?.map((document) => ({ document })), downPayment: o.down, installments: n, firstDate: o.firstDate, dates: o.date,
          interestRate: o.rate, fee: o.fee, startDate: o.start, graceDays: o.grace === undefined ? undefined : Number(o.grace), note: o.note,
        };
        if (o.preview) {
          const p = await ctx.db.tenant(ctx.tenant.id, (sql) => previewPlan(ctx, sql, input));
          print(format, p, () => `${p.customer}: principal ${p.principal}, down ${p.downPayment}, interest ${p.interest}, fee ${p.fee}, total ${p.total} ${p.currency}\n`
            + table(['#', 'due', 'principal', 'interest', 'fee', 'amount'], p.installments.map((i) => [i.seq === 0 ? 'down' : i.seq, i.dueDate, i.principal, i.interest, i.fee, i.amount])));
          return;
        }
        const p = await createPlan(ctx, input, o.key);
        print(format, p, () => `plan ${p.number} made\n${planText(p)}`);
      }));
  plans.command('renegotiate <plan>').description('replace an active plan by its next version over what is still open (the old one is kept)')
    .requiredOption('--reason <text>', 'why (kept in the plan\'s history)')
    .option('--installments <n>').option('--first-date <date>').option('--date <date>', 'an installment date; repeat for each', collect)
    .option('--down <amount>').option('--rate <percent>').option('--fee <amount>').option('--start <date>').option('--grace <days>').option('--key <key>')
    .action((plan: string, o: { reason: string; installments?: string; firstDate?: string; date?: string[]; down?: string; rate?: string; fee?: string; start?: string; grace?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const n = o.installments === undefined ? undefined : Number(o.installments);
        if (n !== undefined && !Number.isInteger(n)) throw invalid('INVALID_INSTALLMENTS', `--installments: "${o.installments}" is not a whole number`, [{ field: '--installments', message: 'not a whole number' }]);
        const p = await renegotiatePlan(ctx, plan, {
          reason: o.reason, installments: n, firstDate: o.firstDate, dates: o.date, downPayment: o.down, interestRate: o.rate, fee: o.fee, startDate: o.start,
          graceDays: o.grace === undefined ? undefined : Number(o.grace),
        }, o.key);
        print(format, p, () => `plan ${p.number} renegotiated: version ${p.version}\n${planText(p)}`);
      }));
  plans.command('cancel <plan>').description('cancel an active plan: its items go back to dunning')
    .requiredOption('--reason <text>')
    .option('--key <key>')
    .action((plan: string, o: { reason: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const p = await cancelPlan(ctx, plan, { reason: o.reason }, o.key);
        print(format, p, () => `plan ${p.number} v${p.version} cancelled on ${p.endedOn}`);
      }));
  plans.command('evaluate').description('close the plans paid in full; cancel those in default when the company says so')
    .option('--as-of <date>')
    .action((o: { asOf?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await evaluatePlans(ctx, { asOf: o.asOf });
        print(format, r, () => `evaluated ${r.evaluated} active plans as of ${r.asOf}: ${r.completed} completed, ${r.cancelled} cancelled`);
      }));

  const agencies = program.command('agencies').description('collection agencies and law firms');
  agencies.command('list').action((_o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const r = await ctx.db.tenant(ctx.tenant.id, (sql) => listAgencies(ctx, sql));
      print(format, r, () => table(['code', 'name', 'kind', 'commission %', 'contact', 'open cases'], r.rows.map((a) => [a.code, a.name, a.kind, a.commissionRate, a.contact, a.openCases])));
    }));
  agencies.command('save').description('add an agency or change one (by code)')
    .requiredOption('--code <code>').requiredOption('--name <name>').requiredOption('--commission <percent>', 'percent of what is recovered, like 15.00')
    .addOption(new Option('--kind <kind>').choices(['agency', 'law_firm']).default('agency'))
    .option('--contact <who>').option('--email <email>').option('--phone <phone>')
    .action((o: { code: string; name: string; commission: string; kind: string; contact?: string; email?: string; phone?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const a = await saveAgency(ctx, { code: o.code, name: o.name, commissionRate: o.commission, kind: o.kind as 'agency', contact: o.contact, email: o.email, phone: o.phone });
        print(format, a, () => `agency ${a.code} saved: ${a.name}, ${a.commissionRate}%`);
      }));

  const cases = program.command('cases').description('escalation: items handed over to an agency or to legal action');
  cases.command('list')
    .addOption(new Option('--status <status>').choices(['active', 'closed', 'all', ...CASE_STATUSES]).default('active'))
    .addOption(new Option('--kind <kind>').choices([...CASE_KINDS]))
    .option('--customer <code>')
    .option('--limit <n>', 'page size, at most 200', '50')
    .action((o: { status: string; kind?: string; customer?: string; limit: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listCases(ctx, sql, { status: o.status as 'all', kind: o.kind as 'agency' | undefined, customer: o.customer, limit: Number(o.limit) }));
        print(format, page, () => `${page.total} cases\n${table(CASE_HEAD, page.rows.map(caseRow))}`);
      }));
  cases.command('show <case>').action((ref: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const c = await ctx.db.tenant(ctx.tenant.id, (sql) => getCase(ctx, sql, ref));
      print(format, c, () => `${table(CASE_HEAD, [caseRow(c)])}\n${table(['date', 'event', 'from', 'to', 'by', 'note'], c.events.map((e) => [e.at.slice(0, 10), e.event, e.from, e.to, e.actor, e.note]))}`);
    }));
  cases.command('open').description('hand a customer\'s items (default the overdue ones) over to an agency or to legal action')
    .requiredOption('--customer <code>')
    .addOption(new Option('--kind <kind>').choices([...CASE_KINDS]).makeOptionMandatory())
    .option('--agency <code>').option('--lawyer <name>').option('--commission <percent>')
    .option('--document <number>', 'a document to hand over; repeat for several', collect)
    .option('--note <text>').option('--key <key>')
    .action((o: { customer: string; kind: string; agency?: string; lawyer?: string; commission?: string; document?: string[]; note?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const c = await openCase(ctx, { customer: o.customer, kind: o.kind as 'agency', agency: o.agency, lawyer: o.lawyer, commissionRate: o.commission, documents: o.document, note: o.note }, o.key);
        print(format, c, () => `case ${c.number} opened: ${c.handedOver} ${c.currency} handed over`);
      }));
  cases.command('recover <case>').description('record cash recovered: a payment posted and applied to the case\'s items')
    .requiredOption('--amount <amount>').option('--date <date>').option('--reference <text>').option('--note <text>').option('--key <key>')
    .action((ref: string, o: { amount: string; date?: string; reference?: string; note?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await recordRecovery(ctx, ref, { amount: o.amount, date: o.date, reference: o.reference, note: o.note }, o.key);
        print(format, r, () => `${r.recovery.amount} recovered on ${r.case.number} (payment ${r.recovery.payment}), commission ${r.recovery.commission}; open now ${r.case.openNow}`);
      }));
  cases.command('cost <case>').requiredOption('--amount <amount>').requiredOption('--description <text>').option('--date <date>').option('--key <key>')
    .action((ref: string, o: { amount: string; description: string; date?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const c = await recordCost(ctx, ref, { amount: o.amount, description: o.description, date: o.date }, o.key);
        print(format, c, () => `cost recorded on ${c.number}: costs ${c.costs}, net ${c.net}`);
      }));
  cases.command('transition <case>').addOption(new Option('--to <status>').choices([...CASE_STATUSES]).makeOptionMandatory()).option('--note <text>').option('--key <key>')
    .action((ref: string, o: { to: string; note?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const c = await transitionCase(ctx, ref, { to: o.to as 'in_progress', note: o.note }, o.key);
        print(format, c, () => `case ${c.number} is now ${c.status}`);
      }));

  const targets = program.command('targets').description('collector targets: amount collected and CEI per month, against the ledger');
  targets.command('list', { isDefault: true }).description('targets against actuals for a month')
    .option('--month <YYYY-MM>', 'default the running month').option('--collector <handle>')
    .action((o: { month?: string; collector?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await ctx.db.tenant(ctx.tenant.id, (sql) => targetsReport(ctx, sql, o));
        print(format, r, () => `${r.month} (${r.from} to ${r.asOf}), ${r.currency}\n${table(['collector', 'customers', 'target', 'collected', 'achieved %', 'CEI target', 'CEI'], r.rows.map((x) => [x.collector, x.customers, x.targetCollected, x.collected, x.achievedPercent, x.targetCei, x.cei ?? x.ceiReason]))}`);
      }));
  targets.command('set').requiredOption('--collector <handle>').requiredOption('--month <YYYY-MM>').requiredOption('--collected <amount>').option('--cei <percent>')
    .action((o: { collector: string; month: string; collected: string; cei?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const t = await setTarget(ctx, o);
        print(format, t, () => `target for ${t.collector} in ${t.month}: collect ${t.collected} ${t.currency}${t.cei ? `, CEI ${t.cei}%` : ''}`);
      }));
  targets.command('effectiveness').description('which activities are followed by payment within 7 and 30 days')
    .option('--from <date>').option('--to <date>').option('--collector <handle>')
    .action((o: { from?: string; to?: string; collector?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const r = await ctx.db.tenant(ctx.tenant.id, (sql) => effectivenessReport(ctx, sql, o));
        print(format, r, () => `${r.from} to ${r.to}\n${table(['channel', 'outcome', 'activities', 'paid ≤7d', 'share 7d %', 'paid ≤30d', 'share 30d %'], [...r.rows, r.totals].map((x) => [x.channel, x.outcome, x.activities, `${x.paid7}/${x.measured7}`, x.share7, `${x.paid30}/${x.measured30}`, x.share30]))}`);
      }));
}
