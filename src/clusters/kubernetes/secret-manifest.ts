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
