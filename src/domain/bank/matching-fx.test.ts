/**
 * Cash matching of a payment in another currency than the invoices' (issue 7), every score and amount worked out by
 * hand from the points table (docs/cash-matching.md). The company's currency is CNY; rates on file on the line's
 * date 2026-04-20: USD 7.15, EUR 7.82 CNY; none for GBP. Default thresholds: auto ≥ 80 with a lead of 10, suggest ≥ 40;
 * the tolerance for the bank's rate 0.5% (50 basis points) of the converted amount.
 *
 *   U001 Acme Components Inc.  INV-U-1001  1,000.00 USD  due 2026-03-31;  INV-U-1002  500.00 USD  due 2026-04-30
 *   E001 Euro Parts GmbH       INV-E-2001  1,000.00 EUR  due 2026-03-31
 *   G001 London Tools Ltd      INV-G-3001    800.00 GBP  due 2026-03-31
 */
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../decimal.ts';
import {
  buildBook, decide, DEFAULT_MATCH_SETTINGS, FX_TOLERANCE_BASIS_POINTS, matchLines, proposeForLine,
  type MatchFx, type MatchItem, type MatchLine, type MatchSettings, type Proposal,
} from './matching.ts';

const customers = [
  { id: 'u1', code: 'U001', name: 'Acme Components Inc.', accounts: [] },
  { id: 'e1', code: 'E001', name: 'Euro Parts GmbH', accounts: [] },
  { id: 'g1', code: 'G001', name: 'London Tools Ltd', accounts: [] },
];
const item = (itemId: string, documentNumber: string, customerId: string, currency: string, openMinor: bigint, dueDate: string): MatchItem => ({
  itemId, documentNumber, customerId, currency, openMinor, documentDate: '2026-03-01', dueDate, discountDate: null, discountAmountMinor: 0n,
});
const items = () => [
  item('u-1', 'INV-U-1001', 'u1', 'USD', 100_000n, '2026-03-31'),
  item('u-2', 'INV-U-1002', 'u1', 'USD', 50_000n, '2026-04-30'),
  item('e-1', 'INV-E-2001', 'e1', 'EUR', 100_000n, '2026-03-31'),
  item('g-1', 'INV-G-3001', 'g1', 'GBP', 80_000n, '2026-03-31'),
];
const RATES: Record<string, string> = { USD: '7.15', EUR: '7.82' };
const fx: MatchFx = {
  functional: 'CNY', toleranceBasisPoints: FX_TOLERANCE_BASIS_POINTS,
  rateOn: (currency) => (RATES[currency] ? parseDecimal(RATES[currency]!, 'rate') : null),
};
const line = (amountMinor: bigint, text: string | null, extra: Partial<MatchLine> = {}): MatchLine => ({
  id: 'L1', amountMinor, currency: 'CNY', date: '2026-04-20', texts: [text], creditorReference: null, counterpartyName: null, counterpartyAccount: null, ...extra,
});
const run = (l: MatchLine, settings: MatchSettings = DEFAULT_MATCH_SETTINGS) => decide(l.id, proposeForLine(buildBook(items(), customers), l, settings, fx), settings);
const points = (p: Proposal) => Object.fromEntries(p.reasons.map((r) => [r.code, r.points]));
const moved = (p: Proposal) => p.allocations.map((a) => [a.documentNumber, a.amountMinor, a.currency, a.settlesMinor]);

