import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { payloadHash } from '../hash.ts';
import { documentFingerprint, type FingerprintFields } from './service.ts';

/** The definition the fast path must keep to: documents posted or imported before it hash the same. */
const reference = (f: FingerprintFields) => payloadHash({ ...f, appliesTo: f.appliesTo?.length ? f.appliesTo : undefined });

const text = fc.string({ unit: 'binary', maxLength: 12 });
const optional = fc.option(text, { nil: undefined });

describe('documentFingerprint', () => {
  it('equals the payload hash of the canonical JSON, for any document', () => {
    fc.assert(fc.property(
      fc.record({
        kind: text, number: text, customer: text, documentDate: text, dueDate: optional, paymentTerms: optional,
        currency: text, amountMinor: fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fxRate: optional,
        againstInvoice: optional, externalId: optional,
        appliesTo: fc.option(fc.array(fc.record({ document: text, amount: optional, rate: optional, settles: optional })), { nil: undefined }),
      }),
      (f) => {
        expect(documentFingerprint(f)).toBe(reference(f));
      },
    ), { numRuns: 2000 });
  });

  it('keeps the hash of a typical imported invoice and payment', () => {
    const invoice = { kind: 'invoice', number: 'INV-2026-0001', customer: 'C001', documentDate: '2026-03-01', dueDate: '2026-03-31', currency: 'CNY', amountMinor: 123450n, externalId: 'ERP-1' };
    const payment = { kind: 'payment', number: '流水-1', customer: 'C001', documentDate: '2026-03-20', currency: 'CNY', amountMinor: 123450n, appliesTo: [{ document: 'INV-2026-0001', amount: '1234.50' }, { document: 'INV "2"' }] };
    expect(documentFingerprint(invoice)).toBe(reference(invoice));
    expect(documentFingerprint(payment)).toBe(reference(payment));
    expect(documentFingerprint({ ...payment, appliesTo: [] })).toBe(reference({ ...payment, appliesTo: undefined }));
  });
});
