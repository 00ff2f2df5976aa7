/**
 * The `arflow` command end to end: runCli in-process against a test database (PGlite, or PostgreSQL when
 * DATABASE_URL is set) with captured output, and the real bin in a child process. Every figure is worked out by
 * hand in the comments beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.ts';
import { signIn } from '../src/modules/access/index.ts';
import { listTenants } from '../src/modules/tenants/index.ts';
import { adminToken, fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
// 2026-06-30 12:00 in Asia/Shanghai: "today" for the tenant.
const CLOCK = fixedClock('2026-06-30T04:00:00Z');

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `arflow ARGV` in-process on `db`, capturing what it prints. */
function cliOn(test: () => TestDatabase) {
  const run = async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      io: { out: (s) => out.push(s), err: (s) => err.push(s), interactive: false },
      clock: CLOCK,
      env: { USER: 'tester' },
      db: test().db,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  /** Runs with --format json, expects `code`, and returns stdout parsed (it must be JSON). */
  const json = async <T = any>(code: number, ...argv: string[]): Promise<T> => {
    const result = await run('--format', 'json', ...argv);
    expect(result.code, `${argv.join(' ')}\n${result.err}`).toBe(code);
    return JSON.parse(result.out) as T;
  };
  return { run, json };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arflow-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

// ---------------------------------------------------------------------------------------------------------------

describe('tenants', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => test?.drop());
  const { run, json } = cliOn(() => test);

  it('creates a tenant with init; commands without --tenant use the only one', async () => {
    const created = await run('init', '--tenant', 'ACME', '--name', '艾克姆有限公司', '--currency', 'CNY', '--timezone', 'Asia/Shanghai', '--admin-email', 'boss@acme.example');
    expect(created.code).toBe(0);
    const lines = created.out.split('\n');
    expect(lines.slice(0, 2)).toEqual(['created tenant ACME (艾克姆有限公司, CNY, Asia/Shanghai)', 'first administrator: boss@acme.example']);
    // The one-time password printed once signs the administrator in, who must then choose their own.
    const password = /^one-time password:\s+(\S+)/.exec(lines[2]!)![1]!;
    const signedIn = await signIn(test.db, CLOCK, { email: 'boss@acme.example', password }, {});
    expect(signedIn.principal).toMatchObject({ role: 'admin', mustChangePassword: true });
    expect(await json(0, 'tenants')).toEqual([expect.objectContaining({ code: 'ACME', currency: 'CNY', timeZone: 'Asia/Shanghai', locale: 'zh-CN' })]);
    expect(await json(0, 'terms', 'add', 'NET30', '--net', '30')).toMatchObject({ code: 'NET30' });
    expect((await json(0, 'terms', 'list')).map((t: { code: string }) => t.code)).toEqual(['NET30']);
  });

  it('refuses init without --tenant, a bad code and a duplicate', async () => {
    expect((await run('init', '--name', 'No code')).code).toBe(2);
    expect(await run('no-such-command')).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'no-such-command'") });
    const bad = await json(1, 'init', '--tenant', 'has space', '--name', 'X');
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'code' })] });
    expect(await json(1, 'init', '--tenant', 'ACME', '--name', 'Again')).toMatchObject({ code: 'TENANT_EXISTS' });
    expect(await json(1, 'init', '--tenant', 'ZZ', '--name', 'Bad currency', '--currency', 'XXX')).toMatchObject({ code: expect.any(String), message: expect.stringContaining('XXX') });
  });

  it('acts as the API token in ARFLOW_TOKEN: its company, and only what its role may do', async () => {
    const ctx = { db: test.db, tenant: (await listTenants(test.db))[0]!, actor: 'test', clock: CLOCK };
    const viewer = await adminToken(ctx, 'viewer');
    const asViewer = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['--format', 'json', ...args], { io: { out: (s) => out.push(s), err: (s) => err.push(s), interactive: false }, clock: CLOCK, env: { ARFLOW_TOKEN: viewer }, db: test.db });
      return { code, body: JSON.parse(out.join('\n')) };
    };
    expect((await asViewer('terms', 'list')).code).toBe(0);
    expect(await asViewer('terms', 'add', 'NET45', '--net', '45')).toMatchObject({ code: 1, body: { code: 'FORBIDDEN', message: expect.stringContaining('terms.write') } });
    expect(await asViewer('--tenant', 'NOPE', 'terms', 'list')).toMatchObject({ code: 1, body: { code: 'FORBIDDEN' } });
    const bad = await runCli(['terms', 'list'], { io: { out() {}, err() {}, interactive: false }, clock: CLOCK, env: { ARFLOW_TOKEN: 'arf_nope' }, db: test.db });
    expect(bad).toBe(1);
  });

  it('with two tenants, asks for --tenant', async () => {
    expect((await run('init', '--tenant', 'BETA', '--name', 'Beta Ltd', '--currency', 'USD', '--timezone', 'America/New_York')).code).toBe(0);
    const ambiguous = await run('terms', 'list');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain('there are 2 tenants (ACME, BETA)');
    expect(ambiguous.err).toContain('--tenant');
    expect(await json(1, 'terms', 'list')).toEqual({ code: 'TENANT_REQUIRED', message: expect.stringContaining('--tenant CODE'), details: [] });
    expect((await json(0, '--tenant', 'ACME', 'terms', 'list')).map((t: { code: string }) => t.code)).toEqual(['NET30']);
    expect(await json(0, '--tenant', 'BETA', 'terms', 'list')).toEqual([]);
    expect(await json(1, '--tenant', 'NOPE', 'terms', 'list')).toMatchObject({ code: 'TENANT_NOT_FOUND' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('payment terms', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
    await runCli(['init', '--tenant', 'ACME', '--name', 'Acme', '--currency', 'CNY', '--timezone', 'Asia/Shanghai'], { io: { out() {}, err() {}, interactive: false }, clock: CLOCK, env: {}, db: test.db });
  });
  afterAll(async () => test?.drop());
  const { run, json } = cliOn(() => test);

  it('adds net, discount and installment terms', async () => {
    expect(await run('terms', 'add', 'NET30', '--net', '30')).toMatchObject({ code: 0, out: 'payment terms NET30: net 30' });
    expect(await run('terms', 'add', '2-10-N30', '--net', '30', '--discount', '2/10')).toMatchObject({ code: 0, out: 'payment terms 2-10-N30: 2/10 net 30' });
    const split = await json(0, 'terms', 'add', 'SPLIT', '--installments', '30@0,70@30');
    expect(split).toMatchObject({
      code: 'SPLIT', description: '30% at 0 days, 70% at 30 days',
      rule: { netDays: 30, discount: null, installments: [{ percent: '30', days: 0 }, { percent: '70', days: 30 }] },
    });
    // Adding the same terms again is a no-op; other terms under a used code are a conflict.
    expect((await run('terms', 'add', 'NET30', '--net', '30')).code).toBe(0);
    expect(await json(1, 'terms', 'add', 'NET30', '--net', '45')).toMatchObject({ code: 'TERMS_EXISTS' });
    // The audit trail says the terms came from the command line, by this machine's user.
    const trail = await json<{ items: { action: string; actor: string; origin: string }[] }>(0, 'audit', 'search', '--action', 'terms.');
    expect(trail.items.find((e) => e.action === 'terms.create')).toMatchObject({ actor: 'cli:tester', origin: `cli tester@${os.hostname()}` });
  });

  it('refuses installments that do not add up to 100%, naming --installments', async () => {
    const bad = await run('terms', 'add', 'BAD', '--installments', '30@0,60@30');
    expect(bad.code).toBe(1);
    // 30 + 60 = 90.
    expect(bad.err).toContain('--installments: percentages must add up to exactly 100, they add up to 90');
    const asJson = await json(1, 'terms', 'add', 'BAD', '--installments', '30@0,60@30');
    expect(asJson).toMatchObject({ code: 'INVALID_PAYMENT_TERMS', message: expect.stringContaining('--installments'), details: [{ field: 'installments' }] });
    expect((await run('terms', 'add', 'BAD2', '--net', '10', '--discount', '2/10')).err).toContain('--discount');
  });

  it('lists the terms as JSON, sorted by code', async () => {
    const list = await json<{ code: string; description: string; rule: { netDays: number; discount: unknown } }[]>(0, 'terms', 'list');
    expect(list.map((t) => [t.code, t.description])).toEqual([
      ['2-10-N30', '2/10 net 30'],
      ['NET30', 'net 30'],
      ['SPLIT', '30% at 0 days, 70% at 30 days'],
    ]);
    expect(list[0]!.rule).toMatchObject({ netDays: 30, discount: { percent: '2', days: 10 } });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('imports, the ledger and export', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => test?.drop());
  const { run, json } = cliOn(() => test);

  interface Doc {
    id: string; kind: string; number: string; customer: string; currency: string; amount: string; open: string; status: string;
    documentDate: string; dueDate: string | null; functionalAmount: string; paymentTerms: string | null; verifiedOn?: string;
    items?: { seq: number; dueDate: string | null; amount: string; open: string; discountDate: string | null; discountAmount: string }[];
    allocations?: { id: string; from: { number: string }; to: { number: string; installment: number }; amount: string; date: string; reversesAllocationId: string | null }[];
  }
  const show = (ref: string, ...tenant: string[]) => json<Doc>(0, ...tenant, 'documents', 'show', ref);
  const list = async (...args: string[]) => (await json<{ items: Doc[] }>(0, 'documents', 'list', '--limit', '200', ...args)).items;
  const items = (doc: Doc) => doc.items!.map((i) => [i.seq, i.dueDate, i.amount, i.open]);

  const CUSTOMERS_HEADER = '客户编码,客户名称,税号,币种,付款条件,信用额度';
  const CUSTOMERS = [
    'C001,上海华东贸易有限公司,91310000MA1FL1234X,CNY,NET30,"500,000.00"',
    'C002,北京远大科技有限公司,,人民币,SPLIT,0',
    'C003,Acme Trading Ltd,,USD,NET30,',
  ];
  const INVOICES_CSV = [
    'number,customer_code,document_date,due_date,payment_terms,amount',
    'INV-1,C001,2026-03-01,,,100.00',
    'INV-2,C001,2026-03-05,2026-04-30,,200.00',
    'INV-3,C002,2026-03-01,,,1000.01',
    'INV-4,C001,2026-03-02,,2-10-N30,500.00',
    'INV-5,C003,2026-03-03,,,99.99',
  ].join('\n');
  let invoicesFile: string;
  let xlsxFile: string;

  it('sets up terms and an FX rate', async () => {
    expect((await run('init', '--tenant', 'ACME', '--name', '艾克姆', '--currency', 'CNY', '--timezone', 'Asia/Shanghai')).code).toBe(0);
    expect((await run('terms', 'add', 'NET30', '--net', '30')).code).toBe(0);
    expect((await run('terms', 'add', '2-10-N30', '--net', '30', '--discount', '2/10')).code).toBe(0);
    expect((await run('terms', 'add', 'SPLIT', '--installments', '30@0,70@30')).code).toBe(0);
    expect(await run('fx', 'set', 'USD', '2026-03-01', '7.1234')).toMatchObject({ code: 0, out: 'USD on 2026-03-01: 7.1234 CNY' });
    expect(await json(0, 'fx', 'set', 'USD', '2026-03-01', '7.1234')).toEqual({ currency: 'USD', date: '2026-03-01', rate: '7.1234' });
    expect(await json(0, 'fx', 'list')).toEqual([{ currency: 'USD', date: '2026-03-01', rate: '7.1234' }]);
    expect(await json(1, 'fx', 'set', 'CNY', '2026-03-01', '1.5')).toMatchObject({ code: 'INVALID_RATE' });
  });

  it('imports customers from a CSV with Chinese headers, then the GBK-encoded variant', async () => {
    const utf8 = write('customers.csv', [CUSTOMERS_HEADER, ...CUSTOMERS].join('\n'));
    expect(await run('import', 'customers', utf8)).toMatchObject({ code: 0, out: 'imported customers from customers.csv: 3 rows, 3 new, 0 updated, 0 unchanged' });
    const c001 = await json(0, 'customers', 'show', 'C001');
    expect(c001).toMatchObject({ code: 'C001', name: '上海华东贸易有限公司', taxId: '91310000MA1FL1234X', currency: 'CNY', paymentTerms: 'NET30', creditLimit: '500000.00', balance: [] });
    expect(await json(0, 'customers', 'show', 'C002')).toMatchObject({ name: '北京远大科技有限公司', currency: 'CNY', paymentTerms: 'SPLIT', creditLimit: '0.00' });
    expect(await json(0, 'customers', 'show', 'C003')).toMatchObject({ currency: 'USD', creditLimit: null });

    // The same three rows in GBK (as Chinese Excel saves "CSV"), CRLF, plus one new customer: decoded exactly, the
    // three are unchanged.
    const gbk = write('customers-gbk.csv', iconv.encode([CUSTOMERS_HEADER, ...CUSTOMERS, 'C004,广州南方贸易有限公司,,CNY,NET30,"100,000.00"', ''].join('\r\n'), 'gbk'));
    expect(await json(0, 'import', 'customers', gbk)).toEqual({ kind: 'customers', file: 'customers-gbk.csv', rows: 4, created: 1, updated: 0, unchanged: 3, allocations: 0, dryRun: false });
    expect(await json(0, 'customers', 'show', 'C004')).toMatchObject({ name: '广州南方贸易有限公司', creditLimit: '100000.00' });
    const listed = await json<{ items: { code: string }[] }>(0, 'customers', 'list');
    expect(listed.items.map((c) => c.code)).toEqual(['C001', 'C002', 'C003', 'C004']);
  });

  it('--dry-run checks an invoice file and writes nothing', async () => {
    invoicesFile = write('invoices.csv', INVOICES_CSV);
    const report = await json(0, 'import', 'invoices', invoicesFile, '--dry-run');
    expect(report).toMatchObject({ kind: 'invoices', rows: 5, created: 0, dryRun: true });
    expect((await run('import', 'invoices', invoicesFile, '--dry-run')).out).toBe('checked invoices from invoices.csv: 5 rows, 0 new, 0 updated, 0 unchanged');
    expect(await list()).toEqual([]);
  });

  it('imports invoices, computing missing due dates from the terms', async () => {
    expect(await run('import', 'invoices', invoicesFile)).toMatchObject({ code: 0, out: 'imported invoices from invoices.csv: 5 rows, 5 new, 0 updated, 0 unchanged' });
    // No due date, customer C001 on NET30: 2026-03-01 + 30 days = 2026-03-31.
    expect(await show('INV-1')).toMatchObject({ dueDate: '2026-03-31', paymentTerms: 'NET30', amount: '100.00', open: '100.00', status: 'open' });
    // A due date in the file is kept as it is.
    expect(await show('INV-2')).toMatchObject({ dueDate: '2026-04-30', amount: '200.00' });
    // C002 on SPLIT (30% at once, 70% after 30 days): 100001 minor units split 30000.3 / 70000.7; largest remainder
    // gives the odd cent to the second: 300.00 due 2026-03-01 and 700.01 due 2026-03-31; 300.00 + 700.01 = 1000.01.
    const inv3 = await show('INV-3');
    expect(inv3).toMatchObject({ dueDate: '2026-03-31', paymentTerms: 'SPLIT', amount: '1000.01' });
    expect(items(inv3)).toEqual([[1, '2026-03-01', '300.00', '300.00'], [2, '2026-03-31', '700.01', '700.01']]);
    // Terms in the row win over the customer's: 2/10 net 30 from 2026-03-02: due 2026-04-01; 2% of 500.00 = 10.00
    // off until 2026-03-12.
    const inv4 = await show('INV-4');
    expect(inv4).toMatchObject({ dueDate: '2026-04-01', paymentTerms: '2-10-N30' });
    expect(inv4.items![0]).toMatchObject({ discountDate: '2026-03-12', discountAmount: '10.00' });
    // C003 bills in USD at 7.1234 (rate of 2026-03-01, the latest on or before 2026-03-03):
    // 99.99 × 7.1234 = 712.268766 → 712.27 CNY; NET30 from 2026-03-03 = 2026-04-02.
    expect(await show('INV-5')).toMatchObject({ currency: 'USD', amount: '99.99', functionalAmount: '712.27', dueDate: '2026-04-02' });
    const text = await run('documents', 'show', 'INV-1');
    expect(text.out).toContain('dated 2026-03-01, due 2026-03-31: 100.00 CNY, open 100.00');
  });

  it('imports invoices from an XLSX workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('发票');
    sheet.addRow(['发票号', '客户编码', '开票日期', '到期日', '价税合计']);
    sheet.addRow(['INV-6', 'C001', new Date(Date.UTC(2026, 2, 15)), null, 88.88]);
    sheet.addRow(['INV-7', 'C002', '2026-03-16', '2026年5月31日', 1234.5]);
    sheet.getColumn(3).numFmt = 'yyyy-mm-dd';
    xlsxFile = path.join(tmp, 'invoices.xlsx');
    await workbook.xlsx.writeFile(xlsxFile);
    expect(await json(0, 'import', 'invoices', xlsxFile)).toMatchObject({ file: 'invoices.xlsx', rows: 2, created: 2 });
    // A date cell of 2026-03-15, NET30: due 2026-04-14.
    expect(await show('INV-6')).toMatchObject({ documentDate: '2026-03-15', dueDate: '2026-04-14', amount: '88.88' });
    // A due date in the file: one item, even though C002 is on installment terms.
    const inv7 = await show('INV-7');
    expect(inv7).toMatchObject({ documentDate: '2026-03-16', dueDate: '2026-05-31', amount: '1234.50' });
    expect(items(inv7)).toEqual([[1, '2026-05-31', '1234.50', '1234.50']]);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = (await list()).length;
    expect(before).toBe(7);
    expect(await json(0, 'import', 'invoices', invoicesFile)).toMatchObject({ rows: 5, created: 0, updated: 0, unchanged: 5 });
    expect(await json(0, 'import', 'invoices', xlsxFile)).toMatchObject({ rows: 2, created: 0, unchanged: 2 });
    expect((await list()).length).toBe(before);
  });

  it('refuses a file where a posted invoice changed, naming line and column, and writes none of it', async () => {
    const changed = write('invoices-changed.csv', 'number,customer_code,document_date,amount\nINV-8,C001,2026-03-20,5.00\nINV-2,C001,2026-03-05,200.60\n');
    const result = await run('import', 'invoices', changed);
    expect(result.code).toBe(1);
    expect(result.err).toContain('nothing was imported');
    expect(result.err).toMatch(/line 3, column amount: INV-2 is already posted with amount 200\.00, not 200\.60/);
    expect((await run('documents', 'show', 'INV-8')).code).toBe(1);
    expect((await show('INV-2')).amount).toBe('200.00');
    expect((await list()).length).toBe(7);
  });

  it('lists every bad row of a bad file with its line and column, and imports none of it', async () => {
    const bad = write('invoices-bad.csv', [
      'number,customer_code,document_date,amount',
      'X-1,NOPE,2026-03-01,10.00', // line 2: unknown customer
      'X-2,C001,2026-02-30,10.00', // line 3: no 30 February
      'X-3,C001,2026-03-01,"12,34"', // line 4: decimal comma
      'X-4,C001,2026-03-01,5.00', // line 5: fine
      'X-4,C001,2026-03-02,6.00', // line 6: X-4 again
      'X-5,C001,2026-03-01,7.00', // line 7: fine
    ].join('\n'));
    const result = await run('import', 'invoices', bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain('the invoices file has 4 problems in 4 rows; nothing was imported');
    expect(result.err).toContain('line 2, column customer_code: no customer has code NOPE');
    expect(result.err).toContain('line 3, column document_date: "2026-02-30" is not a day of 2026-02');
    expect(result.err).toContain('line 4, column amount: "12,34" uses a comma as the decimal separator');
    expect(result.err).toContain('line 6, column number: X-4 is already on line 5');
    const asJson = await json<{ code: string; message: string; details: { line: number; column: string }[] }>(1, 'import', 'invoices', bad);
    expect(asJson.code).toBe('IMPORT_REJECTED');
    expect(asJson.details.map((d) => [d.line, d.column])).toEqual([[2, 'customer_code'], [3, 'document_date'], [4, 'amount'], [6, 'number']]);
    // All or nothing: the good rows X-4 (line 5) and X-5 are not in the ledger either.
    expect((await list()).filter((d) => d.number.startsWith('X-'))).toEqual([]);
    expect((await list()).length).toBe(7);

    const noDate = write('invoices-no-date.csv', 'number,customer_code,amount\nX-9,C001,10.00\n');
    const header = await run('import', 'invoices', noDate);
    expect(header.code).toBe(1);
    expect(header.err).toContain('line 1, column document_date: required column document_date is missing');
    expect(await json(1, 'import', 'invoices', noDate)).toMatchObject({ code: 'IMPORT_BAD_HEADER', details: [{ line: 1, column: 'document_date' }] });
    expect(await json(1, 'import', 'invoices', path.join(tmp, 'missing.csv'))).toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await json(1, 'import', 'receipts', noDate)).toMatchObject({ code: 'UNKNOWN_IMPORT_KIND' });
  });

  it('imports payments with and without applies_to, a credit note and an advance', async () => {
    const payments = write('payments.csv', [
      'reference,customer_code,date,amount,applies_to',
      'PAY-1,C001,2026-03-20,100.00,INV-1:40.00;INV-2:60.00',
      'PAY-9,C002,2026-03-21,50.00,',
    ].join('\n'));
    expect(await json(0, 'import', 'payments', payments)).toMatchObject({ rows: 2, created: 2, allocations: 2 });
    // INV-1 100.00 - 40.00 = 60.00; INV-2 200.00 - 60.00 = 140.00; PAY-1 fully applied; PAY-9 unapplied.
    expect(await show('INV-1')).toMatchObject({ open: '60.00', status: 'partly_applied' });
    expect(await show('INV-2')).toMatchObject({ open: '140.00' });
    expect(await show('payment:PAY-1')).toMatchObject({ open: '0.00', status: 'closed' });
    expect(await show('PAY-9')).toMatchObject({ open: '50.00', status: 'open' });
    expect(await json(0, 'import', 'payments', payments)).toMatchObject({ created: 0, unchanged: 2, allocations: 0 });

    const notes = write('credit-notes.csv', 'number,customer_code,date,amount,against_invoice\nCN-1,C001,2026-03-10,30.00,INV-1\n');
    expect(await json(0, 'import', 'credit-notes', notes)).toMatchObject({ created: 1, allocations: 1 });
    // The note goes against INV-1: 60.00 - 30.00 = 30.00 open.
    const inv1 = await show('INV-1');
    expect(inv1.open).toBe('30.00');
    expect(inv1.allocations!.map((a) => [a.from.number, a.amount, a.date])).toEqual([['PAY-1', '40.00', '2026-03-20'], ['CN-1', '30.00', '2026-03-10']]);
    expect(await show('CN-1')).toMatchObject({ kind: 'credit_note', open: '0.00' });

    const advances = write('advances.csv', 'reference,customer_code,date,amount\nADV-1,C002,2026-02-20,"500.00"\n');
    expect(await json(0, 'import', 'advances', advances)).toMatchObject({ created: 1 });
    expect(await show('ADV-1')).toMatchObject({ kind: 'advance', open: '500.00' });
  });

  it('verifies and applies an advance, applies a payment, reverses an allocation and a payment', async () => {
    // An imported advance came from the bank statement, so it is verified on its own date already.
    expect(await json(0, 'advance', 'verify', 'ADV-1')).toMatchObject({ number: 'ADV-1', verifiedOn: '2026-02-20' });
    expect((await run('advance', 'verify', 'ADV-1')).out).toBe('advance ADV-1 verified on 2026-02-20');
    // 200.00 to INV-3 goes to its earliest installment: #1 300.00 - 200.00 = 100.00; ADV-1 500.00 - 200.00 = 300.00.
    const fromAdvance = await json(0, 'apply', '--from', 'advance:ADV-1', '--to', 'INV-3:200.00');
    expect(fromAdvance).toMatchObject({ creditOpen: '300.00', allocations: [{ amount: '200.00', to: { number: 'INV-3', installment: 1 }, date: '2026-03-01' }] });

    // 10.00 of PAY-9 (50.00) to INV-3 #1: 100.00 - 10.00 = 90.00 open, 40.00 left on PAY-9, dated 2026-03-21 (the later document).
    const applied = await run('apply', '--from', 'payment:PAY-9', '--to', 'INV-3:10.00');
    expect(applied).toMatchObject({ code: 0, out: 'applied 10.00 CNY of PAY-9 to INV-3#1 on 2026-03-21\nleft unapplied: 40.00' });
    let inv3 = await show('INV-3');
    expect(items(inv3)).toEqual([[1, '2026-03-01', '300.00', '90.00'], [2, '2026-03-31', '700.01', '700.01']]);
    const allocation = inv3.allocations!.find((a) => a.from.number === 'PAY-9')!;

    const undone = await run('reverse', '--allocation', allocation.id, '--reason', 'applied to the wrong invoice');
    expect(undone).toMatchObject({ code: 0, out: `reversed allocation ${allocation.id}: 10.00 CNY open again on PAY-9 and INV-3` });
    expect(items(await show('INV-3'))[0]).toEqual([1, '2026-03-01', '300.00', '100.00']);
    expect(await show('PAY-9')).toMatchObject({ open: '50.00' });
    expect(await json(1, 'reverse', '--allocation', allocation.id, '--reason', 'once more')).toMatchObject({ code: 'ALREADY_REVERSED' });
    expect(await json(1, 'reverse', '--allocation', 'not-an-id', '--reason', 'typo')).toMatchObject({ code: 'ALLOCATION_NOT_FOUND' });

    expect((await json(0, 'apply', '--from', 'PAY-9', '--to', 'INV-3:10.00')).creditOpen).toBe('40.00');
    // The payment bounced: its one live allocation is undone and a reversal dated today (2026-06-30) closes it.
    const reversed = await json(0, 'reverse', 'payment:PAY-9', '--reason', 'bounced');
    expect(reversed).toMatchObject({ reversed: { number: 'PAY-9', status: 'reversed' }, reversal: { number: 'REV-PAY-9', documentDate: '2026-06-30', amount: '50.00' } });
    expect(reversed.unappliedAllocations).toHaveLength(1);
    inv3 = await show('INV-3');
    expect(inv3.open).toBe('800.01'); // 100.00 + 700.01
    expect(await json(1, 'reverse', 'payment:PAY-9', '--reason', 'bounced')).toMatchObject({ code: 'ALREADY_REVERSED' });
    expect(await json(1, 'reverse', 'INV-3', '--reason', 'x')).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await json(1, 'apply', '--from', 'payment:NOPE', '--to', 'INV-3')).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    // A date of the right form that does not exist is refused with its reason, not passed on to the database.
    expect(await json(1, 'reverse', 'INV-3', '--reason', 'typo in the date', '--date', '2026-13-01')).toMatchObject({ message: expect.stringContaining('no month 13') });
    expect(await json(1, 'documents', 'list', '--from', '2026-02-30')).toMatchObject({ message: expect.stringContaining('"2026-02-30" is not a day of 2026-02') });
  });

  it('shows documents, customers and a consistent ledger', async () => {
    const all = await list();
    // 7 invoices, PAY-1, PAY-9, CN-1, ADV-1 and the reversal REV-PAY-9.
    expect(all.map((d) => d.number).sort()).toEqual(['ADV-1', 'CN-1', 'INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5', 'INV-6', 'INV-7', 'PAY-1', 'PAY-9', 'REV-PAY-9']);
    expect((await list('--kind', 'invoice', '--status', 'open')).map((d) => d.number).sort()).toEqual(['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5', 'INV-6', 'INV-7']);
    const table = await run('documents', 'list', '--customer', 'C003');
    expect(table.out.split('\n')[1]).toMatch(/^2026-03-03\s+invoice\s+INV-5\s+C003\s+USD\s+99\.99\s+99\.99\s+2026-04-02\s+open$/);

    // C001, as of 2026-06-30: INV-1 30.00 + INV-2 140.00 + INV-4 500.00 + INV-6 88.88 = 758.88, all past due.
    expect(await json(0, 'customers', 'show', 'C001')).toMatchObject({
      balance: [{ currency: 'CNY', receivable: '758.88', overdue: '758.88', unapplied: '0.00', net: '758.88', openItems: 4 }],
    });
    // C002: INV-3 100.00 + 700.01 + INV-7 1234.50 = 2034.51; ADV-1 has 300.00 unapplied: net 1734.51.
    expect(await json(0, 'customers', 'show', 'C002')).toMatchObject({
      balance: [{ currency: 'CNY', receivable: '2034.51', overdue: '2034.51', unapplied: '300.00', net: '1734.51' }],
    });
    const text = await run('customers', 'show', 'C002');
    expect(text.out).toBe([
      'C002  北京远大科技有限公司  (active)',
      'currency CNY, terms SPLIT, credit limit 0.00',
      'CNY: receivable 2034.51, overdue 2034.51, unapplied 300.00, net 1734.51',
    ].join('\n'));
    expect(await json(1, 'customers', 'show', 'C999')).toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    expect(await json(1, 'documents', 'show', 'NOPE-1')).toEqual({ code: 'DOCUMENT_NOT_FOUND', message: expect.stringContaining('NOPE-1'), details: [] });

    expect(await run('ledger', 'verify')).toMatchObject({ code: 0, out: expect.stringMatching(/: consistent$/) });
    // 12 documents; items: 7 invoices with INV-3 in two + 5 others = 13; allocations: PAY-1 ×2, CN-1, ADV-1, PAY-9
    // applied, unapplied, applied again, unwound by the reversal, and the reversal closing PAY-9 = 9.
    expect(await json(0, 'ledger', 'verify')).toEqual({ documents: 12, items: 13, allocations: 9, problems: [], rebuilt: 0 });
  });

  it('exports invoices and imports them into a second tenant with the same count and totals', async () => {
    const invoicesOut = path.join(tmp, 'export-invoices.csv');
    const customersOut = path.join(tmp, 'export-customers.csv');
    expect(await run('export', 'invoices', '--out', invoicesOut)).toMatchObject({ code: 0, err: `exported 7 invoices rows to ${invoicesOut}` });
    expect(await json(0, 'export', 'customers', '--out', customersOut)).toEqual({ kind: 'customers', rows: 4, file: customersOut });
    expect(await json(1, 'export', 'invoices', '--out', path.join(tmp, 'no-such-folder', 'x.csv'))).toMatchObject({ code: 'CANNOT_WRITE_FILE' });
    const exported = fs.readFileSync(invoicesOut, 'utf8').trim().split('\n');
    expect(exported[0]).toBe('number,customer_code,document_date,due_date,payment_terms,currency,external_id,amount');
    expect(exported).toContain('INV-1,C001,2026-03-01,2026-03-31,NET30,CNY,,100.00');
    // An installment invoice goes out without a due date, so its schedule is recomputed on the way back in.
    expect(exported).toContain('INV-3,C002,2026-03-01,,SPLIT,CNY,,1000.01');

    expect((await run('init', '--tenant', 'COPY', '--name', 'Copy Ltd', '--currency', 'CNY')).code).toBe(0);
    const copy = ['--tenant', 'COPY'];
    for (const terms of [['NET30', '--net', '30'], ['2-10-N30', '--net', '30', '--discount', '2/10'], ['SPLIT', '--installments', '30@0,70@30']]) {
      expect((await run(...copy, 'terms', 'add', ...terms)).code).toBe(0);
    }
    expect((await run(...copy, 'fx', 'set', 'USD', '2026-03-01', '7.1234')).code).toBe(0);
    expect(await json(0, ...copy, 'import', 'customers', customersOut)).toMatchObject({ created: 4 });
    expect(await json(0, ...copy, 'import', 'invoices', invoicesOut)).toMatchObject({ rows: 7, created: 7 });
    expect(await json(0, ...copy, 'import', 'invoices', invoicesOut)).toMatchObject({ created: 0, unchanged: 7 });

    const invoicesOf = async (tenant: string) =>
      (await json<{ items: Doc[] }>(0, '--tenant', tenant, 'documents', 'list', '--kind', 'invoice', '--limit', '200')).items;
    const original = await invoicesOf('ACME');
    const copied = await invoicesOf('COPY');
    const shape = (docs: Doc[]) => docs.map((d) => [d.number, d.customer, d.documentDate, d.dueDate, d.currency, d.amount, d.functionalAmount]).sort();
    expect(copied).toHaveLength(7);
    expect(shape(copied)).toEqual(shape(original));
    const total = (docs: Doc[], currency: string) =>
      docs.filter((d) => d.currency === currency).reduce((sum, d) => sum + BigInt(d.amount.replace('.', '')), 0n);
    // CNY: 100.00 + 200.00 + 1000.01 + 500.00 + 88.88 + 1234.50 = 3123.39; USD: 99.99.
    expect(total(copied, 'CNY')).toBe(312339n);
    expect(total(original, 'CNY')).toBe(312339n);
    expect(total(copied, 'USD')).toBe(9999n);
    expect(items(await show('INV-3', ...copy))).toEqual([[1, '2026-03-01', '300.00', '300.00'], [2, '2026-03-31', '700.01', '700.01']]);
    expect(await json(0, ...copy, 'ledger', 'verify')).toMatchObject({ documents: 7, problems: [] });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The IBM Watson "Accounts Receivable" sample (2,466 settled invoices of 100 customers, US M/D/YYYY dates), read in
// place from the shared datasets folder when it is there.

const IBM_SAMPLE = '/work/shared/datasets/ar-payments/ibm-wa-accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv';

describe.skipIf(!fs.existsSync(IBM_SAMPLE))('the IBM accounts receivable sample', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => test?.drop());
  const { run, json } = cliOn(() => test);

  it('rejects its US dates, then imports it mapped, settles every invoice and balances to zero', async () => {
    const lines = fs.readFileSync(IBM_SAMPLE, 'utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    const iso = (us: string) => {
      const [m, d, y] = us.split('/');
      return `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
    };
    const cents = (amount: string) => {
      const [whole, fraction = ''] = amount.split('.');
      return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
    };
    const customers = [...new Set(rows.map((r) => r[col('customerID')]!))].sort();
    expect(customers).toHaveLength(100);
    expect(rows).toHaveLength(2466);

    expect((await run('init', '--tenant', 'IBM', '--name', 'IBM sample', '--currency', 'USD', '--timezone', 'America/New_York')).code).toBe(0);
    const customerFile = write('ibm-customers.csv', ['code,name', ...customers.map((c) => `${c},Customer ${c}`)].join('\n'));
    expect(await json(0, 'import', 'customers', customerFile)).toMatchObject({ created: 100 });

    // The file as it is: its headers map (customerID, invoiceNumber, InvoiceDate, DueDate, InvoiceAmount), but
    // "1/2/2013" could be 1 February or 2 January: every row has two ambiguous dates, and nothing goes in.
    const raw = await run('--format', 'json', 'import', 'invoices', IBM_SAMPLE);
    expect(raw.code).toBe(1);
    const rejected = JSON.parse(raw.out) as { code: string; message: string; details: { line: number; column: string; message: string }[] };
    expect(rejected.code).toBe('IMPORT_REJECTED');
    expect(rejected.message).toContain(`${2 * 2466} problems`);
    expect(rejected.details).toHaveLength(1000);
    expect(rejected.details[0]).toMatchObject({ line: 2, column: 'document_date', message: expect.stringContaining('"1/2/2013" is ambiguous') });
    expect(rejected.details[1]).toMatchObject({ line: 2, column: 'due_date' });
    expect((await json<{ items: unknown[] }>(0, 'documents', 'list')).items).toEqual([]);

    // Mapped to ISO dates; invoice numbers keep their leading zeros. Each settlement is a payment of the full amount.
    const invoiceFile = write('ibm-invoices.csv', [
      'number,customer_code,document_date,due_date,amount',
      ...rows.map((r) => [r[col('invoiceNumber')], r[col('customerID')], iso(r[col('InvoiceDate')]!), iso(r[col('DueDate')]!), r[col('InvoiceAmount')]].join(',')),
    ].join('\n'));
    const paymentFile = write('ibm-payments.csv', [
      'reference,customer_code,date,amount,applies_to',
      ...rows.map((r) => [`SET-${r[col('invoiceNumber')]}`, r[col('customerID')], iso(r[col('SettledDate')]!), r[col('InvoiceAmount')], r[col('invoiceNumber')]].join(',')),
    ].join('\n'));
    expect(await json(0, 'import', 'invoices', invoiceFile)).toMatchObject({ rows: 2466, created: 2466 });
    const first = rows[0]!;
    expect(await json(0, 'documents', 'show', `invoice:${first[col('invoiceNumber')]}`)).toMatchObject({
      number: '0000611365', customer: '0379-NEVHP', documentDate: '2013-01-02', dueDate: '2013-02-01', amount: '55.94', open: '55.94',
    });

    // Before settlement, one customer's receivable is the sum of its invoices in the file.
    const customer = customers[0]!;
    const owed = rows.filter((r) => r[col('customerID')] === customer).reduce((s, r) => s + cents(r[col('InvoiceAmount')]!), 0n);
    const before = await json<{ balance: { receivable: string }[] }>(0, 'customers', 'show', customer);
    expect(cents(before.balance[0]!.receivable)).toBe(owed);

    expect(await json(0, 'import', 'payments', paymentFile)).toMatchObject({ rows: 2466, created: 2466, allocations: 2466 });
    expect(await json(0, 'customers', 'show', customer)).toMatchObject({ balance: [] });
    expect(await json(0, 'ledger', 'verify')).toEqual({ documents: 2 * 2466, items: 2 * 2466, allocations: 2466, problems: [], rebuilt: 0 });

    // The export's invoice total equals the file's.
    const exported = path.join(tmp, 'ibm-export.jsonl');
    expect((await run('export', 'invoices', '--as', 'jsonl', '--out', exported)).code).toBe(0);
    const exportedRows = fs.readFileSync(exported, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { amount: string });
    expect(exportedRows).toHaveLength(2466);
    const fileTotal = rows.reduce((s, r) => s + cents(r[col('InvoiceAmount')]!), 0n);
    expect(exportedRows.reduce((s, r) => s + cents(r.amount), 0n)).toBe(fileTotal);
  });
});

// ---------------------------------------------------------------------------------------------------------------

// The real bin, `node bin/arflow.mjs`, in child processes. Each child pays for loading tsx and PGlite, so the runs
// start with the file (see binScenario below) and overlap the in-process tests; these tests check what they printed.

describe('the bin in a child process', () => {
  it('prints help', async () => {
    const { help } = await binRuns;
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: arflow [options] [command]');
    expect(help.out).toContain('import [options] <kind> <file>');
  });

  it('runs init, import and ledger verify against its own database', async () => {
    const { init, customers, invoices, verify } = await binRuns;
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/^created tenant ACME \(Acme, CNY, Asia\/Shanghai\)\nfirst administrator: admin@acme\.local\none-time password: +[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3} /);
    expect(customers).toMatchObject({ code: 0, out: 'imported customers from bin-customers.csv: 1 rows, 1 new, 0 updated, 0 unchanged\n' });
    expect(invoices.code).toBe(0);
    expect(JSON.parse(invoices.out)).toEqual({ kind: 'invoices', file: 'bin-invoices.csv', rows: 2, created: 2, updated: 0, unchanged: 0, allocations: 0, dryRun: false });
    // The two invoices, 1,234.50 + 765.50, each one item; no allocations.
    expect(verify).toMatchObject({ code: 0, out: 'checked 2 documents, 2 items, 0 allocations: consistent\n' });
  });
});

let binRuns: Promise<Record<'help' | 'init' | 'customers' | 'invoices' | 'verify', Run>>;
let binCleanup: () => Promise<void> = async () => {};

beforeAll(() => {
  binRuns = binScenario();
  binRuns.catch(() => {}); // reported by the tests that await it
});
afterAll(async () => {
  await binRuns.catch(() => {});
  await binCleanup();
});

/**
 * Runs the bin against a data directory of its own (PGlite), or, when DATABASE_URL is set, against a fresh
 * PostgreSQL test database; DATABASE_URL is never inherited as is.
 */
async function binScenario() {
  const exec = promisify(execFile);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arflow-bin-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ARFLOW_DATA_DIR: path.join(dir, 'data'), ARFLOW_TENANT: '' };
  delete env.DATABASE_URL;
  let database: TestDatabase | undefined;
  binCleanup = async () => {
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (process.env.DATABASE_URL) {
    database = await openTestDatabase();
    env.DATABASE_URL = database.url;
  }
  const arflow = async (...argv: string[]): Promise<Run> => {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['bin/arflow.mjs', ...argv], { cwd: REPO, env, timeout: 50_000 });
      return { code: 0, out: stdout, err: stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
    }
  };
  const customersFile = path.join(dir, 'bin-customers.csv');
  fs.writeFileSync(customersFile, '客户编码,客户名称\nC001,上海华东贸易有限公司\n');
  const invoicesFile = path.join(dir, 'bin-invoices.csv');
  fs.writeFileSync(invoicesFile, 'number,customer_code,document_date,due_date,amount\nINV-1,C001,2026-03-01,2026-03-31,"1,234.50"\nINV-2,C001,2026-03-02,2026-04-01,765.50\n');
  const [help, init] = await Promise.all([
    arflow('--help'),
    arflow('init', '--tenant', 'ACME', '--name', 'Acme', '--currency', 'CNY', '--timezone', 'Asia/Shanghai'),
  ]);
  const customers = await arflow('import', 'customers', customersFile);
  const invoices = await arflow('--format', 'json', 'import', 'invoices', invoicesFile);
  const verify = await arflow('ledger', 'verify');
  return { help, init, customers, invoices, verify };
}
