/**
 * The HTTP API end to end, in-process (app.inject, no socket), on PGlite or on the PostgreSQL server in DATABASE_URL.
 * Every figure a test expects is worked out by hand in the comment beside it, as a finance user would check it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import { adminToken, contextFor, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';
import { createTenant } from '../src/modules/tenants/index.ts';
import { setApprovalSettings } from '../src/modules/approvals/index.ts';

let test: TestDatabase;
let app: FastifyInstance;
/** An administrator's API token per company code. */
const tokens = new Map<string, string>();

// Tenant "today" is 2026-06-30 (12:00 in Asia/Shanghai): aging and default reversal dates count from it.
const CLOCK = fixedClock('2026-06-30T04:00:00Z');

interface Reply {
  status: number;
  // The API's JSON, read by the assertions; typed loosely on purpose (the tests check its shape).
  body: any;
  headers: Record<string, unknown>;
  text: string;
}

interface CallOptions {
  /** Act with that company's administrator token; default ACME, null for no credentials. */
  tenant?: string | null;
  key?: string;
  headers?: Record<string, string>;
  /** A raw body sent as is (with the headers given), instead of JSON. */
  raw?: string;
}

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const tenant = options.tenant === undefined ? 'ACME' : options.tenant;
  if (tenant !== null && headers.authorization === undefined) headers.authorization = `Bearer ${tokens.get(tenant) ?? 'arf_unknown-company'}`;
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  const response = await app.inject({
    method, url, headers,
    ...(options.raw !== undefined ? { payload: options.raw } : body !== undefined ? { payload: body as object } : {}),
  });
  let parsed: unknown = null;
  try {
    parsed = response.json();
  } catch {
    parsed = null;
  }
  return { status: response.statusCode, body: parsed, headers: response.headers, text: response.body };
}

const get = (url: string, options?: CallOptions) => call('GET', url, undefined, options);
const post = (url: string, body?: unknown, options?: CallOptions) => call('POST', url, body, options);
const patch = (url: string, body?: unknown, options?: CallOptions) => call('PATCH', url, body, options);

/** Asserts a success status and returns the body (the message shows the error body when it fails). */
async function ok(reply: Promise<Reply> | Reply, status = 201) {
  const r = await reply;
  expect(r.status, `${r.status} ${r.text}`).toBe(status);
  return r.body;
}

/** Asserts the one error shape {code, message, details}, its status and code, and optionally a detail naming a field. */
function expectError(r: Reply, status: number, code?: string, field?: RegExp) {
  expect(r.status, `${r.status} ${r.text}`).toBe(status);
  expect(r.body).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Array) });
  expect(r.body.message.length).toBeGreaterThan(0);
  if (code) expect(r.body.code).toBe(code);
  if (field) expect((r.body.details as { field?: string }[]).map((d) => d.field ?? '')).toContainEqual(expect.stringMatching(field));
}

const doc = (ref: string, tenant = 'ACME') => ok(get(`/api/v1/documents/${encodeURIComponent(ref)}`, { tenant }), 200);
const numbers = (page: { items: { number: string }[] }) => page.items.map((d) => d.number);

beforeAll(async () => {
  test = await openTestDatabase();
  app = await buildServer({ db: test.db, clock: CLOCK });
  await app.ready();
  for (const company of [{ code: 'ACME', name: '上海艾克米贸易有限公司', currency: 'CNY' }, { code: 'BETA', name: 'Beta Trading Ltd', currency: 'USD' }]) {
    const tenant = await createTenant(test.db, { ...company, timeZone: 'Asia/Shanghai' });
    // These tests are about the ledger: nothing waits for a second person here (test/approvals.test.ts covers that).
    await setApprovalSettings(contextFor(test.db, tenant, CLOCK), { writeOffApproval: null, creditLimitApproval: null, reversalsNeedApproval: false });
    tokens.set(company.code, await adminToken(contextFor(test.db, tenant, CLOCK)));
  }
  await ok(post('/api/v1/terms', { code: 'NET30', net: 30 }));
  await ok(post('/api/v1/terms', { code: 'SPLIT', installments: '30@0,70@30' }));
});

afterAll(async () => {
  await app?.close();
  await test?.drop();
});

// ---------------------------------------------------------------------------------------------------------------

