/**
 * Cash matching on a real database (both engines): a camt.053 statement is imported and matched through the API;
 * sure lines are applied through the ledger (payments, a discount written off), a suggested one is accepted by a
 * user (the payer account is learned and recognised on the next statement), an unmatched one is applied by hand with
 * cash left on account, an automatic application is undone by reversal. Figures worked out by hand in the comments.
 *
 * Company ACME (CNY), clock 2026-07-01. Open invoices:
 *   C1 上海华东贸易有限公司   INV-2026-0012 12,800.00 (2026-06-01)   INV-2026-0030 2,000.00 (2026-06-15)
 *   C2 杭州ABC科技有限公司    INV-2026-0013  3,450.50 (2026-06-05)   INV-2026-0014 1,000.00 (2026-06-10)   INV-2026-0015 3,000.00 (2026-06-12)
 *   C3 北京远景科技有限公司   INV-2026-0020  5,000.00 (2026-06-25, terms 2/10 net 30: 100.00 off until 2026-07-05)
 * Statement of 2026-06-30, opening 100,000.00:
 *   1  + 12,800.00  上海华东贸易有限公司  "货款 INV-2026-0012"   name 30 + invoice 50 + amount 30 = 110 → 100: applied automatically
 *   2  +  4,900.00  北京远景科技          "INV-2026-0020"        name 30 + invoice 50 + discount 25 = 105 → 100: applied, 100.00 written off
 *   3  +  4,450.50  杭州ABC科枝 (19005550001) "June payment"     similar name 20 (a mistyped 技: Dice 5/6 pairs = 0.83) + sum of
 *                                                                3,450.50 + 1,000.00 25 = 45: suggested (a Dice-similar name is no sure payer,
 *                                                                so the sure rule PAYER_SUBSET does not apply; the abbreviation 杭州ABC would)
 *   4  +    777.00  Foo Trading           "misc"                 nothing fits: unmatched
 *   5  −      5.50  bank fee                                     not an incoming payment
 *   closing 100,000.00 + 12,800.00 + 4,900.00 + 4,450.50 + 777.00 − 5.50 = 122,922.00
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { listLines } from '../src/modules/bank/matching.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { createTerms } from '../src/modules/terms/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-01T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;
let collector: Record<string, string>;

const ntry = (amount: string, side: 'CRDT' | 'DBIT', ref: string, day: string, party = '', account = '', text = '') => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>${side}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>${day}</Dt></BookgDt><ValDt><Dt>${day}</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>${party ? `<NtryDtls><TxDtls>
<RltdPties><Dbtr><Nm>${party}</Nm></Dbtr>${account ? `<DbtrAcct><Id><Othr><Id>${account}</Id></Othr></Id></DbtrAcct>` : ''}</RltdPties>
<RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls>` : '<AddtlNtryInf>手续费 bank fee</AddtlNtryInf>'}</Ntry>`;
const camt = (id: string, day: string, opening: string, closing: string, entries: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>${id}</MsgId><CreDtTm>${day}T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>${id}</Id><Acct><Id><Othr><Id>CN-ICBC-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>
${entries.join('\n')}
</Stmt></BkToCstmrStmt></Document>`;
const STATEMENT = camt('STMT-20260630', '2026-06-30', '100000.00', '122922.00', [
  ntry('12800.00', 'CRDT', 'R1', '2026-06-30', '上海华东贸易有限公司', '31001234567', '货款 INV-2026-0012'),
  ntry('4900.00', 'CRDT', 'R2', '2026-06-30', '北京远景科技', '62220000001', 'INV-2026-0020'),
  ntry('4450.50', 'CRDT', 'R3', '2026-06-30', '杭州ABC科枝', '19005550001', 'June payment'),
  ntry('777.00', 'CRDT', 'R4', '2026-06-30', 'Foo Trading', '', 'misc'),
  ntry('5.50', 'DBIT', 'R5', '2026-06-30'),
]);

const b64 = (text: string) => Buffer.from(text).toString('base64');
const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });
const openOf = async (number: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ open: bigint }>(
  `SELECT sum(b.open_minor)::bigint AS open FROM item_balances b JOIN items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
   JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id WHERE b.tenant_id = $1 AND d.number = $2`, [ctx.tenant.id, number])))[0]!.open;
const count = async (where: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE tenant_id = $1 AND ${where}`, [ctx.tenant.id])))[0]!.n;

let statementId = '';
let lines: { id: string; seq: number; status: string; proposals: { id: string; score: number; customer: { code: string }; reasons: { code: string; points: number }[]; allocations: { document: string; amount: string }[] }[]; application: { payment: string; writeOff: string | null; unapplied: string } | null }[] = [];
const lineNo = (seq: number) => lines.find((l) => l.seq === seq)!;
const refresh = async () => {
  const res = await get(`/api/v1/bank/statements/${statementId}/lines`);
  expect(res.statusCode).toBe(200);
  lines = res.json().lines;
  return res.json();
};

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'ACME' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
  collector = { authorization: `Bearer ${await adminToken(ctx, 'collector')}` };
  await createTerms(ctx, { code: 'D2N30', net: 30, discount: '2/10' });
  await createCustomer(ctx, { code: 'C1', name: '上海华东贸易有限公司', collector: 'wang' });
  await createCustomer(ctx, { code: 'C2', name: '杭州ABC科技有限公司', collector: 'zhao' });
  await createCustomer(ctx, { code: 'C3', name: '北京远景科技有限公司', paymentTerms: 'D2N30' });
  const invoice = (number: string, customer: string, documentDate: string, amount: string) =>
    postDocument(ctx, { kind: 'invoice', number, customer, documentDate, amount, ...(customer === 'C3' ? {} : { dueDate: '2026-07-31' }) });
  await invoice('INV-2026-0012', 'C1', '2026-06-01', '12800.00');
  await invoice('INV-2026-0030', 'C1', '2026-06-15', '2000.00');
  await invoice('INV-2026-0013', 'C2', '2026-06-05', '3450.50');
  await invoice('INV-2026-0014', 'C2', '2026-06-10', '1000.00');
  await invoice('INV-2026-0015', 'C2', '2026-06-12', '3000.00');
  await invoice('INV-2026-0020', 'C3', '2026-06-25', '5000.00');
  const res = await post('/api/v1/bank/statements', { fileName: 'icbc-20260630.xml', content: b64(STATEMENT) });
  expect(res.statusCode).toBe(201);
  statementId = res.json().statements[0].id;
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('cash matching', () => {
  it('a dry run proposes and writes nothing', async () => {
    const res = await post(`/api/v1/bank/statements/${statementId}/match`, { dryRun: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts).toEqual({ lines: 5, autoApplied: 2, suggested: 1, unmatched: 1, alreadyApplied: 0, notCredits: 1 });
    expect(await count(`kind = 'payment'`)).toBe(0);
    expect((await refresh()).counts.notMatched).toBe(4);
  });

  it('matching applies the two sure lines through the ledger, suggests one and leaves one unmatched', async () => {
    const res = await post(`/api/v1/bank/statements/${statementId}/match`, {});
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toEqual({ lines: 5, autoApplied: 2, suggested: 1, unmatched: 1, alreadyApplied: 0, notCredits: 1 });
    expect(body.lines.map((l: { seq: number; status: string; bestScore: number | null }) => [l.seq, l.status, l.bestScore])).toEqual([
      [1, 'auto_applied', 100], [2, 'auto_applied', 100], [3, 'suggested', 45], [4, 'unmatched', null], [5, 'not_a_credit', null],
    ]);
    // Line 1: INV-2026-0012 closed by a payment of 12,800.00.
    expect(await openOf('INV-2026-0012')).toBe(0n);
    // Line 2: 4,900.00 paid + 100.00 discount written off = 5,000.00: closed.
    expect(await openOf('INV-2026-0020')).toBe(0n);
    expect(await count(`kind = 'payment'`)).toBe(2);
    expect(await count(`kind = 'write_off' AND amount_minor = 10000`)).toBe(1);
    await refresh();
    expect(lineNo(1).proposals[0]!.reasons.map((r) => [r.code, r.points])).toEqual([['NAME_EXACT', 30], ['INVOICE_EXACT', 50], ['AMOUNT_EXACT', 30]]);
    expect(lineNo(2).application).toMatchObject({ unapplied: '0.00' });
    expect(lineNo(2).application!.writeOff).toMatch(/^WO-/);
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE 'bank.%' ORDER BY occurred_at, id`, [ctx.tenant.id]));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['bank.line.auto_apply', 'bank.match']));
  });

  it('matching again changes nothing for the applied lines (a line is applied once)', async () => {
    const body = (await post(`/api/v1/bank/statements/${statementId}/match`, {})).json();
    expect(body.counts).toMatchObject({ autoApplied: 0, alreadyApplied: 2, suggested: 1, unmatched: 1 });
    expect(await count(`kind = 'payment'`)).toBe(2);
  });

  it('the suggested line shows its proposal with reasons; a user accepts it and the payer account is learned', async () => {
    await refresh();
    const three = lineNo(3);
    expect(three.status).toBe('suggested');
    const [best] = three.proposals;
    expect(best).toMatchObject({ score: 45, customer: { code: 'C2' } });
    expect(best!.reasons.map((r) => [r.code, r.points])).toEqual([['NAME_SIMILAR', 20], ['AMOUNT_SUM', 25]]);
    expect(best!.allocations.map((a) => [a.document, a.amount])).toEqual([['INV-2026-0013', '3450.50'], ['INV-2026-0014', '1000.00']]);
    const res = await post(`/api/v1/bank/lines/${three.id}/accept`, { proposalId: best!.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'applied', learnedAccount: '19005550001' });
    expect(await openOf('INV-2026-0013')).toBe(0n);
    expect(await openOf('INV-2026-0014')).toBe(0n);
    const again = await post(`/api/v1/bank/lines/${three.id}/accept`, { proposalId: best!.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('BANK_LINE_ALREADY_APPLIED');
  });

  it('an unmatched line is applied by hand to chosen items; what is left stays as unapplied cash', async () => {
    const four = lineNo(4);
    const bad = await post(`/api/v1/bank/lines/${four.id}/accept`, { customer: 'C1', allocations: [{ document: 'INV-2026-0030', amount: '900.00' }] });
    // 900.00 is more than the line's 777.00.
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/allocations/);
    const res = await post(`/api/v1/bank/lines/${four.id}/accept`, { customer: 'C1', allocations: [{ document: 'INV-2026-0030', amount: '500.00' }] });
    expect(res.statusCode).toBe(200);
    // 2,000.00 − 500.00 = 1,500.00 open; 777.00 − 500.00 = 277.00 stays on the payment.
    expect(await openOf('INV-2026-0030')).toBe(150_000n);
    await refresh();
    expect(lineNo(4)).toMatchObject({ status: 'applied', application: { unapplied: '277.00' } });
    expect(await openOf(lineNo(4).application!.payment)).toBe(27_700n);
  });

  it('an automatic application is undone by reversal; matching again does not re-apply what was undone', async () => {
    const one = lineNo(1);
    expect((await post(`/api/v1/bank/lines/${one.id}/undo`, {})).statusCode).toBe(400);
    const res = await post(`/api/v1/bank/lines/${one.id}/undo`, { reason: 'wrong customer, the bank says' });
    expect(res.statusCode).toBe(200);
    expect(res.json().reversal).toMatch(/^REV-/);
    expect(await openOf('INV-2026-0012')).toBe(1_280_000n);
    expect(await count(`kind = 'reversal'`)).toBe(1);
    const body = (await post(`/api/v1/bank/statements/${statementId}/match`, {})).json();
    expect(body.lines[0]).toMatchObject({ seq: 1, status: 'rejected' });
    expect(await openOf('INV-2026-0012')).toBe(1_280_000n);
    expect((await post(`/api/v1/bank/lines/${one.id}/undo`, { reason: 'again' })).json().code).toBe('BANK_LINE_NOT_APPLIED');
  });

  it('the learned account identifies the payer on the next statement: account 40 + reference 45 + amount 30 → applied', async () => {
    const next = camt('STMT-20260701', '2026-07-01', '122922.00', '125922.00', [
      ntry('3000.00', 'CRDT', 'S1', '2026-07-01', 'ABC HZ', '1900 5550 001', 'inv 2026 0015'),
    ]);
    const res = await post('/api/v1/bank/statements?match=true', { content: b64(next) });
    expect(res.statusCode).toBe(201);
    expect(res.json().matching[0].counts).toMatchObject({ autoApplied: 1 });
    const id = res.json().statements[0].id;
    const page = (await get(`/api/v1/bank/statements/${id}/lines`)).json();
    expect(page.lines[0].proposals[0].reasons.map((r: { code: string; points: number }) => [r.code, r.points])).toEqual([['ACCOUNT_KNOWN', 40], ['INVOICE_NORMALIZED', 45], ['AMOUNT_EXACT', 30]]);
    expect(await openOf('INV-2026-0015')).toBe(0n);
  });

  it('a sure rule reads the paid invoices the text names: 1,500.00 from C4 is INV-2026-0041\'s open amount, but "inv 2026 OO42" names the paid INV-2026-0042 (a duplicate?)', async () => {
    // C4 苏州德尔塔电子有限公司: INV-2026-0041 1,500.00 open, INV-2026-0042 800.00 paid. D1 names INV-2026-0042 (O read as
    // 0): found by its number key (the module reads it although it is not open), so no sure rule; INV-2026-0041 by
    // name 30 + amount 30 = 60, suggested. D2, the same payment without a reference: PAYER_AMOUNT, applied (dry run).
    await createCustomer(ctx, { code: 'C4', name: '苏州德尔塔电子有限公司' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-2026-0041', customer: 'C4', documentDate: '2026-06-20', dueDate: '2026-07-31', amount: '1500.00' });
    await postDocument(ctx, { kind: 'invoice', number: 'INV-2026-0042', customer: 'C4', documentDate: '2026-06-21', dueDate: '2026-07-31', amount: '800.00' });
    await postDocument(ctx, { kind: 'payment', customer: 'C4', documentDate: '2026-06-28', amount: '800.00', appliesTo: [{ document: 'INV-2026-0042', amount: '800.00' }] });
    expect(await openOf('INV-2026-0042')).toBe(0n);
    const dup = camt('STMT-DUP', '2026-07-01', '0.00', '3000.00', [
      ntry('1500.00', 'CRDT', 'D1', '2026-07-01', '苏州德尔塔电子有限公司', '', '货款 inv 2026 OO42'),
      ntry('1500.00', 'CRDT', 'D2', '2026-07-01', '苏州德尔塔电子有限公司', '', '货款'),
    ]);
    const imported = await post('/api/v1/bank/statements', { content: b64(dup) });
    expect(imported.statusCode).toBe(201);
    const res = await post(`/api/v1/bank/statements/${imported.json().statements[0].id}/match`, { dryRun: true });
    expect(res.statusCode).toBe(200);
    const [d1, d2] = res.json().lines as { status: string; bestScore: number; proposals: { reasons: { code: string }[]; allocations: { document: string }[] }[] }[];
    expect([d1!.status, d1!.bestScore]).toEqual(['suggested', 60]);
    expect(d1!.proposals[0]!.reasons.map((r) => r.code)).toEqual(['NAME_EXACT', 'AMOUNT_EXACT']);
    expect(d2!.status).toBe('auto_applied');
    expect(d2!.proposals[0]!.allocations.map((a) => a.document)).toEqual(['INV-2026-0041']);
    expect(d2!.proposals[0]!.reasons.map((r) => r.code)).toEqual(['NAME_EXACT', 'AMOUNT_EXACT', 'SURE_RULE']);
  });

  it('a statement that does not balance is not applied automatically: its sure line waits, with the reason', async () => {
    // 1,000.00 + 2,000.00 = 3,000.00, but the bank's closing says 2,900.00.
    const odd = camt('STMT-ODD', '2026-07-01', '1000.00', '2900.00', [ntry('2000.00', 'CRDT', 'O1', '2026-07-01', '上海华东贸易有限公司', '', 'INV-2026-0030')]);
    const res = await post('/api/v1/bank/statements?match=true', { content: b64(odd) });
    expect(res.json().statements[0]).toMatchObject({ balanceCheck: 'mismatch' });
    expect(res.json().matching[0].counts).toMatchObject({ autoApplied: 0, suggested: 1 });
    const page = (await get(`/api/v1/bank/statements/${res.json().statements[0].id}/lines`)).json();
    expect(page.lines[0]).toMatchObject({ status: 'suggested', note: expect.stringMatching(/does not balance/) });
  });

  it('rejecting a line\'s proposals leaves it rejected; collectors may read but not decide', async () => {
    expect((await get(`/api/v1/bank/statements/${statementId}/lines`, collector)).statusCode).toBe(200);
    expect((await post(`/api/v1/bank/statements/${statementId}/match`, {}, collector)).statusCode).toBe(403);
    expect((await post(`/api/v1/bank/lines/${lineNo(3).id}/reject`, {}, collector)).statusCode).toBe(403);
    const applied = await post(`/api/v1/bank/lines/${lineNo(3).id}/reject`, {});
    expect(applied.json().code).toBe('BANK_LINE_ALREADY_APPLIED');
    expect((await post(`/api/v1/bank/lines/00000000-0000-0000-0000-000000000000/reject`, {})).statusCode).toBe(404);
    expect((await get(`/api/v1/bank/statements/nope/lines`)).json().code).toBe('BANK_STATEMENT_NOT_FOUND');
  });

  it('a collector sees the applications and proposals of their own customers only', async () => {
    const wang: Context = { ...ctx, actor: 'wang@acme.cn', principal: { tenantId: ctx.tenant.id, userId: null, actor: 'wang@acme.cn', name: 'wang', role: 'collector', handle: 'wang', via: 'session' } };
    const page = await t.db.tenant(ctx.tenant.id, (sql) => listLines(wang, sql, statementId));
    const bySeq = (seq: number) => page.lines.find((l) => l.seq === seq)!;
    // Line 4 was applied to C1 (wang's); line 3 to C2 (zhao's): its application is not shown to wang.
    expect(bySeq(4).application).toMatchObject({ customer: { code: 'C1' } });
    expect(bySeq(3).application).toBeNull();
    expect(page.lines.flatMap((l) => l.proposals).every((p) => p.customer.code === 'C1')).toBe(true);
  });

  it('settings: read, change (audited), and refuse an auto-apply score below the suggest score', async () => {
    expect((await get('/api/v1/bank/matching-settings')).json()).toMatchObject({ autoApplyScore: 80, suggestScore: 40, ambiguityMargin: 10, chargeTolerance: '0.00' });
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: auth, payload: { autoApplyScore: 30 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/autoApplyScore/);
    const ok = await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: auth, payload: { chargeTolerance: '20.00', ambiguityMargin: 15 } });
    expect(ok.statusCode).toBe(200);
    expect((await get('/api/v1/bank/matching-settings', collector)).json()).toMatchObject({ chargeTolerance: '20.00', ambiguityMargin: 15 });
    expect((await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: collector, payload: { ambiguityMargin: 5 } })).statusCode).toBe(403);
  });

  it('the CLI: bank lines and bank match --dry-run --format json', async () => {
    const run = cliRunner(t.db, CLOCK, 'ACME');
    const dry = await run(['bank', 'match', '--statement', statementId, '--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, counts: { alreadyApplied: 3, lines: 5 } });
    const text = await run(['bank', 'lines', '--statement', statementId]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/auto_applied/);
    expect(text.out).toMatch(/INVOICE_EXACT \+50/);
    const missing = await run(['bank', 'match', '--statement', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/no bank statement has id nope/);
  });
});