describe('a payment in CNY for invoices in USD', () => {
  it('applies it when it quotes the invoice and the converted amount fits: the rate and the converted amount are reasons', () => {
    // 1,000.00 USD × 7.15 = 7,150.00 CNY, the line's amount. INVOICE_EXACT 50 + NAME_EXACT 30 + AMOUNT_FX 30 = 110 → 100.
    const r = run(line(715_000n, '货款 INV-U-1001', { counterpartyName: 'ACME COMPONENTS INC' }));
    expect(r.status).toBe('auto');
    const [best] = r.proposals;
    expect(points(best!)).toEqual({ NAME_EXACT: 30, INVOICE_EXACT: 50, AMOUNT_FX: 30 });
    expect(best!.score).toBe(100);
    expect(best!.fxRate).toBe('7.15');
    // The whole line settles the whole invoice.
    expect(moved(best!)).toEqual([['INV-U-1001', 715_000n, 'USD', 100_000n]]);
    expect(best!.reasons.find((x) => x.code === 'AMOUNT_FX')!.words).toBe(
      'amount 7150.00 CNY: 1000.00 USD at 7.15 CNY/USD (the rate on file on 2026-04-20) is 7150.00 CNY, within the 35.75 CNY allowed for the bank\'s rate');
  });

  it('takes the bank\'s own rate within the tolerance: 7,130.00 CNY still settles all 1,000.00 USD', () => {
    // 7,150.00 − 7,130.00 = 20.00, within 0.5% of 7,150.00 = 35.75 (rounded down). The bank paid 7.13 per USD: the
    // ledger books the 20.00 as an FX loss against the invoice's own rate.
    const r = run(line(713_000n, 'INV-U-1001', { counterpartyName: 'Acme Components Inc.' }));
    expect(r.status).toBe('auto');
    expect(moved(r.proposals[0]!)).toEqual([['INV-U-1001', 713_000n, 'USD', 100_000n]]);
  });

  it('spreads a line for two invoices in proportion, the last taking the rest', () => {
    // 1,500.00 USD × 7.15 = 10,725.00 CNY; the line 10,700.00 (25.00 short, within 53.62). INV-U-1001 gets
    // 10,700.00 × 1,000/1,500 = 7,133.333… → 7,133.33, INV-U-1002 the rest 3,566.67. Both references exact: 50.
    const r = run(line(1_070_000n, 'INV-U-1001 INV-U-1002', { counterpartyName: 'Acme Components Inc.' }));
    expect(r.status).toBe('auto');
    expect(moved(r.proposals[0]!)).toEqual([['INV-U-1001', 713_333n, 'USD', 100_000n], ['INV-U-1002', 356_667n, 'USD', 50_000n]]);
    expect(r.proposals[0]!.kind).toBe('combination');
  });

  it('only suggests it when no invoice number is quoted, however high the score', () => {
    // NAME_EXACT 30 + AMOUNT_FX 30 = 60: suggested. With an auto-apply score of 60 it would be enough by points, yet a
    // payment in another currency needs a quoted invoice number.
    expect(run(line(715_000n, 'April', { counterpartyName: 'Acme Components Inc.' }))).toMatchObject({ status: 'suggested', proposals: [{ score: 60 }] });
    const low = run(line(715_000n, 'April', { counterpartyName: 'Acme Components Inc.' }), { ...DEFAULT_MATCH_SETTINGS, autoApplyScore: 60 });
    expect(low.status).toBe('suggested');
    expect(low.note).toContain('only when the line quotes the invoice number');
  });

  it('refuses to apply it outside the tolerance: a partial payment at the rate on file, for a person to decide', () => {
    // 7,000.00 is 150.00 short of 7,150.00, more than 35.75: AMOUNT_PARTIAL 5 + INVOICE_EXACT 50 + NAME_EXACT 30 = 85,
    // enough by points but not applied. At 7.15 it would settle 7,000.00 ÷ 7.15 = 979.020… → 979.02 USD.
    const r = run(line(700_000n, 'INV-U-1001', { counterpartyName: 'Acme Components Inc.' }));
    expect(r.status).toBe('suggested');
    expect(r.note).toContain('not the items\' open amount within the tolerance');
    expect(r.proposals[0]).toMatchObject({ kind: 'partial', score: 85 });
    expect(moved(r.proposals[0]!)).toEqual([['INV-U-1001', 700_000n, 'USD', 97_902n]]);
  });

  it('proposes nothing in a currency without a rate on file', () => {
    // GBP: no rate, so no conversion and no proposal; the invoice number alone (50) is not a proposal either.
    const r = run(line(720_000n, 'INV-G-3001', { counterpartyName: 'London Tools Ltd' }));
    expect(r.proposals.filter((p) => p.fxRate !== undefined)).toEqual([]);
    expect(r.status).toBe('unmatched');
  });
});

describe('a payment in USD for an invoice in EUR: the cross rate through CNY', () => {
  it('converts at EUR 7.82 ÷ USD 7.15 and applies a quoted invoice whose amount fits', () => {
    // 7.82 / 7.15 = 1.0937062… USD per EUR: 1,000.00 EUR → 1,093.7062… → 1,093.71 USD, the line's amount.
    // INVOICE_EXACT 50 + AMOUNT_FX 30 = 80, with no other proposal: applied (as an exact amount with its number is).
    const r = run(line(109_371n, 'Invoice INV-E-2001', { currency: 'USD' }));
    expect(r.status).toBe('auto');
    expect(r.proposals[0]).toMatchObject({ score: 80, fxRate: '1.093706' });
    expect(moved(r.proposals[0]!)).toEqual([['INV-E-2001', 109_371n, 'EUR', 100_000n]]);
  });
});

describe('a run over several lines', () => {
  it('lowers the open amount by what was settled in the item\'s currency, so a second payment finds nothing left', () => {
    const book = buildBook(items(), customers);
    const lines = [
      line(715_000n, 'INV-U-1001', { id: 'L1', counterpartyName: 'Acme Components Inc.' }),
      line(715_000n, 'INV-U-1001', { id: 'L2', counterpartyName: 'Acme Components Inc.' }),
    ];
    const [first, second] = matchLines(book, lines, DEFAULT_MATCH_SETTINGS, fx);
    expect(first!.status).toBe('auto');
    // 1,000.00 − 1,000.00 = 0.00 USD open after L1: L2 cannot pay INV-U-1001 again.
    expect(book.open.get('u-1')).toBe(0n);
    expect(second!.proposals.some((p) => p.allocations.some((a) => a.documentNumber === 'INV-U-1001'))).toBe(false);
  });
});
