/**
 * Cash matching learns from a user's decision how a customer quotes its invoices (issue 7: "A user's decision
 * teaches the engine (account → customer, reference patterns)"), on both engines, through the API and the CLI.
 *
 * Company LRN (CNY), clock 2026-07-01.
 *   L1 北京远景科技有限公司  INV-2026-0031 3,000.00   INV-2026-0032 3,000.00
 *   L2 上海华东贸易有限公司  INV-2026-1032 1,000.00
 * Statement 1, line 1: + 3,000.00 from 北京远景科技 (account 622200000031), "尾号0031". "0031" is a bare 4-digit number,
 *   no reference; two invoices of L1 are 3,000.00: name 30 + amount 30 = 60 each, suggested. A user applies it to
 *   INV-2026-0031: matching learns the account and the pattern "尾号 + last 4 digits".
 * Statement 2, line 1: + 1,000.00 from 北京远景科技, "尾号0032": the learned pattern names INV-2026-0032 (L2's
 *   INV-2026-1032 also ends in 032 but is not the payer's, and has other last 4 digits): name 30 + REFERENCE_LEARNED
 *   40 + partial 5 = 75, suggested. Once the pattern is forgotten the same line names nothing and is unmatched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { createCustomer } from '../src/modules/customers/index.ts';
import { postDocument } from '../src/modules/ledger/index.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-01T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;
let collector: Record<string, string>;

const statement = (id: string, amount: string, account: string, text: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>${id}</MsgId><CreDtTm>2026-06-30T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>${id}</Id><Acct><Id><Othr><Id>CN-BOC-77</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt><AcctSvcrRef>${id}-1</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>北京远景科技</Nm></Dbtr>${account ? `<DbtrAcct><Id><Othr><Id>${account}</Id></Othr></Id></DbtrAcct>` : ''}</RltdPties>
<RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`;

const post = (url: string, payload: unknown, headers = auth) => app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers = auth) => app.inject({ method: 'GET', url, headers });
const importStatement = async (xml: string) => {
  const res = await post('/api/v1/bank/statements', { fileName: 'boc.xml', content: Buffer.from(xml).toString('base64') });
  expect(res.statusCode).toBe(201);
  return res.json().statements[0].id as string;
};
interface Line { id: string; status: string; proposals: { id: string; score: number; allocations: { document: string }[]; reasons: { code: string; points: number; words: string }[] }[] }
const firstLine = async (statementId: string): Promise<Line> => (await get(`/api/v1/bank/statements/${statementId}/lines`)).json().lines[0];

let first = '';
let second = '';

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'LRN' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
  collector = { authorization: `Bearer ${await adminToken(ctx, 'collector')}` };
  await createCustomer(ctx, { code: 'L1', name: '北京远景科技有限公司' });
  await createCustomer(ctx, { code: 'L2', name: '上海华东贸易有限公司' });
  const invoice = (number: string, customer: string, amount: string) => postDocument(ctx, { kind: 'invoice', number, customer, documentDate: '2026-06-01', dueDate: '2026-06-30', amount });
  await invoice('INV-2026-0031', 'L1', '3000.00');
  await invoice('INV-2026-0032', 'L1', '3000.00');
  await invoice('INV-2026-1032', 'L2', '1000.00');
  first = await importStatement(statement('BOC-1', '3000.00', '6222 0000 0031', '尾号0031'));
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('learning from decisions', () => {
  it('a line naming no invoice it can read waits; the user applies it and matching learns the account and the pattern', async () => {
    expect((await post(`/api/v1/bank/statements/${first}/match`, {})).statusCode).toBe(200);
    const line = await firstLine(first);
    expect(line.status).toBe('suggested');
    expect(line.proposals.map((p) => [p.allocations.map((a) => a.document).join(), p.score])).toEqual([['INV-2026-0031', 60], ['INV-2026-0032', 60]]);
    const res = await post(`/api/v1/bank/lines/${line.id}/accept`, { customer: 'L1', allocations: [{ document: 'INV-2026-0031', amount: '3000.00' }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ learnedAccount: '622200000031', learnedPatterns: ['尾号 + 4 digits'] });
    const known = (await get('/api/v1/customers/L1/matching-knowledge')).json();
    expect(known.accounts).toMatchObject([{ account: '622200000031', source: 'learned', confirmations: 1 }]);
    expect(known.patterns).toMatchObject([{ marker: '尾号', digits: 4, example: '尾号0031', confirmations: 1 }]);
  });

  it('the next payment quoting 尾号0032 is read as INV-2026-0032 by the learned pattern: 30 + 40 + 5 = 75, suggested', async () => {
    second = await importStatement(statement('BOC-2', '1000.00', '', '尾号0032 部分付款'));
    expect((await post(`/api/v1/bank/statements/${second}/match`, {})).statusCode).toBe(200);
    const line = await firstLine(second);
    expect(line.status).toBe('suggested');
    const best = line.proposals[0]!;
    expect(best.allocations.map((a) => a.document)).toEqual(['INV-2026-0032']);
    expect(Object.fromEntries(best.reasons.map((r) => [r.code, r.points]))).toEqual({ NAME_EXACT: 30, REFERENCE_LEARNED: 40, AMOUNT_PARTIAL: 5 });
    expect(best.reasons.find((r) => r.code === 'REFERENCE_LEARNED')!.words).toBe('"尾号0032" is how L1 quotes INV-2026-0032: the number\'s last 4 digits after 尾号 (learned from a decision)');
  });

  it('forgetting the pattern (bank.match, audited) leaves the same line naming nothing: unmatched when matched again', async () => {
    const known = (await get('/api/v1/customers/L1/matching-knowledge')).json();
    const url = `/api/v1/customers/L1/matching-knowledge/patterns/${known.patterns[0].id}`;
    expect((await app.inject({ method: 'DELETE', url, headers: collector })).statusCode).toBe(403);
    const res = await app.inject({ method: 'DELETE', url, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().patterns).toEqual([]);
    const again = await app.inject({ method: 'DELETE', url, headers: auth });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('KNOWLEDGE_NOT_FOUND');
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE 'bank.pattern.%' ORDER BY occurred_at, id`, [ctx.tenant.id]));
    expect(audit.map((a) => a.action)).toEqual(['bank.pattern.learn', 'bank.pattern.forget']);
    expect((await post(`/api/v1/bank/statements/${second}/match`, {})).statusCode).toBe(200);
    expect((await firstLine(second)).status).toBe('unmatched');
  });

  it('the CLI lists what was learned and forgets an account', async () => {
    const run = cliRunner(t.db, CLOCK, 'LRN');
    const listed = await run(['bank', 'learned', 'L1', '--format', 'json']);
    expect(listed.err).toBe('');
    const known = JSON.parse(listed.out);
    expect(known.accounts).toHaveLength(1);
    const both = await run(['bank', 'forget', 'L1']);
    expect(both.code).not.toBe(0);
    expect(both.err).toMatch(/give one of --account ID or --pattern ID/);
    const forgot = await run(['bank', 'forget', 'L1', '--account', known.accounts[0].id]);
    expect(forgot.code).toBe(0);
    expect(forgot.out).toMatch(/no payer accounts learned/);
  });
});
