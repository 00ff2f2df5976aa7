/**
 * Disputes (争议发票), the pure rules: reason codes, owner teams, the status machine and the checks a new dispute
 * and a transition must pass. No I/O, no clock: the service loads the facts and persists what these decide.
 *
 * Status: open → investigating → resolved_credit_note | rejected | partly_accepted. The three outcomes are final.
 * While a dispute is open or investigating, its amounts count as disputed (aging's `disputed`, the KPI
 * disputedShare) from the day it was raised to the day before it was closed.
 */
import { conflict, invalid } from './errors.ts';
import type { LocalDate } from './dates.ts';

export const DISPUTE_REASONS = ['price', 'quantity', 'quality', 'not_received', 'duplicate_billing', 'tax_invoice_error', 'other'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export const OWNER_TEAMS = ['sales', 'logistics', 'finance'] as const;
export type OwnerTeam = (typeof OWNER_TEAMS)[number];

export const DISPUTE_STATUSES = ['open', 'investigating', 'resolved_credit_note', 'rejected', 'partly_accepted'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Statuses in which the disputed amount is still in dispute. */
export const ACTIVE_STATUSES: readonly DisputeStatus[] = ['open', 'investigating'];
export const FINAL_STATUSES: readonly DisputeStatus[] = ['resolved_credit_note', 'rejected', 'partly_accepted'];

/** Where each status may go next. */
export const TRANSITIONS: Readonly<Record<DisputeStatus, readonly DisputeStatus[]>> = {
  open: ['investigating'],
  investigating: ['resolved_credit_note', 'rejected', 'partly_accepted'],
  resolved_credit_note: [],
  rejected: [],
  partly_accepted: [],
};

/** Days from raising to the default due date when none is given. */
export const DEFAULT_DUE_DAYS = 14;
/** Items one dispute may cover. */
export const MAX_DISPUTE_ITEMS = 50;

export const isActive = (status: DisputeStatus): boolean => ACTIVE_STATUSES.includes(status);

/** An item as the dispute sees it at raise time. */
export interface DisputableItem {
  /** How a person names it: "INV-1" or "INV-1 #2". */
  reference: string;
  side: 'debit' | 'credit';
  currency: string;
  openMinor: bigint;
  /** Whether another open or investigating dispute covers it already. */
  inOpenDispute: boolean;
}

export interface DisputeLine {
  item: DisputableItem;
  amountMinor: bigint;
}

/**
 * Checks a new dispute's lines: receivable items with something open, each disputed amount above zero and not above
 * the item's open amount, one currency, no item already in an open dispute. Returns the dispute's currency and total.
 */
export function checkNewDispute(lines: readonly DisputeLine[]): { currency: string; amountMinor: bigint } {
  if (lines.length === 0) throw invalid('DISPUTE_NO_ITEMS', 'items: name at least one open invoice item to dispute', [{ field: 'items', message: 'empty' }]);
  if (lines.length > MAX_DISPUTE_ITEMS) throw invalid('DISPUTE_TOO_MANY_ITEMS', `items: one dispute covers at most ${MAX_DISPUTE_ITEMS} items; raise several disputes`, [{ field: 'items', message: 'too many' }]);
  const seen = new Set<string>();
  let total = 0n;
  const currency = lines[0]!.item.currency;
  lines.forEach(({ item, amountMinor }, n) => {
    const field = `items.${n}`;
    if (seen.has(item.reference)) throw invalid('DISPUTE_ITEM_TWICE', `${field}: ${item.reference} is named twice; name each item once with its whole disputed amount`, [{ field, message: 'named twice' }]);
    seen.add(item.reference);
    if (item.side !== 'debit') throw invalid('DISPUTE_NOT_RECEIVABLE', `${field}: ${item.reference} is a credit, not something the customer owes; dispute the invoice it concerns`, [{ field, message: 'not a receivable' }]);
    if (item.openMinor <= 0n) throw conflict('DISPUTE_ITEM_NOT_OPEN', `${field}: ${item.reference} has nothing open; only open items can be disputed`, [{ field, message: 'not open' }]);
    if (item.inOpenDispute) throw conflict('DISPUTE_ITEM_ALREADY_DISPUTED', `${field}: ${item.reference} is in an open dispute already; add to that dispute's history instead, or close it first`, [{ field, message: 'already disputed' }]);
    if (item.currency !== currency) throw invalid('DISPUTE_MIXED_CURRENCIES', `${field}: ${item.reference} is in ${item.currency}, the dispute's other items in ${currency}; raise one dispute per currency`, [{ field, message: 'other currency' }]);
    if (amountMinor <= 0n) throw invalid('DISPUTE_AMOUNT_NOT_POSITIVE', `${field}.amount: the disputed amount must be above zero`, [{ field: `${field}.amount`, message: 'not above zero' }]);
    if (amountMinor > item.openMinor) throw invalid('DISPUTE_AMOUNT_ABOVE_OPEN', `${field}.amount: more than the ${item.reference}'s open amount; dispute at most what is open`, [{ field: `${field}.amount`, message: 'above the open amount' }]);
    total += amountMinor;
  });
  return { currency, amountMinor: total };
}

/** What a transition asks for. */
export interface TransitionRequest {
  to: DisputeStatus;
  note: string | null;
  /** resolved_credit_note (required) and partly_accepted (optional): the credit note issued, as found in the ledger. */
  creditNote: { kind: string; customerId: string; currency: string; amountMinor: bigint } | null;
  /** partly_accepted: how much of the disputed amount the company accepts. */
  acceptedMinor: bigint | null;
}

export interface DisputeFacts {
  status: DisputeStatus;
  customerId: string;
  currency: string;
  amountMinor: bigint;
}

/**
 * Checks a transition and decides what the dispute records: the accepted amount (all of it for a credit-note
 * resolution, none for a rejection, the given part for a partial acceptance).
 */
export function checkTransition(d: DisputeFacts, r: TransitionRequest): { acceptedMinor: bigint | null } {
  if (!TRANSITIONS[d.status].includes(r.to)) {
    const next = TRANSITIONS[d.status];
    throw conflict('DISPUTE_TRANSITION_NOT_ALLOWED', next.length
      ? `to: a dispute that is ${d.status} can move to ${next.join(' or ')}, not to ${r.to}`
      : `to: the dispute is closed (${d.status}); raise a new dispute if the customer disputes again`, [{ field: 'to', message: `not from ${d.status}` }]);
  }
  if ((r.to === 'rejected' || r.to === 'partly_accepted') && !r.note) {
    throw invalid('DISPUTE_NOTE_REQUIRED', `note: say why the dispute is ${r.to === 'rejected' ? 'rejected' : 'partly accepted'}, in a few words`, [{ field: 'note', message: 'required' }]);
  }
  if (r.to === 'resolved_credit_note' && !r.creditNote) {
    throw invalid('DISPUTE_CREDIT_NOTE_REQUIRED', 'creditNote: name the credit note (its document number) that resolves the dispute; post it in the ledger first', [{ field: 'creditNote', message: 'required' }]);
  }
  if (r.creditNote) {
    if (r.to !== 'resolved_credit_note' && r.to !== 'partly_accepted') throw invalid('DISPUTE_CREDIT_NOTE_UNEXPECTED', `creditNote: only a resolution or a partial acceptance names a credit note, not ${r.to}`, [{ field: 'creditNote', message: 'not for this status' }]);
    if (r.creditNote.kind !== 'credit_note') throw invalid('DISPUTE_NOT_A_CREDIT_NOTE', `creditNote: that document is a ${r.creditNote.kind}, not a credit note`, [{ field: 'creditNote', message: 'not a credit note' }]);
    if (r.creditNote.customerId !== d.customerId) throw invalid('DISPUTE_CREDIT_NOTE_OTHER_CUSTOMER', 'creditNote: that credit note is another customer\'s; name the one issued to this dispute\'s customer', [{ field: 'creditNote', message: 'other customer' }]);
    if (r.creditNote.currency !== d.currency) throw invalid('DISPUTE_CREDIT_NOTE_CURRENCY', `creditNote: the credit note is in ${r.creditNote.currency}, the dispute in ${d.currency}`, [{ field: 'creditNote', message: 'other currency' }]);
  }
  if (r.to === 'partly_accepted') {
    if (r.acceptedMinor === null) throw invalid('DISPUTE_ACCEPTED_REQUIRED', 'acceptedAmount: say how much of the disputed amount is accepted', [{ field: 'acceptedAmount', message: 'required' }]);
    if (r.acceptedMinor <= 0n || r.acceptedMinor >= d.amountMinor) {
      throw invalid('DISPUTE_ACCEPTED_OUT_OF_RANGE', 'acceptedAmount: a partial acceptance is above zero and below the disputed amount; for all of it resolve by credit note, for none reject', [{ field: 'acceptedAmount', message: 'out of range' }]);
    }
    return { acceptedMinor: r.acceptedMinor };
  }
  if (r.acceptedMinor !== null) throw invalid('DISPUTE_ACCEPTED_UNEXPECTED', `acceptedAmount: only a partial acceptance takes an accepted amount, not ${r.to}`, [{ field: 'acceptedAmount', message: 'not for this status' }]);
  if (r.to === 'resolved_credit_note') return { acceptedMinor: d.amountMinor };
  if (r.to === 'rejected') return { acceptedMinor: 0n };
  return { acceptedMinor: null };
}

/** Whether an active dispute is past its due date at `asOf`. */
export function isOverdue(d: { status: DisputeStatus; dueDate: LocalDate }, asOf: LocalDate): boolean {
  return isActive(d.status) && d.dueDate < asOf;
}
