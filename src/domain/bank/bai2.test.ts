import { describe, expect, it } from 'vitest';
import { appErrorOf } from '../test-helpers.ts';
import { isCreditTypeCode, parseBai2 } from './bai2.ts';
import { parseBankFile } from './detect.ts';
import { checkBalance } from './statement.ts';
import { datasetAvailable, datasetFiles, readDataset } from './test-datasets.ts';

/**
 * BAI2 files whose ledger balances (010 opening, 015 closing) do not add up with their 16 details:
 * - Citi: opening 100.00, one credit of 0.01, closing 100.00 → −0.01.
 * - Goldman Sachs account 104108339: its summary says one debit of 2000.00 (1595811.94 − 2000.00 = 1593811.94), but
 *   the sample carries 14 detail records under it → the bank file's own summary and details disagree.
 */
const BAI2_MISMATCHES: Record<string, bigint[]> = {
  'moj-bai2/citi_example.bai2': [-1n],
  'moov-bai2/sample4-continuations-newline-delimited.txt': [29_703_174n],
};

/**
 * BAI2 files whose trailers (49/98/99) do not match their records, refused as a whole: Goldman Sachs's sample says
 * its first account's control total is −1,260,161,341,762 over 26 records, where its 03 and 16 amounts add up to
 * 7,999,960 over 18 records (a sample put together by hand: its summary and details disagree too, above).
 */
const BAI2_REFUSED: Record<string, RegExp> = {
  'moov-bai2/sample4-continuations-newline-delimited.txt': /^line 22, record 49: the account trailer does not match the file: control total -1260161341762 but the amounts in it add up to 7999960; 26 records but 18 are in it/,
};

const hasData = datasetAvailable('bai2');
const read = (file: string) => {
  const { format, statements } = parseBankFile(readDataset('bai2', file));
  expect(format).toBe('bai2');
  return statements;
};
/** A file read without its trailers checked: for the values of a file refused for them. */
const readIgnoringTrailers = (file: string) => parseBai2(new TextDecoder().decode(readDataset('bai2', file)), { trailers: 'ignore' });

describe.skipIf(!hasData)('BAI2 datasets: every file parses and balances where it gives the ledger balances', () => {
  for (const file of datasetFiles('bai2')) {
    it(file, () => {
      if (BAI2_REFUSED[file]) {
        expect(appErrorOf(() => read(file))).toMatchObject({ code: 'BANK_FILE_MALFORMED', message: expect.stringMatching(BAI2_REFUSED[file]!) });
        return;
      }
      const statements = read(file);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.map(checkBalance).filter((c) => c.status === 'mismatch').map((c) => c.differenceMinor)).toEqual(BAI2_MISMATCHES[file] ?? []);
    });
  }
});

describe.skipIf(!hasData)('BAI2 values read by hand', () => {
  it('NatWest: sort code in the account, 88 text continuations, 36521 − 971 − 100 − 123 − 1571 + 89 = 33845', () => {
    const [s] = read('moj-bai2/nwb_example.bai2');
    expect(s).toMatchObject({ accountId: '88888888 600004', currency: 'GBP' });
    expect(s!.opening).toEqual({ amountMinor: 36_521n, currency: 'GBP', date: '2009-12-16' });
    expect(s!.entries.map((e) => e.amountMinor)).toEqual([-971n, -100n, -123n, -1_571n, 89n]);
    expect(s!.entries[0]!.remittanceText).toBe('LVP XBANKGO24007664SJ LVP INT 2 USAXBANKGO24007664SJ LVP INT 2 USARELAY TFR');
    expect(checkBalance(s!).status).toBe('ok');
  });

  it('Citi UK: funds type V with its value date, references, tags in 88 records (TRID, BO, BO1)', () => {
    const e = read('moj-bai2/citi_example.bai2')[0]!.entries[0]!;
    expect(e).toMatchObject({
      amountMinor: 1n, currency: 'GBP', transactionCode: '191', valueDate: '2015-07-15', bankReference: '1234567890',
      customerReference: 'RP12312312312312', endToEndId: 'RP12312312312312', counterpartyName: 'DOE JO', counterpartyAccount: '11111111',
    });
  });

  it('several records on one physical line: account 1111111 goes −35.00 + 31.00 − 32.00 = −36.00', () => {
    const [s] = read('moov-bai2/sample3.txt');
    expect(s!.entries.map((e) => e.amountMinor)).toEqual([2_500n, 500n, 100n, -2_500n, -600n, -100n]);
    expect([s!.opening!.amountMinor, s!.closing!.amountMinor]).toEqual([-3_500n, -3_600n]);
    expect(s!.entries[0]!.remittanceText).toBe('TRANSFER PAYPAL PPD');
  });

  it('Canadian sample, v2 and BTRS v3 alike: CAD, no ledger balances, returned cheques are debits', () => {
    for (const file of ['moov-bai2/sample1.txt', 'moov-bai2/sample1-btrs.txt']) {
      const statements = read(file);
      expect(statements.map((s) => s.entries.length)).toEqual([11, 6]);
      expect(statements[0]!.entries[0]).toMatchObject({ amountMinor: -2_500n, currency: 'CAD', valueDate: '2006-03-16', remittanceText: 'RETURNED CHEQUE' });
      expect(checkBalance(statements[0]!).status).toBe('not_given');
    }
    expect(read('moov-bai2/sample1-btrs.txt')[0]!.formatVersion).toBe('btrs v3');
  });

  it('Goldman Sachs: newline-delimited records, commas and quotes in text, EREF/DBNM/DACT tags', () => {
    const statements = readIgnoringTrailers('moov-bai2/sample4-continuations-newline-delimited.txt');
    const s = statements.find((x) => x.accountId === '104108339')!;
    const reject = statements[1]!.entries[1]!;
    expect(statements.map(checkBalance).filter((c) => c.status === 'mismatch').map((c) => c.differenceMinor)).toEqual([29_703_174n]);
    expect(reject).toMatchObject({ amountMinor: 143_500n, bankReference: 'SB2322600000404', endToEndId: 'GSQ4FBGFDGWGKY', counterpartyName: 'SAMPLE INC', counterpartyAccount: '101152046' });
    expect(s.entries[0]).toMatchObject({ amountMinor: -200_000n, transactionCode: '557' });
  });

  it('funds types S and D: the fields after them are skipped, not read as references', () => {
    const statements = read('moov-bai2/sample2.txt');
    expect(statements[0]!.entries[0]).toMatchObject({ amountMinor: 450_000n, bankReference: null });
    expect(statements[2]!.entries[0]).toMatchObject({ amountMinor: 20_000_000n, bankReference: 'SP4738', customerReference: 'YRC065321', remittanceText: 'PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO' });
  });
});

