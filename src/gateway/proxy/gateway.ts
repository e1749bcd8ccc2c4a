import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { AppError } from '../../lib/errors.js';
import { asDatabaseUnavailable } from '../../lib/pg-errors.js';
import type { AdmitResult, CallerResolver, GatewayCaller, InferenceLogWriter, RateLimiter, RateLimitState, RateSubject, TokenReservation, TokenUsage } from '../gateway-contracts.js';
import { refuseCrossSiteCookie } from '../auth/cookie-origin.js';
import { defaultErrorType, GatewayError, type GatewayErrorType } from '../gateway-error.js';
import { admissionBudget, completionCap, refuseIfNeverFits, type AdmissionBudget } from '../rate-limit/admission-budget.js';
import { capCompletion, completionRequest, completionTarget } from '../usage/completion-cap.js';
import { kindOfPath, type InferenceKind } from '../usage/estimate.js';
import { readNativeBody, readOpenAiBody } from '../usage/request-body.js';
import { tokensToSettle } from '../usage/settlement.js';
import { SseUsageScanner } from '../usage/sse-usage-scanner.js';
import { findUsage } from '../usage/usage-json.js';
import { AVOID_AFTER_CONNECT_FAILURE_MS, pickEndpoint, type UpstreamEndpoint } from './balancer.js';
import type { DeploymentMetrics, GatewayMetrics } from './gateway-metrics.js';
import type { KeyMetrics } from './key-metrics.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { isServable, type RouteEntry, type RouteTable } from './route-table.js';
import { describeUpstreamFailure, isConnectFailure } from './upstream-errors.js';

export interface GatewayDeps {
  callers: CallerResolver;
  rateLimiter: RateLimiter;
  /**
   * When the rate limiter fails (its Redis is unreachable): `open` (default) admits the request
   * without limits, `closed` answers 503 RATE_LIMITER_UNAVAILABLE.
   */
  rateLimitFailureMode?: 'open' | 'closed';
  /** The subjects (key, user) a caller's requests count against, with their limits. */
  subjects: (caller: GatewayCaller) => RateSubject[] | Promise<RateSubject[]>;
  routes: RouteTable;
  /** undici Agent: a keep-alive pool per upstream origin. */
  dispatcher: Dispatcher;
  log: InferenceLogWriter;
  metrics: GatewayMetrics;
  /** How long an upstream may take to start answering (504 UPSTREAM_TIMEOUT), and to go quiet mid-answer. */
  timeoutMs: number;
  /** Clock for the balancer (ms, monotonic). */
  now?: () => number;
}

/** The OpenAI endpoints routed by the body's `model`. */
export type OpenAiOperation = 'chat' | 'completion' | 'embedding';
const OPENAI_SUFFIX: Record<OpenAiOperation, string> = { chat: '/chat/completions', completion: '/completions', embedding: '/embeddings' };

/** A JSON answer's usage sits at its end: the last bytes are kept, never the whole body. */
const JSON_TAIL_BYTES = 64 * 1024;
const CLIENT_CLOSED = 'The client closed the connection before the answer ended.';
const MAX_ERROR_LOG = 300;
/** A failing rate limiter is logged at most this often (every failure is counted in the metrics). */
const LIMITER_WARNING_INTERVAL_MS = 10_000;

/** A request that generates nothing and has no prompt (a model listing): reserves the limiter's minimum, settles 0. */
const NO_TOKENS: AdmissionBudget = admissionBudget(0, 'none', { perChoice: 0, choices: 0 });

/** Whether the bytes sent so far end an SSE event (or nothing was sent), so another event may follow. */
function endsEvent(tail: string): boolean {
  return tail === '' || tail.endsWith('\n\n') || tail.endsWith('\r\r');
}

function errorBody(message: string, type: GatewayErrorType, code: string): string {
  return JSON.stringify({ error: { message, type, code, param: null } });
}

/** X-RateLimit-*, and X-HMAS-Max-Tokens when the gateway lowered the request's maximum to what its TPM limit leaves. */
function rateLimitHeaders(out: string[], state: RateLimitState | null, maxTokens: number | null = null): void {
  if (maxTokens !== null) out.push('x-hmas-max-tokens', String(maxTokens));
  if (!state) return;
  out.push('x-ratelimit-limit', String(state.limit), 'x-ratelimit-remaining', String(Math.max(0, state.remaining)), 'x-ratelimit-reset', String(Math.max(0, Math.ceil(state.resetSeconds))));
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function queryOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? '' : url.slice(query);
}

