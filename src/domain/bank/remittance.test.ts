import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { appErrorOf } from '../test-helpers.ts';
import { parseRemittanceCsv, parseRemittanceRows, parseRemittanceXlsx } from './remittance.ts';

describe('remittance advices', () => {
  it('reads a GBK CSV with Chinese headers, a deduction, and a total line that is not an invoice', () => {
    const csv = iconv.encode('付款通知\r\n付款日期,发票号,金额,扣款,参考号\r\n2026-07-01,INV-2026-0012,"12,800.00",,HX-88\r\n2026-07-01,INV-2026-0013,3450.50,50.00,HX-88\r\n,合计,"16,250.50",,\r\n', 'gbk');
    const advice = parseRemittanceCsv(csv, 'CNY', 'gbk');
    // 12,800.00 + 3,450.50 = 16,250.50 (the customer's own total line agrees)
    expect(advice).toMatchObject({ currency: 'CNY', totalMinor: 1_625_050n });
    expect(advice.lines).toEqual([
      { line: 3, invoiceNumber: 'INV-2026-0012', amountMinor: 1_280_000n, currency: 'CNY', deductionMinor: 0n, reference: 'HX-88', paymentDate: '2026-07-01' },
      { line: 4, invoiceNumber: 'INV-2026-0013', amountMinor: 345_050n, currency: 'CNY', deductionMinor: 5_000n, reference: 'HX-88', paymentDate: '2026-07-01' },
    ]);
  });

  it('reads an English semicolon CSV with a currency column; a credit note taken off is negative', () => {
    const advice = parseRemittanceCsv(new TextEncoder().encode('Invoice number;Amount paid;Currency\nA-1;1000.00;EUR\nCN-7;-150.00;EUR\n'), 'CNY');
    expect(advice).toMatchObject({ currency: 'EUR', totalMinor: 85_000n }); // 1000.00 − 150.00
  });

  it('reads the first worksheet of an XLSX advice; number cells keep their decimals exactly', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Remittance');
    sheet.addRow(['Remittance advice from ACME Trading']);
    sheet.addRow(['Invoice No', 'Amount', 'Payment date']);
    sheet.addRow(['INV-2026-0031', 86000, new Date('2026-06-29T00:00:00Z')]);
    sheet.addRow(['INV-2026-0032', 12345.67, '2026-06-29']);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const advice = await parseRemittanceXlsx(bytes, 'CNY');
    // 86,000.00 + 12,345.67 = 98,345.67
    expect(advice.totalMinor).toBe(9_834_567n);
    expect(advice.lines.map((l) => [l.line, l.invoiceNumber, l.amountMinor, l.paymentDate])).toEqual([
      [3, 'INV-2026-0031', 8_600_000n, '2026-06-29'], [4, 'INV-2026-0032', 1_234_567n, '2026-06-29'],
    ]);
  });

  it('names the line and column of a bad amount; refuses a file without the two columns or with two currencies', () => {
    expect(appErrorOf(() => parseRemittanceRows([['Invoice', 'Amount'], ['A-1', '12.345']], 'EUR')).message).toMatch(/^line 2, column amount: "12.345" has more decimals than EUR/);
    expect(appErrorOf(() => parseRemittanceRows([['Number', 'Value'], ['A-1', '1']], 'EUR')).message).toMatch(/no header row with an invoice number column/);
    expect(appErrorOf(() => parseRemittanceRows([['Invoice', 'Amount', 'Currency'], ['A-1', '1', 'EUR'], ['A-2', '1', 'USD']], 'EUR')).message).toMatch(/^line 3: one advice is one payment in one currency/);
  });
});
