/**
 * The matching engine, signal by signal, with every score worked out by hand from the points table
 * (src/domain/bank/matching.ts, docs/cash-matching.md). Default thresholds: auto ≥ 80 with a lead of 10, suggest ≥ 40.
 *
 * Ledger (CNY):
 *   C001 上海华东贸易有限公司 (payer account 31001234567 known)  INV-2026-0012  12,800.00  due 2026-06-10
 *   C002 Hangzhou ABC Technology Co., Ltd.                       INV-2026-0013   3,450.50  due 2026-06-15
 *                                                                INV-2026-0014   1,000.00  due 2026-06-20
 *                                                                INV-2026-0015   2,000.00  due 2026-06-25
 *   C003 北京远景科技有限公司                                    INV-2026-0020   5,000.00  due 2026-07-30, 2% (100.00) if paid by 2026-07-05
 *                                                                INV-2026-0021   5,000.00  due 2026-07-30
 */
import { describe, expect, it } from 'vitest';
import {
  adviceProposal, advicesFor, buildBook, DEFAULT_MATCH_SETTINGS, isCreditorReference, learnPattern, matchLines, nameKey, proposeForLine, decide, referenceKey,
  type MatchItem, type MatchLine, type MatchSettings, type Proposal,
} from './matching.ts';

const customers = [
  { id: 'c1', code: 'C001', name: '上海华东贸易有限公司', accounts: ['3100 1234 567'] },
  { id: 'c2', code: 'C002', name: 'Hangzhou ABC Technology Co., Ltd.', accounts: [] },
  { id: 'c3', code: 'C003', name: '北京远景科技有限公司', accounts: [] },
];
const item = (itemId: string, documentNumber: string, customerId: string, openMinor: bigint, dueDate: string, discount?: [string, bigint]): MatchItem => ({
  itemId, documentNumber, customerId, currency: 'CNY', openMinor, documentDate: '2026-06-01', dueDate,
  discountDate: discount?.[0] ?? null, discountAmountMinor: discount?.[1] ?? 0n,
});
const items = () => [
  item('i1', 'INV-2026-0012', 'c1', 1_280_000n, '2026-06-10'),
  item('i2', 'INV-2026-0013', 'c2', 345_050n, '2026-06-15'),
  item('i3', 'INV-2026-0014', 'c2', 100_000n, '2026-06-20'),
  item('i4', 'INV-2026-0015', 'c2', 200_000n, '2026-06-25'),
  item('i5', 'INV-2026-0020', 'c3', 500_000n, '2026-07-30', ['2026-07-05', 10_000n]),
  item('i6', 'INV-2026-0021', 'c3', 500_000n, '2026-07-30'),
];
const line = (amountMinor: bigint, text: string | null, extra: Partial<MatchLine> = {}): MatchLine => ({
  id: 'L1', amountMinor, currency: 'CNY', date: '2026-07-01', texts: [text], creditorReference: null, counterpartyName: null, counterpartyAccount: null, ...extra,
});
const run = (l: MatchLine, settings: MatchSettings = DEFAULT_MATCH_SETTINGS) => {
  const book = buildBook(items(), customers);
  return decide(l.id, proposeForLine(book, l, settings), settings);
};
const points = (p: Proposal) => Object.fromEntries(p.reasons.map((r) => [r.code, r.points]));
const applied = (p: Proposal) => p.allocations.map((a) => [a.documentNumber, a.amountMinor]);

describe('normalising', () => {
  it('reference keys ignore case, separators and full-width forms', () => {
    expect(referenceKey('inv-2026/0012')).toBe('INV20260012');
    expect(referenceKey('ＩＮＶ－２０２６－００１２')).toBe('INV20260012');
  });
  it('company names lose their legal form', () => {
    expect(nameKey('上海华东贸易有限公司')).toBe('上海华东贸易');
    expect(nameKey('Hangzhou ABC Technology Co., Ltd.')).toBe('HANGZHOUABCTECHNOLOGY');
  });
  it('ISO 11649 creditor references are checked with mod 97', () => {
    expect(isCreditorReference('RF80INV20260013')).toBe(true);
    expect(isCreditorReference('RF18 5390 0754 7034')).toBe(true);
    expect(isCreditorReference('RF81INV20260013')).toBe(false);
  });
});

