import { isWellFormedApiKey, type ApiKeyScope } from '../../domain/api-key.js';
import type { Role } from '../../domain/roles.js';
import type { Logger } from '../../lib/logger.js';
import type { ApiKeyAuthRecord } from '../../services/api-keys/api-key-repo.js';
import { hashApiKey } from '../../services/api-keys/api-key-secret.js';
import type { ApiKeyService } from '../../services/api-keys/api-key-service.js';
import type { ApiKeyUsageRecorder } from '../../services/api-keys/api-key-usage.js';
import type { SessionRevocationService } from '../../services/auth/session-revocation-service.js';
import type { TokenService, VerifiedSession } from '../../services/auth/token-service.js';
import type { UserService } from '../../services/users/user-service.js';
import type { CallerResolver, GatewayCaller } from '../gateway-contracts.js';
import { GatewayError } from '../gateway-error.js';
import { readCredentials } from './credentials.js';
import { createRedisChangeChannel, type ChangeChannel } from '../../lib/redis-change-channel.js';
import { createTtlCache } from './ttl-cache.js';
import { refreshFailureLogger, staleWhileDatabaseUnreachable } from './outage-grace.js';

/** The user fields the gateway needs; nothing else of the row (no password hash) is cached. */
interface CachedUser {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  sessionVersion: number;
}

export interface CallerResolverCacheOptions {
  /** How long a key lookup is trusted without an invalidation (default 30 s). */
  keyTtlMs?: number;
  /** How long an unknown key is remembered as unknown (default 5 s). */
  unknownKeyTtlMs?: number;
  /** How long a user row or a session's sign-out state is trusted: bounds how late a disable, password change or sign-out applies (default 1 s). */
  userTtlMs?: number;
  maxKeys?: number;
  maxUnknownKeys?: number;
  /** How long past their TTL known keys and users keep answering while the database is unreachable (default OUTAGE_GRACE_MS). */
  outageGraceMs?: number;
}

export interface CallerResolverDeps {
  tokens: Pick<TokenService, 'verify'>;
  users: Pick<UserService, 'findRow'>;
  /** Signed-out sessions (checked per token id, cached like users). */
  sessions: Pick<SessionRevocationService, 'isRevoked'>;
  apiKeys: Pick<ApiKeyService, 'findForAuth' | 'onChange'>;
  /** Notes each accepted API key use; lastUsedAt is written in batches off the request path. */
  usage?: Pick<ApiKeyUsageRecorder, 'markUsed'>;
  logger: Logger;
  now?: () => Date;
  /** With Redis, key changes on any instance reach every instance's cache at once. */
  redisUrl?: string | undefined;
  /** Prefix of the Redis channel (default `hmas:`), so several installations can share a Redis. */
  redisKeyPrefix?: string;
  cache?: CallerResolverCacheOptions;
  /** Called after a key was dropped from this instance's cache ('local': changed here, 'remote': via Redis). */
  onInvalidated?: (keyId: string, source: 'local' | 'remote') => void;
}

