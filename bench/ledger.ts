/**
 * The ledger benchmark: `npm run bench:ledger -- --invoices 1000000 [--database pglite|postgres|both]`.
 *
 * 1. Generates (or reuses) a deterministic ledger in .bench/data-N (bench/generate.ts).
 * 2. Per database: an empty database (PGlite in .bench/, or a uniquely named PostgreSQL database), a tenant with
 *    payment terms and an FX rate, then `arflow import` of customers, invoices and payments, each run as its own
 *    process (`node bin/arflow.mjs import ...`), timed from outside, with its peak resident memory.
 * 3. `arflow serve` as a child process, and a load generator posting payments (POST /api/v1/documents with
 *    appliesTo and an Idempotency-Key) over keep-alive HTTP with a fixed number of concurrent clients.
 * 4. Prints a table and writes the figures into docs/benchmarks.md (one section per database and size).
 *
 * Options: --invoices N (20000), --database pglite|postgres|both (both), --api-requests N (20000),
 * --concurrency C (32), --postgres-url URL (postgres://postgres@127.0.0.1:5432), --seed S, --keep (keep the
 * databases), --verify (run `arflow ledger verify` after the load), --no-docs (do not touch docs/benchmarks.md),
 * --reuse-database NAME (PostgreSQL: post payments only, on a copy of a database kept by an earlier `--keep` run of
 * the same size; for quick before/after comparisons of posting).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Sql } from '../src/db/database.ts';
import { systemClock, type Context } from '../src/modules/context.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { createTenant, resolveTenant, setDefaultTerms } from '../src/modules/tenants/index.ts';
import { createApiToken, createUser } from '../src/modules/access/index.ts';
import { createTerms } from '../src/modules/terms/index.ts';
import { API_DATE, SETUP, generate, type Manifest } from './generate.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, '.bench');
const ARFLOW = path.join(ROOT, 'bin', 'arflow.mjs');
const DOCS = path.join(ROOT, 'docs', 'benchmarks.md');

type Engine = 'pglite' | 'postgres';

interface Options {
  invoices: number;
  databases: Engine[];
  apiRequests: number;
  concurrency: number;
  postgresUrl: string;
  seed: number;
  keep: boolean;
  verify: boolean;
  docs: boolean;
  /** A PostgreSQL database kept by an earlier run: copy it and only post payments (no imports, no figures written). */
  reuseDatabase: string | null;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    invoices: 20_000, databases: ['pglite', 'postgres'], apiRequests: 20_000, concurrency: 32,
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? defaultPostgresUrl(), seed: 20260101, keep: false, verify: false, docs: true,
    reuseDatabase: null,
  };
  const count = (name: string, text: string | undefined, min: number) => {
    const n = Number(text?.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} takes a whole number of at least ${min}, not ${text}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i];
    if (arg === '--invoices') options.invoices = count(arg, value(), 10);
    else if (arg === '--database') {
      const v = value();
      if (v === 'both') options.databases = ['pglite', 'postgres'];
      else if (v === 'pglite' || v === 'postgres') options.databases = [v];
      else throw new Error(`--database takes pglite, postgres or both, not ${v}`);
    } else if (arg === '--api-requests') options.apiRequests = count(arg, value(), 0);
    else if (arg === '--concurrency') options.concurrency = count(arg, value(), 1);
    else if (arg === '--postgres-url') options.postgresUrl = value() ?? options.postgresUrl;
    else if (arg === '--seed') options.seed = count(arg, value(), 0);
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--verify') options.verify = true;
    else if (arg === '--no-docs') options.docs = false;
    else if (arg === '--reuse-database') {
      const v = value();
      if (!v || !/^[a-z_][a-z0-9_]*$/.test(v)) throw new Error(`--reuse-database takes the name of a kept database, not ${v}`);
      options.reuseDatabase = v;
      options.databases = ['postgres'];
      options.docs = false;
    }
    else if (arg === '--help' || arg === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${arg}; see --help`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: wall time and peak resident memory

interface Measured {
  seconds: number;
  /** Peak resident set size in bytes, or null when it could not be read. */
  peakRssBytes: number | null;
  /** How the peak was read: GNU time's maximum resident set size, or VmHWM polled from /proc. */
  rssSource: 'time' | 'proc' | 'none';
  stdout: string;
  stderr: string;
  code: number | null;
}

const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/** VmHWM (the peak resident set size) of a live process, in bytes. */
function readVmHwm(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat; null when unreadable. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by all live processes with this command name (the PostgreSQL server's processes), or only
 * by those whose command line contains `only` (` dbname ` picks the backends connected to one database).
 */
function cpuSecondsOf(command: string, only?: string): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      if (only !== undefined && !fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(only)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The machine's busy and total CPU time (all cores) from /proc/stat, in clock ticks; null when unreadable. */
function machineCpuTicks(): { busy: number; total: number } | null {
  try {
    const [cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = cpu!.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Runs `node bin/arflow.mjs ARGS` and measures it from outside. */
async function runArflow(args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const timeFile = path.join(WORK, `time-${process.pid}.txt`);
  const command = GNU_TIME ? GNU_TIME : process.execPath;
  const argv = GNU_TIME ? ['-f', '%M', '-o', timeFile, process.execPath, ARFLOW, ...args] : [ARFLOW, ...args];
  const started = performance.now();
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Without GNU time, poll the child's high-water mark: it only grows, so the last reading is the peak (to within
  // the polling interval before exit).
  let polled: number | null = null;
  const poll = GNU_TIME ? null : setInterval(() => {
    const hwm = child.pid ? readVmHwm(child.pid) : null;
    if (hwm !== null) polled = Math.max(polled ?? 0, hwm);
  }, 20);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);
  let peakRssBytes: number | null = polled;
  if (GNU_TIME) {
    const text = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
    fs.rmSync(timeFile, { force: true });
    // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
    const kb = Number(text.trim().split('\n').pop());
    peakRssBytes = Number.isFinite(kb) && kb > 0 ? kb * 1024 : null;
  }
  return { seconds, peakRssBytes, rssSource: GNU_TIME ? 'time' : polled ? 'proc' : 'none', stdout, stderr, code };
}

// ---------------------------------------------------------------------------------------------------------------
// Databases

interface Target {
  engine: Engine;
  env: NodeJS.ProcessEnv;
  description: string;
  version: string;
  /** An API token of a finance manager of the bench company, for the API load. */
  apiToken: string;
  /** The PostgreSQL database's name (its backends' CPU is measured apart from the rest of the server's). */
  database?: string;
  cleanup(): Promise<void>;
}

/**
 * The local server's Unix socket when it has one (Debian's /var/run/postgresql), else TCP on 127.0.0.1: a server on the
 * same machine is reached through its socket in production too, and on this kind of virtual machine a loopback TCP
 * round trip costs several times the CPU of a socket one (docs/benchmarks.md).
 */
function defaultPostgresUrl(): string {
  return fs.existsSync('/var/run/postgresql/.s.PGSQL.5432') ? 'postgres://postgres@%2Fvar%2Frun%2Fpostgresql' : 'postgres://postgres@127.0.0.1:5432';
}

const stamp = () => new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);

async function prepare(engine: Engine, options: Options): Promise<Target> {
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ARFLOW_TENANT: SETUP.tenant.code, LOG_LEVEL: 'warn' };
  delete baseEnv.DATABASE_URL;
  delete baseEnv.ARFLOW_DATA_DIR;
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let description: string;
  let database: string | undefined;
  if (engine === 'pglite') {
    const dir = path.join(WORK, `pglite-${options.invoices}-${stamp()}`);
    env = { ...baseEnv, ARFLOW_DATA_DIR: dir };
    description = `PGlite in ${path.relative(ROOT, dir)}`;
    cleanup = async () => {
      if (!options.keep) fs.rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const name = `arflow_bench_${stamp()}_${process.pid}`;
    database = name;
    const admin = new pg.Client({ connectionString: `${options.postgresUrl.replace(/\/+$/, '')}/postgres` });
    await admin.connect();
    // A copy of a kept database (its ledger imported already), or an empty one.
    await admin.query(`CREATE DATABASE ${name}${options.reuseDatabase ? ` TEMPLATE ${options.reuseDatabase}` : ''}`);
    await admin.end();
    const url = `${options.postgresUrl.replace(/\/+$/, '')}/${name}`;
    env = { ...baseEnv, DATABASE_URL: url };
    description = `PostgreSQL database ${name}`;
    cleanup = async () => {
      if (options.keep) return;
      const client = new pg.Client({ connectionString: `${options.postgresUrl.replace(/\/+$/, '')}/postgres` });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  // The tenant and what the files refer to: payment terms and the USD rate. Not timed.
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.ARFLOW_DATA_DIR });
  let version: string;
  let apiToken: string;
  try {
    await db.migrate();
    if (options.reuseDatabase) {
      // The kept database has the tenant, its terms and rates, and the load's user: a new token is all it needs.
      const tenant = await resolveTenant(db, SETUP.tenant.code);
      const ctx: Context = { db, tenant, actor: 'bench', clock: systemClock };
      const [user] = await db.tenant(tenant.id, (sql) => sql.query<{ id: string; handle: string }>(`SELECT id, handle FROM users WHERE email = 'bench@arflow.example'`));
      if (!user) throw new Error(`${options.reuseDatabase} has no benchmark user: keep a database of an earlier run (--keep)`);
      apiToken = (await createApiToken(ctx, { tenantId: tenant.id, userId: user.id, actor: 'bench@arflow.example', name: 'Benchmark', role: 'admin', handle: user.handle, via: 'cli' }, { name: `bench-load-${stamp()}`, role: 'finance_manager' })).token;
      const [row] = await db.system((sql) => sql.query<{ version: string }>('SELECT version()'));
      return { engine, env, description, version: row!.version.split(' on ')[0]!.split(',')[0]!, apiToken, cleanup, ...(database ? { database } : {}) };
    }
    const tenant = await createTenant(db, SETUP.tenant);
    const ctx: Context = { db, tenant, actor: 'bench', clock: systemClock };
    for (const t of SETUP.terms) {
      await createTerms(ctx, { code: t.code, ...('net' in t ? { net: t.net } : {}), ...('eom' in t ? { eom: t.eom } : {}), ...('discount' in t ? { discount: t.discount } : {}), ...('installments' in t ? { installments: t.installments } : {}) });
      if ('default' in t && t.default) await setDefaultTerms(db, tenant, t.code);
    }
    for (const r of SETUP.fxRates) await setFxRate(ctx, r);
    // The API load posts as another system would: with an API token of a finance manager.
    const { user } = await createUser(ctx, { email: 'bench@arflow.example', name: 'Benchmark', role: 'admin', password: 'load runner secret 2026' });
    apiToken = (await createApiToken(ctx, { tenantId: tenant.id, userId: user.id, actor: user.email, name: user.name, role: 'admin', handle: user.handle, via: 'cli' }, { name: 'bench-load', role: 'finance_manager' })).token;
    const [row] = await db.system((sql) => sql.query<{ version: string }>('SELECT version()'));
    version = row!.version.split(' on ')[0]!.split(',')[0]!;
  } finally {
    await db.close();
  }
  if (engine === 'pglite') {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
    version = `PGlite ${pkg.version} (${version})`;
  }
  return { engine, env, description, version, apiToken, cleanup, ...(database ? { database } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Imports

interface ImportFigure {
  kind: 'customers' | 'invoices' | 'payments';
  rows: number;
  allocations: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssBytes: number | null;
}

async function importKind(target: Target, dataDir: string, kind: ImportFigure['kind']): Promise<ImportFigure> {
  const file = path.join(dataDir, `${kind}.csv`);
  const run = await runArflow(['--format', 'json', 'import', kind, file], target.env);
  if (run.code !== 0) throw new Error(`arflow import ${kind} failed (exit ${run.code}):\n${run.stderr.slice(0, 4000)}\n${run.stdout.slice(0, 4000)}`);
  const report = JSON.parse(run.stdout) as { rows: number; created: number; allocations: number };
  if (report.created !== report.rows) throw new Error(`arflow import ${kind}: ${report.rows} rows but ${report.created} created: ${run.stdout}`);
  return { kind, rows: report.rows, allocations: report.allocations, seconds: run.seconds, rowsPerSecond: report.rows / run.seconds, peakRssBytes: run.peakRssBytes };
}

/**
 * What the database alone needs to write invoices: the rows an invoice import writes (a document, its item and the
 * item's balance), with the same keys, indexes, checks and row-level security, made by three INSERT … SELECT
 * statements inside the database, with no arflow code, in one transaction that is rolled back. An import can come
 * near this rate but not pass it; it says what a target above it would need (a lighter schema or more cores).
 */
interface FloorFigure {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The same rows with parts of the schema taken away (in the rolled-back transaction): what each part costs. */
  variants: { what: string; seconds: number; rowsPerSecond: number }[];
}

/** The floor's source rows: ids in time order like uuid v7, customers spread over all. */
const floorSource = (count: number) => `CREATE TEMP TABLE floor_source ON COMMIT DROP AS
  WITH c AS (SELECT array_agg(id ORDER BY id) AS ids FROM customers)
  SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid AS document_id,
         ('00000000-0000-7000-9000-' || lpad(to_hex(g), 12, '0'))::uuid AS item_id,
         c.ids[1 + (g * 7919) % cardinality(c.ids)] AS customer_id, 'FLOOR-' || g AS number,
         date '2025-01-01' + g % 540 AS document_date, (10000 + g % 900000)::int8 AS amount_minor
    FROM generate_series(1, ${Math.trunc(count)}) g, c`;

/** Writes the floor's rows as an import of invoices writes them: document, item, balance; returns the seconds. */
async function writeFloor(sql: Sql, tenantId: string): Promise<number> {
  const started = performance.now();
  await sql.query(`INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date,
                     currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
    SELECT ${tenantId}, document_id, 'invoice', 'debit', number, customer_id, document_date, document_date, document_date + 30,
           'CNY', amount_minor, 1, amount_minor, md5(number), 'bench' FROM floor_source`);
  await sql.query(`INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date)
    SELECT ${tenantId}, item_id, document_id, customer_id, 1, 'debit', 'CNY', amount_minor, document_date + 30 FROM floor_source`);
  // With the item's facts the balance carries (side, currency, dates, kind), as a posting writes them.
  await sql.query(`INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
    SELECT ${tenantId}, item_id, customer_id, amount_minor, amount_minor, 'debit', 'CNY', document_date, document_date + 30, 'invoice' FROM floor_source`);
  return (performance.now() - started) / 1000;
}

const FLOOR_TABLES = `('documents'::regclass, 'items'::regclass, 'item_balances'::regclass)`;

/**
 * The floor as the database owner (no row-level security), then without the foreign keys of the three tables, then
 * also without their indexes that are neither a primary key nor unique: how far a schema without those checks and
 * lookups could go on this machine. Each in its own rolled-back transaction.
 */
const FLOOR_VARIANTS: { what: string; drop: string[] }[] = [
  { what: 'as the owner (no row-level security)', drop: [] },
  { what: 'as the owner, without the foreign keys of documents, items and balances', drop: ['fk'] },
  { what: 'as the owner, without those foreign keys nor their indexes that are neither a primary key nor unique', drop: ['fk', 'index'] },
];

async function databaseFloor(target: Target, count: number, variants: boolean): Promise<FloorFigure> {
  const db = await openDatabase({ databaseUrl: target.env.DATABASE_URL, dataDir: target.env.ARFLOW_DATA_DIR });
  let seconds = NaN;
  const measured: FloorFigure['variants'] = [];
  const rollback = new Error('roll back the floor measurement');
  const rolledBack = (error: unknown) => {
    if (error !== rollback) throw error;
  };
  try {
    const tenant = await resolveTenant(db, SETUP.tenant.code);
    await db.tenant(tenant.id, async (sql) => {
      await sql.query(floorSource(count)); // made before the clock starts
      seconds = await writeFloor(sql, `current_setting('app.tenant_id')::uuid`);
      throw rollback;
    }).catch(rolledBack);
    for (const v of variants ? FLOOR_VARIANTS : []) {
      await db.system(async (sql) => {
        await sql.query(floorSource(count));
        const dropped = { fk: 0, index: 0 };
        if (v.drop.includes('fk')) {
          for (const c of await sql.query<{ t: string; name: string }>(`SELECT conrelid::regclass::text AS t, conname AS name FROM pg_constraint WHERE conrelid IN ${FLOOR_TABLES} AND contype = 'f'`)) {
            await sql.query(`ALTER TABLE ${c.t} DROP CONSTRAINT "${c.name}"`);
            dropped.fk++;
          }
        }
        if (v.drop.includes('index')) {
          for (const i of await sql.query<{ name: string }>(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid IN ${FLOOR_TABLES} AND NOT indisprimary AND NOT indisunique`)) {
            await sql.query(`DROP INDEX ${i.name}`);
            dropped.index++;
          }
        }
        const s = await writeFloor(sql, `'${tenant.id}'::uuid`);
        const what = dropped.fk ? `${v.what} (${dropped.fk} foreign keys${dropped.index ? ` and ${dropped.index} indexes` : ''} dropped)` : v.what;
        measured.push({ what, seconds: s, rowsPerSecond: count / s });
        throw rollback;
      }).catch(rolledBack);
    }
  } finally {
    await db.close();
  }
  return { rows: count, seconds, rowsPerSecond: count / seconds, variants: measured };
}

