import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { addDays } from './dates.ts';
import { parseDecimal, type Decimal } from './decimal.ts';
import { AppError } from './errors.ts';
import {
  baseDate,
  checkTermsRule,
  describeTerms,
  dueDate,
  INVALID_PAYMENT_TERMS,
  netTerms,
  parseTermsSpec,
  schedule,
  termsRuleFromJson,
  termsRuleProblems,
  termsRuleToJson,
  type InstallmentRule,
  type PaymentTermsRule,
  type ScheduledInstallment,
  type TermsSpec,
} from './terms.ts';
import { appErrorOf } from './test-helpers.ts';

const pct = (text: string): Decimal => parseDecimal(text, 'percent');

/** A rule from the parts a test cares about; the rest is plain "due on the document date". */
function rule(parts: Partial<PaymentTermsRule>): PaymentTermsRule {
  return { ...netTerms(0), ...parts };
}

/** "30@0,70@30" → installment rules, for readable tables. */
function installments(text: string): InstallmentRule[] {
  return text.split(',').map((item) => {
    const [percent, days] = item.split('@') as [string, string];
    return { percent: pct(percent), days: Number(days) };
  });
}

const net30 = netTerms(30);
const eom15 = rule({ netDays: 15, endOfMonth: true });
const twoTenNet30 = rule({ netDays: 30, discount: { percent: pct('2'), days: 10 } });
const thirtySeventy = rule({ netDays: 30, installments: installments('30@0,70@30') });

describe('baseDate and dueDate', () => {
  it.each([
    // [label, rule, document date, base date, due date, arithmetic]
    ['net 30', net30, '2026-01-20', '2026-01-20', '2026-02-19'], // 11 days to Jan 31, 19 more into February
    ['net 30 over February', net30, '2026-01-31', '2026-01-31', '2026-03-02'], // +28 → Feb 28, +2 → Mar 2
    ['due on receipt', netTerms(0), '2026-01-20', '2026-01-20', '2026-01-20'],
    ['EOM + 15', eom15, '2026-01-20', '2026-01-31', '2026-02-15'], // base Jan 31, + 15 days
    ['EOM + 15 from the last day', eom15, '2026-01-31', '2026-01-31', '2026-02-15'],
    ['EOM + 15 from the first day', eom15, '2026-02-01', '2026-02-28', '2026-03-15'], // Feb 28 + 15 = Mar 15
    ['EOM + 0', rule({ endOfMonth: true }), '2026-02-10', '2026-02-28', '2026-02-28'],
    ['EOM + 30', rule({ netDays: 30, endOfMonth: true }), '2026-01-05', '2026-01-31', '2026-03-02'],
    // monthsAfterEom: the last day of the month N months after the invoice month, whatever the invoice day.
    ['1 month after EOM', rule({ endOfMonth: true, monthsAfterEom: 1 }), '2026-01-31', '2026-02-28', '2026-02-28'],
    ['1 month after EOM, leap', rule({ endOfMonth: true, monthsAfterEom: 1 }), '2024-01-15', '2024-02-29', '2024-02-29'],
    ['1 month after EOM, from Jan 1', rule({ endOfMonth: true, monthsAfterEom: 1 }), '2026-01-01', '2026-02-28', '2026-02-28'],
    // April has 30 days, May 31: the base is May 31, not "April 30 + 1 month" = May 30.
    ['1 month after EOM, short month', rule({ endOfMonth: true, monthsAfterEom: 1 }), '2026-04-30', '2026-05-31', '2026-05-31'],
    ['1 month after EOM, year end', rule({ endOfMonth: true, monthsAfterEom: 1 }), '2026-12-10', '2027-01-31', '2027-01-31'],
    ['2 months after EOM', rule({ endOfMonth: true, monthsAfterEom: 2 }), '2025-12-31', '2026-02-28', '2026-02-28'],
    ['1 month after EOM + 10', rule({ netDays: 10, endOfMonth: true, monthsAfterEom: 1 }), '2026-01-31', '2026-02-28', '2026-03-10'],
    ['24 months after EOM', rule({ endOfMonth: true, monthsAfterEom: 24 }), '2026-02-15', '2028-02-29', '2028-02-29'],
    // With installments the due date is the last installment's: base + 30.
    ['30@0,70@30', thirtySeventy, '2026-01-20', '2026-01-20', '2026-02-19'],
    ['2/10 net 30', twoTenNet30, '2026-01-20', '2026-01-20', '2026-02-19'],
  ])('%s, invoice %s', (_label, terms, documentDate, base, due) => {
    expect(baseDate(terms, documentDate)).toBe(base);
    expect(dueDate(terms, documentDate)).toBe(due);
  });

  it('treats monthsAfterEom as end-of-month terms even if endOfMonth was left false', () => {
    // checkTermsRule rejects this shape; baseDate still reads it the only sensible way.
    expect(baseDate(rule({ monthsAfterEom: 1 }), '2026-01-15')).toBe('2026-02-28');
  });
});

