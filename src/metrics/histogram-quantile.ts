/** One cumulative bucket: observations ≤ `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of cumulative buckets, as PromQL's `histogram_quantile` computes it: find the
 * bucket the rank falls in and interpolate linearly inside it (from 0 for the first bucket when
 * its bound is positive); a rank in the `+Inf` bucket answers the highest finite bound. Null
 * without observations or without a `+Inf` bucket.
 * https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted.at(-1);
  if (!last || last.le !== Number.POSITIVE_INFINITY || sorted.length < 2) return null;
  // Counts that go down (a replica restarted between readings) are made monotonic, as Prometheus does.
  for (let i = 1; i < sorted.length; i += 1) if (sorted[i]!.count < sorted[i - 1]!.count) sorted[i] = { le: sorted[i]!.le, count: sorted[i - 1]!.count };
  const total = last.count;
  if (!(total > 0)) return null;
  const rank = q * total;
  const index = sorted.findIndex((bucket) => bucket.count >= rank);
  if (index === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  const bucket = sorted[index]!;
  const lower = index === 0 ? (bucket.le > 0 ? 0 : bucket.le) : sorted[index - 1]!.le;
  const below = index === 0 ? 0 : sorted[index - 1]!.count;
  const inBucket = bucket.count - below;
  if (inBucket <= 0) return bucket.le;
  return lower + (bucket.le - lower) * ((rank - below) / inBucket);
}
