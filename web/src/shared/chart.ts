/**
 * One ECharts instance per element: made on mount, resized with its element, disposed on unmount; `option()` is set
 * again whenever `deps` change. Each chart registers the ECharts parts it uses (`echarts.use`) itself.
 */
import { useEffect, useRef, type DependencyList, type RefObject } from 'react';
import * as echarts from 'echarts/core';

/** Charts do not animate for a user whose system asks for reduced motion. */
const REDUCED_MOTION = typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function useChart(option: () => echarts.EChartsCoreOption, deps: DependencyList, settings: { notMerge?: boolean } = {}): RefObject<HTMLDivElement | null> {
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
    chart.current?.setOption({ ...option(), ...(REDUCED_MOTION ? { animation: false } : {}) }, { notMerge: settings.notMerge ?? false });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the option depends on
  }, deps);
  return element;
}
