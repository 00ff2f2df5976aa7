/**
 * The bad-debt provision on a real database (both engines): both methods on a small ledger, a run's movement with a
 * write-off and a recovery, superseding a run, the journal, and the API. Every figure is worked out by hand below.
 *
 * Ledger (CNY), buckets current, 1-30, 31-60, over-60 (limits 30,60):
 *   C1 (no segment): INV-1 1,000.00 due 2026-01-01; INV-5 1,500.00 due 2026-01-31, paid 2026-02-10 (PAY-2);
 *                    INV-2 500.00 due 2026-03-01.
 *   C2 (segment gov): INV-3 2,000.00 due 2026-02-01, 800.00 paid 2026-03-10 (PAY-1); INV-4 300.00 due 2026-04-14.
 * Balances at the month-ends:
 *   2025-12-31: current 1,000 (INV-1 due tomorrow)
 *   2026-01-31: current 3,500 (INV-3 2,000 + INV-5 1,500 due today); 1-30 1,000 (INV-1, 30 days)
 *   2026-02-28: current 500 (INV-2); 1-30 2,000 (INV-3, 27 days); 31-60 1,000 (INV-1, 58 days); INV-5 paid
 *   2026-03-31: current 300 (INV-4); 1-30 500 (INV-2, 30 days); 31-60 1,200 (INV-3, 58 days); over-60 1,000 (INV-1, 89 days)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { getRun, listRuns, previewProvision, recordRecovery, runProvision, setProvisionSettings, type ProvisionSettings } from '../src/modules/provision/index.ts';
import { journalOf } from '../src/modules/provision/journal.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

const SETTINGS: ProvisionSettings = {
  buckets: '30,60',
  rates: { current: '1', '1-30': '5', '31-60': '20', 'over-60': '50' },
  segments: { gov: { current: '0', '1-30': '1', '31-60': '5', 'over-60': '10' } },
  ecl: { months: 3, factor: '1.1', buckets: '30,60' },
  accounts: { impairmentLoss: { code: '6702', name: '信用减值损失' }, allowance: { code: '1231', name: '坏账准备' } },
};

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'PROV' });
  ctx = contextFor(t.db, tenant, CLOCK);
  await createCustomer(ctx, { code: 'C1', name: '华东机电' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', segment: 'gov' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  await post({ kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2025-12-01', dueDate: '2026-01-01', amount: '1000.00' });
  await post({ kind: 'invoice', number: 'INV-5', customer: 'C1', documentDate: '2026-01-05', dueDate: '2026-01-31', amount: '1500.00' });
  await post({ kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-02-10', amount: '1500.00', appliesTo: [{ document: 'INV-5' }] });
  await post({ kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-02-01', dueDate: '2026-03-01', amount: '500.00' });
  await post({ kind: 'invoice', number: 'INV-3', customer: 'C2', documentDate: '2026-01-10', dueDate: '2026-02-01', amount: '2000.00' });
  await post({ kind: 'payment', number: 'PAY-1', customer: 'C2', documentDate: '2026-03-10', amount: '800.00', appliesTo: [{ document: 'INV-3' }] });
  await post({ kind: 'invoice', number: 'INV-4', customer: 'C2', documentDate: '2026-03-15', dueDate: '2026-04-14', amount: '300.00' });
  await setProvisionSettings(ctx, SETTINGS);
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const preview = (asOf: string, method: 'aging' | 'ecl') => t.db.tenant(ctx.tenant.id, (sql) => previewProvision(ctx, sql, { asOf, method }));

describe('provision', () => {
  it('by the aging method applies the default rates, and the segment\'s set to its customers', async () => {
    const r = await preview('2026-03-31', 'aging');
    // C1 (default): 1-30 500.00 × 5% = 25.00; over-60 1,000.00 × 50% = 500.00 → 525.00
    // C2 (gov): current 300.00 × 0% = 0.00; 31-60 1,200.00 × 5% = 60.00 → 60.00
    expect(r.customers.map((c) => [c.customer, c.balance, c.allowance])).toEqual([['C1', '1500.00', '525.00'], ['C2', '1500.00', '60.00']]);
    expect(r.customers[1]!.buckets['31-60']).toEqual({ balance: '1200.00', rate: '5', allowance: '60.00' });
    expect(r.totals).toEqual({ balance: '3000.00', allowance: '585.00' });
    expect(r.byBucket.find((b) => b.bucket === 'over-60')).toEqual({ bucket: 'over-60', balance: '1000.00', rate: '50', allowance: '500.00' });
    // The first run: nothing before it, so opening 0 and the whole allowance is charged.
    expect(r.movement).toMatchObject({ previousRun: null, opening: '0.00', charge: '585.00', closing: '585.00' });
  });

  it('by ECL derives roll rates from the month-ends, chains them to the last bucket and applies the factor', async () => {
    const r = await preview('2026-03-31', 'ecl');
    const m = r.matrix!;
    expect(m.rollRates.map((x) => [x.from, x.sumFrom, x.sumTo, x.fraction])).toEqual([
      // current → 1-30: (1,000 + 2,000 + 500) / (1,000 + 3,500 + 500) = 3,500 / 5,000 = 7/10
      ['current', '5000.00', '3500.00', '7/10'],
      // 1-30 → 31-60: (0 + 1,000 + 1,200) / (0 + 1,000 + 2,000) = 2,200 / 3,000 = 11/15
      ['1-30', '3000.00', '2200.00', '11/15'],
      // 31-60 → over-60: (0 + 0 + 1,000) / (0 + 0 + 1,000) = 1
      ['31-60', '1000.00', '1000.00', '1/1'],
    ]);
    expect(m.rollRates[0]!.steps[1]).toEqual({ monthEnd: '2026-01-31', nextMonthEnd: '2026-02-28', from: '3500.00', to: '2000.00', rate: '57.1429' });
    expect(m.lossRates.map((l) => [l.bucket, l.historical, l.rate])).toEqual([
      // current: 7/10 × 11/15 × 1 = 77/150 = 51.3333%; × 1.1 = 847/1500 = 56.4667%
      ['current', '51.3333', '56.4667'],
      // 1-30: 11/15 = 73.3333%; × 1.1 = 121/150 = 80.6667%
      ['1-30', '73.3333', '80.6667'],
      // 31-60: 1 × 1.1 capped at 100%; over-60: terminal, 100%
      ['31-60', '100', '100'],
      ['over-60', '100', '100'],
    ]);
    // C1: 1-30 500.00 × 121/150 = 403.333… → 403.33; over-60 1,000.00 × 1 = 1,000.00 → 1,403.33
    // C2: current 300.00 × 847/1500 = 169.40; 31-60 1,200.00 × 1 → 1,369.40. Total 2,772.73 = the sum of the lines.
    expect(r.customers.map((c) => [c.customer, c.allowance])).toEqual([['C1', '1403.33'], ['C2', '1369.40']]);
    expect(r.totals.allowance).toBe('2772.73');
  });

  it('records runs, and the next run\'s movement shows a write-off as utilisation and a recovery', async () => {
    const march = await runProvision(ctx, { asOf: '2026-03-31', method: 'aging' });
    expect([march.allowance, march.charge]).toEqual(['585.00', '585.00']);
    // C1's INV-1 (1,000.00) written off on 04-20; 200.00 of it recovered on 05-10.
    await postDocument(ctx, { kind: 'write_off', number: 'WO-1', customer: 'C1', documentDate: '2026-04-20', amount: '1000.00', appliesTo: [{ document: 'INV-1' }] });
    const recovery = await recordRecovery(ctx, { writeOff: 'WO-1', amount: '200.00', date: '2026-05-10' });
    expect(recovery).toMatchObject({ customer: 'C1', amount: '200.00', leftToRecover: '800.00' });
    await expect(recordRecovery(ctx, { writeOff: 'WO-1', amount: '800.01', date: '2026-05-11' })).rejects.toMatchObject({ code: 'RECOVERY_TOO_LARGE' });

    const may = await runProvision(ctx, { asOf: '2026-05-31', method: 'aging' });
    // At 05-31: C1 INV-2 500.00 (91 days) over-60 × 50% = 250.00 (INV-1 written off; the recovery's debit note is paid).
    // C2 (gov): INV-3 1,200.00 (119 days) over-60 × 10% = 120.00; INV-4 300.00 (47 days) 31-60 × 5% = 15.00 → 135.00.
    expect(may.allowance).toBe('385.00');
    // charge = closing − opening + utilised − recovered = 385.00 − 585.00 + 1,000.00 − 200.00 = 600.00
    expect(may.report.movement).toMatchObject({ previousRun: { id: march.id }, opening: '585.00', utilised: '1000.00', recovered: '200.00', closing: '385.00', charge: '600.00' });
    // C1: 250.00 − 525.00 + 1,000.00 − 200.00 = 525.00; C2: 135.00 − 60.00 = 75.00
    expect(may.report.movement.customers.map((c) => [c.customer, c.opening, c.utilised, c.recovered, c.closing, c.charge])).toEqual([
      ['C1', '525.00', '1000.00', '200.00', '250.00', '525.00'],
      ['C2', '60.00', '0.00', '0.00', '135.00', '75.00'],
    ]);

    const journal = await t.db.tenant(ctx.tenant.id, (sql) => journalOf(ctx, sql, may.id));
    expect(journal.lines.map((l) => [l.accountCode, l.customerCode, l.debit, l.credit])).toEqual([
      ['6702', 'C1', '525.00', ''], ['1231', 'C1', '', '525.00'], ['6702', 'C2', '75.00', ''], ['1231', 'C2', '', '75.00'],
    ]);
    expect(journal.totalDebit).toBe('600.00');
  });

  it('keeps runs as records: a period\'s run is replaced only by superseding it with a reason, and runs go forward', async () => {
    const before = await t.db.tenant(ctx.tenant.id, (sql) => listRuns(ctx, sql, {}));
    const may = before.items.find((r) => r.periodEnd === '2026-05-31')!;
    await expect(runProvision(ctx, { asOf: '2026-05-31', method: 'ecl' })).rejects.toMatchObject({ code: 'PROVISION_RUN_EXISTS' });
    await expect(runProvision(ctx, { asOf: '2026-04-30', method: 'aging' })).rejects.toMatchObject({ code: 'PROVISION_RUN_LATER' });
    await expect(runProvision(ctx, { asOf: '2026-07-31', method: 'aging' })).rejects.toMatchObject({ code: 'PROVISION_IN_FUTURE' });
    const again = await runProvision(ctx, { asOf: '2026-05-31', method: 'aging', supersedes: may.id, reason: 'segment of C2 corrected' });
    expect(again.supersedes).toBe(may.id);
    // Same ledger, same method: the same allowance; the movement still starts from the March run.
    expect(again.report.movement).toMatchObject({ opening: '585.00', charge: '600.00' });
    const old = await t.db.tenant(ctx.tenant.id, (sql) => getRun(ctx, sql, may.id));
    expect(old.supersededBy).toBe(again.id);
    await expect(t.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE provision_runs SET reason = 'x' WHERE id = $1`, [may.id]))).rejects.toThrow(/append-only|permission/);
  });

  it('serves the API: settings validated and audited, runs idempotent, journal as CSV and XLSX, permissions held', async () => {
    const app = await buildServer({ db: t.db, clock: CLOCK });
    try {
      const admin = await adminToken(ctx);
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      const bad = await app.inject({ method: 'PUT', url: '/api/v1/provision/settings', headers: auth(admin), payload: { ...SETTINGS, rates: { ...SETTINGS.rates, '1-30': '120' } } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('rates.1-30');
      const put = await app.inject({ method: 'PUT', url: '/api/v1/provision/settings', headers: auth(admin), payload: { ...SETTINGS, rates: { ...SETTINGS.rates, current: '2' } } });
      expect(put.statusCode).toBe(200);
      const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ before: { rates: { current: string } }; after: { rates: { current: string } } }>(
        `SELECT before, after FROM audit_log WHERE tenant_id = $1 AND action = 'provision.settings' ORDER BY id DESC LIMIT 1`, [ctx.tenant.id]));
      expect([audit[0]!.before.rates.current, audit[0]!.after.rates.current]).toEqual(['1', '2']);

      const body = { asOf: '2026-06-30', method: 'aging' };
      const first = await app.inject({ method: 'POST', url: '/api/v1/provision/runs', headers: { ...auth(admin), 'idempotency-key': 'june-run' }, payload: body });
      const twin = await app.inject({ method: 'POST', url: '/api/v1/provision/runs', headers: { ...auth(admin), 'idempotency-key': 'june-run' }, payload: body });
      expect(first.statusCode).toBe(201);
      expect(twin.json().id).toBe(first.json().id);
      const runs = await app.inject({ method: 'GET', url: '/api/v1/provision/runs', headers: auth(admin) });
      expect(runs.json().items.filter((r: { periodEnd: string }) => r.periodEnd === '2026-06-30')).toHaveLength(1);

      const csv = await app.inject({ method: 'GET', url: `/api/v1/provision/runs/${first.json().id}/journal?format=csv`, headers: auth(admin) });
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.body.split('\r\n')[0]).toBe('\ufeffdate,voucher,line,account_code,account_name,customer_code,customer_name,debit,credit,memo');
      const xlsx = await app.inject({ method: 'GET', url: `/api/v1/provision/runs/${first.json().id}/journal?format=xlsx`, headers: auth(admin) });
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(book.getWorksheet('journal')!.rowCount).toBe(csv.body.trimEnd().split('\r\n').length);

      const collector = await adminToken(ctx, 'collector');
      expect((await app.inject({ method: 'GET', url: '/api/v1/provision/preview?asOf=2026-03-31', headers: auth(collector) })).statusCode).toBe(403);
      const auditor = await adminToken(ctx, 'auditor');
      expect((await app.inject({ method: 'GET', url: '/api/v1/provision/preview?asOf=2026-03-31&method=ecl', headers: auth(auditor) })).json().totals.allowance).toBe('2772.73');
      expect((await app.inject({ method: 'POST', url: '/api/v1/provision/runs', headers: auth(auditor), payload: body })).statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('runs from the CLI: a preview table, JSON, and the settings printed and replaced from a file', async () => {
    const run = cliRunner(t.db, CLOCK, 'PROV');
    const table = await run(['provision', '--as-of', '2026-03-31', '--method', 'ecl']);
    expect(table.code).toBe(0);
    expect(table.out).toContain('2772.73');
    const json = await run(['provision', '--as-of', '2026-03-31', '--format', 'json']);
    expect(JSON.parse(json.out).totals.allowance).toBe('585.00');
    // Settings through the CLI: printed as JSON, replaced from a file (validated: 101% is refused, naming the bucket).
    const shown = JSON.parse((await run(['provision-settings'])).out) as ProvisionSettings;
    const file = path.join(os.tmpdir(), `provision-settings-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...shown, rates: { ...shown.rates, 'over-60': '101' } }));
    const refused = await run(['provision-settings', '--set', file]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('rates.over-60');
    fs.writeFileSync(file, JSON.stringify({ ...shown, rates: { ...shown.rates, 'over-60': '60' } }));
    expect((await run(['provision-settings', '--set', file])).code).toBe(0);
    // C1's over-60 1,000.00 now at 60% = 600.00 (was 500.00): total 585.00 + 100.00 = 685.00
    expect(JSON.parse((await run(['provision', '--as-of', '2026-03-31', '--format', 'json'])).out).totals.allowance).toBe('685.00');
    fs.rmSync(file);
  });
});
