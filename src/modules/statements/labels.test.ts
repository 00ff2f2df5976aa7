import { describe, expect, it } from 'vitest';
import { groupDigits } from './labels.ts';

describe('groupDigits', () => {
  // Thousands separated by commas in the whole part only; the sign and the decimals stay as they are.
  it.each([
    ['0.00', '0.00'],
    ['999.99', '999.99'],
    ['1000', '1,000'],
    ['12345.6', '12,345.6'],
    ['123456.789', '123,456.789'],
    ['-1234567.89', '-1,234,567.89'],
    ['-999', '-999'],
    ['-0.50', '-0.50'],
    ['100000000000000000.00', '100,000,000,000,000,000.00'],
  ])('%s → %s', (amount, grouped) => {
    expect(groupDigits(amount)).toBe(grouped);
  });
});