describe('signals and their points', () => {
  it('invoice number as written + exact amount + known account: 40 + 50 + 30 = 120, capped at 100 → applied automatically', () => {
    const r = run(line(1_280_000n, '货款 INV-2026-0012', { counterpartyAccount: '31001234567', counterpartyName: '上海华东贸易有限公司' }));
    expect(r.status).toBe('auto');
    const [best] = r.proposals;
    // The name also matches (30) but who-paid is counted up to 40, all taken by the account.
    expect(points(best!)).toEqual({ ACCOUNT_KNOWN: 40, NAME_EXACT: 0, INVOICE_EXACT: 50, AMOUNT_EXACT: 30 });
    expect(best!.score).toBe(100);
    expect(applied(best!)).toEqual([['INV-2026-0012', 1_280_000n]]);
  });

  it('the number with other separators: 45 + 30 = 75 → suggested, not applied', () => {
    const r = run(line(1_280_000n, 'inv 2026 0012'));
    expect(r.status).toBe('suggested');
    expect(points(r.proposals[0]!)).toEqual({ INVOICE_NORMALIZED: 45, AMOUNT_EXACT: 30 });
    expect(r.proposals[0]!.score).toBe(75);
  });

  it('the number without its prefix: 35, + amount 30 + name 30 = 95 → auto', () => {
    const r = run(line(1_280_000n, '付款 2026-0012', { counterpartyName: '上海华东贸易有限公司' }));
    expect(r.status).toBe('auto');
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, INVOICE_FUZZY: 35, AMOUNT_EXACT: 30 });
  });

  it('O for 0 and I for 1 are read through: INV-2O26-OO12 is INV-2026-0012 (fuzzy, 35)', () => {
    const r = run(line(1_280_000n, 'INV-2O26-OO12'));
    expect(points(r.proposals[0]!)).toEqual({ INVOICE_FUZZY: 35, AMOUNT_EXACT: 30 });
    expect(r.proposals[0]!.score).toBe(65);
  });

  it('one character too many: INV-2026-00133 is INV-2026-0013 (fuzzy 35 + name 30 + amount 30 = 95)', () => {
    const r = run(line(345_050n, 'INV-2026-00133', { counterpartyName: 'HANGZHOU ABC TECHNOLOGY CO LTD' }));
    expect(r.status).toBe('auto');
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, INVOICE_FUZZY: 35, AMOUNT_EXACT: 30 });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0013', 345_050n]]);
  });

  it('a number one character away from an invoice is no evidence alone: without the payer or a fitting amount, unmatched', () => {
    // INV-2026-00112 is one character away from INV-2026-0012; 5,000.00 does not fit its 12,800.00 and nobody is named.
    expect(run(line(500_000n, 'INV-2026-00112')).status).toBe('unmatched');
    // The payer is C001: it counts, a partial payment: 30 + 35 + 5 = 70 → suggested.
    const named = run(line(500_000n, 'INV-2026-00112', { counterpartyName: '上海华东贸易有限公司' }));
    expect(named.status).toBe('suggested');
    expect(points(named.proposals[0]!)).toEqual({ NAME_EXACT: 30, INVOICE_FUZZY: 35, AMOUNT_PARTIAL: 5 });
    // The amount fits: 35 + 30 = 65.
    expect(points(run(line(1_280_000n, 'INV-2026-00112')).proposals[0]!)).toEqual({ INVOICE_FUZZY: 35, AMOUNT_EXACT: 30 });
  });

  it('a structured creditor reference (RF, valid check digits) naming the invoice: 50 + amount 30 = 80 → auto', () => {
    const r = run(line(345_050n, null, { creditorReference: 'RF80INV20260013' }));
    expect(points(r.proposals[0]!)).toEqual({ CREDITOR_REF: 50, AMOUNT_EXACT: 30 });
    expect(r.status).toBe('auto');
  });

  it('short numbers inside unrelated text are not invoice references: nothing fits → unmatched', () => {
    const r = run(line(99_900n, '订单 12 件 order 0012 tel 2026'));
    expect(r).toMatchObject({ status: 'unmatched', proposals: [] });
  });

  it('a similar payer name (an abbreviation) gives 20: 华东贸易 for 上海华东贸易有限公司, + amount 30 = 50; applied by the sure rule PAYER_AMOUNT (the only customer with this name, its only item of this amount)', () => {
    const r = run(line(1_280_000n, '货款', { counterpartyName: '华东贸易' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.sure).toBe('PAYER_AMOUNT');
    expect(points(r.proposals[0]!)).toEqual({ NAME_SIMILAR: 20, AMOUNT_EXACT: 30, SURE_RULE: 0 });
  });

  it('a name one word apart is another company: 上海华西贸易 is not 上海华东贸易 (pairs 3 of 5, Dice 0.6 < 0.75)', () => {
    expect(run(line(1_280_000n, '货款', { counterpartyName: '上海华西贸易有限公司' })).proposals.some((p) => p.reasons.some((r) => r.code.startsWith('NAME_')))).toBe(false);
  });

  it('a group pays for its subsidiary: the parent\'s name names its members too (15): 15 + amount 30 = 45 → suggested', () => {
    const group = [...customers, { id: 'p1', code: 'G001', name: '远景控股集团有限公司', accounts: [] }].map((c) => (c.id === 'c3' ? { ...c, parentId: 'p1' } : c));
    const book = buildBook(items(), group);
    const r = decide('L1', proposeForLine(book, line(500_000n, '代付 货款', { counterpartyName: '远景控股集团有限公司' }), DEFAULT_MATCH_SETTINGS), DEFAULT_MATCH_SETTINGS);
    expect(r.status).toBe('suggested');
    // Both of C003's 5,000.00 invoices fit: 45 each, the older first.
    expect(r.proposals.map((p) => [p.customerId, p.score, points(p)])).toEqual([
      ['c3', 45, { GROUP_MEMBER: 15, AMOUNT_EXACT: 30 }], ['c3', 45, { GROUP_MEMBER: 15, AMOUNT_EXACT: 30 }],
    ]);
  });

  it('a customer code in the text gives 20: C002 + amount 30 = 50', () => {
    const r = run(line(345_050n, 'C002 payment'));
    expect(points(r.proposals[0]!)).toEqual({ CUSTOMER_CODE: 20, AMOUNT_EXACT: 30 });
  });

  it('no payer, no reference: an amount only one open item has is a weak lead, 30 + 10 = 40 → suggested; two such items → unmatched', () => {
    const one = run(line(345_050n, null));
    expect(one.status).toBe('suggested');
    expect(points(one.proposals[0]!)).toEqual({ AMOUNT_EXACT: 30, AMOUNT_UNIQUE: 10 });
    expect(run(line(500_000n, null)).status).toBe('unmatched');
  });

  it('another currency is never matched', () => {
    expect(run(line(1_280_000n, 'INV-2026-0012', { currency: 'USD' })).status).toBe('unmatched');
  });
});

