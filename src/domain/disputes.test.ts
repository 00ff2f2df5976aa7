import { describe, expect, it } from 'vitest';
import { checkNewDispute, checkTransition, DISPUTE_STATUSES, isOverdue, TRANSITIONS, type DisputableItem, type DisputeFacts, type DisputeStatus, type TransitionRequest } from './disputes.ts';
import { AppError } from './errors.ts';

const item = (over: Partial<DisputableItem> = {}): DisputableItem => ({ reference: 'INV-1', side: 'debit', currency: 'CNY', openMinor: 500_000n, inOpenDispute: false, ...over });
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('a new dispute', () => {
  it('adds the disputed amounts: 1,234.56 on INV-1 and 100.00 on INV-2 is 1,334.56', () => {
    expect(checkNewDispute([
      { item: item(), amountMinor: 123_456n },
      { item: item({ reference: 'INV-2', openMinor: 10_000n }), amountMinor: 10_000n },
    ])).toEqual({ currency: 'CNY', amountMinor: 133_456n });
  });
  it.each([
    ['no items', [], 'DISPUTE_NO_ITEMS'],
    ['a cent above the open amount', [{ item: item({ openMinor: 123_455n }), amountMinor: 123_456n }], 'DISPUTE_AMOUNT_ABOVE_OPEN'],
    ['zero', [{ item: item(), amountMinor: 0n }], 'DISPUTE_AMOUNT_NOT_POSITIVE'],
    ['a credit', [{ item: item({ side: 'credit' }), amountMinor: 1n }], 'DISPUTE_NOT_RECEIVABLE'],
    ['a paid item', [{ item: item({ openMinor: 0n }), amountMinor: 1n }], 'DISPUTE_ITEM_NOT_OPEN'],
    ['an item in an open dispute', [{ item: item({ inOpenDispute: true }), amountMinor: 1n }], 'DISPUTE_ITEM_ALREADY_DISPUTED'],
    ['two currencies', [{ item: item(), amountMinor: 1n }, { item: item({ reference: 'INV-9', currency: 'USD' }), amountMinor: 1n }], 'DISPUTE_MIXED_CURRENCIES'],
    ['the same item twice', [{ item: item(), amountMinor: 1n }, { item: item(), amountMinor: 1n }], 'DISPUTE_ITEM_TWICE'],
  ] as const)('refuses %s', (_name, lines, code) => {
    expect(codeOf(() => checkNewDispute(lines))).toBe(code);
  });
  it('accepts exactly the open amount', () => {
    expect(checkNewDispute([{ item: item({ openMinor: 123_456n }), amountMinor: 123_456n }]).amountMinor).toBe(123_456n);
  });
});

describe('transitions', () => {
  const dispute = (status: DisputeStatus): DisputeFacts => ({ status, customerId: 'c1', currency: 'CNY', amountMinor: 123_456n });
  const request = (to: DisputeStatus, over: Partial<TransitionRequest> = {}): TransitionRequest => ({ to, note: 'checked', creditNote: null, acceptedMinor: null, ...over });
  const note = { kind: 'credit_note', customerId: 'c1', currency: 'CNY', amountMinor: 123_456n };

  it('allows exactly open → investigating → one of the three outcomes', () => {
    const allowed: string[] = [];
    for (const from of DISPUTE_STATUSES) for (const to of TRANSITIONS[from]) allowed.push(`${from}→${to}`);
    expect(allowed).toEqual(['open→investigating', 'investigating→resolved_credit_note', 'investigating→rejected', 'investigating→partly_accepted']);
  });
  it.each([
    ['open', 'rejected'], ['open', 'open'], ['investigating', 'open'], ['rejected', 'investigating'], ['resolved_credit_note', 'partly_accepted'],
  ] as [DisputeStatus, DisputeStatus][])('refuses %s → %s with DISPUTE_TRANSITION_NOT_ALLOWED', (from, to) => {
    expect(codeOf(() => checkTransition(dispute(from), request(to, { creditNote: to === 'resolved_credit_note' ? note : null, acceptedMinor: to === 'partly_accepted' ? 1n : null })))).toBe('DISPUTE_TRANSITION_NOT_ALLOWED');
  });
  it('a credit-note resolution accepts the whole disputed amount; a rejection none', () => {
    expect(checkTransition(dispute('investigating'), request('resolved_credit_note', { creditNote: note }))).toEqual({ acceptedMinor: 123_456n });
    expect(checkTransition(dispute('investigating'), request('rejected'))).toEqual({ acceptedMinor: 0n });
    expect(checkTransition(dispute('open'), request('investigating', { note: null }))).toEqual({ acceptedMinor: null });
  });
  it('a partial acceptance takes a part strictly between zero and the disputed amount', () => {
    expect(checkTransition(dispute('investigating'), request('partly_accepted', { acceptedMinor: 23_456n }))).toEqual({ acceptedMinor: 23_456n });
    expect(codeOf(() => checkTransition(dispute('investigating'), request('partly_accepted', { acceptedMinor: 123_456n })))).toBe('DISPUTE_ACCEPTED_OUT_OF_RANGE');
    expect(codeOf(() => checkTransition(dispute('investigating'), request('partly_accepted')))).toBe('DISPUTE_ACCEPTED_REQUIRED');
  });
  it.each([
    ['no credit note', request('resolved_credit_note'), 'DISPUTE_CREDIT_NOTE_REQUIRED'],
    ['an invoice as credit note', request('resolved_credit_note', { creditNote: { ...note, kind: 'invoice' } }), 'DISPUTE_NOT_A_CREDIT_NOTE'],
    ['another customer\'s credit note', request('resolved_credit_note', { creditNote: { ...note, customerId: 'c2' } }), 'DISPUTE_CREDIT_NOTE_OTHER_CUSTOMER'],
    ['a USD credit note', request('resolved_credit_note', { creditNote: { ...note, currency: 'USD' } }), 'DISPUTE_CREDIT_NOTE_CURRENCY'],
    ['a rejection without a note', request('rejected', { note: null }), 'DISPUTE_NOTE_REQUIRED'],
    ['an accepted amount on a rejection', request('rejected', { acceptedMinor: 1n }), 'DISPUTE_ACCEPTED_UNEXPECTED'],
  ] as const)('refuses %s', (_name, r, code) => {
    expect(codeOf(() => checkTransition(dispute('investigating'), r))).toBe(code);
  });
  it('is overdue after its due date while active, never once closed', () => {
    expect(isOverdue({ status: 'open', dueDate: '2026-06-14' }, '2026-06-14')).toBe(false);
    expect(isOverdue({ status: 'investigating', dueDate: '2026-06-14' }, '2026-06-15')).toBe(true);
    expect(isOverdue({ status: 'rejected', dueDate: '2026-06-14' }, '2026-06-15')).toBe(false);
  });
});
