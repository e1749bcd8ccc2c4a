/**
 * The seams of the inference gateway pipeline (ARCHITECTURE.md, "Gateway pipeline"):
 * resolve caller → authorize → rate limit → route → proxy → record. Each stage lives in its own
 * folder and meets the others only through these types, so stages can be built and tested apart.
 * Nothing on this path waits for the database in the steady state.
 */

/** Who sent an inference request. */
export interface GatewayCaller {
  userId: string;
  username: string;
  role: 'admin' | 'operator' | 'viewer';
  authMethod: 'api_key' | 'jwt';
  /** The API key's id when authMethod is api_key. */
  keyId: string | null;
  /** Deployment names the key may use; empty = all. JWT callers: empty. */
  allowedDeployments: string[];
  /** Per-key overrides (null = inherit the user's, then the defaults). */
  keyLimits: { rpm: number | null; tpm: number | null };
}

/** Resolves a caller from the Authorization header or the session cookie; cached in memory. */
export interface CallerResolver {
  /**
   * `undefined` when no credentials were sent. Throws a GatewayError (401) for invalid,
   * expired or revoked credentials.
   */
  resolve(headers: { authorization?: string | undefined; cookie?: string | undefined }): Promise<GatewayCaller | undefined>;
}

/** One rate-limited subject: an API key or a user, with its effective limits (0 = unlimited). */
export interface RateSubject {
  kind: 'key' | 'user';
  id: string;
  rpm: number;
  tpm: number;
}

/** What the gateway puts in X-RateLimit-* headers: the tightest subject's numbers. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the bucket/window is full again. */
  resetSeconds: number;
}

export type AdmitResult =
  | { allowed: true; reservation: TokenReservation; headers: RateLimitState | null }
  | { allowed: false; retryAfterSeconds: number; headers: RateLimitState; reason: 'rpm' | 'tpm'; subject: RateSubject };

/**
 * Tokens to reserve at admission: at least `min` (refused when that does not fit) and as many more
 * as fit up to `max`. A number n means exactly n (`{ min: n, max: n }`).
 */
export interface TokenRequest {
  min: number;
  max: number;
}

/** Tokens reserved at admission; settled to the real usage when the response ends. */
export interface TokenReservation {
  readonly subjects: readonly RateSubject[];
  /**
   * What was granted: the same amount for every TPM-limited subject, between the request's min
   * and max (each clamped to the subject's limit); 0 when no subject limits TPM.
   */
  readonly reservedTokens: number;
}

/**
 * RPM by token bucket (bursts allowed, average held), TPM by sliding window over tokens actually
 * used, with a reservation taken at admission (between a minimum and a maximum, atomically
 * over every subject, so the caller learns how much it may spend). Exact under concurrency: N parallel admissions
 * against a limit L admit exactly L — in memory for one instance, through atomic Redis scripts
 * when several instances share the load.
 */
export interface RateLimiter {
  admit(subjects: RateSubject[], tokens: number | TokenRequest): Promise<AdmitResult>;
  /** Replaces the reservation by the tokens really used (0 when the request failed early). */
  settle(reservation: TokenReservation, actualTokens: number): Promise<void>;
  /** Current usage of a subject, for GET /api/rate-limits. */
  usage(subject: RateSubject): Promise<{ rpm: RateLimitState | null; tpm: RateLimitState | null }>;
  close(): Promise<void>;
}

/** One finished gateway request, as the request log stores it (SPEC section 5). */
export interface InferenceLogEntry {
  requestId: string;
  userId: string | null;
  username: string | null;
  authMethod: 'api_key' | 'jwt' | null;
  apiKeyId: string | null;
  deploymentId: string | null;
  deploymentName: string | null;
  modelName: string | null;
  clusterName: string | null;
  method: string;
  path: string;
  statusCode: number;
  streaming: boolean;
  ttfbMs: number | null;
  durationMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  errorMessage: string | null;
  startedAt: Date;
}

/** The asynchronous batching writer: `write` never blocks and never throws. */
export interface InferenceLogWriter {
  /** Returns false when the buffer is full and the entry was dropped (and counted). */
  write(entry: InferenceLogEntry): boolean;
  /** Writes everything buffered; called on graceful shutdown. */
  drain(): Promise<void>;
  readonly dropped: number;
}

/** Token counts found in an answer (non-streaming `usage`, or the SSE usage chunk). */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}
