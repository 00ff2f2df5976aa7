/**
 * The aging report as the screen uses it, pure: the API's shape, the buckets check (the API's rule, so a typo is
 * caught before asking), sorting and summing amounts as BigInt minor units, the overdue share as an exact decimal,
 * the chart's top rows plus "others" and the bucket colours. The files (CSV, XLSX) come from the server, every row. No float ever holds an amount; the
 * chart is given the decimal strings themselves.
 */
import { AGING_GROUPINGS, bucketsProblem, type AgingBucket, type AgingGrouping, type BucketsProblem } from '../../../../src/domain/aging.ts';
import { apiMinor, formatMinor } from '../documents/money.ts';

// The rules are the ledger's own (src/domain/aging.ts): the groupings and the buckets check the API applies.
export { bucketsProblem, type AgingBucket, type BucketsProblem };
export const GROUPINGS = AGING_GROUPINGS;
export type Grouping = AgingGrouping;
export const BASES = ['due', 'document'] as const;
export type Basis = (typeof BASES)[number];
export const DEFAULT_BUCKETS = '30,60,90,180,365';

export interface AgingFigures {
  current: string;
  buckets: Record<string, string>;
  outstanding: string;
  /** Of outstanding, what open disputes cover (a share, not a bucket). */
  disputed?: string;
  unapplied: string;
  net: string;
}

export interface AgingRow extends AgingFigures {
  key: string;
  name: string;
}

export interface AgingReport {
  asOf: string;
  basis: Basis;
  by: Grouping;
  currency: string;
  /** True when every currency is converted to the functional one at the as-of rates (`rates`). */
  converted?: boolean;
  rates?: { currency: string; date: string; rate: string }[];
  buckets: AgingBucket[];
  rows: AgingRow[];
  totals: AgingFigures;
  /** Which rows `rows` holds (one page, sorted by the server) of how many; the totals cover every row. */
  page: AgingPageInfo;
}

/** How the server orders the rows: largest outstanding first, by key, or by name. */
export const SORTS = ['outstanding', 'key', 'name'] as const;
export type Sort = (typeof SORTS)[number];
export const PAGE_SIZES = [20, 50, 100, 500] as const;
export const DEFAULT_PAGE_SIZE = 50;

export interface AgingPageInfo {
  sort: Sort;
  limit: number;
  offset: number;
  /** Rows in the whole report. */
  total: number;
  nextOffset: number | null;
}

/** An open item behind a figure of the report (GET /reports/aging/items). */
export interface AgingOpenItem {
  documentNumber: string;
  documentKind: string;
  installment: number;
  customer: string;
  customerName: string;
  documentDate: string;
  dueDate: string | null;
  daysPastDue: number | null;
  bucket: string;
  open: string;
  currency: string;
  converted?: string;
  rate?: string;
}

export interface AgingItemsPage {
  key: string;
  bucket: string;
  currency: string;
  converted: boolean;
  count: number;
  total: string;
  items: AgingOpenItem[];
  nextOffset: number | null;
}

/** The figure of the items drill-down a column stands for (net has none: it is outstanding − unapplied). */
export function drillBucket(column: AmountColumn): string | null {
  if (column === 'net' || column === 'disputed') return null;
  return column.startsWith('bucket:') ? column.slice('bucket:'.length) : column;
}

/** "30, 60 ,90" → "30,60,90" (as the URL keeps it). */
export function normaliseBuckets(text: string): string {
  return text.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => String(Number(p))).join(',');
}

/** An amount column of the report: current, one bucket (`bucket:1-30`), outstanding, unapplied or net. */
export type AmountColumn = 'current' | 'outstanding' | 'disputed' | 'unapplied' | 'net' | `bucket:${string}`;

export function amountOf(figures: AgingFigures, column: AmountColumn): string {
  if (column.startsWith('bucket:')) return figures.buckets[column.slice('bucket:'.length)] ?? '0';
  if (column === 'disputed') return figures.disputed ?? '0';
  return figures[column as 'current' | 'outstanding' | 'unapplied' | 'net'];
}