describe('how the money is applied', () => {
  it('one payment for two invoices found by subset sum: 1,000.00 + 2,000.00 = 3,000.00; name 30 + sum 25 = 55, applied by the sure rule PAYER_SUBSET (3,450.50 alone is over; no other pair or triple of C002 makes 3,000.00)', () => {
    const r = run(line(300_000n, 'payment', { counterpartyName: 'Hangzhou ABC Technology' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.sure).toBe('PAYER_SUBSET');
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0014', 100_000n], ['INV-2026-0015', 200_000n]]);
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, AMOUNT_SUM: 25, SURE_RULE: 0 });
  });

  it('both invoices referenced: name 30 + 50 + sum 25 = 105 → 100, auto', () => {
    const r = run(line(300_000n, 'INV-2026-0014 INV-2026-0015', { counterpartyName: 'Hangzhou ABC Technology' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.score).toBe(100);
    expect(r.proposals[0]!.kind).toBe('combination');
  });

  it('ambiguous: one of the two referenced; overpaying the one (30 + 50 + 5 = 85) and the pair (30 + 25 + 25 = 80) are 5 apart, under the margin 10 → suggested', () => {
    const r = run(line(300_000n, 'INV-2026-0014', { counterpartyName: 'Hangzhou ABC Technology' }));
    expect(r.status).toBe('suggested');
    expect(r.proposals.slice(0, 2).map((p) => [p.kind, p.score])).toEqual([['overpayment', 85], ['combination', 80]]);
    // The pair: the reference counts half, floor(50 × 1/2) = 25.
    expect(points(r.proposals[1]!)).toEqual({ NAME_EXACT: 30, INVOICE_EXACT: 25, AMOUNT_SUM: 25 });
    expect(r.note).toMatch(/ambiguous/);
  });

  it('ambiguous: two invoices of one amount, both named, name matches: 100 and 100 → suggested, both offered', () => {
    const r = run(line(500_000n, 'INV-2026-0020 / INV-2026-0021', { counterpartyName: '北京远景科技有限公司' }));
    expect(r.status).toBe('suggested');
    expect(r.proposals.slice(0, 2).map((p) => [applied(p), p.score])).toEqual([
      [[['INV-2026-0020', 500_000n]], 100], [[['INV-2026-0021', 500_000n]], 100],
    ]);
  });

  it('early-payment discount within its period: 4,900.00 = 5,000.00 − 100.00 on 2026-07-01 (by 2026-07-05): 30 + 50 + 25 = 105 → 100, discount written off', () => {
    const r = run(line(490_000n, 'INV-2026-0020', { counterpartyName: '北京远景科技' }));
    const best = r.proposals[0]!;
    expect(r.status).toBe('auto');
    expect(best).toMatchObject({ kind: 'discount', writeOffMinor: 10_000n, writeOffReason: 'discount', unappliedMinor: 0n });
    expect(applied(best)).toEqual([['INV-2026-0020', 490_000n]]);
  });

  it('the same 4,900.00 after the discount date is a partial payment: 30 + 50 + 5 = 85, 100.00 stays open', () => {
    const r = run(line(490_000n, 'INV-2026-0020', { counterpartyName: '北京远景科技', date: '2026-07-06' }));
    expect(r.proposals[0]).toMatchObject({ kind: 'partial', score: 85, writeOffMinor: 0n });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0020', 490_000n]]);
  });

  it('bank charges within the tenant tolerance (20.00): 3,435.50 for 3,450.50, 15.00 written off; 30 + 50 + 20 = 100', () => {
    const settings = { ...DEFAULT_MATCH_SETTINGS, chargeToleranceMinor: 2_000n };
    const r = run(line(343_550n, 'INV-2026-0013', { counterpartyName: 'Hangzhou ABC Technology' }), settings);
    expect(r.proposals[0]).toMatchObject({ kind: 'charges', writeOffMinor: 1_500n, writeOffReason: 'bank_charges' });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0013', 343_550n]]);
    // Without a tolerance it is a partial payment (5 instead of 20): 85.
    expect(run(line(343_550n, 'INV-2026-0013', { counterpartyName: 'Hangzhou ABC Technology' })).proposals[0]).toMatchObject({ kind: 'partial', score: 85 });
  });

  it('a percentage tolerance: 0.5% of 3,450.50 is 17.25 (floor of 1,725.25 fen), so 17.26 short is not charges', () => {
    const settings = { ...DEFAULT_MATCH_SETTINGS, chargeToleranceBasisPoints: 50 };
    expect(run(line(345_050n - 1_725n, 'INV-2026-0013'), settings).proposals[0]!.kind).toBe('charges');
    expect(run(line(345_050n - 1_726n, 'INV-2026-0013'), settings).proposals[0]!.kind).toBe('partial');
  });

  it('a deduction within the tenant\'s deduction tolerance (10%): 4,500.00 for INV-2026-0021\'s 5,000.00; 500.00 deducted goes to a dispute; 30 + 50 + 15 = 95 → auto', () => {
    const settings = { ...DEFAULT_MATCH_SETTINGS, deductionToleranceBasisPoints: 1_000 };
    // 10% of 5,000.00 is 500.00: exactly the shortfall, so it is a deduction.
    const r = run(line(450_000n, 'INV-2026-0021 扣质量款', { counterpartyName: '北京远景科技' }), settings);
    expect(r.status).toBe('auto');
    expect(r.proposals[0]).toMatchObject({ kind: 'deduction', score: 95, writeOffMinor: 0n, unappliedMinor: 0n });
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, INVOICE_EXACT: 50, AMOUNT_DEDUCTION: 15 });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0021', 450_000n]]);
    expect(r.proposals[0]!.deductions).toEqual([{ itemId: 'i6', documentNumber: 'INV-2026-0021', amountMinor: 50_000n }]);
    // One fen more (500.01 short) is beyond the tolerance: a partial payment, 30 + 50 + 5 = 85, nothing disputed.
    const partial = run(line(449_999n, 'INV-2026-0021', { counterpartyName: '北京远景科技' }), settings).proposals[0]!;
    expect(partial).toMatchObject({ kind: 'partial', score: 85, deductions: [] });
    // Without a deduction tolerance (the default) the same 4,500.00 is a partial payment too.
    expect(run(line(450_000n, 'INV-2026-0021', { counterpartyName: '北京远景科技' })).proposals[0]).toMatchObject({ kind: 'partial', deductions: [] });
  });

  it('bank charges come before a deduction: 15.00 short with a 20.00 charge tolerance and a 10% deduction tolerance is written off', () => {
    const settings = { ...DEFAULT_MATCH_SETTINGS, chargeToleranceMinor: 2_000n, deductionToleranceBasisPoints: 1_000 };
    const r = run(line(343_550n, 'INV-2026-0013', { counterpartyName: 'Hangzhou ABC Technology' }), settings);
    expect(r.proposals[0]).toMatchObject({ kind: 'charges', writeOffMinor: 1_500n, deductions: [] });
  });

  it('a deduction over two invoices is taken from the later one: 2,850.00 for 1,000.00 + 2,000.00 (5% of 3,000.00 = 150.00)', () => {
    const settings = { ...DEFAULT_MATCH_SETTINGS, deductionToleranceBasisPoints: 500 };
    const r = run(line(285_000n, 'INV-2026-0014 INV-2026-0015', { counterpartyName: 'Hangzhou ABC Technology' }), settings);
    // name 30 + both referenced 50 + deduction 15 = 95
    expect(r.proposals[0]).toMatchObject({ kind: 'deduction', score: 95 });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0014', 100_000n], ['INV-2026-0015', 185_000n]]);
    expect(r.proposals[0]!.deductions).toEqual([{ itemId: 'i4', documentNumber: 'INV-2026-0015', amountMinor: 15_000n }]);
  });

  it('overpayment: 13,000.00 for 12,800.00; 40 + 50 + 5 = 95 → auto, 200.00 stays as unapplied cash', () => {
    const r = run(line(1_300_000n, 'INV-2026-0012', { counterpartyAccount: '31001234567' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]).toMatchObject({ kind: 'overpayment', score: 95, unappliedMinor: 20_000n });
  });

  it('two payments for one invoice in one statement: 6,000.00 (partial, 95) then 6,800.00 (exactly what is left, 100)', () => {
    const book = buildBook(items(), customers);
    const results = matchLines(book, [
      line(600_000n, 'INV-2026-0012 1/2', { id: 'A', counterpartyAccount: '31001234567' }),
      line(680_000n, 'INV-2026-0012 2/2', { id: 'B', counterpartyAccount: '31001234567' }),
    ], DEFAULT_MATCH_SETTINGS);
    expect(results.map((r) => [r.lineId, r.status, r.proposals[0]!.kind, r.proposals[0]!.score])).toEqual([['A', 'auto', 'partial', 95], ['B', 'auto', 'exact', 100]]);
    expect(book.open.get('i1')).toBe(0n);
  });

  it('the thresholds are the tenant\'s: with auto at 101 nothing is applied; with suggest at 70 a 65 is unmatched', () => {
    expect(run(line(1_280_000n, 'INV-2026-0012', { counterpartyAccount: '31001234567' }), { ...DEFAULT_MATCH_SETTINGS, autoApplyScore: 101 }).status).toBe('suggested');
    expect(run(line(1_280_000n, 'INV-2O26-OO12'), { ...DEFAULT_MATCH_SETTINGS, suggestScore: 70 }).status).toBe('unmatched');
  });

  it('subset sum is bounded: with at most 1 combination tried the pair is not found (nor is the sure rule, whose search stops at the same bound)', () => {
    const r = run(line(300_000n, 'payment', { counterpartyName: 'Hangzhou ABC Technology' }), { ...DEFAULT_MATCH_SETTINGS, maxCombinations: 1 });
    expect(r.status).toBe('unmatched');
  });
});

/*
 * The sure rules (docs/cash-matching.md), each beside the cases it must refuse. A ledger of its own:
 *   C004 深圳德尔塔电子有限公司, group parent C005   INV-2026-1001 3,000.00 · INV-2026-2002 3,000.00 · INV-2026-3003 1,500.00
 *   C005 Delta Holdings Ltd (account 6222 0000 5555)   INV-2026-5005 7,777.00
 *   C006 上海恒信贸易有限公司                           INV-2026-6006 2,222.00
 *   C007 北京恒信贸易有限公司                           INV-2026-7007 3,333.00
 *   C001 上海华东贸易有限公司                           INV-2026-0012 12,800.00 · INV-2026-0099 1,500.00 paid (open 0)
 */
describe('two characters wrong', () => {
  it('INV-2062-0013 (two digits swapped) from Hangzhou ABC Technology is its INV-2026-0013: name 30 + fuzzy 35 + partial 5 = 70', () => {
    // INV20620013 is two substitutions from INV20260013 and three or more from every other invoice of C002.
    const r = run(line(200_050n, 'INV-2062-0013', { counterpartyName: 'Hangzhou ABC Technology' }));
    expect(r.status).toBe('suggested');
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, INVOICE_FUZZY: 35, AMOUNT_PARTIAL: 5 });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0013', 200_050n]]);
    expect(r.proposals[0]!.reasons.find((x) => x.code === 'INVOICE_FUZZY')!.words).toBe('INV-2062-0013 in the text is two characters away from INV-2026-0013, an open invoice of the payer');
  });

  it('not without the payer, and not when two of the payer\'s invoices are two characters away (INV-2026-0031: 0013, 0014 and 0015 alike)', () => {
    expect(run(line(200_050n, 'INV-2062-0013')).proposals.some((p) => p.reasons.some((x) => x.code === 'INVOICE_FUZZY'))).toBe(false);
    expect(run(line(200_050n, 'INV-2026-0031', { counterpartyName: 'Hangzhou ABC Technology' })).proposals.some((p) => p.reasons.some((x) => x.code === 'INVOICE_FUZZY'))).toBe(false);
  });
});

