/**
 * Aging (账龄), pure: the buckets, which bucket a number of days falls in, and what was open at an as-of date.
 * The reports compute the same in SQL for speed (issue 4); this module defines the rules and is the oracle their
 * tests compare against.
 *
 * Rules:
 * - Only documents dated on or before the as-of date exist, and only allocations dated on or before it have
 *   happened: a report for last quarter shows what was open then, even if it was paid since.
 * - An item's age is counted from the as-of date, never from today: days = asOf − (due date | document date).
 * - Current holds what is not yet past its date (days ≤ 0: due today is current); then 1–30, 31–60, … and the last
 *   bucket is open-ended. 30 days past due is in 1–30, 31 in 31–60.
 * - Each installment is aged by its own due date.
 * - Unapplied credits (payments, credit notes, advances not yet applied) are not aged: they stand in their own
 *   column and are netted, never dropped. Current + buckets = outstanding, to the cent.
 */
import { daysBetween, type LocalDate } from './dates.ts';
import { invalid } from './errors.ts';

export type AgingBasis = 'due' | 'document';

/** What a report can have one row per. */
export const AGING_GROUPINGS = ['customer', 'group', 'segment', 'region', 'salesperson', 'collector', 'currency'] as const;
export type AgingGrouping = (typeof AGING_GROUPINGS)[number];

export interface AgingBucket {
  /** `current`, `1-30`, …, `over-365`. */
  key: string;
  /** Smallest number of days in the bucket; null: no lower end (current takes everything not yet due). */
  fromDays: number | null;
  /** Largest number of days in the bucket; null: no upper end (the last bucket). */
  toDays: number | null;
}

/** The default upper ends: current, 1–30, 31–60, 61–90, 91–180, 181–365, over 365. */
export const DEFAULT_BUCKET_LIMITS: readonly number[] = [30, 60, 90, 180, 365];
export const MAX_BUCKETS = 12;

/** Buckets from their upper ends in days ([30, 60] → current, 1-30, 31-60, over-60). */
export function bucketsFrom(limits: readonly number[] = DEFAULT_BUCKET_LIMITS, field = 'buckets'): AgingBucket[] {
  if (limits.length === 0) throw invalid('INVALID_BUCKETS', `${field}: give at least one limit, e.g. 30,60,90`, [{ field, message: 'empty' }]);
  if (limits.length > MAX_BUCKETS - 2) throw invalid('INVALID_BUCKETS', `${field}: at most ${MAX_BUCKETS - 2} limits`, [{ field, message: 'too many' }]);
  limits.forEach((limit, i) => {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 36_500) {
      throw invalid('INVALID_BUCKETS', `${field}: ${limit} is not a whole number of days from 1 to 36500`, [{ field, message: `limit ${i + 1}` }]);
    }
    if (i > 0 && limit <= limits[i - 1]!) {
      throw invalid('INVALID_BUCKETS', `${field}: the limits must grow (${limits[i - 1]} then ${limit}); write them smallest first, e.g. 30,60,90`, [{ field, message: `limit ${i + 1}` }]);
    }
  });
  const buckets: AgingBucket[] = [{ key: 'current', fromDays: null, toDays: 0 }];
  let from = 1;
  for (const limit of limits) {
    buckets.push({ key: `${from}-${limit}`, fromDays: from, toDays: limit });
    from = limit + 1;
  }
  buckets.push({ key: `over-${limits[limits.length - 1]}`, fromDays: from, toDays: null });
  return buckets;
}

export type BucketsProblem = 'empty' | 'format' | 'tooMany' | 'range' | 'order';

/** What is wrong with bucket limits written "30,60,90", or null: the one rule the API, the CLI and the web app apply. */
export function bucketsProblem(text: string): BucketsProblem | null {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return 'empty';
  if (parts.some((p) => !/^\d+$/.test(p))) return 'format';
  if (parts.length > MAX_BUCKETS - 2) return 'tooMany';
  const limits = parts.map(Number);
  if (limits.some((n) => n < 1 || n > 36_500)) return 'range';
  if (limits.some((n, i) => i > 0 && n <= limits[i - 1]!)) return 'order';
  return null;
}

const BUCKETS_PROBLEM_TEXT: Record<BucketsProblem, string> = {
  empty: 'give at least one limit, e.g. 30,60,90',
  format: 'write whole numbers of days separated by commas, e.g. 30,60,90,180,365',
  tooMany: `at most ${MAX_BUCKETS - 2} limits`,
  range: 'each limit is a whole number of days from 1 to 36500',
  order: 'the limits must grow; write them smallest first, e.g. 30,60,90',
};

