/** The KPI API's answers (src/modules/kpis), as the dashboard reads them. */
export type KpiUnit = 'days' | 'percent' | 'times' | 'amount';

export interface KpiValue {
  value: string | null;
  unit: KpiUnit;
  reason?: string;
}

export const KPI_ORDER = [
  'dsoCountback', 'dsoStandard', 'bestPossibleDso', 'averageDaysDelinquent', 'collectionEffectiveness', 'arTurnover',
  'overdueShare', 'over90Share', 'averageDaysToPay', 'averageDaysBeyondTerms', 'top10Concentration', 'arBalance',
  'unappliedCash', 'disputedShare',
] as const;
export type KpiKey = (typeof KPI_ORDER)[number];

export interface KpiSet {
  asOf: string;
  currency: string;
  periodDays: number;
  period: { from: string; to: string };
  kpis: Record<KpiKey, KpiValue>;
  figures: Record<string, string>;
}

export interface KpiTrend {
  asOf: string;
  currency: string;
  periodDays: number;
  keys: string[];
  points: { asOf: string; source: 'snapshot' | 'computed'; kpis: Partial<Record<KpiKey, KpiValue>> }[];
}

export interface CustomerBehaviourRow {
  customer: string;
  name: string;
  paid: string;
  allocations: number;
  averageDaysToPay: string | null;
  averageDaysBeyondTerms: string | null;
}

export interface CustomerBehaviour {
  total: number;
  rows: CustomerBehaviourRow[];
  nextCursor: string | null;
  sort: string;
  order: 'asc' | 'desc';
}

/** The server's reasons (English) as keys of the dashboard's words. */
export function reasonKey(reason: string | undefined): string | null {
  if (!reason) return null;
  if (reason.startsWith('no credit sales')) return 'noSales';
  if (reason.startsWith('nothing is outstanding')) return 'nothingOutstanding';
  if (reason.startsWith('nothing was collectible')) return 'nothingCollectible';
  if (reason.startsWith('no receivables')) return 'noReceivables';
  if (reason.startsWith('no payments')) return 'noPayments';
  if (reason.startsWith('the receivables are more')) return 'countback';
  if (reason.startsWith('disputes are not recorded')) return 'disputes';
  return null;
}
