import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { appErrorOf } from '../test-helpers.ts';
import { parseCsvExport, type CsvProfileInput } from './csv-export.ts';
import { DATASET_PROFILES } from './csv-profiles.test-data.ts';
import { detectBankFormat, parseBankFile } from './detect.ts';
import { checkBalance } from './statement.ts';
import { datasetAvailable, datasetFiles, readDataset } from './test-datasets.ts';

const hasData = datasetAvailable('bank-csv');

describe.skipIf(!hasData)('CSV datasets: every file parses with its profile; a running balance column is checked', () => {
  it('has a profile for every file in the folder', () => {
    expect(datasetFiles('bank-csv').filter((f) => !DATASET_PROFILES[f])).toEqual([]);
  });
  for (const file of datasetFiles('bank-csv')) {
    it(file, () => {
      const bytes = readDataset('bank-csv', file);
      expect(detectBankFormat(bytes)).toBe('csv');
      const { format, statements } = parseBankFile(bytes, { profile: DATASET_PROFILES[file]! });
      expect(format).toBe('csv');
      expect(statements.map(checkBalance).filter((c) => c.status === 'mismatch')).toEqual([]);
    });
  }
});

describe.skipIf(!hasData)('CSV values read by hand', () => {
  const read = (file: string) => parseCsvExport(readDataset('bank-csv', file), DATASET_PROFILES[file]!);

  it('unsigned amount + D/C column: "-1,533.50" marked C is a credit of 1533.50; balances 10.00 → 1510.00', () => {
    const [s] = read('oca-bank-statement-import/debit_credit.csv');
    expect(s!.entries.map((e) => e.amountMinor)).toEqual([-3_350n, 153_350n]);
    // first row: balance −23.50 after −33.50, so the opening is 10.00; 10.00 − 33.50 + 1533.50 = 1510.00
    expect([s!.opening!.amountMinor, s!.closing!.amountMinor]).toEqual([1_000n, 151_000n]);
    expect(s!.entries[0]).toMatchObject({ bookingDate: '2018-12-15', counterpartyName: 'John Doe', counterpartyAccount: '123456789', remittanceText: 'Your best supplier' });
  });

  it('signed amount with thousands separators and a currency column: one statement per currency', () => {
    const statements = read('oca-bank-statement-import/sample_statement_en.csv');
    expect(statements.map((s) => [s.currency, s.entries[0]!.amountMinor])).toEqual([['USD', -3_350n], ['EUR', 152_500n]]);
  });

  it('PayPal activity (DD/MM/YYYY): the partner 2 payment nets 1,580.68 on 9 June 2016', () => {
    const usd = read('oca-bank-statement-import/activity_en.csv').find((s) => s.currency === 'USD')!;
    const tid4 = usd.entries.find((e) => e.bankReference === 'TID4')!;
    expect(tid4).toMatchObject({ amountMinor: 158_068n, bookingDate: '2016-06-09', counterpartyName: 'PARTNER2', remittanceText: '31 Payment to My Company for invoice 31' });
    expect(checkBalance(usd).status).toBe('ok');
  });

  it('Adyen settlement batch 380: 228 lines (net credit − net debit) that net to zero with the payout', () => {
    const [s] = read('oca-bank-statement-import/settlement_detail_report_batch_380.csv');
    expect(s!.entries).toHaveLength(228);
    expect(s!.entries[0]).toMatchObject({ amountMinor: 3_115n, bookingDate: '2021-01-06', valueDate: '2021-01-05', bankReference: '1829098024817852', remittanceText: 'CM1000028854', transactionCode: 'Settled' });
    expect(checkBalance(s!).entriesTotalMinor).toBe(0n);
  });
});

describe('CSV profiles: GBK, decimal comma, debit and credit columns, errors', () => {
  const gbkProfile: CsvProfileInput = {
    name: '工商银行', accountId: '6222020200112233445', currency: 'CNY', delimiter: ',', encoding: 'gbk', dateFormat: 'YYYY-MM-DD',
    thousandsSeparator: ',',
    columns: { bookingDate: '交易日期', debit: '借方发生额', credit: '贷方发生额', balance: '余额', counterpartyName: '对方户名', counterpartyAccount: '对方账号', remittance: ['摘要'] },
  };
  const gbkFile = iconv.encode(
    '交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\r\n' +
      '2026-03-02,货款 INV-2026-0012,,"12,800.00","112,800.00",上海华东贸易有限公司,31001234567\r\n' +
      '2026-03-03,手续费,5.50,,"112,794.50",,\r\n',
    'gbk',
  );

  it('reads a GBK export from a Chinese bank with debit and credit columns', () => {
    const [s] = parseCsvExport(gbkFile, gbkProfile);
    // opening = 112,800.00 − 12,800.00 = 100,000.00; closing 112,794.50 = 100,000.00 + 12,800.00 − 5.50
    expect([s!.opening!.amountMinor, s!.closing!.amountMinor]).toEqual([10_000_000n, 11_279_450n]);
    expect(s!.entries.map((e) => e.amountMinor)).toEqual([1_280_000n, -550n]);
    expect(s!.entries[0]).toMatchObject({ counterpartyName: '上海华东贸易有限公司', counterpartyAccount: '31001234567', remittanceText: '货款 INV-2026-0012' });
    expect(checkBalance(s!).status).toBe('ok');
  });

  it('reads decimal commas and DD.MM.YYYY dates with a semicolon delimiter', () => {
    const profile: CsvProfileInput = {
      name: 'Sparkasse', accountId: 'DE02120300000000202051', currency: 'EUR', delimiter: ';', dateFormat: 'DD.MM.YYYY',
      decimalSeparator: ',', thousandsSeparator: '.', columns: { bookingDate: 'Buchungstag', amount: 'Betrag', remittance: ['Verwendungszweck'] },
    };
    const [s] = parseCsvExport(new TextEncoder().encode('Buchungstag;Verwendungszweck;Betrag\n31.01.2026;Rechnung 17;1.234,56\n01.02.2026;Gebühr;-0,10\n'), profile);
    expect(s!.entries.map((e) => [e.bookingDate, e.amountMinor])).toEqual([['2026-01-31', 123_456n], ['2026-02-01', -10n]]);
  });

  it('names the line and column of a bad amount and of a bad date; a missing column names the header', () => {
    const bad = iconv.encode('交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\r\n2026-03-02,x,,12.8O,,,\r\n', 'gbk');
    expect(appErrorOf(() => parseCsvExport(bad, gbkProfile)).message).toMatch(/^line 2, column "贷方发生额"/);
    const badDate = iconv.encode('交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\r\n2026-02-30,x,,1.00,,,\r\n', 'gbk');
    expect(appErrorOf(() => parseCsvExport(badDate, gbkProfile)).message).toMatch(/^line 2, column "交易日期": "2026-02-30" is not a valid date/);
    expect(appErrorOf(() => parseCsvExport(new TextEncoder().encode('a,b\n1,2\n'), gbkProfile)).message).toMatch(/no column "交易日期"/);
  });

  it('refuses a profile that maps the amount twice, and a CSV without a profile', () => {
    const error = appErrorOf(() => parseCsvExport(gbkFile, { ...gbkProfile, columns: { ...gbkProfile.columns, amount: '余额' } }));
    expect(error.code).toBe('INVALID_CSV_PROFILE');
    expect(appErrorOf(() => parseBankFile(gbkFile)).code).toBe('BANK_CSV_PROFILE_REQUIRED');
  });
});