/** "30,60,90" (as the CLI and the API take it) → buckets; the error names `field`. */
export function parseBuckets(text: string, field = 'buckets'): AgingBucket[] {
  const problem = bucketsProblem(text);
  if (problem) throw invalid('INVALID_BUCKETS', `${field}: ${BUCKETS_PROBLEM_TEXT[problem]} ("${text}")`, [{ field, message: problem }]);
  return bucketsFrom(text.split(',').map((p) => p.trim()).filter((p) => p !== '').map(Number), field);
}

/** The bucket `days` (past due, or since the document date) falls in. */
export function bucketOf(days: number, buckets: readonly AgingBucket[]): AgingBucket {
  for (const bucket of buckets) {
    if ((bucket.fromDays === null || days >= bucket.fromDays) && (bucket.toDays === null || days <= bucket.toDays)) return bucket;
  }
  throw new Error(`assertion failed: no bucket holds ${days} days`);
}

/** An open item of the ledger: a debit's installment (aged) or a credit's one item (unapplied when open). */
export interface AgingItem {
  itemId: string;
  /** What the report groups by: a customer code, a group, a segment, a currency… */
  groupKey: string;
  side: 'debit' | 'credit';
  documentDate: LocalDate;
  dueDate: LocalDate;
  amountMinor: bigint;
}

/** An allocation (or the reversal of one, with a negative amount) between a credit item and a debit item. */
export interface AgingAllocation {
  creditItemId: string;
  debitItemId: string;
  date: LocalDate;
  amountMinor: bigint;
}

export interface AgingRow {
  groupKey: string;
  current: bigint;
  /** By bucket key, for every bucket but current (zero where nothing falls). */
  buckets: Record<string, bigint>;
  /** What the customer owes: current + every bucket. */
  outstanding: bigint;
  /** Credits not yet applied, as a positive amount. */
  unapplied: bigint;
  /** outstanding − unapplied. */
  net: bigint;
}

/** What was open at `asOf`, aged, per group key (sorted by key), and the totals. Pure; the SQL report's oracle. */
export function ageLedger(
  asOf: LocalDate, basis: AgingBasis, buckets: readonly AgingBucket[], items: readonly AgingItem[], allocations: readonly AgingAllocation[],
): { rows: AgingRow[]; totals: AgingRow } {
  const applied = new Map<string, bigint>();
  for (const a of allocations) {
    if (a.date > asOf) continue;
    applied.set(a.debitItemId, (applied.get(a.debitItemId) ?? 0n) + a.amountMinor);
    applied.set(a.creditItemId, (applied.get(a.creditItemId) ?? 0n) + a.amountMinor);
  }
  const rows = new Map<string, AgingRow>();
  const emptyRow = (groupKey: string): AgingRow => ({
    groupKey, current: 0n, buckets: Object.fromEntries(buckets.slice(1).map((b) => [b.key, 0n])), outstanding: 0n, unapplied: 0n, net: 0n,
  });
  for (const item of items) {
    if (item.documentDate > asOf) continue;
    const open = item.amountMinor - (applied.get(item.itemId) ?? 0n);
    if (open === 0n) continue;
    const row = rows.get(item.groupKey) ?? emptyRow(item.groupKey);
    rows.set(item.groupKey, row);
    if (item.side === 'credit') {
      row.unapplied += open;
    } else {
      const days = daysBetween(basis === 'due' ? item.dueDate : item.documentDate, asOf);
      const bucket = bucketOf(days, buckets);
      if (bucket.key === 'current') row.current += open;
      else row.buckets[bucket.key]! += open;
      row.outstanding += open;
    }
    row.net = row.outstanding - row.unapplied;
  }
  const sorted = [...rows.values()].sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0));
  const totals = emptyRow('total');
  for (const row of sorted) {
    totals.current += row.current;
    for (const key of Object.keys(totals.buckets)) totals.buckets[key]! += row.buckets[key]!;
    totals.outstanding += row.outstanding;
    totals.unapplied += row.unapplied;
    totals.net += row.net;
  }
  return { rows: sorted, totals };
}

/** The most rows one page of the aging report carries; the totals always cover every row, and the exports every row. */
export const MAX_AGING_ROWS = 1000;
export const DEFAULT_AGING_ROWS = 100;
/** The furthest a page may start (rows skipped); a report has at most one row per customer. */
export const MAX_AGING_OFFSET = 1_000_000;
