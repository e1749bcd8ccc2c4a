import { scrapeMetricsPath } from '../../domain/scrape-targets.js';
import type { WorkloadSpec } from '../../domain/workload.js';

/** The annotations Prometheus's conventional `kubernetes_sd_configs` relabeling reads (docs/monitoring.md). */
export const SCRAPE_ANNOTATIONS = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
} as const;
/** The model's name: a pod label where it is a valid label value, always an annotation (names may be 128 characters). */
export const MODEL_LABEL = 'hmas.io/model';

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)$/;

/**
 * What a workload's pods carry so that Prometheus's `kubernetes_sd_configs` finds them: the
 * scrape annotations — `prometheus.io/scrape: "true"` only where the runtime's metrics are
 * readable without the replica's key (not Ollama, which has none, nor llama.cpp's server, which
 * guards them with its key) — and the model as label and annotation. Rendered on the pod
 * template, not in the spec, so its hash (and what runs) stays as it was.
 */
export function scrapeMetadata(spec: Pick<WorkloadSpec, 'runtime' | 'metricsPath' | 'apiKeyEnv' | 'port' | 'model'>): { labels: Record<string, string>; annotations: Record<string, string> } {
  const path = scrapeMetricsPath({ id: spec.runtime, metricsPath: spec.metricsPath, apiKeyEnv: spec.apiKeyEnv });
  const annotations: Record<string, string> = path
    ? { [SCRAPE_ANNOTATIONS.scrape]: 'true', [SCRAPE_ANNOTATIONS.port]: String(spec.port), [SCRAPE_ANNOTATIONS.path]: path }
    : { [SCRAPE_ANNOTATIONS.scrape]: 'false' };
  annotations[MODEL_LABEL] = spec.model.name;
  return { labels: LABEL_VALUE.test(spec.model.name) ? { [MODEL_LABEL]: spec.model.name } : {}, annotations };
}

/** `annotations` without the scrape annotations (the spec's own predate the key check; `scrapeMetadata`'s replace them). */
export function withoutScrapeAnnotations(annotations: Record<string, string>): Record<string, string> {
  const names: ReadonlySet<string> = new Set(Object.values(SCRAPE_ANNOTATIONS));
  return Object.fromEntries(Object.entries(annotations).filter(([name]) => !names.has(name)));
}
