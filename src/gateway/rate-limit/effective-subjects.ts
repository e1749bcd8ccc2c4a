import type { RateLimitSource } from '../../domain/rate-limit.js';
import type { GatewayCaller, RateSubject } from '../gateway-contracts.js';

/** Overrides as stored on a key or a user: null = inherit. */
export interface LimitOverrides {
  rpm: number | null;
  tpm: number | null;
}

export interface ResolvedLimits {
  rpm: number;
  tpm: number;
  source: { rpm: RateLimitSource; tpm: RateLimitSource };
}

/**
 * A subject's limits and where each comes from: the key's override, else the user's, else the
 * default. `key` is null for the user subject itself (a user never inherits a key's limits).
 */
export function resolveLimits(key: LimitOverrides | null, user: LimitOverrides, defaults: { rpm: number; tpm: number }): ResolvedLimits {
  const pick = (dimension: 'rpm' | 'tpm'): [number, RateLimitSource] => {
    const fromKey = key?.[dimension];
    if (fromKey !== null && fromKey !== undefined) return [fromKey, 'key'];
    const fromUser = user[dimension];
    if (fromUser !== null) return [fromUser, 'user'];
    return [defaults[dimension], 'default'];
  };
  const [rpm, rpmSource] = pick('rpm');
  const [tpm, tpmSource] = pick('tpm');
  return { rpm, tpm, source: { rpm: rpmSource, tpm: tpmSource } };
}

/**
 * The subjects a gateway request is limited by: the API key (when it came with one) and the
 * user. Both must admit it. 0 = unlimited.
 */
export function effectiveSubjects(
  caller: GatewayCaller,
  user: { rateLimitRpm: number | null; rateLimitTpm: number | null },
  defaults: { rpm: number; tpm: number },
): RateSubject[] {
  const userOverrides = { rpm: user.rateLimitRpm, tpm: user.rateLimitTpm };
  const userLimits = resolveLimits(null, userOverrides, defaults);
  const userSubject: RateSubject = { kind: 'user', id: caller.userId, rpm: userLimits.rpm, tpm: userLimits.tpm };
  if (caller.authMethod !== 'api_key' || caller.keyId === null) return [userSubject];
  const keyLimits = resolveLimits(caller.keyLimits, userOverrides, defaults);
  return [{ kind: 'key', id: caller.keyId, rpm: keyLimits.rpm, tpm: keyLimits.tpm }, userSubject];
}
