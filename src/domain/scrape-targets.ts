import { z } from 'zod';
import type { RuntimeId } from './optimization.js';

/**
 * Prometheus service discovery: what `GET /api/prometheus/sd` answers (Prometheus's
 * `http_sd_configs` format: a list of target groups) and which replicas' metrics Prometheus can
 * read at all. docs/monitoring.md is the operator's guide.
 */

/** The labels of one replica's target group; `__…__` ones are Prometheus's own and tell it how to scrape. */
export const scrapeTargetLabelsSchema = z.object({
  __metrics_path__: z.string().describe('Path of the metrics endpoint on the target.'),
  __scheme__: z.enum(['http', 'https']),
  deployment: z.string().describe('The deployment name.'),
  cluster: z.string().describe('The cluster name.'),
  runtime: z.string().describe('The runtime id (vllm, tgi, tei, embedded-llamacpp, …).'),
  model: z.string().describe('The model name in H-MAS.'),
  replica: z.string().describe('The replica id as `hmas logs --replica` and the API name it.'),
});

export const scrapeTargetGroupSchema = z.object({
  targets: z.array(z.string()).describe('`host:port` of one replica.'),
  labels: scrapeTargetLabelsSchema,
});
export type ScrapeTargetGroup = z.infer<typeof scrapeTargetGroupSchema>;

/**
 * Runtimes that refuse their metrics endpoint without the API key H-MAS gives every replica (and
 * keeps secret: it is the gateway's alone). llama.cpp's server leaves only /health, /v1/health,
 * /models, /v1/models and /api/tags open when `--api-key` is set (tools/server, "public
 * endpoints"); vLLM checks the key under /v1 only, TGI and TEI put /metrics outside their key
 * check, and the embedded runtime leaves /health and /metrics open.
 */
const METRICS_NEED_API_KEY: ReadonlySet<RuntimeId> = new Set<RuntimeId>(['llamacpp']);

/**
 * The metrics path Prometheus can scrape on a replica without any secret, or null: the runtime
 * exposes no metrics (Ollama) or refuses them without the replica's key (llama.cpp's server when
 * it has one — `apiKeyEnv` set, as H-MAS always does for it).
 */
export function scrapeMetricsPath(runtime: { id: RuntimeId; metricsPath: string | null; apiKeyEnv: string | null }): string | null {
  if (runtime.metricsPath === null) return null;
  if (runtime.apiKeyEnv !== null && METRICS_NEED_API_KEY.has(runtime.id)) return null;
  return runtime.metricsPath;
}
