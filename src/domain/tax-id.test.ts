import { describe, expect, it } from 'vitest';
import { taxIdProblem, usccCheckCharacter } from './tax-id.ts';

describe('unified social credit code', () => {
  it('computes the check character by GB 32100-2015', () => {
    // 91350100M000100Y4: weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 over
    // 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 → 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640;
    // 1640 mod 31 = 28; 31 - 28 = 3 → "3".
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(taxIdProblem('91350100M000100Y43')).toBeNull();
  });

  it('names a typo in the check character', () => {
    expect(taxIdProblem('91350100M000100Y44')).toContain('expected 3');
  });

  it('accepts foreign ids and refuses garbage', () => {
    expect(taxIdProblem('DE123456789')).toBeNull();
    expect(taxIdProblem('a b')).toContain('not a tax id');
  });
});
