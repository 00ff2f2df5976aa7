/**
 * Collector targets and the effectiveness report on a real database (both engines). Figures worked out by hand.
 *
 * Company ACME (CNY); today 2026-07-31. Collectors wang (C1) and zhao (C2).
 *   C1: INV-1 10,000.00 dated 05-10 due 06-09; INV-2 5,000.00 dated 06-05 due 07-05; PAY-1 6,000.00 on 06-15 to INV-1.
 *   C2: INV-3 2,000.00 dated 06-01 due 06-10; PAY-2 2,000.00 on 07-02 to INV-3.
 * June for wang: collected 6,000.00 (target 8,000.00 → 75.0%).
 *   CEI = (beginning 10,000.00 + sales 5,000.00 − ending 9,000.00) ÷ (10,000.00 + 5,000.00 − ending current 5,000.00)
 *       = 6,000.00 ÷ 10,000.00 = 60.00%.
 * June for zhao: collected 0.00; CEI = (0 + 2,000.00 − 2,000.00) ÷ (0 + 2,000.00 − 0) = 0.00%.
 * Activities in June: wang→C1 06-10 promised (PAY-1 5 days later: within 7 and 30); zhao→C2 06-01 no answer (PAY-2
 *   31 days later: neither); zhao→C2 06-05 reached (PAY-2 27 days later: within 30 only).
 *   Totals: within 7: 1 of 3 = 33.3%; within 30: 2 of 3 = 66.7%.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/access.ts';
import { AppError } from '../src/domain/errors.ts';
import { createUser } from '../src/modules/access/index.ts';
import { recordActivity } from '../src/modules/collections/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { effectivenessReport, setTarget, targetsReport } from '../src/modules/targets/index.ts';
import { cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

let t: TestDatabase;
let ctx: Context;
const on = (date: string): Context => ({ ...ctx, clock: fixedClock(`${date}T04:00:00Z`) });
const as = (role: Role, handle: string, date = '2026-07-31'): Context => ({
  ...on(date), actor: `${handle}@acme.cn`, principal: { tenantId: ctx.tenant.id, userId: null, actor: `${handle}@acme.cn`, name: handle, role, handle, via: 'session' },
});
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof AppError ? `${e.kind} ${e.code}` : String(e)));
const read = <T>(c: Context, fn: (sql: Parameters<Parameters<Context['db']['tenant']>[1]>[0]) => Promise<T>) => t.db.tenant(ctx.tenant.id, fn);

beforeAll(async () => {
  t = await openTestDatabase();
  const tenant = await makeTenant(t.db, { code: 'ACME' });
  ctx = contextFor(t.db, tenant, fixedClock('2026-07-31T04:00:00Z'));
  for (const handle of ['wang', 'zhao']) await createUser(ctx, { email: `${handle}@acme.cn`, name: handle.toUpperCase(), handle, role: 'collector', password: 'a long test password' });
  await createCustomer(ctx, { code: 'C1', name: '华东机电', collector: 'wang' });
  await createCustomer(ctx, { code: 'C2', name: '市政工程', collector: 'zhao' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-05-10', dueDate: '2026-06-09', amount: '10000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-06-05', dueDate: '2026-07-05', amount: '5000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C2', documentDate: '2026-06-01', dueDate: '2026-06-10', amount: '2000.00' });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-06-15', amount: '6000.00', appliesTo: [{ document: 'INV-1' }] });
  await postDocument(ctx, { kind: 'payment', number: 'PAY-2', customer: 'C2', documentDate: '2026-07-02', amount: '2000.00', appliesTo: [{ document: 'INV-3' }] });
  await recordActivity(as('collector', 'wang', '2026-06-10'), { customer: 'C1', outcome: 'promised', contact: 'Mr Zhou' });
  await recordActivity(as('collector', 'zhao', '2026-06-01'), { customer: 'C2', outcome: 'no_answer' });
  await recordActivity(as('collector', 'zhao', '2026-06-05'), { customer: 'C2', outcome: 'reached' });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('collector targets', () => {
  it('sets a month\'s targets (audited, replaceable) and refuses an unknown collector', async () => {
    expect(await setTarget(ctx, { collector: 'wang', month: '2026-06', collected: '7000.00' })).toMatchObject({ collected: '7000.00', cei: null });
    expect(await setTarget(ctx, { collector: 'wang', month: '2026-06', collected: '8000.00', cei: '85.00' })).toEqual({ collector: 'wang', month: '2026-06', collected: '8000.00', cei: '85.00', currency: 'CNY' });
    expect(await codeOf(setTarget(ctx, { collector: 'nobody', month: '2026-06', collected: '1.00' }))).toBe('invalid TARGET_UNKNOWN_COLLECTOR');
    expect(await codeOf(setTarget(ctx, { collector: 'wang', month: '2026-13', collected: '1.00' }))).toBe('invalid VALIDATION_FAILED');
  });

  it('compares them with the ledger: collected and the CEI of the collector\'s customers over the month', async () => {
    const r = await read(ctx, (sql) => targetsReport(ctx, sql, { month: '2026-06' }));
    expect([r.from, r.asOf]).toEqual(['2026-06-01', '2026-06-30']);
    const row = (h: string) => r.rows.find((x) => x.collector === h)!;
    expect(row('wang')).toMatchObject({ customers: 1, targetCollected: '8000.00', collected: '6000.00', achievedPercent: '75.0', targetCei: '85.00', cei: '60.00',
      figures: { beginning: '10000.00', sales: '5000.00', ending: '9000.00', endingCurrent: '5000.00' } });
    expect(row('zhao')).toMatchObject({ targetCollected: null, collected: '0.00', achievedPercent: null, cei: '0.00' });
    // July: zhao's 2,000.00 came on 07-02.
    const july = await read(ctx, (sql) => targetsReport(ctx, sql, { month: '2026-07' }));
    expect(july.rows.find((x) => x.collector === 'zhao')!.collected).toBe('2000.00');
  });

  it('a collector sees their own row only', async () => {
    const wang = as('collector', 'wang');
    expect((await read(wang, (sql) => targetsReport(wang, sql, { month: '2026-06' }))).rows.map((x) => x.collector)).toEqual(['wang']);
    expect(await codeOf(read(wang, (sql) => targetsReport(wang, sql, { month: '2026-06', collector: 'zhao' })))).toBe('not_allowed TARGETS_OTHER_COLLECTOR');
  });
});

describe('effectiveness report', () => {
  it('per channel and outcome, the share followed by a payment within 7 and 30 days', async () => {
    const r = await read(ctx, (sql) => effectivenessReport(ctx, sql, { from: '2026-06-01', to: '2026-06-30' }));
    expect(r.rows.map((x) => `${x.channel}/${x.outcome} ${x.activities}: 7d ${x.paid7}/${x.measured7} ${x.share7} · 30d ${x.paid30}/${x.measured30} ${x.share30}`)).toEqual([
      'phone/no_answer 1: 7d 0/1 0.0 · 30d 0/1 0.0',
      'phone/promised 1: 7d 1/1 100.0 · 30d 1/1 100.0',
      'phone/reached 1: 7d 0/1 0.0 · 30d 1/1 100.0',
    ]);
    expect([r.totals.share7, r.totals.share30]).toEqual(['33.3', '66.7']);
    // Seen on 06-20, the 30-day windows had not ended: nothing measured at 30 days yet.
    const early = await read(ctx, (sql) => effectivenessReport(on('2026-06-20'), sql, { from: '2026-06-01', to: '2026-06-20' }));
    expect([early.totals.measured7, early.totals.measured30]).toEqual([3, 0]);
  });
});

describe('the command line', () => {
  it('arflow targets --month 2026-06 --format json', async () => {
    const { code, out } = await cliRunner(t.db, fixedClock('2026-07-31T04:00:00Z'), 'ACME')(['--format', 'json', 'targets', '--month', '2026-06']);
    expect(code).toBe(0);
    expect((JSON.parse(out) as { rows: { collector: string; collected: string; cei: string }[] }).rows.map((r) => `${r.collector} ${r.collected} ${r.cei}`)).toEqual(['wang 6000.00 60.00', 'zhao 0.00 0.00']);
  });
});
