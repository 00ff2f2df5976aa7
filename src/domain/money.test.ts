import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from './errors.ts';
import {
  addMinor,
  amountProblem,
  checkCurrency,
  currencyScale,
  formatAmount,
  MAX_ABS_AMOUNT_MINOR,
  minorOf,
  parseAmount,
  roundHalfUp,
  splitProportionally,
  subtractMinor,
  sumMinor,
} from './money.ts';
import { appErrorOf } from './test-helpers.ts';

describe('currencyScale', () => {
  it.each([
    ['CNY', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('%s has %i decimals', (currency, scale) => {
    expect(currencyScale(currency)).toBe(scale);
  });

  it('treats an unknown code as a programmer error, and checkCurrency as a user error', () => {
    expect(() => currencyScale('XXX')).toThrow(/assertion failed/);
    const error = appErrorOf(() => checkCurrency('RMB', 'invoice.currency'));
    expect(error.code).toBe('INVALID_CURRENCY');
    expect(error.details[0]?.field).toBe('invoice.currency');
    expect(checkCurrency('CNY')).toBe('CNY');
  });
});

describe('parseAmount', () => {
  it.each([
    // [text, currency, minor units, arithmetic]
    ['1234.50', 'CNY', 123450n], // 1234.50 × 10^2
    ['1234.5', 'CNY', 123450n], // a missing trailing zero is padded: 1234.5 = 1234.50
    ['0.01', 'CNY', 1n], // one fen
    ['0', 'CNY', 0n],
    ['  7.00 ', 'CNY', 700n], // surrounding spaces are trimmed
    ['+3', 'CNY', 300n], // explicit plus sign
    ['1234', 'JPY', 1234n], // yen has no minor unit: 1234 × 10^0
    ['1.234', 'KWD', 1234n], // 1.234 dinar × 10^3 = 1234 fils
    ['0.5', 'KWD', 500n], // 0.5 × 10^3 = 500 fils
    // Decision (documented in parseAmount): decimals beyond the currency's scale are accepted when they are all
    // zeros, because nothing is rounded: "1.230" CNY is exactly 1.23 = 123 fen. Spreadsheets export such strings.
    ['1.230', 'CNY', 123n],
    ['1.2300000', 'CNY', 123n],
    ['5.0', 'JPY', 5n], // 5.0 yen is exactly 5
    ['1.2340', 'KWD', 1234n],
  ])('%s %s → %s minor units', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toBe(minor);
    expect(amountProblem(text, currency)).toBeNull();
  });

  it.each([
    // [text, currency, what the message must say]
    ['1.234', 'CNY', /has 3 decimals but CNY has 2/], // would need rounding: 123.4 fen
    ['1.5', 'JPY', /has 1 decimals but JPY has 0/], // half a yen does not exist
    ['1.2345', 'KWD', /has 4 decimals but KWD has 3/],
    ['', 'CNY', /is empty/],
    ['abc', 'CNY', /is not a decimal amount/],
    ['1,234.50', 'CNY', /no thousands separators/], // separators only with the thousands option
    ['1.', 'CNY', /is not a decimal amount/],
    ['.5', 'CNY', /is not a decimal amount/],
    ['1e3', 'CNY', /is not a decimal amount/],
    ['-5', 'CNY', /is negative/], // negatives need allowNegative
    ['(1,234.50)', 'CNY', /is not a decimal amount/], // accounting negatives need the thousands option
    ['1000000000000000.01', 'CNY', /larger than arflow accepts/], // 10^17 + 1 fen
  ])('rejects %j for %s', (text, currency, message) => {
    const error = appErrorOf(() => parseAmount(text, currency, 'lines[0].amount'));
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('lines[0].amount: ')).toBe(true);
    expect(error.details).toEqual([{ field: 'lines[0].amount', message: amountProblem(text, currency) }]);
  });

  it('accepts exactly 10^17 minor units and no more', () => {
    // 10^17 fen = 10^15 yuan = "1000000000000000.00"
    expect(parseAmount('1000000000000000.00', 'CNY')).toBe(MAX_ABS_AMOUNT_MINOR);
    expect(parseAmount('-1000000000000000.00', 'CNY', 'amount', { allowNegative: true })).toBe(-MAX_ABS_AMOUNT_MINOR);
  });

  it.each([
    // [text, options, minor units]
    ['1,234.50', { thousands: true }, 123450n], // 1234.50 yuan
    ['1 234.50', { thousands: true }, 123450n],
    ["1'234.50", { thousands: true }, 123450n],
    ['1，234.50', { thousands: true }, 123450n], // full-width comma from Chinese spreadsheets
    ['12,345,678.9', { thousands: true }, 1234567890n], // 12345678.90 × 100
    ['1234.50', { thousands: true }, 123450n], // separators are optional
    ['(1,234.50)', { thousands: true, allowNegative: true }, -123450n], // accounting negative
    ['(5.00)', { thousands: true, allowNegative: true }, -500n],
    ['-1,234.50', { thousands: true, allowNegative: true }, -123450n],
    ['-0.05', { allowNegative: true }, -5n],
    ['-0', {}, 0n], // minus zero is zero, so not negative
  ])('%s with %o → %s', (text, options, minor) => {
    expect(parseAmount(text, 'CNY', 'amount', options)).toBe(minor);
  });

  it.each([
    ['1,23.50'], // a group must have three digits
    ['1234,567.00'], // the leading group at most three
    ['1,234,5'],
  ])('rejects the malformed grouping %s', (text) => {
    expect(amountProblem(text, 'CNY', { thousands: true })).toMatch(/optional thousands separators/);
  });

  it('rejects an accounting negative without allowNegative', () => {
    expect(amountProblem('(1,234.50)', 'CNY', { thousands: true })).toMatch(/is negative/);
  });
});

describe('formatAmount', () => {
  it.each([
    // [minor units, currency, text]
    [123450n, 'CNY', '1234.50'],
    [1n, 'CNY', '0.01'],
    [0n, 'CNY', '0.00'],
    [-5n, 'CNY', '-0.05'], // the sign survives the zero padding
    [-123450n, 'CNY', '-1234.50'],
    [1234n, 'JPY', '1234'],
    [-7n, 'JPY', '-7'],
    [1234n, 'KWD', '1.234'],
    [5n, 'KWD', '0.005'],
    [-1n, 'KWD', '-0.001'],
  ])('%s %s → %s', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
    expect(parseAmount(text, currency, 'amount', { allowNegative: true })).toBe(minor);
  });

  it('round-trips through parseAmount for every amount in range', () => {
    fc.assert(
      fc.property(
        fc.bigInt(-MAX_ABS_AMOUNT_MINOR, MAX_ABS_AMOUNT_MINOR),
        fc.constantFrom('CNY', 'JPY', 'KWD', 'CLF'),
        (minor, currency) => {
          expect(parseAmount(formatAmount(minor, currency), currency, 'amount', { allowNegative: true })).toBe(minor);
        },
      ),
    );
  });
});

