import { randomBytes } from 'node:crypto';
import type { WorkloadSpec } from '../../domain/workload.js';

/** A `v1` Secret as the Kubernetes API takes it. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  type: 'Opaque';
  /** Base64 of each value, keyed by the H-MAS secret's name (a DNS-1123 label, so a valid key). */
  data: Record<string, string>;
}

/** A container env entry that takes its value from the workload's Secret. */
export interface SecretEnvVar {
  name: string;
  valueFrom: { secretKeyRef: { name: string; key: string; optional: false } };
}

/** The Secret of a workload: `<workload name>-secrets` (at most 63 characters, as labels need). */
export function workloadSecretName(spec: Pick<WorkloadSpec, 'name'>): string {
  return `${spec.name.slice(0, 63 - '-secrets'.length).replace(/-+$/, '')}-secrets`;
}

/**
 * Turns a workload's secret references into what the Kubernetes driver applies: one Secret with
 * the values of the secrets the workload uses (its own, so removing the workload removes them and
 * nothing else in the namespace is needed), and env entries reading them with `secretKeyRef`.
 * Pure. `values` holds the plain value of every referenced secret (the driver resolves them);
 * a missing one throws, naming it, so nothing half-configured is applied. Null when the spec
 * refers to no secret.
 *
 * The Secret's contents never enter the spec hash, so a rotation re-applies the Secret without
 * touching the Deployment: pods get the new value when they next start, as with any secretKeyRef.
 */
export function renderSecretEnv(
  spec: Pick<WorkloadSpec, 'name' | 'secretEnv' | 'labels' | 'annotations'>,
  values: Readonly<Record<string, string>>,
  options: { namespace?: string } = {},
): { secret: SecretManifest; env: SecretEnvVar[] } | null {
  const entries = Object.entries(spec.secretEnv ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;
  const name = workloadSecretName(spec);
  const data: Record<string, string> = {};
  for (const [, secret] of entries) {
    const value = values[secret];
    if (value === undefined) throw new Error(`Secret "${secret}" has no value to render into ${name}.`);
    data[secret] = Buffer.from(value, 'utf8').toString('base64');
  }
  const secret: SecretManifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      labels: { ...spec.labels },
      annotations: { 'hmas.io/deployment': spec.annotations['hmas.io/deployment'] ?? spec.name, 'hmas.io/secrets': Object.keys(data).sort().join(',') },
    },
    type: 'Opaque',
    data,
  };
  const env = entries.map(([variable, key]) => ({ name: variable, valueFrom: { secretKeyRef: { name, key, optional: false as const } } }));
  return { secret, env };
}

/**
 * The secret environment of a workload as both Kubernetes-style drivers (a cluster's, and Karmada's
 * templates) write it: each value resolved (`resolveSecret`, the same as the local driver's); when
 * all are found, the workload's Secret and its `secretKeyRef` env entries (`renderSecretEnv`). When
 * one is missing there is no Secret, but the env entries still refer to it: pods then report
 * CreateContainerConfigError naming the Secret, as H-MAS reports a missing secret elsewhere.
 * `spec.labels` should already be the workload's labels on the cluster.
 */
export async function resolveSecretEnv(
  spec: Pick<WorkloadSpec, 'name' | 'secretEnv' | 'labels' | 'annotations'>,
  resolveSecret: ((name: string) => Promise<string | undefined>) | undefined,
  options: { namespace: string },
): Promise<{ secret: SecretManifest | null; env: SecretEnvVar[] }> {
  const names = [...new Set(Object.values(spec.secretEnv ?? {}))];
  if (names.length === 0) return { secret: null, env: [] };
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = await resolveSecret?.(name);
    if (value !== undefined) values[name] = value;
  }
  if (names.every((name) => values[name] !== undefined)) {
    const rendered = renderSecretEnv(spec, values, options);
    if (rendered) return rendered;
  }
  const secret = workloadSecretName(spec);
  const env = Object.entries(spec.secretEnv ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([variable, key]) => ({ name: variable, valueFrom: { secretKeyRef: { name: secret, key, optional: false as const } } }));
  return { secret: null, env };
}

/** A new replica token (the Secret `<name>-token` holds it; only the gateway is given it): 32 random bytes, base64url. */
export function newReplicaToken(): string {
  return randomBytes(32).toString('base64url');
}
