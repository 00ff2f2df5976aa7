import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, payloadHash } from './hash.ts';

/** The definition canonicalJson must keep to the byte: stored payload hashes and answers were made with it. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

describe('canonicalJson', () => {
  it('sorts keys, leaves out undefined, writes bigints as strings, array-index keys first', () => {
    const value = { b: 1n, a: [undefined, 2, { z: null, y: undefined, x: new Date('2026-03-31T00:00:00Z') }], '10': 'ten', '9': 'nine', é: 'e', '01': 'not an index' };
    expect(canonicalJson(value)).toBe('{"9":"nine","10":"ten","01":"not an index","a":[null,2,{"x":"2026-03-31T00:00:00.000Z","z":null}],"b":"1","é":"e"}');
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('equals the replacer definition for any value', () => {
    fc.assert(fc.property(
      fc.anything({ withBigInt: true, withDate: true, withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withMap: true, withSet: true, withObjectString: true, withUnicodeString: true }),
      (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      },
    ), { numRuns: 2000 });
  });

  it('keeps the payload hash of a request as it was', () => {
    // Computed with the replacer definition before canonicalJson was rewritten: keys stored then must still match.
    expect(payloadHash({ operation: 'document.post', request: { kind: 'payment', amount: '10.00', appliesTo: [{ document: 'INV-1' }] } })).toBe('eXOjsgjkM4nV_NwzdcDLtSISrEkVzLkb');
  });

  it('keys that sort before digits do not hide array-index keys', () => {
    const value = { '-': 1, '2': 2, '10': 3, ' ': 4 };
    expect(canonicalJson(value)).toBe(reference(value));
    expect(canonicalJson(value)).toBe('{"2":2,"10":3," ":4,"-":1}');
  });
});
