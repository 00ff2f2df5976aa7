/** `arflow bank …`: import bank statements (camt, MT940, BAI2, CSV with a profile), the import history, CSV profiles. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import { MAX_BANK_FILE_BYTES } from '../domain/bank/statement.ts';
import type { Context } from '../modules/context.ts';
import { getStatement, importBankBytes, listProfiles, listStatements, saveProfile, type ImportResult } from '../modules/bank/index.ts';
import { listLines, matchImported, matchStatement, type MatchRunResult } from '../modules/bank/matching.ts';
import { getAdvice, importRemittanceBytes, listAdvices, type PresentedAdvice } from '../modules/bank/remittances.ts';
import { table, type Format } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

const CHECK_TEXT = { ok: 'balances', mismatch: 'DOES NOT BALANCE', not_given: 'no balances to check' } as const;

function readFile(file: string): Buffer {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw invalid('FILE_NOT_FOUND', `${file}: no such file; give the path of the statement file`);
  }
  if (size > MAX_BANK_FILE_BYTES) throw invalid('BANK_FILE_TOO_LARGE', `${file} has ${size} bytes, more than the ${MAX_BANK_FILE_BYTES} arflow reads`);
  return fs.readFileSync(file);
}

export function importText(r: ImportResult): string {
  const lines = [`${r.fileName ?? 'file'}: ${r.format}, ${r.statements.length} statement(s), ${r.newEntryCount} new of ${r.entryCount} entries`];
  lines.push(table(['statement', 'account', 'ccy', 'opening', 'closing', 'entries', 'new', 'check'], r.statements.map((s) => [
    s.statementId, s.accountId, s.currency, s.opening ? `${s.opening.amount} ${s.opening.date ?? ''}` : '', s.closing ? `${s.closing.amount} ${s.closing.date ?? ''}` : '',
    String(s.entryCount), s.alreadyImported ? 'already imported' : String(s.newEntryCount),
    s.balanceCheck === 'mismatch' ? `${CHECK_TEXT.mismatch} (difference ${s.difference})` : CHECK_TEXT[s.balanceCheck],
  ])));
  return lines.join('\n');
}

export function registerBankCommands(program: Command, withContext: WithContext, print: Print): void {
  const bank = program.command('bank').description('bank statements (银行流水): import camt/MT940/BAI2/CSV, history, CSV mapping profiles');
  bank.command('import <file>')
    .description('import a bank statement file; the format is recognised from its content; importing it again adds nothing')
    .option('--profile <name>', 'the saved CSV mapping profile (required for a CSV export)')
    .option('--encoding <encoding>', 'text encoding when not UTF-8 (e.g. windows-1252, cp850, gbk)')
    .option('--key <key>', 'idempotency key')
    .option('--match', 'match the new statements right after the import (docs/cash-matching.md)')
    .action((file: string, o: { profile?: string; encoding?: string; key?: string; match?: boolean }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const result = await importBankBytes(ctx, readFile(file), { fileName: path.basename(file), profile: o.profile, encoding: o.encoding }, o.key);
        const matching = o.match ? await matchImported(ctx, result.statements) : undefined;
        print(format, matching ? { ...result, matching } : result, () => [importText(result), ...(matching ?? []).map((m) =>
          `matched ${m.statementId}: ${m.counts.autoApplied} applied automatically, ${m.counts.suggested} suggested, ${m.counts.unmatched} unmatched`)].join('\n'));
      }));
  const adviceText = (a: PresentedAdvice) => [
    `remittance advice ${a.id}${a.alreadyImported ? ' (already imported: nothing changed)' : ''}: ${a.customer ? `${a.customer} ${a.customerName}` : 'payer not known'}, ${a.lineCount} invoices, ${a.total} ${a.currency}${a.reference ? `, reference ${a.reference}` : ''}`,
    ...(a.unknownInvoices ? [`${a.unknownInvoices} invoice numbers name none of the company's invoices`] : []),
    ...(a.lines ? [table(['line', 'invoice', 'found', 'amount', 'deduction'], a.lines.map((l) => [String(l.line), l.invoiceNumber, l.document ?? '-', l.amount, l.deduction]))] : []),
  ].join('\n');
  bank.command('remittance <file>')
    .description('import a remittance advice (付款通知: CSV or XLSX of invoice numbers and amounts paid) for cash matching; the same file again changes nothing')
    .option('--customer <code>', 'the payer, when the invoices do not tell')
    .option('--currency <ccy>', 'currency of lines that name none (default the company\'s)')
    .option('--encoding <encoding>', 'a CSV\'s text encoding when not UTF-8 (e.g. gbk)')
    .option('--key <key>', 'idempotency key')
    .action((file: string, o: { customer?: string; currency?: string; encoding?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const advice = await importRemittanceBytes(ctx, readFile(file), { fileName: path.basename(file), customer: o.customer, currency: o.currency, encoding: o.encoding }, o.key);
        print(format, advice, () => adviceText(advice));
      }));
  bank.command('remittances')
    .description('imported remittance advices, newest first; with an id, one advice and its lines')
    .argument('[id]')
    .option('--status <status>', 'open (not yet used by a bank line), used or all', 'all')
    .option('--customer <code>', 'one payer\'s')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .action((id: string | undefined, o: { status: 'open' | 'used' | 'all'; customer?: string; limit: string; offset: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (id) {
          const advice = await ctx.db.tenant(ctx.tenant.id, (sql) => getAdvice(ctx, sql, id));
          print(format, advice, () => adviceText(advice));
          return;
        }
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listAdvices(ctx, sql, { status: o.status, customer: o.customer, limit: o.limit, offset: o.offset }));
        print(format, page, () => `${page.total} remittance advices\n${table(['id', 'imported', 'file', 'payer', 'ccy', 'total', 'invoices', 'unknown', 'used by'], page.rows.map((a) => [
          a.id, a.importedAt.slice(0, 16), a.fileName ?? '', a.customer ?? '', a.currency, a.total, String(a.lineCount), String(a.unknownInvoices), a.bankEntryId ?? '',
        ]))}`);
      }));
  bank.command('statements')
    .description('imported statements, newest first')
    .option('--limit <n>', 'page size, at most 200', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .action((o: { limit: string; offset: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listStatements(ctx, sql, { limit: o.limit, offset: o.offset }));
        print(format, page, () => `${page.total} statements\n${table(['id', 'imported', 'file', 'format', 'account', 'ccy', 'closing', 'entries', 'new', 'check'], page.rows.map((s) => [
          s.id, s.importedAt.slice(0, 16), s.fileName ?? '', s.format, s.accountId, s.currency, s.closing?.amount ?? '', String(s.entryCount), String(s.newEntryCount),
          s.balanceCheck === 'mismatch' ? `mismatch ${s.difference}` : s.balanceCheck,
        ]))}`);
      }));
  bank.command('show <id>').description('one imported statement with its entries').action((id: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const s = await ctx.db.tenant(ctx.tenant.id, (sql) => getStatement(ctx, sql, id));
      print(format, s, () => [
        `${s.statementId} ${s.accountId} ${s.currency}: opening ${s.opening?.amount ?? '-'}, closing ${s.closing?.amount ?? '-'}, ${s.balanceCheck}${s.balanceCheck === 'mismatch' ? ` (difference ${s.difference})` : ''}`,
        table(['booked', 'value', 'amount', 'counterparty', 'reference', 'remittance'], s.entries.map((e) => [
          e.bookingDate ?? '', e.valueDate ?? '', e.amount, e.counterpartyName ?? '', e.endToEndId ?? e.bankReference ?? '', (e.remittanceText ?? e.creditorReference ?? '').slice(0, 60),
        ])),
      ].join('\n'));
    }));
  bank.command('match')
    .description('match a statement\'s incoming lines to open items (docs/cash-matching.md): proposals with reasons; the sure ones applied unless --dry-run')
    .requiredOption('--statement <id>', 'the statement id (arflow bank statements)')
    .option('--dry-run', 'show what would be proposed and applied, write nothing')
    .option('--key <key>', 'idempotency key')
    .action((o: { statement: string; dryRun?: boolean; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const result = await matchStatement(ctx, o.statement, { dryRun: !!o.dryRun }, o.key);
        print(format, result, () => matchText(result));
      }));
  bank.command('lines')
    .description('a statement\'s lines with their matching state, best proposal and reasons')
    .requiredOption('--statement <id>', 'the statement id (arflow bank statements)')
    .option('--status <status>', 'only lines in this state: auto_applied, applied, suggested, unmatched, rejected, not_matched')
    .option('--limit <n>', 'page size, at most 200', '200')
    .option('--offset <n>', 'rows to skip', '0')
    .action((o: { statement: string; status?: string; limit: string; offset: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listLines(ctx, sql, o.statement, { status: o.status, limit: o.limit, offset: o.offset }));
        print(format, page, () => table(['#', 'amount', 'payer', 'status', 'score', 'customer', 'items', 'reasons'], page.lines.map((l) => {
          const best = l.proposals[0];
          const applied = l.application;
          return [String(l.seq), `${l.amount} ${l.currency}`, (l.counterpartyName ?? '').slice(0, 24), l.status, l.bestScore === null ? '' : String(l.bestScore),
            applied?.customer.code ?? best?.customer.code ?? '', applied ? `${applied.payment}${applied.writeOff ? ` + ${applied.writeOff}` : ''}` : (best?.allocations.map((a) => a.document).join(' ') ?? ''),
            (best?.reasons ?? []).map((r) => `${r.code} +${r.points}`).join(', ')];
        })));
      }));
  const profiles = bank.command('profiles').description('CSV mapping profiles, one per bank export layout');
  profiles.command('list').description('saved profiles').action((_o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listProfiles(ctx, sql));
      print(format, page, () => table(['name', 'account', 'ccy', 'delimiter', 'encoding', 'date format'], page.rows.map((p) => [p.name, p.accountId, p.currency, JSON.stringify(p.delimiter), p.encoding, p.dateFormat])));
    }));
  profiles.command('save <file>').description('save a profile from a JSON file (same name: replaces it, audited)').option('--key <key>', 'idempotency key')
    .action((file: string, o: { key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        let raw: unknown;
        try {
          raw = JSON.parse(readFile(file).toString('utf8'));
        } catch (error) {
          if ((error as { code?: string }).code) throw error;
          throw invalid('INVALID_JSON', `${file}: not valid JSON (${(error as Error).message})`);
        }
        const saved = await saveProfile(ctx, raw, o.key);
        print(format, saved, () => `profile "${saved.name}" ${saved.created ? 'saved' : 'updated'}`);
      }));
}

export function matchText(r: MatchRunResult): string {
  const c = r.counts;
  const head = `${r.dryRun ? 'dry run: ' : ''}${c.lines} lines: ${c.autoApplied} applied automatically, ${c.suggested} suggested, ${c.unmatched} unmatched, ${c.alreadyApplied} applied before, ${c.notCredits} not incoming payments`;
  return [head, table(['#', 'amount', 'status', 'score', 'customer', 'items', 'reasons / note'], r.lines.filter((l) => l.status !== 'not_a_credit').map((l) => {
    const best = l.proposals[0];
    return [String(l.seq), `${l.amount} ${l.currency}`, l.status, l.bestScore === null ? '' : String(l.bestScore), best?.customer?.code ?? '',
      l.applied ? l.applied.paymentNumber : (best?.allocations.map((a) => `${a.document} ${a.amount}`).join(', ') ?? ''),
      best ? best.reasons.map((r) => `${r.code} +${r.points}`).join(', ') : l.note];
  }))].join('\n');
}
