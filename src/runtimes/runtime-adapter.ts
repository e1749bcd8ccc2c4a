import type {
  KnobKey,
  KnobValue,
  ModelFormat,
  Optimization,
  OptimizationIssue,
  RuntimeDescriptor,
  RuntimeId,
  Workload,
} from '../domain/optimization.js';
import type { PercentileServingField, ScalarServingField } from '../domain/monitoring.js';
import type { RuntimeEnvDocs } from '../domain/runtime-env-policy.js';

/** Where and how one deployment of a runtime listens and what it loads. */
export interface RenderContext {
  /** Model to serve: a local path (a directory, or a `.gguf` file) or a Hugging Face repo id. */
  model: string;
  /** Port the server listens on; the adapter's `port` when absent. */
  port?: number;
  /** Address to bind; `0.0.0.0` when absent, so a Service, the gateway or the agent can reach it. */
  host?: string;
  /** Model name the OpenAI-compatible API answers to; runtimes that cannot set one ignore it. */
  servedModelName?: string;
}

/** The context with defaults applied, as `base` receives it. */
export type ResolvedContext = Required<Pick<RenderContext, 'model' | 'port' | 'host'>> & Pick<RenderContext, 'servedModelName'>;

/**
 * What `render` produces: the arguments that follow the runtime's command (one argv entry each,
 * never a shell string), the environment, and warnings (settings the runtime does not have,
 * raw overrides that repeat a rendered flag, …). Pure and deterministic: same input, same output.
 */
export interface RenderResult {
  args: string[];
  env: Record<string, string>;
  /** Variables whose value comes from a named secret: variable → secret name (never the value); absent when none. */
  secretEnv?: Record<string, string>;
  warnings: OptimizationIssue[];
}

/** What one knob contributes to the command line and environment. */
export interface KnobOutput {
  args?: string[];
  env?: Record<string, string>;
  warnings?: OptimizationIssue[];
}

/** How one knob becomes the runtime's own flag(s) or environment variable(s). */
export interface KnobMapping<K extends KnobKey> {
  /** The flag(s) or variable(s), as the runtime documents them; shown to operators. */
  target: string;
  /** Values the runtime accepts, where it accepts only some (checked before rendering). */
  values?: readonly string[];
  /** Pure: the value (already validated) and the whole optimization, for knobs that interact. */
  render(value: KnobValue<K>, optimization: Optimization): KnobOutput;
}

export type KnobTable = { [K in KnobKey]?: KnobMapping<K> };

/**
 * One path the gateway forwards to the runtime (`/api/inference/:name/<path>`), with the page of
 * the runtime's documentation it comes from. Paths are canonical: `/` then segments of letters,
 * digits, `_` and `-` (a test insists), matched exactly — no prefixes, no patterns.
 */
export interface InferenceRoute {
  method: 'GET' | 'POST';
  path: string;
  doc: string;
}

/**
 * How a replica learns the bearer token only the gateway knows, so the gateway is the only way
 * in: the environment variable the runtime reads its API key from (environ is private to the
 * process owner, argv is world-readable in /proc) and the flag that would override it — or, for
 * a runtime without an API key option, why not.
 */
export type RuntimeApiKey = { env: string; flag: string | null; doc: string } | { env: null; reason: string };

/**
 * One series of a runtime's /metrics, by its sample name as the exposition writes it (a Python
 * counter `vllm:generation_tokens` is the sample `vllm:generation_tokens_total`; a histogram is
 * named by its base, its buckets are `<name>_bucket`), with label values it must have (exact) or
 * match (a regular expression, anchored as PromQL's `=~`).
 */
export interface MetricRef {
  name: string;
  match?: Readonly<Record<string, string>>;
  matchRegex?: Readonly<Record<string, string>>;
}

/**
 * Where one normalized field comes from. `metrics` are alternatives in order: the first that
 * exists wins (vLLM's v1 name, then its v0 name). A field the runtime does not have is
 * `unsupported` with the reason an operator reads instead of a number.
 */
export type ScalarMetricSource =
  /** A per-second rate of a counter (or of a histogram's `_sum`/`_count`, which count up too). */
  | { kind: 'counter'; metrics: readonly MetricRef[] }
  /** A value now, summed over replicas (requests) or averaged (a share such as KV-cache usage). */
  | { kind: 'gauge'; metrics: readonly MetricRef[]; aggregate: 'sum' | 'avg' }
  | { kind: 'unsupported'; reason: string };

/** Percentiles come from a histogram's cumulative buckets. */
export type PercentileMetricSource = { kind: 'histogram'; metrics: readonly MetricRef[] } | { kind: 'unsupported'; reason: string };

