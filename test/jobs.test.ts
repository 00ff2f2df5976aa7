import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobs, type Jobs } from '../src/jobs/index.ts';
import { importRows } from '../src/modules/imports/service.ts';
import type { CustomerRow, ImportRow, RowResult } from '../src/modules/imports/rows.ts';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

let test: TestDatabase;
let jobs: Jobs;

beforeAll(async () => {
  test = await openTestDatabase();
  jobs = await startJobs(test.db, { clock: { now: () => new Date('2026-06-30T04:00:00Z') }, work: false });
});
afterAll(async () => {
  await jobs?.stop();
  await test?.drop();
});

const rows = (list: CustomerRow[]) => () => (async function* () {
  for (const row of list) yield { ok: true, row } as RowResult<ImportRow>;
})();

const queued = () => test.db.system((sql) => sql.query<{ name: string; data: { tenantId: string } }>(`SELECT name, data FROM pgboss.job WHERE name = 'ledger.verify'`));

describe('jobs enqueued with the change', () => {
  it('an import enqueues its ledger check in its own transaction', async () => {
    const ctx = { ...contextFor(test.db, await makeTenant(test.db)), jobs };
    await importRows(ctx, 'customers', rows([{ line: 2, code: 'A1', name: 'Alpha' }]));
    expect((await queued()).map((j) => j.data.tenantId)).toEqual([ctx.tenant.id]);
  });

  it('an import that is rolled back leaves no job behind', async () => {
    const ctx = { ...contextFor(test.db, await makeTenant(test.db)), jobs };
    await importRows(ctx, 'customers', rows([{ line: 2, code: 'B1', name: 'Beta' }]));
    await importRows(ctx, 'invoices', rows([{ line: 2, number: 'I1', customerCode: 'B1', documentDate: '2026-03-01', amount: '100.00' }] as never));
    const before = (await queued()).length;
    // I1 comes back with another amount: found while writing, so I2 (written first in the batch) and the job roll back.
    await expect(importRows(ctx, 'invoices', rows([
      { line: 2, number: 'I2', customerCode: 'B1', documentDate: '2026-03-02', amount: '50.00' },
      { line: 3, number: 'I1', customerCode: 'B1', documentDate: '2026-03-01', amount: '200.00' },
    ] as never))).rejects.toMatchObject({ code: 'IMPORT_REJECTED', details: [expect.objectContaining({ line: 3, column: 'amount' })] });
    expect((await queued()).length).toBe(before);
    const numbers = await test.db.tenant(ctx.tenant.id, (sql) => sql.query<{ number: string }>('SELECT number FROM documents ORDER BY number'));
    expect(numbers.map((n) => n.number)).toEqual(['I1']);
  });

  it('the server side runs the check and audits what it found', async () => {
    const worker = await startJobs(test.db, { clock: { now: () => new Date('2026-06-30T04:00:00Z') }, work: true });
    try {
      const ctx = { ...contextFor(test.db, await makeTenant(test.db)), jobs: worker };
      await importRows(ctx, 'customers', rows([{ line: 2, code: 'W1', name: 'Worker test' }]));
      let state = '';
      for (let i = 0; i < 60 && state !== 'completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const [job] = await test.db.system((sql) => sql.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'ledger.verify' AND data->>'tenantId' = $1`, [ctx.tenant.id]));
        state = job?.state ?? '';
      }
      expect(state).toBe('completed');
      // A clean ledger leaves no failure in the audit trail.
      const failures = await test.db.tenant(ctx.tenant.id, (sql) => sql.query(`SELECT 1 FROM audit_log WHERE action = 'ledger.verify.failed'`));
      expect(failures).toEqual([]);
    } finally {
      await worker.stop();
    }
  });
});
