/** `arflow provision`: the bad-debt provision at a period end (preview by default; `--run` records it). */
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { can } from '../domain/access.ts';
import { invalid, notAllowed } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import { previewProvision, provisionSettings, PROVISION_METHODS, runProvision, setProvisionSettings, type ProvisionMethod, type ProvisionReport } from '../modules/provision/index.ts';
import { journalCsv, journalOf, journalXlsx, type JournalLine } from '../modules/provision/journal.ts';
import { table, toJson, type Io } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context) => Promise<T>) => Promise<T>;

/** The report as text: per bucket, per customer, the ECL derivation, the movement. */
export function provisionText(r: ProvisionReport, runId?: string): string {
  const keys = r.buckets.map((b) => b.key);
  const parts = [
    `provision (坏账准备) as of ${r.asOf} by the ${r.method === 'aging' ? 'aging method (账龄分析法)' : 'expected credit loss matrix'}, ${r.currency}${runId ? `, recorded as run ${runId}` : ' (preview)'}`,
    table(['bucket', 'balance', 'rate %', 'allowance'], [...r.byBucket.map((b) => [b.bucket, b.balance, b.rate, b.allowance]), ['total', r.totals.balance, '', r.totals.allowance]]),
    '',
    table(['customer', 'name', ...keys, 'balance', 'allowance'], r.customers.map((c) => [c.customer, c.name, ...keys.map((k) => c.buckets[k]!.allowance), c.balance, c.allowance])),
  ];
  if (r.matrix) {
    parts.push('', `roll rates over ${r.matrix.months} month-ends (Σ next bucket a month later / Σ this bucket), factor ${r.matrix.factor}, terminal ${r.matrix.terminal}`,
      table(['from', 'to', 'Σ from', 'Σ to', 'roll %'], r.matrix.rollRates.map((x) => [x.from, x.to, x.sumFrom, x.sumTo, `${x.rate}${x.noHistory ? ' (no history)' : x.capped ? ' (capped)' : ''}`])),
      table(['bucket', 'chain', 'historical %', 'loss rate %'], r.matrix.lossRates.map((l) => [l.bucket, l.chain.join(' × ') || '(terminal)', l.historical, l.rate])));
  }
  const m = r.movement;
  parts.push('', `movement since ${m.previousRun ? `the run of ${m.previousRun.periodEnd}` : 'the start (first run)'}: opening ${m.opening} + charge ${m.charge} − utilised ${m.utilised} + recovered ${m.recovered} = closing ${m.closing}`);
  parts.push(`rounding: ${r.rounding}`);
  return parts.join('\n');
}

export function registerProvisionCommand(program: Command, withContext: WithContext, io: Io): void {
  program.command('provision')
    .description('bad-debt provision (坏账准备) at a period end by the aging method or ECL; preview, or --run to record it; --format table|json|csv|xlsx (csv/xlsx: the GL journal)')
    .requiredOption('--as-of <date>', 'the period end (YYYY-MM-DD)')
    .addOption(new Option('--method <method>', 'aging rates or expected credit loss').choices([...PROVISION_METHODS]).default('aging'))
    .option('--run', 'record the run (needs provision.run)')
    .option('--supersedes <run>', 'with --run: the run of the same period this one replaces')
    .option('--reason <text>', 'with --supersedes: why')
    .option('--out <file>', 'write the csv or xlsx journal here (required with xlsx)')
    .action((options: { asOf: string; method: ProvisionMethod; run?: boolean; supersedes?: string; reason?: string; out?: string }, command: Command) => {
      const format = String((command.optsWithGlobals() as { format?: string }).format ?? 'text');
      if (format === 'xlsx' && !options.out) command.error('error: --format xlsx writes a file: give it with --out journal.xlsx', { exitCode: 2 });
      return withContext(command, async (ctx) => {
        let report: ProvisionReport;
        let runId: string | undefined;
        let journal: JournalLine[] | null = null;
        if (options.run) {
          if (!ctx.principal || !can(ctx.principal.role, 'provision.run')) throw notAllowed('FORBIDDEN', `your role may not record a provision run: it needs the permission provision.run`);
          const run = await runProvision(ctx, { asOf: options.asOf, method: options.method, supersedes: options.supersedes, reason: options.reason });
          report = run.report;
          runId = run.id;
          if (format === 'csv' || format === 'xlsx') journal = (await ctx.db.tenant(ctx.tenant.id, (sql) => journalOf(ctx, sql, run.id))).lines;
          if (format === 'json') return io.out(toJson(run));
        } else {
          report = await ctx.db.tenant(ctx.tenant.id, (sql) => previewProvision(ctx, sql, { asOf: options.asOf, method: options.method }));
          if (format === 'csv' || format === 'xlsx') throw notAllowed('PROVISION_JOURNAL_NEEDS_RUN', 'the journal is of a recorded run: add --run (or export a past run\'s journal from the API or the web app)');
        }
        if (journal) {
          const content = format === 'csv' ? journalCsv(journal) : await journalXlsx(journal);
          if (options.out) {
            fs.writeFileSync(options.out, content);
            io.err(`journal of run ${runId}: ${journal.length} lines written to ${options.out}`);
          } else {
            io.out(String(content));
          }
          return;
        }
        io.out(format === 'json' ? toJson(report) : provisionText(report, runId));
      });
    });

  program.command('provision-settings')
    .description('the provision settings (rates per bucket and segment, ECL months, factor and buckets, journal accounts) as JSON; --set FILE replaces them (needs provision.run, audited)')
    .option('--set <file>', 'a JSON file with the whole settings, as printed')
    .action((options: { set?: string }, command: Command) =>
      withContext(command, async (ctx) => {
        if (options.set) {
          if (!ctx.principal || !can(ctx.principal.role, 'provision.run')) throw notAllowed('FORBIDDEN', 'your role may not change the provision settings: it needs the permission provision.run');
          let raw: unknown;
          try {
            raw = JSON.parse(fs.readFileSync(options.set, 'utf8'));
          } catch (error) {
            throw invalid('INVALID_SETTINGS_FILE', `--set: ${options.set} is not a readable JSON file (${(error as Error).message})`, [{ field: '--set', message: 'not JSON' }]);
          }
          io.out(toJson(await setProvisionSettings(ctx, raw)));
          return;
        }
        io.out(toJson(await ctx.db.tenant(ctx.tenant.id, (sql) => provisionSettings(sql, ctx))));
      }));
}