/**
 * Which of a runtime's own metric names mean each normalized field (`domain/monitoring.ts`), and
 * the documentation or source they come from. `metrics/` turns this into PromQL and reads live
 * exposition with it; nothing else knows a runtime's metric names.
 */
export interface ServingMetricMap {
  docs: readonly string[];
  fields: { [F in ScalarServingField]: ScalarMetricSource } & { [F in PercentileServingField]: PercentileMetricSource };
}

/** Everything that makes one runtime, as data plus small pure functions. */
export interface RuntimeSpec {
  id: RuntimeId;
  displayName: string;
  /** What the runtime serves: text generation, embeddings, or both. */
  workloads: readonly Workload[];
  /** Default container image; null when the runtime runs on the host only. */
  image: { repository: string; tag: string } | null;
  command: {
    /** Program and leading arguments on a host, e.g. `['vllm', 'serve']`. */
    host: readonly string[];
    /**
     * Container command replacing the image entrypoint, where the entrypoint would not take the
     * rendered args as they are (Ollama's image runs `/bin/ollama` with CMD `serve`); null = keep
     * the image's entrypoint and pass the args to it (or no image at all).
     */
    container: readonly string[] | null;
  };
  /** Port the runtime listens on unless told otherwise (H-MAS always renders the port). */
  port: number;
  /**
   * How long a new replica may take to start before a rollout judges it, in seconds, for runtimes
   * known to start slowly (big weights, CUDA graph capture); the strategy's grace when shorter.
   */
  startupGraceSeconds?: number;
  /** Answers 200 once the model is loaded and the server takes requests. */
  healthPath: string;
  /** Prometheus metrics, or null when the runtime exposes none. */
  metricsPath: string | null;
  /** Which of its metrics mean requests/s, TTFT, KV-cache usage… (a reason for each it lacks). */
  servingMetrics: ServingMetricMap;
  /** Prefix of the OpenAI-compatible API (`/v1/chat/completions` lives under it). */
  openaiBasePath: string;
  /** Whether streaming requests may carry `stream_options.include_usage` (the gateway adds it). */
  supportsIncludeUsage: boolean;
  /** Weight formats the runtime loads. */
  supportedFormats: readonly ModelFormat[];
  /**
   * What `/api/inference/:name/*` forwards to it: inference only (generate, chat, embed, rerank,
   * tokenize, the model list). Health, metrics and every administrative endpoint stay unreachable.
   */
  inferenceRoutes: readonly InferenceRoute[];
  apiKey: RuntimeApiKey;
  /** Where the flags and variables in `knobs` are documented; tests cite these too. */
  docs: readonly string[];
  /**
   * Environment variables the runtime documents, and where. On the local host `raw.extraEnv` may
   * set only these and the shared safe families (`domain/runtime-env-policy.ts`).
   */
  env: RuntimeEnvDocs;
  knobs: KnobTable;
  /** Knobs the runtime does not have, with the reason an operator reads in the warning. */
  unsupported: { [K in KnobKey]?: string };
  /** Knobs the runtime refuses together. */
  conflicts?: ReadonlyArray<{ knobs: readonly [KnobKey, KnobKey]; message: string }>;
  /** Whether raw `extraArgs` / `extraEnv` reach the runtime. */
  raw: { extraArgs: boolean; extraEnv: boolean };
  /** Arguments and environment every deployment gets (model, port, host, metrics switch, …). */
  base(context: ResolvedContext): { args: string[]; env: Record<string, string> };
  /** Rules no table can say (e.g. a draft model required for one speculative method). */
  check?(optimization: Optimization): OptimizationIssue[];
}

/**
 * A serving runtime H-MAS can deploy. Adapters are data-driven (`defineRuntime` in
 * `define-runtime.ts` builds one from a `RuntimeSpec`): adding a runtime is one file and one
 * line in `index.ts`.
 */
export interface RuntimeAdapter extends RuntimeSpec {
  /**
   * The runtime's own flags and environment for these settings. Throws `ValidationError`
   * (400 VALIDATION_FAILED, `details.issues`) when a value is out of range or not accepted by
   * this runtime; knobs the runtime does not have come back as `warnings`, never silently dropped.
   */
  render(optimization: Optimization, context: RenderContext): RenderResult;
  /**
   * Checks an optimization for this runtime without rendering. `errors` make `render` throw;
   * `unsupported` lists knobs the runtime does not have.
   */
  validate(optimization: Optimization): { errors: OptimizationIssue[]; unsupported: OptimizationIssue[] };
  /** The adapter as plain data (no functions), with its knobs per tier, for the API and the UI. */
  describe(): RuntimeDescriptor;
}