describe('schedule', () => {
  const row = (
    seq: number,
    dueDate: string,
    amountMinor: bigint,
    discountDate: string | null = null,
    discountAmountMinor = 0n,
  ): ScheduledInstallment => ({ seq, dueDate, amountMinor, discountDate, discountAmountMinor });

  it.each([
    // [label, rule, document date, amount minor, currency, expected rows]
    ['net 30 on 1000.00', net30, '2026-01-20', 100000n, 'CNY', [row(1, '2026-02-19', 100000n)]],
    // 2% of 1000.00 = 20.00 off if paid by 2026-01-20 + 10 = 2026-01-30; otherwise 1000.00 by 2026-02-19.
    ['2/10 net 30 on 1000.00', twoTenNet30, '2026-01-20', 100000n, 'CNY', [row(1, '2026-02-19', 100000n, '2026-01-30', 2000n)]],
    // 2.5% of 0.99 = 0.02475 → 0.02 (half up: .475 of a fen rounds down).
    [
      '2.5/10 net 30 on 0.99',
      rule({ netDays: 30, discount: { percent: pct('2.5'), days: 10 } }),
      '2026-01-20',
      99n,
      'CNY',
      [row(1, '2026-02-19', 99n, '2026-01-30', 2n)],
    ],
    // The discount window counts from the invoice date even with end-of-month terms: Jan 20 + 10 = Jan 30;
    // due Jan 31 + 30 = Mar 2. 1.5% of 12345 yen = 185.175 → 185.
    [
      '1.5/10 EOM + 30 in yen',
      rule({ netDays: 30, endOfMonth: true, discount: { percent: pct('1.5'), days: 10 } }),
      '2026-01-20',
      12345n,
      'JPY',
      [row(1, '2026-03-02', 12345n, '2026-01-30', 185n)],
    ],
    // 30% of 1000.00 = 300.00 at base + 0 = Jan 20; 70% = 700.00 at base + 30 = Feb 19.
    ['30@0,70@30 on 1000.00', thirtySeventy, '2026-01-20', 100000n, 'CNY', [row(1, '2026-01-20', 30000n), row(2, '2026-02-19', 70000n)]],
    // 1001 yen: exact shares 300.3 and 700.7; floors 300 + 700 = 1000, the spare yen goes to the larger remainder (.7).
    ['30@0,70@30 on 1001 yen', thirtySeventy, '2026-01-20', 1001n, 'JPY', [row(1, '2026-01-20', 300n), row(2, '2026-02-19', 701n)]],
    // 100.00 at 33.33/33.33/33.34: exactly 33.33, 33.33, 33.34.
    [
      '33.33/33.33/33.34 on 100.00',
      rule({ netDays: 60, installments: installments('33.33@0,33.33@30,33.34@60') }),
      '2026-01-20',
      10000n,
      'CNY',
      [row(1, '2026-01-20', 3333n), row(2, '2026-02-19', 3333n), row(3, '2026-03-21', 3334n)],
    ],
    // 100.01 at 33.33/33.33/33.34: exact shares 33.333333, 33.333333, 33.343334 (10001 × 3334 / 10000 = 3334.3334);
    // floors 33.33 + 33.33 + 33.34 = 100.00, and the spare fen goes to the largest remainder, .3334 > .3333:
    // 33.33, 33.33, 33.35. (Feb 19 + 30 = Mar 21.)
    [
      '33.33/33.33/33.34 on 100.01',
      rule({ netDays: 60, installments: installments('33.33@0,33.33@30,33.34@60') }),
      '2026-01-20',
      10001n,
      'CNY',
      [row(1, '2026-01-20', 3333n), row(2, '2026-02-19', 3333n), row(3, '2026-03-21', 3335n)],
    ],
    // Mixed scales: 50 / 12.5 / 37.5 weigh 500 / 125 / 375 at one decimal. Of 3 fen the exact shares are 1.5, 0.375
    // and 1.125 fen; floors 1 + 0 + 1 = 2, the spare fen goes to the largest remainder (.5, the first): 2, 0, 1.
    [
      '50/12.5/37.5 on 0.03',
      rule({ netDays: 20, installments: installments('50@0,12.5@10,37.5@20') }),
      '2026-01-20',
      3n,
      'CNY',
      [row(1, '2026-01-20', 2n), row(2, '2026-01-30', 0n), row(3, '2026-02-09', 1n)],
    ],
    // Installments from an EOM base: Jan 31 + 0 and Jan 31 + 30 = Mar 2; 100.001 KWD halves: 50.0005 each → the
    // spare fils to the first (equal remainders: earlier first).
    [
      'EOM 50@0,50@30 on 100.001 KWD',
      rule({ netDays: 30, endOfMonth: true, installments: installments('50@0,50@30') }),
      '2026-01-20',
      100001n,
      'KWD',
      [row(1, '2026-01-31', 50001n), row(2, '2026-03-02', 50000n)],
    ],
    // A credit is split the same way, mirrored: -1000.00 → -300.00, -700.00.
    ['30@0,70@30 on -1000.00', thirtySeventy, '2026-01-20', -100000n, 'CNY', [row(1, '2026-01-20', -30000n), row(2, '2026-02-19', -70000n)]],
    ['zero amount', thirtySeventy, '2026-01-20', 0n, 'CNY', [row(1, '2026-01-20', 0n), row(2, '2026-02-19', 0n)]],
  ])('%s', (_label, terms, documentDate, amountMinor, currency, rows) => {
    expect(schedule(terms, documentDate, amountMinor, currency)).toEqual(rows);
  });

  it('refuses an invalid rule', () => {
    const error = appErrorOf(() => schedule(rule({ netDays: 30, installments: installments('30@0,60@30') }), '2026-01-20', 100n, 'CNY'));
    expect(error.code).toBe(INVALID_PAYMENT_TERMS);
  });

  /** n positive weights summing to 100 × 10^scale, from n - 1 distinct cut points (the classic stick-breaking). */
  const validInstallments = fc
    .record({ scale: fc.integer({ min: 0, max: 4 }), count: fc.integer({ min: 1, max: 24 }) })
    .chain(({ scale, count }) => {
      const total = 100 * 10 ** scale;
      return fc.tuple(
        fc.constant(scale),
        fc.uniqueArray(fc.integer({ min: 1, max: total - 1 }), { minLength: count - 1, maxLength: count - 1 }),
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: count, maxLength: count }), // 24 × 150 ≤ 3650 days
      );
    })
    .map(([scale, cuts, gaps]) => {
      const points = [0, ...cuts.sort((a, b) => a - b), 100 * 10 ** scale];
      let days = 0;
      return points.slice(1).map((point, i): InstallmentRule => {
        days += gaps[i]!;
        return { percent: { units: BigInt(point - points[i]!), scale }, days };
      });
    });

  it('installment amounts sum exactly to the amount, are never negative and each is within a minor unit of its share', () => {
    fc.assert(
      fc.property(
        validInstallments,
        fc.bigInt(0n, 10n ** 15n),
        fc.boolean(),
        fc.constantFrom('CNY', 'JPY', 'KWD'),
        (parts, amountMinor, endOfMonth, currency) => {
          const terms = rule({ netDays: parts[parts.length - 1]!.days, endOfMonth, installments: parts });
          expect(termsRuleProblems(terms)).toEqual([]);
          const rows = schedule(terms, '2026-01-20', amountMinor, currency);
          expect(rows).toHaveLength(parts.length);
          expect(rows.reduce((sum, r) => sum + r.amountMinor, 0n)).toBe(amountMinor);
          const scale = parts[0]!.percent.scale;
          const whole = 100n * 10n ** BigInt(scale);
          rows.forEach((r, i) => {
            expect(r.amountMinor >= 0n).toBe(true);
            // |amount - total × p / 100| < 1  ⇔  |amount × 100·10^s - total × units| < 100·10^s
            const gap = r.amountMinor * whole - amountMinor * parts[i]!.percent.units;
            expect(gap < whole && gap > -whole).toBe(true);
            expect(r.seq).toBe(i + 1);
            expect(r.dueDate).toBe(addDays(baseDate(terms, '2026-01-20'), parts[i]!.days));
            expect(r.discountDate).toBeNull();
            expect(r.discountAmountMinor).toBe(0n);
          });
          expect(rows[rows.length - 1]!.dueDate).toBe(dueDate(terms, '2026-01-20'));
        },
      ),
    );
  });

  it('a discount is never negative nor more than the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 15n),
        fc.integer({ min: 1, max: 999_999 }), // percent in hundredths of a ‰: 0.0001 … 99.9999
        (amountMinor, units) => {
          const terms = rule({ netDays: 30, discount: { percent: { units: BigInt(units), scale: 4 }, days: 10 } });
          const [only] = schedule(terms, '2026-01-20', amountMinor, 'CNY');
          expect(only!.discountAmountMinor >= 0n && only!.discountAmountMinor <= amountMinor).toBe(true);
          expect(only!.discountDate).toBe('2026-01-30');
        },
      ),
    );
  });
});

