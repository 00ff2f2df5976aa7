/**
 * Bank statement import on a real database (both engines): a camt.053 statement imported through the API with its
 * balance check, imported again (nothing new), an intraday camt.052 whose entries the day's statement then repeats
 * (only the statement is new), a broken file (an error naming the line, nothing written), a GBK CSV export from a
 * Chinese bank with a saved profile, and the CLI. Figures worked out by hand in the comments.
 *
 * Company ACME (CNY). Account CN-ICBC-001 (CNY), statement of 2026-06-30:
 *   opening 100,000.00; + 12,800.00 from 上海华东贸易 (INV-2026-0012, RF18539007547034); + 3,450.50 from 杭州 ABC
 *   (INV-2026-0013); − 5.50 bank fee → closing 116,245.00 (100,000.00 + 12,800.00 + 3,450.50 − 5.50).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.ts';
import type { Context } from '../src/modules/context.ts';
import { adminToken, cliRunner, contextFor, fixedClock, makeTenant, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-07-01T04:00:00Z');
let t: TestDatabase;
let ctx: Context;
let app: Awaited<ReturnType<typeof buildServer>>;
let auth: Record<string, string>;

const ntry = (amount: string, side: 'CRDT' | 'DBIT', ref: string, extra = '') => `<Ntry><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>${side}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-30</Dt></BookgDt><ValDt><Dt>2026-06-30</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>${extra}</Ntry>`;
const payer = (name: string, iban: string, text: string, rf = '') => `<NtryDtls><TxDtls><Refs><EndToEndId>E2E-${text}</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>${name}</Nm></Dbtr><DbtrAcct><Id><Othr><Id>${iban}</Id></Othr></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>${text}</Ustrd>${rf ? `<Strd><CdtrRefInf><Ref>${rf}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf></TxDtls></NtryDtls>`;
const ENTRIES = [
  ntry('12800.00', 'CRDT', 'ICBC-20260630-0001', payer('上海华东贸易有限公司', '31001234567', 'INV-2026-0012', 'RF18539007547034')),
  ntry('3450.50', 'CRDT', 'ICBC-20260630-0002', payer('杭州 ABC 科技', '19005550001', 'INV-2026-0013')),
  ntry('5.50', 'DBIT', 'ICBC-20260630-0003', '<AddtlNtryInf>手续费 bank fee</AddtlNtryInf>'),
];
const bal = (code: string, amount: string) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>`;
const acct = '<Acct><Id><Othr><Id>CN-ICBC-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>';
const CAMT053 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-06-30T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-20260630</Id><ElctrncSeqNb>181</ElctrncSeqNb>${acct}
${bal('OPBD', '100000.00')}${bal('CLBD', '116245.00')}
${ENTRIES.join('\n')}
</Stmt></BkToCstmrStmt></Document>`;
// The intraday report at noon held the first two entries (interim 100,000.00 → 116,250.50).
const CAMT052 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt><GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-06-30T12:00:00</CreDtTm></GrpHdr>
<Rpt><Id>RPT-20260630-12</Id>${acct}${bal('ITBD', '100000.00')}${bal('ITBD', '116250.50')}
${ENTRIES.slice(0, 2).join('\n')}
</Rpt></BkToCstmrAcctRpt></Document>`;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const count = async (table: string) => (await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [ctx.tenant.id])))[0]!.n;
const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers: { ...auth, ...headers }, payload: payload as object });

beforeAll(async () => {
  t = await openTestDatabase();
  ctx = contextFor(t.db, await makeTenant(t.db, { code: 'ACME' }), CLOCK);
  app = await buildServer({ db: t.db, clock: CLOCK });
  await app.ready();
  auth = { authorization: `Bearer ${await adminToken(ctx, 'finance_manager')}` };
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('bank statement import', () => {
  let statementId = '';

  it('imports a camt.053 statement: it balances, and its three entries are stored with payer and references', async () => {
    const res = await post('/api/v1/bank/statements', { fileName: 'icbc-20260630.xml', content: b64(CAMT053) });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ format: 'camt.053', entryCount: 3, newEntryCount: 3 });
    const [s] = body.statements;
    expect(s).toMatchObject({
      accountId: 'CN-ICBC-001', currency: 'CNY', statementId: 'STMT-20260630', sequence: '181', formatVersion: 'camt.053.001.08',
      opening: { amount: '100000.00', date: '2026-06-30' }, closing: { amount: '116245.00', date: '2026-06-30' },
      // 12,800.00 + 3,450.50 − 5.50 = 16,245.00
      balanceCheck: 'ok', difference: '0.00', entriesTotal: '16245.00', alreadyImported: false,
    });
    statementId = s.id;
    const shown = (await app.inject({ method: 'GET', url: `/api/v1/bank/statements/${statementId}`, headers: auth })).json();
    expect(shown.entries.map((e: { amount: string }) => e.amount)).toEqual(['12800.00', '3450.50', '-5.50']);
    expect(shown.entries[0]).toMatchObject({
      bookingDate: '2026-06-30', direction: 'credit', bankReference: 'ICBC-20260630-0001', endToEndId: 'E2E-INV-2026-0012',
      counterpartyName: '上海华东贸易有限公司', counterpartyAccount: '31001234567', remittanceText: 'INV-2026-0012', creditorReference: 'RF18539007547034',
    });
    expect(shown.entries[2]).toMatchObject({ direction: 'debit', remittanceText: '手续费 bank fee' });
    const audit = await t.db.tenant(ctx.tenant.id, (sql) => sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE 'bank.%' ORDER BY action`, [ctx.tenant.id]));
    expect(audit.map((a) => a.action)).toEqual(['bank.account.create', 'bank.import']);
  });

  it('importing the same file again changes nothing', async () => {
    const res = await post('/api/v1/bank/statements', { fileName: 'copy.xml', content: b64(CAMT053) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ entryCount: 3, newEntryCount: 0, statements: [{ id: statementId, alreadyImported: true, newEntryCount: 0 }] });
    expect([await count('bank_statements'), await count('bank_entries'), await count('bank_accounts')]).toEqual([1, 3, 1]);
    const history = (await app.inject({ method: 'GET', url: '/api/v1/bank/statements', headers: auth })).json();
    expect(history.total).toBe(1);
  });

  it('an intraday camt.052 of entries already imported is recorded as a statement but adds no entry', async () => {
    const res = await post('/api/v1/bank/statements', { content: b64(CAMT052) });
    expect(res.statusCode).toBe(201);
    // interim 100,000.00 + 12,800.00 + 3,450.50 = 116,250.50: balances; both entries were already there.
    expect(res.json().statements[0]).toMatchObject({ balanceCheck: 'ok', entryCount: 2, newEntryCount: 0, alreadyImported: false });
    expect([await count('bank_statements'), await count('bank_entries')]).toEqual([2, 3]);
  });

  it('a broken file gets an error naming the line and element, and writes nothing', async () => {
    const before = [await count('bank_statements'), await count('bank_entries'), await count('bank_accounts')];
    const broken = CAMT053.replace('STMT-20260630', 'STMT-X').replace('<Amt Ccy="CNY">3450.50</Amt>', '<Amt Ccy="CNY">3.450,50</Amt>');
    const res = await post('/api/v1/bank/statements', { content: b64(broken) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BANK_FILE_MALFORMED' });
    expect(res.json().message).toMatch(/^Stmt\[1\]\/Ntry\[2\]\/Amt \(line \d+\): "3\.450,50" is not an amount/);
    const unclosed = await post('/api/v1/bank/statements', { content: b64(CAMT053.replace('</Stmt>', '')) });
    expect(unclosed.statusCode).toBe(400);
    expect(unclosed.json().message).toMatch(/^line \d+: not well-formed XML/);
    const xxe = await post('/api/v1/bank/statements', { content: b64('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document>&e;</Document>') });
    expect(xxe.json().message).toMatch(/DOCTYPE is not allowed/);
    const unknown = await post('/api/v1/bank/statements', { content: b64('just some text') });
    expect(unknown.json().code).toBe('BANK_FORMAT_UNKNOWN');
    expect([await count('bank_statements'), await count('bank_entries'), await count('bank_accounts')]).toEqual(before);
  });

  it('a GBK CSV export from a Chinese bank imports with its saved profile', async () => {
    const profile = {
      name: 'ICBC CSV', accountId: 'CN-ICBC-002', currency: 'CNY', encoding: 'gbk', dateFormat: 'YYYY/MM/DD', thousandsSeparator: ',',
      columns: { bookingDate: '交易日期', debit: '借方发生额', credit: '贷方发生额', balance: '余额', counterpartyName: '对方户名', counterpartyAccount: '对方账号', remittance: ['摘要'], bankReference: '流水号' },
    };
    const saved = await post('/api/v1/bank/profiles', profile);
    expect(saved.statusCode).toBe(201);
    const csv = iconv.encode(
      '流水号,交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\r\n' +
        'A001,2026/07/01,货款 INV-2026-0014,,"20,000.00","70,000.00",深圳南方电子有限公司,44001234\r\n' +
        'A002,2026/07/01,电费,"1,234.56",,"68,765.44",国网,\r\n', 'gbk');
    const missing = await post('/api/v1/bank/statements', { content: b64(csv) });
    expect(missing.json().code).toBe('BANK_CSV_PROFILE_REQUIRED');
    const res = await post('/api/v1/bank/statements', { fileName: 'icbc.csv', content: b64(csv), profile: 'ICBC CSV' });
    expect(res.statusCode).toBe(201);
    // opening = 70,000.00 − 20,000.00 = 50,000.00; closing 68,765.44 = 50,000.00 + 20,000.00 − 1,234.56
    expect(res.json().statements[0]).toMatchObject({ format: 'csv', accountId: 'CN-ICBC-002', opening: { amount: '50000.00' }, closing: { amount: '68765.44' }, balanceCheck: 'ok', newEntryCount: 2 });
    const shown = (await app.inject({ method: 'GET', url: `/api/v1/bank/statements/${res.json().statements[0].id}`, headers: auth })).json();
    expect(shown.entries[0]).toMatchObject({ amount: '20000.00', counterpartyName: '深圳南方电子有限公司', remittanceText: '货款 INV-2026-0014', bankReference: 'A001' });
    const profiles = (await app.inject({ method: 'GET', url: '/api/v1/bank/profiles', headers: auth })).json();
    expect(profiles.rows.map((p: { name: string }) => p.name)).toEqual(['ICBC CSV']);
    const noSuch = await post('/api/v1/bank/statements', { content: b64(csv), profile: 'Nope' });
    expect([noSuch.statusCode, noSuch.json().code]).toEqual([404, 'BANK_PROFILE_NOT_FOUND']);
  });

  it('only bank.import may import; documents.read may look', async () => {
    const viewer = { authorization: `Bearer ${await adminToken(ctx, 'viewer')}` };
    expect((await app.inject({ method: 'POST', url: '/api/v1/bank/statements', headers: viewer, payload: { content: b64(CAMT053) } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/bank/statements', headers: viewer })).statusCode).toBe(200);
  });

  it('the CLI imports an MT940 file with a mismatch reported, lists the history, and re-imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arflow-bank-'));
    const file = join(dir, 'stmt.sta');
    // 1,000.00 + 250.00 − 40.00 = 1,210.00, but the bank says 1,200.00: a mismatch of −10.00, reported.
    writeFileSync(file, ':20:STARTUMS\r\n:25:DE02120300000000202051\r\n:28C:7/1\r\n:60F:C260630EUR1000,00\r\n' +
      ':61:2606300630CR250,00NTRFNONREF//BR-1\r\n:86:166?00GUTSCHRIFT?20EREF+E2E-77?21SVWZ+Rechnung INV-77?32Müller GmbH\r\n' +
      ':61:2606300630D40,00NDDTNONREF//BR-2\r\n:86:105?00LASTSCHRIFT?20Strom Juni\r\n:62F:C260630EUR1200,00\r\n-\r\n');
    const run = cliRunner(t.db, CLOCK, 'ACME');
    const first = await run(['bank', 'import', file, '--format', 'json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out).statements[0]).toMatchObject({ format: 'mt940', balanceCheck: 'mismatch', difference: '-10.00', newEntryCount: 2 });
    const again = await run(['bank', 'import', file]);
    expect(again.out).toContain('0 new of 2 entries');
    expect(again.out).toContain('already imported');
    const listed = await run(['bank', 'statements', '--format', 'json']);
    expect(JSON.parse(listed.out).rows.map((s: { format: string }) => s.format)).toEqual(['mt940', 'csv', 'camt.052', 'camt.053']);
    const broken = await run(['bank', 'import', file.replace('stmt.sta', 'missing.sta')]);
    expect(broken.code).not.toBe(0);
    expect(broken.err).toContain('no such file');
  });
});
