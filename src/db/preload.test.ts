/**
 * Statements that ride on BEGIN (preload) and on COMMIT (commitWith) run as prepared statements by EXECUTE: they
 * must stay under row-level security like any other statement of the transaction, return the same values, and a
 * failing last statement must roll the whole transaction back. On both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, openTestDatabase, type TestDatabase } from '../../test/support.ts';
import type { Tenant } from '../modules/tenants/index.ts';

let test: TestDatabase;
let a: Tenant;
let b: Tenant;

const numberOf = (tenant: Tenant) => test.db.tenant(tenant.id, (sql) => sql.query<{ kind: string; value: bigint }>(
  `SELECT kind, next_value AS value FROM number_sequences WHERE tenant_id = $1 ORDER BY kind`, [tenant.id]));

beforeAll(async () => {
  test = await openTestDatabase();
  a = await makeTenant(test.db);
  b = await makeTenant(test.db);
  await test.db.tenant(a.id, (sql) => sql.query(`INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, 'invoice', 9007199254740993)`, [a.id]));
});
afterAll(async () => test?.drop());

const read = (tenantId: string) => ({ text: `SELECT kind, next_value AS value FROM number_sequences WHERE tenant_id = $1 AND kind = $2`, values: [tenantId, 'invoice'] });

describe('preload and commitWith', () => {
  it('read with the same types as a query, and only the tenant of the transaction', async () => {
    // The same prepared text, run twice in each tenant's transaction: the second run uses the statement prepared by the first.
    for (let i = 0; i < 2; i++) {
      expect(await test.db.tenant(a.id, async (_sql, [own, other]) => [own, other], { preload: [read(a.id), read(b.id)] }))
        .toEqual([[{ kind: 'invoice', value: 9007199254740993n }], []]);
      // Tenant b's transaction asks for a's row by a's id: row-level security hides it.
      expect(await test.db.tenant(b.id, async (_sql, [other]) => other, { preload: [read(a.id)] })).toEqual([]);
    }
  });

  it('escape the values they carry', async () => {
    const text = `SELECT $1::text AS v`;
    const values = [`it's \\ "quoted" ; COMMIT; --`, '中文', ''];
    const got = await test.db.tenant(a.id, async (_sql, rows) => rows.map((r) => r[0]!.v), { preload: values.map((v) => ({ text, values: [v] })) });
    expect(got).toEqual(values);
  });

  it('write the last statement with the commit, and roll everything back when it fails', async () => {
    const insert = (kind: string) => ({ text: `INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, $2, 1)`, values: [b.id, kind] });
    await test.db.tenant(b.id, async (sql) => {
      await sql.query(`INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, 'payment', 5)`, [b.id]);
      sql.commitWith(insert('receipt'));
    });
    expect(await numberOf(b)).toEqual([{ kind: 'payment', value: 5n }, { kind: 'receipt', value: 1n }]);
    // The last statement fails on the primary key: the insert before it is rolled back too.
    await expect(test.db.tenant(b.id, async (sql) => {
      await sql.query(`INSERT INTO number_sequences (tenant_id, kind, next_value) VALUES ($1, 'credit_note', 7)`, [b.id]);
      sql.commitWith(insert('receipt'));
    })).rejects.toMatchObject({ code: '23505' });
    expect(await numberOf(b)).toEqual([{ kind: 'payment', value: 5n }, { kind: 'receipt', value: 1n }]);
  });
});