describe('checkTermsRule', () => {
  it.each([
    ['net 0', netTerms(0)],
    ['net 3650', netTerms(3650)],
    ['24 months after EOM', rule({ endOfMonth: true, monthsAfterEom: 24 })],
    ['2/10 net 30', twoTenNet30],
    ['99.9999% discount on the invoice day, net 1', rule({ netDays: 1, discount: { percent: pct('99.9999'), days: 0 } })],
    ['one installment of 100%', rule({ netDays: 0, installments: installments('100@0') })],
    ['installments on the same day', rule({ netDays: 30, installments: installments('50@30,50@30') })],
    ['24 installments', rule({ netDays: 23, installments: Array.from({ length: 24 }, (_, i) => ({ percent: pct(i < 20 ? '4' : '5'), days: i })) })],
    ['percent with trailing zeros', rule({ netDays: 30, installments: [{ percent: { units: 3000n, scale: 2 }, days: 0 }, { percent: pct('70'), days: 30 }] })],
  ])('accepts %s', (_label, terms) => {
    expect(() => checkTermsRule(terms)).not.toThrow();
  });

  it.each([
    // [label, rule, the fields the error names]
    ['negative net days', netTerms(-1), ['netDays']],
    ['net days beyond ten years', netTerms(3651), ['netDays']],
    ['fractional net days', netTerms(1.5), ['netDays']],
    ['25 months after EOM', rule({ endOfMonth: true, monthsAfterEom: 25 }), ['monthsAfterEom']],
    ['months after EOM without EOM', rule({ monthsAfterEom: 1 }), ['monthsAfterEom']],
    ['0% discount', rule({ netDays: 30, discount: { percent: pct('0'), days: 10 } }), ['discount.percent']],
    ['100% discount', rule({ netDays: 30, discount: { percent: pct('100'), days: 10 } }), ['discount.percent']],
    ['negative discount days', rule({ netDays: 30, discount: { percent: pct('2'), days: -1 } }), ['discount.days']],
    ['discount days equal to net days', rule({ netDays: 30, discount: { percent: pct('2'), days: 30 } }), ['discount.days']],
    ['discount with net 0', rule({ discount: { percent: pct('2'), days: 0 } }), ['discount.days']],
    ['discount with installments', rule({ netDays: 30, discount: { percent: pct('2'), days: 10 }, installments: installments('30@0,70@30') }), ['discount']],
    ['no installments in the list', rule({ installments: [] }), ['installments']],
    ['25 installments', rule({ netDays: 0, installments: Array.from({ length: 25 }, () => ({ percent: pct('4'), days: 0 })) }), ['installments']],
    ['percentages add up to 90', rule({ netDays: 30, installments: installments('30@0,60@30') }), ['installments']],
    ['percentages add up to 100.01', rule({ netDays: 30, installments: installments('30.01@0,70@30') }), ['installments']],
    ['a 0% installment', rule({ netDays: 30, installments: installments('100@0,0@30') }), ['installments[1].percent']],
    ['days going backwards', rule({ netDays: 0, installments: installments('50@30,50@0') }), ['installments[1].days']],
    ['negative installment days', rule({ netDays: 30, installments: installments('50@-1,50@30') }), ['installments[0].days']],
    ['net days not the last installment', rule({ netDays: 10, installments: installments('30@0,70@30') }), ['netDays']],
    ['several problems at once', rule({ netDays: -5, monthsAfterEom: 30, discount: { percent: pct('200'), days: 1 } }), ['netDays', 'monthsAfterEom', 'discount.percent']],
  ])('rejects %s', (_label, terms, fields) => {
    const error = appErrorOf(() => checkTermsRule(terms));
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe(INVALID_PAYMENT_TERMS);
    expect(error.details.map((d) => d.field)).toEqual(fields);
    expect(error.message).toMatch(/^payment terms: /);
  });

  it('says what is wrong in words', () => {
    expect(termsRuleProblems(rule({ netDays: 30, installments: installments('30@0,60@30') }))).toEqual([
      { field: 'installments', message: 'percentages must add up to exactly 100, they add up to 90' },
    ]);
    expect(termsRuleProblems(rule({ netDays: 30, discount: { percent: pct('2'), days: 30 } }))).toEqual([
      { field: 'discount.days', message: 'must be less than the net days (30), got 30' },
    ]);
  });
});

