/** An audit entry's before and after as rows of field, old value, new value: what a reader compares. */

export interface DiffRow {
  field: string;
  before: string | null;
  after: string | null;
  changed: boolean;
}

const MAX_DEPTH = 4;
const MAX_ROWS = 300;

function flatten(value: unknown, prefix: string, out: Map<string, string>, depth: number): void {
  if (out.size >= MAX_ROWS) return;
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, '—');
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      out.set(prefix, value.length ? value.map(String).join(', ') : '—');
      return;
    }
    if (depth >= MAX_DEPTH) {
      out.set(prefix, JSON.stringify(value));
      return;
    }
    value.forEach((v, i) => flatten(v, `${prefix}[${i + 1}]`, out, depth + 1));
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (depth >= MAX_DEPTH) {
      out.set(prefix, JSON.stringify(value));
      return;
    }
    if (!entries.length && prefix) out.set(prefix, '—');
    for (const [key, v] of entries) flatten(v, prefix ? `${prefix}.${key}` : key, out, depth + 1);
    return;
  }
  out.set(prefix || 'value', String(value));
}

/** The fields of before and after side by side, in the order they first appear; `changed` where both differ. */
export function diffRows(before: unknown, after: unknown): DiffRow[] {
  const b = new Map<string, string>();
  const a = new Map<string, string>();
  flatten(before, '', b, 0);
  flatten(after, '', a, 0);
  const fields = [...new Set([...b.keys(), ...a.keys()])];
  const both = before !== null && before !== undefined && after !== null && after !== undefined;
  return fields.map((field) => {
    const old = b.get(field) ?? null;
    const now = a.get(field) ?? null;
    return { field, before: old, after: now, changed: both && old !== now };
  });
}
