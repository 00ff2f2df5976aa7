/**
 * The `arflow` command. Every command takes --tenant CODE (default: the only tenant) and --format json. Exit codes:
 * 0 done, 1 the request was refused (bad input, not found, conflict), 2 wrong usage, 3 internal error.
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { hostname } from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { Command, CommanderError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { openDatabase, withOrigin, type Database } from '../db/database.ts';
import { AppError, notAllowed, unauthenticated } from '../domain/errors.ts';
import { can, ROLES } from '../domain/access.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { verifyAudit } from '../modules/audit/chain.ts';
import { exportAudit, searchAudit } from '../modules/audit/search.ts';
import { needsApproval, requestApproval } from '../modules/approvals/index.ts';
import { checkNewUser, createUser, listUsers, resetPassword, resolveApiToken, type Principal } from '../modules/access/index.ts';
import { commandPath, permissionOfCommand } from './permissions.ts';
import { systemClock, type Clock, type Context } from '../modules/context.ts';
import { checkNewTenant, createTenant, getTenantById, listTenants, resolveTenant, setDefaultTerms, type Tenant } from '../modules/tenants/index.ts';
import { createTerms, listTerms, presentTerms } from '../modules/terms/index.ts';
import { getCustomer, listContacts, listCustomers, presentCustomer } from '../modules/customers/index.ts';
import {
  AGING_GROUPINGS, AGING_SORTS, agingReport, agingRowBatches, DEFAULT_AGING_ROWS, MAX_AGING_ROWS, type AgingGrouping, type AgingSort,
} from '../modules/aging/index.ts';
import { agingTitle, writeAgingCsv, writeAgingXlsx } from '../modules/aging/export.ts';
import { unappliedCsv, unappliedReport, unappliedXlsx } from '../modules/unapplied/index.ts';
import { kpiSet, kpiTrend } from '../modules/kpis/index.ts';
import { KPI_LABELS, kpiText } from '../modules/kpis/labels.ts';
import { registerProvisionCommand } from './provision-command.ts';
import { registerCreditCommands } from './credit-commands.ts';
import { registerAlertCommands } from './alert-commands.ts';
import { registerMailCommands } from './mail-commands.ts';
import { registerBankCommands } from './bank-commands.ts';
import { registerDisputeCommands } from './dispute-commands.ts';
import { registerCollectionCommands } from './collection-commands.ts';
import { registerPlanCommands } from './plan-commands.ts';
import { registerWorklistCommands } from './worklist-commands.ts';
import { registerDunningCommands } from './dunning-commands.ts';
import { listFxRates, setFxRate } from '../modules/fx/index.ts';
import {
  applyCredit, customerBalance, getDocument, listDocuments, resolveDocument, reverseAllocation, reverseDocument,
  verifyAdvance, verifyLedger,
} from '../modules/ledger/index.ts';
import { importFile } from '../modules/imports/service.ts';
import { IMPORT_KINDS, isImportKind } from '../modules/imports/columns.ts';
import { exportData, EXPORT_KINDS, type ExportKind } from '../modules/exports/index.ts';
import { startJobs } from '../jobs/index.ts';
import { withIdempotency } from '../modules/idempotency/index.ts';
import { processIo, table, toJson, type Format, type Io } from './output.ts';
import { registerStatementCommands } from './statement-commands.ts';
import { registerCreditLimitCommands } from './credit-limit-commands.ts';
import { CREDIT_KINDS } from '../domain/ledger.ts';

export interface CliEnvironment {
  io?: Io;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Tests pass an open database; otherwise each command opens the one the environment names. */
  db?: Database;
}

interface GlobalOptions {
  tenant?: string;
  format: Format;
}

/** Commands that can write their table as a CSV or XLSX file (`--format csv|xlsx`). */
const FILE_FORMAT_COMMANDS = new Set(['aging', 'provision']);

