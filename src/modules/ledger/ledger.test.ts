import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from '../../../test/support.ts';
import type { Context } from '../context.ts';
import { createCustomer } from '../customers/index.ts';
import { createTerms } from '../terms/index.ts';
import { setFxRate } from '../fx/index.ts';
import { applyCredit, customerBalance, getDocument, postDocument, reverseAllocation, reverseDocument, verifyAdvance, verifyLedger } from './index.ts';

let test: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  test = await openTestDatabase();
  const tenant = await makeTenant(test.db);
  ctx = contextFor(test.db, tenant);
  await createTerms(ctx, { code: 'NET30', net: 30 });
  await createTerms(ctx, { code: 'SPLIT', installments: '30@0,70@30' });
  await createCustomer(ctx, { code: 'C1', name: '上海甲公司', paymentTerms: 'NET30' });
  await createCustomer(ctx, { code: 'C2', name: 'Beta Ltd' });
});
afterAll(async () => test?.drop());

const balance = async (code: string) => (await test.db.tenant(ctx.tenant.id, (sql) => customerBalance(ctx, sql, code))).balances;
const doc = async (ref: string) => test.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, ref));

describe('posting and applying', () => {
  it('posts an invoice due by the customer terms and pays it partly', async () => {
    const inv = await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-01', amount: '1000.00' });
    // NET30 from 2026-03-01: 2026-03-31.
    expect(inv.document.dueDate).toBe('2026-03-31');
    expect(inv.document.open).toBe('1000.00');
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-03-20', amount: '600.00', appliesTo: [{ document: 'INV-1', amount: '400.00' }] });
    expect(pay.allocations.map((a) => a.amount)).toEqual(['400.00']);
    // Invoice 1000.00 - 400.00 = 600.00 open; payment 600.00 - 400.00 = 200.00 unapplied.
    expect((await doc('INV-1')).open).toBe('600.00');
    expect(pay.document.open).toBe('200.00');
    expect(await balance('C1')).toEqual([expect.objectContaining({ currency: 'CNY', receivable: '600.00', unapplied: '200.00', net: '400.00' })]);
  });

  it('splits an installment invoice and pays the oldest installment first', async () => {
    const inv = await postDocument(ctx, { kind: 'invoice', number: 'INV-2', customer: 'C2', documentDate: '2026-04-10', amount: '100.01', paymentTerms: 'SPLIT' });
    // 30% of 100.01 = 30.003 -> 30.00, 70% = 70.007 -> 70.01 (largest remainder gets the cent).
    expect(inv.document.items!.map((i) => [i.dueDate, i.amount])).toEqual([['2026-04-10', '30.00'], ['2026-05-10', '70.01']]);
    await postDocument(ctx, { kind: 'payment', number: 'PAY-2', customer: 'C2', documentDate: '2026-04-15', amount: '50.00', appliesTo: [{ document: 'INV-2' }] });
    const after = await doc('INV-2');
    // 50.00 pays installment 1 (30.00) in full and 20.00 of installment 2: 70.01 - 20.00 = 50.01 open.
    expect(after.items!.map((i) => i.open)).toEqual(['0.00', '50.01']);
    expect(after.open).toBe('50.01');
  });

  it('refuses to apply more than is open, and names the field', async () => {
    // 700.00 is more than the 200.00 left on PAY-1 and the 600.00 open on INV-1: a conflict with the ledger's state.
    await expect(applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-1' }, to: [{ document: 'INV-1', amount: '700.00' }] }))
      .rejects.toMatchObject({ kind: 'conflict', code: 'ALLOCATION_EXCEEDS_OPEN' });
    // Unapplied 200.00 on PAY-1 and 600.00 open on INV-1: applying without an amount takes 200.00.
    const applied = await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-1' }, to: [{ document: 'INV-1' }] });
    expect(applied.allocations.map((a) => a.amount)).toEqual(['200.00']);
    expect(applied.creditOpen).toBe('0.00');
    await expect(applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-1' }, to: [{ document: 'INV-1' }] }))
      .rejects.toMatchObject({ code: 'CREDIT_FULLY_APPLIED' });
  });

  it('is idempotent by number: same document again is unchanged, a different one is a conflict', async () => {
    const again = await postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-01', amount: '1000.00' });
    expect(again.outcome).toBe('unchanged');
    await expect(postDocument(ctx, { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-01', amount: '1000.01' }))
      .rejects.toMatchObject({ code: 'DOCUMENT_EXISTS', kind: 'conflict' });
  });

  it('reverses a payment: its allocations are undone and the invoice is open again', async () => {
    await postDocument(ctx, { kind: 'invoice', number: 'INV-3', customer: 'C2', documentDate: '2026-05-01', amount: '500.00' });
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-3', customer: 'C2', documentDate: '2026-05-05', amount: '500.00', appliesTo: [{ document: 'INV-3' }] });
    expect((await doc('INV-3')).open).toBe('0.00');
    const reversed = await reverseDocument(ctx, pay.document.id, { reason: 'cheque bounced', date: '2026-05-10' });
    expect(reversed.reversal.number).toBe('REV-PAY-3');
    expect(reversed.reversed.status).toBe('reversed');
    expect((await doc('INV-3')).open).toBe('500.00');
    await expect(reverseDocument(ctx, pay.document.id, { reason: 'again' })).rejects.toMatchObject({ code: 'ALREADY_REVERSED' });
  });

  it('reverses one allocation', async () => {
    await postDocument(ctx, { kind: 'invoice', number: 'INV-4', customer: 'C2', documentDate: '2026-05-01', amount: '80.00' });
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-4', customer: 'C2', documentDate: '2026-05-02', amount: '80.00', appliesTo: [{ document: 'INV-4', amount: '30.00' }] });
    const undone = await reverseAllocation(ctx, pay.allocations[0]!.id, { reason: 'applied to wrong invoice' });
    expect(undone.amount).toBe('-30.00');
    expect((await doc('INV-4')).open).toBe('80.00');
    expect((await doc('payment:PAY-4')).open).toBe('80.00');
  });

  it('applies an advance receipt only once verified, and refunds the rest', async () => {
    await postDocument(ctx, { kind: 'advance', number: 'ADV-1', customer: 'C2', documentDate: '2026-01-05', amount: '300.00' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-5', customer: 'C2', documentDate: '2026-02-01', amount: '250.00' });
    await expect(applyCredit(ctx, { from: { kind: 'advance', number: 'ADV-1' }, to: [{ document: 'INV-5' }] })).rejects.toMatchObject({ code: 'ADVANCE_NOT_VERIFIED' });
    const adv = await doc('ADV-1');
    await verifyAdvance(ctx, adv.id, { date: '2026-01-06' });
    const applied = await applyCredit(ctx, { from: { kind: 'advance', number: 'ADV-1' }, to: [{ document: 'INV-5' }] });
    // Applied on the invoice date (the later document): 2026-02-01.
    expect(applied.allocations[0]).toMatchObject({ amount: '250.00', date: '2026-02-01' });
    expect(applied.creditOpen).toBe('50.00');
    const refund = await postDocument(ctx, { kind: 'refund', number: 'RFD-1', customer: 'C2', documentDate: '2026-02-10', amount: '50.00', refundOf: { kind: 'advance', number: 'ADV-1' } });
    expect(refund.document.open).toBe('0.00');
    expect((await doc('ADV-1')).open).toBe('0.00');
    await expect(postDocument(ctx, { kind: 'refund', number: 'RFD-2', customer: 'C2', documentDate: '2026-02-10', amount: '0.01', refundOf: { kind: 'advance', number: 'ADV-1' } }))
      .rejects.toMatchObject({ code: 'REFUND_TOO_LARGE' });
  });

  it('records the FX gain when a USD invoice is paid at a higher rate', async () => {
    await createCustomer(ctx, { code: 'US1', name: 'Acme Inc', currency: 'USD' });
    await setFxRate(ctx, { currency: 'USD', date: '2026-03-01', rate: '7.1000' });
    const inv = await postDocument(ctx, { kind: 'invoice', number: 'INV-US1', customer: 'US1', documentDate: '2026-03-02', amount: '1000.00' });
    expect(inv.document).toMatchObject({ fxRate: '7.1', functionalAmount: '7100.00' });
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-US1', customer: 'US1', documentDate: '2026-04-02', amount: '1000.00', fxRate: '7.2000', appliesTo: [{ document: 'INV-US1' }] });
    // 1000.00 USD booked at 7.10 = 7100.00 CNY, received at 7.20 = 7200.00 CNY: gain 100.00 CNY.
    expect(pay.allocations[0]).toMatchObject({ amount: '1000.00', fxGain: '100.00' });
  });

  it('writes off the rest of an invoice in full or not at all', async () => {
    await postDocument(ctx, { kind: 'invoice', number: 'INV-6', customer: 'C1', documentDate: '2026-01-10', amount: '99.99' });
    await expect(postDocument(ctx, { kind: 'write_off', number: 'WO-1', customer: 'C1', documentDate: '2026-06-01', amount: '100.00', appliesTo: [{ document: 'INV-6' }] }))
      .rejects.toMatchObject({ code: 'WRITE_OFF_UNAPPLIED' });
    const wo = await postDocument(ctx, { kind: 'write_off', number: 'WO-1', customer: 'C1', documentDate: '2026-06-01', amount: '99.99', appliesTo: [{ document: 'INV-6' }], reason: 'customer insolvent' });
    expect(wo.document.open).toBe('0.00');
  });

  it('credit note against an invoice applies to it by itself', async () => {
    await postDocument(ctx, { kind: 'invoice', number: 'INV-7', customer: 'C1', documentDate: '2026-02-01', amount: '200.00' });
    const cn = await postDocument(ctx, { kind: 'credit_note', number: 'CN-1', customer: 'C1', documentDate: '2026-02-05', amount: '50.00', againstInvoice: 'INV-7' });
    expect(cn.document.related).toEqual({ kind: 'invoice', number: 'INV-7' });
    expect((await doc('INV-7')).open).toBe('150.00');
  });

  it('keeps the cached balances equal to the ledger', async () => {
    const report = await verifyLedger(ctx, false);
    expect(report.problems).toEqual([]);
    expect(report.documents).toBeGreaterThan(10);
  });

  it('finds a cached open amount that drifted from the ledger, and rebuilds it', async () => {
    // INV-7 (200.00, 50.00 credited by CN-1) has 150.00 open; corrupt its cache to 10.00 behind the ledger's back.
    const inv = await doc('INV-7');
    await test.db.system((sql) => sql.query(`UPDATE item_balances SET open_minor = 1000 WHERE item_id = $1`, [inv.items![0]!.id]));
    const found = await verifyLedger(ctx, false);
    expect(found.problems).toEqual([{ kind: 'balance', reference: 'INV-7#1', message: 'cached open amount 10.00 CNY, the ledger says 150.00 CNY' }]);
    expect(found.rebuilt).toBe(0);
    // The check in pages (PGlite's default, so that the server keeps answering) finds the same, whatever the page size.
    for (const pageRows of [null, 1, 2, 7, 5000]) expect(await verifyLedger(ctx, false, { pageRows })).toEqual(found);
    const fixed = await verifyLedger(ctx, true);
    expect(fixed.rebuilt).toBe(1);
    expect((await doc('INV-7')).open).toBe('150.00');
    expect((await verifyLedger(ctx, false)).problems).toEqual([]);
  });

  it('finds a document whose items do not add up and an allocation between two customers, in pages too', async () => {
    // Rows only a broken import or a hand edit could make: the owner writes them past the application's checks.
    const inv = await doc('INV-7');
    const other = await postDocument(ctx, { kind: 'payment', number: 'PAY-X', customer: 'C2', documentDate: '2026-02-05', amount: '1.00' });
    const bad = await test.db.system(async (sql) => {
      await sql.query(`ALTER TABLE items DISABLE TRIGGER append_only`);
      await sql.query(`UPDATE items SET amount_minor = amount_minor + 1 WHERE id = $1`, [inv.items![0]!.id]);
      await sql.query(`ALTER TABLE items ENABLE TRIGGER append_only`);
      await sql.query(`UPDATE item_balances SET amount_minor = amount_minor + 1, open_minor = open_minor + 1 WHERE item_id = $1`, [inv.items![0]!.id]);
      const [row] = await sql.query<{ id: string }>(
        `INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor, credit_amount_minor, allocation_date, created_by)
         SELECT $1, gen_random_uuid(), gen_random_uuid(), $2, i.id, i.customer_id, 1, 1, '2026-02-05', 'test' FROM items i WHERE i.id = $3 RETURNING id`,
        [ctx.tenant.id, other.document.items![0]!.id, inv.items![0]!.id]);
      await sql.query(`UPDATE item_balances SET open_minor = open_minor - 1 WHERE item_id = ANY($1)`, [[inv.items![0]!.id, other.document.items![0]!.id]]);
      return row!.id;
    });
    const found = await verifyLedger(ctx, false, { pageRows: null });
    // INV-7: 200.00 with one cent added to its item; the cross-customer allocation of 0.01 from C2's PAY-X.
    expect(found.problems).toEqual([
      { kind: 'document', reference: 'invoice:INV-7', message: 'amount 20000 but items add up to 20001' },
      { kind: 'allocation', reference: bad, message: 'joins items of different sides, customers or unequal amounts' },
    ]);
    for (const pageRows of [1, 3, 5000]) expect(await verifyLedger(ctx, false, { pageRows })).toEqual(found);
  });

  it('never lets a tenant see another tenant\'s rows', async () => {
    const other = contextFor(test.db, await makeTenant(test.db));
    const seen = await test.db.tenant(other.tenant.id, (sql) => sql.query('SELECT count(*)::int AS n FROM documents'));
    expect(seen).toEqual([{ n: 0 }]);
    await expect(test.db.tenant(other.tenant.id, (sql) => sql.query(`INSERT INTO audit_log (tenant_id, id, actor, action, entity_type) VALUES ($1, gen_random_uuid(), 'x', 'x', 'x')`, [ctx.tenant.id])))
      .rejects.toThrow(/row-level security/);
  });

  it('forbids changing posted rows even through raw SQL', async () => {
    await expect(test.db.tenant(ctx.tenant.id, (sql) => sql.query(`UPDATE documents SET amount_minor = 1`))).rejects.toThrow(/permission denied|append-only/);
    await expect(test.db.system((sql) => sql.query(`DELETE FROM allocations`))).rejects.toThrow(/append-only/);
  });
});
