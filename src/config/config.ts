import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting H-MAS reads from the environment. This module is the only reader of
 * `process.env`; everything else receives the frozen {@link Config}.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const configSchema = z.object({
  HMAS_HOST: z.string().min(1).default('127.0.0.1').describe('Address the server listens on.'),
  HMAS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8080)).describe('Port the server listens on (0 = any free port).'),
  HMAS_DATA_DIR: z.string().min(1).default('./.hmas').describe('Data directory: embedded database, generated secrets.'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()).describe('PostgreSQL URL. Unset = embedded PGlite in the data directory.'),
  HMAS_JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32).optional()).describe('Secret for signing session tokens (≥32 chars). Unset = generated once and kept in the data directory.'),
  HMAS_JWT_TTL_SECONDS: z.coerce.number().int().min(60).default(12 * 3600).describe('Lifetime of a session token in seconds.'),
  HMAS_ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8).optional()).describe('Password of the `admin` user created on first start. Unset = generated and printed once.'),
  HMAS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  HMAS_LOG_PRETTY: z.preprocess(emptyAsUndefined, booleanFromEnv.optional()).describe('Human-readable logs (default: on when stdout is a terminal).'),
  HMAS_COOKIE_SECURE: booleanFromEnv.default(false).describe('Mark the session cookie Secure (set when served over HTTPS).'),
  HMAS_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024).describe('Largest accepted request body.'),
  HMAS_HTTP_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('How long a client may take to send the headers of a request; slower ones are answered 408 and disconnected.'),
  HMAS_HTTP_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(60_000)
    .describe('How long a client may take to send a whole request, headers and body (408). Answers, streams included, are not limited by it.'),
  HMAS_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(72_000).describe('How long an idle keep-alive connection stays open between requests.'),
  HMAS_HTTP_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Closes a connection on which no byte moved either way for this long (0 = never). Must exceed HMAS_GATEWAY_TIMEOUT_MS; quiet `logs -f` streams are cut by it.'),
  HMAS_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(10_000).describe('How long in-flight HTTP requests may finish on shutdown.'),
  HMAS_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5).describe('Failed logins per user and address before logins are throttled.'),
  HMAS_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60).describe('Window for counting failed logins.'),
  HMAS_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(365).describe('Audit log entries older than this are deleted (hourly).'),
  HMAS_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30).describe('Deployment events last seen longer ago than this are deleted from the events history (hourly, in batches).'),
  HMAS_GPU_USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).default(400).describe('GPU usage (GPU-seconds per deployment per hour, what cost reports read) older than this is deleted (hourly, in batches).'),
  HMAS_EVENT_COPY_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000).describe("How often the clusters' events are copied into the events history."),
  HMAS_WEB_DIR: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Directory of the built web UI (default: dist/web of the package).'),
  HMAS_SECRET_KEY: z.preprocess(emptyAsUndefined, z.string().min(32).optional()).describe('Key for encrypting stored credentials (kubeconfigs, tokens) with AES-256-GCM (≥32 chars). Unset = generated once and kept in the data directory.'),
  HMAS_LOCAL_CLUSTER: booleanFromEnv.default(true).describe('Register the host H-MAS runs on as cluster `local` on first start, or claim a `local` cluster that no instance owns yet; the owner alone runs local replicas (false: this instance owns none).'),
  HMAS_NVIDIA_SMI: z.string().min(1).default('nvidia-smi').describe('nvidia-smi command used for the local GPU inventory, and for the GPU metrics of cluster local when Prometheus has no DCGM series of it.'),
  HMAS_RUNTIME_BIN_VLLM: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Program of the vLLM runtime on cluster `local` (default: `vllm` on PATH).'),
  HMAS_RUNTIME_BIN_TGI: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Program of the TGI runtime on cluster `local` (default: `text-generation-launcher` on PATH).'),
  HMAS_RUNTIME_BIN_TEI: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Program of the TEI runtime on cluster `local` (default: `text-embeddings-router` on PATH).'),
  HMAS_RUNTIME_BIN_LLAMACPP: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Program of the llama.cpp runtime on cluster `local` (default: `llama-server` on PATH).'),
  HMAS_RUNTIME_BIN_OLLAMA: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Program of the Ollama runtime on cluster `local` (default: `ollama` on PATH).'),
  HMAS_RUNTIME_USER: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/, 'Use "user" or "user:group" (names or numbers).')
    .default('nobody')
    .describe('User (`user` or `user:group`) replicas on cluster `local` run as when H-MAS runs as root; create a dedicated one (e.g. `hmas-runtime`). Not root: replicas run as the server\'s user, with a warning at start.'),
  HMAS_RUNTIME_API_KEY: z
    .preprocess(emptyAsUndefined, z.string().min(16).optional())
    .describe('Bearer key `hmas runtime llama` requires on every route but /health. The local driver sets a random one per replica; unset = none required.'),
  HF_ENDPOINT: z.string().url().default('https://huggingface.co').describe('Hugging Face Hub base URL (a mirror or an air-gapped hub works).'),
  HMAS_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000).describe('How often the deployment reconciler compares the database with the clusters.'),
  HMAS_FAILOVER_INTERVAL_MS: z.coerce.number().int().min(500).default(15_000).describe('How often the failover loop looks for deployments whose cluster is lost longer than their failover policy allows, and for old copies to remove from returned clusters.'),
  HMAS_LEADER_ELECTION_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5_000)
    .describe('With several instances on one PostgreSQL: how often a follower tries to become the leader (which runs the leader-only loops) and the leader checks it still is. A dead leader is replaced within two intervals.'),
  HMAS_ROLLOUT_GRACE_RECREATE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(180)
    .describe('Startup grace of a Recreate rollout: new replicas that crash-loop, are OOM-killed or miss their deadline after it are rolled back automatically.'),
  HMAS_ROLLOUT_GRACE_ROLLING_UPDATE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(90)
    .describe('Startup grace of a RollingUpdate rollout before a failing change is rolled back automatically (runtimes known to start slowly, such as vLLM, get their own longer grace).'),
  REDIS_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()).describe('Redis URL: rate limits and key revocations shared by several H-MAS instances. Unset = in memory (one instance).'),
  PROMETHEUS_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()).describe('Prometheus server the monitoring endpoints query (e.g. http://prometheus:9090). Unset = metric history answers 503 PROMETHEUS_NOT_CONFIGURED; live snapshots still work.'),
  PROMETHEUS_BEARER_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Bearer token sent to Prometheus (never logged). Not with PROMETHEUS_USERNAME.'),
  PROMETHEUS_USERNAME: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Basic-auth user for Prometheus (with PROMETHEUS_PASSWORD).'),
  PROMETHEUS_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Basic-auth password for Prometheus (never logged).'),
  PROMETHEUS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000).describe('How long a Prometheus query may take before the endpoint answers 504 PROMETHEUS_TIMEOUT.'),
  HMAS_RATE_LIMIT_RPM: z.coerce.number().int().min(0).default(60).describe('Default requests per minute per API key and per user (0 = unlimited).'),
  HMAS_RATE_LIMIT_TPM: z.coerce.number().int().min(0).default(0).describe('Default tokens per minute per API key and per user (0 = unlimited).'),
  HMAS_RATE_LIMIT_FAILURE_MODE: z
    .enum(['open', 'closed'])
    .default('open')
    .describe('While the rate limiter cannot reach Redis: `open` admits requests without limits, `closed` refuses them with 503 RATE_LIMITER_UNAVAILABLE.'),
  HMAS_REDIS_KEY_PREFIX: z.string().min(1).default('hmas:').describe('Prefix of every Redis key and channel H-MAS uses, so several installations can share one Redis.'),
  HMAS_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000).describe('How long the gateway waits for an upstream answer to start (504 UPSTREAM_TIMEOUT).'),
  HMAS_INFERENCE_LOG_BUFFER: z.coerce.number().int().min(1).default(1000).describe('Inference log entries buffered before new ones are dropped (and counted).'),
  HMAS_INFERENCE_LOG_BATCH: z.coerce.number().int().min(1).default(100).describe('Inference log entries written per database insert.'),
  HMAS_INFERENCE_LOG_FLUSH_MS: z.coerce.number().int().min(10).default(5000).describe('How often buffered inference log entries are written.'),
  HMAS_INFERENCE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(30).describe('Inference log entries older than this are deleted (hourly, in batches).'),
  HMAS_INFERENCE_LOG_SPOOL: booleanFromEnv.default(true).describe('Append each inference log entry to a spool file in the data directory before it is inserted, so a crash (kill -9) or a long database outage loses none; replayed at start. Costs under 3 % of gateway throughput (bench/README.md); false = buffer in memory only.'),
  HMAS_INFERENCE_LOG_SPOOL_MAX_BYTES: z.coerce.number().int().min(65536).default(256 * 1024 * 1024).describe('Largest size of the inference log spool; beyond, entries are kept in memory only (and counted).'),
  HF_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()).describe('Hugging Face token for gated or private repos.'),
  HMAS_MODEL_DOWNLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000).describe('A model file download that receives no byte for this long is cut and resumed.'),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly jwtTtlSeconds: number;
  readonly adminPassword: string | undefined;
  readonly logLevel: RawConfig['HMAS_LOG_LEVEL'];
  readonly logPretty: boolean;
  readonly cookieSecure: boolean;
  readonly bodyLimitBytes: number;
  readonly shutdownDrainMs: number;
  /** Bounds on how slowly clients may send requests (and keep idle connections), in ms. */
  readonly http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; idleTimeoutMs: number };
  readonly loginMaxFailures: number;
  readonly loginWindowSeconds: number;
  readonly auditRetentionDays: number;
  readonly events: { retentionDays: number; copyIntervalMs: number };
  /** Days GPU usage (the cost reports' GPU time) is kept. */
  readonly gpuUsageRetentionDays: number;
  readonly webDir: string | undefined;
  readonly secretKey: string | undefined;
  readonly registerLocalCluster: boolean;
  readonly nvidiaSmiCommand: string;
  /** Configured runtime programs for cluster `local`, by runtime id (unset ones are looked up on PATH). */
  readonly runtimeBinaries: Readonly<Partial<Record<'vllm' | 'tgi' | 'tei' | 'llamacpp' | 'ollama', string>>>;
  /** HMAS_RUNTIME_USER: who local replicas run as when the server is root. */
  readonly runtimeUser: string;
  /** The embedded runtime's API key (`hmas runtime llama` only). */
  readonly runtimeApiKey: string | undefined;
  readonly hfEndpoint: string;
  readonly hfToken: string | undefined;
  readonly modelDownloadIdleTimeoutMs: number;
  readonly reconcileIntervalMs: number;
  readonly failoverIntervalMs: number;
  readonly leaderElectionIntervalMs: number;
  /** Startup grace of a rollout per strategy, in seconds. */
  readonly rolloutGraceSeconds: Readonly<{ Recreate: number; RollingUpdate: number }>;
  readonly redisUrl: string | undefined;
  /** Where monitoring reads metric history; undefined without PROMETHEUS_URL. */
  readonly prometheus: Readonly<{ url: string; auth: PrometheusAuth | undefined; timeoutMs: number }> | undefined;
  readonly redisKeyPrefix: string;
  readonly rateLimitDefaults: { rpm: number; tpm: number };
  readonly rateLimitFailureMode: RawConfig['HMAS_RATE_LIMIT_FAILURE_MODE'];
  readonly gatewayTimeoutMs: number;
  readonly inferenceLog: { buffer: number; batch: number; flushMs: number; retentionDays: number; spool: boolean; spoolMaxBytes: number };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings that are valid alone but not together. */
function combinationProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  if (raw.HMAS_HTTP_HEADERS_TIMEOUT_MS > raw.HMAS_HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HMAS_HTTP_HEADERS_TIMEOUT_MS: must not exceed HMAS_HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request).');
  }
  if (raw.HMAS_HTTP_IDLE_TIMEOUT_MS > 0 && raw.HMAS_HTTP_IDLE_TIMEOUT_MS <= raw.HMAS_GATEWAY_TIMEOUT_MS) {
    problems.push('HMAS_HTTP_IDLE_TIMEOUT_MS: must exceed HMAS_GATEWAY_TIMEOUT_MS (or be 0), or answers that take long to start are cut.');
  }
  if (raw.PROMETHEUS_BEARER_TOKEN && (raw.PROMETHEUS_USERNAME || raw.PROMETHEUS_PASSWORD)) {
    problems.push('PROMETHEUS_BEARER_TOKEN: set either a bearer token or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD, not both.');
  }
  if (Boolean(raw.PROMETHEUS_USERNAME) !== Boolean(raw.PROMETHEUS_PASSWORD)) {
    problems.push('PROMETHEUS_USERNAME: basic auth for Prometheus needs both PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD.');
  }
  return problems;
}

/** How H-MAS authenticates to Prometheus. */
export type PrometheusAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