// ---------------------------------------------------------------------------------------------------------------
// API load

interface ApiFigure {
  requests: number;
  concurrency: number;
  warmup: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  serverPeakRssBytes: number | null;
  /** From starting `arflow serve` to its first answer (on PGlite this includes the ledger check, which blocks it). */
  serverReadySeconds: number;
  /** The server's background ledger check (enqueued by the imports), waited for before the load. */
  ledgerCheckSeconds: number | null;
  /** Then the whole company's alert evaluation the imports asked for, waited for too (from the end of the check). */
  companyEvaluationSeconds: number | null;
  /** CPU time of the arflow server process per request (the database's is not in it). */
  serverCpuMsPerRequest: number | null;
  /** CPU time of the PostgreSQL server's processes per request (PostgreSQL only; PGlite runs inside the server). */
  postgresCpuMsPerRequest: number | null;
  /** The part of it spent by the backends connected to the benchmark's database (the rest: the server's shared processes and other databases' work). */
  backendCpuMsPerRequest: number | null;
  /** CPU time of the load generator (this process) per request. */
  clientCpuMsPerRequest: number;
  /** Share of the machine's CPU (all cores) busy during the load: server, database, load generator and anything else. */
  machineBusy: number | null;
}

interface PaymentRequest {
  body: string;
  key: string;
}

