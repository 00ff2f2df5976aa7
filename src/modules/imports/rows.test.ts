import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorDetail } from '../../domain/errors.ts';
import { mapHeader, type ColumnMapping, type ImportKind } from './columns.ts';
import {
  DuplicateTracker,
  amountToMinor,
  parseAppliesTo,
  parseCurrency,
  parseDecimalAmount,
  parseImportDate,
  parseImportFile,
  parseRow,
  type ParseFileOptions,
  type RowOf,
  type RowResult,
} from './rows.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function mappingFor(kind: ImportKind, header: string[]): ColumnMapping {
  const result = mapHeader(kind, header);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.mapping;
}

async function parseAll<K extends ImportKind>(kind: K, path: string, options: ParseFileOptions = {}): Promise<RowResult<RowOf<K>>[]> {
  const results: RowResult<RowOf<K>>[] = [];
  for await (const result of parseImportFile(kind, path, options)) results.push(result);
  return results;
}

const DATE_FORMS = 'YYYY-MM-DD (e.g. 2026-03-01); also accepted: 2026/3/1, 2026.3.1, 2026-3-1, 2026年3月1日, 20260301';

describe('parseDecimalAmount', () => {
  it.each([
    ['1234.50', '1234.50'],
    ['1,234.50', '1234.50'],
    ['¥1,234.50', '1234.50'],
    ['￥ 88', '88'],
    ['$0.99', '0.99'],
    ['€12', '12'],
    ['１２３４．５', '1234.5'],
    ['１，２３４．５０', '1234.50'],
    ['1 234.50', '1234.50'],
    ["1'234.50", '1234.50'],
    ['007', '7'],
    ['.5', '0.5'],
    ['12.3456', '12.3456'],
    ['+5', '5'],
    ['12,345,678.9', '12345678.9'],
  ])('reads %s as %s', (text, value) => {
    expect(parseDecimalAmount(text)).toEqual({ ok: true, value });
  });

  const form = 'write it like 1234.50 or 1,234.50 (a dot for decimals)';
  it.each([
    ['1 234,50', `"1 234,50" uses a comma as the decimal separator, which arflow does not read; ${form}`],
    ['1.234,50', `"1.234,50" uses a comma as the decimal separator, which arflow does not read; ${form}`],
    ['12,5', `"12,5" uses a comma as the decimal separator, which arflow does not read; ${form}`],
    ['0', '"0" is zero; the amount must be greater than zero'],
    ['0.00', '"0.00" is zero; the amount must be greater than zero'],
    ['-3', '"-3" is negative; the amount must be greater than zero'],
    ['(100.00)', '"(100.00)" is negative; the amount must be greater than zero'],
    ['-¥5', '"-¥5" is negative; the amount must be greater than zero'],
    ['12.34567', '"12.34567" has 5 decimals; at most 4 are accepted (round it in the source system)'],
    ['abc', `"abc" is not an amount; ${form}`],
    ['1,23,456', `"1,23,456" is not an amount; ${form}`],
    ['1e5', `"1e5" is not an amount; ${form}`],
    ['--5', `"--5" is not an amount; ${form}`],
    ['123456789012345678', '"123456789012345678" is larger than arflow accepts'],
  ])('rejects %s', (text, message) => {
    expect(parseDecimalAmount(text)).toEqual({ ok: false, message });
  });

  it('accepts zero where asked (a credit limit)', () => {
    expect(parseDecimalAmount('0', { allowZero: true })).toEqual({ ok: true, value: '0' });
    expect(parseDecimalAmount('-1', { allowZero: true }).ok).toBe(false);
  });
});

