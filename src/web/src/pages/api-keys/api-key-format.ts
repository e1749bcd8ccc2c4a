import type { ApiKeyStatus, RateLimitOverview } from '../../api/types';
import type { BadgeTone } from '../../components/Badge';

export const KEY_STATUS_TONES: Record<ApiKeyStatus, BadgeTone> = {
  active: 'ok',
  inactive: 'neutral',
  expired: 'warning',
  revoked: 'error',
};

import type { LimitKind } from '../../components/RateLimitFields';

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
