/**
 * A small trend line under a KPI card: one point per month end, no axes, a tooltip with the date and the value as
 * the API wrote it. Points without a value (the KPI was not defined then) are gaps. Only the ECharts parts it
 * draws are imported.
 */
import * as echarts from 'echarts/core';
import { useChart } from '../../shared/chart.ts';
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

interface Props {
  dates: string[];
  values: (string | null)[];
  /** The value as shown in the tooltip ("85.4 days"). */
  format: (value: string) => string;
  label: string;
  colour?: string;
}

export function Sparkline({ dates, values, format, label, colour = '#1668dc' }: Props) {

  const element = useChart(() => {
    return {
      animationDuration: 200,
      grid: { left: 2, right: 2, top: 4, bottom: 2 },
      xAxis: { type: 'category', data: dates, show: false, boundaryGap: false },
      yAxis: { type: 'value', show: false, scale: true },
      tooltip: {
        trigger: 'axis',
        confine: true,
        formatter: (params: unknown) => {
          const [p] = params as { dataIndex: number }[];
          if (!p) return '';
          const value = values[p.dataIndex];
          return `${dates[p.dataIndex]}<br/><strong>${value === null || value === undefined ? '—' : escapeHtml(format(value))}</strong>`;
        },
      },
      series: [{
        type: 'line',
        data: values.map((v) => (v === null ? null : v)),
        showSymbol: false,
        connectNulls: false,
        smooth: false,
        lineStyle: { width: 2, color: colour },
        areaStyle: { color: colour, opacity: 0.08 },
      }],
    };
  }, [dates, values, format, colour], { notMerge: true });

  return <div ref={element} role="img" aria-label={label} className="kpi-sparkline" />;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
