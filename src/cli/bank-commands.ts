/** `arflow bank …`: import bank statements (camt, MT940, BAI2, CSV with a profile), the import history, CSV profiles. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../domain/errors.ts';
import { MAX_BANK_FILE_BYTES } from '../domain/bank/statement.ts';
import type { Context } from '../modules/context.ts';
import { getStatement, importBankBytes, listProfiles, listStatements, saveProfile, type ImportResult } from '../modules/bank/index.ts';
import { acceptLine, forgetKnowledge, getMatchingKnowledge, getMatchSettings, listLines, matchImported, matchStatement, saveMatchSettings, undoLine, type MatchingKnowledge, type MatchRunResult } from '../modules/bank/matching.ts';
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
  bank.command('accept <line>')
    .description('apply a bank line (its id from `arflow bank lines --format json`): a proposal as it stands, or to the items you name')
    .option('--proposal <id>', 'the proposal to accept')
    .option('--customer <code>', 'apply to this customer\'s items (with --apply)')
    .option('--apply <document=amount...>', 'an item and the amount applied to it, e.g. INV-1=1000.00 (repeat for several)')
    .option('--write-off <document=amount:reason>', 'write off the difference on a document: reason discount, bank_charges or short_payment')
    .option('--deduction <document=amount>', 'what the payer deducted from a document: left open and raised as a dispute')
    .option('--deduction-reason <reason>', 'the dispute\'s reason: price, quantity, quality, not_received, duplicate_billing, tax_invoice_error, other (default)')
    .option('--deduction-owner <team>', 'the team that works on it: sales (default), logistics, finance')
    .option('--key <key>', 'idempotency key')
    .action((line: string, o: { proposal?: string; customer?: string; apply?: string[]; writeOff?: string; deduction?: string; deductionReason?: string; deductionOwner?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const pair = (text: string, option: string) => {
          const m = /^(.+)=([^=]+)$/.exec(text);
          if (!m) throw invalid('VALIDATION_FAILED', `${option}: write DOCUMENT=AMOUNT, e.g. INV-1=1000.00 (got "${text}")`, [{ field: option, message: 'DOCUMENT=AMOUNT' }]);
          return { document: m[1]!.trim(), amount: m[2]!.trim() };
        };
        const writeOff = o.writeOff ? (() => {
          const [left, reason] = o.writeOff!.split(':');
          return { ...pair(left!, '--write-off'), reason: reason ?? 'short_payment' };
        })() : undefined;
        const result = await acceptLine(ctx, line, {
          ...(o.proposal ? { proposalId: o.proposal } : {}),
          ...(o.customer ? { customer: o.customer } : {}),
          ...(o.apply ? { allocations: o.apply.map((a) => pair(a, '--apply')) } : {}),
          ...(writeOff ? { writeOff } : {}),
          ...(o.deduction ? { deduction: { ...pair(o.deduction, '--deduction'), ...(o.deductionReason ? { reason: o.deductionReason } : {}), ...(o.deductionOwner ? { ownerTeam: o.deductionOwner } : {}) } } : {}),
        }, o.key);
        print(format, result, () => [`applied: payment ${result.paymentNumber}`, result.writeOffNumber ? `write-off ${result.writeOffNumber}` : '', result.disputeId ? `dispute ${result.disputeId} for the deduction` : '']
          .filter(Boolean).join(', '));
      }));
  bank.command('undo <line>')
    .description('undo a bank line\'s application: its payment and write-off are reversed, a deduction\'s open dispute withdrawn')
    .requiredOption('--reason <text>', 'why, in a few words (audited)')
    .option('--date <date>', 'the reversal\'s date (default the line\'s)')
    .option('--key <key>', 'idempotency key')
    .action((line: string, o: { reason: string; date?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const result = await undoLine(ctx, line, { reason: o.reason, ...(o.date ? { date: o.date } : {}) }, o.key);
        print(format, result, () => `undone: reversal ${result.reversal}${result.disputeWithdrawn ? `, dispute ${result.disputeWithdrawn} withdrawn` : ''}`);
      }));
  const settingsCommand = bank.command('settings').description('the cash-matching settings (docs/cash-matching.md)');
  settingsCommand.command('show').description('the settings in force').action((_o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const settings = await ctx.db.tenant(ctx.tenant.id, (sql) => getMatchSettings(ctx, sql));
      print(format, settings, () => settingsTable(settings));
    }));
  settingsCommand.command('set').description('change the settings given (audited); the others stay')
    .option('--auto-apply-score <n>', 'apply the best proposal automatically at this score or more (101: never)')
    .option('--suggest-score <n>', 'show proposals from this score')
    .option('--ambiguity-margin <n>', 'the best must lead the second by this many points')
    .option('--charge-tolerance <amount>', 'short payments up to this are bank charges, written off')
    .option('--charge-tolerance-bp <n>', '…or up to this share of the amount due, in basis points (100 = 1%)')
    .option('--deduction-tolerance <amount>', 'short payments beyond the charges and up to this are the payer\'s deduction: a dispute (0: off)')
    .option('--deduction-tolerance-bp <n>', '…or up to this share of the amount due, in basis points (at most 5000)')
    .option('--fx-tolerance-bp <n>', 'a line paying items in another currency: how far the bank\'s rate may be from the rate on file, in basis points (default 50)')
    .option('--auto-apply <on|off>', 'apply sure lines automatically')
    .option('--key <key>', 'idempotency key')
    .action((o: Record<string, string | undefined>, command: Command) =>
      withContext(command, async (ctx, format) => {
        const int = (v: string | undefined, option: string) => {
          if (v === undefined) return undefined;
          if (!/^\d+$/.test(v)) throw invalid('VALIDATION_FAILED', `${option}: give a whole number (got "${v}")`, [{ field: option, message: 'not a whole number' }]);
          return Number(v);
        };
        if (o.autoApply !== undefined && o.autoApply !== 'on' && o.autoApply !== 'off') throw invalid('VALIDATION_FAILED', `--auto-apply: on or off (got "${o.autoApply}")`, [{ field: '--auto-apply', message: 'on or off' }]);
        const change = Object.fromEntries(Object.entries({
          autoApplyScore: int(o.autoApplyScore, '--auto-apply-score'), suggestScore: int(o.suggestScore, '--suggest-score'), ambiguityMargin: int(o.ambiguityMargin, '--ambiguity-margin'),
          chargeTolerance: o.chargeTolerance, chargeToleranceBasisPoints: int(o.chargeToleranceBp, '--charge-tolerance-bp'),
          deductionTolerance: o.deductionTolerance, deductionToleranceBasisPoints: int(o.deductionToleranceBp, '--deduction-tolerance-bp'),
          fxToleranceBasisPoints: int(o.fxToleranceBp, '--fx-tolerance-bp'),
          autoApply: o.autoApply === undefined ? undefined : o.autoApply === 'on',
        }).filter(([, v]) => v !== undefined));
        if (!Object.keys(change).length) throw invalid('VALIDATION_FAILED', 'give at least one setting to change (arflow bank settings set --help lists them)');
        const settings = await saveMatchSettings(ctx, change, o.key);
        print(format, settings, () => settingsTable(settings));
      }));
  bank.command('learned <customer>')
    .description('what cash matching learned about a customer from users\' decisions: payer accounts, how it quotes invoice numbers')
    .action((customer: string, _o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const known = await ctx.db.tenant(ctx.tenant.id, (sql) => getMatchingKnowledge(ctx, sql, customer));
        print(format, known, () => knowledgeText(known));
      }));
  bank.command('forget <customer>')
    .description('forget a learned payer account or reference pattern (ids from `arflow bank learned`), audited')
    .option('--account <id>', 'the account\'s id')
    .option('--pattern <id>', 'the pattern\'s id')
    .option('--key <key>', 'idempotency key')
    .action((customer: string, o: { account?: string; pattern?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (!!o.account === !!o.pattern) throw invalid('VALIDATION_FAILED', 'give one of --account ID or --pattern ID (arflow bank learned CUSTOMER lists them)', [{ field: '--account', message: 'one of --account, --pattern' }]);
        const known = await forgetKnowledge(ctx, customer, o.account ? 'accounts' : 'patterns', (o.account ?? o.pattern)!, o.key);
        print(format, known, () => `forgotten\n${knowledgeText(known)}`);
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

function knowledgeText(k: MatchingKnowledge): string {
  return [
    `${k.customer.code} ${k.customer.name}`,
    k.accounts.length ? table(['account id', 'payer account', 'source', 'confirmed'], k.accounts.map((a) => [a.id, a.account, a.source, String(a.confirmations)])) : 'no payer accounts learned',
    k.patterns.length ? table(['pattern id', 'quotes invoices as', 'example', 'confirmed'], k.patterns.map((p) => [p.id, `${p.marker ? `${p.marker} + ` : ''}last ${p.digits} digits`, p.example, String(p.confirmations)])) : 'no reference patterns learned',
  ].join('\n');
}

function settingsTable(settings: Record<string, unknown>): string {
  return table(['setting', 'value'], Object.entries(settings).map(([k, v]) => [k, v === null ? '' : String(v)]));
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
