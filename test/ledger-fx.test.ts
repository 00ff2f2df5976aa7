/**
 * Foreign-currency payments: a credit in one currency applied to a debit in another (issue 7), on both engines.
 * The functional currency is CNY. Every figure is worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingReport } from '../src/modules/aging/index.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { applyCredit, getDocument, postDocument, reverseAllocation, verifyLedger } from '../src/modules/ledger/index.ts';
import { exportData } from '../src/modules/exports/index.ts';
import { loadStatement } from '../src/modules/statements/index.ts';
import { buildServer } from '../src/http/server.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

let t: TestDatabase;
let ctx: Context;

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'FX' }), fixedClock('2026-05-31T04:00:00Z'));
  // Rates to CNY: USD 7.1000 and EUR 7.8000 from 03-01; USD 7.1500 and EUR 7.8200 from 04-15.
  await setFxRate(ctx, { currency: 'USD', date: '2026-03-01', rate: '7.1000' });
  await setFxRate(ctx, { currency: 'EUR', date: '2026-03-01', rate: '7.8000' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-04-15', rate: '7.1500' });
  await setFxRate(ctx, { currency: 'EUR', date: '2026-04-15', rate: '7.8200' });
  await createCustomer(ctx, { code: 'U1', name: 'Acme Inc.', currency: 'USD' });
  await createCustomer(ctx, { code: 'E1', name: 'Euro GmbH', currency: 'EUR' });
  await createCustomer(ctx, { code: 'G1', name: 'London Ltd', currency: 'GBP' });
  // U1: INV-U1 1,000.00 USD and INV-U2 2,000.00 USD, dated 03-01 (rate 7.1000), due 03-31.
  await postDocument(ctx, { kind: 'invoice', number: 'INV-U1', customer: 'U1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '1000.00' });
  await postDocument(ctx, { kind: 'invoice', number: 'INV-U2', customer: 'U1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '2000.00' });
  // E1: INV-E1 1,000.00 EUR dated 03-01 (rate 7.8000: 7,800.00 CNY), due 03-31.
  await postDocument(ctx, { kind: 'invoice', number: 'INV-E1', customer: 'E1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '1000.00' });
  // G1: INV-G1 500.00 GBP at its own rate 9.0000; no GBP rate is on file.
  await postDocument(ctx, { kind: 'invoice', number: 'INV-G1', customer: 'G1', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '500.00', fxRate: '9.0000' });
}, 120_000);
afterAll(async () => t?.drop());

const doc = (ref: string) => t.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, ref));
const allocationCount = async () => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM allocations')))[0]!.n;

describe('a credit in one currency applied to a debit in another', () => {
  it('pays a USD invoice with CNY at the rate on file, and books the realised gain', async () => {
    // PAY-U1 7,150.00 CNY on 04-20; the USD rate on file then is 7.1500 (from 04-15).
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-U1', customer: 'U1', documentDate: '2026-04-20', currency: 'CNY', amount: '7150.00', appliesTo: [{ document: 'INV-U1' }] });
    // 1,000.00 USD open × 7.15 = 7,150.00 CNY: the whole invoice for the whole payment. Gain in CNY: the payment's
    // 7,150.00 (rate 1) less the invoice's 1,000.00 × 7.1000 = 7,100.00: 50.00.
    expect(pay.allocations).toEqual([expect.objectContaining({
      currency: 'USD', amount: '1000.00', creditCurrency: 'CNY', creditAmount: '7150.00', rate: '7.15', fxGain: '50.00', date: '2026-04-20',
    })]);
    expect(pay.document.open).toBe('0.00');
    expect((await doc('INV-U1')).open).toBe('0.00');
    expect((await doc('PAY-U1')).allocations).toHaveLength(1);
  });

  it('pays part of a USD invoice at a rate the user gives', async () => {
    await postDocument(ctx, { kind: 'payment', number: 'PAY-U2', customer: 'U1', documentDate: '2026-04-20', currency: 'CNY', amount: '5000.00' });
    const applied = await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-U2' }, to: [{ document: 'INV-U2', amount: '3575.00', rate: '7.15' }] });
    // 3,575.00 CNY ÷ 7.15 = 500.00 USD settled; gain 3,575.00 − 500.00 × 7.1000 (3,550.00) = 25.00 CNY.
    expect(applied.allocations).toEqual([expect.objectContaining({ amount: '500.00', currency: 'USD', creditAmount: '3575.00', fxGain: '25.00' })]);
    // Each side's open amount in its own currency: 2,000.00 − 500.00 = 1,500.00 USD; 5,000.00 − 3,575.00 = 1,425.00 CNY.
    expect(applied.creditOpen).toBe('1425.00');
    expect((await doc('INV-U2')).open).toBe('1500.00');
  });

  it('settles a given amount of the invoice for a given amount of the payment: the bank\'s own rate', async () => {
    // 1,425.00 CNY left on PAY-U2 settles 200.00 USD: the rate they make is 1,425 / 200 = 7.125.
    // Gain 1,425.00 − 200.00 × 7.1000 (1,420.00) = 5.00 CNY.
    const applied = await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-U2' }, to: [{ document: 'INV-U2', amount: '1425.00', settles: '200.00' }] });
    expect(applied.allocations).toEqual([expect.objectContaining({ amount: '200.00', creditAmount: '1425.00', rate: '7.125', fxGain: '5.00' })]);
    expect(applied.creditOpen).toBe('0.00');
    // 1,500.00 − 200.00 = 1,300.00 USD open.
    expect((await doc('INV-U2')).open).toBe('1300.00');
  });

  it('pays a EUR invoice with USD at the cross rate through CNY, and books the loss or gain', async () => {
    // PAY-E1 1,093.71 USD on 04-20, booked at the USD rate 7.1500: 1,093.71 × 7.15 = 7,820.0265 → 7,820.03 CNY.
    const pay = await postDocument(ctx, { kind: 'payment', number: 'PAY-E1', customer: 'E1', documentDate: '2026-04-20', currency: 'USD', amount: '1093.71' });
    expect(pay.document.functionalAmount).toBe('7820.03');
    const applied = await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-E1' }, to: [{ document: 'INV-E1' }] });
    // Cross rate on 04-20: EUR 7.82 / USD 7.15 = 1.0937062… USD per EUR. 1,000.00 EUR open × 1.0937062… = 1,093.7062…
    // → 1,093.71 USD, all of the payment. Gain: 7,820.03 (the USD at its own rate) − 7,800.00 (the EUR at its own) = 20.03.
    expect(applied.allocations).toEqual([expect.objectContaining({
      currency: 'EUR', amount: '1000.00', creditCurrency: 'USD', creditAmount: '1093.71', rate: '1.09371', fxGain: '20.03',
    })]);
    expect(applied.creditOpen).toBe('0.00');
    expect((await doc('INV-E1')).open).toBe('0.00');
  });

  it('reverses a cross-currency allocation: all three amounts negated, both sides open again', async () => {
    const [allocation] = (await doc('PAY-U1')).allocations;
    const reversed = await reverseAllocation(ctx, allocation!.id, { reason: 'paid the wrong invoice', date: '2026-04-25' });
    expect(reversed).toMatchObject({ amount: '-1000.00', currency: 'USD', creditAmount: '-7150.00', creditCurrency: 'CNY', fxGain: '-50.00', rate: '7.15' });
    expect((await doc('INV-U1')).open).toBe('1000.00');
    expect((await doc('PAY-U1')).open).toBe('7150.00');
  });

  it('ages each open item in its own currency, before and after the payments', async () => {
    const aging = (asOf: string, currency: string) => t.db.tenant(ctx.tenant.id, (sql) => agingReport(ctx, sql, { asOf, currency }));
    // 04-19, before any payment: INV-U1 1,000.00 + INV-U2 2,000.00 = 3,000.00 USD, 19 days past due (03-31 → 04-19).
    expect((await aging('2026-04-19', 'USD')).rows).toEqual([expect.objectContaining({ key: 'U1', buckets: expect.objectContaining({ '1-30': '3000.00' }), outstanding: '3000.00', unapplied: '0.00' })]);
    // 04-22: INV-U1 paid (04-20, reversed only on 04-25), INV-U2 2,000.00 − 500.00 − 200.00 = 1,300.00 USD, 22 days past due.
    expect((await aging('2026-04-22', 'USD')).rows).toEqual([expect.objectContaining({ key: 'U1', outstanding: '1300.00', unapplied: '0.00' })]);
    // In CNY on 04-22 U1 has nothing open or unapplied (PAY-U1 and PAY-U2 are used up): no row, totals 0.00.
    const cny = await aging('2026-04-22', 'CNY');
    expect(cny.rows.find((r) => r.key === 'U1')).toBeUndefined();
    expect(cny.totals).toMatchObject({ outstanding: '0.00', unapplied: '0.00', net: '0.00' });
    // 04-30, after the reversal: INV-U1 1,000.00 + INV-U2 1,300.00 = 2,300.00 USD (30 days past due, 1-30); PAY-U1 7,150.00 CNY unapplied.
    expect((await aging('2026-04-30', 'USD')).rows).toEqual([expect.objectContaining({ key: 'U1', buckets: expect.objectContaining({ '1-30': '2300.00' }), outstanding: '2300.00' })]);
    expect((await aging('2026-04-30', 'CNY')).rows).toEqual([expect.objectContaining({ key: 'U1', outstanding: '0.00', unapplied: '7150.00', net: '-7150.00' })]);
  });

  it('keeps the ledger check clean and exports both amounts', async () => {
    expect((await verifyLedger(ctx, false)).problems).toEqual([]);
    for (const pageRows of [null, 2]) expect((await verifyLedger(ctx, false, { pageRows })).problems).toEqual([]);
    let csv = '';
    await exportData(ctx, 'allocations', 'csv', (chunk) => { csv += chunk; });
    expect(csv.split('\n')[0]).toBe('date,customer_code,from_kind,from_number,to_kind,to_number,installment,currency,amount,credit_currency,credit_amount,fx_gain,reverses,reason');
    expect(csv).toContain('2026-04-20,E1,payment,PAY-E1,invoice,INV-E1,1,EUR,1000.00,USD,1093.71,20.03,,');
  });
});

describe('the ledger check across currencies', () => {
  it('finds an allocation whose FX gain is not what the documents\' rates make, in pages too', async () => {
    // A company of its own, and a row only a hand edit could make: INV-9 100.00 USD (rate 7.1000) settled by 720.00
    // CNY of PAY-9 with a gain of 0.00 recorded, where 720.00 − 100.00 × 7.1000 (710.00) = 10.00.
    const other = contextFor(t.db, await makeTenant(t.db, { code: 'FX2' }), ctx.clock);
    await setFxRate(other, { currency: 'USD', date: '2026-03-01', rate: '7.1000' });
    await createCustomer(other, { code: 'U9', name: 'Nine Inc.', currency: 'USD' });
    const invoice = await postDocument(other, { kind: 'invoice', number: 'INV-9', customer: 'U9', documentDate: '2026-03-01', dueDate: '2026-03-31', amount: '100.00' });
    const pay = await postDocument(other, { kind: 'payment', number: 'PAY-9', customer: 'U9', documentDate: '2026-04-21', currency: 'CNY', amount: '720.00' });
    const [debit, credit] = [invoice.document.items![0]!.id, pay.document.items![0]!.id];
    const bad = await t.db.system(async (sql) => {
      const [row] = await sql.query<{ id: string }>(
        `INSERT INTO allocations (tenant_id, id, batch_id, credit_item_id, debit_item_id, customer_id, amount_minor, credit_amount_minor, fx_gain_minor, allocation_date, created_by)
         SELECT $1, gen_random_uuid(), gen_random_uuid(), $2, i.id, i.customer_id, 10000, 72000, 0, '2026-04-21', 'test' FROM items i WHERE i.id = $3 RETURNING id`,
        [other.tenant.id, credit, debit]);
      await sql.query(`UPDATE item_balances SET open_minor = 0 WHERE item_id = ANY($1::uuid[])`, [[debit, credit]]);
      return row!.id;
    });
    const found = await verifyLedger(other, false, { pageRows: null });
    expect(found.problems).toEqual([{ kind: 'allocation', reference: bad, message: 'across currencies: FX gain 0.00 CNY recorded, the documents\' rates make 10.00 CNY' }]);
    for (const pageRows of [1, 3]) expect(await verifyLedger(other, false, { pageRows })).toEqual(found);
  });
});

describe('refusals, each naming its field, with nothing written', () => {
  it('refuses when no rate is on file for the pair, naming the currencies, the date and `arflow fx set`', async () => {
    await postDocument(ctx, { kind: 'payment', number: 'PAY-G1', customer: 'G1', documentDate: '2026-04-20', currency: 'CNY', amount: '4500.00' });
    const before = await allocationCount();
    const refused = applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-G1' }, to: [{ document: 'INV-G1' }] });
    await expect(refused).rejects.toMatchObject({
      kind: 'invalid', code: 'FX_RATE_MISSING', details: [{ field: 'to.0.rate', message: expect.stringContaining('GBP into CNY') }],
    });
    await expect(refused).rejects.toThrow(/no GBP rate on or before 2026-04-20.*arflow fx set GBP 2026-04-20 RATE/);
    expect(await allocationCount()).toBe(before);
  });

  it.each([
    ['a rate of zero', { amount: '100.00', rate: '0' }, 'INVALID_RATE', 'to.0.rate'],
    ['a rate and the amount settled together', { amount: '100.00', rate: '9', settles: '10.00' }, 'ALLOCATION_INVALID', 'to.0.rate'],
    // 4,500.00 CNY at 8.00 settles 562.50 GBP, more than the 500.00 open: a conflict with what is open.
    ['an amount that settles more than is open', { amount: '4500.00', rate: '8' }, 'ALLOCATION_EXCEEDS_OPEN', 'to.0.amount'],
    ['an amount settled larger than what is open', { amount: '4500.00', settles: '500.01' }, 'ALLOCATION_EXCEEDS_OPEN', 'to.0.settles'],
    ['an amount settled with more decimals than GBP has', { amount: '10.00', settles: '1.001' }, 'ALLOCATION_INVALID', 'to.0.settles'],
  ])('refuses %s', async (_label, to, code, field) => {
    const before = await allocationCount();
    await expect(applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-G1' }, to: [{ document: 'INV-G1', ...to }] }))
      .rejects.toMatchObject({ code, details: [expect.objectContaining({ field })] });
    expect(await allocationCount()).toBe(before);
  });

  it('applies at the rate given when none is on file: 4,500.00 CNY at 9.00 settles all 500.00 GBP, no gain', async () => {
    // 4,500.00 ÷ 9.00 = 500.00 GBP; gain 4,500.00 − 500.00 × 9.0000 = 0.00.
    const applied = await applyCredit(ctx, { from: { kind: 'payment', number: 'PAY-G1' }, to: [{ document: 'INV-G1', rate: '9' }] });
    expect(applied.allocations).toEqual([expect.objectContaining({ amount: '500.00', creditAmount: '4500.00', fxGain: '0.00' })]);
  });
});

describe('the API and the CLI', () => {
  it('POST /api/v1/allocations takes rate and settles, and the OpenAPI document lists them', async () => {
    await postDocument(ctx, { kind: 'invoice', number: 'INV-U3', customer: 'U1', documentDate: '2026-05-01', dueDate: '2026-05-31', amount: '100.00' });
    await postDocument(ctx, { kind: 'payment', number: 'PAY-U3', customer: 'U1', documentDate: '2026-05-02', currency: 'CNY', amount: '1000.00' });
    const app = await buildServer({ db: t.db, clock: ctx.clock, logger: false });
    try {
      const token = await adminToken(ctx);
      const headers = { authorization: `Bearer ${token}`, 'idempotency-key': 'fx-api-1' };
      // 710.00 CNY settles 100.00 USD: rate 7.1; gain 710.00 − 100.00 × 7.1500 (the rate of 05-01: 715.00) = −5.00.
      const body = { from: { kind: 'payment', number: 'PAY-U3' }, to: [{ document: 'INV-U3', amount: '710.00', settles: '100.00' }] };
      const res = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers, payload: body });
      expect(res.statusCode).toBe(201);
      expect(res.json().allocations).toEqual([expect.objectContaining({ amount: '100.00', creditAmount: '710.00', rate: '7.1', fxGain: '-5.00' })]);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { ...headers, 'idempotency-key': 'fx-api-2' }, payload: { ...body, to: [{ document: 'INV-U1', rate: 'seven' }] } });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('to.0.rate');
      const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const schema = JSON.stringify(spec.paths['/api/v1/allocations'].post.requestBody);
      expect(schema).toContain('"settles"');
      expect(schema).toContain('"rate"');
    } finally {
      await app.close();
    }
  });

  it('arflow apply --to NUMBER:AMOUNT@RATE prints both amounts and the rate', async () => {
    // PAY-U1 is unapplied again (7,150.00 CNY); INV-U1 1,000.00 USD open. 3,600.00 CNY at 7.2 settles 500.00 USD;
    // gain 3,600.00 − 500.00 × 7.1000 = 50.00; 7,150.00 − 3,600.00 = 3,550.00 left on PAY-U1.
    const { code, out, err } = await cliRunner(t.db, ctx.clock, 'FX')(['apply', '--from', 'payment:PAY-U1', '--to', 'INV-U1:3600.00@7.2']);
    expect(code, err).toBe(0);
    // Dated by default the later of the two documents: PAY-U1's 04-20.
    expect(out).toContain('applied 3600.00 CNY of PAY-U1 to INV-U1#1 on 2026-04-20, settling 500.00 USD at 7.2 (FX gain 50.00)');
    expect(out).toContain('left unapplied: 3550.00');
  });
});

describe('the statement of account', () => {
  const statementOf = (from: string, to: string) => t.db.tenant(ctx.tenant.id, (sql) => loadStatement(ctx, sql, 'U1', { from, to, lang: 'en' }));

  it('moves what an allocation across currencies settles from one section to the other, so each closes at what is open in it', async () => {
    // U1 in April. USD: opening INV-U1 1,000.00 + INV-U2 2,000.00 = 3,000.00; credited with what the CNY payments
    // settled: 1,000.00 (PAY-U1, 04-20), 500.00 and 200.00 (PAY-U2), 500.00 (PAY-U1 again, by the CLI, dated 04-20),
    // and −1,000.00 (the reversal, 04-25): 3,000.00 − 1,200.00 = 1,800.00 = INV-U1's 500.00 + INV-U2's 1,300.00 open.
    // CNY: PAY-U1 7,150.00 and PAY-U2 5,000.00 credited (−12,150.00), debited with what they paid: 7,150.00 + 3,575.00
    // + 1,425.00 + 3,600.00 − 7,150.00 = 8,600.00: closing −3,550.00 = PAY-U1's 7,150.00 − 3,600.00 unapplied.
    const april = await statementOf('2026-04-01', '2026-04-30');
    expect(april.sections.map((s) => [s.currency, s.opening, s.debits, s.credits, s.closing, s.aging.net])).toEqual([
      ['CNY', '0.00', '8600.00', '12150.00', '-3550.00', '-3550.00'],
      ['USD', '3000.00', '0.00', '1200.00', '1800.00', '1800.00'],
    ]);
    // May opens where April closed, the allocations across currencies before it included: USD 1,800.00, then INV-U3
    // 100.00 and PAY-U3's 100.00 settled: 1,800.00. CNY −3,550.00, PAY-U3 −1,000.00, its 710.00 used: −3,840.00 =
    // 3,550.00 + 290.00 unapplied.
    const may = await statementOf('2026-05-01', '2026-05-31');
    expect(may.sections.map((s) => [s.currency, s.opening, s.debits, s.credits, s.closing, s.aging.net])).toEqual([
      ['CNY', '-3550.00', '710.00', '1000.00', '-3840.00', '-3840.00'],
      ['USD', '1800.00', '100.00', '100.00', '1800.00', '1800.00'],
    ]);
  });
});