describe('amountToMinor', () => {
  it('converts with the currency scale once the service knows the currency', () => {
    expect(amountToMinor('1234.50', 'CNY')).toBe(123450n);
    expect(amountToMinor('1234.5', 'CNY')).toBe(123450n);
    expect(amountToMinor('1000', 'JPY')).toBe(1000n);
    expect(amountToMinor('1.234', 'KWD')).toBe(1234n);
    expect(amountToMinor('12.3400', 'CNY')).toBe(1234n);
  });

  it('refuses more decimals than the currency has, naming line and column', () => {
    try {
      amountToMinor('1234.5', 'JPY', { line: 7, column: 'amount' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const e = error as AppError;
      expect(e.code).toBe('INVALID_AMOUNT');
      expect(e.message).toBe('line 7, column amount: "1234.5" has 1 decimals but JPY has 0; round it in the source system');
      expect(e.details).toEqual([{ line: 7, column: 'amount', message: '"1234.5" has 1 decimals but JPY has 0; round it in the source system' }]);
    }
  });
});

describe('parseImportDate', () => {
  it.each([
    '2026-03-01', '2026/3/1', '2026.3.1', '2026-3-1', '2026/03/01', '2026年3月1日', '2026年03月01日', '2026年3月1',
    '20260301', '２０２６－０３－０１', '2026-03-01 00:00:00', '2026-03-01T08:30', '2026/3/1 9:05',
  ])('reads %s as 2026-03-01', (text) => {
    expect(parseImportDate(text)).toEqual({ ok: true, value: '2026-03-01' });
  });

  it('knows leap years', () => {
    expect(parseImportDate('2024/2/29')).toEqual({ ok: true, value: '2024-02-29' });
  });

  it.each([
    ['03/01/2026', `"03/01/2026" is ambiguous (which part is the day, which the month?); write it as ${DATE_FORMS}`],
    ['1.3.26', `"1.3.26" is ambiguous (which part is the day, which the month?); write it as ${DATE_FORMS}`],
    ['2026-02-30', '"2026-02-30" is not a day of 2026-02; check the day and the month'],
    ['2026/2/29', '"2026/2/29" is 2026-02-29: "2026-02-29" is not a day of 2026-02; check the day and the month'],
    ['2026-13-01', '"2026-13-01" has no month 13; check the day and the month'],
    ['0226-03-01', '"0226-03-01" is outside 1900-01-01..2199-12-31; check the day and the month'],
    ['2026/03-01', `"2026/03-01" is not a date arflow reads; write it as ${DATE_FORMS}`],
    ['46082', `"46082" looks like an Excel date serial number; format the column as a date in Excel, or write ${DATE_FORMS}`],
    ['next week', `"next week" is not a date arflow reads; write it as ${DATE_FORMS}`],
  ])('rejects %s', (text, message) => {
    expect(parseImportDate(text)).toEqual({ ok: false, message });
  });
});

describe('parseCurrency', () => {
  it.each([
    ['cny', 'CNY'], [' usd ', 'USD'], ['ＵＳＤ', 'USD'], ['人民币', 'CNY'], ['RMB', 'CNY'], ['rmb', 'CNY'], ['美元', 'USD'],
    ['欧元', 'EUR'], ['港币', 'HKD'], ['港元', 'HKD'], ['日元', 'JPY'], ['KWD', 'KWD'],
  ])('reads %s as %s', (text, value) => {
    expect(parseCurrency(text)).toEqual({ ok: true, value });
  });

  it.each(['XYZ', 'US', '元', 'US$'])('rejects %s', (text) => {
    expect(parseCurrency(text)).toEqual({
      ok: false,
      message: `"${text}" is not an ISO 4217 currency code; use e.g. CNY, USD, EUR (人民币, 美元, 欧元, 港币 and 日元 are read too)`,
    });
  });
});

describe('parseAppliesTo', () => {
  it('reads items with and without amounts, in every separator', () => {
    expect(parseAppliesTo('INV-1:40.00;INV-2:60.00')).toEqual({
      ok: true,
      value: [{ number: 'INV-1', amount: '40.00' }, { number: 'INV-2', amount: '60.00' }],
    });
    expect(parseAppliesTo(' INV-1 ： 40 ，INV-2| INV-3 ；INV-4\nINV-5;')).toEqual({
      ok: true,
      value: [{ number: 'INV-1', amount: '40' }, { number: 'INV-2' }, { number: 'INV-3' }, { number: 'INV-4' }, { number: 'INV-5' }],
    });
    expect(parseAppliesTo('INV-1:1,234.50')).toEqual({ ok: true, value: [{ number: 'INV-1', amount: '1234.50' }] });
  });

  it('reports every bad item', () => {
    expect(parseAppliesTo(':40;INV-1:40;INV-1:2;INV-2:abc;INV-3:;INV-4:0')).toEqual({
      ok: false,
      messages: [
        'item ":40" has no invoice number; write it like INV-1:40.00',
        'invoice INV-1 is listed twice; list each invoice once, with the total for it',
        'invoice INV-2: "abc" is not an amount; write it like 1234.50 or 1,234.50 (a dot for decimals)',
        'item "INV-3:" has nothing after the colon; write INV-3:40.00, or just INV-3',
        'invoice INV-4: "0" is zero; the amount must be greater than zero',
      ],
    });
  });

  it('bounds the items', () => {
    const cell = Array.from({ length: 201 }, (_, i) => `INV-${i}`).join(';');
    expect(parseAppliesTo(cell)).toEqual({
      ok: false,
      messages: ['lists 201 invoices; at most 200 are accepted in one cell (split the receipt)'],
    });
    expect(parseAppliesTo(cell.replace(/;INV-200$/, '')).ok).toBe(true);
  });
});

describe('parseRow', () => {
  const invoiceHeader = ['number', 'customer_code', 'document_date', 'due_date', 'payment_terms', 'currency', 'external_id', 'amount'];

  it('builds an invoice row, trimming and leaving empty optional cells out', () => {
    const mapping = mappingFor('invoices', invoiceHeader);
    const result = parseRow('invoices', { line: 9, values: [' INV-9 ', 'C001', '2026/3/1', '', ' NET30 ', 'rmb', '', '¥1,000'] }, mapping);
    expect(result).toStrictEqual({
      ok: true,
      row: { line: 9, number: 'INV-9', customerCode: 'C001', documentDate: '2026-03-01', paymentTerms: 'NET30', currency: 'CNY', amount: '1000' },
    });
  });

  it('reports a cell problem from the workbook only when its column is used', () => {
    const mapping = mappingFor('invoices', [...invoiceHeader, 'note']);
    const values = ['INV-9', 'C001', '2026-03-01', '', '', '', '', '', '#N/A'];
    const problems = [
      { index: 7, message: 'a formula whose result cannot be read' },
      { index: 8, message: 'ignored: the note column is not used' },
    ];
    expect(parseRow('invoices', { line: 4, values, problems }, mapping)).toEqual({
      ok: false,
      errors: [{ line: 4, column: 'amount', message: 'a formula whose result cannot be read' }],
    });
  });

  it('builds a customer row and checks its text cells', () => {
    const header = ['code', 'name', 'email', 'language', 'group_code', 'phone', 'credit_limit'];
    const mapping = mappingFor('customers', header);
    expect(parseRow('customers', { line: 2, values: ['C1', 'Alpha', 'ａｒ＠alpha.example', 'ENGLISH', 'G1', '１３８００１３８０００', '0'] }, mapping)).toStrictEqual({
      ok: true,
      row: { line: 2, code: 'C1', name: 'Alpha', email: 'ar@alpha.example', language: 'en', groupCode: 'G1', phone: '13800138000', creditLimit: '0' },
    });
    const bad = parseRow('customers', {
      line: 3,
      values: ['C'.repeat(65), 'Alpha\tBeta', 'not-an-address', 'fr', 'G1', '', '-5'],
    }, mapping);
    expect(bad).toEqual({
      ok: false,
      errors: [
        { line: 3, column: 'code', message: 'is 65 characters long; at most 64 are allowed' },
        { line: 3, column: 'name', message: 'contains a line break or another control character; put the value on one line' },
        { line: 3, column: 'credit_limit', message: '"-5" is negative; the amount must be zero or more' },
        { line: 3, column: 'email', message: '"not-an-address" is not an email address; give one address like name@example.com' },
        { line: 3, column: 'language', message: '"fr" is not a language arflow writes in; use zh-CN (中文) or en (English)' },
      ],
    });
  });

  it('refuses a customer in its own group and an undecodable character', () => {
    const mapping = mappingFor('customers', ['code', 'name', 'group_code']);
    expect(parseRow('customers', { line: 5, values: ['C1', 'Caf\ufffd', 'C1'] }, mapping)).toEqual({
      ok: false,
      errors: [
        { line: 5, column: 'name', message: 'contains "\ufffd", a character that could not be decoded; save the file as "CSV UTF-8" or import it with the right encoding' },
        { line: 5, column: 'group_code', message: "is the customer's own code C1; give the code of the group (parent) customer or leave it empty" },
      ],
    });
  });

  it('checks that applied amounts fit in the payment', () => {
    const mapping = mappingFor('payments', ['reference', 'customer_code', 'date', 'amount', 'applies_to']);
    expect(parseRow('payments', { line: 2, values: ['R1', 'C1', '2026-03-01', '100', 'A:60;B:40.00;C'] }, mapping)).toEqual({
      ok: true,
      row: { line: 2, reference: 'R1', customerCode: 'C1', date: '2026-03-01', amount: '100', appliesTo: [{ number: 'A', amount: '60' }, { number: 'B', amount: '40.00' }, { number: 'C' }] },
    });
    expect(parseRow('payments', { line: 3, values: ['R2', 'C1', '2026-03-01', '100', 'A:60;B:40.01'] }, mapping)).toEqual({
      ok: false,
      errors: [{ line: 3, column: 'applies_to', message: 'the amounts listed add up to 100.01, more than the amount 100; correct the amounts or the total' }],
    });
  });

  it('builds advance and credit note rows', () => {
    const advances = mappingFor('advances', ['reference', 'customer_code', 'date', 'amount', 'currency']);
    expect(parseRow('advances', { line: 2, values: ['ADV-1', 'C1', '20260301', '5,000', 'HKD'] }, advances)).toStrictEqual({
      ok: true,
      row: { line: 2, reference: 'ADV-1', customerCode: 'C1', date: '2026-03-01', amount: '5000', currency: 'HKD' },
    });
    const notes = mappingFor('credit-notes', ['number', 'customer_code', 'date', 'amount', 'against_invoice', 'applies_to']);
    expect(parseRow('credit-notes', { line: 2, values: ['CN-1', 'C1', '2026-03-02', '50', 'INV-1', 'INV-1:50'] }, notes)).toStrictEqual({
      ok: true,
      row: { line: 2, number: 'CN-1', customerCode: 'C1', date: '2026-03-02', amount: '50', againstInvoice: 'INV-1', appliesTo: [{ number: 'INV-1', amount: '50' }] },
    });
  });
});

describe('DuplicateTracker', () => {
  it('names the first line of a repeated key', () => {
    const tracker = new DuplicateTracker('payments');
    expect(tracker.check('BANK-1', 2)).toBeNull();
    expect(tracker.check('BANK-2', 3)).toBeNull();
    expect(tracker.check('BANK-1', 7)).toEqual({
      line: 7,
      column: 'reference',
      message: 'BANK-1 is already on line 2; each reference may appear only once in a file (remove or renumber one of them)',
    });
    expect(tracker.check('BANK-1', 9)?.message).toMatch(/already on line 2;/);
    expect(tracker.check('bank-1', 10)).toBeNull();
  });

  it('keeps every key exactly through growth', () => {
    const tracker = new DuplicateTracker('invoices');
    const count = 50_000;
    for (let i = 0; i < count; i++) expect(tracker.check(`INV-${i}`, i + 2)).toBeNull();
    for (let i = 0; i < count; i += 997) expect(tracker.check(`INV-${i}`, count + 10)?.message).toContain(`already on line ${i + 2};`);
  });

  it('reads the key of a parsed row', () => {
    const tracker = new DuplicateTracker('customers');
    expect(tracker.checkRow({ line: 2, code: 'C1', name: 'A' })).toBeNull();
    expect(tracker.checkRow({ line: 3, code: 'C1', name: 'B' })?.column).toBe('code');
  });
});

describe('parseImportFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arflow-rows-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a UTF-8 invoice export with Chinese headers', async () => {
    const warnings: ErrorDetail[] = [];
    const results = await parseAll('invoices', fixture('invoices-utf8-bom.csv'), { onHeader: (_, w) => warnings.push(...w) });
    expect(warnings).toEqual([{ line: 1, column: '备注', message: 'column "备注" is not one of the invoices columns and is ignored' }]);
    expect(results).toStrictEqual([
      { ok: true, row: { line: 2, number: 'INV-2026-0001', customerCode: 'C001', documentDate: '2026-03-01', dueDate: '2026-03-31', currency: 'CNY', amount: '1234.50' } },
      { ok: true, row: { line: 3, number: 'INV-2026-0002', customerCode: 'C002', documentDate: '2026-03-05', currency: 'USD', amount: '980' } },
      { ok: true, row: { line: 4, number: 'INV-2026-0003', customerCode: 'C001', documentDate: '2026-03-10', amount: '200.00' } },
      { ok: true, row: { line: 6, number: 'INV-2026-0004', customerCode: 'C003', documentDate: '2026-03-15', dueDate: '2026-04-14', currency: 'CNY', amount: '0.5' } },
    ]);
  });

  it('reads a GBK customer list', async () => {
    expect(await parseAll('customers', fixture('customers-gbk.csv'))).toStrictEqual([
      {
        ok: true,
        row: {
          line: 2, code: 'C001', name: '上海华东贸易有限公司', taxId: '91310000MA1FL1234X', currency: 'CNY', paymentTerms: 'NET30',
          creditLimit: '500000.00', groupCode: 'G01', segment: '大客户', region: '华东', salesperson: '张伟', collector: '李娜',
          email: 'ar@huadong.example.cn', phone: '021-12345678', language: 'zh-CN',
        },
      },
      {
        ok: true,
        row: {
          line: 3, code: 'C002', name: 'Acme Trading Ltd', currency: 'USD', paymentTerms: 'NET60', creditLimit: '0', region: '海外',
          salesperson: '王芳', collector: '李娜', email: 'billing@acme.example.com', language: 'en',
        },
      },
    ]);
  });

  it('reads semicolon-separated payments with applies_to', async () => {
    expect(await parseAll('payments', fixture('payments-semicolon.csv'))).toStrictEqual([
      { ok: true, row: { line: 2, reference: 'BANK-001', customerCode: 'C001', date: '2026-03-20', amount: '1234.50', currency: 'CNY', appliesTo: [{ number: 'INV-2026-0001', amount: '1234.50' }] } },
      { ok: true, row: { line: 3, reference: 'BANK-002', customerCode: 'C002', date: '2026-03-21', amount: '1000.00', currency: 'USD', appliesTo: [{ number: 'INV-2026-0002', amount: '500' }, { number: 'INV-2026-0005' }] } },
      { ok: true, row: { line: 4, reference: 'BANK-003', customerCode: 'C001', date: '2026-03-22', amount: '300' } },
    ]);
  });

  it('reports every problem of every bad row with its line and column', async () => {
    expect(await parseAll('invoices', fixture('invoices-bad.csv'))).toEqual([
      { ok: false, errors: [{ line: 2, column: 'document_date', message: '"2026-02-30" is not a day of 2026-02; check the day and the month' }] },
      {
        ok: false,
        errors: [
          { line: 3, column: 'customer_code', message: "is empty; fill in the customer's code as in the customer list, e.g. C001" },
          { line: 3, column: 'document_date', message: `"03/01/2026" is ambiguous (which part is the day, which the month?); write it as ${DATE_FORMS}` },
          { line: 3, column: 'amount', message: '"-5" is negative; the amount must be greater than zero' },
          { line: 3, column: 'currency', message: '"XYZ" is not an ISO 4217 currency code; use e.g. CNY, USD, EUR (人民币, 美元, 欧元, 港币 and 日元 are read too)' },
        ],
      },
      {
        ok: false,
        errors: [
          { line: 4, column: 'amount', message: '"1 234,50" uses a comma as the decimal separator, which arflow does not read; write it like 1234.50 or 1,234.50 (a dot for decimals)' },
          { line: 4, column: 'due_date', message: '2026-02-01 is before the document date 2026-03-01; correct it, or leave it empty to compute it from the payment terms' },
        ],
      },
      {
        ok: false,
        errors: [
          { line: 6, column: 'amount', message: '"0" is zero; the amount must be greater than zero' },
          { line: 6, column: 'number', message: 'INV-1 is already on line 2; each number may appear only once in a file (remove or renumber one of them)' },
        ],
      },
      { ok: false, errors: [{ line: 7, column: 'amount', message: '"12.34567" has 5 decimals; at most 4 are accepted (round it in the source system)' }] },
    ]);
  });

  it('reads a VAT credit note export: the total including tax, positive amounts only', async () => {
    const warnings: ErrorDetail[] = [];
    const results = await parseAll('credit-notes', fixture('credit-notes-vat.csv'), { onHeader: (_, w) => warnings.push(...w) });
    expect(warnings.map((w) => w.message)).toEqual([
      'column "税额" is not one of the credit-notes columns and is ignored',
      'column "金额" is ignored: amount is read from "价税合计"',
    ]);
    expect(results).toStrictEqual([
      { ok: true, row: { line: 2, number: 'CN-001', customerCode: 'C001', date: '2026-03-25', amount: '113.00', againstInvoice: 'INV-2026-0001' } },
      { ok: false, errors: [{ line: 3, column: 'amount', message: '"-226.00" is negative; write credit notes as positive amounts (1000.00, not -1000.00)' }] },
    ]);
  });

  it('reads advances from an Excel workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('预收款');
    sheet.addRow(['收款单号', '客户编码', '收款日期', '预收金额', '币种']);
    sheet.addRow(['ADV-1', 'C001', new Date(Date.UTC(2026, 2, 3)), 5000, 'RMB']);
    sheet.addRow(['ADV-2', 1002, 46090, 99.9, '']);
    const path = join(dir, 'advances.xlsx');
    await workbook.xlsx.writeFile(path);
    expect(await parseAll('advances', path)).toStrictEqual([
      { ok: true, row: { line: 2, reference: 'ADV-1', customerCode: 'C001', date: '2026-03-03', amount: '5000', currency: 'CNY' } },
      {
        ok: false,
        errors: [{ line: 3, column: 'date', message: `"46090" looks like an Excel date serial number; format the column as a date in Excel, or write ${DATE_FORMS}` }],
      },
    ]);
  });

  it('refuses a file whose header does not fit the kind', async () => {
    await expect(parseAll('payments', fixture('customers-gbk.csv'))).rejects.toMatchObject({
      code: 'IMPORT_BAD_HEADER',
      details: [
        { line: 1, column: 'reference' },
        { line: 1, column: 'date' },
        { line: 1, column: 'amount' },
      ],
    });
  });

  it('refuses an empty file', async () => {
    const path = join(dir, 'empty.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, '\ufeff\n\n');
    await expect(parseAll('customers', path)).rejects.toMatchObject({ code: 'IMPORT_EMPTY_FILE' });
  });
});
