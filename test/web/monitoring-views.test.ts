// The pure parts of the web UI's monitoring views (src/web is outside the test projects; these
// modules import nothing but types): unit formatting, reading history series and the fields a
// runtime does not expose, the Monitoring table's rows and filters, GPU rows per cluster, heat.
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/domain/cluster.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { MetricsSummary } from '../../src/domain/monitoring.js';
import { heatOf } from '../../src/web/src/components/charts/heat.js';
import { formatAxis, formatMetric, formatMetricValue, metricParts } from '../../src/web/src/components/charts/units.js';
import { clusterGpuRows } from '../../src/web/src/pages/dashboard/cluster-gpu-rows.js';
import { chartGap, chartLines, HISTORY_CHARTS, unsupportedReason } from '../../src/web/src/pages/instances/metrics-fields.js';
import { filterRows, monitoringRows, NO_FILTERS } from '../../src/web/src/pages/monitoring/monitoring-rows.js';

const at = (value: number | null, reason?: string) => (value === null ? { value, reason: reason ?? 'no samples yet' } : { value });

// What the functions read of a deployment and a cluster; the rest of the wire shape does not matter here.
const deployment = (name: string, fields: Partial<Deployment> = {}) =>
  ({ id: `id-${name}`, name, modelName: `${name}-model`, cluster: 'local', runtime: 'vllm', status: 'running', ...fields }) as Deployment;
const cluster = (name: string, allocated: number, allocatable: number) =>
  ({ name, inventory: { totals: { gpuAllocated: allocated, gpuAllocatable: allocatable } } }) as unknown as Cluster;

describe('metric units', () => {
  it('reads latencies in ms below a second and in s above, shares as %, rates with their unit', () => {
    expect(formatMetric(0.0812, 'seconds')).toBe('81.2 ms');
    expect(formatMetric(0.2304, 'seconds')).toBe('230 ms');
    expect(formatMetric(3.4, 'seconds')).toBe('3.4 s');
    expect(formatMetric(0.634, 'ratio')).toBe('63.4 %');
    expect(formatMetric(63, 'percent')).toBe('63 %');
    expect(formatMetric(3.4217, 'rps')).toBe('3.42 req/s');
    expect(formatMetric(15_320, 'tps')).toBe('15.3K tokens/s');
    expect(formatMetric(71.6, 'celsius')).toBe('72 °C');
    expect(formatAxis(0.25, 'seconds')).toBe('250 ms');
    expect(formatAxis(0.5, 'ratio')).toBe('50%');
    expect(metricParts(412.5, 'tps')).toEqual(['413', 'tokens/s']);
  });

  it('shows a missing value as a dash, never as 0', () => {
    expect(formatMetricValue({ value: null, reason: 'not exposed' }, 'rps')).toBe('—');
    expect(formatMetricValue(undefined, 'rps')).toBe('—');
    expect(formatMetricValue({ value: 0 }, 'rps')).toBe('0 req/s');
  });
});

describe('history charts', () => {
  const latency = HISTORY_CHARTS.find((spec) => spec.title === 'Time to first token')!;
  const requests = HISTORY_CHARTS.find((spec) => spec.title === 'Requests and errors per second')!;

  it('draws one line per quantile series of a percentile field, a replica label after the line name', () => {
    const lines = chartLines(latency, [
      { field: 'ttftSeconds.p95', label: '', points: [[1, 0.2]] },
      { field: 'ttftSeconds.p50', label: 'replica-0', points: [[1, 0.1]] },
      { field: 'gateway.latencySeconds.p95', label: '', points: [[1, 0.3]] },
      { field: 'e2eLatencySeconds.p95', label: '', points: [[1, 2]] },
    ]);
    expect(lines.map((line) => line.label)).toEqual(['p50 · replica-0', 'p95']);
  });

  it("gives the server's reasons for the missing series of a chart, each once", () => {
    const missing = [
      { field: 'ttftSeconds.p50', reason: 'Prometheus has no ttft series.' },
      { field: 'ttftSeconds.p95', reason: 'Prometheus has no ttft series.' },
      { field: 'kvCacheUsage', reason: 'Not exported by this runtime.' },
    ];
    expect(chartGap(latency, { missing })).toBe('Prometheus has no ttft series.');
    expect(chartGap(requests, { missing })).toBeUndefined();
  });

  it('says "not exposed by <runtime>" for a field the snapshot lists as unsupported, its quantiles included', () => {
    const snapshot = { runtime: 'ollama', unsupported: [{ field: 'ttftSeconds', reason: 'Ollama exposes no inference metrics' }] };
    expect(unsupportedReason(snapshot, 'ttftSeconds')).toBe('not exposed by ollama');
    expect(unsupportedReason(snapshot, 'ttftSeconds.p99')).toBe('not exposed by ollama');
    expect(unsupportedReason(snapshot, 'requestsPerSecond')).toBeUndefined();
    expect(unsupportedReason(undefined, 'ttftSeconds')).toBeUndefined();
  });
});

