/**
 * A small trend line under a KPI card: one point per month end, no axes, a tooltip with the date and the value as
 * the API wrote it. Points without a value (the KPI was not defined then) are gaps. Only the ECharts parts it
 * draws are imported.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
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
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, null, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({
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
    }, { notMerge: true });
  }, [dates, values, format, colour]);

  return <div ref={element} role="img" aria-label={label} className="kpi-sparkline" />;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