export interface GatewayCallerResolver extends CallerResolver {
  /**
   * An API key presented for something other than inference: refused like any key (401) and with
   * 403 API_KEY_SCOPE unless it holds `scope`. The control API's routes that take keys use it
   * (`config.apiKeyScope`, e.g. Prometheus discovery with `monitoring`).
   */
  resolveApiKey(key: string, scope: ApiKeyScope): Promise<GatewayCaller>;
  /** Drops a key from this instance's cache (changes made through the service do this themselves). */
  invalidateKey(keyId: string): void;
  /** Resolves once the Redis subscription is active (at once without Redis). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export const API_KEY_INVALIDATION_CHANNEL = 'api-keys:invalidate';

const invalidKey = () => new GatewayError(401, 'INVALID_API_KEY', 'The API key is not valid.');

/** Verified session tokens remembered, at most this long (and never past their own expiry). */
const VERIFIED_JWT_TTL_MS = 300_000;
const MAX_VERIFIED_JWTS = 10_000;

/** The `exp` of a token whose signature was already verified, in ms; undefined without one. */
function expiryOfVerified(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves the caller of an inference request from an API key or a session JWT. Steady state
 * costs a SHA-256 and two map lookups: keys are cached by hash (invalidated on change, here
 * and — with Redis — everywhere), users by id for at most `userTtlMs`.
 */
export function createCallerResolver(deps: CallerResolverDeps): GatewayCallerResolver {
  const { tokens, users, apiKeys, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const keyTtlMs = deps.cache?.keyTtlMs ?? 30_000;
  const userTtlMs = deps.cache?.userTtlMs ?? 1_000;
  const log = logger.child({ component: 'caller-resolver' });
  // Keys and users already known keep working through a database outage; unknown ones get 503.
  const staleIfError = staleWhileDatabaseUnreachable(deps.cache?.outageGraceMs);

  const keys = createTtlCache<string, Readonly<ApiKeyAuthRecord>>({
    load: async (sha256) => {
      const record = await apiKeys.findForAuth(sha256);
      return record && Object.freeze({ ...record, scopes: Object.freeze([...record.scopes]), allowedDeployments: Object.freeze([...record.allowedDeployments]) });
    },
    ttlMs: keyTtlMs,
    refreshAheadMs: keyTtlMs / 2,
    negativeTtlMs: deps.cache?.unknownKeyTtlMs ?? 5_000,
    maxEntries: deps.cache?.maxKeys ?? 100_000,
    maxNegativeEntries: deps.cache?.maxUnknownKeys ?? 10_000,
    now: nowMs,
    onRefreshError: refreshFailureLogger(log, 'API keys'),
    staleIfError,
  });
  const userCache = createTtlCache<string, CachedUser>({
    load: async (id) => {
      const row = await users.findRow(id);
      return row && { id: row.id, username: row.username, role: row.role, disabled: row.disabled, sessionVersion: row.sessionVersion };
    },
    ttlMs: userTtlMs,
    refreshAheadMs: userTtlMs / 2,
    negativeTtlMs: userTtlMs,
    maxEntries: 100_000,
    now: nowMs,
    onRefreshError: refreshFailureLogger(log, 'users'),
    staleIfError,
  });

  // "Not signed out" is the common answer: it is cached as a value (not as a miss) so that it is
  // refreshed ahead in the background and steady traffic never waits for the database.
  const signOuts = createTtlCache<string, { revoked: boolean }>({
    load: async (tokenId) => ({ revoked: await deps.sessions.isRevoked(tokenId) }),
    ttlMs: userTtlMs,
    refreshAheadMs: userTtlMs / 2,
    negativeTtlMs: 0,
    maxEntries: 100_000,
    now: nowMs,
    onRefreshError: refreshFailureLogger(log, 'session sign-outs'),
    staleIfError,
  });

  // Verifying a JWT costs far more than the rest of the resolution; the same token string with
  // a good signature stays good until it expires. Session revocation (password change,
  // disable, sign-out) is still checked per request against the (1 s) caches.
  const verifiedJwts = new Map<string, { claims: VerifiedSession; expiresAtMs: number }>();
  async function verifyJwt(token: string): Promise<VerifiedSession | undefined> {
    const at = nowMs();
    const known = verifiedJwts.get(token);
    if (known && at < known.expiresAtMs) return known.claims;
    if (known) verifiedJwts.delete(token);
    const claims = await tokens.verify(token);
    const expiresAtMs = claims && expiryOfVerified(token);
    if (claims && expiresAtMs !== undefined) {
      verifiedJwts.set(token, { claims, expiresAtMs: Math.min(expiresAtMs, at + VERIFIED_JWT_TTL_MS) });
      while (verifiedJwts.size > MAX_VERIFIED_JWTS) verifiedJwts.delete(verifiedJwts.keys().next().value!);
    }
    return claims;
  }

  const invalidate = (keyId: string, source: 'local' | 'remote') => {
    keys.invalidateWhere((record) => record.id === keyId);
    deps.onInvalidated?.(keyId, source);
  };

  let channel: ChangeChannel | undefined;
  if (deps.redisUrl) {
    channel = createRedisChangeChannel({
      url: deps.redisUrl,
      channel: `${deps.redisKeyPrefix ?? 'hmas:'}${API_KEY_INVALIDATION_CHANNEL}`,
      subject: 'API key',
      fallback: 'by cache expiry (30 s)',
      logger: log,
      onMessage: (keyId) => invalidate(keyId, 'remote'),
      onResync: () => keys.clear(),
    });
  }
  const unsubscribe = apiKeys.onChange((keyId) => {
    invalidate(keyId, 'local');
    channel?.publish(keyId);
  });

  async function resolveApiKey(key: string, scope: ApiKeyScope): Promise<GatewayCaller> {
    if (!isWellFormedApiKey(key)) throw invalidKey();
    const record = await keys.get(hashApiKey(key));
    if (!record) throw invalidKey();
    if (record.revokedAt) throw new GatewayError(401, 'API_KEY_REVOKED', 'This API key was revoked.');
    if (!record.active) throw new GatewayError(401, 'API_KEY_INACTIVE', 'This API key is paused; its owner can reactivate it.');
    if (record.expiresAt && record.expiresAt.getTime() <= nowMs()) {
      throw new GatewayError(401, 'API_KEY_EXPIRED', `This API key expired at ${record.expiresAt.toISOString()}.`);
    }
    if (!record.scopes.includes(scope)) throw new GatewayError(403, 'API_KEY_SCOPE', `This API key does not have the ${scope} scope.`);
    const user = await userCache.get(record.userId);
    // The owner was deleted (their keys go with them; this instance may not know yet).
    if (!user) throw invalidKey();
    if (user.disabled) throw new GatewayError(401, 'USER_DISABLED', 'The owner of this API key is disabled.');
    deps.usage?.markUsed(record.id);
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      authMethod: 'api_key',
      keyId: record.id,
      allowedDeployments: record.allowedDeployments as string[],
      keyLimits: { rpm: record.rpm, tpm: record.tpm },
    };
  }

  async function resolveJwt(token: string): Promise<GatewayCaller> {
    const claims = await verifyJwt(token);
    if (!claims) throw new GatewayError(401, 'INVALID_TOKEN', 'The session token is invalid or has expired; sign in again.');
    const [user, signOut] = await Promise.all([userCache.get(claims.userId), signOuts.get(claims.tokenId)]);
    if (!user || user.disabled || user.sessionVersion !== claims.sessionVersion || signOut?.revoked) {
      throw new GatewayError(401, 'SESSION_REVOKED', 'This session is no longer valid; sign in again.');
    }
    return { userId: user.id, username: user.username, role: user.role, authMethod: 'jwt', keyId: null, allowedDeployments: [], keyLimits: { rpm: null, tpm: null } };
  }

  return {
    async resolve(headers) {
      const credentials = readCredentials(headers);
      if (!credentials) return undefined;
      return credentials.kind === 'api_key' ? resolveApiKey(credentials.key, 'inference') : resolveJwt(credentials.token);
    },
    resolveApiKey,
    invalidateKey: (keyId) => invalidate(keyId, 'local'),
    ready: channel?.ready ?? Promise.resolve(),
    async close() {
      unsubscribe();
      await channel?.close();
    },
  };
}
