import { useClustersGpuMetrics } from '../../api/metrics-hooks';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import { PanelHeader } from '../../components/PanelHeader';
import { GpuTable } from './GpuTable';

const SOURCES = { dcgm: 'DCGM exporter via Prometheus', 'nvidia-smi': 'nvidia-smi on the H-MAS host', none: 'no GPU metrics source' } as const;

/** A table of GPUs per cluster (the clusters given, e.g. the filtered one), every 30 s. */
export function ClusterGpuSection({ clusters }: { clusters: readonly string[] }) {
  const results = useClustersGpuMetrics(clusters);
  return (
    <>
      {clusters.map((cluster, index) => {
        const metrics = results[index];
        const data = metrics?.data;
        const titleId = `gpus-${cluster}`;
        return (
          <section key={cluster} className="panel panel-flush" aria-labelledby={titleId}>
            <PanelHeader titleId={titleId} title={`GPUs of ${cluster}`} description={data ? `From ${SOURCES[data.source]}, refreshed every 30 seconds.` : 'Refreshed every 30 seconds.'} />
            <div className="panel-section">
              <MetricsStatus
                what="GPU metrics"
                error={metrics?.error}
                hasData={data !== undefined}
                at={data?.at}
                stale={data?.stale && data.source !== 'none'}
                staleReason={data?.staleReason}
              />
            </div>
            {!(metrics?.isError && !data) && (
              <GpuTable
                caption={`GPUs of ${cluster}`}
                gpus={data?.gpus}
                loading={metrics?.isPending ?? true}
                empty={data?.source === 'none' ? `No GPU metrics${data.staleReason ? `: ${data.staleReason}` : '.'}` : 'No GPUs.'}
              />
            )}
          </section>
        );
      })}
    </>
  );
}
