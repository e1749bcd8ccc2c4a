import { lazy, Suspense } from 'react';
import type { TimeSeriesChartProps } from './TimeSeriesChart';
import type { ClusterGpuUse } from './UtilizationBars';

// Recharts is a third of the bundle: the charts load on first use, so pages without one (and
// the first paint of those with one) do not wait for it.
const TimeSeries = lazy(() => import('./TimeSeriesChart').then((module) => ({ default: module.TimeSeriesChart })));
const Bars = lazy(() => import('./UtilizationBars').then((module) => ({ default: module.UtilizationBars })));

const placeholder = (height: number) => <div className="chart-loading" style={{ height }} aria-hidden="true" />;

/** {@link TimeSeriesChart}, loaded with Recharts on first use. */
export function LazyTimeSeriesChart(props: TimeSeriesChartProps) {
  return (
    <Suspense fallback={placeholder((props.height ?? 220) + 40)}>
      <TimeSeries {...props} />
    </Suspense>
  );
}

/** {@link UtilizationBars}, loaded with Recharts on first use. */
export function LazyUtilizationBars({ clusters }: { clusters: readonly ClusterGpuUse[] }) {
  return (
    <Suspense fallback={placeholder(64 + 44 * clusters.length)}>
      <Bars clusters={clusters} />
    </Suspense>
  );
}
