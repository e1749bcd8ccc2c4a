import type { MetricValue, Percentiles } from '../../api/types';
import type { MetricUnit } from './units';
import { formatMetricValue, metricParts } from './units';

const QUANTILES = ['p50', 'p95', 'p99'] as const;

export interface StatTileProps {
  label: string;
  unit: MetricUnit;
  /** A single number… */
  value?: MetricValue | undefined;
  /** …or its p50 / p95 / p99 (p95 big, the others under it). */
  percentiles?: Percentiles | undefined;
  /** Why the runtime never has this number ("not exposed by ollama"): shown instead of a value. */
  unsupported?: string | undefined;
}

/** The reason a value is missing, for its tooltip and the line under it. */
const reasonOf = (metric: MetricValue | undefined) => (metric?.value === null ? metric.reason : undefined);

/** One number of a deployment with its unit, or why there is none — never a made-up 0. */
export function StatTile({ label, unit, value, percentiles, unsupported }: StatTileProps) {
  const main = percentiles ? percentiles.p95 : value;
  const reason = unsupported ?? reasonOf(main);
  return (
    <div className="stat-card stat-tile" role="group" aria-label={label}>
      <span className="stat-label">
        {label}
        {percentiles && !unsupported && <span className="stat-quantile"> p95</span>}
      </span>
      {unsupported ? (
        <span className="stat-unsupported">{unsupported}</span>
      ) : (
        <span className="stat-value" title={reason}>
          <Value metric={main} unit={unit} />
        </span>
      )}
      {percentiles && !unsupported && (
        <dl className="stat-quantiles">
          {QUANTILES.map((quantile) => (
            <div key={quantile} title={reasonOf(percentiles[quantile])}>
              <dt>{quantile}</dt>
              <dd>{formatMetricValue(percentiles[quantile], unit)}</dd>
            </div>
          ))}
        </dl>
      )}
      {reason && !unsupported && <span className="stat-hint">{reason}</span>}
    </div>
  );
}

/** The number big, its unit small; "—" without a number. */
function Value({ metric, unit }: { metric: MetricValue | undefined; unit: MetricUnit }) {
  if (metric?.value === null || metric?.value === undefined) return <>—</>;
  const [number, words] = metricParts(metric.value, unit);
  return (
    <>
      {number}
      {words && <span className="stat-unit"> {words}</span>}
    </>
  );
}