/** Orders two rows by an amount column, exactly (BigInt minor units). */
export function compareAmount(a: AgingFigures, b: AgingFigures, column: AmountColumn, currency: string): number {
  const x = apiMinor(amountOf(a, column), currency);
  const y = apiMinor(amountOf(b, column), currency);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Past due (or older than the first bucket on document basis): outstanding − current, as the API writes amounts. */
export function overdueAmount(figures: AgingFigures, currency: string): string {
  return formatMinor(apiMinor(figures.outstanding, currency) - apiMinor(figures.current, currency), currency);
}

/**
 * Overdue ÷ outstanding as a decimal fraction string to 4 places ("0.1234" = 12.34 %), rounded half up, ready for
 * Intl's percent style; null when nothing is outstanding.
 */
export function overdueShare(figures: AgingFigures, currency: string): string | null {
  const outstanding = apiMinor(figures.outstanding, currency);
  if (outstanding <= 0n) return null;
  const overdue = apiMinor(figures.outstanding, currency) - apiMinor(figures.current, currency);
  const sign = overdue < 0n ? '-' : '';
  const magnitude = overdue < 0n ? -overdue : overdue;
  const tenThousandths = (magnitude * 20_000n + outstanding) / (2n * outstanding);
  const whole = tenThousandths / 10_000n;
  const fraction = (tenThousandths % 10_000n).toString().padStart(4, '0');
  return `${sign}${whole}.${fraction}`;
}

/** Sums amounts (decimal strings) exactly. */
export function sumAmounts(amounts: readonly string[], currency: string): string {
  return formatMinor(amounts.reduce((sum, a) => sum + apiMinor(a, currency), 0n), currency);
}

export interface ChartRow {
  /** The row's key, or null for "all the others". */
  key: string | null;
  name: string;
  /** Per bucket key (current included): the amount as a decimal string. */
  amounts: Record<string, string>;
  outstanding: string;
  /** How many of the report's rows it stands for (1, or the number of "others"). */
  members: number;
}

/**
 * The `top` rows by outstanding (largest first), then one row for all the others: the report's totals less the rows
 * shown, so it is right whether `rows` holds every row or only a page of the largest (left out when nothing is left).
 */
export function chartRows(report: AgingReport, top = 10): ChartRow[] {
  const { currency } = report;
  const toChart = (row: AgingRow): ChartRow => ({
    key: row.key, name: row.name, outstanding: row.outstanding, members: 1,
    amounts: { current: row.current, ...row.buckets },
  });
  const positive = report.rows.filter((r) => apiMinor(r.outstanding, currency) > 0n);
  const sorted = [...positive].sort((a, b) => compareAmount(b, a, 'outstanding', currency) || a.key.localeCompare(b.key));
  const shownRows = sorted.slice(0, top);
  const shown = shownRows.map(toChart);
  const less = (total: string, parts: string[]) => formatMinor(parts.reduce((sum, p) => sum - apiMinor(p, currency), apiMinor(total, currency)), currency);
  const outstanding = less(report.totals.outstanding, shownRows.map((r) => r.outstanding));
  if (apiMinor(outstanding, currency) === 0n) return shown;
  const amounts: Record<string, string> = {};
  for (const bucket of report.buckets) {
    amounts[bucket.key] = bucket.key === 'current'
      ? less(report.totals.current, shownRows.map((r) => r.current))
      : less(report.totals.buckets[bucket.key] ?? '0', shownRows.map((r) => r.buckets[bucket.key] ?? '0'));
  }
  return [...shown, { key: null, name: '', amounts, outstanding, members: (report.page?.total ?? report.rows.length) - shownRows.length }];
}

const COLOUR_STOPS: [number, number, number][] = [
  [0x38, 0x9e, 0x0d], // green: current
  [0xa0, 0xb4, 0x0f],
  [0xe0, 0xa4, 0x0b], // amber
  [0xe8, 0x6a, 0x17], // orange
  [0xcf, 0x13, 0x22], // red: oldest
  [0x82, 0x00, 0x14],
];

/** `count` colours from green (current) to dark red (oldest), evenly spaced along the stops. */
export function bucketColours(count: number): string[] {
  const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');
  const last = COLOUR_STOPS.length - 1;
  return Array.from({ length: count }, (_v, i) => {
    const position = count === 1 ? 0 : (i / (count - 1)) * last;
    const low = Math.min(Math.floor(position), last - 1);
    const share = position - low;
    const [a, b] = [COLOUR_STOPS[low]!, COLOUR_STOPS[low + 1]!];
    return `#${hex(a[0] + (b[0] - a[0]) * share)}${hex(a[1] + (b[1] - a[1]) * share)}${hex(a[2] + (b[2] - a[2]) * share)}`;
  });
}
