/** The score explanation: each factor's contribution to the 0–100 score as a horizontal bar (ECharts). */
import * as echarts from 'echarts/core';
import { useChart } from '../../shared/chart.ts';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { Factor } from './types.ts';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

const COLOURS: Record<string, string> = { financial: '#1668dc', behavioural: '#d48806', external: '#389e0d', qualitative: '#722ed1' };

/** `name` words a factor for people (its input in the page's language). */
export function ScoreChart({ factors, label, name }: { factors: Factor[]; label: string; name: (f: Factor) => string }) {
  const element = useChart(() => {
    const rows = [...factors].reverse();
    return {
      animationDuration: 200,
      grid: { left: 120, right: 40, top: 8, bottom: 24 },
      xAxis: { type: 'value', min: 0 },
      yAxis: { type: 'category', data: rows.map(name) },
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
        formatter: (params: unknown) => {
          const [p] = params as { dataIndex: number }[];
          const f = p ? rows[p.dataIndex] : undefined;
          return f ? `${name(f).replace(/[<>&]/g, '')}: ${f.value ?? '—'}<br/>${f.points} × ${f.weight}% = <strong>${f.contribution}</strong>${f.note ? `<br/>${f.note.replace(/[<>&]/g, '')}` : ''}` : '';
        },
      },
      series: [{
        type: 'bar',
        data: rows.map((f) => ({ value: Number(f.contribution), itemStyle: { color: COLOURS[f.group] ?? '#888' } })),
        label: { show: true, position: 'right', formatter: (p: { value: number }) => String(p.value) },
      }],
    };
  }, [factors, name]);
  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height: Math.max(160, factors.length * 28 + 40) }} />;
}
