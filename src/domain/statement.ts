/**
 * Statements of account (对账单), pure: the period's rules, the lines in order with a running balance, and the
 * closing balance that must equal opening + debits − credits to the cent. The balance is the account's: every
 * document dated up to the day, open or closed (debits raise it, credits lower it, a reversal takes the opposite
 * side of what it reverses). Allocations move nothing between the customer and us, so they are listed for the reader
 * (what paid what) but leave the balance as it is; except one across currencies (a USD invoice paid in CNY), which
 * moves the balance from one currency's section to the other's: it credits the debit's section with the amount
 * settled and debits the credit's section with the amount used, so each section still closes at what is open in it.
 */
import { addMonths, daysBetween, type LocalDate } from './dates.ts';
import { assert, invalid, tooLarge } from './errors.ts';

/** The longest period one statement covers. */
export const MAX_STATEMENT_YEARS = 5;
/** The most lines (documents and allocations) one statement holds. */
export const MAX_STATEMENT_LINES = 20_000;

/** Checks a statement period: from ≤ to, at most MAX_STATEMENT_YEARS long. */
export function checkPeriod(from: LocalDate, to: LocalDate): void {
  if (from > to) throw invalid('INVALID_PERIOD', `from (${from}) is after to (${to}); give the period's first day as from and its last as to`, [{ field: 'from', message: 'after to' }]);
  if (to >= addMonths(from, 12 * MAX_STATEMENT_YEARS)) {
    throw invalid('PERIOD_TOO_LONG', `the period ${from} to ${to} is longer than ${MAX_STATEMENT_YEARS} years; ask for a shorter one (the opening balance carries everything before it)`, [{ field: 'to', message: 'too long' }]);
  }
}

/** Refuses a statement with more lines than MAX_STATEMENT_LINES. */
export function checkLineCount(lines: number, from: LocalDate, to: LocalDate): void {
  if (lines > MAX_STATEMENT_LINES) {
    throw tooLarge('STATEMENT_TOO_LARGE', `${from} to ${to} holds ${lines} documents and allocations, more than the ${MAX_STATEMENT_LINES} one statement holds; ask for a shorter period`, [{ field: 'from', message: 'period too busy' }]);
  }
}

export interface StatementDocument {
  date: LocalDate;
  kind: string;
  number: string;
  side: 'debit' | 'credit';
  amountMinor: bigint;
  dueDate: LocalDate | null;
  /** For a reversal: the number of the document it reverses. */
  reverses: string | null;
  memo: string | null;
}

export interface StatementAllocation {
  date: LocalDate;
  creditKind: string;
  creditNumber: string;
  debitKind: string;
  debitNumber: string;
  /** In the section's currency (the debit item's); negative for an allocation undone. */
  amountMinor: bigint;
  /** Across currencies only: what the allocation moves in this section (see the file's comment); else absent. */
  debitMinor?: bigint;
  creditMinor?: bigint;
}

export interface StatementLine {
  date: LocalDate;
  /** A document, or an allocation (balance unchanged). */
  type: 'document' | 'allocation';
  kind: string;
  number: string;
  /** For an allocation: the document the credit was applied to; for a reversal: the document reversed. */
  reference: string | null;
  dueDate: LocalDate | null;
  debitMinor: bigint;
  creditMinor: bigint;
  /** For an allocation: the amount applied (negative: undone). */
  appliedMinor: bigint;
  balanceMinor: bigint;
}

export interface StatementSection {
  openingMinor: bigint;
  lines: StatementLine[];
  debitsMinor: bigint;
  creditsMinor: bigint;
  closingMinor: bigint;
}

/**
 * The lines of one currency's section in date order (documents before the allocations of the same day, then by
 * number), each with the balance after it, and the totals.
 */
export function buildSection(openingMinor: bigint, documents: readonly StatementDocument[], allocations: readonly StatementAllocation[]): StatementSection {
  const lines: Omit<StatementLine, 'balanceMinor'>[] = [
    ...documents.map((d) => ({
      date: d.date, type: 'document' as const, kind: d.kind, number: d.number, reference: d.reverses, dueDate: d.dueDate,
      debitMinor: d.side === 'debit' ? d.amountMinor : 0n, creditMinor: d.side === 'credit' ? d.amountMinor : 0n, appliedMinor: 0n,
    })),
    ...allocations.map((a) => ({
      date: a.date, type: 'allocation' as const, kind: a.creditKind, number: a.creditNumber, reference: a.debitNumber, dueDate: null,
      debitMinor: a.debitMinor ?? 0n, creditMinor: a.creditMinor ?? 0n, appliedMinor: a.amountMinor,
    })),
  ];
  const order = (l: (typeof lines)[number]) => `${l.date}|${l.type === 'document' ? 0 : 1}|${l.number}|${l.reference ?? ''}`;
  lines.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  let balance = openingMinor;
  let debits = 0n;
  let credits = 0n;
  const withBalance = lines.map((line) => {
    balance += line.debitMinor - line.creditMinor;
    debits += line.debitMinor;
    credits += line.creditMinor;
    return { ...line, balanceMinor: balance };
  });
  assert(balance === openingMinor + debits - credits, 'the running balance ends at opening + debits − credits');
  return { openingMinor, lines: withBalance, debitsMinor: debits, creditsMinor: credits, closingMinor: balance };
}

/** Days a confirmation has waited for an answer at `today`. */
export function daysOutstanding(issuedOn: LocalDate, today: LocalDate): number {
  return Math.max(0, daysBetween(issuedOn, today));
}

/** A confirmation's reference: BC-2026-000123 (year of the as-of date, the tenant's running number). */
export function confirmationNumber(asOf: LocalDate, sequence: number): string {
  return `BC-${asOf.slice(0, 4)}-${String(sequence).padStart(6, '0')}`;
}
