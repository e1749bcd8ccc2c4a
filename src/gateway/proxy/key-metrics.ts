import { Counter, Histogram, type Registry } from 'prom-client';

/** The metric children of one API key (or of callers without one), looked up once and kept. */
export interface KeyMetrics {
  /** Records one finished request; nothing once the key was forgotten (revoked while in flight). */
  record(statusCode: number, seconds: number, promptTokens: number, completionTokens: number): void;
}

type StatusClass = '2xx' | '4xx' | '5xx';

/** 1xx and 3xx never end a gateway request; anything below 400 counts as answered. */
function statusClassOf(statusCode: number): StatusClass {
  return statusCode >= 500 ? '5xx' : statusCode >= 400 ? '4xx' : '2xx';
}

/**
 * Per-key series (`hmas_inference_key_*`): `api_key` is the key's id (never the secret), ''
 * for callers without a key (sessions) and requests refused before a caller was known. The
 * label set is bounded by the keys that exist: `forget(id)` removes a key's children when the
 * key is revoked or changed (a changed key starts again from 0, which `rate()` reads as a
 * counter reset). A request still in flight holds the children it took, which record nothing
 * once forgotten (prom-client would put them back), so it cannot bring a revoked key back.
 */
export function createKeyMetrics(registry: Registry, durationBuckets: readonly number[]) {
  const registers = [registry];
  const requests = new Counter({
    name: 'hmas_inference_key_requests_total',
    help: 'Inference requests answered by the gateway, by API key id ("" without a key) and status class (2xx, 4xx, 5xx).',
    labelNames: ['api_key', 'status_class'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'hmas_inference_key_tokens_total',
    help: 'Tokens used through the gateway, by API key id ("" without a key) and direction (prompt, completion).',
    labelNames: ['api_key', 'direction'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'hmas_inference_key_duration_seconds',
    help: 'Time from receiving an inference request to the end of its answer, by API key id ("" without a key).',
    labelNames: ['api_key'] as const,
    buckets: [...durationBuckets],
    registers,
  });

  const byKey = new Map<string, KeyMetrics>();

  return {
    key(keyId: string): KeyMetrics {
      let metrics = byKey.get(keyId);
      if (!metrics) {
        const classes: Record<StatusClass, Counter.Internal> = {
          '2xx': requests.labels(keyId, '2xx'),
          '4xx': requests.labels(keyId, '4xx'),
          '5xx': requests.labels(keyId, '5xx'),
        };
        const seconds = duration.labels(keyId);
        const prompt = tokens.labels(keyId, 'prompt');
        const completion = tokens.labels(keyId, 'completion');
        metrics = {
          record(statusCode, durationSeconds, promptTokens, completionTokens) {
            if (byKey.get(keyId) !== metrics) return;
            classes[statusClassOf(statusCode)].inc();
            seconds.observe(durationSeconds);
            if (promptTokens > 0) prompt.inc(promptTokens);
            if (completionTokens > 0) completion.inc(completionTokens);
          },
        };
        byKey.set(keyId, metrics);
      }
      return metrics;
    },
    /** Removes a key's series (revoked, changed): the registry holds only keys that are used. */
    forget(keyId: string): void {
      if (keyId === '' || !byKey.delete(keyId)) return;
      for (const statusClass of ['2xx', '4xx', '5xx'] as const) requests.remove(keyId, statusClass);
      tokens.remove(keyId, 'prompt');
      tokens.remove(keyId, 'completion');
      duration.remove(keyId);
    },
  };
}

export type KeyMetricsRegistry = ReturnType<typeof createKeyMetrics>;
