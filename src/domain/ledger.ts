/**
 * The receivables ledger's rules, pure: which side each document kind sits on, what may be applied to what, and how
 * an application is planned against open items. Services load the figures, call these, and persist the result.
 */
import { AppError, assert, invalid, type ErrorDetail } from './errors.ts';
import type { LocalDate } from './dates.ts';
import { convertAtRatio, formatRatio, invertRatio, type Ratio } from './decimal.ts';
import { formatAmount, parseAmount, roundHalfUp } from './money.ts';

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
  /** In the credit's currency; omitted = as much as is open and the credit still covers. */
  amountMinor?: bigint;
  /**
   * A document in another currency than the credit's: the settlement rate, in units of the credit's currency per unit
   * of the document's (7.15 CNY per USD), given by the user or the cross rate on file at the allocation date.
   */
  rate?: Ratio;
  /** Was `rate` given by the user (else it is the one on file)? For the messages only. */
  rateGiven?: boolean;
  /** A document in another currency: the amount of it settled, as the user wrote it (in the document's currency). */
  settles?: string;
  /** Where the request came from, for errors: `appliesTo[1]`, `line 12, column applies_to`. */
  field: string;
}

export interface PlannedAllocation {
  itemId: string;
  /** In the debit item's currency. */
  amountMinor: bigint;
  /** In the credit's currency: the same as amountMinor when the currencies are the same. */
  creditAmountMinor: bigint;
}