describe('roundHalfUp (halves away from zero)', () => {
  it.each([
    // [numerator, denominator, result, arithmetic]
    [5n, 2n, 3n], // 2.5 → 3
    [-5n, 2n, -3n], // -2.5 → -3 (away from zero, not toward +∞)
    [3n, 2n, 2n], // 1.5 → 2
    [-3n, 2n, -2n], // -1.5 → -2
    [1n, 2n, 1n], // 0.5 → 1
    [-1n, 2n, -1n], // -0.5 → -1
    [7n, 2n, 4n], // 3.5 → 4 (not banker's 4 by accident: 2.5 above went to 3)
    [1n, 3n, 0n], // 0.333 → 0
    [2n, 3n, 1n], // 0.667 → 1
    [-2n, 3n, -1n], // -0.667 → -1
    [24999n, 10000n, 2n], // 2.4999 → 2
    [25000n, 10000n, 3n], // 2.5 → 3
    [5n, -2n, -3n], // a negative denominator: 5 / -2 = -2.5 → -3
    [-5n, -2n, 3n], // -5 / -2 = 2.5 → 3
    [0n, 7n, 0n],
    [12n, 4n, 3n], // exact
  ])('%s / %s → %s', (numerator, denominator, result) => {
    expect(roundHalfUp(numerator, denominator)).toBe(result);
  });

  it('refuses to divide by zero', () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(/division by zero/);
  });
});

