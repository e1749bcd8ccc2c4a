import { useClusterGpuMetrics } from '../../api/metrics-hooks';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import { PanelHeader } from '../../components/PanelHeader';
import { GpuTable } from './GpuTable';

/** The GPUs of a cluster that serve one deployment (where the metrics' labels tell), every 30 s. */
export function DeploymentGpus({ cluster, deployment, enabled }: { cluster: string; deployment: string; enabled: boolean }) {
  const metrics = useClusterGpuMetrics(cluster, enabled);
  const gpus = metrics.data?.gpus.filter((gpu) => gpu.deployments.includes(deployment));
  const empty =
    metrics.data?.source === 'none'
      ? `No GPU metrics for ${cluster}${metrics.data.staleReason ? `: ${metrics.data.staleReason}` : '.'}`
      : `No GPU of ${cluster} is known to serve this instance.`;
  return (
    <section className="panel panel-flush" aria-labelledby="deployment-gpus-title">
      <PanelHeader titleId="deployment-gpus-title" title="GPUs" description={`The GPUs of ${cluster} this instance runs on, refreshed every 30 seconds.`} />
      <div className="panel-section">
        <MetricsStatus
          what="GPU metrics"
          error={metrics.error}
          hasData={metrics.data !== undefined}
          at={metrics.data?.at}
          stale={metrics.data?.stale && metrics.data.source !== 'none'}
          staleReason={metrics.data?.staleReason}
        />
      </div>
      {!(metrics.isError && !metrics.data) && <GpuTable caption={`GPUs of ${deployment}`} gpus={gpus} loading={metrics.isPending} empty={empty} />}
    </section>
  );
}