describe('reference patterns learned from decisions', () => {
  it('learns the last digits after the letters the payer wrote before them; a bare short number teaches nothing', () => {
    expect(learnPattern(['货款 尾号0012'], 'INV-2026-0012')).toEqual({ marker: '尾号', digits: 4 });
    // "No. 260012": separators skipped, the last letters before the digits (up to 4), 6 digits of 20260012.
    expect(learnPattern(['payment No. 260012'], 'INV-2026-0012')).toEqual({ marker: 'NO', digits: 6 });
    expect(learnPattern(['June 260012'], 'INV-2026-0012')).toEqual({ marker: 'JUNE', digits: 6 });
    // The payer's own habit, whatever the words: learned for this payer only, read only in its lines.
    expect(learnPattern(['货款 0012'], 'INV-2026-0012')).toEqual({ marker: '货款', digits: 4 });
    expect(learnPattern(['0012'], 'INV-2026-0012')).toBeNull();
    // All the digits are the number itself (found without learning), and digits that are not its end are nothing.
    expect(learnPattern(['NO 20260012'], 'INV-2026-0012')).toBeNull();
    expect(learnPattern(['尾号0013'], 'INV-2026-0012')).toBeNull();
  });

  const withPatterns = (patterns: Record<string, { marker: string; digits: number; confirmations?: number }[]>) =>
    buildBook(items(), customers.map((c) => ({ ...c, patterns: patterns[c.id] ?? [] })));

  it('C002 quotes 尾号 + 4 digits: 1,500.00 "尾号0015" from Hangzhou ABC Technology names INV-2026-0015; 30 + 40 + 5 = 75, suggested', () => {
    const book = withPatterns({ c2: [{ marker: '尾号', digits: 4, confirmations: 2 }] });
    const l = line(150_000n, '货款 尾号0015', { counterpartyName: 'Hangzhou ABC Technology' });
    const r = decide(l.id, proposeForLine(book, l, DEFAULT_MATCH_SETTINGS), DEFAULT_MATCH_SETTINGS);
    expect(r.status).toBe('suggested');
    expect(points(r.proposals[0]!)).toEqual({ NAME_EXACT: 30, REFERENCE_LEARNED: 40, AMOUNT_PARTIAL: 5 });
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0015', 150_000n]]);
    expect(r.proposals[0]!.reasons.find((x) => x.code === 'REFERENCE_LEARNED')!.words).toContain('learned from 2 decisions');
    // Without the pattern the text names nothing: no proposal reaches the suggest score for 1,500.00.
    const plain = decide(l.id, proposeForLine(buildBook(items(), customers), l, DEFAULT_MATCH_SETTINGS), DEFAULT_MATCH_SETTINGS);
    expect(plain.proposals.some((p) => p.reasons.some((x) => x.code === 'REFERENCE_LEARNED'))).toBe(false);
  });

  it('a pattern is the payer\'s own: C001\'s pattern is not read in a line from C002, nor for a payer nobody identified', () => {
    const book = withPatterns({ c1: [{ marker: '尾号', digits: 4 }] });
    const fromC2 = proposeForLine(book, line(150_000n, '尾号0015', { counterpartyName: 'Hangzhou ABC Technology' }), DEFAULT_MATCH_SETTINGS);
    const fromNobody = proposeForLine(book, line(1_280_000n, '尾号0012'), DEFAULT_MATCH_SETTINGS);
    for (const p of [...fromC2, ...fromNobody]) expect(p.reasons.some((x) => x.code === 'REFERENCE_LEARNED')).toBe(false);
  });
});

