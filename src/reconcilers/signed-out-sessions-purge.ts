import type { Logger } from '../lib/logger.js';
import type { Reconciler } from './reconciler.js';

/** Hourly: forgets sign-outs of session tokens that have expired anyway. */
export function signedOutSessionsPurge(deps: { sessions: { purgeExpired(): Promise<number> }; logger: Logger }): Reconciler {
  return {
    name: 'signed-out-sessions-purge',
    intervalMs: 3600_000,
    needsLeader: true,
    touches: 'revoked_sessions (deletes expired rows)',
    runImmediately: true,
    async tick() {
      const deleted = await deps.sessions.purgeExpired();
      if (deleted > 0) deps.logger.debug({ deleted }, 'forgot sign-outs of expired session tokens');
    },
  };
}
