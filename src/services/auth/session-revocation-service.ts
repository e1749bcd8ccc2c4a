import type { RevokedSessionRepo } from './revoked-session-repo.js';
import { MAX_CLOCK_SKEW_SECONDS, type VerifiedSession } from './token-service.js';

/**
 * Sign-out for stateless session tokens: a signed-out token's id is kept until the token
 * expires, and every check of a session asks whether its id is listed. The table only ever
 * holds tokens that are both signed out and not yet expired, so it stays small.
 */
export function createSessionRevocationService(deps: { repo: RevokedSessionRepo; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async revoke(session: Pick<VerifiedSession, 'tokenId' | 'userId' | 'expiresAt'>): Promise<void> {
      await deps.repo.insert({ tokenId: session.tokenId, userId: session.userId, expiresAt: session.expiresAt });
    },
    isRevoked(tokenId: string): Promise<boolean> {
      return deps.repo.exists(tokenId);
    },
    /** Forgets revocations of tokens that have expired (with room for clock skew between instances). */
    purgeExpired(): Promise<number> {
      return deps.repo.deleteExpiredBefore(new Date(now().getTime() - MAX_CLOCK_SKEW_SECONDS * 1000));
    },
  };
}

export type SessionRevocationService = ReturnType<typeof createSessionRevocationService>;
