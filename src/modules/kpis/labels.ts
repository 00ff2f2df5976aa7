/** What each KPI is called (English and Chinese), and a KPI value as text with its unit, for the CLI and exports. */
import type { KpiKey, KpiValue } from '../../domain/kpis.ts';

export const KPI_LABELS: Readonly<Record<KpiKey, { en: string; zh: string }>> = {
  dsoCountback: { en: 'DSO (countback)', zh: '应收账款周转天数（倒推法）' },
  dsoStandard: { en: 'DSO (standard)', zh: '应收账款周转天数（标准法）' },
  bestPossibleDso: { en: 'best-possible DSO', zh: '最佳周转天数' },
  averageDaysDelinquent: { en: 'average days delinquent', zh: '平均逾期天数' },
  collectionEffectiveness: { en: 'collection effectiveness (CEI)', zh: '催收有效性指数' },
  arTurnover: { en: 'AR turnover (times a year)', zh: '应收账款周转率（次/年）' },
  overdueShare: { en: 'overdue share', zh: '逾期占比' },
  over90Share: { en: 'over 90 days share', zh: '逾期90天以上占比' },
  averageDaysToPay: { en: 'average days to pay', zh: '平均付款天数' },
  averageDaysBeyondTerms: { en: 'average days beyond terms', zh: '平均超期天数' },
  top10Concentration: { en: 'top-10 customer concentration', zh: '前十大客户集中度' },
  disputedShare: { en: 'disputed share', zh: '争议占比' },
  unappliedCash: { en: 'unapplied cash', zh: '未核销收款' },
  arBalance: { en: 'AR balance', zh: '应收余额' },
};

/** "85.4 days", "43.93%", "7.31×", "200.00 CNY", or "—" for a KPI without a value. */
export function kpiText(v: KpiValue, currency: string): string {
  if (v.value === null) return '—';
  switch (v.unit) {
    case 'days': return `${v.value} days`;
    case 'percent': return `${v.value}%`;
    case 'times': return `${v.value}×`;
    case 'amount': return `${v.value} ${currency}`;
  }
}