describe('splitProportionally', () => {
  it.each([
    // [total, weights, parts, arithmetic]
    // 100.00 in three equal parts: 10000 / 3 = 3333 r 1 each; the one fen left goes to the first (ties: earlier first).
    [10000n, [1n, 1n, 1n], [3334n, 3333n, 3333n]],
    // 0.01 in two parts: 1 × 1/2 = 0 r 1 each; the fen goes to the first.
    [1n, [1n, 1n], [1n, 0n]],
    // 1.00 as 1:2 → exact 33.33… and 66.66…; floors 33 and 66, remainders 100 mod 3 = 1 and 200 mod 3 = 2, so the
    // spare fen goes to the larger remainder (the second part): 33 + 67 = 100.
    [100n, [1n, 2n], [33n, 67n]],
    // Mirrored for a negative total: -100.00 → -33.34, -33.33, -33.33.
    [-10000n, [1n, 1n, 1n], [-3334n, -3333n, -3333n]],
    // A zero weight gets nothing: 10.00 as 0:3:1 → 0, 7.50, 2.50.
    [1000n, [0n, 3n, 1n], [0n, 750n, 250n]],
    // 30% / 70% of 1000.00: exactly 300.00 and 700.00.
    [100000n, [30n, 70n], [30000n, 70000n]],
    // 0.05 in 7 equal parts: 0 r 5 each; five parts get 1, the earliest five.
    [5n, [1n, 1n, 1n, 1n, 1n, 1n, 1n], [1n, 1n, 1n, 1n, 1n, 0n, 0n]],
    [0n, [1n, 2n], [0n, 0n]],
  ])('%s by %s → %s', (total, weights, parts) => {
    expect(splitProportionally(total, weights)).toEqual(parts);
  });

  it('asserts on unusable weights', () => {
    expect(() => splitProportionally(100n, [])).toThrow(/at least one weight/);
    expect(() => splitProportionally(100n, [0n, 0n])).toThrow(/not all be zero/);
    expect(() => splitProportionally(100n, [-1n, 2n])).toThrow(/not be negative/);
  });

  it('parts sum to the total exactly and each is within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt(-MAX_ABS_AMOUNT_MINOR, MAX_ABS_AMOUNT_MINOR),
        fc.array(fc.bigInt(0n, 10n ** 12n), { minLength: 1, maxLength: 30 }).filter((ws) => ws.some((w) => w > 0n)),
        (total, weights) => {
          const parts = splitProportionally(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(sumMinor(parts)).toBe(total);
          const weightSum = sumMinor(weights);
          parts.forEach((part, i) => {
            // |part - total·w/W| < 1  ⇔  |part·W - total·w| < W, all in integers
            const gap = part * weightSum - total * weights[i]!;
            expect(gap < weightSum && gap > -weightSum).toBe(true);
            // a part never has the opposite sign of the total
            expect(total >= 0n ? part >= 0n : part <= 0n).toBe(true);
            if (weights[i] === 0n) expect(part).toBe(0n);
          });
        },
      ),
    );
  });
});

describe('Minor: exact sums as numbers while safe, bigints beyond', () => {
  const safe = Number.MAX_SAFE_INTEGER; // 9,007,199,254,740,991
  it.each([
    // [SQL value, Minor]
    ['123450', 123450],
    ['-5', -5],
    [null, 0],
    [42n, 42],
    ['9007199254740991', safe],
    ['9007199254740993', 9007199254740993n], // beyond 2^53: kept exact as a bigint
    ['12000000000000000000.000', 12000000000000000000n], // an integral numeric as text
  ] as const)('%s → %s', (value, minor) => {
    expect(minorOf(value)).toBe(minor);
  });

  it('adds as numbers, and switches to bigint when the sum would lose a unit', () => {
    expect(addMinor(1, 2)).toBe(3);
    expect(addMinor(safe, 0)).toBe(safe);
    expect(addMinor(safe, 2)).toBe(9007199254740993n); // as a float this would read 9007199254740992
    expect(addMinor(10n, -3)).toBe(7n);
    expect(subtractMinor(5, 7)).toBe(-2);
    expect(subtractMinor(0, 9007199254740993n)).toBe(-9007199254740993n);
  });

  it('formats a number like the same bigint, and refuses an unsafe one', () => {
    expect(formatAmount(-5, 'CNY')).toBe('-0.05');
    expect(formatAmount(123450, 'KWD')).toBe('123.450');
    expect(formatAmount(safe, 'CNY')).toBe(formatAmount(BigInt(safe), 'CNY'));
    expect(() => formatAmount(2 ** 53, 'CNY')).toThrow(/safe integer/);
    expect(() => formatAmount(0.5, 'CNY')).toThrow(/safe integer/);
  });
});
