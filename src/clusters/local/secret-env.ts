import type { WorkloadSpec } from '../../domain/workload.js';

/** Gives the plain value of a named secret, or undefined when there is no such secret. */
export type ResolveSecret = (name: string) => Promise<string | undefined>;

export type SecretEnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/**
 * The environment a replica gets from named secrets, read when it starts — so a rotated value
 * reaches a replica at its next start, as `secretKeyRef` does on Kubernetes. The values live
 * only in the child's environment: never in the spec, state.json, events or logs. A secret that
 * is missing or cannot be decrypted keeps the replica from starting, and the message says which.
 */
export async function secretEnvironment(spec: Pick<WorkloadSpec, 'secretEnv'>, resolve: ResolveSecret | undefined): Promise<SecretEnvResult> {
  const entries = Object.entries(spec.secretEnv ?? {});
  if (entries.length === 0) return { ok: true, env: {} };
  if (!resolve) return { ok: false, message: 'This driver was started without access to secrets; the replica needs ' + entries.map(([, name]) => `"${name}"`).join(', ') + '.' };
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const [variable, name] of entries) {
    let value: string | undefined;
    try {
      value = await resolve(name);
    } catch (error) {
      // The error says why (wrong HMAS_SECRET_KEY, database down); it never contains the value.
      return { ok: false, message: `Secret "${name}" (for ${variable}) could not be read: ${(error as Error).message}` };
    }
    if (value === undefined) missing.push(`"${name}" (for ${variable})`);
    else env[variable] = value;
  }
  if (missing.length > 0) {
    return { ok: false, message: `Secret ${missing.join(', ')} not found: create it (POST /api/secrets), then pause and resume the deployment, or change its settings.` };
  }
  return { ok: true, env };
}