describe('remittance advices with deductions', () => {
  const advice = (lines: { itemIds: string[]; invoiceNumber: string; amountMinor: bigint; deductionMinor: bigint }[]) => ({
    id: 'A1', label: 'advice.csv', customerId: 'c3', currency: 'CNY', reference: null, lines,
    totalMinor: lines.reduce((s, l) => s + l.amountMinor, 0n),
  });

  it('the customer paid 4,800.00 on INV-2026-0021 (5,000.00) and says it deducted 200.00: 4,800.00 applied, 200.00 to a dispute, sure', () => {
    const book = buildBook(items(), customers);
    const p = adviceProposal(book, line(480_000n, null), advice([{ itemIds: ['i6'], invoiceNumber: 'INV-2026-0021', amountMinor: 480_000n, deductionMinor: 20_000n }]), true);
    expect(p).toMatchObject({ kind: 'deduction', sure: 'REMITTANCE', writeOffMinor: 0n, unappliedMinor: 0n });
    expect(applied(p)).toEqual([['INV-2026-0021', 480_000n]]);
    expect(p.deductions).toEqual([{ itemId: 'i6', documentNumber: 'INV-2026-0021', amountMinor: 20_000n }]);
  });

  it('a "deduction" that is INV-2026-0020\'s early-payment discount (100.00, paid 2026-07-01, by 2026-07-05) is written off as the discount, not disputed', () => {
    const book = buildBook(items(), customers);
    // The payment: 4,900.00 + 4,000.00 = 8,900.00.
    const p = adviceProposal(book, line(890_000n, null), advice([
      { itemIds: ['i5'], invoiceNumber: 'INV-2026-0020', amountMinor: 490_000n, deductionMinor: 10_000n },
      { itemIds: ['i6'], invoiceNumber: 'INV-2026-0021', amountMinor: 400_000n, deductionMinor: 0n },
    ]), true);
    expect(p).toMatchObject({ kind: 'discount', writeOffMinor: 10_000n, writeOffReason: 'discount', deductions: [] });
    // The discounted invoice is put last: the write-off goes on the last allocation.
    expect(applied(p)).toEqual([['INV-2026-0021', 400_000n], ['INV-2026-0020', 490_000n]]);
  });

  it('the payer\'s bank took 15.00 of charges off the advice\'s 5,000.00: with a 20.00 tolerance the advice fits the 4,985.00 line and the 15.00 is written off', () => {
    const book = buildBook(items(), customers);
    const a = advice([{ itemIds: ['i6'], invoiceNumber: 'INV-2026-0021', amountMinor: 500_000n, deductionMinor: 0n }]);
    const l = line(498_500n, null);
    // 5,000.00 − 4,985.00 = 15.00 ≤ 20.00
    expect(advicesFor(l, [a], { ...DEFAULT_MATCH_SETTINGS, chargeToleranceMinor: 2_000n })).toEqual([a]);
    expect(advicesFor(l, [a], DEFAULT_MATCH_SETTINGS)).toEqual([]);
    const p = adviceProposal(book, l, a, true);
    expect(p).toMatchObject({ sure: 'REMITTANCE', writeOffMinor: 1_500n, writeOffReason: 'bank_charges', unappliedMinor: 0n });
    expect(applied(p)).toEqual([['INV-2026-0021', 498_500n]]);
  });

  it('after the discount date the same 100.00 is a deduction: disputed', () => {
    const book = buildBook(items(), customers);
    const p = adviceProposal(book, line(490_000n, null, { date: '2026-07-06' }), advice([{ itemIds: ['i5'], invoiceNumber: 'INV-2026-0020', amountMinor: 490_000n, deductionMinor: 10_000n }]), true);
    expect(p).toMatchObject({ kind: 'deduction', writeOffMinor: 0n, deductions: [{ itemId: 'i5', documentNumber: 'INV-2026-0020', amountMinor: 10_000n }] });
  });
});