describe('companies', () => {
  it("answers each token with its own company", async () => {
    expect(await ok(get('/api/v1/company'), 200)).toMatchObject({ code: 'ACME', currency: 'CNY', timeZone: 'Asia/Shanghai', locale: 'zh-CN' });
    expect(await ok(get('/api/v1/company', { tenant: 'BETA' }), 200)).toMatchObject({ code: 'BETA', currency: 'USD' });
  });

  it('refuses every request without credentials, or with an unknown token, with 401', async () => {
    expectError(await get('/api/v1/terms', { tenant: null }), 401, 'UNAUTHENTICATED');
    expectError(await get('/api/v1/customers', { tenant: 'NO-SUCH' }), 401, 'INVALID_TOKEN');
    expectError(await get('/api/v1/customers', { tenant: null, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'INVALID_TOKEN');
  });

  it("one tenant cannot see another tenant's customers or documents", async () => {
    await ok(post('/api/v1/customers', { code: 'B-ONLY', name: 'Beta only customer' }, { tenant: 'BETA' }));
    const betaInvoice = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-B-ONLY', customer: 'B-ONLY', documentDate: '2026-05-01', amount: '99.00' }, { tenant: 'BETA' }));
    // BETA's functional currency is USD, so its customer defaults to USD.
    expect(betaInvoice.document).toMatchObject({ currency: 'USD', amount: '99.00', functionalAmount: '99.00' });

    expectError(await get('/api/v1/customers/B-ONLY'), 404, 'CUSTOMER_NOT_FOUND');
    expectError(await get('/api/v1/documents/INV-B-ONLY'), 404, 'DOCUMENT_NOT_FOUND');
    expectError(await get(`/api/v1/documents/${betaInvoice.document.id}`), 404, 'DOCUMENT_NOT_FOUND');
    expect((await ok(get('/api/v1/documents?customer=B-ONLY'), 200)).items).toEqual([]);
    expect((await ok(get('/api/v1/customers?q=B-ONLY'), 200)).items).toEqual([]);
    expectError(await get('/api/v1/customers/B-ONLY/balance'), 404, 'CUSTOMER_NOT_FOUND');
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'B-ONLY', documentDate: '2026-05-01', amount: '1.00' }), 404, 'CUSTOMER_NOT_FOUND', /customer/);
    expectError(await post('/api/v1/documents/INV-B-ONLY/reverse', { reason: 'not ours' }), 404, 'DOCUMENT_NOT_FOUND');
    // BETA still sees its own.
    expect((await doc('INV-B-ONLY', 'BETA')).open).toBe('99.00');
    // ACME may use the same customer code for its own customer.
    const mine = await ok(post('/api/v1/customers', { code: 'B-ONLY', name: 'ACME customer with the same code' }));
    expect(mine.currency).toBe('CNY');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('payment terms', () => {
  it('creates net, discount and installment terms', async () => {
    const net = await ok(post('/api/v1/terms', { code: 'NET45', net: 45 }));
    expect(net.rule).toMatchObject({ netDays: 45, discount: null, installments: null });
    const discount = await ok(post('/api/v1/terms', { code: 'D2N30', net: '30', discount: '2/10' }));
    expect(discount.rule).toMatchObject({ netDays: 30, discount: { percent: '2', days: 10 } });
    const steps = await ok(post('/api/v1/terms', { code: 'STEP3', installments: '20@0,30@30,50@60' }));
    // With installments the net days are the last installment's: 60.
    expect(steps.rule.netDays).toBe(60);
    expect(steps.rule.installments).toEqual([{ percent: '20', days: 0 }, { percent: '30', days: 30 }, { percent: '50', days: 60 }]);
    // The same terms again are the same terms; the same code with another rule is a conflict.
    expect((await ok(post('/api/v1/terms', { code: 'NET45', net: 45 }))).id).toBe(net.id);
    expectError(await post('/api/v1/terms', { code: 'NET45', net: 60 }), 409, 'TERMS_EXISTS');
  });

  it('refuses installments that do not add up to 100%, naming the field', async () => {
    // 30 + 60 = 90, not 100.
    const bad = await post('/api/v1/terms', { code: 'BAD', installments: '30@0,60@30' });
    expectError(bad, 400, 'INVALID_PAYMENT_TERMS', /^installments$/);
    expect(bad.body.message).toContain('90');
    expectError(await post('/api/v1/terms', { code: 'BAD', net: 10, discount: '2/10' }), 400, 'INVALID_PAYMENT_TERMS', /discount/);
    expectError(await post('/api/v1/terms', { code: 'BAD', net: -5 }), 400, 'INVALID_PAYMENT_TERMS', /net/);
    expectError(await post('/api/v1/terms', { code: 'BAD', net: 3651 }), 400, 'INVALID_PAYMENT_TERMS', /net/);
    expectError(await get('/api/v1/terms/BAD'), 404, 'TERMS_NOT_FOUND');
  });

  it('lists terms by code', async () => {
    const list = await ok(get('/api/v1/terms'), 200);
    expect(list.items.map((t: { code: string }) => t.code)).toEqual(['D2N30', 'NET30', 'NET45', 'SPLIT', 'STEP3']);
    const one = await ok(get('/api/v1/terms/SPLIT'), 200);
    expect(one.rule.installments).toEqual([{ percent: '30', days: 0 }, { percent: '70', days: 30 }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('customers', () => {
  const VALID_USCC = '91350100M000100Y43';

  it('creates a customer with contacts and reads it back by code', async () => {
    const created = await ok(post('/api/v1/customers', {
      code: 'SH-001', name: '上海华东机械有限公司', taxId: VALID_USCC, region: '华东', paymentTerms: 'NET30', creditLimit: '50000.00',
      contacts: [
        { name: '李娜', role: '出纳', email: 'li.na@example.com' },
        { name: '王伟', role: '财务经理', email: 'wang.wei@example.com', phone: '+86 21 5555 0100', isPrimary: true },
      ],
    }));
    expect(created).toMatchObject({ code: 'SH-001', currency: 'CNY', paymentTerms: 'NET30', creditLimit: '50000.00', status: 'active', version: 1, outcome: 'created' });
    const read = await ok(get('/api/v1/customers/SH-001'), 200);
    expect(read).toMatchObject({ code: 'SH-001', name: '上海华东机械有限公司', taxId: VALID_USCC });
    // The primary contact comes first.
    expect(read.contacts.map((c: { name: string; isPrimary: boolean }) => [c.name, c.isPrimary])).toEqual([['王伟', true], ['李娜', false]]);
    expect(read.contacts[1]).toMatchObject({ preferredChannel: 'email', language: 'zh-CN' });
    // The same customer again is unchanged (200), other details under the same code are a conflict.
    const again = await post('/api/v1/customers', {
      code: 'SH-001', name: '上海华东机械有限公司', taxId: VALID_USCC, region: '华东', paymentTerms: 'NET30', creditLimit: '50000.00',
      contacts: [
        { name: '李娜', role: '出纳', email: 'li.na@example.com' },
        { name: '王伟', role: '财务经理', email: 'wang.wei@example.com', phone: '+86 21 5555 0100', isPrimary: true },
      ],
    });
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('unchanged');
    expectError(await post('/api/v1/customers', { code: 'SH-001', name: 'Someone else' }), 409, 'CUSTOMER_EXISTS');
    expectError(await get('/api/v1/customers/NOBODY'), 404, 'CUSTOMER_NOT_FOUND');
  });

  it('names the field of each validation error', async () => {
    expectError(await post('/api/v1/customers', { code: 'BAD-1', name: 'Bad email', contacts: [{ name: 'X', email: 'not-an-email' }] }), 400, 'VALIDATION_FAILED', /contacts\.0\.email$/);
    // Same code with the check character changed from 3 to 4 fails the 统一社会信用代码 check.
    const taxId = await post('/api/v1/customers', { code: 'BAD-2', name: 'Bad tax id', taxId: '91350100M000100Y44' });
    expectError(taxId, 400, 'CUSTOMER_INVALID', /^taxId$/);
    expect(taxId.body.details[0].message).toContain('expected 3');
    expectError(await post('/api/v1/customers', { code: 'BAD-3', name: 'Bad terms', paymentTerms: 'NET99' }), 400, 'CUSTOMER_INVALID', /^paymentTerms$/);
    expectError(await post('/api/v1/customers', { code: 'BAD 4', name: 'Space in code' }), 400, 'VALIDATION_FAILED', /code$/);
    expectError(await post('/api/v1/customers', { code: 'BAD-5', name: '' }), 400, 'VALIDATION_FAILED', /name$/);
    expectError(await post('/api/v1/customers', { code: 'BAD-6', name: 'Bad limit', creditLimit: '100.001' }), 400, 'CUSTOMER_INVALID', /creditLimit/);
    expectError(await post('/api/v1/customers', { code: 'BAD-7', name: 'Bad currency', currency: 'ABC' }), 400, 'CUSTOMER_INVALID', /currency/);
    expectError(await post('/api/v1/customers', { code: 'BAD-8', name: 'Bad phone', contacts: [{ name: 'X', phone: 'call me' }] }), 400, 'VALIDATION_FAILED', /contacts\.0\.phone$/);
    // None of them was created.
    expect((await ok(get('/api/v1/customers?q=BAD-'), 200)).items).toEqual([]);
  });

  it('changes a customer only against the current version', async () => {
    const changed = await ok(patch('/api/v1/customers/SH-001', { version: 1, creditLimit: '80000.00', collector: '张敏' }), 200);
    expect(changed).toMatchObject({ version: 2, creditLimit: '80000.00', collector: '张敏', name: '上海华东机械有限公司' });
    // Contacts are kept when the change does not mention them.
    expect(changed.contacts).toHaveLength(2);
    // A second client still holding version 1 loses.
    expectError(await patch('/api/v1/customers/SH-001', { version: 1, creditLimit: '1.00' }), 409, 'CUSTOMER_CHANGED');
    expect((await ok(get('/api/v1/customers/SH-001'), 200)).creditLimit).toBe('80000.00');
    expectError(await patch('/api/v1/customers/SH-001', { version: 2, taxId: '91350100M000100Y44' }), 400, 'CUSTOMER_INVALID', /^taxId$/);
    expectError(await patch('/api/v1/customers/NOBODY', { name: 'x' }), 404, 'CUSTOMER_NOT_FOUND');
    expectError(await patch('/api/v1/customers/SH-001', { version: 'two' }), 400, 'VALIDATION_FAILED', /version/);
  });

  it('keeps a postal address of up to 5 lines, and names the field when it is longer', async () => {
    const before = await ok(get('/api/v1/customers/SH-001'), 200);
    expect(before.address).toBeNull();
    // Windows line ends are stored as plain line breaks.
    const changed = await ok(patch('/api/v1/customers/SH-001', { version: before.version, address: '上海市浦东新区张江路 88 号\r\n邮编 201203' }), 200);
    expect(changed).toMatchObject({ version: before.version + 1, address: '上海市浦东新区张江路 88 号\n邮编 201203' });
    const six = ['1', '2', '3', '4', '5', '6'].join('\n');
    const refused = await patch('/api/v1/customers/SH-001', { version: changed.version, address: six });
    expectError(refused, 400, 'VALIDATION_FAILED', /address$/);
    expect(refused.body.details[0].message).toContain('at most 5 lines');
    expectError(await post('/api/v1/customers', { code: 'ADDR-1', name: 'Long address', address: 'x'.repeat(301) }), 400, 'VALIDATION_FAILED', /address$/);
    // An empty text clears a field (the web form sends one when a field is emptied); a field not sent is kept.
    const emptied = await ok(patch('/api/v1/customers/SH-001', { address: '', region: '' }), 200);
    expect(emptied).toMatchObject({ address: null, region: null, collector: '张敏' });
  });

  it('keeps the status and contacts a change does not mention', async () => {
    await ok(post('/api/v1/customers', { code: 'HOLD-1', name: '暂停往来公司', status: 'on_hold', contacts: [{ name: '赵磊', email: 'zhao@example.com' }] }));
    const changed = await ok(patch('/api/v1/customers/HOLD-1', { region: '华南' }), 200);
    // A customer put on hold stays on hold, and keeps its contact, when only its region changes.
    expect(changed).toMatchObject({ region: '华南', status: 'on_hold', version: 2 });
    expect(changed.contacts.map((c: { name: string }) => c.name)).toEqual(['赵磊']);
    // Contacts given replace the list; an empty list removes them.
    expect((await ok(patch('/api/v1/customers/HOLD-1', { contacts: [] }), 200)).contacts).toEqual([]);
    expect((await ok(patch('/api/v1/customers/HOLD-1', { status: 'active' }), 200)).status).toBe('active');
  });

  it('searches by a part of the Chinese name and by code prefix', async () => {
    await ok(post('/api/v1/customers', { code: 'BJ-001', name: '北京华北电子有限公司' }));
    await ok(post('/api/v1/customers', { code: 'GZ-001', name: '广州华南物流有限公司' }));
    const codes = async (q: string) => (await ok(get(`/api/v1/customers?q=${encodeURIComponent(q)}`), 200)).items.map((c: { code: string }) => c.code);
    expect(await codes('华东')).toEqual(['SH-001']);
    expect(await codes('有限公司')).toEqual(['BJ-001', 'GZ-001', 'SH-001']);
    expect(await codes('BJ-')).toEqual(['BJ-001']);
    expect(await codes('bj')).toEqual(['BJ-001']);
    // A LIKE wildcard is taken literally.
    expect(await codes('%')).toEqual([]);
    // Tax id prefix; the whole tax id, typed in lower case, too.
    expect(await codes('913501')).toEqual(['SH-001']);
    expect(await codes(VALID_USCC.toLowerCase())).toEqual(['SH-001']);
    // A Latin name in any case.
    await ok(post('/api/v1/customers', { code: 'US-001', name: 'Initech Pte. Ltd' }));
    expect(await codes('INITECH')).toEqual(['US-001']);
    expect(await codes('pte')).toEqual(['US-001']);
  });

  it('pages through 25 customers 10 at a time: 10, 10, 5, in code order, then no cursor', async () => {
    for (let i = 1; i <= 25; i++) {
      await ok(post('/api/v1/customers', { code: `PG-${String(i).padStart(2, '0')}`, name: `分页客户 ${i}` }));
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ok(get(`/api/v1/customers?q=PG-&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), 200);
      sizes.push(page.items.length);
      seen.push(...page.items.map((c: { code: string }) => c.code));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `PG-${String(i + 1).padStart(2, '0')}`));
    expect(new Set(seen).size).toBe(25);
    expect(cursor).toBeNull();
    // Sorted by name the order is by the name's characters: 分页客户 1, 10, 11, ... 19, 2, 20, ...
    const byName = await ok(get('/api/v1/customers?q=PG-&sort=name&limit=3'), 200);
    expect(byName.items.map((c: { code: string }) => c.code)).toEqual(['PG-01', 'PG-10', 'PG-11']);
  });

  it('refuses a page size above the limit', async () => {
    expectError(await get('/api/v1/customers?limit=1000'), 400, 'VALIDATION_FAILED', /limit/);
    expectError(await get('/api/v1/customers?limit=0'), 400, 'VALIDATION_FAILED', /limit/);
    expectError(await get('/api/v1/customers?cursor=not-a-cursor'), 400, 'INVALID_CURSOR', /cursor/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('documents', () => {
  let inv100: { id: string };

  beforeAll(async () => {
    await ok(post('/api/v1/customers', { code: 'C-DOC', name: '杭州文档测试有限公司', paymentTerms: 'NET30' }));
    // Repeating terms that exist with the same rule is harmless, so this block does not depend on the terms tests.
    await ok(post('/api/v1/terms', { code: 'D2N30', net: 30, discount: '2/10' }));
    await ok(post('/api/v1/terms', { code: 'EOM30', eom: true, net: 30 }));
  });

  it('posts an installment invoice with the amounts and due dates of its terms', async () => {
    const posted = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-100', customer: 'C-DOC', documentDate: '2026-04-10', amount: '1234.57', paymentTerms: 'SPLIT' }));
    inv100 = posted.document;
    // 30% of 1234.57 = 370.371 → 370.37; 70% = 864.199 → 864.19 + the cent left over (largest remainder) = 864.20.
    // 370.37 + 864.20 = 1234.57. Due at once (2026-04-10) and 30 days later (2026-05-10).
    expect(posted.document.items.map((i: { seq: number; dueDate: string; amount: string; open: string }) => [i.seq, i.dueDate, i.amount, i.open]))
      .toEqual([[1, '2026-04-10', '370.37', '370.37'], [2, '2026-05-10', '864.20', '864.20']]);
    expect(posted.document).toMatchObject({ kind: 'invoice', side: 'debit', dueDate: '2026-05-10', amount: '1234.57', open: '1234.57', status: 'open', paymentTerms: 'SPLIT', fxRate: '1', functionalAmount: '1234.57' });
    expect(posted.allocations).toEqual([]);
  });

  it("takes the customer's terms, end-of-month terms and the discount window", async () => {
    // NET30 from 2026-01-31: 28 days to 2026-02-28, 2 more to 2026-03-02.
    const net = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-101', customer: 'C-DOC', documentDate: '2026-01-31', amount: '200.00' }));
    expect(net.document).toMatchObject({ dueDate: '2026-03-02', paymentTerms: 'NET30' });
    // EOM30 from 2026-01-15: base 2026-01-31, + 30 days = 2026-03-02.
    const eom = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-102', customer: 'C-DOC', documentDate: '2026-01-15', amount: '300.00', paymentTerms: 'EOM30' }));
    expect(eom.document.dueDate).toBe('2026-03-02');
    // 2/10 net 30 from 2026-03-01: 2% of 500.00 = 10.00 off until 2026-03-11, the full amount due 2026-03-31.
    const disc = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-103', customer: 'C-DOC', documentDate: '2026-03-01', amount: '500.00', paymentTerms: 'D2N30' }));
    expect(disc.document.items).toEqual([expect.objectContaining({ dueDate: '2026-03-31', discountDate: '2026-03-11', discountAmount: '10.00', amount: '500.00' })]);
    // An explicit due date wins over the terms.
    const explicit = await ok(post('/api/v1/documents', { kind: 'charge', number: 'CHG-1', customer: 'C-DOC', documentDate: '2026-02-01', dueDate: '2026-02-15', amount: '15.00' }));
    expect(explicit.document).toMatchObject({ kind: 'charge', dueDate: '2026-02-15', open: '15.00' });
  });

  it('posts a payment applied to an installment invoice, oldest installment first', async () => {
    const pay = await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-100', customer: 'C-DOC', documentDate: '2026-04-20', amount: '500.00', appliesTo: [{ document: 'INV-100' }] }));
    // 500.00 pays installment 1 (370.37) in full and 500.00 - 370.37 = 129.63 of installment 2.
    expect(pay.allocations.map((a: { to: { number: string; installment: number }; amount: string; date: string }) => [a.to.number, a.to.installment, a.amount, a.date]))
      .toEqual([['INV-100', 1, '370.37', '2026-04-20'], ['INV-100', 2, '129.63', '2026-04-20']]);
    expect(pay.document).toMatchObject({ kind: 'payment', side: 'credit', dueDate: null, amount: '500.00', open: '0.00', status: 'closed' });
    const invoice = await doc('INV-100');
    // 1234.57 - 500.00 = 734.57 open; installment 2: 864.20 - 129.63 = 734.57.
    expect(invoice).toMatchObject({ open: '734.57', status: 'partly_applied' });
    expect(invoice.items.map((i: { open: string }) => i.open)).toEqual(['0.00', '734.57']);
    expect(invoice.allocations).toHaveLength(2);
  });

  it('finds a document by id, by number and by KIND:NUMBER', async () => {
    const byId = await doc(inv100.id);
    const byNumber = await doc('INV-100');
    const byKind = await doc('invoice:INV-100');
    expect([byNumber.id, byKind.id]).toEqual([byId.id, byId.id]);
    expect(byId.number).toBe('INV-100');
    expectError(await get('/api/v1/documents/payment:INV-100'), 404, 'DOCUMENT_NOT_FOUND');
    expectError(await get('/api/v1/documents/INV-404'), 404, 'DOCUMENT_NOT_FOUND');
    expectError(await get('/api/v1/documents/00000000-0000-7000-8000-000000000000'), 404, 'DOCUMENT_NOT_FOUND');
    // One number used by two kinds must be named with its kind.
    await ok(post('/api/v1/documents', { kind: 'credit_note', number: 'INV-101', customer: 'C-DOC', documentDate: '2026-02-01', amount: '1.00' }));
    expectError(await get('/api/v1/documents/INV-101'), 404, 'DOCUMENT_AMBIGUOUS');
    expect((await doc('credit_note:INV-101')).kind).toBe('credit_note');
  });

  it('filters the list by kind, customer, status and dates, newest first', async () => {
    // C-DOC: PAY-100 04-20 (closed), INV-100 04-10, INV-103 03-01, CHG-1 02-01, INV-101 (credit note) 02-01, INV-101 01-31, INV-102 01-15.
    const list = async (query: string) => numbers(await ok(get(`/api/v1/documents?customer=C-DOC&${query}`), 200));
    expect(await list('kind=payment')).toEqual(['PAY-100']);
    expect(await list('kind=invoice')).toEqual(['INV-100', 'INV-103', 'INV-101', 'INV-102']);
    expect(await list('status=closed')).toEqual(['PAY-100']);
    expect(await list('status=open&kind=invoice')).toEqual(['INV-100', 'INV-103', 'INV-101', 'INV-102']);
    expect(await list('kind=invoice&from=2026-01-20&to=2026-03-31')).toEqual(['INV-103', 'INV-101']);
    expect(await list('q=INV-10&kind=invoice&to=2026-02-28')).toEqual(['INV-101', 'INV-102']);
    expect(await list('kind=write_off')).toEqual([]);
    // Paging 3 at a time over the 7 documents: 3, 3, 1, no repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page = await ok(get(`/api/v1/documents?customer=C-DOC&limit=3${cursor ? `&cursor=${cursor}` : ''}`), 200);
      sizes.push(page.items.length);
      seen.push(...page.items.map((d: { id: string }) => d.id));
      cursor = page.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([3, 3, 1]);
    expect(new Set(seen).size).toBe(7);
  });

  it('refuses amounts as JSON numbers and amounts with more decimals than the currency has', async () => {
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-01', amount: 12.5 }), 400, 'VALIDATION_FAILED', /amount$/);
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-01', amount: '12.505' }), 400, 'INVALID_AMOUNT', /^amount$/);
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-01', amount: '0.00' }), 400, 'DOCUMENT_INVALID', /^amount$/);
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-01', amount: '1,000.00' }), 400, 'VALIDATION_FAILED', /amount$/);
    await ok(post('/api/v1/customers', { code: 'C-JPY', name: '東京商事株式会社', currency: 'JPY' }));
    // JPY has no minor unit: 100.5 yen cannot be booked.
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-JPY', documentDate: '2026-05-01', amount: '100.5', fxRate: '0.048' }), 400, 'INVALID_AMOUNT', /^amount$/);
    // 100 yen at 0.048 = 4.80 CNY.
    const yen = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-JPY1', customer: 'C-JPY', documentDate: '2026-05-01', amount: '100', fxRate: '0.048' }));
    expect(yen.document).toMatchObject({ currency: 'JPY', amount: '100', open: '100', fxRate: '0.048', functionalAmount: '4.80' });
    // "100.00" yen is 100 yen: trailing zeros are not extra precision.
    const yen2 = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-JPY2', customer: 'C-JPY', documentDate: '2026-05-01', amount: '100.00', fxRate: '0.048' }));
    expect(yen2.document.amount).toBe('100');
  });

  it('reports an unknown customer as 404, malformed JSON as 400 and an unknown route as 404', async () => {
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'NOBODY', documentDate: '2026-05-01', amount: '10.00' }), 404, 'CUSTOMER_NOT_FOUND', /^customer$/);
    expectError(await post('/api/v1/documents', undefined, { raw: '{"kind": "invoice", ', headers: { 'content-type': 'application/json' } }), 400);
    expectError(await post('/api/v1/customers', undefined, { raw: '{bad json}', headers: { 'content-type': 'application/json' } }), 400);
    expectError(await get('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    expectError(await call('DELETE', '/api/v1/documents/INV-100'), 404, 'ROUTE_NOT_FOUND');
  });

  it('refuses documents that break ledger rules, naming the field', async () => {
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-10', dueDate: '2026-05-01', amount: '10.00' }), 400, 'DOCUMENT_INVALID', /^dueDate$/);
    expectError(await post('/api/v1/documents', { kind: 'payment', customer: 'C-DOC', documentDate: '2026-05-10', paymentTerms: 'NET30', amount: '10.00' }), 400, 'DOCUMENT_INVALID', /^paymentTerms$/);
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-10', amount: '10.00', appliesTo: [{ document: 'INV-100' }] }), 400, 'DOCUMENT_INVALID', /^appliesTo$/);
    expectError(await post('/api/v1/documents', { kind: 'refund', customer: 'C-DOC', documentDate: '2026-05-10', amount: '10.00' }), 400, 'DOCUMENT_INVALID', /^refundOf$/);
    expectError(await post('/api/v1/documents', { kind: 'write_off', customer: 'C-DOC', documentDate: '2026-05-10', amount: '10.00' }), 400, 'DOCUMENT_INVALID', /^appliesTo$/);
    expectError(await post('/api/v1/documents', { kind: 'invoice', customer: 'C-DOC', documentDate: '2026-05-10', amount: '10.00', paymentTerms: 'NOPE' }), 400, 'TERMS_NOT_FOUND', /^paymentTerms$/);
    // Paying 800.00 on INV-100 which has only 734.57 open.
    expectError(await post('/api/v1/documents', { kind: 'payment', customer: 'C-DOC', documentDate: '2026-05-10', amount: '800.00', appliesTo: [{ document: 'INV-100', amount: '800.00' }] }), 409, 'ALLOCATION_EXCEEDS_OPEN', /^appliesTo\.0$/);
    // A number already used for another invoice: posted documents never change.
    expectError(await post('/api/v1/documents', { kind: 'invoice', number: 'INV-100', customer: 'C-DOC', documentDate: '2026-04-10', amount: '1234.58', paymentTerms: 'SPLIT' }), 409, 'DOCUMENT_EXISTS');
    // The same invoice again is a replay: 200, unchanged, same id.
    const replay = await post('/api/v1/documents', { kind: 'invoice', number: 'INV-100', customer: 'C-DOC', documentDate: '2026-04-10', amount: '1234.57', paymentTerms: 'SPLIT' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ outcome: 'unchanged', document: { id: inv100.id, open: '734.57' } });
    // Nothing above was posted: INV-100 still has 734.57 open and C-DOC has the same 7 documents.
    expect((await doc('INV-100')).open).toBe('734.57');
    expect((await ok(get('/api/v1/documents?customer=C-DOC'), 200)).items).toHaveLength(7);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('idempotency keys', () => {
  beforeAll(async () => {
    await ok(post('/api/v1/customers', { code: 'C-IDEM', name: 'Idempotent Ltd' }));
  });

  it('answers a repeated POST /documents with the first answer and posts once', async () => {
    // No number: without the key, the same body twice would be two invoices with two numbers.
    const body = { kind: 'invoice', customer: 'C-IDEM', documentDate: '2026-05-01', amount: '250.00' };
    const first = await post('/api/v1/documents', body, { key: 'post-inv-1' });
    const second = await post('/api/v1/documents', body, { key: 'post-inv-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.body.document.id).toBe(first.body.document.id);
    expect(numbers(await ok(get('/api/v1/documents?customer=C-IDEM'), 200))).toEqual([first.body.document.number]);

    // The same key with another amount is a conflict, and nothing is posted.
    expectError(await post('/api/v1/documents', { ...body, amount: '250.01' }, { key: 'post-inv-1' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    // The same key for another operation too.
    expectError(await post('/api/v1/customers', { code: 'C-IDEM2', name: 'x' }, { key: 'post-inv-1' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect((await ok(get('/api/v1/documents?customer=C-IDEM'), 200)).items).toHaveLength(1);

    // A new key is a new request: a second invoice with the next number.
    const third = await ok(post('/api/v1/documents', body, { key: 'post-inv-2' }));
    expect(third.document.number).not.toBe(first.body.document.number);
    expect((await ok(get('/api/v1/documents?customer=C-IDEM'), 200)).items).toHaveLength(2);
    expectError(await post('/api/v1/documents', body, { key: 'has a space' }), 400, 'INVALID_IDEMPOTENCY_KEY');
  });

  it('applies a payment once when POST /allocations is repeated with one key', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-I1', customer: 'C-IDEM', documentDate: '2026-05-01', amount: '300.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-I1', customer: 'C-IDEM', documentDate: '2026-05-03', amount: '300.00' }));
    const body = { from: { kind: 'payment', number: 'PAY-I1' }, to: [{ document: 'INV-I1', amount: '100.00' }] };
    const first = await post('/api/v1/allocations', body, { key: 'apply-1' });
    const second = await post('/api/v1/allocations', body, { key: 'apply-1' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    // 300.00 - 100.00 = 200.00 open on each side (it would be 100.00 had it been applied twice).
    expect(first.body).toMatchObject({ creditOpen: '200.00', allocations: [{ amount: '100.00', date: '2026-05-03' }] });
    expect((await doc('INV-I1')).open).toBe('200.00');
    expect((await doc('PAY-I1')).open).toBe('200.00');
    expectError(await post('/api/v1/allocations', { ...body, to: [{ document: 'INV-I1', amount: '120.00' }] }, { key: 'apply-1' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect((await ok(get('/api/v1/allocations?customer=C-IDEM'), 200)).items).toHaveLength(1);
    expect((await doc('INV-I1')).open).toBe('200.00');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('reversals', () => {
  beforeAll(async () => {
    await ok(post('/api/v1/customers', { code: 'C-REV', name: 'Reversal Co' }));
  });

  it('reverses a payment: the invoice it paid is open again; a second reversal is refused', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-R1', customer: 'C-REV', documentDate: '2026-05-01', amount: '500.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-R1', customer: 'C-REV', documentDate: '2026-05-05', amount: '500.00', appliesTo: [{ document: 'INV-R1' }] }));
    expect(await doc('INV-R1')).toMatchObject({ open: '0.00', status: 'closed' });

    expectError(await post('/api/v1/documents/PAY-R1/reverse', { reason: 'x' }), 400, 'VALIDATION_FAILED', /reason/);
    expectError(await post('/api/v1/documents/PAY-R1/reverse', { reason: 'cheque bounced', date: '2026-05-04' }), 400, 'REVERSAL_DATE_TOO_EARLY', /^date$/);
    const reversed = await ok(post('/api/v1/documents/payment:PAY-R1/reverse', { reason: 'cheque bounced', date: '2026-05-10' }));
    expect(reversed.reversed).toMatchObject({ number: 'PAY-R1', status: 'reversed' });
    expect(reversed.reversal).toMatchObject({ kind: 'reversal', number: 'REV-PAY-R1', side: 'debit', amount: '500.00', documentDate: '2026-05-10', reason: 'cheque bounced' });
    expect(reversed.unappliedAllocations).toHaveLength(1);
    // The invoice is owed again in full: 500.00.
    expect(await doc('INV-R1')).toMatchObject({ open: '500.00', status: 'open' });

    expectError(await post('/api/v1/documents/PAY-R1/reverse', { reason: 'cheque bounced' }), 409, 'ALREADY_REVERSED');
    expectError(await post('/api/v1/documents/reversal:REV-PAY-R1/reverse', { reason: 'undo the undo' }), 409, 'DOCUMENT_IS_REVERSAL');
    // A reversed payment cannot be applied.
    expectError(await post('/api/v1/allocations', { from: { kind: 'payment', number: 'PAY-R1' }, to: [{ document: 'INV-R1' }] }), 409, 'DOCUMENT_REVERSED', /^from$/);
    // C-REV owes INV-R1's 500.00, due 2026-05-01 (no terms: due on the invoice date), so overdue on 2026-06-30.
    const balance = await ok(get('/api/v1/customers/C-REV/balance'), 200);
    expect(balance.balances).toEqual([{ currency: 'CNY', receivable: '500.00', overdue: '500.00', unapplied: '0.00', net: '500.00', openItems: 1, openCredits: 0 }]);
  });

  it('reverses one allocation and gives both sides their open amounts back', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-R2', customer: 'C-REV', documentDate: '2026-05-01', amount: '80.00' }));
    const pay = await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-R2', customer: 'C-REV', documentDate: '2026-05-02', amount: '80.00', appliesTo: [{ document: 'INV-R2', amount: '30.00' }] }));
    // 80.00 - 30.00 = 50.00 open on each side.
    expect((await doc('INV-R2')).open).toBe('50.00');
    expect(pay.document.open).toBe('50.00');
    const allocationId = pay.allocations[0].id as string;
    const undone = await ok(post(`/api/v1/allocations/${allocationId}/reverse`, { reason: 'applied to the wrong invoice' }));
    // Dated today (2026-06-30), the later of today and the allocation's date 2026-05-02.
    expect(undone).toMatchObject({ amount: '-30.00', reversesAllocationId: allocationId, date: '2026-06-30', reason: 'applied to the wrong invoice' });
    expect((await doc('INV-R2')).open).toBe('80.00');
    expect((await doc('PAY-R2')).open).toBe('80.00');
    expectError(await post(`/api/v1/allocations/${allocationId}/reverse`, { reason: 'again please' }), 409, 'ALREADY_REVERSED');
    expectError(await post(`/api/v1/allocations/${undone.id}/reverse`, { reason: 'undo the undo' }), 409, 'ALLOCATION_IS_REVERSAL');
    expectError(await post('/api/v1/allocations/00000000-0000-7000-8000-000000000000/reverse', { reason: 'nothing there' }), 404, 'ALLOCATION_NOT_FOUND');
    expectError(await post('/api/v1/allocations/not-a-uuid/reverse', { reason: 'nothing there' }), 400, 'VALIDATION_FAILED', /id/);
  });

  it('reverses an invoice that was partly paid: the payment becomes unapplied again', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-R3', customer: 'C-REV', documentDate: '2026-06-01', amount: '1000.00', paymentTerms: 'SPLIT' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-R3', customer: 'C-REV', documentDate: '2026-06-02', amount: '400.00', appliesTo: [{ document: 'INV-R3' }] }));
    // 400.00 paid 300.00 (installment 1) and 100.00 of installment 2; PAY-R3 fully applied.
    expect((await doc('INV-R3')).items.map((i: { open: string }) => i.open)).toEqual(['0.00', '600.00']);
    const reversed = await ok(post('/api/v1/documents/INV-R3/reverse', { reason: 'invoice issued twice' }));
    // Two allocations undone; the reversal mirrors both installments (300.00 and 700.00).
    expect(reversed.unappliedAllocations).toHaveLength(2);
    expect(reversed.reversal.items.map((i: { amount: string }) => i.amount)).toEqual(['300.00', '700.00']);
    expect(await doc('INV-R3')).toMatchObject({ open: '0.00', status: 'reversed' });
    expect(await doc('PAY-R3')).toMatchObject({ open: '400.00', status: 'open' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('advance receipts', () => {
  it('applies an advance only once verified, and refunds the rest', async () => {
    await ok(post('/api/v1/customers', { code: 'C-ADV', name: '预收款测试公司' }));
    const advance = await ok(post('/api/v1/documents', { kind: 'advance', number: 'ADV-1', customer: 'C-ADV', documentDate: '2026-01-05', amount: '300.00' }));
    expect(advance.document.verifiedOn).toBeNull();
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-A1', customer: 'C-ADV', documentDate: '2026-02-01', amount: '250.00' }));
    const apply = { from: { kind: 'advance', number: 'ADV-1' }, to: [{ document: 'INV-A1' }] };
    expectError(await post('/api/v1/allocations', apply), 409, 'ADVANCE_NOT_VERIFIED', /^from$/);
    expectError(await post('/api/v1/documents', { kind: 'advance', customer: 'C-ADV', documentDate: '2026-01-05', amount: '1.00', appliesTo: [{ document: 'INV-A1' }] }), 400, 'DOCUMENT_INVALID', /^appliesTo$/);

    expectError(await post('/api/v1/documents/INV-A1/verify', {}), 400, 'NOT_AN_ADVANCE');
    expectError(await post('/api/v1/documents/ADV-1/verify', { date: '2026-01-04' }), 400, 'VERIFY_DATE_TOO_EARLY', /^date$/);
    const verified = await ok(post('/api/v1/documents/ADV-1/verify', { date: '2026-01-06' }), 200);
    expect(verified.verifiedOn).toBe('2026-01-06');
    // Verifying again is harmless and keeps the first date.
    expect((await ok(post('/api/v1/documents/ADV-1/verify', { date: '2026-01-09' }), 200)).verifiedOn).toBe('2026-01-06');

    const applied = await ok(post('/api/v1/allocations', apply));
    // Applied on the later document's date, 2026-02-01: 250.00; 300.00 - 250.00 = 50.00 left on the advance.
    expect(applied).toMatchObject({ creditOpen: '50.00', allocations: [{ amount: '250.00', date: '2026-02-01', to: { number: 'INV-A1' }, from: { kind: 'advance', number: 'ADV-1' } }] });
    expect((await doc('INV-A1')).open).toBe('0.00');

    expectError(await post('/api/v1/documents', { kind: 'refund', number: 'RFD-A0', customer: 'C-ADV', documentDate: '2026-02-10', amount: '50.01', refundOf: { kind: 'advance', number: 'ADV-1' } }), 400, 'REFUND_TOO_LARGE', /^amount$/);
    const refund = await ok(post('/api/v1/documents', { kind: 'refund', number: 'RFD-A1', customer: 'C-ADV', documentDate: '2026-02-10', amount: '50.00', refundOf: { kind: 'advance', number: 'ADV-1' } }));
    expect(refund.document).toMatchObject({ kind: 'refund', side: 'debit', amount: '50.00', open: '0.00', related: { kind: 'advance', number: 'ADV-1' } });
    expect((await doc('ADV-1')).open).toBe('0.00');
    // Nothing is owed either way: no open balance, no open items.
    expect((await ok(get('/api/v1/customers/C-ADV/balance'), 200)).balances).toEqual([]);
    expect((await ok(get('/api/v1/customers/C-ADV/open-items'), 200)).items).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('customer balance and open items', () => {
  it('adds up receivable, overdue and unapplied per currency as of today', async () => {
    await ok(post('/api/v1/customers', { code: 'C-BAL', name: '余额测试有限公司', paymentTerms: 'NET30' }));
    // INV-B1 due 2026-05-31 (overdue on 2026-06-30), INV-B2 due 2026-07-20 (not yet).
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-B1', customer: 'C-BAL', documentDate: '2026-05-01', amount: '1000.00' }));
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-B2', customer: 'C-BAL', documentDate: '2026-06-20', amount: '400.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-B1', customer: 'C-BAL', documentDate: '2026-06-01', amount: '1500.00', appliesTo: [{ document: 'INV-B1', amount: '600.00' }] }));
    const balance = await ok(get('/api/v1/customers/C-BAL/balance'), 200);
    // Receivable 400.00 (INV-B1: 1000.00 - 600.00) + 400.00 (INV-B2) = 800.00; overdue 400.00 (INV-B1 only);
    // unapplied 1500.00 - 600.00 = 900.00; net 800.00 - 900.00 = -100.00 (the customer is in credit).
    expect(balance).toEqual({
      customer: 'C-BAL',
      // The test clock stands at 2026-06-30 04:00 UTC, noon in Shanghai.
      asOf: '2026-06-30',
      balances: [{ currency: 'CNY', receivable: '800.00', overdue: '400.00', unapplied: '900.00', net: '-100.00', openItems: 2, openCredits: 1 }],
    });
    const items = await ok(get('/api/v1/customers/C-BAL/open-items'), 200);
    // Oldest due first: INV-B1 2026-05-31, PAY-B1 (no due date: its date 2026-06-01), INV-B2 2026-07-20.
    expect(items.items.map((i: { number: string; side: string; dueDate: string | null; amount: string; open: string }) => [i.number, i.side, i.dueDate, i.amount, i.open])).toEqual([
      ['INV-B1', 'debit', '2026-05-31', '1000.00', '400.00'],
      ['PAY-B1', 'credit', null, '1500.00', '900.00'],
      ['INV-B2', 'debit', '2026-07-20', '400.00', '400.00'],
    ]);
    expect(items.nextCursor).toBeNull();
    const credits = await ok(get('/api/v1/customers/C-BAL/open-items?side=credit'), 200);
    expect(credits.items.map((i: { number: string; open: string }) => [i.number, i.open])).toEqual([['PAY-B1', '900.00']]);
    const first = await ok(get('/api/v1/customers/C-BAL/open-items?limit=2'), 200);
    expect(numbers(first)).toEqual(['INV-B1', 'PAY-B1']);
    const rest = await ok(get(`/api/v1/customers/C-BAL/open-items?limit=2&cursor=${first.nextCursor}`), 200);
    expect(numbers(rest)).toEqual(['INV-B2']);
    expect(rest.nextCursor).toBeNull();
    expectError(await get('/api/v1/customers/NOBODY/balance'), 404, 'CUSTOMER_NOT_FOUND');
    expectError(await get('/api/v1/customers/NOBODY/open-items'), 404, 'CUSTOMER_NOT_FOUND');
  });

  it("shows each listed customer's open balance per currency, the same figures as its balance", async () => {
    const list = await ok(get('/api/v1/customers?q=C-BAL'), 200);
    // C-BAL (above): receivable 800.00, unapplied 900.00, net -100.00.
    expect(list.items.map((c: { code: string; balances: unknown }) => [c.code, c.balances])).toEqual([
      ['C-BAL', [{ currency: 'CNY', receivable: '800.00', unapplied: '900.00', net: '-100.00' }]],
    ]);
    // A customer with nothing open has no balances.
    await ok(post('/api/v1/customers', { code: 'C-NOBAL', name: '无余额客户' }));
    expect((await ok(get('/api/v1/customers?q=C-NOBAL'), 200)).items[0].balances).toEqual([]);
  });

  it("lists the values the customer list's filters take", async () => {
    await ok(post('/api/v1/customers', { code: 'C-FAC1', name: '筛选客户一', segment: 'key', region: '华东', collector: '赵敏', salesperson: '王磊' }));
    await ok(post('/api/v1/customers', { code: 'C-FAC2', name: '筛选客户二', segment: 'mid', region: '华东', collector: '孙强', currency: 'USD' }));
    const facets = await ok(get('/api/v1/customer-filters'), 200);
    expect(facets.segments).toEqual(expect.arrayContaining(['key', 'mid']));
    // Each value once, sorted.
    expect(facets.regions.filter((r: string) => r === '华东')).toEqual(['华东']);
    expect(facets.collectors).toEqual([...facets.collectors].sort());
    expect(facets.collectors).toEqual(expect.arrayContaining(['赵敏', '孙强']));
    expect(facets.salespeople).toEqual(expect.arrayContaining(['王磊']));
    expect(facets.currencies).toEqual(expect.arrayContaining(['CNY', 'USD']));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('FX', () => {
  it('takes the latest rate on file for a foreign-currency invoice, and refuses when there is none', async () => {
    expect(await ok(post('/api/v1/fx-rates', { currency: 'usd', date: '2026-03-01', rate: '7.1000' }))).toEqual({ currency: 'USD', date: '2026-03-01', rate: '7.1' });
    await ok(post('/api/v1/fx-rates', { currency: 'USD', date: '2026-04-01', rate: '7.2' }));
    const rates = await ok(get('/api/v1/fx-rates?currency=usd'), 200);
    expect(rates.items.map((r: { date: string; rate: string }) => [r.date, r.rate])).toEqual([['2026-04-01', '7.2'], ['2026-03-01', '7.1']]);
    expectError(await post('/api/v1/fx-rates', { currency: 'CNY', date: '2026-03-01', rate: '1' }), 400, 'INVALID_RATE', /^currency$/);
    expectError(await post('/api/v1/fx-rates', { currency: 'USD', date: '2026-03-01', rate: '0' }), 400, 'INVALID_RATE', /^rate$/);
    expectError(await post('/api/v1/fx-rates', { currency: 'USD', date: '2026-03-01', rate: 7.1 }), 400, 'VALIDATION_FAILED', /rate$/);

    await ok(post('/api/v1/customers', { code: 'C-USD', name: 'Acme Inc', currency: 'USD' }));
    // 2026-03-15 takes the 2026-03-01 rate: 1000.00 USD × 7.1 = 7100.00 CNY.
    const march = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-US1', customer: 'C-USD', documentDate: '2026-03-15', amount: '1000.00' }));
    expect(march.document).toMatchObject({ currency: 'USD', fxRate: '7.1', functionalAmount: '7100.00' });
    // 2026-04-02 takes the 2026-04-01 rate: 250.00 × 7.2 = 1800.00 CNY.
    const april = await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-US2', customer: 'C-USD', documentDate: '2026-04-02', amount: '250.00' }));
    expect(april.document).toMatchObject({ fxRate: '7.2', functionalAmount: '1800.00' });
    // Before the first rate on file there is none.
    expectError(await post('/api/v1/documents', { kind: 'invoice', number: 'INV-US0', customer: 'C-USD', documentDate: '2026-02-01', amount: '10.00' }), 400, 'FX_RATE_MISSING', /^fxRate$/);
    // Paid at 7.25: received 1000.00 × 7.25 = 7250.00 CNY against 7100.00 booked, a gain of 150.00 CNY.
    const pay = await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-US1', customer: 'C-USD', documentDate: '2026-04-10', amount: '1000.00', fxRate: '7.25', appliesTo: [{ document: 'INV-US1' }] }));
    expect(pay.allocations).toEqual([expect.objectContaining({ amount: '1000.00', currency: 'USD', fxGain: '150.00' })]);
    // A CNY payment pays a USD invoice at the rate on file (7.2 from 04-01): 100.00 CNY ÷ 7.2 = 13.888… → 13.89 USD;
    // gain 100.00 − 13.89 × 7.2 (100.008 → 100.01) = −0.01 CNY (test/ledger-fx.test.ts has the rest).
    const cny = await ok(post('/api/v1/documents', { kind: 'payment', customer: 'C-USD', currency: 'CNY', documentDate: '2026-04-10', amount: '100.00', appliesTo: [{ document: 'INV-US2' }] }));
    expect(cny.allocations).toEqual([expect.objectContaining({ amount: '13.89', currency: 'USD', creditAmount: '100.00', creditCurrency: 'CNY', fxGain: '-0.01' })]);
    // A rate for a document in the credit's own currency is refused, naming it.
    expectError(await post('/api/v1/documents', { kind: 'payment', customer: 'C-USD', documentDate: '2026-04-10', amount: '10.00', fxRate: '7.2', appliesTo: [{ document: 'INV-US2', rate: '1.1' }] }), 400, 'ALLOCATION_INVALID', /^appliesTo\.0\.rate$/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('OpenAPI', () => {
  it('serves the OpenAPI document with the API paths', async () => {
    const r = await get('/api/openapi.json', { tenant: null });
    expect(r.status).toBe(200);
    const spec = JSON.parse(r.text) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/documents', '/api/v1/allocations', '/api/v1/customers', '/api/v1/customers/{code}', '/api/v1/documents/{ref}/reverse', '/api/v1/terms', '/api/v1/session', '/api/v1/users', '/api/v1/company']) {
      expect(Object.keys(spec.paths), path).toContain(path);
    }
    expect(Object.keys(spec.paths['/api/v1/documents']!)).toEqual(expect.arrayContaining(['get', 'post']));
  });

  it('serves the browsable docs as HTML', async () => {
    let r = await get('/api/docs', { tenant: null });
    for (let hops = 0; r.status >= 300 && r.status < 400 && hops < 3; hops++) {
      const location = String(r.headers.location);
      r = await get(location.startsWith('/') ? location : `/api/docs/${location.replace(/^\.\//, '')}`, { tenant: null });
    }
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/html');
    expect(r.text.toLowerCase()).toContain('<html');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('bad input is a 4xx with {code, message, details}, never a 500', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
  const invoice = { kind: 'invoice', customer: 'C-BADIN', documentDate: '2026-05-01', amount: '10.00' };
  const cases: { name: string; method: 'GET' | 'POST' | 'PATCH'; url: string; body?: unknown; options?: CallOptions; status?: number }[] = [
    { name: 'amount as a number', method: 'POST', url: '/api/v1/documents', body: { ...invoice, amount: 10 } },
    { name: 'amount as null', method: 'POST', url: '/api/v1/documents', body: { ...invoice, amount: null } },
    { name: 'negative amount', method: 'POST', url: '/api/v1/documents', body: { ...invoice, amount: '-10.00' } },
    { name: 'amount beyond 10^17 minor units', method: 'POST', url: '/api/v1/documents', body: { ...invoice, amount: '99999999999999999' } },
    { name: 'missing customer', method: 'POST', url: '/api/v1/documents', body: { kind: 'invoice', documentDate: '2026-05-01', amount: '10.00' } },
    { name: 'missing body', method: 'POST', url: '/api/v1/documents' },
    { name: 'body is an array', method: 'POST', url: '/api/v1/documents', body: [invoice] },
    { name: 'unknown kind', method: 'POST', url: '/api/v1/documents', body: { ...invoice, kind: 'gift' } },
    { name: 'kind reversal cannot be posted', method: 'POST', url: '/api/v1/documents', body: { ...invoice, kind: 'reversal' } },
    { name: 'date 2026-02-30', method: 'POST', url: '/api/v1/documents', body: { ...invoice, documentDate: '2026-02-30' } },
    { name: 'date 2026-13-01', method: 'POST', url: '/api/v1/documents', body: { ...invoice, documentDate: '2026-13-01' } },
    { name: 'date in year 0001', method: 'POST', url: '/api/v1/documents', body: { ...invoice, documentDate: '0001-01-01' } },
    { name: 'date as a timestamp', method: 'POST', url: '/api/v1/documents', body: { ...invoice, documentDate: '2026-05-01T00:00:00Z' } },
    { name: 'due date 2026-02-30', method: 'POST', url: '/api/v1/documents', body: { ...invoice, dueDate: '2026-02-30' } },
    { name: 'posting date 2026-02-29', method: 'POST', url: '/api/v1/documents', body: { ...invoice, postingDate: '2026-02-29' } },
    { name: 'memo beyond 1000 characters', method: 'POST', url: '/api/v1/documents', body: { ...invoice, memo: long(5000) } },
    { name: 'number beyond 64 characters', method: 'POST', url: '/api/v1/documents', body: { ...invoice, number: long(65) } },
    { name: 'number with a colon', method: 'POST', url: '/api/v1/documents', body: { ...invoice, number: 'INV:1' } },
    { name: 'unknown currency', method: 'POST', url: '/api/v1/documents', body: { ...invoice, currency: 'XYZ' } },
    { name: 'currency of 4 letters', method: 'POST', url: '/api/v1/documents', body: { ...invoice, currency: 'USDT' } },
    { name: 'fx rate as text', method: 'POST', url: '/api/v1/documents', body: { ...invoice, fxRate: 'seven' } },
    { name: 'fx rate other than 1 in the functional currency', method: 'POST', url: '/api/v1/documents', body: { ...invoice, fxRate: '7.1' } },
    { name: 'applies to 201 documents', method: 'POST', url: '/api/v1/documents', body: { ...invoice, kind: 'payment', appliesTo: Array.from({ length: 201 }, (_, i) => ({ document: `INV-${i}` })) } },
    { name: 'applies to a document that does not exist', method: 'POST', url: '/api/v1/documents', body: { ...invoice, kind: 'payment', appliesTo: [{ document: 'INV-NONE' }] } },
    { name: 'verified as a string', method: 'POST', url: '/api/v1/documents', body: { ...invoice, kind: 'advance', verified: 'yes' } },
    { name: 'NUL character in a memo', method: 'POST', url: '/api/v1/documents', body: { ...invoice, memo: 'a\u0000b' } },
    { name: 'NUL character in a customer name', method: 'POST', url: '/api/v1/customers', body: { code: 'NUL-1', name: 'a\u0000b' } },
    { name: 'NUL character in a customer code path', method: 'GET', url: '/api/v1/customers/A%00B' },
    { name: 'NUL character in a search', method: 'GET', url: '/api/v1/customers?q=a%00b' },
    { name: 'NUL character in a document reference', method: 'GET', url: '/api/v1/documents/INV%00' },
    { name: 'customer name beyond 200 characters', method: 'POST', url: '/api/v1/customers', body: { code: 'LONG-1', name: long(10_000) } },
    { name: '51 contacts', method: 'POST', url: '/api/v1/customers', body: { code: 'MANY-1', name: 'Many', contacts: Array.from({ length: 51 }, (_, i) => ({ name: `c${i}` })) } },
    { name: 'contacts as an object', method: 'POST', url: '/api/v1/customers', body: { code: 'OBJ-1', name: 'Obj', contacts: { name: 'x' } } },
    { name: 'credit limit as a number', method: 'POST', url: '/api/v1/customers', body: { code: 'NUM-1', name: 'Num', creditLimit: 1000 } },
    { name: 'unknown status', method: 'POST', url: '/api/v1/customers', body: { code: 'ST-1', name: 'St', status: 'vip' } },
    { name: 'parent that does not exist', method: 'POST', url: '/api/v1/customers', body: { code: 'CHILD-1', name: 'Child', parentCode: 'NO-PARENT' } },
    { name: 'customer code beyond 64 characters in the path', method: 'GET', url: `/api/v1/customers/${long(65)}` },
    { name: 'search beyond 100 characters', method: 'GET', url: `/api/v1/customers?q=${long(101)}` },
    { name: 'unknown sort', method: 'GET', url: '/api/v1/customers?sort=balance' },
    { name: 'limit as text', method: 'GET', url: '/api/v1/customers?limit=ten' },
    { name: 'limit with decimals', method: 'GET', url: '/api/v1/customers?limit=2.5' },
    { name: 'customer cursor of garbage', method: 'GET', url: '/api/v1/customers?cursor=%%%' },
    { name: 'customer cursor of the wrong shape', method: 'GET', url: `/api/v1/customers?cursor=${cursorOf([1, 2])}` },
    { name: 'customer cursor beyond 500 characters', method: 'GET', url: `/api/v1/customers?cursor=${long(501)}` },
    { name: 'document cursor of garbage', method: 'GET', url: '/api/v1/documents?cursor=garbage' },
    { name: 'document cursor with a bad date', method: 'GET', url: `/api/v1/documents?cursor=${cursorOf(['2026-02-30', '00000000-0000-7000-8000-000000000000'])}` },
    { name: 'document cursor with a bad id', method: 'GET', url: `/api/v1/documents?cursor=${cursorOf(['2026-02-01', 'not-a-uuid'])}` },
    { name: 'open-items cursor with a bad id', method: 'GET', url: `/api/v1/customers/C-BADIN/open-items?cursor=${cursorOf(['2026-02-01', 'nope'])}` },
    { name: 'allocation cursor with a bad id', method: 'GET', url: `/api/v1/allocations?cursor=${cursorOf(['nope'])}` },
    { name: 'document list from 2026-02-30', method: 'GET', url: '/api/v1/documents?from=2026-02-30' },
    { name: 'document list to 2026-99-99', method: 'GET', url: '/api/v1/documents?to=2026-99-99' },
    { name: 'allocation list from 2026-02-30', method: 'GET', url: '/api/v1/allocations?from=2026-02-30' },
    { name: 'document list of an unknown kind', method: 'GET', url: '/api/v1/documents?kind=gift' },
    { name: 'document list limit 201', method: 'GET', url: '/api/v1/documents?limit=201' },
    { name: 'open-items limit 0', method: 'GET', url: '/api/v1/customers/C-BADIN/open-items?limit=0' },
    { name: 'open-items side sideways', method: 'GET', url: '/api/v1/customers/C-BADIN/open-items?side=sideways' },
    { name: 'fx list currency of 4 letters', method: 'GET', url: '/api/v1/fx-rates?currency=USDT' },
    { name: 'document reference beyond 140 characters', method: 'GET', url: `/api/v1/documents/${long(141)}` },
    { name: 'document reference of 120 characters', method: 'GET', url: `/api/v1/documents/${long(120)}` },
    { name: 'malformed percent-encoding in the path', method: 'GET', url: '/api/v1/documents/INV%E0%A4%A' },
    { name: 'allocation without targets', method: 'POST', url: '/api/v1/allocations', body: { from: { kind: 'payment', number: 'PAY-1' }, to: [] } },
    { name: 'allocation from an invoice', method: 'POST', url: '/api/v1/allocations', body: { from: { kind: 'invoice', number: 'INV-1' }, to: [{ document: 'INV-2' }] } },
    { name: 'allocation of a negative amount', method: 'POST', url: '/api/v1/allocations', body: { from: { kind: 'payment', number: 'PAY-1' }, to: [{ document: 'INV-1', amount: '-5.00' }] } },
    { name: 'allocation dated 2026-02-30', method: 'POST', url: '/api/v1/allocations', body: { from: { kind: 'payment', number: 'PAY-1' }, to: [{ document: 'INV-1' }], date: '2026-02-30' } },
    { name: 'allocation from a payment that does not exist', method: 'POST', url: '/api/v1/allocations', body: { from: { kind: 'payment', number: 'PAY-NONE' }, to: [{ document: 'INV-1' }] } },
    { name: 'reversal without a reason', method: 'POST', url: '/api/v1/documents/INV-100/reverse', body: {} },
    { name: 'reversal dated 2026-02-30', method: 'POST', url: '/api/v1/documents/INV-BADIN/reverse', body: { reason: 'bad date test', date: '2026-02-30' } },
    { name: 'allocation reversal dated 2026-02-30', method: 'POST', url: '/api/v1/allocations/00000000-0000-7000-8000-000000000000/reverse', body: { reason: 'bad date test', date: '2026-02-30' } },
    { name: 'verify dated 2026-02-30', method: 'POST', url: '/api/v1/documents/ADV-BADIN/verify', body: { date: '2026-02-30' } },
    { name: 'verify with a date as a number', method: 'POST', url: '/api/v1/documents/ADV-BADIN/verify', body: { date: 20260101 } },
    { name: 'fx rate dated 2026-02-30', method: 'POST', url: '/api/v1/fx-rates', body: { currency: 'EUR', date: '2026-02-30', rate: '7.8' } },
    { name: 'fx rate with 11 decimals', method: 'POST', url: '/api/v1/fx-rates', body: { currency: 'EUR', date: '2026-02-01', rate: '7.12345678901' } },
    { name: 'fx rate for an unknown currency', method: 'POST', url: '/api/v1/fx-rates', body: { currency: 'XYZ', date: '2026-02-01', rate: '7.8' } },
    { name: 'terms with net as text', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', net: 'thirty' } },
    { name: 'terms with net 1e300', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', net: 1e300 } },
    { name: 'terms with installments beyond 1000 characters', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', installments: `${'1@0,'.repeat(300)}1@0` } },
    { name: 'terms with 25 installments', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', installments: Array.from({ length: 25 }, (_, i) => `4@${i}`).join(',') } },
    { name: 'terms with a zero installment', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', installments: '0@0,100@30' } },
    { name: 'terms with a discount of 100%', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', net: 30, discount: '100/10' } },
    { name: 'terms with months after eom but eom off', method: 'POST', url: '/api/v1/terms', body: { code: 'T-BAD', eom: false, monthsAfterEom: 1 } },
    { name: 'user with an email that is not one', method: 'POST', url: '/api/v1/users', body: { email: 'not an email', name: 'x', role: 'viewer' } },
    { name: 'user with an unknown role', method: 'POST', url: '/api/v1/users', body: { email: 'x@example.com', name: 'x', role: 'root' } },
    { name: 'sign-in with a 300-character password', method: 'POST', url: '/api/v1/session', body: { email: 'x@example.com', password: long(300) }, options: { tenant: null } },
    { name: 'patch with version 1.5', method: 'PATCH', url: '/api/v1/customers/C-BADIN', body: { version: 1.5 } },
    { name: 'patch with an unknown currency', method: 'PATCH', url: '/api/v1/customers/C-BADIN', body: { currency: 'XYZ' } },
    { name: 'ledger verify with rebuild as text', method: 'POST', url: '/api/v1/ledger/verify', body: { rebuild: 'yes' } },
    { name: 'Idempotency-Key beyond 200 characters', method: 'POST', url: '/api/v1/documents', body: invoice, options: { key: long(201) } },
    { name: 'Idempotency-Key with non-ASCII', method: 'POST', url: '/api/v1/documents', body: invoice, options: { key: '键-1' } },
    { name: 'an Authorization header beyond 100 characters', method: 'GET', url: '/api/v1/customers', options: { headers: { authorization: `Bearer arf_${long(200)}` } } },
    { name: 'text/plain body', method: 'POST', url: '/api/v1/documents', options: { raw: 'kind=invoice', headers: { 'content-type': 'text/plain' } } },
    { name: 'JSON body that is a string', method: 'POST', url: '/api/v1/documents', options: { raw: '"invoice"', headers: { 'content-type': 'application/json' } } },
    { name: 'body beyond 1 MiB', method: 'POST', url: '/api/v1/documents', body: { ...invoice, memo: long(1_100_000) }, status: 413 },
  ];

  beforeAll(async () => {
    await ok(post('/api/v1/customers', { code: 'C-BADIN', name: 'Bad input Ltd' }));
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-BADIN', customer: 'C-BADIN', documentDate: '2026-05-01', amount: '10.00' }));
    await ok(post('/api/v1/documents', { kind: 'advance', number: 'ADV-BADIN', customer: 'C-BADIN', documentDate: '2026-05-01', amount: '10.00' }));
  });

  it.each(cases)('$name', async ({ method, url, body, options, status }) => {
    const r = await call(method, url, body, options);
    expect(r.status, `${r.status} ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(r.status, `${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
    if (status) expect(r.status).toBe(status);
    expect(r.body).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    expect(r.body.code).not.toBe('INTERNAL');
  });

  it('left nothing behind: C-BADIN still has its two documents and the invoice is open in full', async () => {
    expect(numbers(await ok(get('/api/v1/documents?customer=C-BADIN'), 200)).sort()).toEqual(['ADV-BADIN', 'INV-BADIN']);
    expect((await doc('INV-BADIN')).open).toBe('10.00');
    expect((await doc('ADV-BADIN')).verifiedOn).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * On PostgreSQL the racers really run at once (a pool of 20 connections). To be sure they overlap rather than
 * happen to run one after another, a separate transaction holds the row lock of the contended balance until every
 * racer is inside its own transaction waiting for it, then lets them all go at once. PGlite runs one transaction at a
 * time, so there the race is only as concurrent as the event loop makes it (and trivially safe).
 */
async function gate(itemId: string, waiters: number): Promise<{ opened: Promise<void> }> {
  if (test.engine !== 'postgres') return { opened: Promise.resolve() };
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => { locked = resolve; });
  const opened = test.db.system(async (sql) => {
    await sql.query(`SELECT 1 FROM item_balances WHERE item_id = $1 FOR UPDATE`, [itemId]);
    locked();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [row] = await test.db.system((s) => s.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`));
      if (row!.n >= waiters) return;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${waiters} racers reached the lock in 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  await Promise.race([isLocked, opened]);
  return { opened };
}

describe('concurrency: two clients racing to apply the same payment cannot both succeed', () => {
  const itemOf = async (ref: string) => (await doc(ref)).items[0].id as string;
  const verifyClean = async () => {
    const report = await ok(post('/api/v1/ledger/verify', {}), 200);
    expect(report.problems).toEqual([]);
  };

  beforeAll(async () => {
    await ok(post('/api/v1/customers', { code: 'C-RACE', name: '并发测试有限公司' }));
  });

  it('8 concurrent applications of one payment: exactly one succeeds', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE1', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE1', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00' }));
    const body = { from: { kind: 'payment', number: 'PAY-RACE1' }, to: [{ document: 'INV-RACE1', amount: '100.00' }] };
    const { opened } = await gate(await itemOf('PAY-RACE1'), 8);
    const racers = Promise.all(Array.from({ length: 8 }, (_, i) => post('/api/v1/allocations', body, i % 2 === 0 ? { key: `race-1-${i}` } : {})));
    await opened;
    const replies = await racers;
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 201)) expectError(r, 409);
    expect(replies.filter((r) => r.status !== 201).map((r) => r.body.code as string).every((c) => ['CREDIT_FULLY_APPLIED', 'OVER_APPLIED'].includes(c))).toBe(true);
    // 100.00 - 100.00 = 0.00 on both sides, applied once.
    expect((await doc('INV-RACE1')).open).toBe('0.00');
    expect((await doc('PAY-RACE1')).open).toBe('0.00');
    expect((await doc('PAY-RACE1')).allocations).toHaveLength(1);
    await verifyClean();
  });

  it('two payments racing for one invoice: exactly one is applied', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE2', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE2A', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE2B', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00' }));
    const { opened } = await gate(await itemOf('INV-RACE2'), 2);
    const racers = Promise.all(['PAY-RACE2A', 'PAY-RACE2B'].map((number) =>
      post('/api/v1/allocations', { from: { kind: 'payment', number }, to: [{ document: 'INV-RACE2', amount: '100.00' }] })));
    await opened;
    const replies = await racers;
    expect(replies.filter((r) => r.status >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const loser = replies.find((r) => r.status !== 201)!;
    // The loser finds the invoice paid: "INV-RACE2 has nothing open".
    expect(loser.status).toBe(409);
    expect(['ALLOCATION_EXCEEDS_OPEN', 'OVER_APPLIED']).toContain(loser.body.code);
    // Invoice 100.00 paid once; one payment fully applied (0.00 open), the other untouched (100.00 open).
    expect((await doc('INV-RACE2')).open).toBe('0.00');
    expect([(await doc('PAY-RACE2A')).open, (await doc('PAY-RACE2B')).open].sort()).toEqual(['0.00', '100.00']);
    await verifyClean();
  });

  it('5 payments posted at once, each applied to the same invoice: one is posted, the invoice is paid once', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE3', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    const { opened } = await gate(await itemOf('INV-RACE3'), 5);
    const racers = Promise.all(Array.from({ length: 5 }, (_, i) =>
      post('/api/v1/documents', { kind: 'payment', number: `PAY-RACE3-${i}`, customer: 'C-RACE', documentDate: '2026-06-03', amount: '100.00', appliesTo: [{ document: 'INV-RACE3' }] })));
    await opened;
    const replies = await racers;
    expect(replies.filter((r) => r.status >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    // A payment that cannot be applied as asked is not posted at all (all or nothing).
    const posted = numbers(await ok(get('/api/v1/documents?customer=C-RACE&kind=payment&q=PAY-RACE3'), 200));
    expect(posted).toHaveLength(1);
    expect((await doc('INV-RACE3')).open).toBe('0.00');
    await verifyClean();
  });

  it('one Idempotency-Key sent 4 times at once applies once and answers alike', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE4', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE4', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00' }));
    const body = { from: { kind: 'payment', number: 'PAY-RACE4' }, to: [{ document: 'INV-RACE4', amount: '40.00' }] };
    // All 4 wait on the payment's lock; the first to get it applies, the others then fail on what it did and replay.
    const { opened } = await gate(await itemOf('PAY-RACE4'), 4);
    const racers = Promise.all(Array.from({ length: 4 }, () => post('/api/v1/allocations', body, { key: 'race-4-same-key' })));
    await opened;
    const replies = await racers;
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.batchId)).size).toBe(1);
    // 100.00 - 40.00 = 60.00 open on both sides: applied once, not 4 × 40.00.
    expect((await doc('INV-RACE4')).open).toBe('60.00');
    expect((await doc('PAY-RACE4')).open).toBe('60.00');
    await verifyClean();
  });

  it('one Idempotency-Key on 4 simultaneous auto-numbered receipts posts one receipt, and all 4 answers name it', async () => {
    const body = { kind: 'advance', customer: 'C-RACE', documentDate: '2026-06-03', amount: '75.00', memo: 'race-auto-number' };
    // Nothing to fail on here: each twin numbers and inserts its own receipt, then waits on the first one's key and
    // must roll all of it back when that commits.
    const replies = await Promise.all(Array.from({ length: 4 }, () => post('/api/v1/documents', body, { key: 'race-auto-number' })));
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const numbers = new Set(replies.map((r) => r.body.document.number));
    expect(numbers.size).toBe(1);
    const listed = await get('/api/v1/documents?kind=advance&customer=C-RACE&limit=200');
    expect(listed.body.items.filter((d: { memo: string | null }) => d.memo === 'race-auto-number').map((d: { number: string }) => d.number)).toEqual([...numbers]);
    await verifyClean();
  });

  it('two clients reversing one payment at once: one reversal', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE5', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE5', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00', appliesTo: [{ document: 'INV-RACE5' }] }));
    const { opened } = await gate(await itemOf('PAY-RACE5'), 2);
    const racers = Promise.all([0, 1].map(() => post('/api/v1/documents/payment:PAY-RACE5/reverse', { reason: 'bank returned the payment' })));
    await opened;
    const replies = await racers;
    expect(replies.filter((r) => r.status >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expectError(replies.find((r) => r.status !== 201)!, 409, 'ALREADY_REVERSED');
    // The invoice is owed again, once: 100.00.
    expect((await doc('INV-RACE5')).open).toBe('100.00');
    expect((await doc('PAY-RACE5')).status).toBe('reversed');
    await verifyClean();
  });

  it('two clients reversing one unpaid invoice at once: one reversal', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE6', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    const { opened } = await gate(await itemOf('INV-RACE6'), 2);
    const racers = Promise.all([0, 1].map(() => post('/api/v1/documents/invoice:INV-RACE6/reverse', { reason: 'issued in error' })));
    await opened;
    const replies = await racers;
    expect(replies.filter((r) => r.status >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expectError(replies.find((r) => r.status !== 201)!, 409, 'ALREADY_REVERSED');
    expect(await doc('INV-RACE6')).toMatchObject({ open: '0.00', status: 'reversed' });
    // One reversal document, not two.
    expect(numbers(await ok(get('/api/v1/documents?customer=C-RACE&kind=reversal&q=REV-INV-RACE6'), 200))).toEqual(['REV-INV-RACE6']);
    await verifyClean();
  });

  it('two clients undoing one allocation at once: undone once', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE7', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    const pay = await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE7', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00', appliesTo: [{ document: 'INV-RACE7', amount: '70.00' }] }));
    const allocationId = pay.allocations[0].id as string;
    const { opened } = await gate(await itemOf('PAY-RACE7'), 2);
    const racers = Promise.all([0, 1].map(() => post(`/api/v1/allocations/${allocationId}/reverse`, { reason: 'wrong invoice' })));
    await opened;
    const replies = await racers;
    expect(replies.filter((r) => r.status >= 500), replies.map((r) => r.text).join('\n')).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expectError(replies.find((r) => r.status !== 201)!, 409, 'ALREADY_REVERSED');
    // 70.00 given back once: invoice 100.00 open, payment 100.00 unapplied (not 170.00, which the balance check would refuse).
    expect((await doc('INV-RACE7')).open).toBe('100.00');
    expect((await doc('PAY-RACE7')).open).toBe('100.00');
    await verifyClean();
  });

  it('applying a payment while another client reverses it: whatever the order, the invoice ends unpaid', async () => {
    await ok(post('/api/v1/documents', { kind: 'invoice', number: 'INV-RACE8', customer: 'C-RACE', documentDate: '2026-06-01', amount: '100.00' }));
    await ok(post('/api/v1/documents', { kind: 'payment', number: 'PAY-RACE8', customer: 'C-RACE', documentDate: '2026-06-02', amount: '100.00' }));
    const { opened } = await gate(await itemOf('PAY-RACE8'), 2);
    const [applied, reversed] = await Promise.all([
      post('/api/v1/allocations', { from: { kind: 'payment', number: 'PAY-RACE8' }, to: [{ document: 'INV-RACE8' }] }),
      post('/api/v1/documents/payment:PAY-RACE8/reverse', { reason: 'duplicate receipt' }),
      opened,
    ]);
    expect([applied!.status, reversed!.status].filter((s) => s >= 500), `${applied!.text}\n${reversed!.text}`).toEqual([]);
    // The reversal always goes through: after the application it undoes it, before it the application finds nothing left.
    expect(reversed!.status, reversed!.text).toBe(201);
    if (applied!.status !== 201) expectError(applied!, 409);
    expect((await doc('INV-RACE8')).open).toBe('100.00');
    expect((await doc('PAY-RACE8')).status).toBe('reversed');
    await verifyClean();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('ledger verify', () => {
  it('finds the cached open amounts equal to the ledger after everything above', async () => {
    const report = await ok(post('/api/v1/ledger/verify'), 200);
    expect(report.problems).toEqual([]);
    expect(report.rebuilt).toBe(0);
    expect(report.documents).toBeGreaterThan(20);
    expect(report.allocations).toBeGreaterThan(10);
    const health = await ok(get('/api/v1/health', { tenant: null }), 200);
    expect(health).toMatchObject({ status: 'ok', database: test.engine });
  });
});
