/**
 * The receivables ledger's rules, pure: which side each document kind sits on, what may be applied to what, and how
 * an application is planned against open items. Services load the figures, call these, and persist the result.
 */
import { AppError, assert, invalid, type ErrorDetail } from './errors.ts';
import type { LocalDate } from './dates.ts';
import { formatAmount } from './money.ts';

export const DEBIT_KINDS = ['invoice', 'debit_note', 'charge', 'refund'] as const;
export const CREDIT_KINDS = ['payment', 'credit_note', 'advance', 'write_off'] as const;
export const POSTABLE_KINDS = [...DEBIT_KINDS, ...CREDIT_KINDS] as const;
export const DOCUMENT_KINDS = [...POSTABLE_KINDS, 'reversal'] as const;

export type DebitKind = (typeof DEBIT_KINDS)[number];
export type CreditKind = (typeof CREDIT_KINDS)[number];
export type PostableKind = (typeof POSTABLE_KINDS)[number];
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type Side = 'debit' | 'credit';

export function sideOf(kind: PostableKind): Side {
  return (DEBIT_KINDS as readonly string[]).includes(kind) ? 'debit' : 'credit';
}

export const oppositeSide = (side: Side): Side => (side === 'debit' ? 'credit' : 'debit');

/** Prefix for numbers arflow assigns when a document is posted without one. */
export const NUMBER_PREFIX: Record<DocumentKind, string> = {
  invoice: 'INV', debit_note: 'DN', charge: 'CHG', refund: 'RFD', credit_note: 'CN', payment: 'PAY',
  advance: 'ADV', write_off: 'WO', reversal: 'REV',
};

/** An open item as the planner sees it. */
export interface OpenItem {
  itemId: string;
  documentNumber: string;
  seq: number;
  dueDate: LocalDate | null;
  currency: string;
  openMinor: bigint;
}

/** What the user asked for: apply to this document (all its open installments, oldest first), optionally capped. */
export interface AllocationRequest {
  documentNumber: string;
  /** In the item's currency; omitted = as much as is open and the credit still covers. */
  amountMinor?: bigint;
  /** Where the request came from, for errors: `appliesTo[1]`, `line 12, column applies_to`. */
  field: string;
}

export interface PlannedAllocation {
  itemId: string;
  amountMinor: bigint;
}

/**
 * Plans how `creditOpenMinor` is applied to the requested documents' open items. Explicit amounts must fit what is
 * open; unspecified ones take what is left of the credit. Within a document the oldest installment is paid first
 * (due date, then installment number). Every problem is collected and thrown together, each naming its field.
 */
export function planAllocations(
  creditOpenMinor: bigint,
  creditCurrency: string,
  requests: readonly AllocationRequest[],
  openItemsByDocument: ReadonlyMap<string, readonly OpenItem[]>,
): PlannedAllocation[] {
  const problems: ErrorDetail[] = [];
  // Problems of the ledger's state (nothing open, less open than asked) rather than of the request's form: when they
  // are all there is, the answer is a conflict (someone else applied first), not bad input.
  let stateProblems = 0;
  const money = (minor: bigint) => `${formatAmount(minor, creditCurrency)} ${creditCurrency}`;
  const seen = new Set<string>();
  let remaining = creditOpenMinor;
  const plan: PlannedAllocation[] = [];

  const requestedTotal = requests.reduce((sum, r) => sum + (r.amountMinor ?? 0n), 0n);
  if (requestedTotal > creditOpenMinor) {
    problems.push({
      // Several requests share the fault: name their list (`to.1` → `to`, `appliesTo.0` → `appliesTo`).
      field: requests.length === 1 ? requests[0]!.field : requests[0]!.field.replace(/\.\d+$/, ''),
      message: `amounts to apply add up to ${money(requestedTotal)}, more than the ${money(creditOpenMinor)} still unapplied on the credit`,
    });
    stateProblems += 1;
  }
  // Explicit amounts first, so an unspecified request cannot eat what an explicit one needs.
  const ordered = [...requests.filter((r) => r.amountMinor !== undefined), ...requests.filter((r) => r.amountMinor === undefined)];
  for (const request of ordered) {
    if (seen.has(request.documentNumber)) {
      problems.push({ field: request.field, message: `${request.documentNumber} is named twice; name each document once` });
      continue;
    }
    seen.add(request.documentNumber);
    const items = openItemsByDocument.get(request.documentNumber);
    if (!items) {
      problems.push({ field: request.field, message: `no open item of this customer has number ${request.documentNumber}` });
      continue;
    }
    const currencies = new Set(items.map((i) => i.currency));
    if (!currencies.has(creditCurrency)) {
      problems.push({
        field: request.field,
        message: `${request.documentNumber} is in ${[...currencies].join(', ')} but the credit is in ${creditCurrency}`,
      });
      continue;
    }
    const open = items.reduce((sum, i) => sum + i.openMinor, 0n);
    if (open === 0n) {
      problems.push({ field: request.field, message: `${request.documentNumber} has nothing open` });
      stateProblems += 1;
      continue;
    }
    if (request.amountMinor !== undefined && request.amountMinor <= 0n) {
      problems.push({ field: request.field, message: 'the amount to apply must be more than zero' });
      continue;
    }
    if (request.amountMinor !== undefined && request.amountMinor > open) {
      problems.push({
        field: request.field,
        message: `${request.documentNumber} has only ${money(open)} open, less than the ${money(request.amountMinor)} to apply`,
      });
      stateProblems += 1;
      continue;
    }
    let want = request.amountMinor ?? (open < remaining ? open : remaining);
    if (want <= 0n) {
      problems.push({ field: request.field, message: `nothing of the credit is left for ${request.documentNumber}` });
      stateProblems += 1;
      continue;
    }
    if (want > remaining) want = remaining;
    const oldestFirst = [...items].sort(compareItems);
    for (const item of oldestFirst) {
      if (want === 0n) break;
      const take = item.openMinor < want ? item.openMinor : want;
      if (take === 0n) continue;
      plan.push({ itemId: item.itemId, amountMinor: take });
      want -= take;
      remaining -= take;
    }
  }
  if (problems.length > 0) {
    const message = `cannot apply: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`;
    if (stateProblems === problems.length) throw new AppError('conflict', 'ALLOCATION_EXCEEDS_OPEN', message, problems);
    throw invalid('ALLOCATION_INVALID', message, problems);
  }
  assert(remaining >= 0n, 'allocation planned beyond the credit');
  return plan;
}

function compareItems(a: OpenItem, b: OpenItem): number {
  const da = a.dueDate ?? '9999-12-31';
  const db = b.dueDate ?? '9999-12-31';
  if (da !== db) return da < db ? -1 : 1;
  return a.seq - b.seq;
}

/** The open amount of an item from its amount and its allocations (reversal rows are negative). */
export function openAmount(amountMinor: bigint, allocatedMinor: readonly bigint[]): bigint {
  let open = amountMinor;
  for (const a of allocatedMinor) open -= a;
  if (open < 0n || open > amountMinor) {
    throw new AppError('conflict', 'LEDGER_INCONSISTENT', `item allocations leave ${open} open of ${amountMinor}`);
  }
  return open;
}