describe('sure rules', () => {
  const sureCustomers = [
    { id: 'c1', code: 'C001', name: '上海华东贸易有限公司', accounts: ['3100 1234 567'] },
    { id: 'c4', code: 'C004', name: '深圳德尔塔电子有限公司', accounts: [], parentId: 'c5' },
    { id: 'c5', code: 'C005', name: 'Delta Holdings Ltd', accounts: ['6222 0000 5555'] },
    { id: 'c6', code: 'C006', name: '上海恒信贸易有限公司', accounts: [] },
    { id: 'c7', code: 'C007', name: '北京恒信贸易有限公司', accounts: [] },
  ];
  const sureItems = () => [
    item('i1', 'INV-2026-0012', 'c1', 1_280_000n, '2026-06-10'),
    item('p1', 'INV-2026-0099', 'c1', 0n, '2026-06-01'),
    item('d1', 'INV-2026-1001', 'c4', 300_000n, '2026-06-01'),
    item('d2', 'INV-2026-2002', 'c4', 300_000n, '2026-06-02'),
    item('d3', 'INV-2026-3003', 'c4', 150_000n, '2026-06-03'),
    item('h1', 'INV-2026-5005', 'c5', 777_700n, '2026-06-04'),
    item('s1', 'INV-2026-6006', 'c6', 222_200n, '2026-06-05'),
    item('b1', 'INV-2026-7007', 'c7', 333_300n, '2026-06-06'),
  ];
  const sure = (l: MatchLine) => {
    const book = buildBook(sureItems(), sureCustomers);
    return decide(l.id, proposeForLine(book, l, DEFAULT_MATCH_SETTINGS), DEFAULT_MATCH_SETTINGS);
  };

  it('PAYER_AMOUNT: a learned account (one customer) and the amount of exactly one of its open items: 40 + 30 = 70, applied', () => {
    const r = sure(line(1_280_000n, '货款', { counterpartyAccount: '31001234567' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.score).toBe(70);
    expect(r.proposals[0]!.sure).toBe('PAYER_AMOUNT');
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-0012', 1_280_000n]]);
  });

  it('PAYER_AMOUNT in a group: the parent Delta Holdings pays 1,500.00, the only item of that amount in its group is its subsidiary C004\'s INV-2026-3003', () => {
    const r = sure(line(150_000n, 'payment', { counterpartyName: 'DELTA HOLDINGS' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.customerId).toBe('c4');
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-3003', 150_000n]]);
  });

  it('not sure: the amount is two open items of the payer (3,000.00 twice) and no reference tells which', () => {
    const r = sure(line(300_000n, '货款', { counterpartyName: '深圳德尔塔电子' }));
    expect(r.status).toBe('suggested');
    expect(r.proposals.some((p) => p.sure)).toBe(false);
  });

  it('of the two 3,000.00 items, INV-2026-1010 is 2 characters from INV-2026-1001 and 3 from INV-2026-2002: INV-2026-1001 applied, by its score (name 30 + two-character fuzzy 35 + amount 30 = 95) before the sure rule PAYER_TYPO is needed', () => {
    const r = sure(line(300_000n, '货款 INV-2026-1010', { counterpartyName: '深圳德尔塔电子有限公司' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]).toMatchObject({ score: 95 });
    expect(r.proposals[0]!.sure).toBeUndefined();
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-1001', 300_000n]]);
  });

  it('PAYER_TYPO: INV-2026-3101 is 2 characters from both INV-2026-1001 and INV-2026-3003 (no fuzzy reading), but of the two 3,000.00 items only from INV-2026-1001 (3 from INV-2026-2002): applied to it by the rule', () => {
    const r = sure(line(300_000n, '货款 INV-2026-3101', { counterpartyName: '深圳德尔塔电子有限公司' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]!.sure).toBe('PAYER_TYPO');
    expect(r.proposals[0]!.reasons.some((x) => x.code === 'INVOICE_FUZZY')).toBe(false);
    expect(applied(r.proposals[0]!)).toEqual([['INV-2026-1001', 300_000n]]);
  });

  it('not sure: the mistyped INV-2026-3030 is close to INV-2026-3003 (1,500.00), not to an item of the amount paid (3,000.00)', () => {
    expect(sure(line(300_000n, 'INV-2026-3030', { counterpartyName: '深圳德尔塔电子有限公司' })).status).toBe('suggested');
  });

  it('not sure: the one 1,500.00 item of C004 fits, but the text names C001\'s INV-2026-0012 (a typo landing on another customer\'s invoice)', () => {
    const r = sure(line(150_000n, '货款 INV-2026-0012', { counterpartyName: '深圳德尔塔电子有限公司' }));
    expect(r.status).toBe('suggested');
    expect(r.proposals.some((p) => p.sure)).toBe(false);
  });

  it('not sure: C001 pays 1,500.00 naming INV-2026-0099, already paid: a duplicate payment, even though no other item is in the way', () => {
    const r = sure(line(150_000n, 'INV-2026-0099', { counterpartyAccount: '31001234567' }));
    expect(r.status).not.toBe('auto');
  });

  it('not sure: a stranger (no customer\'s name or account) paying an amount only one item has: 30 + 10 = 40, suggested', () => {
    const r = sure(line(222_200n, 'ORDER 4711', { counterpartyName: 'Acme Widgets Inc' }));
    expect(r.status).toBe('suggested');
    expect(points(r.proposals[0]!)).toEqual({ AMOUNT_EXACT: 30, AMOUNT_UNIQUE: 10 });
  });

  it('not sure: 4,500.00 from C004 is 1,001 + 3,003 or 2,002 + 3,003: two combinations', () => {
    expect(sure(line(450_000n, '货款', { counterpartyName: '深圳德尔塔电子有限公司' })).status).toBe('suggested');
  });

  it('not sure: the short name 恒信贸易 is in two customers\' names (上海 and 北京), though only 上海恒信 has an item of 2,222.00', () => {
    const r = sure(line(222_200n, '货款', { counterpartyName: '恒信贸易' }));
    expect(r.status).not.toBe('auto');
    expect(r.proposals.some((p) => p.sure)).toBe(false);
  });

  it('not sure: the account is C001\'s and the name C004\'s (12,800.00 is only C001\'s)', () => {
    const r = sure(line(1_280_000n, '货款', { counterpartyAccount: '31001234567', counterpartyName: '深圳德尔塔电子有限公司' }));
    expect(r.status).not.toBe('auto');
  });

  it('not sure: a customer code alone names no payer (C006 in the text, 2,222.00 its only item: 20 + 30 = 50)', () => {
    const r = sure(line(222_200n, 'C006 payment'));
    expect(r.status).toBe('suggested');
    expect(r.proposals[0]!.sure).toBeUndefined();
  });

  it('the company\'s switch still holds: with autoApply off a sure line is suggested', () => {
    const book = buildBook(sureItems(), sureCustomers);
    const settings = { ...DEFAULT_MATCH_SETTINGS, autoApply: false };
    const r = decide('L1', proposeForLine(book, line(1_280_000n, '货款', { counterpartyAccount: '31001234567' }), settings), settings);
    expect(r.status).toBe('suggested');
    expect(r.proposals[0]!.sure).toBe('PAYER_AMOUNT');
  });
});
