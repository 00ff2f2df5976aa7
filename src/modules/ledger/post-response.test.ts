/**
 * postDocument answers from what it has in hand instead of reading the new document back; this holds the answer to
 * what reading it back gives (the response is stored under the idempotency key, so it must not drift either), both
 * when it reads the customer, the number and the invoices it applies to itself and when they come preloaded with
 * the transaction's start (postingPreload, as the API posts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from '../../../test/support.ts';
import type { Context } from '../context.ts';
import { createCustomer } from '../customers/index.ts';
import { createTerms } from '../terms/index.ts';
import { setFxRate } from '../fx/index.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { postDocument, postingPreload, presentAllocation, presenterFor, type PostDocumentInput } from './service.ts';
import { allocationsOfDocument, findDocumentById, findDocumentsByNumber, itemsOfDocument } from './repository.ts';

let test: TestDatabase;
let ctx: Context;
/** A second company with the same set-up, posting through withIdempotency with postingPreload. */
let preloadingCtx: Context;

beforeAll(async () => {
  test = await openTestDatabase();
  ctx = await setUp();
  preloadingCtx = await setUp();
});
afterAll(async () => test?.drop());

async function setUp(): Promise<Context> {
  const ctx = contextFor(test.db, await makeTenant(test.db));
  await createTerms(ctx, { code: 'NET30', net: 30 });
  await createTerms(ctx, { code: 'SPLIT', installments: '30@0,70@30' });
  await createTerms(ctx, { code: '2-10-N30', net: 30, discount: '2/10' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-01-01', rate: '7.1234' });
  await createCustomer(ctx, { code: 'C1', name: '上海甲公司', paymentTerms: 'NET30' });
  await createCustomer(ctx, { code: 'U1', name: 'Acme Inc.', currency: 'USD', paymentTerms: '2-10-N30' });
  return ctx;
}

/** What the document and its allocations look like when read back from the database. */
async function readBack(id: string, related: { kind: string; number: string } | null, ctx_ = ctx) {
  const ctx = ctx_;
  return test.db.tenant(ctx.tenant.id, async (sql) => ({
    document: presenterFor(ctx)((await findDocumentById(sql, ctx.tenant.id, id))!, await itemsOfDocument(sql, ctx.tenant.id, id), related),
    allocations: (await allocationsOfDocument(sql, ctx.tenant.id, id)).map((a) => presentAllocation(a, ctx.tenant.currency)),
  }));
}

async function relatedOf(input: PostDocumentInput, ctx_ = ctx) {
  const ctx = ctx_;
  const ref = input.againstInvoice ? { number: input.againstInvoice, kinds: ['invoice'] } : input.refundOf ? { number: input.refundOf.number, kinds: [input.refundOf.kind] } : null;
  if (!ref) return null;
  const [doc] = await test.db.tenant(ctx.tenant.id, (sql) => findDocumentsByNumber(sql, ctx.tenant.id, ref.number, ref.kinds));
  return { kind: doc!.kind, number: doc!.number };
}

const cases: [string, PostDocumentInput][] = [
  ['an invoice on net terms', { kind: 'invoice', number: 'INV-1', customer: 'C1', documentDate: '2026-03-01', amount: '1000.00', memo: 'March' }],
  ['an invoice in installments', { kind: 'invoice', number: 'INV-2', customer: 'C1', documentDate: '2026-03-02', amount: '100.01', paymentTerms: 'SPLIT' }],
  ['a USD invoice with a discount and an external id', { kind: 'invoice', number: 'INV-U1', customer: 'U1', documentDate: '2026-03-03', amount: '500.00', externalId: 'ERP-9', sourceSystem: 'erp' }],
  ['an invoice with its own due date', { kind: 'invoice', number: 'INV-3', customer: 'C1', documentDate: '2026-03-04', dueDate: '2026-05-01', amount: '80.00' }],
  ['a payment applied to two invoices, one in installments', { kind: 'payment', number: 'PAY-1', customer: 'C1', documentDate: '2026-03-20', amount: '700.00', appliesTo: [{ document: 'INV-1', amount: '600.00' }, { document: 'INV-2' }] }],
  ['a USD payment at another rate', { kind: 'payment', number: 'PAY-U1', customer: 'U1', documentDate: '2026-03-21', amount: '200.00', fxRate: '7.2', appliesTo: [{ document: 'INV-U1' }] }],
  ['an unapplied payment', { kind: 'payment', number: 'PAY-2', customer: 'C1', documentDate: '2026-03-22', amount: '50.00' }],
  ['a credit note against an invoice', { kind: 'credit_note', number: 'CN-1', customer: 'C1', documentDate: '2026-03-23', amount: '30.00', againstInvoice: 'INV-3', reason: 'damaged goods' }],
  ['a verified advance', { kind: 'advance', number: 'ADV-1', customer: 'C1', documentDate: '2026-03-24', amount: '300.00', verified: true }],
  ['a refund of a payment', { kind: 'refund', number: 'REF-1', customer: 'C1', documentDate: '2026-03-25', amount: '20.00', refundOf: { kind: 'payment', number: 'PAY-2' } }],
  ['a write-off', { kind: 'write_off', number: 'WO-1', customer: 'C1', documentDate: '2026-03-26', amount: '10.00', appliesTo: [{ document: 'INV-3', amount: '10.00' }], reason: 'small balance' }],
  ['a debit note without a number', { kind: 'debit_note', customer: 'C1', documentDate: '2026-03-27', amount: '5.00' }],
];

describe('the answer of postDocument', () => {
  it.each(cases)('equals the document read back: %s', async (_name, input) => {
    const posted = await postDocument(ctx, input);
    expect(posted.outcome).toBe('created');
    const { document, allocations } = await readBack(posted.document.id, await relatedOf(input));
    expect(posted.document).toEqual(document);
    expect(posted.allocations).toEqual(allocations);
    // Stored as JSON under an idempotency key: the serialised forms must match too.
    expect(JSON.stringify(posted.document)).toBe(JSON.stringify(document));
  });

  it('replays a repeat from the database with the same answer', async () => {
    const input = cases[4]![1];
    const again = await postDocument(ctx, input);
    expect(again.outcome).toBe('unchanged');
    const { document, allocations } = await readBack(again.document.id, null);
    expect(again.document).toEqual(document);
    expect(again.allocations).toEqual(allocations);
  });
});

describe('the answer of postDocument with its first reads preloaded', () => {
  const post = (input: PostDocumentInput, key: string) => withIdempotency(preloadingCtx, key, 'document.post', input,
    (sql, preloaded) => postDocument(preloadingCtx, input, sql, preloaded), { preload: postingPreload(preloadingCtx, input) });

  it.each(cases)('equals the document read back: %s', async (name, input) => {
    const posted = await post(input, `key-${name.replace(/\W+/g, '-')}`);
    expect(posted.outcome).toBe('created');
    const { document, allocations } = await readBack(posted.document.id, await relatedOf(input, preloadingCtx), preloadingCtx);
    expect(posted.document).toEqual(document);
    expect(posted.allocations).toEqual(allocations);
    expect(JSON.stringify(posted.document)).toBe(JSON.stringify(document));
  });

  it('equals the answer posting without a preload gives, but for ids and times', async () => {
    const [plain, preloaded] = [await readBack((await postDocument(ctx, { kind: 'invoice', number: 'INV-9', customer: 'C1', documentDate: '2026-04-01', amount: '9.00' })).document.id, null),
      await readBack((await post({ kind: 'invoice', number: 'INV-9', customer: 'C1', documentDate: '2026-04-01', amount: '9.00' }, 'key-inv-9')).document.id, null, preloadingCtx)];
    const strip = (x: object) => JSON.parse(JSON.stringify(x, (k, v) => (['id', 'createdAt', 'relatedDocumentId'].includes(k) ? undefined : v)));
    expect(strip(preloaded)).toEqual(strip(plain));
  });

  it('replays a repeat of the same number under a new key, and refuses an unknown customer and over-application as without a preload', async () => {
    const again = await post(cases[4]![1], 'another-key');
    expect(again.outcome).toBe('unchanged');
    expect((await readBack(again.document.id, null, preloadingCtx)).allocations).toEqual(again.allocations);
    await expect(post({ kind: 'payment', number: 'PAY-X', customer: 'NOBODY', documentDate: '2026-03-20', amount: '1.00' }, 'k-x'))
      .rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND', details: [{ field: 'customer' }] });
    // INV-1 is 1000.00, 600.00 of it paid by PAY-1: 400.00 is open.
    const overApplied = { kind: 'payment' as const, number: 'PAY-Y', customer: 'C1', documentDate: '2026-03-28', amount: '500.00', appliesTo: [{ document: 'INV-1', amount: '500.00' }] };
    const withoutPreload = await postDocument(ctx, overApplied).catch((e: unknown) => e);
    const withPreload = await post(overApplied, 'k-y').catch((e: unknown) => e);
    expect(withPreload).toMatchObject({ code: 'ALLOCATION_EXCEEDS_OPEN' });
    expect(JSON.stringify(withPreload)).toBe(JSON.stringify(withoutPreload));
  });
});