describe('parseTermsSpec', () => {
  it.each<[string, TermsSpec, PaymentTermsRule]>([
    ['net 30', { net: '30' }, net30],
    ['nothing: due on receipt', {}, netTerms(0)],
    ['blank strings are "not given"', { net: ' 30 ', discount: '', installments: '  ' }, net30],
    ['EOM + 15', { net: '15', eom: true }, eom15],
    ['months after EOM implies EOM', { monthsAfterEom: '1' }, rule({ endOfMonth: true, monthsAfterEom: 1 })],
    ['months after EOM 0 is plain', { monthsAfterEom: '0', net: '5' }, netTerms(5)],
    ['2/10 net 30', { net: '30', discount: '2/10' }, twoTenNet30],
    ['2%/10 net 30', { net: '30', discount: '2%/10' }, twoTenNet30],
    ['spaces inside', { net: '30', discount: ' 2.5 % / 10 ' }, rule({ netDays: 30, discount: { percent: pct('2.5'), days: 10 } })],
    ['installments, net taken from the last', { installments: '30@0,70@30' }, thirtySeventy],
    ['installments with % and matching net', { net: '30', installments: '30%@0, 70%@30' }, thirtySeventy],
    [
      'full-width commas',
      { installments: '33.33@0，33.33@30，33.34@60' },
      rule({ netDays: 60, installments: installments('33.33@0,33.33@30,33.34@60') }),
    ],
    [
      'EOM installments',
      { eom: true, installments: '50@0,50@30' },
      rule({ netDays: 30, endOfMonth: true, installments: installments('50@0,50@30') }),
    ],
  ])('%s', (_label, spec, expected) => {
    expect(parseTermsSpec(spec)).toEqual(expected);
  });

  it.each<[string, TermsSpec, string, RegExp]>([
    // [label, spec, field, message]
    ['net not a number', { net: 'abc' }, 'net', /^--net: "abc" is not a whole number of days from 0 to 3650; e\.g\. --net 30$/],
    ['net negative', { net: '-5' }, 'net', /^--net: "-5" is not a whole number/],
    ['net fractional', { net: '30.5' }, 'net', /^--net: "30\.5" is not a whole number/],
    ['net too long', { net: '3651' }, 'net', /^--net: "3651" .* from 0 to 3650/],
    ['discount without the slash', { net: '30', discount: '2-10' }, 'discount', /^--discount: "2-10" is not PERCENT\/DAYS; e\.g\. --discount 2\/10/],
    ['discount percent not a number', { net: '30', discount: '2.5.1/10' }, 'discount', /is not PERCENT\/DAYS/],
    ['discount days not before net', { net: '30', discount: '2/30' }, 'discount', /^--discount: must be less than the net days \(30\), got 30; e\.g\. --discount 2\/10/],
    ['discount without net', { discount: '2/10' }, 'discount', /must be less than the net days \(0\)/],
    ['0% discount', { net: '30', discount: '0/10' }, 'discount', /must be more than 0 and less than 100, got 0/],
    ['100% discount', { net: '30', discount: '100/10' }, 'discount', /must be more than 0 and less than 100, got 100/],
    ['discount with installments', { discount: '2/10', installments: '30@0,70@30' }, 'discount', /cannot be combined with installments/],
    ['installments not adding to 100', { installments: '30@0,60@30' }, 'installments', /^--installments: percentages must add up to exactly 100, they add up to 90; e\.g\. --installments 30@0,70@30/],
    ['installment missing days', { installments: '30@0,70' }, 'installments', /^--installments: installment 2 "70" is not PERCENT@DAYS/],
    ['installment empty item', { installments: '30@0,,70@30' }, 'installments', /installment 2 "" is not PERCENT@DAYS/],
    ['installments going backwards', { installments: '70@30,30@0' }, 'installments', /must not be earlier than the installment before it \(30 days\)/],
    ['installment of 0%', { installments: '100@0,0@30' }, 'installments', /must be more than 0, got 0/],
    ['installment percent with 11 decimals', { installments: '0.00000000001@0,99.99999999999@1' }, 'installments', /installment 1: "0\.00000000001" is not a percentage/],
    ['25 installments', { installments: Array.from({ length: 25 }, () => '4@0').join(',') }, 'installments', /25 installments is more than 24/],
    ['net contradicting installments', { net: '60', installments: '30@0,70@30' }, 'net', /^--net: with installments the net days are the last installment's days \(30\); leave --net out or give --net 30/],
    ['months after EOM too many', { monthsAfterEom: '25' }, 'monthsAfterEom', /^--months-after-eom: "25" is not a whole number of months from 0 to 24/],
    ['months after EOM not a number', { monthsAfterEom: 'one' }, 'monthsAfterEom', /"one" is not a whole number of months/],
    ['months after EOM with eom off', { eom: false, monthsAfterEom: '1' }, 'eom', /^--eom: --months-after-eom counts from the end of a month/],
  ])('rejects %s', (_label, spec, field, message) => {
    const error = appErrorOf(() => parseTermsSpec(spec));
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe(INVALID_PAYMENT_TERMS);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]?.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe('describeTerms', () => {
  it.each<[string, string, PaymentTermsRule]>([
    // [English, Chinese, rule]
    ['net 30', '净30天', net30],
    ['due on receipt', '见票即付', netTerms(0)],
    ['2/10 net 30', '2/10，净30天', twoTenNet30],
    ['2.5/10 net 30', '2.5/10，净30天', rule({ netDays: 30, discount: { percent: pct('2.5'), days: 10 } })],
    ['EOM + 15 days', '月结15天', eom15],
    ['EOM + 30 days', '月结30天', rule({ netDays: 30, endOfMonth: true })],
    ['EOM + 1 day', '月结1天', rule({ netDays: 1, endOfMonth: true })],
    ['EOM', '月底到期', rule({ endOfMonth: true })],
    ['end of next month', '次月底到期', rule({ endOfMonth: true, monthsAfterEom: 1 })],
    ['end of next month + 15 days', '次月底后15天', rule({ netDays: 15, endOfMonth: true, monthsAfterEom: 1 })],
    [
      'end of the month 3 months after invoice + 10 days',
      '3个月后的月底后10天',
      rule({ netDays: 10, endOfMonth: true, monthsAfterEom: 3 }),
    ],
    ['2/10, EOM + 30 days', '2/10，月结30天', rule({ netDays: 30, endOfMonth: true, discount: { percent: pct('2'), days: 10 } })],
    ['30% at 0 days, 70% at 30 days', '分期：0天后付30%，30天后付70%', thirtySeventy],
    ['100% at 1 day', '分期：1天后付100%', rule({ netDays: 1, installments: installments('100@1') })],
    [
      '33.33% at 0 days, 33.33% at 30 days, 33.34% at 60 days',
      '分期：0天后付33.33%，30天后付33.33%，60天后付33.34%',
      rule({ netDays: 60, installments: installments('33.33@0,33.33@30,33.34@60') }),
    ],
    [
      'from EOM: 50% at 0 days, 50% at 30 days',
      '分期（自月底起）：0天后付50%，30天后付50%',
      rule({ netDays: 30, endOfMonth: true, installments: installments('50@0,50@30') }),
    ],
  ])('%s / %s', (english, chinese, terms) => {
    expect(describeTerms(terms, 'en')).toBe(english);
    expect(describeTerms(terms, 'zh-CN')).toBe(chinese);
  });
});

describe('termsRuleToJson / termsRuleFromJson', () => {
  it('writes stable JSON with decimals as shortest strings', () => {
    const terms = rule({ netDays: 30, discount: { percent: { units: 250n, scale: 2 }, days: 10 } }); // 2.50 → "2.5"
    expect(JSON.stringify(termsRuleToJson(terms))).toBe(
      '{"netDays":30,"endOfMonth":false,"monthsAfterEom":0,"discount":{"percent":"2.5","days":10},"installments":null}',
    );
    expect(JSON.stringify(termsRuleToJson(thirtySeventy))).toBe(
      '{"netDays":30,"endOfMonth":false,"monthsAfterEom":0,"discount":null,' +
        '"installments":[{"percent":"30","days":0},{"percent":"70","days":30}]}',
    );
  });

  it.each<[string, PaymentTermsRule]>([
    ['net 30', net30],
    ['2/10 net 30', twoTenNet30],
    ['EOM + 1 month + 15', rule({ netDays: 15, endOfMonth: true, monthsAfterEom: 1 })],
    ['installments', rule({ netDays: 60, installments: installments('33.33@0,33.33@30,33.34@60') })],
  ])('round-trips %s through a JSON string', (_label, terms) => {
    expect(termsRuleFromJson(JSON.parse(JSON.stringify(termsRuleToJson(terms))))).toEqual(terms);
  });

  it('reads rules stored without the optional keys', () => {
    expect(termsRuleFromJson({ netDays: 30, endOfMonth: false })).toEqual(net30);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'net 30', 'terms'],
    ['null', null, 'terms'],
    ['net days as a string', { netDays: '30', endOfMonth: false }, 'netDays'],
    ['endOfMonth missing', { netDays: 30 }, 'endOfMonth'],
    ['percent as a number', { netDays: 30, endOfMonth: false, discount: { percent: 2, days: 10 } }, 'discount.percent'],
    ['percent not a decimal', { netDays: 30, endOfMonth: false, discount: { percent: '2%', days: 10 } }, 'discount.percent'],
    ['installments not a list', { netDays: 30, endOfMonth: false, installments: '30@0,70@30' }, 'installments'],
    ['installment not an object', { netDays: 30, endOfMonth: false, installments: [30] }, 'installments[0]'],
    ['installment days missing', { netDays: 30, endOfMonth: false, installments: [{ percent: '100' }] }, 'installments[0].days'],
    [
      'a rule that fails the check',
      { netDays: 30, endOfMonth: false, installments: [{ percent: '30', days: 0 }, { percent: '60', days: 30 }] },
      'installments',
    ],
  ])('rejects %s', (_label, json, field) => {
    const error = appErrorOf(() => termsRuleFromJson(json));
    expect(error.code).toBe(INVALID_PAYMENT_TERMS);
    expect(error.details[0]?.field).toBe(field);
  });
});