export async function runCli(argv: string[], environment: CliEnvironment = {}): Promise<number> {
  const io = environment.io ?? processIo;
  const clock = environment.clock ?? systemClock;
  const env = environment.env ?? process.env;
  let exitCode = 0;

  const withDb = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    if (environment.db) return fn(environment.db);
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.ARFLOW_DATA_DIR });
    try {
      await db.migrate();
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  const globals = (command: Command): GlobalOptions => {
    const g = command.optsWithGlobals() as Omit<GlobalOptions, 'format'> & { format: string };
    // `table` is `text` by the name the reports use; `csv` and `xlsx` are files of a report (FILE_FORMAT_COMMANDS).
    if ((g.format === 'csv' || g.format === 'xlsx') && !FILE_FORMAT_COMMANDS.has(commandPath(command))) {
      command.error(`error: --format ${g.format} is for reports (${[...FILE_FORMAT_COMMANDS].map((c) => `arflow ${c}`).join(', ')}); use text or json here`, { exitCode: 2, code: 'commander.invalidArgument' });
    }
    return { ...g, format: g.format === 'table' ? 'text' : g.format === 'json' ? 'json' : 'text' };
  };
  /** The report's file format when it is csv or xlsx, else null (text or json, as `globals` gives). */
  const fileFormat = (command: Command): 'csv' | 'xlsx' | null => {
    const f = (command.optsWithGlobals() as { format: string }).format;
    return f === 'csv' || f === 'xlsx' ? f : null;
  };
  /**
   * A tenant command: acts as the API token in ARFLOW_TOKEN (its company and role), or else as the operator at this
   * machine (`cli:LOGIN`, an administrator: whoever can open the database can do anything in it). Either way the
   * command's permission (CLI_PERMISSIONS) is checked against the role first.
   */
  const withContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => {
    const g = globals(command);
    const permission = permissionOfCommand(command);
    return withDb(async (database) => {
      // Every change this command makes is audited as coming from this machine's operator.
      const db = withOrigin(database, `cli ${env.USER ?? 'user'}@${hostname()}`);
      let principal: Principal;
      let tenant: Tenant;
      if (env.ARFLOW_TOKEN) {
        const byToken = await resolveApiToken(db, clock, env.ARFLOW_TOKEN);
        if (!byToken) throw unauthenticated('INVALID_TOKEN', 'ARFLOW_TOKEN is unknown, revoked or expired; ask an administrator for a token, or unset it to act as the operator');
        tenant = await getTenantById(db, byToken.tenantId);
        const named = g.tenant ?? env.ARFLOW_TENANT;
        if (named && named !== tenant.code) throw notAllowed('FORBIDDEN', `ARFLOW_TOKEN belongs to company ${tenant.code}, not ${named}`);
        principal = byToken;
      } else {
        tenant = await resolveTenant(db, g.tenant ?? env.ARFLOW_TENANT);
        principal = { tenantId: tenant.id, userId: null, actor: `cli:${env.USER ?? 'user'}`, name: env.USER ?? 'user', role: 'admin', handle: null, via: 'cli' };
      }
      const ctx: Context = { db, tenant, actor: principal.actor, principal, clock };
      if (!can(principal.role, permission)) {
        await db.tenant(tenant.id, (sql) => appendAudit(sql, tenant.id, { actor: principal.actor, action: 'access.denied', entityType: 'command', entityId: `arflow ${commandPath(command)}`, after: { permission, role: principal.role } }));
        throw notAllowed('FORBIDDEN', `your role (${principal.role}) may not run \`arflow ${commandPath(command)}\`: it needs the permission ${permission}; ask an administrator`);
      }
      return fn(ctx, g.format);
    });
  };
  const print = (format: Format, value: unknown, text: () => string) => io.out(format === 'json' ? toJson(value) : text());

  const program = new Command('arflow')
    .description('arflow: accounts receivable ledger, aging, credit and collections')
    .addOption(new Option('--tenant <code>', 'tenant (company) code; default: the only tenant'))
    .addOption(new Option('--format <format>', 'output format (table is text; csv and xlsx for reports)').choices(['text', 'table', 'json', 'csv', 'xlsx']).default('text'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();

  program.command('init')
    .description('create a tenant (company)')
    // Not required here: the program's global --tenant consumes the flag wherever it appears, so it is read from there.
    .option('--tenant <code>', 'tenant code, e.g. ACME (required)')
    .requiredOption('--name <name>', 'company name')
    .option('--currency <code>', 'functional currency (ISO 4217)', 'CNY')
    .option('--timezone <zone>', 'IANA time zone', 'Asia/Shanghai')
    .option('--locale <locale>', 'zh-CN or en', 'zh-CN')
    .option('--admin-email <email>', 'email of the first administrator (default: admin@CODE.local)')
    .option('--admin-name <name>', 'name of the first administrator', 'Administrator')
    .action(async (options: { tenant?: string; name: string; currency: string; timezone: string; locale: 'zh-CN' | 'en'; adminEmail?: string; adminName: string }, command: Command) => {
      const format = globals(command).format;
      const code = options.tenant ?? globals(command).tenant;
      if (!code) command.error("error: required option '--tenant <code>' not specified", { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
      const actor = `cli:${env.USER ?? 'user'}`;
      const email = options.adminEmail ?? `admin@${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.local`;
      const { tenant, admin } = await withDb(async (db) => {
        // All checked before anything is written, so a taken email cannot leave a company without an administrator.
        const fields = { code, name: options.name, currency: options.currency, timeZone: options.timezone, locale: options.locale };
        await checkNewTenant(db, fields);
        await checkNewUser(db, { email, name: options.adminName, role: 'admin' });
        const created = await createTenant(db, fields, actor);
        const first = await createUser({ db, tenant: created, actor, clock }, { email, name: options.adminName, role: 'admin', locale: options.locale });
        return { tenant: created, admin: first };
      });
      print(format, { ...tenant, admin: { email: admin.user.email, oneTimePassword: admin.oneTimePassword } }, () => [
        `created tenant ${tenant.code} (${tenant.name}, ${tenant.currency}, ${tenant.timeZone})`,
        `first administrator: ${admin.user.email}`,
        `one-time password:   ${admin.oneTimePassword}   (shown once; sign in and choose your own)`,
      ].join('\n'));
    });

  program.command('tenants')
    .description('list tenants')
    .action(async (_o: unknown, command: Command) => {
      const tenants = await withDb((db) => listTenants(db));
      print(globals(command).format, tenants, () => table(['code', 'name', 'currency', 'time zone', 'locale'], tenants.map((t) => [t.code, t.name, t.currency, t.timeZone, t.locale])));
    });

  program.command('serve')
    .description('serve the API (and web app) over HTTP')
    .option('--port <port>', 'port (env PORT)', env.PORT ?? '3000')
    .option('--host <host>', 'address to listen on (env HOST)', env.HOST ?? '0.0.0.0')
    .option('--no-demo', 'do not create the demo company when the database is empty')
    .option('--no-web', 'serve the API only: do not build or serve the web app')
    .action(async (options: { port: string; host: string; demo: boolean; web: boolean }) => {
      const { serve } = await import('./serve.ts');
      await serve({ port: Number(options.port), host: options.host, demo: options.demo, web: options.web && env.ARFLOW_WEB !== 'off', env, clock, io });
    });

  const dbCommand = program.command('db').description('database administration');
  dbCommand.command('migrate').description('apply pending migrations').action(async (_o: unknown, command: Command) => {
    const where = await withDb(async (db) => db.description);
    print(globals(command).format, { migrated: true, database: where }, () => `database is up to date: ${where}`);
  });

  program.command('demo')
    .description('create the demo company with realistic receivables (about 300 customers, 5,000 invoices over 18 months)')
    .option('--code <code>', 'tenant code of the demo company', 'DEMO')
    .option('--as-of <date>', 'last business date of the demo history (default: today in Asia/Shanghai)')
    .option('--invoices <n>', 'number of invoices', '5000')
    .option('--customers <n>', 'number of customers', '300')
    .option('--seed <n>', 'random seed (same seed, same data)', '20260101')
    .action(async (options: { code: string; asOf?: string; invoices: string; customers: string; seed: string }, command: Command) => {
      const { createDemo } = await import('../demo/demo.ts');
      const summary = await withDb((db) => createDemo(db, clock, { code: options.code, asOf: options.asOf, invoices: Number(options.invoices), customers: Number(options.customers), seed: Number(options.seed) }));
      print(globals(command).format, summary, () => `created demo company ${summary.tenant}: ${summary.customers} customers, ${summary.documents} documents, ${summary.allocations} allocations (${summary.from} to ${summary.to})`);
    });

  // Terms -------------------------------------------------------------------------------------------------------
  const terms = program.command('terms').description('payment terms');
  terms.command('add <code>')
    .description('add payment terms, e.g. `terms add NET30 --net 30`, `terms add 2-10-N30 --net 30 --discount 2/10`, `terms add SPLIT --installments 30@0,70@30`')
    .option('--name <name>', 'display name (default: described from the rule)')
    .option('--net <days>', 'days from the base date to the due date')
    .option('--eom', 'count from the end of the invoice month')
    .option('--months-after-eom <n>', 'due at the end of the Nth month after the invoice month (clamped to its last day)')
    .option('--discount <pct/days>', 'early-payment discount, e.g. 2/10 = 2% within 10 days')
    .option('--installments <list>', 'installments PCT@DAYS,..., e.g. 30@0,70@30')
    .option('--default', "make these the tenant's default terms")
    .action((code: string, options: { name?: string; net?: string; eom?: boolean; monthsAfterEom?: string; discount?: string; installments?: string; default?: boolean }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const created = await createTerms(ctx, { code, name: options.name, net: options.net, eom: options.eom, monthsAfterEom: options.monthsAfterEom, discount: options.discount, installments: options.installments });
        if (options.default) await setDefaultTerms(ctx.db, ctx.tenant, code, ctx.actor);
        const shown = presentTerms(created);
        print(format, shown, () => `payment terms ${shown.code}: ${shown.description}${options.default ? ' (default)' : ''}`);
      }));
  terms.command('list').description('list payment terms').action((_o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const all = (await ctx.db.tenant(ctx.tenant.id, (sql) => listTerms(sql, ctx.tenant.id))).map(presentTerms);
      print(format, all, () => table(['code', 'name', 'rule'], all.map((t) => [t.code + (t.code === ctx.tenant.defaultTermsCode ? ' *' : ''), t.name, t.description])));
    }));

  // Customers ---------------------------------------------------------------------------------------------------
  const customers = program.command('customers').description('customers');
  customers.command('list')
    .description('search customers')
    .option('--q <text>', 'code or tax id prefix, or part of the name')
    .option('--limit <n>', 'rows (max 200)', '50')
    .option('--cursor <cursor>', 'continue after the previous page')
    .action((options: { q?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listCustomers(sql, ctx.tenant.id, { q: options.q, limit: Number(options.limit), cursor: options.cursor }));
        const shown = { items: page.items.map((c) => presentCustomer(c)), nextCursor: page.nextCursor };
        print(format, shown, () => table(['code', 'name', 'currency', 'terms', 'credit limit', 'status'], shown.items.map((c) => [c.code, c.name, c.currency, c.paymentTerms, c.creditLimit, c.status])) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''));
      }));
  customers.command('show <code>').description('a customer, its contacts and balance').action((code: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const shown = await ctx.db.tenant(ctx.tenant.id, async (sql) => {
        const customer = await getCustomer(sql, ctx.tenant.id, code);
        return { ...presentCustomer(customer, await listContacts(sql, ctx.tenant.id, customer.id)), balance: (await customerBalance(ctx, sql, code)).balances };
      });
      print(format, shown, () => [
        `${shown.code}  ${shown.name}  (${shown.status})`,
        `currency ${shown.currency}, terms ${shown.paymentTerms ?? '-'}, credit limit ${shown.creditLimit ?? '-'}`,
        ...shown.balance.map((b) => `${b.currency}: receivable ${b.receivable}, overdue ${b.overdue}, unapplied ${b.unapplied}, net ${b.net}`),
      ].join('\n'));
    }));

  // Reports -------------------------------------------------------------------------------------------------------
  program.command('aging')
    .description('aging (账龄) at an as-of date: what was open then, by bucket, per customer or group; unapplied credits netted; --format table|json (a page of rows, totals over all) or csv|xlsx (every row)')
    .option('--as-of <date>', 'the date the report is as of (YYYY-MM-DD); default the company\'s today')
    .addOption(new Option('--basis <basis>', 'age from the due date or the document date').choices(['due', 'document']).default('due'))
    .option('--buckets <days>', 'upper ends of the buckets in days, smallest first', '30,60,90,180,365')
    .addOption(new Option('--by <grouping>', 'one row per').choices([...AGING_GROUPINGS]).default('customer'))
    .option('--currency <code>', 'documents in this currency (default the company\'s)')
    .option('--convert', 'every currency, converted to the functional currency at the as-of rates')
    .addOption(new Option('--sort <order>', 'rows by largest outstanding, by key or by name (table and json)').choices([...AGING_SORTS]).default('outstanding'))
    .option('--limit <rows>', `rows on the page, 1 to ${MAX_AGING_ROWS} (table and json; the totals cover every row, files hold every row)`, String(DEFAULT_AGING_ROWS))
    .option('--offset <rows>', 'rows to skip before the page', '0')
    .option('--out <file>', 'write the file here (required with --format xlsx; csv goes to stdout without it)')
    .action((options: {
      asOf?: string; basis: 'due' | 'document'; buckets: string; by: AgingGrouping; currency?: string; convert?: boolean; sort: AgingSort; limit: string; offset: string; out?: string;
    }, command: Command) => {
      const file = fileFormat(command);
      if (file === 'xlsx' && !options.out) command.error('error: --format xlsx writes a file: give it with --out aging.xlsx', { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
      return withContext(command, async (ctx, format) => {
        const settings = { asOf: options.asOf, basis: options.basis, buckets: options.buckets, by: options.by, currency: options.currency, convert: options.convert ?? false };
        if (file) {
          const target = options.out ? await openForWriting(options.out) : null;
          // Without --out the CSV goes to stdout line by line as it is read.
          const out = target ?? new Writable({ write: (chunk: Buffer, _encoding, done) => { io.out(chunk.toString('utf8').replace(/\n$/, '')); done(); } });
          const { head, rows } = await ctx.db.tenant(ctx.tenant.id, async (sql) => {
            const first = await agingReport(ctx, sql, { ...settings, limit: 1 });
            const read = agingRowBatches(ctx, sql, { ...settings, sort: 'key' });
            const n = await (file === 'csv' ? writeAgingCsv(first, read, out) : writeAgingXlsx(first, read, out));
            return { head: first, rows: n };
          });
          if (target && !target.writableFinished) await once(target, 'finish');
          if (options.out) io.err(`${agingTitle(head)}: ${rows} rows written to ${options.out}`);
          return;
        }
        const report = await ctx.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, { ...settings, sort: options.sort, limit: options.limit, offset: options.offset }));
        const keys = report.buckets.slice(1).map((b) => b.key);
        const { page } = report;
        print(format, report, () => [
          agingTitle(report),
          table([report.by, 'name', 'current', ...keys, 'outstanding', 'unapplied', 'net'], [
            ...report.rows.map((r) => [r.key, r.name, r.current, ...keys.map((k) => r.buckets[k]!), r.outstanding, r.unapplied, r.net]),
            ['total', '', report.totals.current, ...keys.map((k) => report.totals.buckets[k]!), report.totals.outstanding, report.totals.unapplied, report.totals.net],
          ]),
          page.total === 0 ? 'no rows'
            : `rows ${report.rows.length === 0 ? 'none' : `${page.offset + 1}–${page.offset + report.rows.length}`} of ${page.total} (by ${page.sort}); the total line covers all of them${page.nextOffset === null ? '' : `; next page: --offset ${page.nextOffset}`}`,
        ].join('\n'));
      });
    });

  program.command('unapplied')
    .description('unapplied cash (未核销收款) at an as-of date: each payment, advance or credit note with something not applied, its age and source, totals per currency and age band; --format csv|xlsx --out FILE for every row')
    .option('--as-of <date>', 'the date the report is as of (YYYY-MM-DD); default the company\'s today')
    .option('--currency <code>', 'one currency\'s credits')
    .option('--customer <code>', 'one customer\'s credits')
    .addOption(new Option('--sort <order>', 'oldest first or largest first').choices(['age', 'amount']).default('age'))
    .option('--limit <rows>', 'rows on the page, 1 to 500 (the totals cover every row)', '100')
    .option('--offset <rows>', 'rows to skip before the page', '0')
    .option('--out <file>', 'write the file here (required with --format xlsx; csv goes to stdout without it)')
    .action((options: { asOf?: string; currency?: string; customer?: string; sort: 'age' | 'amount'; limit: string; offset: string; out?: string }, command: Command) => {
      const file = fileFormat(command);
      if (file === 'xlsx' && !options.out) command.error('error: --format xlsx writes a file: give it with --out unapplied.xlsx', { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
      return withContext(command, async (ctx, format) => {
        const query = { asOf: options.asOf, currency: options.currency, customer: options.customer, sort: options.sort };
        if (file) {
          if (file === 'csv') {
            const csv = await ctx.db.tenant(ctx.tenant.id, (sql) => unappliedCsv(ctx, sql, query));
            if (options.out) await fs.promises.writeFile(options.out, `\uFEFF${csv.text}`);
            else io.out(csv.text.replace(/\n$/, ''));
          } else {
            const xlsx = await ctx.db.tenant(ctx.tenant.id, (sql) => unappliedXlsx(ctx, sql, query));
            await fs.promises.writeFile(options.out!, xlsx.buffer);
          }
          if (options.out) io.err(`unapplied cash: written to ${options.out}`);
          return;
        }
        const report = await ctx.db.tenant(ctx.tenant.id, (sql) => unappliedReport(ctx, sql, { ...query, limit: options.limit, offset: options.offset }));
        const { page } = report;
        print(format, report, () => [
          `unapplied cash as of ${report.asOf}`,
          table(['customer', 'name', 'kind', 'document', 'date', 'days', 'ccy', 'amount', 'unapplied', 'source'],
            report.rows.map((r) => [r.customer, r.customerName, r.kind, r.document, r.documentDate, String(r.ageDays), r.currency, r.amount, r.unapplied, r.source])),
          ...report.totals.map((t) => `${t.currency}: ${t.count} credits, ${t.unapplied} unapplied (0-30 ${t.bands['0-30']}, 31-90 ${t.bands['31-90']}, 91+ ${t.bands['91+']})`),
          page.total === 0 ? 'nothing unapplied'
            : `rows ${report.rows.length === 0 ? 'none' : `${page.offset + 1}–${page.offset + report.rows.length}`} of ${page.total}${page.nextOffset === null ? '' : `; next page: --offset ${page.nextOffset}`}`,
        ].join('\n'));
      });
    });

  program.command('kpi')
    .description('receivables KPIs (DSO, CEI, overdue shares, days to pay…) at an as-of date, and their monthly trend')
    .option('--as-of <date>', 'the date the KPIs are as of (YYYY-MM-DD); default the company\'s today')
    .option('--period <days>', 'days the flow KPIs (standard DSO, CEI, turnover, days to pay) look back over', '90')
    .option('--trend <months>', 'also the trend over this many month ends (1 to 36)')
    .option('--currency <code>', 'documents in this currency (default the company\'s)')
    .action((options: { asOf?: string; period: string; trend?: string; currency?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const { set, trend } = await ctx.db.tenant(ctx.tenant.id, async (sql) => ({
          set: await kpiSet(ctx, sql, { asOf: options.asOf, currency: options.currency, periodDays: options.period }),
          trend: options.trend === undefined ? null
            : await kpiTrend(ctx, sql, { asOf: options.asOf, currency: options.currency, months: options.trend }),
        }));
        print(format, trend ? { kpis: set, trend } : { kpis: set }, () => [
          `KPIs as of ${set.asOf}, ${set.currency}, period ${set.period.from} to ${set.period.to} (${set.periodDays} days)`,
          table(['KPI', 'value', 'note'], Object.entries(set.kpis).map(([key, v]) => [KPI_LABELS[key as keyof typeof KPI_LABELS].en, kpiText(v, set.currency), v.reason ?? ''])),
          ...(trend ? ['', `trend (${trend.points.length} points)`, table(['as of', ...trend.keys.map((k) => KPI_LABELS[k as keyof typeof KPI_LABELS].en), 'from'],
            trend.points.map((p) => [p.asOf, ...trend.keys.map((k) => kpiText(p.kpis[k as keyof typeof p.kpis], trend.currency)), p.source]))] : []),
        ].join('\n'));
      }));

  registerProvisionCommand(program, (command, fn) => withContext(command, (ctx) => fn(ctx)), io);
  // Statements of account and balance confirmations (src/cli/statement-commands.ts).
  registerStatementCommands(program, withContext, print, io, env);
  registerMailCommands(program, withContext, print, env);
  // Credit files, assessments, scorecard and reviews (src/cli/credit-commands.ts).
  const credit = registerCreditCommands(program, withContext, print, io);
  // Credit limits, checks, commitments and holds (src/cli/credit-limit-commands.ts).
  registerCreditLimitCommands(credit, withContext, print);
  // Early-warning alerts (src/cli/alert-commands.ts).
  registerAlertCommands(program, withContext, print, io);
  // Bank statement import (src/cli/bank-commands.ts).
  registerBankCommands(program, withContext, print);
  // Disputes (src/cli/dispute-commands.ts).
  registerDisputeCommands(program, withContext, print);
  // Promises to pay and collection activities (src/cli/collection-commands.ts).
  registerCollectionCommands(program, withContext, print);
  // The collector's worklist (src/cli/worklist-commands.ts).
  registerWorklistCommands(program, withContext, print);
  // Dunning (src/cli/dunning-commands.ts).
  registerDunningCommands(program, withContext, print);
  // Payment plans, escalation cases and collector targets (src/cli/plan-commands.ts).
  registerPlanCommands(program, withContext, print);

  // FX ------------------------------------------------------------------------------------------------------------
  const fx = program.command('fx').description('FX rates to the functional currency');
  fx.command('set <currency> <date> <rate>').description('record a rate: units of functional currency per one unit').action((currency: string, date: string, rate: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const saved = await setFxRate(ctx, { currency, date, rate });
      print(format, saved, () => `${saved.currency} on ${saved.date}: ${saved.rate} ${ctx.tenant.currency}`);
    }));
  fx.command('list').option('--currency <code>').description('list rates').action((options: { currency?: string }, command: Command) =>
    withContext(command, async (ctx, format) => {
      const rates = await ctx.db.tenant(ctx.tenant.id, (sql) => listFxRates(sql, ctx.tenant.id, options.currency?.toUpperCase()));
      print(format, rates, () => table(['currency', 'date', 'rate'], rates.map((r) => [r.currency, r.date, r.rate])));
    }));

  // Import / export -------------------------------------------------------------------------------------------------
  program.command('import <kind> <file>')
    .description(`import a CSV or XLSX file; kind: ${IMPORT_KINDS.join(', ')} (columns: docs/import.md)`)
    .option('--dry-run', 'validate only, write nothing')
    .option('--encoding <encoding>', 'CSV text encoding: auto, utf-8, gbk, gb18030, utf-16le', 'auto')
    .option('--delimiter <char>', 'CSV delimiter: , ; or tab (default: sniffed)')
    .option('--sheet <name>', 'XLSX sheet (default: the first)')
    .action((kind: string, file: string, options: { dryRun?: boolean; encoding: string; delimiter?: string; sheet?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (!isImportKind(kind)) throw new AppError('invalid', 'UNKNOWN_IMPORT_KIND', `"${kind}" is not an import kind; use one of ${IMPORT_KINDS.join(', ')}`);
        if (!fs.existsSync(file)) throw new AppError('not_found', 'FILE_NOT_FOUND', `${file}: no such file`);
        let bar: SingleBar | null = null;
        // An import allocates fast and V8 then lets the heap grow to about four times what is live before collecting;
        // growing it by a fifth instead keeps a million-row import into PostgreSQL near 240 MB instead of 400 MB, at
        // no cost in speed (the database is the bottleneck). With PGlite the embedded database's memory dominates and
        // the extra collections would run on the one thread the database has, so it is left alone.
        if (ctx.db.engine === 'postgres') v8.setFlagsFromString('--heap-growing-percent=20');
        // Queue-only: the import enqueues its ledger check in its own transaction; the server runs it.
        const jobs = await startJobs(ctx.db, { clock, work: false });
        let report: Awaited<ReturnType<typeof importFile>>;
        try {
          report = await importFile({ ...ctx, jobs }, kind, path.resolve(file), {
            dryRun: options.dryRun,
            encoding: options.encoding as never,
            delimiter: options.delimiter === 'tab' ? '\t' : (options.delimiter as never),
            sheet: options.sheet,
            onPhase: (p) => {
              bar?.stop();
              bar = io.interactive && format === 'text' ? new SingleBar({ format: `${p.padEnd(10)} [{bar}] {percentage}% | {value}/{total} MB`, hideCursor: true }) : null;
              bar?.start(Math.max(1, Math.round(fs.statSync(file).size / 1e6)), 0);
            },
            onProgress: (done) => bar?.update(Math.round(done / 1e6)),
          });
        } finally {
          (bar as SingleBar | null)?.stop();
          await jobs.stop();
        }
        print(format, report, () => `${report.dryRun ? 'checked' : 'imported'} ${report.kind} from ${report.file}: ${report.rows} rows, ${report.created} new, ${report.updated} updated, ${report.unchanged} unchanged${report.allocations ? `, ${report.allocations} allocations` : ''}`);
      }));

  program.command('export <kind>')
    .description(`export ${EXPORT_KINDS.join(', ')} as CSV (import columns, so a file can go back in) or JSON lines`)
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--as <format>', 'csv or jsonl', 'csv')
    .action((kind: string, options: { out?: string; as: string }, command: Command) =>
      withContext(command, async (ctx) => {
        if (!(EXPORT_KINDS as readonly string[]).includes(kind)) throw new AppError('invalid', 'UNKNOWN_EXPORT_KIND', `"${kind}" is not an export kind; use one of ${EXPORT_KINDS.join(', ')}`);
        if (options.as !== 'csv' && options.as !== 'jsonl') throw new AppError('invalid', 'UNKNOWN_EXPORT_FORMAT', '--as must be csv or jsonl');
        const target = options.out ? await openForWriting(options.out) : null;
        const rows = await exportData(ctx, kind as ExportKind, options.as, (chunk) => (target ? target.write(chunk) : io.out(chunk.replace(/\n$/, ''))));
        if (target) await new Promise<void>((resolve, reject) => target.end((e?: Error | null) => (e ? reject(e) : resolve())));
        if (options.out) {
          if (globals(command).format === 'json') io.out(toJson({ kind, rows, file: options.out }));
          else io.err(`exported ${rows} ${kind} rows to ${options.out}`);
        }
      }));

  // Ledger --------------------------------------------------------------------------------------------------------
  const documents = program.command('documents').description('documents');
  documents.command('list')
    .option('--kind <kind>').option('--customer <code>').option('--status <status>', 'open or closed')
    .option('--from <date>').option('--to <date>').option('--limit <n>', 'rows (max 200)', '50').option('--cursor <cursor>')
    .description('list documents, newest first')
    .action((options: { kind?: never; customer?: string; status?: never; from?: string; to?: string; limit: string; cursor?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => listDocuments(ctx, sql, { ...options, limit: Number(options.limit) }));
        print(format, page, () => table(['date', 'kind', 'number', 'customer', 'currency', 'amount', 'open', 'due', 'status'], page.items.map((d) => [d.documentDate, d.kind, d.number, d.customer, d.currency, d.amount, d.open, d.dueDate, d.status])) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''));
      }));
  documents.command('show <ref>').description('a document (id, number or KIND:NUMBER) with items and allocations').action((ref: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const doc = await ctx.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, ref));
      print(format, doc, () => [
        `${doc.kind} ${doc.number}  ${doc.customer} ${doc.customerName}  ${doc.status}`,
        `dated ${doc.documentDate}${doc.dueDate ? `, due ${doc.dueDate}` : ''}: ${doc.amount} ${doc.currency}, open ${doc.open}`,
        ...(doc.items ?? []).map((i) => `  #${i.seq} due ${i.dueDate ?? '-'}  ${i.amount}  open ${i.open}`),
        ...doc.allocations.map((a) => `  ${a.date}  ${a.from.kind} ${a.from.number} → ${a.to.kind} ${a.to.number}#${a.to.installment}  ${a.amount}${a.rate === null ? '' : ` ${a.currency} = ${a.creditAmount} ${a.creditCurrency} at ${a.rate}, FX gain ${a.fxGain}`}${a.reason ? `  (${a.reason})` : ''}`),
      ].join('\n'));
    }));

  program.command('apply')
    .description('apply a payment, credit note, advance or write-off to open items: apply --from payment:PAY-1 --to INV-1:40.00,INV-2')
    .requiredOption('--from <kind:number>', `the credit, as KIND:NUMBER (${CREDIT_KINDS.join(', ')}); payment assumed without a kind`)
    .requiredOption('--to <list>', 'documents to pay, NUMBER[:AMOUNT][@RATE][=SETTLES],...; without an amount as much as is open. A document in another currency than the credit: @RATE is the settlement rate (credit currency per unit of the document\'s; default the rates on file), =SETTLES the amount of the document that AMOUNT settles: --to INV-7:7150.00@7.15 or --to INV-7:7100.00=1000.00')
    .option('--date <date>', 'application date (default: the later document date)')
    .option('--key <key>', 'idempotency key: running the command again with it applies nothing twice')
    .action((options: { from: string; to: string; date?: string; key?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const [kind, number] = options.from.includes(':') ? options.from.split(/:(.*)/s) as [string, string] : ['payment', options.from];
        const to = options.to.split(/[,;]/).filter(Boolean).map((part) => {
          const [, document = '', amount, rate, settles] = /^([^:@=]*)(?::([^@=]*))?(?:@([^=]*))?(?:=(.*))?$/s.exec(part) ?? [, part];
          return {
            document: document.trim(), ...(amount?.trim() ? { amount: amount.trim() } : {}), ...(rate?.trim() ? { rate: rate.trim() } : {}),
            ...(settles?.trim() ? { settles: settles.trim() } : {}),
          };
        });
        const request = { from: { kind: kind as never, number }, to, date: options.date };
        const result = await withIdempotency(ctx, options.key, 'allocation.apply', request, (sql) => applyCredit(ctx, request, sql));
        print(format, result, () => [...result.allocations.map((a) => a.rate === null
          ? `applied ${a.amount} ${a.currency} of ${a.from.number} to ${a.to.number}#${a.to.installment} on ${a.date}`
          : `applied ${a.creditAmount} ${a.creditCurrency} of ${a.from.number} to ${a.to.number}#${a.to.installment} on ${a.date}, settling ${a.amount} ${a.currency} at ${a.rate} (FX gain ${a.fxGain})`),
        `left unapplied: ${result.creditOpen}`].join('\n'));
      }));

  program.command('reverse [document]')
    .description('reverse a posted document (id, number or KIND:NUMBER), or one allocation with --allocation ID')
    .requiredOption('--reason <text>', 'why (kept in the ledger and the audit trail)')
    .option('--allocation <id>', 'reverse this allocation instead of a document')
    .option('--date <date>', 'business date of the reversal (default: today, never before the original)')
    .action((ref: string | undefined, options: { reason: string; allocation?: string; date?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (options.allocation) {
          const result = await reverseAllocation(ctx, options.allocation, { reason: options.reason, date: options.date });
          // The reversing row carries the negated amount; people read the amount that came back.
          print(format, result, () => `reversed allocation ${options.allocation}: ${result.amount.replace(/^-/, '')} ${result.currency} open again on ${result.from.number} and ${result.to.number}`);
          return;
        }
        if (!ref) throw new AppError('invalid', 'DOCUMENT_REQUIRED', 'name the document to reverse (id, number or KIND:NUMBER), or give --allocation ID');
        const asked = { ref, reason: options.reason, ...(options.date ? { date: options.date } : {}) };
        // With ARFLOW_TOKEN the company's approval rule applies as in the API; the operator acts directly.
        const held = await ctx.db.tenant(ctx.tenant.id, async (sql) => {
          const doc = await resolveDocument(sql, ctx.tenant.id, ref);
          const summary = await needsApproval(sql, ctx, 'document.reverse', asked);
          return summary ? requestApproval(sql, ctx, 'document.reverse', { ...asked, ref: doc.id }, summary) : null;
        });
        if (held) {
          print(format, { outcome: 'approval_requested', approval: held }, () => `approval requested (${held.id}): ${held.summary}; someone else must approve it`);
          return;
        }
        const doc = await ctx.db.tenant(ctx.tenant.id, (sql) => resolveDocument(sql, ctx.tenant.id, ref));
        const result = await reverseDocument(ctx, doc.id, { reason: options.reason, date: options.date });
        print(format, result, () => `reversed ${result.reversed.kind} ${result.reversed.number} with ${result.reversal.number}${result.unappliedAllocations.length ? `; undid ${result.unappliedAllocations.length} allocation(s)` : ''}`);
      }));

  const advance = program.command('advance').description('advance receipts (预收账款)');
  advance.command('verify <ref>').option('--date <date>', 'verification date (default: today)').description('mark an advance receipt verified against the bank').action((ref: string, options: { date?: string }, command: Command) =>
    withContext(command, async (ctx, format) => {
      const doc = await ctx.db.tenant(ctx.tenant.id, (sql) => resolveDocument(sql, ctx.tenant.id, ref.includes(':') ? ref : `advance:${ref}`));
      const result = await verifyAdvance(ctx, doc.id, { date: options.date });
      print(format, result, () => `advance ${result.number} verified on ${result.verifiedOn}`);
    }));

  const users = program.command('users').description('people who sign in, and their roles');
  users.command('list').description('list users').action((_o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const all = await listUsers(ctx);
      print(format, all, () => table(['email', 'name', 'handle', 'role', 'status'], all.map((u) => [u.email, u.name, u.handle, u.role, u.status])));
    }));
  users.command('add <email>')
    .requiredOption('--name <name>', 'full name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--handle <handle>', 'what customers\' collector/salesperson fields name (default: the email before the @)')
    .description('create a user with a one-time password')
    .action((email: string, options: { name: string; role: (typeof ROLES)[number]; handle?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const { user, oneTimePassword } = await createUser(ctx, { email, name: options.name, role: options.role, ...(options.handle ? { handle: options.handle } : {}) });
        print(format, { user, oneTimePassword }, () => `created ${user.email} (${user.role}); one-time password: ${oneTimePassword} (shown once)`);
      }));
  users.command('reset-password <email>').description('give a user a new one-time password; their sessions end').action((email: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const user = (await listUsers(ctx)).find((u) => u.email === email.trim().toLowerCase());
      if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', `no user has email ${email}; list them with \`arflow users list\``);
      const reset = await resetPassword(ctx, user.id);
      print(format, { email: user.email, oneTimePassword: reset.oneTimePassword }, () => `new one-time password for ${user.email}: ${reset.oneTimePassword} (shown once)`);
    }));

  const audit = program.command('audit').description('the audit trail: search, export, verify its hash chain');
  const auditFilters = (c: Command) => c
    .option('--actor <who>', 'a user\'s email, token:NAME or cli:LOGIN')
    .option('--action <action>', 'an action (document.post) or a prefix ending in "." (session.)')
    .option('--document <ref>', 'a document number or KIND:NUMBER')
    .option('--customer <code>', 'a customer and its documents')
    .option('--from <date>', 'first business date, YYYY-MM-DD')
    .option('--to <date>', 'last business date, YYYY-MM-DD');
  type AuditFilters = { actor?: string; action?: string; document?: string; customer?: string; from?: string; to?: string };
  auditFilters(audit.command('search')).option('--limit <n>', 'entries (at most 200)', '50').description('newest entries first')
    .action((options: AuditFilters & { limit: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const { limit, ...filters } = options;
        const page = await ctx.db.tenant(ctx.tenant.id, (sql) => searchAudit(ctx, sql, { ...filters, limit }));
        print(format, page, () => table(['time', 'actor', 'action', 'entity', 'sealed'], page.items.map((e) => [e.occurredAt, e.actor, e.action, `${e.entityType} ${e.entityId ?? ''}`, e.sealed ? 'yes' : 'no'])));
      }));
  auditFilters(audit.command('export')).option('--out <file>', 'write to a file instead of stdout').description('matching entries as CSV (the export is itself recorded)')
    .action((options: AuditFilters & { out?: string }, command: Command) =>
      withContext(command, async (ctx) => {
        const { out, ...filters } = options;
        const target = out ? await openForWriting(out) : null;
        const rows = await exportAudit(ctx, filters, (chunk) => (target ? target.write(chunk) : io.out(chunk.replace(/\n$/, ''))));
        if (target) await new Promise<void>((resolve, reject) => target.end((e?: Error | null) => (e ? reject(e) : resolve())));
        if (out) {
          if (globals(command).format === 'json') io.out(toJson({ rows, file: out }));
          else io.err(`exported ${rows} audit entries to ${out}`);
        }
      }));
  audit.command('verify').description('seal new entries and recompute the hash chain; exit 1 if any entry was changed or deleted')
    .action((_o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const result = await verifyAudit(ctx.db, ctx.tenant.id);
        print(format, result, () => result.ok
          ? `audit trail intact: ${result.checked} entries checked${result.head ? `; last seal ${result.head.seq} ${result.head.hash}` : ''}`
          : [`audit trail BROKEN: ${result.problems.length} problems in ${result.checked} entries`, ...result.problems.map((p) => `  ${p.message}`)].join('\n'));
        if (!result.ok) exitCode = 1;
      }));

  const ledger = program.command('ledger').description('the ledger as a whole');
  ledger.command('verify')
    .description('check every cached open amount against the ledger; --rebuild repairs them')
    .option('--rebuild', 'set the cached open amounts to the ledger figures')
    .action((options: { rebuild?: boolean }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const report = await verifyLedger(ctx, !!options.rebuild);
        print(format, report, () => [
          `checked ${report.documents} documents, ${report.items} items, ${report.allocations} allocations: ${report.problems.length === 0 ? 'consistent' : `${report.problems.length} problem(s)`}`,
          ...report.problems.map((p) => `  ${p.kind} ${p.reference}: ${p.message}`),
          ...(options.rebuild ? [`rebuilt ${report.rebuilt} balance(s)`] : []),
        ].join('\n'));
        if (report.problems.length && !options.rebuild) exitCode = 1;
      }));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const format = (program.opts() as GlobalOptions).format ?? 'text';
    if (error instanceof AppError) {
      if (format === 'json') io.out(toJson({ code: error.code, message: error.message, details: error.details }));
      io.err(`error: ${error.message}`);
      for (const d of error.details.slice(0, format === 'json' ? 0 : 1000)) {
        const where = d.line !== undefined ? `line ${d.line}${d.column ? `, column ${d.column}` : ''}` : d.field ?? '';
        // A single field-named detail repeats the message; a line-numbered one or a list adds to it.
        if (error.details.length > 1 || d.line !== undefined) io.err(`  ${where}: ${d.message}`);
      }
      return 1;
    }
    io.err(`internal error: ${(error as Error).stack ?? String(error)}`);
    return 3;
  }
  return exitCode;
}

/** A file to write, opened before any work, so a bad path is a clear error instead of a crash on an unhandled stream error. */
function openForWriting(file: string): Promise<fs.WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = fs.createWriteStream(file);
    stream.once('error', (e: NodeJS.ErrnoException) => reject(new AppError('invalid', 'CANNOT_WRITE_FILE', `${file} cannot be written (${e.code ?? e.message}); check that its folder exists and is writable`)));
    stream.once('ready', () => resolve(stream));
  });
}

/** Entry point of bin/arflow.mjs. */
export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv.slice(2));
  // `serve` keeps running; everything else exits with its code.
  if (code !== 0 || !argv.slice(2).includes('serve')) process.exitCode = code;
}
