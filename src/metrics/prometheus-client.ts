import { errors as undiciErrors, request } from 'undici';
import { z } from 'zod';
import { AppError } from '../lib/errors.js';

/** How H-MAS reaches Prometheus (from `PROMETHEUS_*`; the config layer builds it). */
export interface PrometheusSettings {
  url: string;
  auth?: { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string } | undefined;
  timeoutMs: number;
}

/** One series of an instant query: its labels and its value at the query time (null for NaN). */
export interface InstantSample {
  labels: Record<string, string>;
  value: number | null;
  /** Unix seconds of the sample. */
  at: number;
}

/** One series of a range query: its labels and its points, `[unix seconds, value or null]`. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<[number, number | null]>;
}

/** The Prometheus HTTP API, as monitoring uses it: instant and range queries of PromQL. */
export interface PrometheusClient {
  /** An instant query at `at` (default: now). Scalars come back as one sample without labels. */
  query(promql: string, at?: Date): Promise<InstantSample[]>;
  /** A range query from `start` to `end` every `stepSeconds`. */
  queryRange(promql: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<RangeSeries[]>;
}

/** The history endpoints without `PROMETHEUS_URL`: 503 with how to set it. */
export class PrometheusNotConfiguredError extends AppError {
  constructor() {
    super(
      'PROMETHEUS_NOT_CONFIGURED',
      'Metric history needs Prometheus: set PROMETHEUS_URL (and PROMETHEUS_BEARER_TOKEN or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD if it asks for credentials) and restart H-MAS. docs/monitoring.md has a prometheus.yml that scrapes every replica.',
      { statusCode: 503, expose: true },
    );
  }
}

/** Prometheus could not be reached, or answered with an error of its own (503). */
export class PrometheusUnavailableError extends AppError {
  constructor(cause: string) {
    super('PROMETHEUS_UNAVAILABLE', `Prometheus did not answer the query: ${cause}.`, { statusCode: 503, expose: true });
  }
}

/** Prometheus took longer than `PROMETHEUS_TIMEOUT_MS` (504). */
export class PrometheusTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super('PROMETHEUS_TIMEOUT', `Prometheus did not answer within ${timeoutMs} ms (PROMETHEUS_TIMEOUT_MS); it may be overloaded.`, { statusCode: 504, expose: true });
  }
}

const sampleValue = z.tuple([z.number(), z.string()]);
const answerSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })) }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleValue) })) }),
      z.object({ resultType: z.literal('scalar'), result: sampleValue }),
      z.object({ resultType: z.literal('string'), result: sampleValue }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);
type Answer = z.infer<typeof answerSchema>;
type Data = Extract<Answer, { status: 'success' }>['data'];

/** Prometheus writes values as text; NaN and infinities have no place in a chart or a snapshot. */
export function parseSampleValue(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

const seconds = (date: Date) => (date.getTime() / 1000).toFixed(3);

function authorization(auth: PrometheusSettings['auth']): Record<string, string> {
  if (!auth) return {};
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** A cause without the URL's credentials or the auth header (undici messages may carry the URL). */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code} ${message}`.replace(/\/\/[^/@\s]*@/g, '//') : message.replace(/\/\/[^/@\s]*@/g, '//');
}

export function createPrometheusClient(settings: PrometheusSettings): PrometheusClient {
  const base = settings.url.replace(/\/+$/, '');
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...authorization(settings.auth) };

  async function post(path: string, form: Record<string, string>): Promise<Data> {
    let status: number;
    let text: string;
    try {
      const answer = await request(`${base}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(form).toString(),
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      status = answer.statusCode;
      text = await answer.body.text();
    } catch (error) {
      if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || (error instanceof Error && error.name === 'TimeoutError')) {
        throw new PrometheusTimeoutError(settings.timeoutMs);
      }
      throw new PrometheusUnavailableError(describeFailure(error));
    }
    if (status === 401 || status === 403) throw new PrometheusUnavailableError(`it refused H-MAS's credentials (HTTP ${status}); check PROMETHEUS_BEARER_TOKEN or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD`);
    let parsed: Answer;
    try {
      parsed = answerSchema.parse(JSON.parse(text));
    } catch {
      throw new PrometheusUnavailableError(`HTTP ${status} with an answer that is not the Prometheus API's (is PROMETHEUS_URL the server's base URL?)`);
    }
    if (parsed.status === 'error') {
      // 503 with the cause either way: a query H-MAS built that Prometheus refuses is not the caller's fault.
      if (parsed.errorType === 'timeout') throw new PrometheusTimeoutError(settings.timeoutMs);
      throw new PrometheusUnavailableError(`${parsed.errorType ?? 'error'}: ${parsed.error ?? `HTTP ${status}`}`);
    }
    return parsed.data;
  }

  // Prometheus stops a query itself a little before we give up, so it answers `timeout` rather than hanging.
  const queryTimeout = `${Math.max(1, Math.floor(settings.timeoutMs * 0.9))}ms`;

  return {
    async query(promql, at = new Date()) {
      const data = await post('/api/v1/query', { query: promql, time: seconds(at), timeout: queryTimeout });
      if (data.resultType === 'vector') return data.result.map((series) => ({ labels: series.metric, value: parseSampleValue(series.value[1]), at: series.value[0] }));
      if (data.resultType === 'scalar') return [{ labels: {}, value: parseSampleValue(data.result[1]), at: data.result[0] }];
      throw new PrometheusUnavailableError(`an instant query answered a ${data.resultType}`);
    },

    async queryRange(promql, range) {
      const data = await post('/api/v1/query_range', { query: promql, start: seconds(range.start), end: seconds(range.end), step: `${range.stepSeconds}s`, timeout: queryTimeout });
      if (data.resultType !== 'matrix') throw new PrometheusUnavailableError(`a range query answered a ${data.resultType}`);
      return data.result.map((series) => ({ labels: series.metric, points: series.values.map(([at, value]) => [at, parseSampleValue(value)] as [number, number | null]) }));
    },
  };
}
