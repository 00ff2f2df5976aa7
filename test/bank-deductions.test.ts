/**
 * A payer's deduction (扣款) becomes a dispute (issue 7: "short payment within a tolerance … turned into a dispute
 * for the deduction"), on both engines, through the API. Figures worked out by hand in the comments.
 *
 * Company DED (CNY), clock 2026-07-01; deduction tolerance 10% of the amount due (no bank-charge tolerance).
 *   D1 北京远景科技有限公司   INV-D-001 10,000.00
 *   D2 深圳华南电子有限公司   INV-D-002  8,000.00   INV-D-003 2,000.00
 * Statement of 2026-06-30, opening 50,000.00:
 *   1  + 9,400.00  北京远景科技  "INV-D-001 扣质量问题款"   600.00 short of 10,000.00 ≤ 10% (1,000.00): a deduction;
 *                                                          name 30 + invoice 50 + deduction 15 = 95 → applied automatically,
 *                                                          600.00 stays open on INV-D-001 and is disputed
 *   2  + 7,000.00  深圳华南电子  "货款"                     no reference; 7,000.00 is no open amount or sum of D2's: suggested at
 *                                                          most; a user applies it to INV-D-002 and disputes the 1,000.00 deducted
 *   closing 50,000.00 + 9,400.00 + 7,000.00 = 66,400.00
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openMinorOf, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-01T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;

const ntry = (amount: string, ref: string, party: string, text: string) => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-30</Dt></BookgDt><ValDt><Dt>2026-06-30</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><Dbtr><Nm>${party}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
const STATEMENT = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>DED-20260630</MsgId><CreDtTm>2026-06-30T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>DED-20260630</Id><Acct><Id><Othr><Id>CN-CCB-009</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">50000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">66400.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>
${ntry('9400.00', 'R1', '北京远景科技', 'INV-D-001 扣质量问题款')}
${ntry('7000.00', 'R2', '深圳华南电子', '货款')}
</Stmt></BkToCstmrStmt></Document>`;

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });
const openOf = (number: string) => openMinorOf(ctx, number);
const countOf = async (table: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [ctx.tenant.id])))[0]!.n;

let statementId = '';
interface Line { id: string; seq: number; status: string; proposals: { id: string; kind: string; deduction: { amount: string; items: { document: string; amount: string }[] } | null }[]; application: { payment: string; deduction: string | null; disputeId: string | null } | null }
const lines = async (): Promise<Line[]> => (await get(`/api/v1/bank/statements/${statementId}/lines`)).json().lines;

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'DED' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
  await createCustomer(ctx, { code: 'D1', name: '北京远景科技有限公司' });
  await createCustomer(ctx, { code: 'D2', name: '深圳华南电子有限公司' });
  const invoice = (number: string, customer: string, amount: string) => postDocument(ctx, { kind: 'invoice', number, customer, documentDate: '2026-06-01', dueDate: '2026-06-30', amount });
  await invoice('INV-D-001', 'D1', '10000.00');
  await invoice('INV-D-002', 'D2', '8000.00');
  await invoice('INV-D-003', 'D2', '2000.00');
  const res = await post('/api/v1/bank/statements', { fileName: 'ccb-20260630.xml', content: Buffer.from(STATEMENT).toString('base64') });
  expect(res.statusCode).toBe(201);
  statementId = res.json().statements[0].id;
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('deductions become disputes', () => {
  it('the deduction tolerance is a setting: off by default, at most 50%, audited', async () => {
    expect((await get('/api/v1/bank/matching-settings')).json()).toMatchObject({ deductionTolerance: '0.00', deductionToleranceBasisPoints: 0 });
    const tooMuch = await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: auth, payload: { deductionToleranceBasisPoints: 5001 } });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().details[0].field).toBe('body.deductionToleranceBasisPoints');
    const ok = await app.inject({ method: 'PUT', url: '/api/v1/bank/matching-settings', headers: auth, payload: { deductionToleranceBasisPoints: 1000 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ deductionTolerance: '0.00', deductionToleranceBasisPoints: 1000, chargeTolerance: '0.00' });
  });

  it('matching applies 9,400.00 to INV-D-001 and raises a dispute for the 600.00 deducted', async () => {
    const res = await post(`/api/v1/bank/statements/${statementId}/match`, {});
    expect(res.statusCode).toBe(200);
    const first = res.json().lines.find((l: { seq: number }) => l.seq === 1);
    expect(first).toMatchObject({ status: 'auto_applied', bestScore: 95 });
    expect(first.proposals[0]).toMatchObject({ kind: 'deduction', deduction: { amount: '600.00', items: [{ document: 'INV-D-001', amount: '600.00' }] } });
    // 10,000.00 − 9,400.00 paid = 600.00 left open, all of it disputed.
    expect(await openOf('INV-D-001')).toBe(60_000n);
    const line1 = (await lines()).find((l) => l.seq === 1)!;
    expect(line1.application).toMatchObject({ deduction: '600.00' });
    const dispute = (await get(`/api/v1/disputes/${line1.application!.disputeId}`)).json();
    expect(dispute).toMatchObject({ customer: 'D1', reason: 'other', ownerTeam: 'sales', status: 'open', amount: '600.00', currency: 'CNY' });
    expect(dispute.items).toMatchObject([{ document: 'INV-D-001', amount: '600.00', openAtRaise: '600.00' }]);
    // The note says where the deduction came from: the bank line and what the payer wrote.
    expect(dispute.note).toContain('R1');
    expect(dispute.note).toContain('扣质量问题款');
    // Aging shows it as disputed: 600.00 of D1's 600.00 outstanding.
    const aging = (await get('/api/v1/reports/aging?asOf=2026-07-01&by=customer')).json();
    expect(aging.rows.find((r: { key: string }) => r.key === 'D1')).toMatchObject({ outstanding: '600.00', disputed: '600.00' });
  });

  it('a user applies 7,000.00 to INV-D-002 and disputes the 1,000.00 deducted (quality, logistics); a deduction above what is left open is refused and nothing is written', async () => {
    const line2 = (await lines()).find((l) => l.seq === 2)!;
    expect(line2.application).toBeNull();
    const before = { documents: await countOf('documents'), disputes: await countOf('disputes') };
    // After 7,000.00 is applied, INV-D-002 has 8,000.00 − 7,000.00 = 1,000.00 open: 1,500.00 cannot be disputed.
    const bad = await post(`/api/v1/bank/lines/${line2.id}/accept`, {
      customer: 'D2', allocations: [{ document: 'INV-D-002', amount: '7000.00' }], deduction: { document: 'INV-D-002', amount: '1500.00' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe('deduction.items.0.amount');
    expect({ documents: await countOf('documents'), disputes: await countOf('disputes') }).toEqual(before);
    expect(await openOf('INV-D-002')).toBe(800_000n);

    const ok = await post(`/api/v1/bank/lines/${line2.id}/accept`, {
      customer: 'D2', allocations: [{ document: 'INV-D-002', amount: '7000.00' }],
      deduction: { document: 'INV-D-002', amount: '1000.00', reason: 'quality', ownerTeam: 'logistics', note: '客户称10箱破损' },
    });
    expect(ok.statusCode).toBe(200);
    expect(await openOf('INV-D-002')).toBe(100_000n);
    const dispute = (await get(`/api/v1/disputes/${ok.json().disputeId}`)).json();
    expect(dispute).toMatchObject({ customer: 'D2', reason: 'quality', ownerTeam: 'logistics', amount: '1000.00', note: '客户称10箱破损' });
  });

  it('undoing line 1 reverses the payment and withdraws its dispute (open → investigating → rejected, in its history)', async () => {
    const line1 = (await lines()).find((l) => l.seq === 1)!;
    const disputeId = line1.application!.disputeId!;
    const res = await post(`/api/v1/bank/lines/${line1.id}/undo`, { reason: 'wrong customer' });
    expect(res.statusCode).toBe(200);
    expect(res.json().disputeWithdrawn).toBe(disputeId);
    expect(await openOf('INV-D-001')).toBe(1_000_000n);
    const dispute = (await get(`/api/v1/disputes/${disputeId}`)).json();
    expect(dispute.status).toBe('rejected');
    expect(dispute.events.map((e: { to: string }) => e.to)).toEqual(['open', 'investigating', 'rejected']);
    expect(dispute.events[2].note).toContain('wrong customer');
  });

  it('the CLI: the settings read and changed; a line applied with a deduction and undone', async () => {
    const run = cliRunner(t.db, CLOCK, 'DED');
    const changed = await run(['bank', 'settings', 'set', '--deduction-tolerance', '300.00', '--format', 'json']);
    expect(changed.err).toBe('');
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.out)).toMatchObject({ deductionTolerance: '300.00', deductionToleranceBasisPoints: 1000 });
    const bad = await run(['bank', 'settings', 'set', '--deduction-tolerance-bp', 'ten']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--deduction-tolerance-bp: give a whole number/);
    const shown = await run(['bank', 'settings', 'show']);
    expect(shown.out).toMatch(/deductionTolerance\s+300\.00/);
    // Line 1 was undone above: a user applies it again, 9,400.00 to INV-D-001 with the 600.00 deduction disputed.
    const line1 = (await lines()).find((l) => l.seq === 1)!;
    const accepted = await run(['bank', 'accept', line1.id, '--customer', 'D1', '--apply', 'INV-D-001=9400.00', '--deduction', 'INV-D-001=600.00', '--deduction-reason', 'price']);
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/dispute [0-9a-f-]{36} for the deduction/);
    expect(await openOf('INV-D-001')).toBe(60_000n);
    const undone = await run(['bank', 'undo', line1.id, '--reason', 'test of the CLI']);
    expect(undone.code).toBe(0);
    expect(undone.out).toMatch(/withdrawn/);
    expect(await openOf('INV-D-001')).toBe(1_000_000n);
  });
});
