/**
 * Cash matching of payments in another currency than the invoices' (issue 7), on both engines: a CNY statement paying
 * USD invoices. Each line is matched through the API and applied through the ledger's cross-currency allocation.
 * Figures worked out by hand in the comments.
 *
 * Company FXB (CNY), clock 2026-04-30. USD rates on file: 7.1000 from 2026-03-01, 7.1500 from 2026-04-15.
 *   U1 Acme Components Inc.  INV-U-1001  1,000.00 USD (2026-03-01, booked at 7.10: 7,100.00 CNY)
 *   U2 Pacific Traders LLC   INV-U-2001  2,000.00 USD (2026-03-01, 14,200.00 CNY)   INV-U-2002  300.00 USD (2026-03-01, 2,130.00 CNY)
 * Statement of 2026-04-20 (CNY), opening 0.00; the USD rate then is 7.15; the tolerance for the bank's rate 0.5%:
 *   1  + 7,150.00  Acme Components Inc.  "payment INV-U-1001"  1,000.00 × 7.15 = 7,150.00: name 30 + invoice 50 + AMOUNT_FX 30 → 100: applied
 *   2  +14,300.00  Pacific Traders LLC   "April"               2,000.00 × 7.15 = 14,300.00: name 30 + AMOUNT_FX 30 = 60: suggested
 *   3  + 2,000.00  Pacific Traders LLC   "INV-U-2002"          300.00 × 7.15 = 2,145.00; 145.00 short, more than 0.5% (10.72):
 *                                                              name 30 + invoice 50 + partial 5 = 85, yet not applied (outside the tolerance)
 *   closing 7,150.00 + 14,300.00 + 2,000.00 = 23,450.00
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { setFxRate } from '../src/modules/fx/index.ts';
import { getDocument, postDocument, verifyLedger } from '../src/modules/ledger/index.ts';
import { adminToken, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-04-30T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;

const ntry = (amount: string, ref: string, party: string, text: string) => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-04-20</Dt></BookgDt><ValDt><Dt>2026-04-20</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><Dbtr><Nm>${party}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
const STATEMENT = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>FX-20260420</MsgId><CreDtTm>2026-04-20T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>FX-20260420</Id><Acct><Id><Othr><Id>CN-BOC-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-20</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">23450.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-20</Dt></Dt></Bal>
${ntry('7150.00', 'F1', 'Acme Components Inc.', 'payment INV-U-1001')}
${ntry('14300.00', 'F2', 'Pacific Traders LLC', 'April')}
${ntry('2000.00', 'F3', 'Pacific Traders LLC', 'INV-U-2002')}
</Stmt></BkToCstmrStmt></Document>`;

interface Line {
  id: string; seq: number; status: string; note: string;
  proposals: { id: string; score: number; kind: string; fxRate: string | null; reasons: { code: string; points: number; words: string }[]; allocations: { document: string; open: string; amount: string; currency?: string; settles?: string }[] }[];
  application: { payment: string; unapplied: string } | null;
}
let statementId = '';
let lines: Line[] = [];
const lineNo = (seq: number) => lines.find((l) => l.seq === seq)!;
const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
const refresh = async () => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/bank/statements/${statementId}/lines`, headers: auth });
  expect(res.statusCode).toBe(200);
  lines = res.json().lines;
};
const doc = (ref: string) => t.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, ref));

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'FXB' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
  await setFxRate(ctx, { currency: 'USD', date: '2026-03-01', rate: '7.1000' });
  await setFxRate(ctx, { currency: 'USD', date: '2026-04-15', rate: '7.1500' });
  await createCustomer(ctx, { code: 'U1', name: 'Acme Components Inc.', currency: 'USD' });
  await createCustomer(ctx, { code: 'U2', name: 'Pacific Traders LLC', currency: 'USD' });
  const invoice = (number: string, customer: string, amount: string) => postDocument(ctx, { kind: 'invoice', number, customer, documentDate: '2026-03-01', dueDate: '2026-03-31', amount });
  await invoice('INV-U-1001', 'U1', '1000.00');
  await invoice('INV-U-2001', 'U2', '2000.00');
  await invoice('INV-U-2002', 'U2', '300.00');
  const res = await post('/api/v1/bank/statements', { fileName: 'boc-20260420.xml', content: Buffer.from(STATEMENT).toString('base64') });
  expect(res.statusCode, res.body).toBe(201);
  statementId = res.json().statements[0].id;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('cash matching across currencies', () => {
  it('applies the line that quotes its invoice and fits at the rate on file, suggests the others', async () => {
    const res = await post(`/api/v1/bank/statements/${statementId}/match`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().counts).toMatchObject({ lines: 3, autoApplied: 1, suggested: 2, unmatched: 0 });
    await refresh();
    const one = lineNo(1);
    expect(one.status).toBe('auto_applied');
    expect(one.proposals[0]!.reasons.map((r) => [r.code, r.points])).toEqual([['NAME_EXACT', 30], ['INVOICE_EXACT', 50], ['AMOUNT_FX', 30]]);
    // The rate used and the converted amount are reasons; both amounts are shown.
    expect(one.proposals[0]!.reasons.find((r) => r.code === 'AMOUNT_FX')!.words).toContain('1000.00 USD at 7.15 CNY/USD (the rate on file on 2026-04-20) is 7150.00 CNY');
    expect(one.proposals[0]).toMatchObject({ fxRate: '7.15', allocations: [{ document: 'INV-U-1001', open: '1000.00', amount: '7150.00', currency: 'USD', settles: '1000.00' }] });
    // In the ledger: 1,000.00 USD settled by 7,150.00 CNY; gain 7,150.00 − 7,100.00 = 50.00 CNY.
    expect((await doc('INV-U-1001')).allocations).toEqual([expect.objectContaining({ amount: '1000.00', currency: 'USD', creditAmount: '7150.00', creditCurrency: 'CNY', fxGain: '50.00' })]);
    expect((await doc('INV-U-1001')).open).toBe('0.00');
  });

  it('suggests a line naming no invoice even though the converted amount fits', async () => {
    const two = lineNo(2);
    expect(two.status).toBe('suggested');
    // NAME_EXACT 30 + AMOUNT_FX 30 = 60.
    expect(two.proposals[0]).toMatchObject({ score: 60, fxRate: '7.15', allocations: [{ document: 'INV-U-2001', amount: '14300.00', currency: 'USD', settles: '2000.00' }] });
    // Accepted as proposed: 2,000.00 USD for 14,300.00 CNY; gain 14,300.00 − 14,200.00 = 100.00.
    const res = await post(`/api/v1/bank/lines/${two.id}/accept`, { proposalId: two.proposals[0]!.id });
    expect(res.statusCode, res.body).toBe(200);
    expect((await doc('INV-U-2001')).allocations).toEqual([expect.objectContaining({ amount: '2000.00', creditAmount: '14300.00', fxGain: '100.00' })]);
  });

  it('the tolerance for the bank\'s rate is the company\'s: at 7% line 3 fits (145.00 ≤ 7% of 2,145.00 = 150.15); back at 0.5% it does not', async () => {
    const put = (fxToleranceBasisPoints: number) => app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: auth, payload: { fxToleranceBasisPoints } });
    expect((await put(1001)).statusCode).toBe(400);
    expect((await put(700)).json()).toMatchObject({ fxToleranceBasisPoints: 700 });
    const dry = await post(`/api/v1/bank/statements/${statementId}/match`, { dryRun: true });
    const three = dry.json().lines.find((l: { seq: number }) => l.seq === 3);
    // name 30 + invoice 50 + AMOUNT_FX 30 = 110 → 100: it would be applied.
    expect(three).toMatchObject({ status: 'auto_applied', bestScore: 100 });
    expect(three.proposals[0].reasons.map((r: { code: string }) => r.code)).toContain('AMOUNT_FX');
    expect((await put(50)).json()).toMatchObject({ fxToleranceBasisPoints: 50 });
  });

  it('does not apply a line outside the tolerance; a user applies it with the amount it settles', async () => {
    const three = lineNo(3);
    expect(three.status).toBe('suggested');
    expect(three.note).toContain('not the items\' open amount within the tolerance');
    // 2,000.00 ÷ 7.15 = 279.720… → 279.72 USD at the rate on file; name 30 + invoice 50 + partial 5 = 85.
    expect(three.proposals[0]).toMatchObject({ kind: 'partial', score: 85, allocations: [{ document: 'INV-U-2002', amount: '2000.00', currency: 'USD', settles: '279.72' }] });
    // The customer says it paid 280.00 USD: the bank's 7.142857… CNY/USD. Gain 2,000.00 − 280.00 × 7.10 (1,988.00) = 12.00;
    // 300.00 − 280.00 = 20.00 USD stays open.
    const bad = await post(`/api/v1/bank/lines/${three.id}/accept`, { customer: 'U2', allocations: [{ document: 'INV-U-2002', amount: '2000.00', settles: '300.01' }] });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().details).toEqual([expect.objectContaining({ field: 'appliesTo.0.settles' })]);
    const res = await post(`/api/v1/bank/lines/${three.id}/accept`, { customer: 'U2', allocations: [{ document: 'INV-U-2002', amount: '2000.00', settles: '280.00' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect((await doc('INV-U-2002')).allocations).toEqual([expect.objectContaining({ amount: '280.00', creditAmount: '2000.00', fxGain: '12.00' })]);
    expect((await doc('INV-U-2002')).open).toBe('20.00');
  });

  it('undoes the automatic application: the USD invoice is open again, the ledger check stays clean', async () => {
    const res = await post(`/api/v1/bank/lines/${lineNo(1).id}/undo`, { reason: 'paid twice, the bank says' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await doc('INV-U-1001')).open).toBe('1000.00');
    expect((await verifyLedger(ctx, false)).problems).toEqual([]);
  });
});
