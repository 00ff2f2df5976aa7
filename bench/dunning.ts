/**
 * The dunning benchmark: `npm run bench:dunning -- --customers 100000 --items 1000000 [--postgres-url URL]`.
 *
 * 1. A new PostgreSQL database (or PGlite in memory with --pglite), migrated, with a tenant; N customers each with an
 *    email contact, and M open invoices written by SQL as the owner (INSERT … SELECT from generate_series, the same
 *    rows the ledger writes), due over the 120 days before the as-of date (2026-03-31), all open.
 * 2. Templates in both languages and a default strategy of five steps (−3 email, +7 email, +21 SMS, +35 letter,
 *    +60 call), no fee (fees go through the ledger one posting each: a separate cost, see docs/dunning.md).
 * 3. Times a dry run (plan and render, nothing written) and the real run (outbox, item steps, audit in one
 *    transaction) through the module's runDunning, and reports the messages written and the process's peak memory.
 *
 * Options: --customers N (10000), --items M (100000), --postgres-url URL, --pglite, --profile (per statement of the
 * runs: calls, total and slowest time, printed after each run), --keep (leave the PostgreSQL database, named on the
 * output, for EXPLAIN ANALYZE; drop it by hand).
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openPglite, openPostgres, type Database, type TransactionSql } from '../src/db/database.ts';
import type { Context } from '../src/modules/context.ts';
import { runDunning, saveStrategy, saveTemplate } from '../src/modules/dunning/index.ts';
import { createTenant } from '../src/modules/tenants/index.ts';

const AS_OF = '2026-03-31';
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const customers = Number(arg('customers', '10000'));
const items = Number(arg('items', '100000'));
const usePglite = process.argv.includes('--pglite');
const profile = process.argv.includes('--profile');
const keep = process.argv.includes('--keep');

/** Per statement text (its first 90 characters, spaces squeezed): calls, total and slowest milliseconds. */
const timings = new Map<string, { calls: number; totalMs: number; maxMs: number }>();
function profiled(db: Database): Database {
  const timed = (sql: TransactionSql): TransactionSql => ({
    ...sql,
    async query(text, params) {
      const started = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        const ms = performance.now() - started;
        const name = text.replace(/\s+/g, ' ').trim().slice(0, 90);
        const t = timings.get(name) ?? { calls: 0, totalMs: 0, maxMs: 0 };
        t.calls += 1; t.totalMs += ms; t.maxMs = Math.max(t.maxMs, ms);
        timings.set(name, t);
      }
    },
  }) as TransactionSql;
  return {
    ...db,
    tenant: (tenantId, fn, options) => db.tenant(tenantId, (sql, preloaded) => fn(timed(sql), preloaded), options),
    // The run's second connection (its slices' reads), timed as well.
    ...(db.snapshotReader ? {
      snapshotReader(tenantId: string, snapshot: string) {
        const opening = db.snapshotReader!(tenantId, snapshot);
        return opening && opening.then((reader) => ({ ...reader, sql: timed(reader.sql as TransactionSql) }));
      },
    } : {}),
  };
}
function printTimings(label: string): void {
  if (!profile) return;
  console.log(`  ${label}, by statement (calls, total s, slowest ms):`);
  for (const [name, t] of [...timings].sort((a, b) => b[1].totalMs - a[1].totalMs).slice(0, 12)) {
    console.log(`    ${String(t.calls).padStart(7)} ${(t.totalMs / 1000).toFixed(2).padStart(8)} ${t.maxMs.toFixed(0).padStart(7)}  ${name}`);
  }
  timings.clear();
}
const url = arg('postgres-url', process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

const id = (kind: number, n: string) => `('${kind}0000000-0000-7000-8000-' || lpad(to_hex((${n})::bigint), 12, '0'))::uuid`;

/**
 * The CPU seconds used so far by the PostgreSQL backends serving the benchmark's database (Linux: from /proc; their
 * process titles name the database), or null where that cannot be read (PGlite, another system, another user's
 * server). With the Node process's own CPU this splits a run's work between the two sides.
 */
function databaseCpuSeconds(database: string | null): number | null {
  if (!database) return null;
  try {
    let ticks = 0;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The machine's busy CPU seconds so far, all processes (Linux: /proc/stat), or null elsewhere. */
function machineCpuSeconds(): number | null {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return null;
  }
}

let databaseName: string | null = null;

async function open(): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (usePglite) {
    const db = await openPglite();
    await db.migrate();
    return { db, drop: () => db.close() };
  }
  const name = `arflow_bench_dunning_${process.pid}`;
  databaseName = name;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString(), 4);
  await db.migrate();
  return {
    db,
    async drop() {
      await db.close();
      if (keep) return console.log(`  kept database ${name}`);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function load(db: Database, tenantId: string): Promise<void> {
  await db.system(async (sql) => {
    await sql.query(`INSERT INTO customers (tenant_id, id, code, name, currency, payload_hash)
      SELECT $1, ${id(1, 'n')}, 'C' || lpad(n::text, 6, '0'), '基准客户' || n || '有限公司', 'CNY', 'bench' FROM generate_series(1, $2::int) n`, [tenantId, customers]);
    await sql.query(`INSERT INTO customer_contacts (tenant_id, id, customer_id, name, email, phone, language, is_primary)
      SELECT $1, ${id(9, 'n')}, ${id(1, 'n')}, '联系人' || n, 'ap' || n || '@example.com', '+86 138 0000 0000', CASE WHEN n % 5 = 0 THEN 'en' ELSE 'zh-CN' END, true
        FROM generate_series(1, $2::int) n`, [tenantId, customers]);
  });
  const chunk = 200_000;
  for (let first = 1; first <= items; first += chunk) {
    const last = Math.min(items, first + chunk - 1);
    await db.system(async (sql) => {
      await sql.query(`CREATE TEMP TABLE bench_items ON COMMIT DROP AS
        SELECT n, 1 + (n - 1) % $3::int AS c, DATE '${AS_OF}' - (n % 120)::int AS due_date, DATE '${AS_OF}' - (n % 120)::int - 30 AS document_date,
               (10000 + (n::bigint * 7919) % 5000000) AS amount_minor FROM generate_series($1::int, $2::int) n`, [first, last, customers]);
      await sql.query(`INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date, currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
        SELECT $1, ${id(2, 'n')}, 'invoice', 'debit', 'INV-' || lpad(n::text, 8, '0'), ${id(1, 'c')}, document_date, document_date, due_date, 'CNY', amount_minor, 1, amount_minor, 'bench', 'bench' FROM bench_items`, [tenantId]);
      await sql.query(`INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date)
        SELECT $1, ${id(3, 'n')}, ${id(2, 'n')}, ${id(1, 'c')}, 1, 'debit', 'CNY', amount_minor, due_date FROM bench_items`, [tenantId]);
      await sql.query(`INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
        SELECT $1, ${id(3, 'n')}, ${id(1, 'c')}, amount_minor, amount_minor, 'debit', 'CNY', document_date, due_date, 'invoice' FROM bench_items`, [tenantId]);
    });
    process.stdout.write(`\r  loading: ${last.toLocaleString('en-US')} of ${items.toLocaleString('en-US')} items`);
  }
  console.log('');
  if (!usePglite) await db.execute('VACUUM ANALYZE');
}

async function main() {
  const { db, drop } = await open();
  try {
    const tenant = await createTenant(db, { code: 'BENCHDUN', name: '催收基准测试有限公司', currency: 'CNY', timeZone: 'Asia/Shanghai' });
    const ctx: Context = { db: profile ? profiled(db) : db, tenant, clock: { now: () => new Date(`${AS_OF}T04:00:00Z`) }, actor: 'bench' };
    let started = performance.now();
    await load(db, tenant.id);
    console.log(`  loaded ${customers.toLocaleString('en-US')} customers and ${items.toLocaleString('en-US')} open items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const language of ['zh-CN', 'en'] as const) {
      await saveTemplate(ctx, { key: 'remind', language, subject: '{{reference}} {{customer.name}}', body: '{{contact.name}}:\n{{#items}}{{document}} {{dueDate}} {{daysOverdue}} {{currency}} {{open}}\n{{/items}}{{#totals}}{{currency}} {{total}}\n{{/totals}}{{bank.name}} {{bank.account}}' });
    }
    await saveStrategy(ctx, {
      code: 'standard', name: 'Standard', isDefault: true,
      steps: [-3, 7, 21, 35, 60].map((offsetDays, i) => ({ offsetDays, channel: (['email', 'email', 'sms', 'letter', 'call_task'] as const)[i]!, templateKey: 'remind' })),
    });
    const peak = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`;
    // The Node process's own CPU time in a run: the rest of the wall time it waits for the database.
    let cpu = process.cpuUsage();
    let databaseCpu = databaseCpuSeconds(databaseName);
    let machineCpu = machineCpuSeconds();
    // Per run: this process's CPU, its database backends', and what the rest of the machine used meanwhile (other
    // work competing for the cores, and PostgreSQL's WAL writer and checkpointer; the load average lags a minute).
    const cpuSeconds = () => {
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const nodeSeconds = (used.user + used.system) / 1e6;
      const databaseNow = databaseCpuSeconds(databaseName);
      const machineNow = machineCpuSeconds();
      const databaseSeconds = databaseNow !== null && databaseCpu !== null ? databaseNow - databaseCpu : null;
      const database = databaseSeconds !== null ? `, postgres cpu ${databaseSeconds.toFixed(1)} s` : '';
      const others = machineNow !== null && machineCpu !== null ? `, rest of the machine ${(machineNow - machineCpu - nodeSeconds - (databaseSeconds ?? 0)).toFixed(1)} s` : '';
      databaseCpu = databaseNow;
      machineCpu = machineNow;
      return `node cpu ${nodeSeconds.toFixed(1)} s${database}${others}, load ${os.loadavg()[0]!.toFixed(1)}`;
    };
    timings.clear();
    cpuSeconds();
    started = performance.now();
    const dry = await runDunning(ctx, { asOf: AS_OF, dryRun: true });
    const drySeconds = (performance.now() - started) / 1000;
    printTimings('dry run');
    console.log(`  dry run: ${dry.messages.toLocaleString('en-US')} messages, ${dry.items.toLocaleString('en-US')} items in ${drySeconds.toFixed(1)} s (${cpuSeconds()}, rss ${peak()})`);
    started = performance.now();
    const real = await runDunning(ctx, { asOf: AS_OF });
    const realSeconds = (performance.now() - started) / 1000;
    const [outbox] = await db.tenant(tenant.id, (sql) => sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM dunning_outbox WHERE tenant_id = $1`, [tenant.id]));
    printTimings('real run');
    console.log(`  real run: ${real.messages.toLocaleString('en-US')} messages (${outbox!.n} in the outbox), ${real.items.toLocaleString('en-US')} items in ${realSeconds.toFixed(1)} s (${cpuSeconds()}, rss ${peak()})`);
    started = performance.now();
    const again = await runDunning(ctx, { asOf: AS_OF });
    const againSeconds = (performance.now() - started) / 1000;
    printTimings('same day again');
    console.log(`  same day again: ${again.messages} messages in ${againSeconds.toFixed(1)} s (${cpuSeconds()})`);
  } finally {
    await drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
