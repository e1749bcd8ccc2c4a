import { z } from 'zod';
import { clusterNameSchema } from '../../domain/cluster.js';
import { clusterGpuMetricsSchema } from '../../domain/monitoring.js';
import type { GpuMetricsService } from '../../services/gpu-metrics/gpu-metrics-service.js';
import type { ZodApp } from './route-types.js';

const nameParams = z.object({ name: clusterNameSchema }).strict();

/** GPU metrics of a cluster: DCGM through Prometheus, or nvidia-smi on the H-MAS host for cluster `local`. */
export function registerGpuMetricsRoutes(app: ZodApp, deps: { gpuMetrics: GpuMetricsService }): void {
  app.get('/api/clusters/:name/gpu-metrics', {
    schema: {
      tags: ['monitoring'],
      summary:
        'Per-GPU utilization, memory, temperature, power, SM clock and last XID error of a cluster, with the deployments using each GPU. Source: DCGM exporter series in Prometheus (label cluster="<name>"); for cluster local, nvidia-smi on its host when Prometheus has none; otherwise source none with what to set up. `stale` says when the numbers are old or a fallback.',
      params: nameParams,
      response: { 200: clusterGpuMetricsSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.gpuMetrics.clusterGpus(request.params.name),
  });
}