describe('the Monitoring table', () => {
  const chat = deployment('chat');
  const embed = deployment('embed', { cluster: 'gpu-east', runtime: 'tei', status: 'failed' });
  const summary = {
    deployments: [{ deploymentId: chat.id, deployment: 'chat', cluster: 'local', runtime: 'vllm', requestsPerSecond: at(3), p95LatencySeconds: at(0.4), tokensPerSecond: at(120), errorsPerSecond: at(0) }],
  } as unknown as MetricsSummary;

  it("joins each deployment to its summary numbers, and says why a deployment without any has none", () => {
    const rows = monitoringRows([chat, embed], summary, 'no metrics for this instance');
    expect(rows[0]?.requestsPerSecond).toEqual({ value: 3 });
    expect(rows[1]?.requestsPerSecond).toEqual({ value: null, reason: 'no metrics for this instance' });
  });

  it('filters by status, cluster and runtime exactly and by text in the name or the model', () => {
    const rows = monitoringRows([chat, embed], summary, 'none');
    const names = (filters: Partial<typeof NO_FILTERS>) => filterRows(rows, { ...NO_FILTERS, ...filters }).map((row) => row.deployment.name);
    expect(names({})).toEqual(['chat', 'embed']);
    expect(names({ status: 'failed' })).toEqual(['embed']);
    expect(names({ cluster: 'local' })).toEqual(['chat']);
    expect(names({ runtime: 'tei' })).toEqual(['embed']);
    expect(names({ q: 'EMBED-MOD' })).toEqual(['embed']);
    expect(names({ runtime: 'tei', cluster: 'local' })).toEqual([]);
  });
});

describe('GPUs per cluster', () => {
  it("takes allocation from the summary, else from the cluster's inventory, and leaves out clusters without GPUs", () => {
    const summary = {
      clusters: [{ cluster: 'gpu-east', gpuUtilization: at(63), gpusAllocated: 6, gpusTotal: 8, temperatures: [{ node: 'n1', index: 0, celsius: 70 }] }],
    } as unknown as MetricsSummary;
    const rows = clusterGpuRows([cluster('gpu-east', 1, 1), cluster('gpu-west', 2, 4), cluster('local', 0, 0)], summary);
    expect(rows).toEqual([
      { cluster: 'gpu-east', utilizationPercent: 63, allocated: 6, total: 8, temperatures: [{ node: 'n1', index: 0, celsius: 70 }] },
      { cluster: 'gpu-west', utilizationPercent: null, allocated: 2, total: 4, temperatures: [] },
    ]);
    expect(clusterGpuRows([cluster('gpu-west', 2, 4)], undefined)).toHaveLength(1);
  });

  it('colors a GPU amber from 75 °C and red from 85 °C, grey without a reading', () => {
    expect([heatOf(74.9), heatOf(75), heatOf(84.9), heatOf(85), heatOf(null)]).toEqual(['ok', 'warm', 'warm', 'hot', 'unknown']);
  });
});
