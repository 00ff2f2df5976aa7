/**
 * The hand-written migrations and the drizzle schema (src/db/schema.ts) describe the same tables: after migrating,
 * every table the schema declares exists with exactly the columns it declares, of the same nullability. A migration
 * and a schema change made apart (as when parallel work is merged) fail here rather than at a user's first query.
 */
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.ts';
import { openTestDatabase, type TestDatabase } from './support.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable).map((table) => getTableConfig(table));

describe('the migrations build what the schema declares', () => {
  it('declares tables (a sanity check of the reading itself)', () => {
    expect(tables.length).toBeGreaterThan(50);
    expect(tables.map((c) => c.name)).toContain('customers');
  });

  it('every declared table has exactly the declared columns, nullable as declared', async () => {
    const rows = await t.db.system((sql) => sql.query<{ table: string; column: string; nullable: string }>(
      `SELECT table_name AS table, column_name AS column, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = 'public'`));
    const inDatabase = new Map<string, Map<string, boolean>>();
    for (const r of rows) {
      if (!inDatabase.has(r.table)) inDatabase.set(r.table, new Map());
      inDatabase.get(r.table)!.set(r.column, r.nullable === 'YES');
    }
    const problems: string[] = [];
    for (const config of tables) {
      const columns = inDatabase.get(config.name);
      if (!columns) {
        problems.push(`${config.name}: no such table after the migrations`);
        continue;
      }
      const declared = new Map(config.columns.map((c) => [c.name, !c.notNull && !c.primary]));
      for (const [name, nullable] of declared) {
        if (!columns.has(name)) problems.push(`${config.name}.${name}: declared, not in the database`);
        else if (columns.get(name) !== nullable) problems.push(`${config.name}.${name}: declared ${nullable ? 'nullable' : 'not null'}, the database says otherwise`);
      }
      for (const name of columns.keys()) if (!declared.has(name)) problems.push(`${config.name}.${name}: in the database, not declared`);
    }
    expect(problems).toEqual([]);
  });
});
