/** Every word exists in both languages, so no page shows a missing key or mixes languages. */
import { describe, expect, it } from 'vitest';
import { initialLanguage, NAMESPACES } from './index.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  if (value === null || typeof value !== 'object') throw new Error(`${prefix}: not a string or a group`);
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
}

function get(value: unknown, path: string): string {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], value) as string;
}

describe('translations', () => {
  for (const [ns, words] of Object.entries(NAMESPACES)) {
    it(`${ns}: the same keys, non-empty, with the same placeholders, in zh-CN and en`, () => {
      const en = keys(words.en).sort();
      const zh = keys(words['zh-CN']).sort();
      expect(zh).toEqual(en);
      for (const key of en) {
        expect(get(words.en, key).trim(), `${ns}:${key} (en)`).not.toBe('');
        expect(get(words['zh-CN'], key).trim(), `${ns}:${key} (zh-CN)`).not.toBe('');
        expect(placeholders(get(words['zh-CN'], key)), `${ns}:${key}`).toEqual(placeholders(get(words.en, key)));
      }
    });
  }

  it('starts in the language chosen before, else the browser’s first Chinese or English preference', () => {
    expect(initialLanguage('en', ['zh-CN'])).toBe('en');
    expect(initialLanguage(null, ['zh-TW', 'en-US'])).toBe('zh-CN');
    expect(initialLanguage(null, ['fr-FR', 'en-GB', 'zh-CN'])).toBe('en');
    expect(initialLanguage('de', ['de-DE'])).toBe('zh-CN');
  });
});