/**
 * One gateway request from arrival to the last byte: the undici dispatch handler (so its
 * callbacks are methods, not closures), the state of the answer, and what is recorded at the end
 * (rate-limit settlement, metrics, request log, the DONE line). Written straight to the Node
 * response after `reply.hijack()`: no serialization, no buffering.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  readonly res: ServerResponse;
  readonly arrivedAt = Date.now();
  caller: GatewayCaller | undefined;
  route: RouteEntry | undefined;
  metrics: DeploymentMetrics | undefined;
  /** Taken when the caller is known: a key forgotten meanwhile (revoked) is not brought back. */
  keyMetrics: KeyMetrics | undefined;
  reservation: TokenReservation | undefined;
  rateState: RateLimitState | null = null;
  kind: InferenceKind = 'other';
  /** What the request reserves (prompt bound, completion range); see admission-budget.ts. */
  budget: AdmissionBudget = NO_TOKENS;
  /** The most tokens the request can use as sent: the prompt bound plus its (capped) completion. */
  upperBound = 0;
  /** The completion maximum per choice the gateway wrote into the body, when it capped one. */
  maxTokens: number | null = null;

  // The upstream request.
  endpoint: UpstreamEndpoint | undefined;
  /** `apiPath` (`/v1/*` routes) or `rootPath` (`/api/inference/:name/*`) of the endpoint, then this. */
  upstreamPath = '';
  viaApiPath = false;
  headers: string[] = [];
  body: Buffer | Readable | null = null;
  injectedUsage = false;
  retried = false;
  /** Replicas a connection was refused by (a retry goes elsewhere). */
  tried: Set<UpstreamEndpoint> | undefined;
  /** The route table's `generation()` when the replica was picked. */
  routeGeneration = 0;
  /** The routes were reloaded once for this request after a refused connection. */
  reresolved = false;
  /** Sent to a runtime (which may have used tokens); a connection that failed does not count. */
  dispatched = false;
  /** The runtime's answer ended normally. */
  completed = false;
  abortUpstream: ((error?: Error) => void) | undefined;

  // Timing, in ms since arrival (Fastify's clock).
  dispatchedAt = 0;
  upstreamHeadersAt = 0;
  overheadMs = 0;
  ttfbMs: number | null = null;

  // The answer.
  statusCode = 0;
  headersSent = false;
  streaming = false;
  /** The last two bytes sent of a stream (latin1). */
  sentTail = '';
  scanner: SseUsageScanner | undefined;
  jsonTail: Buffer[] | undefined;
  jsonTailBytes = 0;
  waitingForDrain = false;
  resumeUpstream: (() => void) | undefined;
  clientGone = false;
  done = false;

  /** The client's connection, watched as well as the response (see the constructor). */
  readonly socket: Socket | null;

  constructor(
    readonly gateway: GatewayInternals,
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
  ) {
    this.res = reply.raw;
    reply.hijack();
    this.res.once('close', this.onClientClose);
    // The response of a pipelined request waits its turn detached from the socket and never sees
    // 'close' when the connection dies (nor 'drain', so a paused upstream would hang for good):
    // the socket's own 'close' tells. A socket closed before the handler ran emits nothing more.
    // Only detached responses watch the socket: many pipelined requests on one connection are
    // rare, so its listeners stay few.
    const socket = request.raw.socket;
    this.socket = null;
    if (socket?.destroyed) this.clientGone = true;
    else if (socket && !this.res.socket) {
      this.socket = socket;
      socket.once('close', this.onClientClose);
    }
  }

  private readonly onClientClose = (): void => {
    if (this.clientGone || this.res.writableFinished) return;
    this.clientGone = true;
    // Before the upstream call the pipeline sees `clientGone` at its next step (start or fail) and
    // finishes there, after its reservation exists, so the reservation is settled.
    if (this.abortUpstream) this.abortUpstream(new Error(CLIENT_CLOSED));
  };

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.resumeUpstream?.();
  };

  elapsed(): number {
    return this.reply.elapsedTime;
  }

  // ------------------------------------------------------------------------------------------
  // Answers the gateway makes itself

  /** Answers an error in OpenAI's shape and records the request. */
  fail(failure: unknown): void {
    // Any stage that needed the database while it is unreachable: 503 with Retry-After, not 500.
    const error = asDatabaseUnavailable(failure);
    let status: number;
    let type: GatewayErrorType;
    let code: string;
    let message: string;
    let headers: Record<string, string> | undefined;
    if (error instanceof GatewayError) {
      ({ statusCode: status, type, code, message, headers } = error);
    } else if (error instanceof AppError && error.expose) {
      ({ statusCode: status, code, message, headers } = error);
      type = defaultErrorType(status);
    } else {
      this.request.log.error({ err: error }, 'inference request failed');
      status = 500;
      type = 'api_error';
      code = 'INTERNAL_ERROR';
      message = `Internal gateway error. Quote the request id ${this.request.id} when you report it.`;
    }
    if (this.clientGone) return this.finish(499, CLIENT_CLOSED);
    const out: string[] = ['content-type', 'application/json'];
    if (headers) for (const name of Object.keys(headers)) out.push(name.toLowerCase(), headers[name]!);
    this.sendJson(status, errorBody(message, type, code), out);
    this.finish(status, `${code}: ${message}`);
  }

  /** Sends a whole JSON answer made by the gateway (errors, the model list). */
  sendJson(status: number, body: string, headers: string[]): void {
    this.statusCode = status;
    if (this.clientGone || this.res.headersSent) return;
    headers.push('content-length', String(Buffer.byteLength(body)), 'x-request-id', String(this.request.id));
    rateLimitHeaders(headers, this.rateState, this.maxTokens);
    this.overheadMs = this.elapsed();
    headers.push('x-hmas-overhead-ms', this.overheadMs.toFixed(3));
    this.res.writeHead(status, headers);
    this.res.end(body);
    this.headersSent = true;
  }

  // ------------------------------------------------------------------------------------------
  // Proxying

  /** Sends the request to `endpoint` (least outstanding, or another one on retry). */
  dispatch(endpoint: UpstreamEndpoint): void {
    this.endpoint = endpoint;
    endpoint.inFlight += 1;
    this.dispatched = true;
    if (this.dispatchedAt === 0) this.dispatchedAt = this.elapsed();
    const gateway = this.gateway;
    gateway.dispatcher.dispatch(
      {
        origin: endpoint.origin,
        path: (this.viaApiPath ? endpoint.apiPath : endpoint.rootPath) + this.upstreamPath,
        method: this.request.method as Dispatcher.HttpMethod,
        // The replica's own token, never the caller's credentials (headers.ts drops those).
        headers: endpoint.authorization === null ? this.headers : [...this.headers, 'authorization', endpoint.authorization],
        body: this.body,
        headersTimeout: gateway.timeoutMs,
        bodyTimeout: gateway.timeoutMs,
      },
      this,
    );
  }

  private release(): void {
    if (this.endpoint) {
      this.endpoint.inFlight -= 1;
      this.endpoint = undefined;
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort(new Error(CLIENT_CLOSED));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.upstreamHeadersAt = this.elapsed();
    this.statusCode = statusCode;
    this.resumeUpstream = resume;
    const ok = statusCode >= 200 && statusCode < 300;
    const { headers, contentType, contentEncoding } = clientResponseHeaders(rawHeaders, { dropLength: this.injectedUsage });
    // The gateway asks for `identity`; a body compressed anyway passes through untouched and
    // unread: scanning compressed bytes finds no usage, and filtering them would hold them back.
    const readable = contentEncoding === undefined || contentEncoding === 'identity';
    if (contentType !== undefined && contentType.startsWith('text/event-stream')) {
      this.streaming = true;
      if (readable) this.scanner = new SseUsageScanner(this.injectedUsage && ok);
    } else if (ok && readable && contentType !== undefined && contentType.includes('json')) {
      this.jsonTail = [];
    }
    headers.push('x-request-id', String(this.request.id));
    rateLimitHeaders(headers, this.rateState, this.maxTokens);
    this.overheadMs = this.dispatchedAt + (this.elapsed() - this.upstreamHeadersAt);
    headers.push('x-hmas-overhead-ms', this.overheadMs.toFixed(3));
    if (this.clientGone) return false;
    this.res.writeHead(statusCode, headers);
    this.headersSent = true;
    if (this.streaming) this.res.flushHeaders();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.ttfbMs === null) {
      this.ttfbMs = this.elapsed();
      this.metrics?.ttfb.observe(this.ttfbMs / 1000);
      this.request.log.debug({ ttfbMs: round(this.ttfbMs) }, 'inference first byte');
    }
    let out = chunk;
    if (this.scanner) {
      out = this.scanner.push(chunk);
      if (out.length === 0) return true;
    } else if (this.jsonTail) {
      this.jsonTail.push(chunk);
      this.jsonTailBytes += chunk.length;
      while (this.jsonTail.length > 1 && this.jsonTailBytes - this.jsonTail[0]!.length >= JSON_TAIL_BYTES) this.jsonTailBytes -= this.jsonTail.shift()!.length;
    }
    // The last bytes of a stream, so an error event can start on an event boundary.
    if (this.streaming) this.sentTail = (this.sentTail + out.toString('latin1', Math.max(0, out.length - 2))).slice(-2);
    if (this.res.write(out)) return true;
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      this.res.once('drain', this.onDrain);
    }
    return false;
  }

  onComplete(): void {
    this.completed = true;
    this.release();
    if (this.scanner) {
      const rest = this.scanner.end();
      if (rest.length > 0 && !this.clientGone) this.res.write(rest);
    }
    this.res.end();
    this.finish(this.statusCode, null);
  }

  onError(error: Error): void {
    const endpoint = this.endpoint;
    this.release();
    if (this.clientGone) return this.finish(this.headersSent ? this.statusCode : 499, CLIENT_CLOSED);
    if (!this.headersSent) {
      if (isConnectFailure(error)) {
        // Refused before anything was sent: no runtime saw the request.
        this.dispatched = false;
        if (endpoint && this.retryElsewhere(endpoint, error)) return;
      }
      return this.failUpstream(error, endpoint);
    }
    // The answer had begun: the client must see it end badly, not as a complete answer.
    this.request.log.warn({ err: error, replica: endpoint?.origin }, 'inference upstream failed mid-answer');
    const message = error.message || 'upstream error';
    if (this.streaming) {
      // An upstream cut off mid-line must not swallow the error event: end that line and event first.
      const separator = endsEvent(this.sentTail) ? '' : '\n\n';
      this.res.end(`${separator}data: ${errorBody(`The upstream answer was cut off: ${message}`, 'api_error', 'UPSTREAM_ERROR')}\n\n`);
    } else {
      this.res.destroy();
    }
    this.finish(this.statusCode, `UPSTREAM_ERROR: ${message}`);
  }

  /**
   * After connecting to `failed` was refused (nothing sent): sends the request to a replica not
   * tried yet — first one the route table knows and does not avoid, else one from the routes
   * reloaded now (a replica replaced by a rolling update stays in the table until the next load).
   * False when there is nothing left to try; the request then fails.
   */
  private retryElsewhere(failed: UpstreamEndpoint, error: Error): boolean {
    const now = this.gateway.now();
    failed.avoidUntil = now + AVOID_AFTER_CONNECT_FAILURE_MS;
    // A body still streaming in cannot be sent twice.
    if (this.body !== null && !Buffer.isBuffer(this.body)) return false;
    const tried = (this.tried ??= new Set());
    tried.add(failed);
    const route = this.route!;
    const next = this.retried ? undefined : pickEndpoint(route.endpoints, route, now, tried);
    if (next && next.avoidUntil <= now) {
      this.retryOn(next, failed, error, 'trying another replica');
      return true;
    }
    if (this.reresolved) return false;
    this.reresolved = true;
    // The failed attempt is over: a client leaving meanwhile is seen after the reload.
    this.abortUpstream = undefined;
    this.retryAfterReload(failed, error).catch((failure: unknown) => this.fail(failure));
    return true;
  }

  /** Reloads the routes (one load for a burst of failures; route-table.ts `reresolve`) and retries on a replica they name. */
  private async retryAfterReload(failed: UpstreamEndpoint, error: Error): Promise<void> {
    const gateway = this.gateway;
    const { entry, reloaded } = await gateway.routes.reresolve(this.route!.name, this.routeGeneration);
    if (reloaded) gateway.metrics.routesReloaded('connect_failure');
    if (this.clientGone) return this.finish(499, CLIENT_CLOSED);
    if (entry && !isServable(entry)) return this.fail(unservable(entry));
    const next = entry ? pickEndpoint(entry.endpoints, entry, gateway.now(), this.tried) : undefined;
    if (!entry || !next) return this.failUpstream(error, failed);
    this.route = entry;
    this.retryOn(next, failed, error, 'trying a replica of the reloaded routes');
  }

  private retryOn(next: UpstreamEndpoint, failed: UpstreamEndpoint, error: Error, what: string): void {
    this.retried = true;
    this.request.log.warn({ replica: failed.origin, retryOn: next.origin, code: (error as { code?: string }).code }, `inference upstream refused the connection: ${what}`);
    this.abortUpstream = undefined;
    this.dispatch(next);
  }

  /** Answers an upstream failure that happened before the answer's headers (502/504, upstream-errors.ts). */
  private failUpstream(error: Error, endpoint: UpstreamEndpoint | undefined): void {
    const failure = describeUpstreamFailure(error, this.route!.name, this.gateway.timeoutMs);
    this.request.log.warn({ err: error, replica: endpoint?.origin, code: failure.code }, 'inference upstream failed');
    this.fail(new GatewayError(failure.status, failure.code, failure.message));
  }

  // ------------------------------------------------------------------------------------------
  // The end

  finish(statusCode: number, errorMessage: string | null): void {
    if (this.done) return;
    this.done = true;
    this.release();
    this.socket?.removeListener('close', this.onClientClose);
    if (this.waitingForDrain) this.res.removeListener('drain', this.onDrain);
    const durationMs = this.elapsed();
    const route = this.route;
    let usage: TokenUsage | null = null;
    if (this.scanner) usage = this.scanner.usage;
    else if (this.jsonTail && this.jsonTail.length > 0) usage = findUsage((this.jsonTail.length === 1 ? this.jsonTail[0]! : Buffer.concat(this.jsonTail)).toString('utf8'));
    const gateway = this.gateway;

    if (this.reservation) {
      const scanner = this.scanner;
      const facts = {
        reserved: this.reservation.reservedTokens,
        promptBound: this.budget.promptBound,
        dispatched: this.dispatched,
        completed: this.completed,
        statusCode,
        streaming: this.streaming,
        usage,
        contentEvents: scanner?.contentEvents ?? 0,
        // A stream not scanned to its end (compressed, or a giant event) has no byte bound.
        dataBytes: scanner?.scannedAll ? scanner.dataBytes : Number.POSITIVE_INFINITY,
        events: scanner?.events ?? 0,
      };
      const tokens = tokensToSettle(facts, this.upperBound);
      gateway.rateLimiter.settle(this.reservation, tokens).catch((error: unknown) => gateway.limiterFailed(this.request.log, 'settle', error));
    }

    // Labelled by the deployment whenever it exists (refusals after routing too); '' for the rest.
    const metrics = this.metrics ?? gateway.metrics.deployment(route?.name ?? '');
    metrics.requests(statusCode).inc();
    metrics.duration.observe(durationMs / 1000);
    metrics.overhead.observe((this.overheadMs || durationMs) / 1000);
    if (this.metrics) this.metrics.active.dec();
    if (usage) {
      if (usage.promptTokens > 0) metrics.promptTokens.inc(usage.promptTokens);
      if (usage.completionTokens > 0) metrics.completionTokens.inc(usage.completionTokens);
    }
    (this.keyMetrics ?? gateway.metrics.key('')).record(statusCode, durationMs / 1000, usage?.promptTokens ?? 0, usage?.completionTokens ?? 0);

    const caller = this.caller;
    gateway.log.write({
      requestId: String(this.request.id),
      userId: caller?.userId ?? null,
      username: caller?.username ?? null,
      authMethod: caller?.authMethod ?? null,
      apiKeyId: caller?.keyId ?? null,
      deploymentId: route?.id ?? null,
      deploymentName: route?.name ?? null,
      modelName: route?.modelName ?? null,
      clusterName: route?.clusterName ?? null,
      method: this.request.method,
      path: pathOf(this.request.url),
      statusCode,
      streaming: this.streaming,
      ttfbMs: this.ttfbMs,
      durationMs,
      promptTokens: usage ? usage.promptTokens : null,
      completionTokens: usage ? usage.completionTokens : null,
      errorMessage,
      startedAt: new Date(this.arrivedAt),
    });

    this.request.log.info(
      {
        statusCode,
        durationMs: round(durationMs),
        ttfbMs: this.ttfbMs === null ? null : round(this.ttfbMs),
        overheadMs: round(this.overheadMs),
        deployment: route?.name,
        streaming: this.streaming,
        promptTokens: usage?.promptTokens,
        completionTokens: usage?.completionTokens,
        retried: this.retried || undefined,
        error: errorMessage === null ? undefined : errorMessage.slice(0, MAX_ERROR_LOG),
      },
      'inference request done',
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

interface GatewayInternals {
  readonly dispatcher: Dispatcher;
  readonly routes: RouteTable;
  readonly rateLimiter: RateLimiter;
  readonly metrics: GatewayMetrics;
  readonly log: InferenceLogWriter;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** Counts a rate limiter failure and logs it, at most once per LIMITER_WARNING_INTERVAL_MS. */
  limiterFailed(log: FastifyBaseLogger, operation: 'admit' | 'settle', error: unknown): void;
}

function isAllowed(caller: GatewayCaller, deployment: string): boolean {
  return caller.allowedDeployments.length === 0 || caller.allowedDeployments.includes(deployment);
}

const notAllowed = (name: string) => new GatewayError(403, 'DEPLOYMENT_NOT_ALLOWED', `This API key may not call deployment "${name}".`);
const notFound = (name: string, what = 'deployment') => new GatewayError(404, 'DEPLOYMENT_NOT_FOUND', `No ${what} named "${name}".`);

function unservable(route: RouteEntry): GatewayError {
  if (route.status === 'running' && route.endpoints.length === 0) {
    return new GatewayError(502, 'NO_ENDPOINT', `Deployment "${route.name}" is running but has no ready replica to send the request to.`);
  }
  return new GatewayError(503, 'DEPLOYMENT_NOT_RUNNING', `Deployment "${route.name}" is ${route.status}${route.endpoints.length === 0 ? ' and has no ready replica' : ''}.`, { headers: { 'retry-after': '5' } });
}

/** The gateway pipeline: resolve caller → authorize → route → rate limit → proxy → record. */
export function createGateway(deps: GatewayDeps) {
  const now = deps.now ?? (() => performance.now());
  const failureMode = deps.rateLimitFailureMode ?? 'open';
  let lastLimiterWarning = Number.NEGATIVE_INFINITY;
  let unloggedLimiterFailures = 0;
  const internals: GatewayInternals = {
    dispatcher: deps.dispatcher,
    routes: deps.routes,
    rateLimiter: deps.rateLimiter,
    metrics: deps.metrics,
    log: deps.log,
    timeoutMs: deps.timeoutMs,
    now,
    limiterFailed(log, operation, error) {
      deps.metrics.rateLimiterError(operation);
      // An outage fails every request: one line per interval, not one per request.
      const at = now();
      if (at - lastLimiterWarning < LIMITER_WARNING_INTERVAL_MS) {
        unloggedLimiterFailures += 1;
        return;
      }
      lastLimiterWarning = at;
      log.warn(
        { err: error, operation, failureMode, failuresSinceLastWarning: unloggedLimiterFailures },
        failureMode === 'open' ? 'rate limiter unavailable: admitting requests without limits' : 'rate limiter unavailable: refusing requests with 503',
      );
      unloggedLimiterFailures = 0;
    },
  };
  const { routes } = deps;

  async function authenticate(exchange: Exchange): Promise<GatewayCaller> {
    const headers = exchange.request.headers;
    refuseCrossSiteCookie(exchange.request.method, headers);
    const caller = await deps.callers.resolve({ authorization: headers.authorization, cookie: headers.cookie });
    if (!caller) throw new GatewayError(401, 'UNAUTHENTICATED', 'Send an API key (Authorization: Bearer sk-hmas-…) or a session token.');
    exchange.caller = caller;
    exchange.keyMetrics = deps.metrics.key(caller.keyId ?? '');
    return caller;
  }

  /** The deployment `name`, refreshing the table once when it is unknown or has nothing to serve. */
  async function servableByName(name: string): Promise<RouteEntry> {
    let route = routes.get(name);
    if (!route || !isServable(route)) {
      await routes.refreshSoon();
      route = routes.get(name);
    }
    if (!route) throw notFound(name);
    if (!isServable(route)) throw unservable(route);
    return route;
  }

  /** A deployment for an OpenAI `model`: a deployment's name, else the least loaded servable deployment of that model. */
  async function routeForModel(model: string, caller: GatewayCaller): Promise<{ route: RouteEntry; byModelName: boolean }> {
    const lookup = () => {
      const direct = routes.get(model);
      if (direct) return { direct, candidates: [] as readonly RouteEntry[] };
      return { direct: undefined, candidates: routes.forModel(model) };
    };
    let found = lookup();
    const usable = (entry: RouteEntry) => isServable(entry) && isAllowed(caller, entry.name);
    if ((found.direct && !isServable(found.direct)) || (!found.direct && !found.candidates.some(usable))) {
      await routes.refreshSoon();
      found = lookup();
    }
    if (found.direct) {
      if (!isAllowed(caller, found.direct.name)) throw notAllowed(found.direct.name);
      if (!isServable(found.direct)) throw unservable(found.direct);
      return { route: found.direct, byModelName: false };
    }
    if (found.candidates.length === 0) throw notFound(model, 'deployment or model');
    const allowed = found.candidates.filter((entry) => isAllowed(caller, entry.name));
    if (allowed.length === 0) throw new GatewayError(403, 'DEPLOYMENT_NOT_ALLOWED', `This API key may not call any deployment of model "${model}".`);
    let best: RouteEntry | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const entry of allowed) {
      if (!isServable(entry)) continue;
      let load = 0;
      for (const endpoint of entry.endpoints) load += endpoint.inFlight;
      load /= entry.endpoints.length;
      if (load < bestLoad) {
        best = entry;
        bestLoad = load;
      }
    }
    if (!best) throw new GatewayError(503, 'DEPLOYMENT_NOT_RUNNING', `No deployment of model "${model}" is running.`, { headers: { 'retry-after': '5' } });
    return { route: best, byModelName: true };
  }

  /**
   * Reserves the budget's range; throws 429 when a limit is reached (400 when it never can be).
   * When the limiter fails, fails open (admitted without a reservation, so there is nothing to
   * settle) or closed (503).
   */
  async function admit(exchange: Exchange, caller: GatewayCaller, budget: AdmissionBudget): Promise<void> {
    const subjects = await deps.subjects(caller);
    refuseIfNeverFits(subjects, budget);
    exchange.budget = budget;
    exchange.upperBound = budget.tokens.max;
    let result: AdmitResult;
    try {
      result = await deps.rateLimiter.admit(subjects, budget.tokens);
    } catch (error) {
      internals.limiterFailed(exchange.request.log, 'admit', error);
      if (failureMode === 'open') return;
      throw new GatewayError(503, 'RATE_LIMITER_UNAVAILABLE', 'The rate limiter is unavailable, so requests are refused for now. Try again in 1 s.', {
        headers: { 'retry-after': '1' },
      });
    }
    exchange.rateState = result.headers;
    if (!result.allowed) {
      deps.metrics.rateLimited(result.reason, result.subject.kind);
      const retry = Math.max(1, Math.ceil(result.retryAfterSeconds));
      const what = result.reason === 'rpm' ? 'requests' : 'tokens';
      const whose = result.subject.kind === 'key' ? 'this API key' : 'your user';
      const limit = result.reason === 'rpm' ? result.subject.rpm : result.subject.tpm;
      throw new GatewayError(429, result.reason === 'rpm' ? 'RATE_LIMIT_RPM' : 'RATE_LIMIT_TPM', `Rate limit reached: ${limit} ${what} per minute for ${whose}. Try again in ${retry} s.`, {
        headers: { 'retry-after': String(retry) },
      });
    }
    exchange.reservation = result.reservation;
  }

  /**
   * Under a TPM limit (a grant above 0), writes the completion the grant leaves into the body's
   * maximum fields, so the runtime cannot use more than was reserved. Returns whether it changed
   * the body.
   */
  function capToGrant(exchange: Exchange, body: Record<string, unknown> | null): boolean {
    const budget = exchange.budget;
    const granted = exchange.reservation?.reservedTokens ?? 0;
    if (!body || granted === 0 || budget.target === 'none') return false;
    const cap = completionCap(budget, granted);
    capCompletion(body, budget.target, cap);
    exchange.maxTokens = cap;
    exchange.upperBound = budget.promptBound + budget.choices * cap;
    return true;
  }

  /**
   * The body's part of admission, for both ways in (by name, by model): asks a streaming
   * generation for its usage where the runtime can add it, reserves the request's token range,
   * and caps its completion to the grant. Returns whether the body changed (to be sent re-encoded).
   */
  async function admitBody(exchange: Exchange, caller: GatewayCaller, route: RouteEntry, parsed: Record<string, unknown> | null, promptBound: number): Promise<boolean> {
    const kind = exchange.kind;
    let changed = false;
    if (parsed && (kind === 'chat' || kind === 'completion') && route.supportsIncludeUsage && parsed.stream === true && !includesUsage(parsed)) {
      parsed.stream_options = { ...(isObject(parsed.stream_options) ? parsed.stream_options : {}), include_usage: true };
      exchange.injectedUsage = true;
      changed = true;
    }
    const target = completionTarget(kind, exchange.upstreamPath);
    await admit(exchange, caller, admissionBudget(promptBound, target, completionRequest(parsed, target)));
    return capToGrant(exchange, parsed) || changed;
  }

  /** Route known, request admitted: send it. */
  function start(exchange: Exchange, route: RouteEntry): void {
    exchange.route = route;
    exchange.metrics = deps.metrics.deployment(route.name);
    exchange.metrics.active.inc();
    if (exchange.clientGone) return exchange.finish(499, CLIENT_CLOSED);
    exchange.routeGeneration = routes.generation();
    const endpoint = pickEndpoint(route.endpoints, route, internals.now());
    if (!endpoint) return exchange.fail(unservable(route));
    const request = exchange.request;
    const caller = exchange.caller!;
    // START and first byte are debug lines: at info, every request writes one line (DONE, which carries both times).
    request.log.debug(
      { deployment: route.name, replica: endpoint.origin, user: caller.username, authMethod: caller.authMethod, keyId: caller.keyId ?? undefined, method: request.method, path: pathOf(request.url) },
      'inference request started',
    );
    exchange.dispatch(endpoint);
  }

  function forwardedHeaders(exchange: Exchange, options: { keepLength?: boolean; json?: boolean }): string[] {
    const request = exchange.request;
    const headers = upstreamRequestHeaders(request.raw.rawHeaders, { keepLength: options.keepLength ?? false });
    if (options.json) {
      for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i] === 'content-type') headers.splice(i, 2);
      headers.push('content-type', 'application/json');
    }
    const forwardedFor = request.headers['x-forwarded-for'];
    headers.push(
      'x-request-id',
      String(request.id),
      'x-forwarded-for',
      forwardedFor ? `${String(forwardedFor)}, ${request.ip}` : request.ip,
      'x-forwarded-proto',
      request.protocol,
      'accept-encoding',
      'identity',
    );
    if (request.headers.host) headers.push('x-forwarded-host', request.headers.host);
    return headers;
  }

  return {
    /** `ALL /api/inference/:name/*`: the rest of the path (and query) to the deployment's runtime, body as sent. */
    async proxyByName(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const exchange = new Exchange(internals, request, reply);
      try {
        const caller = await authenticate(exchange);
        const name = (request.params as { name: string }).name;
        if (!isAllowed(caller, name)) throw notAllowed(name);
        const route = await servableByName(name);
        exchange.route = route;

        // The path after /api/inference/<name>, as sent (still percent-encoded), with its query.
        const url = request.url;
        const afterName = url.indexOf('/', '/api/inference/'.length);
        const rest = afterName === -1 ? '/' : url.slice(afterName);
        exchange.upstreamPath = rest.startsWith('/') ? rest : `/${rest}`;
        const allowed = route.paths.check(request.method, exchange.upstreamPath);
        if (!allowed.ok) throw new GatewayError(allowed.status, allowed.code, allowed.message, allowed.allow ? { headers: { allow: allowed.allow } } : {});
        const kind = kindOfPath(exchange.upstreamPath);
        exchange.kind = kind;

        // Every body arrives whole (bounded by the body limit): OpenAI paths are JSON whatever
        // their content type; runtime-native bodies are read when they are JSON.
        const raw = Buffer.isBuffer(request.body) ? request.body : null;
        const openAi = kind !== 'other' && raw !== null && raw.length > 0;
        const read = openAi ? readOpenAiBody(raw, kind) : readNativeBody(raw, kind);
        const parsed = read.body;
        const changed = await admitBody(exchange, caller, route, parsed, read.promptBound);
        exchange.body = changed ? Buffer.from(JSON.stringify(parsed)) : raw;
        exchange.headers = forwardedHeaders(exchange, { json: openAi || changed });
        start(exchange, route);
      } catch (error) {
        exchange.fail(error);
      }
    },

    /** `POST /v1/chat/completions`, `/v1/completions`, `/v1/embeddings`: routed by the body's `model`. */
    async proxyOpenAi(request: FastifyRequest, reply: FastifyReply, operation: OpenAiOperation): Promise<void> {
      const exchange = new Exchange(internals, request, reply);
      try {
        const caller = await authenticate(exchange);
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new GatewayError(400, 'INVALID_REQUEST', 'Send a JSON body with a "model".');
        const { body: parsed, promptBound } = readOpenAiBody(body, operation);
        const model = parsed.model;
        if (typeof model !== 'string' || model.length === 0) throw new GatewayError(400, 'MODEL_REQUIRED', 'Name a "model": a deployment name, or a model name.');
        const { route, byModelName } = await routeForModel(model, caller);
        exchange.route = route;
        exchange.kind = operation;
        exchange.viaApiPath = true;
        exchange.upstreamPath = OPENAI_SUFFIX[operation] + queryOf(request.url);

        // Runtimes answer to the deployment's name; a model name is translated.
        if (byModelName) parsed.model = route.name;
        const changed = (await admitBody(exchange, caller, route, parsed, promptBound)) || byModelName;
        exchange.body = changed ? Buffer.from(JSON.stringify(parsed)) : body;
        exchange.headers = forwardedHeaders(exchange, { json: true });
        start(exchange, route);
      } catch (error) {
        exchange.fail(error);
      }
    },

    /** `GET /v1/models` (and `/v1/models/:model`): the deployments the caller may use, in OpenAI's list shape. */
    async listModels(request: FastifyRequest, reply: FastifyReply, only?: string): Promise<void> {
      const exchange = new Exchange(internals, request, reply);
      try {
        const caller = await authenticate(exchange);
        await admit(exchange, caller, NO_TOKENS);
        if (only !== undefined) await servableByName(only).catch(() => undefined);
        // Listing is rare and must show a deployment that came up a moment ago.
        else await routes.refreshSoon();
        const data: Array<Record<string, unknown>> = [];
        for (const route of only === undefined ? routes.all() : [routes.get(only)]) {
          if (!route || !isServable(route) || !isAllowed(caller, route.name)) continue;
          data.push({ id: route.name, object: 'model', created: Math.floor(route.createdAt.getTime() / 1000), owned_by: 'hmas', root: route.modelName });
        }
        data.sort((a, b) => String(a.id).localeCompare(String(b.id)));
        if (only !== undefined) {
          if (data.length === 0) throw notFound(only);
          exchange.sendJson(200, JSON.stringify(data[0]), ['content-type', 'application/json']);
        } else {
          exchange.sendJson(200, JSON.stringify({ object: 'list', data }), ['content-type', 'application/json']);
        }
        exchange.finish(exchange.clientGone ? 499 : 200, exchange.clientGone ? CLIENT_CLOSED : null);
      } catch (error) {
        exchange.fail(error);
      }
    },

    /** Answers an error raised before a handler ran (body parsing) in OpenAI's shape. */
    failEarly(request: FastifyRequest, reply: FastifyReply, error: GatewayError): void {
      new Exchange(internals, request, reply).fail(error);
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function includesUsage(body: Record<string, unknown>): boolean {
  return isObject(body.stream_options) && body.stream_options.include_usage === true;
}
