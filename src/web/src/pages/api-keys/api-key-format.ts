import type { ApiKeyStatus, RateLimitOverview } from '../../api/types';
import type { BadgeTone } from '../../components/Badge';
import { formatCount } from '../../lib/format';

export const KEY_STATUS_TONES: Record<ApiKeyStatus, BadgeTone> = {
  active: 'ok',
  inactive: 'neutral',
  expired: 'warning',
  revoked: 'error',
};

export type LimitKind = 'rpm' | 'tpm';

/** What a key without a limit of its own gets: its owner's limit, else the server default. */
export type InheritedLimits = Record<LimitKind, number>;

/**
 * A user's limits from their rate-limit overview: the user subject's effective limits are
 * "user override, else server default", exactly what a key with null limits falls back to.
 */
export function inheritedLimits(overview: RateLimitOverview | undefined): InheritedLimits | undefined {
  const user = overview?.subjects.find((subject) => subject.kind === 'user');
  return user ? { rpm: user.limits.rpm, tpm: user.limits.tpm } : undefined;
}

/** 0 is unlimited. */
export const formatLimit = (value: number) => (value === 0 ? 'unlimited' : formatCount(value));

/** A key's own limit, or the inherited one (when known) marked "(default)". */
export function limitText(own: number | null, inherited: number | undefined): string {
  if (own !== null) return formatLimit(own);
  return inherited === undefined ? '(default)' : `${formatLimit(inherited)} (default)`;
}
