import type { MetricValue, Percentiles } from '../domain/monitoring.js';
import type { MetricRef, PercentileMetricSource, ScalarMetricSource } from '../runtimes/runtime-adapter.js';
import type { Sample } from './exposition.js';
import { histogramQuantile, type Bucket } from './histogram-quantile.js';
import { PERCENTILES, sourceNames } from './promql.js';

/** One source's /metrics now, and the reading rates are taken against (absent on the first). */
export interface ReadingPair {
  current: { at: number; samples: readonly Sample[] };
  baseline?: { at: number; samples: readonly Sample[] } | undefined;
}

function matches(sample: Sample, ref: MetricRef, name: string): boolean {
  if (sample.name !== name) return false;
  for (const [label, value] of Object.entries(ref.match ?? {})) if (sample.labels[label] !== value) return false;
  for (const [label, pattern] of Object.entries(ref.matchRegex ?? {})) if (!new RegExp(`^(?:${pattern})$`).test(sample.labels[label] ?? '')) return false;
  return true;
}

const select = (samples: readonly Sample[], ref: MetricRef, suffix = '') => samples.filter((sample) => matches(sample, ref, ref.name + suffix));
const seriesKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The first alternative any reading has, so vLLM's v1 name wins over its v0 one. A labelled
 * counter counts as present once its name is (its `result="error"` series appears only with the
 * first error: until then the rate is a true 0).
 */
function present(refs: readonly MetricRef[], readings: readonly ReadingPair[], suffix = ''): MetricRef | undefined {
  return refs.find((ref) => readings.some((reading) => select(reading.current.samples, { name: ref.name }, suffix).length > 0));
}

/** How much a counter grew between two readings, series by series; a series that went down restarted (counted from 0). */
function increase(ref: MetricRef, pair: Required<ReadingPair>, suffix = ''): number {
  const before = new Map(select(pair.baseline.samples, ref, suffix).map((sample) => [seriesKey(sample.labels), sample.value]));
  let total = 0;
  for (const sample of select(pair.current.samples, ref, suffix)) {
    const old = before.get(seriesKey(sample.labels)) ?? 0;
    total += sample.value >= old ? sample.value - old : sample.value;
  }
  return total;
}

// Labelled counters appear at their first count: before any request there is no sample, which is not a 0 we know.
const noSeries = (what: string) => ({ value: null, reason: `No sample of ${what} yet: nothing has been counted since the replicas (or this H-MAS instance) started.` });
const NEEDS_SECOND = 'A rate needs a second reading: ask again in a few seconds.';

/** A scalar field over every replica's reading. */
export function evaluateScalar(source: ScalarMetricSource, readings: readonly ReadingPair[]): MetricValue {
  if (source.kind === 'unsupported') return { value: null, reason: source.reason };
  if (readings.length === 0) return { value: null, reason: 'No replica answered.' };
  const ref = present(source.metrics, readings);
  if (!ref) return noSeries(sourceNames(source));
  if (source.kind === 'gauge') {
    const values = readings.flatMap((reading) => select(reading.current.samples, ref)).map((sample) => sample.value).filter(Number.isFinite);
    if (values.length === 0) return { value: null, reason: `${ref.name} has no finite value.` };
    const sum = values.reduce((a, b) => a + b, 0);
    return { value: source.aggregate === 'sum' ? sum : sum / values.length };
  }
  let rate = 0;
  let rated = 0;
  for (const pair of readings) {
    if (!pair.baseline || pair.current.at <= pair.baseline.at) continue;
    rate += increase(ref, pair as Required<ReadingPair>) / ((pair.current.at - pair.baseline.at) / 1000);
    rated += 1;
  }
  return rated === 0 ? { value: null, reason: NEEDS_SECOND } : { value: rate };
}

function bucketsOf(samples: readonly Sample[], ref: MetricRef): Map<number, number> {
  const byLe = new Map<number, number>();
  for (const sample of select(samples, ref, '_bucket')) {
    const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    if (Number.isNaN(le)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + sample.value);
  }
  return byLe;
}

const toBuckets = (byLe: Map<number, number>): Bucket[] => [...byLe].map(([le, count]) => ({ le, count }));

/**
 * p50/p95/p99 over every replica's buckets: from what was observed since the baseline reading
 * when there is one with observations in between, else since each replica started (the
 * reason says so).
 */
export function evaluatePercentiles(source: PercentileMetricSource, readings: readonly ReadingPair[]): Percentiles {
  const all = (value: MetricValue): Percentiles => ({ p50: value, p95: value, p99: value });
  if (source.kind === 'unsupported') return all({ value: null, reason: source.reason });
  if (readings.length === 0) return all({ value: null, reason: 'No replica answered.' });
  const ref = present(source.metrics, readings, '_bucket');
  if (!ref) return all(noSeries(sourceNames(source)));
  const window = new Map<number, number>();
  const sinceStart = new Map<number, number>();
  for (const pair of readings) {
    const now = bucketsOf(pair.current.samples, ref);
    const before = pair.baseline ? bucketsOf(pair.baseline.samples, ref) : undefined;
    for (const [le, count] of now) {
      sinceStart.set(le, (sinceStart.get(le) ?? 0) + count);
      if (before) {
        const old = before.get(le) ?? 0;
        window.set(le, (window.get(le) ?? 0) + (count >= old ? count - old : count));
      }
    }
  }
  const windowCount = window.get(Number.POSITIVE_INFINITY) ?? 0;
  const useWindow = windowCount > 0;
  const buckets = toBuckets(useWindow ? window : sinceStart);
  const reason = useWindow ? undefined : 'Since the replicas started: no request finished between the last two readings.';
  const at = (q: number): MetricValue => {
    const value = histogramQuantile(q, buckets);
    if (value === null) return { value: null, reason: 'No request observed yet.' };
    return reason ? { value, reason } : { value };
  };
  return { p50: at(PERCENTILES.p50), p95: at(PERCENTILES.p95), p99: at(PERCENTILES.p99) };
}
