/** Before/after of an audit entry as rows a reader compares. */
import { describe, expect, it } from 'vitest';
import { diffRows } from './diff.ts';

describe('diffRows', () => {
  it('lines up the fields of before and after and marks those that changed', () => {
    const rows = diffRows({ role: 'viewer', status: 'active', version: 1 }, { role: 'auditor', status: 'active', version: 2 });
    expect(rows).toEqual([
      { field: 'role', before: 'viewer', after: 'auditor', changed: true },
      { field: 'status', before: 'active', after: 'active', changed: false },
      { field: 'version', before: '1', after: '2', changed: true },
    ]);
  });

  it('flattens nested values into dotted fields, lists of plain values into one line', () => {
    const rows = diffRows(null, { request: { customer: 'C1', appliesTo: [{ document: 'INV-1' }] }, tags: ['a', 'b'] });
    expect(rows).toEqual([
      { field: 'request.customer', before: null, after: 'C1', changed: false },
      { field: 'request.appliesTo[1].document', before: null, after: 'INV-1', changed: false },
      { field: 'tags', before: null, after: 'a, b', changed: false },
    ]);
  });

  it('shows a field that appeared or disappeared as changed', () => {
    expect(diffRows({ a: '1' }, { b: '2' })).toEqual([
      { field: 'a', before: '1', after: null, changed: true },
      { field: 'b', before: null, after: '2', changed: true },
    ]);
  });
});
