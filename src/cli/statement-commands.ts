/**
 * `arflow statement` and `arflow confirmations`: statements of account and balance confirmations from the command
 * line. The CLI runs no job queue, so an email goes out at once (the send is still recorded and audited).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { can } from '../domain/access.ts';
import { invalid, notAllowed } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import {
  answerConfirmation, CONFIRMATION_FILTERS, confirmationPrintOf, getConfirmation, issueConfirmation, listConfirmations, sendConfirmation,
  type AnswerInput,
} from '../modules/confirmations/index.ts';
import { LANGUAGES, loadStatement, type Language } from '../modules/statements/index.ts';
import { confirmationPdf, statementPdf, statementXlsx } from '../modules/statements/render.ts';
import { companyMail } from '../modules/mail/index.ts';
import { requestStatementSend, setStatementSettings } from '../modules/statements/sends.ts';
import { table, type Format, type Io } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

/** The file format an --out path names by its extension. */
function outFormat(out: string): 'pdf' | 'xlsx' {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.pdf' || ext === '.xlsx') return ext.slice(1) as 'pdf' | 'xlsx';
  throw invalid('UNKNOWN_FILE_FORMAT', `--out ${out}: name a .pdf or .xlsx file`, [{ field: 'out', message: 'not .pdf or .xlsx' }]);
}

const langOption = () => new Option('--lang <lang>', 'language of the document (default: the customer\'s contact\'s, else the company\'s)').choices([...LANGUAGES]);

