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

  it('keeps, for every allocation, its two moves with its items\' facts as the documents state them', async () => {
    // A second company: an import-like posting that applies one payment to two invoices (the several-rows write),
    // dated differently from the ledger above, beside the single-allocation and reversal writes of that ledger.
    const other = contextFor(t.db, await makeTenant(t.db, { code: 'OPENAT2' }), CLOCK);
    await createCustomer(other, { code: 'K1', name: '甲' });
    await postDocument(other, { kind: 'invoice', number: 'A-1', customer: 'K1', documentDate: '2026-01-10', dueDate: '2026-02-09', amount: '100.00' });
    await postDocument(other, { kind: 'invoice', number: 'A-2', customer: 'K1', documentDate: '2026-01-20', dueDate: '2026-03-01', amount: '70.00' });
    await postDocument(other, { kind: 'payment', number: 'P-1', customer: 'K1', documentDate: '2026-03-05', amount: '150.00',
      appliesTo: [{ document: 'A-1', amount: '100.00' }, { document: 'A-2', amount: '50.00' }] });
    // From items and documents, not from the balances the trigger copies: what each move must say.
    const expected = (c: Context) => t.db.tenant(c.tenant.id, (sql) => sql.query<Record<string, string>>(
      `SELECT a.id::text AS allocation, x.side, x.number, x.customer_id::text AS customer, x.kind, x.currency, x.document_date::text AS document_date,
              x.due_date::text AS due_date, a.allocation_date::text AS move_date, x.amount::text AS amount, x.counter_kind, coalesce(a.reverses_allocation_id::text, '') AS reverses
         FROM allocations a
         JOIN items di ON di.tenant_id = a.tenant_id AND di.id = a.debit_item_id JOIN documents dd ON dd.tenant_id = a.tenant_id AND dd.id = di.document_id
         JOIN items ci ON ci.tenant_id = a.tenant_id AND ci.id = a.credit_item_id JOIN documents cd ON cd.tenant_id = a.tenant_id AND cd.id = ci.document_id
        CROSS JOIN LATERAL (VALUES
          ('debit', dd.number, di.customer_id, dd.kind, di.currency, dd.document_date, coalesce(di.due_date, dd.due_date, dd.document_date), a.amount_minor, cd.kind),
          ('credit', cd.number, ci.customer_id, cd.kind, ci.currency, cd.document_date, coalesce(ci.due_date, cd.due_date, cd.document_date), a.credit_amount_minor, dd.kind)
        ) AS x(side, number, customer_id, kind, currency, document_date, due_date, amount, counter_kind)
        ORDER BY 1, 2`, [])) ;
    const stored = (c: Context) => t.db.tenant(c.tenant.id, (sql) => sql.query<Record<string, string>>(
      `SELECT m.allocation_id::text AS allocation, m.side, doc.number, m.customer_id::text AS customer, m.kind, m.currency, m.document_date::text AS document_date,
              m.due_date::text AS due_date, m.move_date::text AS move_date, m.amount_minor::text AS amount, m.counter_kind, coalesce(m.reverses_allocation_id::text, '') AS reverses
         FROM item_moves m JOIN items i ON i.tenant_id = m.tenant_id AND i.id = m.item_id JOIN documents doc ON doc.tenant_id = m.tenant_id AND doc.id = i.document_id
        ORDER BY 1, 2`, []));
    for (const c of [ctx, other]) expect(await stored(c)).toEqual(await expected(c));
    // By hand: the first ledger has 5 allocations (PAY-1, PAY-0, PAY-3, its reversal, CN-1), the second 2; two moves each.
    expect((await stored(ctx)).length).toBe(10);
    const second = await stored(other);
    expect(second.filter((m) => m.side === 'debit').map((m) => [m.number, m.amount, m.due_date, m.counter_kind]).sort())
      .toEqual([['A-1', '10000', '2026-02-09', 'payment'], ['A-2', '5000', '2026-03-01', 'payment']]);
    // The reversal's moves carry the negated amounts and point at the allocation they undo.
    const reversal = (await stored(ctx)).filter((m) => m.reverses !== '');
    expect(reversal.map((m) => [m.side, m.number, m.amount, m.move_date]).sort())
      .toEqual([['credit', 'PAY-3', '-50000', '2026-05-20'], ['debit', 'INV-2', '-50000', '2026-05-20']]);
  });
});
