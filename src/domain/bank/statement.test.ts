import { describe, expect, it } from 'vitest';
import { appErrorOf } from '../test-helpers.ts';
import { parseBankFile } from './detect.ts';
import { checkBalance, decimalToMinor, emptyEntry, MAX_BANK_FILE_BYTES, yymmdd, type BankStatement } from './statement.ts';

describe('decimalToMinor: exact, per currency scale, never parseFloat', () => {
  it.each([
    ['1234,56', 'EUR', 123_456n],
    ['185723,', 'MKD', 18_572_300n],
    ['0,01', 'EUR', 1n],
    ['000000000300.00', 'EUR', 30_000n],
    ['79,7', 'CHF', 7_970n],
    ['1500', 'JPY', 1_500n],
    ['1.500', 'KWD', 1_500n],
    ['-0.5', 'EUR', -50n],
    ['0.10', 'USD', 10n],
    ['12.300', 'EUR', 1_230n],
  ])('%s %s → %s', (text, currency, minor) => {
    expect(decimalToMinor(text, currency, 'amount')).toBe(minor);
  });

  it.each([['12.345', 'EUR'], ['1.5', 'JPY'], ['', 'EUR'], ['1,2,3', 'EUR'], ['abc', 'EUR']])('refuses %s %s', (text, currency) => {
    expect(appErrorOf(() => decimalToMinor(text, currency, 'line 3, :61:', 3)).code).toBe('BANK_FILE_MALFORMED');
  });
});

describe('yymmdd', () => {
  it.each([['090623', '2009-06-23'], ['991231', '1999-12-31'], ['240229', '2024-02-29']])('%s → %s', (t, d) => expect(yymmdd(t, 'x')).toBe(d));
  it('refuses 30 February', () => expect(appErrorOf(() => yymmdd('230230', 'line 4', 4)).message).toMatch(/^line 4: "230230" is not a valid date/));
});

describe('checkBalance', () => {
  const statement = (opening: bigint | null, amounts: bigint[], closing: bigint | null, pending: bigint[] = []): BankStatement => ({
    format: 'mt940', formatVersion: 'mt940', accountId: 'A', currency: 'EUR', statementId: 'S', sequence: null,
    opening: opening === null ? null : { amountMinor: opening, currency: 'EUR', date: '2026-01-01' },
    closing: closing === null ? null : { amountMinor: closing, currency: 'EUR', date: '2026-01-02' },
    entries: [...amounts.map((a, i) => emptyEntry(`e${i}`, a, 'EUR')), ...pending.map((a, i) => ({ ...emptyEntry(`p${i}`, a, 'EUR'), booked: false }))],
  });

  it('100.00 + 50.00 − 20.00 = 130.00 is ok', () => {
    expect(checkBalance(statement(10_000n, [5_000n, -2_000n], 13_000n))).toEqual({ status: 'ok', differenceMinor: 0n, entriesTotalMinor: 3_000n });
  });
  it('a closing of 130.01 is a mismatch of +0.01, reported not hidden', () => {
    expect(checkBalance(statement(10_000n, [5_000n, -2_000n], 13_001n))).toMatchObject({ status: 'mismatch', differenceMinor: 1n });
  });
  it('pending entries of an intraday report do not count', () => {
    expect(checkBalance(statement(10_000n, [5_000n], 15_000n, [777n])).status).toBe('ok');
  });
  it('without both balances there is nothing to check', () => {
    expect(checkBalance(statement(null, [5_000n], 15_000n)).status).toBe('not_given');
  });
});

describe('parseBankFile bounds', () => {
  it('refuses an empty file and one larger than 20 MB before reading it', () => {
    expect(appErrorOf(() => parseBankFile(new Uint8Array(0))).code).toBe('BANK_FILE_EMPTY');
    const error = appErrorOf(() => parseBankFile(new Uint8Array(MAX_BANK_FILE_BYTES + 1)));
    expect([error.kind, error.code]).toEqual(['too_large', 'BANK_FILE_TOO_LARGE']);
  });
});
