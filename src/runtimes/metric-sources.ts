import type { MetricRef, PercentileMetricSource, ScalarMetricSource } from './runtime-adapter.js';

/** Builders for the rows of a runtime's `servingMetrics` table. */

type Ref = string | MetricRef;
const refs = (names: readonly Ref[]): MetricRef[] => names.map((name) => (typeof name === 'string' ? { name } : name));

/** A per-second rate of these counter samples (alternatives in order). */
export const counter = (...names: Ref[]): ScalarMetricSource => ({ kind: 'counter', metrics: refs(names) });

/** A gauge summed over replicas. */
export const gaugeSum = (...names: Ref[]): ScalarMetricSource => ({ kind: 'gauge', metrics: refs(names), aggregate: 'sum' });

/** A gauge averaged over replicas (a share, such as KV-cache usage). */
export const gaugeAvg = (...names: Ref[]): ScalarMetricSource => ({ kind: 'gauge', metrics: refs(names), aggregate: 'avg' });

/** p50/p95/p99 from this histogram's buckets (alternatives in order). */
export const histogram = (...names: Ref[]): PercentileMetricSource => ({ kind: 'histogram', metrics: refs(names) });

/** A field the runtime does not expose, and why. */
export const missing = (reason: string): { kind: 'unsupported'; reason: string } => ({ kind: 'unsupported', reason });