/**
 * Plans how `creditOpenMinor` is applied to the requested documents' open items. Explicit amounts must fit what is
 * open; unspecified ones take what is left of the credit. Within a document the oldest installment is paid first
 * (due date, then installment number). A document in another currency is settled at the request's rate (or at the
 * exact pair of amounts given), each conversion rounded half away from zero to the target currency's minor unit;
 * the credit's amount is spread over the installments in proportion, the last taking what is left, so no cent is
 * lost or made. Every problem is collected and thrown together, each naming its field.
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
  const moneyIn = (minor: bigint, currency: string) => `${formatAmount(minor, currency)} ${currency}`;
  const money = (minor: bigint) => moneyIn(minor, creditCurrency);
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
  const explicit = (r: AllocationRequest) => r.amountMinor !== undefined || r.settles !== undefined;
  const ordered = [...requests.filter(explicit), ...requests.filter((r) => !explicit(r))];
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
    assert(currencies.size === 1, `${request.documentNumber} has items in several currencies`);
    const debitCurrency = items[0]!.currency;
    const foreign = debitCurrency !== creditCurrency;
    if (!foreign && (request.settles !== undefined || request.rate !== undefined)) {
      const field = request.settles !== undefined ? `${request.field}.settles` : `${request.field}.rate`;
      problems.push({ field, message: `${request.documentNumber} is in ${creditCurrency} like the credit: give the amount only (a rate or amount settled is for a document in another currency)` });
      continue;
    }
    if (foreign && request.rate === undefined && !(request.amountMinor !== undefined && request.settles !== undefined)) {
      problems.push({
        field: request.field,
        message: `${request.documentNumber} is in ${debitCurrency} but the credit is in ${creditCurrency}: give the settlement rate (${creditCurrency} per ${debitCurrency}) or the amount and the ${debitCurrency} amount it settles`,
      });
      continue;
    }
    let settlesMinor: bigint | undefined;
    if (request.settles !== undefined) {
      try {
        settlesMinor = parseAmount(request.settles, debitCurrency, `${request.field}.settles`);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        problems.push(...e.details);
        continue;
      }
      if (settlesMinor <= 0n) {
        problems.push({ field: `${request.field}.settles`, message: 'the amount settled must be more than zero' });
        continue;
      }
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
    let debitWant: bigint;
    let creditWant: bigint;
    if (!foreign) {
      if (request.amountMinor !== undefined && request.amountMinor > open) {
        problems.push({
          field: request.field,
          message: `${request.documentNumber} has only ${money(open)} open, less than the ${money(request.amountMinor)} to apply`,
        });
        stateProblems += 1;
        continue;
      }
      debitWant = request.amountMinor ?? (open < remaining ? open : remaining);
      if (debitWant <= 0n) {
        problems.push({ field: request.field, message: `nothing of the credit is left for ${request.documentNumber}` });
        stateProblems += 1;
        continue;
      }
      if (debitWant > remaining) debitWant = remaining;
      creditWant = debitWant;
    } else {
      const rate = request.rate;
      const rateText = rate ? `at ${formatRatio(rate)} ${creditCurrency}/${debitCurrency}${request.rateGiven ? '' : ' (the rate on file)'}` : '';
      if (request.amountMinor !== undefined) {
        creditWant = request.amountMinor;
        debitWant = settlesMinor ?? convertAtRatio(creditWant, creditCurrency, debitCurrency, invertRatio(rate!));
        if (debitWant === 0n) {
          problems.push({ field: `${request.field}.amount`, message: `${money(creditWant)} ${rateText} settles nothing of ${request.documentNumber}` });
          continue;
        }
        if (debitWant > open) {
          problems.push({
            field: settlesMinor !== undefined ? `${request.field}.settles` : `${request.field}.amount`,
            message: `${request.documentNumber} has only ${moneyIn(open, debitCurrency)} open, less than the ${moneyIn(debitWant, debitCurrency)} ${settlesMinor !== undefined ? 'to settle' : `that ${money(creditWant)} settles ${rateText}`}`,
          });
          stateProblems += 1;
          continue;
        }
      } else if (settlesMinor !== undefined) {
        debitWant = settlesMinor;
        if (debitWant > open) {
          problems.push({ field: `${request.field}.settles`, message: `${request.documentNumber} has only ${moneyIn(open, debitCurrency)} open, less than the ${moneyIn(debitWant, debitCurrency)} to settle` });
          stateProblems += 1;
          continue;
        }
        creditWant = convertAtRatio(debitWant, debitCurrency, creditCurrency, rate!);
        if (creditWant > remaining) {
          problems.push({ field: `${request.field}.settles`, message: `settling ${moneyIn(debitWant, debitCurrency)} ${rateText} takes ${money(creditWant)}, more than the ${money(remaining)} left of the credit` });
          stateProblems += 1;
          continue;
        }
      } else {
        const needed = convertAtRatio(open, debitCurrency, creditCurrency, rate!);
        if (needed <= remaining) {
          debitWant = open;
          creditWant = needed;
        } else {
          creditWant = remaining;
          debitWant = convertAtRatio(remaining, creditCurrency, debitCurrency, invertRatio(rate!));
          if (debitWant > open) debitWant = open;
        }
        if (creditWant <= 0n || debitWant <= 0n) {
          problems.push({ field: request.field, message: `nothing of the credit is left for ${request.documentNumber}` });
          stateProblems += 1;
          continue;
        }
      }
    }
    if (creditWant > remaining) {
      // Only an explicit amount can get here, and the total check above has reported it.
      continue;
    }
    const oldestFirst = [...items].sort(compareItems);
    let debitLeft = debitWant;
    let debitDone = 0n;
    let creditDone = 0n;
    const rows: PlannedAllocation[] = [];
    for (const item of oldestFirst) {
      if (debitLeft === 0n) break;
      const take = item.openMinor < debitLeft ? item.openMinor : debitLeft;
      if (take === 0n) continue;
      debitLeft -= take;
      debitDone += take;
      // The credit's share of the installments so far, in proportion; the last takes the rest.
      const creditSoFar = debitLeft === 0n ? creditWant : roundHalfUp(creditWant * debitDone, debitWant);
      rows.push({ itemId: item.itemId, amountMinor: take, creditAmountMinor: creditSoFar - creditDone });
      creditDone = creditSoFar;
    }
    if (rows.some((r) => r.creditAmountMinor <= 0n)) {
      problems.push({ field: request.field, message: `${money(creditWant)} is too little to spread over the installments of ${request.documentNumber}; apply it to fewer of them with a larger amount` });
      continue;
    }
    plan.push(...rows);
    remaining -= creditWant;
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