function prometheusAuth(raw: RawConfig): PrometheusAuth | undefined {
  if (raw.PROMETHEUS_BEARER_TOKEN) return { kind: 'bearer', token: raw.PROMETHEUS_BEARER_TOKEN };
  if (raw.PROMETHEUS_USERNAME && raw.PROMETHEUS_PASSWORD) return { kind: 'basic', username: raw.PROMETHEUS_USERNAME, password: raw.PROMETHEUS_PASSWORD };
  return undefined;
}

/** Parses configuration once. `overrides` (e.g. CLI flags) win over the environment. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof RawConfig, string | undefined>> = {},
): Config {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const raw = parsed.data;
  const combined = combinationProblems(raw);
  if (combined.length > 0) throw new ConfigError(combined);
  return Object.freeze({
    host: raw.HMAS_HOST,
    port: raw.HMAS_PORT,
    dataDir: path.resolve(raw.HMAS_DATA_DIR),
    databaseUrl: raw.DATABASE_URL,
    jwtSecret: raw.HMAS_JWT_SECRET,
    jwtTtlSeconds: raw.HMAS_JWT_TTL_SECONDS,
    adminPassword: raw.HMAS_ADMIN_PASSWORD,
    logLevel: raw.HMAS_LOG_LEVEL,
    logPretty: raw.HMAS_LOG_PRETTY ?? Boolean(process.stdout.isTTY),
    cookieSecure: raw.HMAS_COOKIE_SECURE,
    bodyLimitBytes: raw.HMAS_BODY_LIMIT_BYTES,
    shutdownDrainMs: raw.HMAS_SHUTDOWN_DRAIN_MS,
    http: Object.freeze({
      headersTimeoutMs: raw.HMAS_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: raw.HMAS_HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: raw.HMAS_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: raw.HMAS_HTTP_IDLE_TIMEOUT_MS,
    }),
    loginMaxFailures: raw.HMAS_LOGIN_MAX_FAILURES,
    loginWindowSeconds: raw.HMAS_LOGIN_WINDOW_SECONDS,
    auditRetentionDays: raw.HMAS_AUDIT_RETENTION_DAYS,
    events: Object.freeze({ retentionDays: raw.HMAS_EVENT_RETENTION_DAYS, copyIntervalMs: raw.HMAS_EVENT_COPY_INTERVAL_MS }),
    gpuUsageRetentionDays: raw.HMAS_GPU_USAGE_RETENTION_DAYS,
    webDir: raw.HMAS_WEB_DIR,
    secretKey: raw.HMAS_SECRET_KEY,
    registerLocalCluster: raw.HMAS_LOCAL_CLUSTER,
    nvidiaSmiCommand: raw.HMAS_NVIDIA_SMI,
    runtimeBinaries: Object.freeze(
      Object.fromEntries(
        Object.entries({
          vllm: raw.HMAS_RUNTIME_BIN_VLLM,
          tgi: raw.HMAS_RUNTIME_BIN_TGI,
          tei: raw.HMAS_RUNTIME_BIN_TEI,
          llamacpp: raw.HMAS_RUNTIME_BIN_LLAMACPP,
          ollama: raw.HMAS_RUNTIME_BIN_OLLAMA,
        }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    ),
    runtimeUser: raw.HMAS_RUNTIME_USER,
    runtimeApiKey: raw.HMAS_RUNTIME_API_KEY,
    hfEndpoint: raw.HF_ENDPOINT.replace(/\/+$/, ''),
    hfToken: raw.HF_TOKEN,
    modelDownloadIdleTimeoutMs: raw.HMAS_MODEL_DOWNLOAD_IDLE_TIMEOUT_MS,
    reconcileIntervalMs: raw.HMAS_RECONCILE_INTERVAL_MS,
    failoverIntervalMs: raw.HMAS_FAILOVER_INTERVAL_MS,
    leaderElectionIntervalMs: raw.HMAS_LEADER_ELECTION_INTERVAL_MS,
    rolloutGraceSeconds: Object.freeze({ Recreate: raw.HMAS_ROLLOUT_GRACE_RECREATE_SECONDS, RollingUpdate: raw.HMAS_ROLLOUT_GRACE_ROLLING_UPDATE_SECONDS }),
    redisUrl: raw.REDIS_URL,
    prometheus: raw.PROMETHEUS_URL ? Object.freeze({ url: raw.PROMETHEUS_URL.replace(/\/+$/, ''), auth: prometheusAuth(raw), timeoutMs: raw.PROMETHEUS_TIMEOUT_MS }) : undefined,
    redisKeyPrefix: raw.HMAS_REDIS_KEY_PREFIX,
    rateLimitDefaults: Object.freeze({ rpm: raw.HMAS_RATE_LIMIT_RPM, tpm: raw.HMAS_RATE_LIMIT_TPM }),
    rateLimitFailureMode: raw.HMAS_RATE_LIMIT_FAILURE_MODE,
    gatewayTimeoutMs: raw.HMAS_GATEWAY_TIMEOUT_MS,
    inferenceLog: Object.freeze({
      buffer: raw.HMAS_INFERENCE_LOG_BUFFER,
      batch: raw.HMAS_INFERENCE_LOG_BATCH,
      flushMs: raw.HMAS_INFERENCE_LOG_FLUSH_MS,
      retentionDays: raw.HMAS_INFERENCE_LOG_RETENTION_DAYS,
      spool: raw.HMAS_INFERENCE_LOG_SPOOL,
      spoolMaxBytes: raw.HMAS_INFERENCE_LOG_SPOOL_MAX_BYTES,
    }),
  });
}

/** Rows for the README's configuration table: name, default, description. */
export function describeConfig(): Array<{ name: string; defaultValue: string; description: string }> {
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    const parsed = schema.safeParse(undefined);
    const defaultValue = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
    return { name, defaultValue, description: schema.description ?? '' };
  });
}
