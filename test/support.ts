/**
 * Test databases: PGlite in memory by default, or a fresh, uniquely named database on the PostgreSQL server in
 * DATABASE_URL (created here and dropped afterwards). Each starts migrated and empty.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/db/database.ts';
import type { Clock, Context } from '../src/modules/context.ts';
import type { Role } from '../src/domain/access.ts';
import { createTenant, type Tenant } from '../src/modules/tenants/index.ts';

export interface TestDatabase {
  db: Database;
  engine: 'pglite' | 'postgres';
  /** The PostgreSQL test database's URL, for a child process to use (absent with PGlite, which one process owns). */
  url?: string;
  drop(): Promise<void>;
}

let pgliteTemplate: Blob | undefined;

/**
 * The migrated, empty PGlite database every test file starts from, as a data-directory dump. Each test file runs in
 * its own module registry, so it is kept on disk too, keyed by the migrations' contents: making it (start PGlite, run
 * the migrations, dump) takes several seconds, loading it one or two. Written under a temporary name and renamed, so
 * two workers making it at once never read half a file.
 */
async function migratedTemplate(): Promise<Blob> {
  if (pgliteTemplate) return pgliteTemplate;
  const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'db', 'migrations');
  const hash = createHash('sha256');
  for (const name of [...fs.readdirSync(migrations), ...fs.readdirSync(path.join(migrations, 'meta')).map((n) => `meta/${n}`)].sort()) {
    const file = path.join(migrations, name);
    if (fs.statSync(file).isFile()) hash.update(name).update(fs.readFileSync(file));
  }
  const cached = path.join(os.tmpdir(), `arflow-test-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  if (fs.existsSync(cached)) {
    pgliteTemplate = new Blob([fs.readFileSync(cached)]);
    return pgliteTemplate;
  }
  const seed = await openPglite();
  await seed.migrate();
  pgliteTemplate = (await seed.client.dumpDataDir('none')) as Blob;
  await seed.close();
  const partial = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(partial, Buffer.from(await pgliteTemplate.arrayBuffer()));
  fs.renameSync(partial, cached);
  return pgliteTemplate;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openPglite({ loadDataDir: await migratedTemplate() });
    return { db, engine: 'pglite', drop: () => db.close() };
  }
  const name = `arflow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString(), 20);
  await db.migrate();
  return {
    db,
    engine: 'postgres',
    url: target.toString(),
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A clock stopped at `iso` (tests never read the wall clock). */
export function fixedClock(iso: string): Clock {
  return { now: () => new Date(iso) };
}

let tenantCounter = 0;

export async function makeTenant(db: Database, overrides: Partial<{ code: string; currency: string; timeZone: string }> = {}): Promise<Tenant> {
  tenantCounter += 1;
  return createTenant(db, { code: overrides.code ?? `T${tenantCounter}`, name: `Test company ${tenantCounter}`, currency: overrides.currency ?? 'CNY', timeZone: overrides.timeZone ?? 'Asia/Shanghai' });
}

export function contextFor(db: Database, tenant: Tenant, clock = fixedClock('2026-06-30T04:00:00Z'), actor = 'test'): Context {
  return { db, tenant, clock, actor };
}

/** Creates an administrator in the context's tenant and returns an API token for them (for tests that act as one). */
export async function adminToken(ctx: Context, role: Role = 'admin'): Promise<string> {
  const { createUser, createApiToken } = await import('../src/modules/access/index.ts');
  const n = ++tokenCounter;
  const { user } = await createUser(ctx, { email: `admin${n}.${ctx.tenant.code.toLowerCase()}@test.example`, name: `Admin ${n}`, role: 'admin', password: 'a long test password' });
  const { token } = await createApiToken(ctx, { tenantId: ctx.tenant.id, userId: user.id, actor: user.email, name: user.name, role: 'admin', handle: user.handle, via: 'session' }, { name: `test-${n}`, role });
  return token;
}
let tokenCounter = 0;

/** Each page's text of a PDF (pdf.js), its pieces joined by spaces: what a test reads a printed document by. */
export async function pdfText(pdf: Buffer): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  return pages;
}

/** What a document has open over all its items, in minor units (its number is unique across kinds in these tests). */
export async function openMinorOf(ctx: Context, number: string): Promise<bigint> {
  const [row] = await ctx.db.tenant(ctx.tenant.id, (sql) => sql.query<{ open: bigint | string | null }>(
    `SELECT sum(b.open_minor)::bigint AS open FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
     JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id WHERE b.tenant_id = $1 AND d.number = $2`, [ctx.tenant.id, number]));
  return BigInt(row?.open ?? 0);
}

/**
 * Runs `arflow ARGV` in-process against the test database as tenant `tenant`, collecting what it prints (out and err
 * each joined by newlines). The environment is `USER=tester` and `ARFLOW_TENANT=tenant`, then `env`, then the call's
 * own `callEnv`, each later one overriding.
 */
export function cliRunner(db: Database, clock: Clock, tenant: string, env: Record<string, string> = {}) {
  return async (argv: string[], callEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> => {
    const { runCli } = await import('../src/cli/main.ts');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { io: { out: (x) => out.push(x), err: (x) => err.push(x), interactive: false }, clock, env: { USER: 'tester', ARFLOW_TENANT: tenant, ...env, ...callEnv }, db });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}