export function registerStatementCommands(program: Command, withContext: WithContext, print: Print, io: Io, env: NodeJS.ProcessEnv): void {
  // The company's mail server, else the one in the command's environment (ARFLOW_SMTP_URL, ARFLOW_MAIL_FROM).
  const mailOf = (ctx: Context) => () => companyMail(ctx, env);
  program.command('statement')
    .description('statement of account (对账单) for a customer and period: opening, documents and allocations, closing, aging; to the screen, a .pdf/.xlsx file, or by email')
    .requiredOption('--customer <code>', 'customer code')
    .option('--from <date>', 'first day of the period (default: the first of the month of --to)')
    .option('--to <date>', 'last day of the period (default: today)')
    .addOption(langOption())
    .option('--out <file>', 'write the statement to this .pdf or .xlsx file')
    .option('--send', 'email it (PDF, or XLSX with --out x.xlsx) to the customer\'s statement contact or --email')
    .option('--email <address>', 'with --send: the address to send to')
    .action((options: { customer: string; from?: string; to?: string; lang?: Language; out?: string; send?: boolean; email?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (options.send) {
          if (!can(ctx.principal!.role, 'statements.send')) throw notAllowed('FORBIDDEN', `your role (${ctx.principal!.role}) may not email statements: it needs the permission statements.send`);
          const send = await requestStatementSend(ctx, options.customer, {
            from: options.from, to: options.to, lang: options.lang, format: options.out ? outFormat(options.out) : 'pdf', recipient: options.email,
          }, undefined, mailOf(ctx));
          print(format, send, () => `statement ${send.from} – ${send.to} for ${send.customer} ${send.status} to ${send.recipient}${send.messageId ? ` (message ${send.messageId})` : ''}`);
          return;
        }
        const statement = await ctx.db.tenant(ctx.tenant.id, (sql) => loadStatement(ctx, sql, options.customer, { from: options.from, to: options.to, lang: options.lang }));
        if (options.out) {
          const body = outFormat(options.out) === 'pdf' ? await statementPdf(statement) : await statementXlsx(statement);
          fs.writeFileSync(options.out, body);
          io.err(`wrote ${options.out} (${body.length} bytes)`);
          return;
        }
        print(format, statement, () => [
          `${statement.company.name} — statement of account, ${statement.customer.code} ${statement.customer.name}, ${statement.from} to ${statement.to}`,
          ...statement.sections.flatMap((s) => [
            '',
            `${s.currency}: opening ${s.opening}, debits ${s.debits}, credits ${s.credits}, closing ${s.closing}`,
            table(['date', 'type', 'number', 'reference', 'due', 'debit', 'credit', 'applied', 'balance'], s.lines.map((l) => [
              l.date, l.type === 'allocation' ? 'applied' : l.kind, l.number, l.reference, l.dueDate, l.debit, l.credit, l.applied, l.balance,
            ])),
            `aging at ${statement.to}: current ${s.aging.current}, ${Object.entries(s.aging.byBucket).map(([k, v]) => `${k} ${v}`).join(', ')}; outstanding ${s.aging.outstanding}, unapplied ${s.aging.unapplied}, net ${s.aging.net}`,
          ]),
        ].join('\n'));
      }));

  program.command('statements').description('statement settings').command('settings')
    .description('the address printed on statements and the day of the month (1-28, or "none") monthly statements are emailed')
    .option('--address <text>', 'company address for the letterhead ("" to clear)')
    .option('--day <n>', 'day of the month for monthly statements, or none')
    .action((options: { address?: string; day?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const day = options.day === undefined ? undefined : options.day === 'none' ? null : Number(options.day);
        const saved = await setStatementSettings(ctx, { ...(options.address === undefined ? {} : { address: options.address || null }), ...(day === undefined ? {} : { statementDay: day }) });
        print(format, saved, () => `address: ${saved.address ?? '(none)'}; monthly statements: ${saved.statementDay ? `on day ${saved.statementDay}` : 'off'}`);
      }));

  const confirmations = program.command('confirmations').description('balance confirmations (对账函/询证函)');
  confirmations.command('issue')
    .description('issue a confirmation of a customer\'s balance at a date')
    .requiredOption('--customer <code>', 'customer code')
    .option('--as-of <date>', 'the balance date (default today)')
    .addOption(langOption())
    .option('--note <text>', 'a note printed on the letter')
    .option('--send', 'email it at once')
    .option('--email <address>', 'with --send: the address to send to')
    .action((options: { customer: string; asOf?: string; lang?: Language; note?: string; send?: boolean; email?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const c = await issueConfirmation(ctx, { customer: options.customer, asOf: options.asOf, lang: options.lang, note: options.note, send: !!options.send, recipient: options.email }, undefined, mailOf(ctx));
        print(format, c, () => `${c.number}: ${c.customer} at ${c.asOf}: ${c.balances.map((b) => `${b.currency} ${b.balance}`).join(', ')}${c.sends ? `; sent to ${c.sendLog[0]?.recipient}` : ''}`);
      }));
  confirmations.command('list')
    .description('confirmations, newest first, with days outstanding while unanswered')
    .addOption(new Option('--status <status>').choices([...CONFIRMATION_FILTERS]))
    .option('--customer <code>')
    .option('--limit <n>', 'at most this many', '50')
    .action((options: { status?: (typeof CONFIRMATION_FILTERS)[number]; customer?: string; limit: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listConfirmations(ctx, sql, { status: options.status, customer: options.customer, limit: Number(options.limit) }));
        print(format, page, () => table(['number', 'customer', 'as of', 'balances', 'issued', 'status', 'days out', 'sent'], page.items.map((c) => [
          c.number, c.customer, c.asOf, c.balances.map((b) => `${b.currency} ${b.balance}`).join(', '), c.issuedOn, c.status, c.daysOutstanding, c.sends,
        ])));
      }));
  confirmations.command('show <ref>')
    .description('one confirmation with its answers and emails')
    .option('--out <file>', 'write the letter with its reply slip to this .pdf file')
    .action((ref: string, options: { out?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (options.out) {
          const print = await ctx.db.tenant(ctx.tenant.id, (sql) => confirmationPrintOf(ctx, sql, ref));
          const body = await confirmationPdf(print);
          fs.writeFileSync(options.out, body);
          io.err(`wrote ${options.out} (${body.length} bytes)`);
          return;
        }
        const c = await ctx.db.tenant(ctx.tenant.id, (sql) => getConfirmation(ctx, sql, ref));
        print(format, c, () => [
          `${c.number}: ${c.customer} ${c.customerName} at ${c.asOf}, issued ${c.issuedOn} by ${c.issuedBy}: ${c.status}`,
          ...c.balances.map((b) => `  ours ${b.currency} ${b.balance}`),
          ...c.answers.map((a) => `  ${a.current ? '*' : ' '} ${a.answeredOn} ${a.status}${a.reason ? ` (correction: ${a.reason})` : ''}: ${a.figures.map((f) => `${f.currency} theirs ${f.theirs}, difference ${f.difference}`).join('; ')}`),
          ...c.sendLog.map((s) => `  sent ${s.sentAt ?? s.status} to ${s.recipient}`),
        ].join('\n'));
      }));
  confirmations.command('answer <ref>')
    .description('record the customer\'s answer (once; --correction --reason to correct it)')
    .addOption(new Option('--status <status>').choices(['confirmed', 'disputed']).makeOptionMandatory())
    .option('--on <date>', 'the day the answer came (default today)')
    .option('--their <currency=amount...>', 'disputed: their balance, e.g. CNY=2300.00')
    .option('--difference <document:amount:reason...>', 'an itemised difference, e.g. "INV-3:-800.00:not received"')
    .option('--explanation <text>')
    .option('--correction', 'this answer corrects the one recorded before')
    .option('--reason <text>', 'with --correction: why')
    .action((ref: string, options: { status: 'confirmed' | 'disputed'; on?: string; their?: string[]; difference?: string[]; explanation?: string; correction?: boolean; reason?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const input: AnswerInput = {
          status: options.status, answeredOn: options.on, explanation: options.explanation, correction: !!options.correction, reason: options.reason,
          theirBalances: (options.their ?? []).map((pair) => {
            const [currency, balance] = pair.split('=');
            return { currency: currency ?? '', balance: balance ?? '' };
          }),
          differences: (options.difference ?? []).map((item) => {
            const [document, amount, ...reason] = item.split(':');
            return { document: document || undefined, amount: amount ?? '', reason: reason.join(':') };
          }),
        };
        const c = await answerConfirmation(ctx, ref, input, undefined);
        const answer = c.answers.at(-1)!;
        print(format, c, () => `${c.number}: ${answer.status} on ${answer.answeredOn}; ${answer.figures.map((f) => `${f.currency} theirs ${f.theirs}, ours ${f.ours}, difference ${f.difference}`).join('; ')}`);
      }));
  confirmations.command('send <ref>')
    .description('email the confirmation (again: a reminder)')
    .option('--email <address>', 'the address to send to (default: the customer\'s statement contact)')
    .action((ref: string, options: { email?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const send = await sendConfirmation(ctx, ref, { recipient: options.email }, undefined, mailOf(ctx));
        print(format, send, () => `${send.confirmation} ${send.status} to ${send.recipient}${send.messageId ? ` (message ${send.messageId})` : ''}`);
      }));
}