describe('BAI2 rules and errors', () => {
  it('classifies type codes: 100–399 credit, 400–699 debit', () => {
    expect([108, 399, 400, 699, 901, 960].map(isCreditTypeCode)).toEqual([true, true, false, false, true, false]);
  });

  it('names the line of a bad amount and of a detail without an account', () => {
    const head = '01,A,B,240101,0000,1,,,2/\n02,B,A,1,240101,,USD,2/\n';
    expect(appErrorOf(() => parseBai2(`${head}03,123,USD,010,1000,,,015,1500,,/\n16,108,5.00,,,,X/\n`)).message).toMatch(/^line 4, record 16/);
    expect(appErrorOf(() => parseBai2(`${head}16,108,500,,,,X/\n`)).message).toMatch(/^line 3, record 16: a transaction detail \(16\) before any account/);
  });

  it('checks the trailers: control totals and record counts of the account, the group and the file', () => {
    // Account 9: 03 summaries 1000 + 1500, detail 500 → control total 3000; records 03, 16, 88, 49 → 4.
    // Group: 3000, 1 account, records 02 + 4 + 98 → 6. File: 3000, 1 group, records 01 + 6 + 99 → 8.
    const head = '01,A,B,240101,0000,1,,,2/\n02,B,A,1,240101,,USD,2/\n03,9,,010,1000,,,015,1500,,/\n16,108,500,,,,X/\n88,MORE TEXT/\n';
    const good = `${head}49,3000,4/\n98,3000,1,6/\n99,3000,1,8/\n`;
    expect(parseBai2(good)[0]!.entries).toHaveLength(1);
    // A detail of 500 changed to 5000 by hand: the account trailer no longer adds up.
    expect(appErrorOf(() => parseBai2(good.replace('16,108,500,', '16,108,5000,'))).message)
      .toMatch(/^line 6, record 49: the account trailer does not match the file: control total 3000 but the amounts in it add up to 7500/);
    // A record count off by one, in the group trailer.
    expect(appErrorOf(() => parseBai2(good.replace('98,3000,1,6/', '98,3000,1,7/'))).message).toMatch(/^line 7, record 98: .*7 records but 6 are in it/);
    // Two groups said, one given.
    expect(appErrorOf(() => parseBai2(good.replace('99,3000,1,8/', '99,3000,2,8/'))).message).toMatch(/^line 8, record 99: .*2 groups but 1 are in it/);
    // Cut short: no file trailer.
    expect(appErrorOf(() => parseBai2(`${head}49,3000,4/\n`))).toMatchObject({ code: 'BANK_FILE_MALFORMED', message: expect.stringMatching(/^end of file: the file ends without its file trailer \(99 record\)/) });
    // Debits count by their amount too (a 16 record carries no sign): 1000 + 1500 + 700 = 3200.
    expect(parseBai2(`${head.replace('16,108,500', '16,475,700')}49,3200,4/\n98,3200,1,6/\n99,3200,1,8/\n`)[0]!.entries[0]!.amountMinor).toBe(-700n);
  });

  it('reads JPY amounts as whole yen (the implied decimals follow the currency)', () => {
    const [s] = parseBai2('01,A,B,240101,0000,1,,,2/\n02,B,A,1,240101,,JPY,2/\n03,9,,010,1000,,,015,1500,,/\n16,108,500,,,,X/\n49,3000,3/\n98,3000,1,5/\n99,3000,1,7/\n');
    expect(s).toMatchObject({ currency: 'JPY', opening: { amountMinor: 1000n } });
    expect(checkBalance(s!).status).toBe('ok'); // ¥1000 + ¥500 = ¥1500
  });
});
