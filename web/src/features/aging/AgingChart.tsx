/**
 * The aging chart: one horizontal stacked bar per row (the ten largest by outstanding, then all the others), one
 * segment per bucket from green (current) to red (oldest). Only the ECharts parts it draws are imported, so the
 * bundle stays small. The bars get the API's decimal strings; tooltips show them formatted exactly.
 */
import * as echarts from 'echarts/core';
import { useChart } from '../../shared/chart.ts';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import { formatAmount } from '../../shared/format.ts';
import { bucketColours, type AgingBucket, type ChartRow } from './report.ts';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

interface Props {
  rows: ChartRow[];
  buckets: AgingBucket[];
  currency: string;
  /** The label of each bucket, in the user's language. */
  bucketLabel: (bucket: AgingBucket) => string;
  /** The label of each row on the axis. */
  rowLabel: (row: ChartRow) => string;
}

export function AgingChart({ rows, buckets, currency, bucketLabel, rowLabel }: Props) {
  const { t, i18n } = useTranslation('aging');

  const element = useChart(() => {
    const locale = i18n.language;
    const colours = bucketColours(buckets.length);
    // Largest at the top: ECharts draws a category axis from the bottom up.
    const shown = [...rows].reverse();
    const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    return {
      textStyle: { fontFamily: FONT },
      animationDuration: 300,
      color: colours,
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10, textStyle: { color: '#475467' } },
      grid: { left: 8, right: 24, top: 36, bottom: 4, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: unknown) => {
          const items = params as { dataIndex: number; seriesIndex: number; marker: string }[];
          if (items.length === 0) return '';
          const row = shown[items[0]!.dataIndex]!;
          const lines = items.map((p) => {
            const bucket = buckets[p.seriesIndex]!;
            return `${p.marker}${escapeHtml(bucketLabel(bucket))}<span style="float:right;margin-left:24px;font-variant-numeric:tabular-nums">${escapeHtml(formatAmount(row.amounts[bucket.key] ?? '0', currency, locale))}</span>`;
          });
          return `<strong>${escapeHtml(rowLabel(row))}</strong><br/>${lines.join('<br/>')}<br/><strong>${escapeHtml(t('columns.outstanding'))}<span style="float:right;margin-left:24px;font-variant-numeric:tabular-nums">${escapeHtml(formatAmount(row.outstanding, currency, locale))}</span></strong>`;
        },
      },
      xAxis: {
        type: 'value',
        axisLabel: { color: '#667085', formatter: (value: number) => compact.format(value) },
        splitLine: { lineStyle: { color: '#eaecf0' } },
      },
      yAxis: {
        type: 'category',
        data: shown.map(rowLabel),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: '#d0d5dd' } },
        axisLabel: { color: '#344054', width: 180, overflow: 'truncate' },
      },
      series: buckets.map((bucket) => ({
        type: 'bar',
        name: bucketLabel(bucket),
        stack: 'aging',
        barMaxWidth: 22,
        emphasis: { focus: 'series' },
        // "All others" is drawn paler: it is many rows, not one.
        data: shown.map((row) => (row.key === null ? { value: row.amounts[bucket.key] ?? '0', itemStyle: { opacity: 0.55 } } : row.amounts[bucket.key] ?? '0')),
      })),
    };
  }, [rows, buckets, currency, bucketLabel, rowLabel, i18n.language, t], { notMerge: true });

  return (
    <div
      ref={element}
      role="img"
      aria-label={t('chart.label', { count: rows.length })}
      style={{ width: '100%', height: Math.max(220, 64 + rows.length * 30) }}
    />
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
