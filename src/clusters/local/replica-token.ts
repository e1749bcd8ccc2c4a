import { randomBytes } from 'node:crypto';
import type { WorkloadSpec } from '../../domain/workload.js';

/**
 * The token that makes the gateway the only way into a local replica. Each replica gets its own
 * when it first starts; it reaches the runtime through the variable the runtime reads its API key
 * from (environ is readable only by the process's owner, argv by everyone in /proc), is kept in
 * the workload's state file (mode 0600) so a restarted server can still reach adopted replicas,
 * and goes to the gateway with the replica's URL. It never appears in a status, an event, an
 * endpoint list or a log line.
 */

/** 256 random bits, base64url: nothing a header or an environment value could mangle. */
export function newReplicaToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The environment entry that hands the token to the runtime; nothing when it takes no key. */
export function tokenEnvironment(spec: Pick<WorkloadSpec, 'apiKeyEnv'>, token: string | null): Record<string, string> {
  return spec.apiKeyEnv !== null && token !== null ? { [spec.apiKeyEnv]: token } : {};
}

/** Headers of the driver's own health checks: some runtimes guard /health with the key too. */
export function tokenHeaders(token: string | null): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token}` };
}