/**
 * Payments for the API, paying invoices no imported payment touched. With more requests than such invoices, each
 * invoice is paid in equal parts, one pass over the pool per part, so concurrent requests never pay the same invoice.
 */
function apiPayments(dataDir: string, count: number, runId: string): PaymentRequest[] {
  const lines = fs.readFileSync(path.join(dataDir, 'open.csv'), 'utf8').trimEnd().split('\n').slice(1);
  const pool = lines.map((line) => {
    const [number, customer, , currency, minor] = line.split(',') as [string, string, string, string, string];
    return { number, customer, currency, minor: Number(minor) };
  });
  if (pool.length === 0) throw new Error('no open invoices to pay through the API');
  const parts = Math.ceil(count / pool.length);
  const requests: PaymentRequest[] = [];
  const text = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  for (let part = 0; part < parts && requests.length < count; part++) {
    for (const invoice of pool) {
      if (requests.length >= count) break;
      const share = Math.floor(invoice.minor / parts);
      const minor = part === parts - 1 ? invoice.minor - share * (parts - 1) : share;
      if (minor <= 0) continue;
      const n = requests.length + 1;
      const amount = text(minor);
      requests.push({
        key: `bench-${runId}-${n}`,
        body: JSON.stringify({
          kind: 'payment', number: `API-${runId}-${n}`, customer: invoice.customer, documentDate: API_DATE, amount,
          memo: 'bench', appliesTo: [{ document: invoice.number, amount }],
        }),
      });
    }
  }
  if (requests.length < count) throw new Error(`only ${requests.length} API payments could be built, ${count} asked`);
  return requests;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function request(agent: http.Agent, port: number, method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startServer(target: Target): Promise<{ child: ChildProcess; port: number; log: () => string; readySeconds: number }> {
  const port = await freePort();
  const started = performance.now();
  // The server logs at its default level (info: one line per request), as it would in production.
  const env: NodeJS.ProcessEnv = { ...target.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
  // Node flags for the server alone, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=.bench/prof" to profile it.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ARFLOW, 'serve', '--no-demo', '--no-web', '--port', String(port), '--host', '127.0.0.1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const agent = new http.Agent({ keepAlive: false });
  const deadline = Date.now() + 300_000;
  try {
    for (;;) {
      if (child.exitCode !== null || /internal error/.test(log)) throw new Error(`arflow serve failed to start:\n${log}`);
      try {
        const res = await request(agent, port, 'GET', '/api/v1/health');
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`arflow serve did not answer within 5 minutes:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stopServer(child);
    throw error;
  } finally {
    agent.destroy();
  }
  return { child, port, log: () => log, readySeconds: (performance.now() - started) / 1000 };
}

/**
 * Every import enqueues a check of the ledger (job ledger.verify), which the server runs soon after it starts. It
 * reads the whole ledger, so the load waits for it to finish rather than compete with it; its duration is reported.
 */
async function waitForLedgerCheck(server: { child: ChildProcess; log: () => string }, timeoutSeconds: number): Promise<{ seconds: number; outcome: 'verified' | 'problems' | 'timeout' }> {
  const started = performance.now();
  for (;;) {
    const log = server.log();
    if (/ledger verified/.test(log)) return { seconds: (performance.now() - started) / 1000, outcome: 'verified' };
    if (/ledger verification found problems/.test(log)) return { seconds: (performance.now() - started) / 1000, outcome: 'problems' };
    if (server.child.exitCode !== null) throw new Error(`arflow serve exited with ${server.child.exitCode}:\n${log}`);
    if ((performance.now() - started) / 1000 > timeoutSeconds) return { seconds: timeoutSeconds, outcome: 'timeout' };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Every import also asks for an early-warning evaluation of the whole company (job alerts.evaluate; the imports' jobs
 * are taken as one batch, so one evaluation). It reads every customer, so the load waits for it too, as for the
 * ledger check: otherwise it runs during the load at a different moment in each run. Found by the evaluation's
 * log line, which counts the customers evaluated.
 */
async function waitForCompanyEvaluation(server: { child: ChildProcess; log: () => string }, customers: number, timeoutSeconds: number): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    for (const line of server.log().split('\n')) {
      if (!line.includes('alerts evaluated')) continue;
      try {
        if ((JSON.parse(line) as { customers?: number }).customers === customers) return (performance.now() - started) / 1000;
      } catch {
        // not a JSON line
      }
    }
    if (server.child.exitCode !== null) throw new Error(`arflow serve exited with ${server.child.exitCode}:\n${server.log()}`);
    if ((performance.now() - started) / 1000 > timeoutSeconds) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/** Sends `requests` with `concurrency` clients, each waiting for its answer before sending the next. */
async function drive(port: number, requests: PaymentRequest[], concurrency: number, apiToken: string): Promise<{ latenciesMs: Float64Array; seconds: number; errors: { status: number; body: string }[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs = new Float64Array(requests.length);
  const errors: { status: number; body: string }[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const r = requests[i]!;
      const t0 = performance.now();
      let res: { status: number; body: string };
      try {
        res = await request(agent, port, 'POST', '/api/v1/documents', r.body, { 'idempotency-key': r.key, authorization: `Bearer ${apiToken}` });
      } catch (error) {
        res = { status: 0, body: String(error) };
      }
      latenciesMs[i] = performance.now() - t0;
      if (res.status !== 201) errors.push(res);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latenciesMs, seconds, errors };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function postPayments(target: Target, dataDir: string, options: Options, customers: number): Promise<ApiFigure | null> {
  if (options.apiRequests === 0) return null;
  const warmup = Math.min(500, Math.ceil(options.apiRequests / 10));
  const all = apiPayments(dataDir, warmup + options.apiRequests, stamp());
  const server = await startServer(target);
  try {
    const check = await waitForLedgerCheck(server, 60 + options.invoices / 1000);
    if (check.outcome === 'problems') throw new Error(`the server's ledger check found problems:\n${server.log().slice(-5000)}`);
    if (check.outcome === 'timeout') console.error(`  (no ledger check finished within ${check.seconds} s of start; load starts anyway)`);
    // (A copy of a kept database has had its imports' evaluation: customers 0, nothing to wait for.)
    const evaluation = customers ? await waitForCompanyEvaluation(server, customers, 60 + options.invoices / 1000) : null;
    if (customers && evaluation === null) console.error(`  (no evaluation of the whole company's alerts finished in time; load starts anyway)`);
    // Warm-up: JIT, connection pool and caches; not counted.
    const warm = await drive(server.port, all.slice(0, warmup), options.concurrency, target.apiToken);
    if (warm.errors.length) throw new Error(`warm-up: ${warm.errors.length} requests failed, e.g. ${warm.errors[0]!.status} ${warm.errors[0]!.body.slice(0, 1000)}`);
    const serverCpuBefore = server.child.pid ? processCpuSeconds(server.child.pid) : null;
    const machineBefore = machineCpuTicks();
    const postgresBefore = target.engine === 'postgres' ? cpuSecondsOf('postgres') : null;
    const backendsBefore = target.database ? cpuSecondsOf('postgres', ` ${target.database} `) : null;
    const clientBefore = process.cpuUsage();
    const run = await drive(server.port, all.slice(warmup), options.concurrency, target.apiToken);
    const serverCpuAfter = server.child.pid ? processCpuSeconds(server.child.pid) : null;
    const machineAfter = machineCpuTicks();
    const postgresAfter = target.engine === 'postgres' ? cpuSecondsOf('postgres') : null;
    const backendsAfter = target.database ? cpuSecondsOf('postgres', ` ${target.database} `) : null;
    const client = process.cpuUsage(clientBefore);
    const sorted = Float64Array.from(run.latenciesMs).sort();
    if (run.errors.length) console.error(`  ${run.errors.length} requests failed, e.g. ${run.errors[0]!.status} ${run.errors[0]!.body.slice(0, 500)}`);
    return {
      requests: options.apiRequests, concurrency: options.concurrency, warmup, seconds: run.seconds,
      requestsPerSecond: options.apiRequests / run.seconds, p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? NaN, errors: run.errors.length,
      serverPeakRssBytes: server.child.pid ? readVmHwm(server.child.pid) : null,
      ledgerCheckSeconds: check.outcome === 'verified' ? check.seconds : null,
      companyEvaluationSeconds: evaluation,
      serverReadySeconds: server.readySeconds,
      serverCpuMsPerRequest: serverCpuBefore !== null && serverCpuAfter !== null ? ((serverCpuAfter - serverCpuBefore) * 1000) / options.apiRequests : null,
      postgresCpuMsPerRequest: postgresBefore !== null && postgresAfter !== null ? ((postgresAfter - postgresBefore) * 1000) / options.apiRequests : null,
      backendCpuMsPerRequest: backendsBefore !== null && backendsAfter !== null ? ((backendsAfter - backendsBefore) * 1000) / options.apiRequests : null,
      clientCpuMsPerRequest: (client.user + client.system) / 1000 / options.apiRequests,
      machineBusy: machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : null,
    };
  } finally {
    await stopServer(server.child);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Result {
  engine: Engine;
  /** The machine's 1-minute load average when this database's run began (other work on the machine skews figures). */
  loadBefore: number;
  version: string;
  startupSeconds: number;
  imports: ImportFigure[];
  floor: FloorFigure;
  api: ApiFigure | null;
  verify: string | null;
}

/** Invoices the database-floor step writes (at most). */
const FLOOR_ROWS = 200_000;

const TARGETS = { invoicesPerSecond: 50_000, peakRssMb: 300, postsPerSecond: 500, p99Ms: 100 };
/** PGlite may be this many times slower (or bigger) than PostgreSQL. */
const PGLITE_FACTOR = 3;

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 1024 / 1024)} MB`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

function targetsOf(engine: Engine) {
  const f = engine === 'pglite' ? PGLITE_FACTOR : 1;
  return { invoicesPerSecond: TARGETS.invoicesPerSecond / f, peakRssMb: TARGETS.peakRssMb * f, postsPerSecond: TARGETS.postsPerSecond / f, p99Ms: TARGETS.p99Ms * f };
}

function resultRows(result: Result, manifest: Manifest): string[][] {
  const t = targetsOf(result.engine);
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const rows: string[][] = [];
  for (const i of result.imports) {
    const what = i.kind === 'payments' ? `${int(i.rows)} payments (${int(i.allocations)} allocations)` : `${int(i.rows)} ${i.kind}`;
    let target = '';
    if (i.kind === 'invoices') target = `≥ ${int(t.invoicesPerSecond)}/s: ${verdict(i.rowsPerSecond >= t.invoicesPerSecond)}; ≤ ${t.peakRssMb} MB: ${verdict(i.peakRssBytes !== null && i.peakRssBytes / 1024 / 1024 <= t.peakRssMb)}`;
    rows.push([`import ${i.kind}`, what, `${i.seconds.toFixed(1)} s`, `${int(i.rowsPerSecond)} rows/s`, mb(i.peakRssBytes), target]);
  }
  const f = result.floor;
  rows.push(['database floor', `${int(f.rows)} invoices written by SQL alone: the rows, keys and checks an import writes, no arflow code (rolled back)`, `${f.seconds.toFixed(1)} s`, `${int(f.rowsPerSecond)} rows/s`, '', '']);
  for (const v of f.variants) rows.push(['database floor, reduced', `the same ${v.what}`, `${v.seconds.toFixed(1)} s`, `${int(v.rowsPerSecond)} rows/s`, '', '']);
  if (result.api) {
    const a = result.api;
    rows.push([
      'post payments (API)', `${int(a.requests)} requests, ${a.concurrency} clients${a.errors ? `, ${a.errors} failed` : ''}`, `${a.seconds.toFixed(1)} s`,
      `${int(a.requestsPerSecond)} req/s; p50 ${ms(a.p50Ms)} ms, p90 ${ms(a.p90Ms)} ms, p99 ${ms(a.p99Ms)} ms, max ${ms(a.maxMs)} ms` +
        (a.serverCpuMsPerRequest !== null ? `; CPU per request: server ${a.serverCpuMsPerRequest.toFixed(2)} ms` : '') +
        (a.postgresCpuMsPerRequest !== null ? `, PostgreSQL ${a.postgresCpuMsPerRequest.toFixed(2)} ms` : '') +
        (a.backendCpuMsPerRequest !== null ? ` (its backends ${a.backendCpuMsPerRequest.toFixed(2)} ms)` : '') +
        `, load generator ${a.clientCpuMsPerRequest.toFixed(2)} ms` +
        (a.machineBusy !== null ? `; machine ${Math.round(a.machineBusy * 100)}% busy` : ''),
      `${mb(a.serverPeakRssBytes)} (server)`,
      `≥ ${int(t.postsPerSecond)}/s: ${verdict(a.requestsPerSecond >= t.postsPerSecond && a.errors === 0)}; p99 < ${t.p99Ms} ms: ${verdict(a.p99Ms < t.p99Ms)}`,
    ]);
  }
  if (result.api) {
    rows.push(['server start', '`arflow serve` until its first answer', `${result.api.serverReadySeconds.toFixed(1)} s`, '', '', '']);
  }
  if (result.api?.ledgerCheckSeconds != null) {
    rows.push(['ledger check (server job)', 'enqueued by the imports, run by the server after it answers; the load waits for it', `${result.api.ledgerCheckSeconds.toFixed(1)} s`, '', '', '']);
  }
  if (result.api?.companyEvaluationSeconds != null) {
    rows.push(['alert evaluation (server job)', 'of the whole company, asked for by the imports; after the ledger check, the load waits for it too', `${result.api.companyEvaluationSeconds.toFixed(1)} s more`, '', '', '']);
  }
  rows.push(['start-up (included above)', '`arflow tenants`: load code, open database, check migrations', `${result.startupSeconds.toFixed(1)} s`, '', '', '']);
  void manifest;
  return rows;
}

function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r.map((c) => c.replace(/\*\*/g, ''))));
}

function machine() {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return { cpu: cpu.trim(), cores: os.cpus().length, ramGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version, os: `${os.type()} ${os.release()}` };
}

const HEADER = ['step', 'what', 'time', 'rate', 'peak memory', 'target'];

function markdownSection(result: Result, manifest: Manifest, options: Options): string {
  const m = machine();
  const key = `${result.engine}-${manifest.invoices}`;
  const date = new Date().toISOString().slice(0, 10);
  const rows = resultRows(result, manifest);
  return [
    `<!-- bench:ledger ${key} -->`,
    `### ${result.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${int(manifest.invoices)} invoices`,
    '',
    `${date}; ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM; ${m.os}; Node ${m.node}; ${result.version};`,
    `load average ${result.loadBefore.toFixed(2)} when the run began.`,
    `Data: ${int(manifest.customers)} customers, ${int(manifest.invoices)} invoices, ${int(manifest.payments)} payments (seed ${manifest.seed});`,
    `API: ${int(result.api?.requests ?? 0)} payments after ${int(result.api?.warmup ?? 0)} warm-up requests, ${options.concurrency} concurrent clients.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(result.verify ? ['', `\`arflow ledger verify\` afterwards: ${result.verify}`] : []),
    `<!-- /bench:ledger ${key} -->`,
  ].join('\n');
}

const DOCS_SKELETON = `# Benchmarks

How fast arflow imports a large ledger and posts payments, measured by \`npm run bench:ledger\`.

<!-- bench:ledger results -->
`;

function updateDocs(sections: { key: string; text: string }[]) {
  let doc = fs.existsSync(DOCS) ? fs.readFileSync(DOCS, 'utf8') : DOCS_SKELETON;
  if (!doc.includes('<!-- bench:ledger results -->')) doc = `${doc.trimEnd()}\n\n## Results\n\n<!-- bench:ledger results -->\n`;
  for (const s of sections) {
    const pattern = new RegExp(`<!-- bench:ledger ${s.key} -->[\\s\\S]*?<!-- /bench:ledger ${s.key} -->`);
    if (pattern.test(doc)) doc = doc.replace(pattern, () => s.text);
    else doc = doc.replace('<!-- bench:ledger results -->', () => `<!-- bench:ledger results -->\n\n${s.text}`);
  }
  fs.mkdirSync(path.dirname(DOCS), { recursive: true });
  fs.writeFileSync(DOCS, doc.replace(/\n{3,}/g, '\n\n'));
}

// ---------------------------------------------------------------------------------------------------------------

async function benchmark(engine: Engine, manifest: Manifest, dataDir: string, options: Options): Promise<Result> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`\n== ${engine}: preparing (load average ${loadBefore.toFixed(2)})`);
  const target = await prepare(engine, options);
  console.log(`   ${target.description}; ${target.version}`);
  try {
    if (options.reuseDatabase) {
      process.stdout.write(`   post ${int(options.apiRequests)} payments over HTTP on a copy of ${options.reuseDatabase}, ${options.concurrency} clients… `);
      const api = await postPayments(target, dataDir, options, 0);
      if (!api) throw new Error('--reuse-database posts payments: give --api-requests more than 0');
      console.log(`${int(api.requestsPerSecond)} req/s, p50 ${ms(api.p50Ms)} ms, p99 ${ms(api.p99Ms)} ms; CPU per request: server ${api.serverCpuMsPerRequest?.toFixed(2)} ms, ` +
        `PostgreSQL ${api.postgresCpuMsPerRequest?.toFixed(2)} ms (its backends ${api.backendCpuMsPerRequest?.toFixed(2)} ms), load generator ${api.clientCpuMsPerRequest.toFixed(2)} ms; machine ${Math.round((api.machineBusy ?? NaN) * 100)}% busy; ` +
        `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after${api.errors ? `; ${api.errors} FAILED` : ''}`);
      return { engine, loadBefore, version: target.version, startupSeconds: NaN, imports: [], floor: { rows: 0, seconds: NaN, rowsPerSecond: NaN, variants: [] }, api, verify: null };
    }
    const startup = await runArflow(['tenants'], target.env);
    if (startup.code !== 0) throw new Error(`arflow tenants failed:\n${startup.stderr}`);
    const imports: ImportFigure[] = [];
    for (const kind of ['customers', 'invoices', 'payments'] as const) {
      process.stdout.write(`   import ${kind}… `);
      const figure = await importKind(target, dataDir, kind);
      console.log(`${figure.seconds.toFixed(1)} s, ${int(figure.rowsPerSecond)} rows/s, peak ${mb(figure.peakRssBytes)}`);
      imports.push(figure);
    }
    const floorRows = Math.min(options.invoices, FLOOR_ROWS);
    process.stdout.write(`   database floor: ${int(floorRows)} invoices by SQL alone… `);
    const floor = await databaseFloor(target, floorRows, true);
    console.log(`${floor.seconds.toFixed(1)} s, ${int(floor.rowsPerSecond)} rows/s`);
    for (const v of floor.variants) console.log(`      ${v.what}: ${v.seconds.toFixed(1)} s, ${int(v.rowsPerSecond)} rows/s`);
    process.stdout.write(`   post ${int(options.apiRequests)} payments over HTTP, ${options.concurrency} clients… `);
    const api = await postPayments(target, dataDir, options, manifest.customers);
    console.log(api ? `${int(api.requestsPerSecond)} req/s, p50 ${ms(api.p50Ms)} ms, p99 ${ms(api.p99Ms)} ms` : 'skipped');
    let verify: string | null = null;
    if (options.verify) {
      const run = await runArflow(['ledger', 'verify'], target.env);
      verify = `${run.stdout.trim().split('\n')[0]} (${run.seconds.toFixed(1)} s)`;
      console.log(`   ${verify}`);
      if (run.code !== 0) throw new Error(`arflow ledger verify failed:\n${run.stdout}\n${run.stderr}`);
    }
    return { engine, loadBefore, version: target.version, startupSeconds: startup.seconds, imports, floor, api, verify };
  } finally {
    await target.cleanup();
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  fs.mkdirSync(WORK, { recursive: true });
  const dataDir = path.join(WORK, `data-${options.invoices}${options.seed === 20260101 ? '' : `-${options.seed}`}`);
  const started = performance.now();
  const manifest = generate(dataDir, options.invoices, options.seed);
  console.log(`data: ${path.relative(ROOT, dataDir)}: ${int(manifest.customers)} customers, ${int(manifest.invoices)} invoices, ${int(manifest.payments)} payments (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (!GNU_TIME) console.log('peak memory: /usr/bin/time not found, polling /proc/PID/status (VmHWM)');
  const results: Result[] = [];
  for (const engine of options.databases) results.push(await benchmark(engine, manifest, dataDir, options));
  if (options.reuseDatabase) return;
  const m = machine();
  console.log(`\n${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}`);
  for (const result of results) {
    console.log(`\n${result.version}`);
    printTable(HEADER, resultRows(result, manifest));
  }
  if (options.docs) {
    updateDocs(results.map((r) => ({ key: `${r.engine}-${manifest.invoices}`, text: markdownSection(r, manifest, options) })));
    console.log(`\nfigures written to ${path.relative(ROOT, DOCS)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
