import { useSearchParams } from 'react-router';
import { useDeploymentMetrics, useDeploymentMetricsHistory } from '../../api/metrics-hooks';
import type { DeploymentMetricsHistory, DeploymentMetricsSnapshot } from '../../api/types';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import { RangePresets } from '../../components/RangePresets';
import { LazyTimeSeriesChart } from '../../components/charts/lazy-charts';
import { TitledPanel } from '../../components/TitledPanel';
import { DeploymentGpus } from '../monitoring/DeploymentGpus';
import { useInstanceTab } from './instance-tab-context';
import { chartGap, chartLines, HISTORY_CHARTS, unsupportedReason } from './metrics-fields';
import { METRICS_RANGES, metricsRange } from './metrics-ranges';
import { GatewayTiles, ServingTiles } from './MetricsTiles';

/** Whether the runtime has none of the serving numbers (Ollama): only the gateway's and the GPUs' then. */
const servesNoMetrics = (snapshot: DeploymentMetricsSnapshot | undefined) =>
  snapshot !== undefined && Object.keys(snapshot.serving).every((field) => unsupportedReason(snapshot, field) !== undefined);

/**
 * The instance's numbers: stat tiles from the live snapshot (every 10 s), charts over a range
 * from Prometheus (every 60 s; the range in the URL), the GPUs it runs on.
 */
export function MetricsTab() {
  const { deployment, enabled } = useInstanceTab();
  const [params, setParams] = useSearchParams();
  const range = metricsRange(params.get('range'));
  const snapshot = useDeploymentMetrics(deployment.id, enabled);
  const history = useDeploymentMetricsHistory(deployment.id, range, enabled);
  const noServingMetrics = servesNoMetrics(snapshot.data);

  return (
    <div className="stack">
      <TitledPanel title="Now">
        <div className="stack-tight">
          <MetricsStatus
            what="live metrics"
            error={snapshot.error}
            hasData={snapshot.data !== undefined}
            at={snapshot.data?.at}
            stale={snapshot.data?.stale}
            staleReason={snapshot.data?.staleReason}
          />
          {snapshot.isPending && enabled && <p className="muted">Loading metrics…</p>}
          {noServingMetrics && (
            <p className="alert alert-info" role="note">
              {snapshot.data?.runtime ?? deployment.runtime} exposes no inference metrics: below are what the H-MAS gateway measured and the GPUs it runs on.
            </p>
          )}
          {snapshot.data && !noServingMetrics && <ServingTiles snapshot={snapshot.data} />}
          {snapshot.data && (
            <>
              <h3 className="section-title">Through the gateway</h3>
              <GatewayTiles gateway={snapshot.data.gateway} />
            </>
          )}
        </div>
      </TitledPanel>
      <section className="panel" aria-label="History">
        <div className="metrics-history-head">
          <h2 className="panel-title">History</h2>
          <RangePresets
            options={METRICS_RANGES}
            selected={range}
            onSelect={(key) => setParams((current) => ({ ...Object.fromEntries(current), range: key }), { replace: true })}
          />
        </div>
        <div className="stack-tight">
          <MetricsStatus what="metric history" error={history.error} hasData={history.data !== undefined} at={history.data?.end} />
          {history.isPending && enabled && !history.isError && <p className="muted">Loading history…</p>}
          {history.data && <HistoryCharts history={history.data} snapshot={snapshot.data} />}
        </div>
      </section>
      <DeploymentGpus cluster={deployment.cluster} deployment={deployment.name} enabled={enabled} />
    </div>
  );
}

function HistoryCharts({ history, snapshot }: { history: DeploymentMetricsHistory; snapshot: DeploymentMetricsSnapshot | undefined }) {
  const exposure = snapshot ?? { unsupported: [], runtime: history.runtime };
  // Charts of fields the runtime never has are left out, and named once.
  const notExposed = HISTORY_CHARTS.filter((spec) => spec.lines.every((line) => unsupportedReason(exposure, line.field)));
  return (
    <>
      <div className="chart-grid">
        {HISTORY_CHARTS.filter((spec) => !notExposed.includes(spec)).map((spec) => (
          <LazyTimeSeriesChart
            key={spec.title}
            title={spec.title}
            unit={spec.unit}
            lines={chartLines(spec, history.series)}
            empty={<p className="muted">{chartGap(spec, history) ?? 'No samples in this range.'}</p>}
          />
        ))}
      </div>
      {notExposed.length > 0 && (
        <p className="muted">
          Not exposed by {history.runtime}: {notExposed.map((spec) => spec.title.toLowerCase()).join(', ')}.
        </p>
      )}
    </>
  );
}
