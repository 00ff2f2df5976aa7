import { createHash } from 'node:crypto';

/**
 * JSON with sorted keys and bigints as strings: the same value always gives the same text. Its output is exactly
 * that of `JSON.stringify` with a replacer that turns bigints into strings and every other object (not an array)
 * into a copy with its keys sorted and undefined values left out (hash.test.ts holds it to that for any value), but
 * it writes the text in one walk instead of copying every object: a posting serialises its answer this way twice
 * (the audit entry and the stored answer of its idempotency key), and the copies cost ~80 µs of it.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '') as string;
}

/** Array indices ("0", "17"): an object lists them first, in numeric order, whatever order they were added in. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const isArrayIndex = (key: string) => ARRAY_INDEX.test(key) && Number(key) < 4294967295;

/** Characters JSON.stringify escapes (quote, backslash, control characters) or checks (surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const quote = (text: string) => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

/** One value as JSON.stringify's SerializeJSONProperty would write it with the replacer above; undefined: left out. */
function serialize(value: unknown, key: string): string | undefined {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint') && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) text += `${i > 0 ? ',' : ''}${serialize(value[i], String(i)) ?? 'null'}`;
        return `${text}]`;
      }
      const record = value as Record<string, unknown>;
      let keys = Object.keys(record).sort();
      // The replacer's sorted copy is a plain object, which lists array-index keys first, in numeric order.
      if (keys.some(isArrayIndex)) {
        keys = [...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !isArrayIndex(k))];
      }
      let text = '{';
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) continue;
        const written = serialize(v, k);
        if (written === undefined) continue;
        text += `${text.length > 1 ? ',' : ''}${quote(k)}:${written}`;
      }
      return `${text}}`;
    }
    default:
      return undefined;
  }
}

/** A short, stable fingerprint of a request or record, for idempotency and re-import checks. */
export function payloadHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 32);
}
