import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from './errors.ts';
import {
  convertAmount,
  decimalEquals,
  decimalProblem,
  formatDecimal,
  multiplyAmount,
  parseDecimal,
  percentOf,
  type Decimal,
} from './decimal.ts';

const d = (text: string): Decimal => parseDecimal(text, 'value');

describe('parseDecimal / formatDecimal', () => {
  it.each([
    // [text, units, scale, canonical text]
    ['7.1234', 71234n, 4, '7.1234'],
    ['2.5', 25n, 1, '2.5'],
    ['2.50', 25n, 1, '2.5'], // trailing zeros are dropped: 2.50 = 25 / 10
    ['100', 100n, 0, '100'], // zeros before the point stay: 100 is not 1
    ['100.000', 100n, 0, '100'],
    ['0.0482', 482n, 4, '0.0482'], // leading zeros vanish from the units, the scale keeps them
    ['0', 0n, 0, '0'],
    ['0.00', 0n, 0, '0'],
    ['007.10', 71n, 1, '7.1'],
    [' 3.3 ', 33n, 1, '3.3'], // trimmed
    ['0.0000000001', 1n, 10, '0.0000000001'], // ten decimals is the limit
    ['999999999999', 999999999999n, 0, '999999999999'], // twelve whole digits is the limit
  ])('%s → %s × 10^-%i → %s', (text, units, scale, canonical) => {
    expect(d(text)).toEqual({ units, scale });
    expect(formatDecimal(d(text))).toBe(canonical);
  });

  it('formats a decimal that is not in shortest form as given', () => {
    expect(formatDecimal({ units: 250n, scale: 2 })).toBe('2.50');
    expect(formatDecimal({ units: 5n, scale: 3 })).toBe('0.005');
  });

  it.each([
    ['-1', /not a positive decimal/],
    ['1e3', /not a positive decimal/],
    ['abc', /not a positive decimal/],
    ['', /not a positive decimal/],
    ['.5', /not a positive decimal/],
    ['5.', /not a positive decimal/],
    ['1,5', /not a positive decimal/],
    ['1000000000000', /not a positive decimal/], // thirteen whole digits
    ['1.12345678901', /more than 10 decimals/],
  ])('rejects %j', (text, message) => {
    expect(decimalProblem(text)).toMatch(message);
    try {
      parseDecimal(text, 'fx.rate');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe('INVALID_DECIMAL');
      expect(appError.details[0]?.field).toBe('fx.rate');
      expect(appError.message).toMatch(/^fx\.rate: /);
    }
  });

  it('compares by value, not by representation', () => {
    expect(decimalEquals({ units: 250n, scale: 2 }, d('2.5'))).toBe(true);
    expect(decimalEquals(d('2.5'), d('2.05'))).toBe(false);
  });

  it('format then parse gives the same value', () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 12n - 1n), // at most twelve whole digits
        fc.integer({ min: 0, max: 10 }).chain((scale) =>
          fc.tuple(fc.constant(scale), fc.bigInt(0n, 10n ** BigInt(scale) - 1n)),
        ),
        (whole, [scale, fraction]) => {
          const value: Decimal = { units: whole * 10n ** BigInt(scale) + fraction, scale };
          expect(decimalEquals(d(formatDecimal(value)), value)).toBe(true);
        },
      ),
    );
  });
});

describe('percentOf (rounded half up to the minor unit)', () => {
  it.each([
    // [amount minor, percent, result minor, arithmetic]
    [100000n, '2', 2000n], // 2% of 1000.00 = 20.00
    [99n, '2.5', 2n], // 2.5% of 0.99 = 0.02475 → 0.02 (2.475 fen rounds down)
    [100n, '0.5', 1n], // 0.5% of 1.00 = 0.005 = half a fen → 0.01 (half up)
    [-100n, '0.5', -1n], // and mirrored for a credit: -0.005 → -0.01
    [100n, '0.4', 0n], // 0.4% of 1.00 = 0.004 → 0.00
    [10001n, '33.33', 3333n], // 33.33% of 100.01 = 33.333333 → 33.33
    [12345n, '100', 12345n], // all of it
    [0n, '2', 0n],
    [1000n, '12.5', 125n], // 12.5% of 1000 yen = 125 yen
    [1999n, '1.75', 35n], // 1.75% of 19.99 = 0.349825 → 0.35
  ])('%s × %s%% → %s', (amount, percent, result) => {
    expect(percentOf(amount, d(percent))).toBe(result);
  });
});

describe('multiplyAmount', () => {
  it.each([
    [10000n, '1.13', 11300n], // 100.00 × 1.13 (13% VAT gross-up) = 113.00
    [333n, '0.5', 167n], // 3.33 × 0.5 = 1.665 → 1.67 (half up)
    [-333n, '0.5', -167n], // mirrored
  ])('%s × %s → %s', (amount, factor, result) => {
    expect(multiplyAmount(amount, d(factor))).toBe(result);
  });
});

describe('convertAmount (rate = units of `to` per unit of `from`, rounded half up)', () => {
  it.each([
    // [amount minor, from, to, rate, result minor, arithmetic]
    [10000n, 'USD', 'CNY', '7.1234', 71234n], // 100.00 USD × 7.1234 = 712.34 CNY
    [7n, 'USD', 'CNY', '7.1234', 50n], // 0.07 × 7.1234 = 0.498638 CNY → 0.50
    [-7n, 'USD', 'CNY', '7.1234', -50n], // a refund: -0.498638 → -0.50 (away from zero)
    [123456n, 'USD', 'CNY', '7.1234', 879426n], // 1234.56 × 7 = 8641.92, × 0.1234 = 152.344704; 8794.264704 → 8794.26
    [1000n, 'JPY', 'CNY', '0.0482', 4820n], // 1000 JPY × 0.0482 = 48.20 CNY (scale 0 → 2)
    [1n, 'JPY', 'CNY', '0.0482', 5n], // 1 JPY = 0.0482 CNY = 4.82 fen → 0.05
    [125n, 'JPY', 'CNY', '0.0482', 603n], // 125 × 0.0482 = 6.025 CNY = 602.5 fen → 6.03 (exact half, up)
    [10000n, 'CNY', 'KWD', '0.0433', 4330n], // 100.00 CNY × 0.0433 = 4.330 KWD (scale 2 → 3)
    [50n, 'CNY', 'KWD', '0.0433', 22n], // 0.50 × 0.0433 = 0.02165 KWD = 21.65 fils → 0.022
    [100n, 'CNY', 'KWD', '0.0425', 43n], // 1.00 × 0.0425 = 0.0425 KWD = 42.5 fils → 0.043 (half up)
    [1000n, 'KWD', 'JPY', '470.55', 471n], // 1.000 KWD × 470.55 = 470.55 JPY → 471 (scale 3 → 0)
    [1500n, 'KWD', 'JPY', '471', 707n], // 1.500 × 471 = 706.5 JPY → 707
    [1n, 'KWD', 'JPY', '470.55', 0n], // 0.001 × 470.55 = 0.47055 JPY → 0
    [10000n, 'CNY', 'CNY', '1', 10000n], // identity
  ])('%s %s → %s at %s = %s', (amount, from, to, rate, result) => {
    expect(convertAmount(amount, from, to, d(rate))).toBe(result);
  });
});
