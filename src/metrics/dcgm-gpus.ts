import type { GpuMetrics, MetricValue } from '../domain/monitoring.js';
import { DCGM_SERIES, type DcgmField } from './dcgm-queries.js';
import type { PodRef } from './gpu-pod-deployments.js';
import type { InstantSample } from './prometheus-client.js';

/**
 * DCGM series (one instant query of `dcgmSeriesQuery`) → one entry per GPU. dcgm-exporter labels
 * each series with the GPU (`gpu` index, `UUID`, `modelName`), the node (`Hostname`) and, in
 * Kubernetes mode, the pod using the GPU (`pod`, `namespace`, `container`). A GPU can have
 * several series of one metric: one per pod sharing it (time-slicing: copies of one value) and
 * one per MIG instance (`GPU_I_ID`: parts of the GPU).
 */

const MIB = 2 ** 20;
const FIELD_OF = new Map<string, DcgmField>(Object.entries(DCGM_SERIES).map(([field, name]) => [name, field as DcgmField]));

/**
 * A label under its names: Prometheus renames a target's label the exporter also sets to
 * `exported_<name>` (a scrape through Kubernetes service discovery adds its own `pod` and
 * `namespace`, the exporter's), and dcgm-exporter's `--use-old-namespace` writes `pod_name`.
 */
function label(labels: Record<string, string>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') return value;
  }
  return null;
}

/** Where the node's name is: dcgm-exporter's `Hostname` (the node name in Kubernetes), else the scrape target. */
export const nodeOf = (labels: Record<string, string>) => label(labels, ['Hostname', 'node', 'instance']) ?? 'unknown';

function podOf(labels: Record<string, string>): PodRef | null {
  const name = label(labels, ['exported_pod', 'pod', 'pod_name']);
  return name === null ? null : { name, namespace: label(labels, ['exported_namespace', 'namespace', 'pod_namespace']) };
}

interface GpuSeries {
  node: string;
  index: number;
  uuid: string | null;
  model: string | null;
  /** Per field, per MIG instance ('' for the whole GPU): the value. */
  values: Map<DcgmField, Map<string, number | null>>;
  deployments: Set<string>;
}

function valueOf(gpu: GpuSeries, field: DcgmField, combine: 'sum' | 'max'): MetricValue {
  const byInstance = gpu.values.get(field);
  if (!byInstance || byInstance.size === 0) {
    return { value: null, reason: `dcgm-exporter exports no ${DCGM_SERIES[field]} for this GPU (not in its counters file, or not measured in MIG mode).` };
  }
  const values = [...byInstance.values()];
  if (values.some((value) => value === null)) return { value: null, reason: `DCGM reported no value for ${DCGM_SERIES[field]} (NaN).` };
  const numbers = values as number[];
  return { value: combine === 'sum' ? numbers.reduce((total, value) => total + value, 0) : Math.max(...numbers) };
}

function memory(gpu: GpuSeries): Pick<GpuMetrics, 'memoryUsedBytes' | 'memoryTotalBytes'> {
  const used = valueOf(gpu, 'memoryUsed', 'sum');
  const free = valueOf(gpu, 'memoryFree', 'sum');
  const usedBytes: MetricValue = used.value === null ? used : { value: used.value * MIB };
  if (used.value === null || free.value === null) return { memoryUsedBytes: usedBytes, memoryTotalBytes: free.value === null ? free : used };
  return { memoryUsedBytes: usedBytes, memoryTotalBytes: { value: (used.value + free.value) * MIB } };
}

/**
 * One entry per GPU (sorted by node and index). `deploymentOf` maps a pod to the H-MAS
 * deployment it belongs to (null: not one of H-MAS's). Series without a `gpu` index are skipped.
 */
export function gpusFromDcgm(samples: readonly InstantSample[], deploymentOf: (pod: PodRef) => string | null): GpuMetrics[] {
  const gpus = new Map<string, GpuSeries>();
  for (const sample of samples) {
    const field = FIELD_OF.get(sample.labels.__name__ ?? '');
    const indexText = sample.labels.gpu ?? '';
    if (!field || !/^\d+$/.test(indexText)) continue;
    const node = nodeOf(sample.labels);
    const uuid = label(sample.labels, ['UUID', 'uuid']);
    const key = `${node}\u0000${uuid ?? indexText}`;
    let gpu = gpus.get(key);
    if (!gpu) {
      gpu = { node, index: Number(indexText), uuid, model: label(sample.labels, ['modelName']), values: new Map(), deployments: new Set() };
      gpus.set(key, gpu);
    }
    const byInstance = gpu.values.get(field) ?? new Map<string, number | null>();
    byInstance.set(sample.labels.GPU_I_ID ?? '', sample.value);
    gpu.values.set(field, byInstance);
    const pod = podOf(sample.labels);
    const deployment = pod ? deploymentOf(pod) : null;
    if (deployment) gpu.deployments.add(deployment);
  }
  return [...gpus.values()]
    .sort((a, b) => a.node.localeCompare(b.node) || a.index - b.index)
    .map((gpu) => ({
      node: gpu.node,
      index: gpu.index,
      uuid: gpu.uuid,
      model: gpu.model,
      utilization: valueOf(gpu, 'utilization', 'max'),
      ...memory(gpu),
      temperatureCelsius: valueOf(gpu, 'temperatureCelsius', 'max'),
      powerWatts: valueOf(gpu, 'powerWatts', 'max'),
      smClockMhz: valueOf(gpu, 'smClockMhz', 'max'),
      xidErrors: valueOf(gpu, 'xidErrors', 'max'),
      deployments: [...gpu.deployments].sort(),
    }));
}
