/**
 * What was open at a date (src/modules/ledger/open-at.ts), the definition aging, the KPIs and statements share: rolled
 * back from today's balances, it must give exactly what the plain definition gives (each item's amount less its
 * allocations dated on or before the date, for the items dated on or before it), on a ledger with back-dated
 * postings, a reversed allocation and partial allocations, at every date, in both of its shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/domain/dates.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument, reverseAllocation } from '../src/modules/ledger/index.ts';
import { openItemsAtSql, openMovementsAtSql } from '../src/modules/ledger/open-at.ts';
import type { Context } from '../src/modules/context.ts';
import { contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'OPENAT' }), CLOCK);
  await createCustomer(ctx, { code: 'C1', name: '一号' });
  await createCustomer(ctx, { code: 'C2', name: '二号' });
  const post = (input: Parameters<typeof postDocument>[1]) => postDocument(ctx, input);
  // In posting order, which is not date order: later-dated documents first, then back-dated ones.
  await post({ kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '1000.00' });
  // Partial: 400.00 of INV-1 on 04-10.
  await post({ kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-04-10', amount: '400.00', appliesTo: [{ document: 'INV-1', amount: '400.00' }] });
  // Back-dated: a payment dated 03-15, posted after PAY-1, pays 250.00 of INV-1 and leaves 50.00 of itself unapplied.
  await post({ kind: 'payment', number: 'PAY-0', customer: 'C1', documentDate: '2026-03-15', amount: '300.00', appliesTo: [{ document: 'INV-1', amount: '250.00' }] });
  // Back-dated invoice dated 02-01, posted now.
  await post({ kind: 'invoice', number: 'INV-0', customer: 'C1', documentDate: '2026-02-01', dueDate: '2026-02-28', amount: '200.00' });
  // C2: INV-2 paid in full on 05-05, that allocation undone on 05-20, then PAY-3 applied again in part on 06-01.
  await post({ kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-04-01', dueDate: '2026-05-01', amount: '500.00' });
  const pay = await post({ kind: 'payment', number: 'PAY-3', customer: 'C2', documentDate: '2026-05-05', amount: '500.00', appliesTo: [{ document: 'INV-2' }] });
  await reverseAllocation(ctx, pay.allocations[0]!.id, { reason: 'applied in error', date: '2026-05-20' });
  await post({ kind: 'credit_note', number: 'CN-1', customer: 'C2', documentDate: '2026-06-01', amount: '120.00', appliesTo: [{ document: 'INV-2', amount: '120.00' }] });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

type Row = { number: string; open: string };

/** The plain definition: amount − allocations dated ≤ d, per item dated ≤ d, over the whole history. */
async function plain(d: string): Promise<Row[]> {
  return t.db.tenant(ctx.tenant.id, (sql) => sql.query<Row>(
    `SELECT doc.number, (i.amount_minor - coalesce((
              SELECT sum(CASE WHEN a.debit_item_id = i.id THEN a.amount_minor ELSE a.credit_amount_minor END) FROM allocations a
               WHERE a.tenant_id = $1 AND (a.debit_item_id = i.id OR a.credit_item_id = i.id) AND a.allocation_date <= $2), 0))::text AS open
       FROM items i JOIN documents doc ON doc.tenant_id = $1 AND doc.id = i.document_id
      WHERE i.tenant_id = $1 AND doc.document_date <= $2`, [ctx.tenant.id, d]))
    .then((rows) => rows.filter((r) => r.open !== '0').sort((a, b) => a.number.localeCompare(b.number)));
}

/** The shared per-item shape, with the earlier date `from` (its open_from column) as the second reading. */
async function perItem(d: string, from: string): Promise<{ at: Row[]; atFrom: Row[] }> {
  const rows = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ number: string; open: string; open_from: string }>(
    `WITH ${openItemsAtSql({ tenant: '$1', asOf: '$2', from: '$3' })}
     SELECT doc.number, o.open_minor::text AS open, o.open_from::text AS open_from
       FROM open_at o JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id JOIN documents doc ON doc.tenant_id = $1 AND doc.id = i.document_id`,
    [ctx.tenant.id, d, from]));
  const pick = (k: 'open' | 'open_from') => rows.map((r) => ({ number: r.number, open: r[k] })).filter((r) => r.open !== '0').sort((a, b) => a.number.localeCompare(b.number));
  return { at: pick('open'), atFrom: pick('open_from') };
}

/** The movements shape summed per document (every item here is its document's only one). */
async function movements(d: string): Promise<Row[]> {
  const rows = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<Row>(
    `WITH ${openMovementsAtSql({ tenant: '$1', asOf: '$2' })}
     SELECT doc.number, sum(o.open_minor)::text AS open
       FROM open_at o JOIN items i ON i.tenant_id = $1 AND i.id = o.item_id JOIN documents doc ON doc.tenant_id = $1 AND doc.id = i.document_id
      GROUP BY doc.number`, [ctx.tenant.id, d]));
  return rows.filter((r) => r.open !== '0').sort((a, b) => a.number.localeCompare(b.number));
}

describe('open at a date', () => {
  it('gives the hand-worked open amounts at chosen dates', async () => {
    // 03-20: INV-1 1,000.00 − PAY-0's 250.00 (03-15) = 750.00; PAY-0 300.00 − 250.00 = 50.00 unapplied; INV-0 200.00.
    expect(await perItem('2026-03-20', '2026-01-31').then((r) => r.at)).toEqual([
      { number: 'INV-0', open: '20000' }, { number: 'INV-1', open: '75000' }, { number: 'PAY-0', open: '5000' },
    ]);
    // 05-10: INV-1 750.00 − 400.00 (04-10) = 350.00; INV-2 500.00 paid by PAY-3 on 05-05: nothing open, PAY-3 nothing.
    // 05-25: the allocation undone on 05-20: INV-2 500.00 and PAY-3 500.00 open again.
    // 06-30: CN-1 120.00 applied to INV-2 on 06-01: INV-2 380.00; CN-1 nothing.
    const at = async (d: string) => Object.fromEntries((await perItem(d, '2026-01-31')).at.map((r) => [r.number, r.open]));
    expect(await at('2026-05-10')).toEqual({ 'INV-0': '20000', 'INV-1': '35000', 'PAY-0': '5000' });
    expect(await at('2026-05-25')).toEqual({ 'INV-0': '20000', 'INV-1': '35000', 'PAY-0': '5000', 'INV-2': '50000', 'PAY-3': '50000' });
    expect(await at('2026-06-30')).toEqual({ 'INV-0': '20000', 'INV-1': '35000', 'PAY-0': '5000', 'INV-2': '38000', 'PAY-3': '50000' });
  });

  it('equals the plain definition at every day from before the first document to today, in both shapes', async () => {
    let checked = 0;
    for (let d = '2026-01-25'; d <= '2026-06-30'; d = addDays(d, 1)) {
      const expected = await plain(d);
      // The earlier reading (open_from) 45 days back must equal the plain definition at that date too.
      const from = addDays(d, -45);
      const { at, atFrom } = await perItem(d, from);
      expect(at, d).toEqual(expected);
      expect(atFrom, `${from} (from)`).toEqual(await plain(from));
      expect(await movements(d), `${d} (movements)`).toEqual(expected);
      checked++;
    }
    expect(checked).toBe(157);
  }, 240_000);
});
