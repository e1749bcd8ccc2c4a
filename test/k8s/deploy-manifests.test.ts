// deploy/ (Kustomize base, data services, dev and production overlays) against the real API server
// of the test node: kubectl 1.20's own kustomize renders every overlay, the API server accepts
// every object, and the ServiceAccount may do what the Kubernetes driver does and nothing more.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, describeWithKubeNode } from '../support/kube-node.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
  roleRef?: { name: string };
}
interface Container {
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  securityContext?: Record<string, unknown>;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}

const overlays = {
  dev: {
    namespace: 'hmas-dev',
    image: 'hmas:dev',
    replicas: 1,
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'Service', 'Service', 'ServiceAccount', 'StatefulSet', 'StatefulSet'],
  },
  production: {
    namespace: 'hmas',
    image: 'hmas:0.1.0',
    replicas: 2,
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'ServiceAccount'],
  },
} as const;

/** Environment variables that hold secrets: only ever from the Secret, never a value in the manifests. */
const SECRET_ENV = ['DATABASE_URL', 'HMAS_JWT_SECRET', 'HMAS_SECRET_KEY', 'REDIS_URL', 'HMAS_ADMIN_PASSWORD', 'HF_TOKEN', 'POSTGRES_PASSWORD'];

/** What the Kubernetes driver, the inventory and the image warmer do on a member cluster. */
const DRIVER_NEEDS: Array<[verb: string, resource: string, namespaced: boolean]> = [
  ['get', 'namespaces', false],
  ['create', 'namespaces', false],
  ['list', 'nodes', false],
  ['watch', 'nodes', false],
  ['list', 'pods', false],
  ['watch', 'pods', true],
  ['get', 'pods/log', true],
  ['list', 'events', true],
  ['watch', 'events', true],
  ...['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'].flatMap((verb) => [
    [verb, 'deployments.apps', true] as [string, string, boolean],
    [verb, 'services', true] as [string, string, boolean],
    [verb, 'daemonsets.apps', true] as [string, string, boolean],
  ]),
  ['list', 'replicasets.apps', true],
  ['watch', 'replicasets.apps', true],
  ...['get', 'create', 'patch', 'update', 'delete'].map((verb) => [verb, 'secrets', true] as [string, string, boolean]),
];
const DRIVER_MUST_NOT: Array<[verb: string, resource: string, namespaced: boolean]> = [
  ['list', 'secrets', true],
  ['list', 'secrets', false],
  ['delete', 'namespaces', false],
  ['delete', 'nodes', false],
  ['create', 'pods/exec', true],
  ['create', 'pods', true],
  ['create', 'clusterroles.rbac.authorization.k8s.io', false],
  ['create', 'rolebindings.rbac.authorization.k8s.io', true],
];

describeWithKubeNode('deploy/ Kustomize manifests on the real API server (kubectl 1.20, kustomize v2.0.3)', (node) => {
  const kubectl = kubectlFor(node);
  const scratch = mkdtempSync(path.join(tmpdir(), 'k8sinfra-deploy-'));
  const namespaces: string[] = [];
  const applied: string[] = [];

  /** A kustomization on top of an overlay that puts it into a throwaway namespace under unique names (cluster-scoped objects too). */
  async function throwaway(overlay: keyof typeof overlays, extra = '') {
    const namespace = uniqueNamespace(`k8sinfra-${overlay}`);
    const dir = path.join(scratch, namespace);
    const overlayDir = path.join(REPO_ROOT, 'deploy', 'overlays', overlay);
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `namespace: ${namespace}\nnamePrefix: ${namespace}-\nbases:\n  - ${path.relative(dir, overlayDir)}\n${extra}`,
    );
    await kubectl(['create', 'namespace', namespace]);
    namespaces.push(namespace);
    return { namespace, dir, prefix: `${namespace}-` };
  }

  afterAll(async () => {
    for (const dir of applied) await kubectl(['delete', '-k', dir, '--wait=false', '--ignore-not-found']).catch(() => undefined);
    for (const namespace of namespaces) await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  describe.each(Object.keys(overlays) as Array<keyof typeof overlays>)('overlay %s', (overlay) => {
    const expected = overlays[overlay];
    const overlayDir = path.join(REPO_ROOT, 'deploy', 'overlays', overlay);

    it('renders with kubectl kustomize into an H-MAS installation in its namespace, secrets only by reference', async () => {
      expect(await kubectl(['kustomize', overlayDir])).toContain('kind: Deployment');
      const { items } = await kubectl.json<{ items: KubeObject[] }>(['apply', '-k', overlayDir, '--dry-run=client']);
      expect(items.map((item) => item.kind).sort()).toEqual([...expected.kinds]);
      for (const item of items.filter((object) => !object.kind.startsWith('Cluster'))) expect(item.metadata.namespace, `${item.kind} ${item.metadata.name}`).toBe(expected.namespace);
      expect(items.some((item) => item.kind === 'Secret')).toBe(false);

      const binding = items.find((item) => item.kind === 'ClusterRoleBinding');
      expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'hmas', namespace: expected.namespace }]);
      expect(binding?.roleRef?.name).toBe('hmas-member');

      const deployment = items.find((item) => item.kind === 'Deployment' && item.metadata.name === 'hmas');
      const spec = deployment?.spec as { replicas: number; template: { spec: PodSpec } };
      expect(spec.replicas).toBe(expected.replicas);
      const pod = spec.template.spec;
      expect(pod.serviceAccountName).toBe('hmas');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const [server] = pod.containers;
      expect(server).toMatchObject({ image: expected.image, args: ['server'], securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } });
      expect(server?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(server?.livenessProbe?.httpGet?.path).toBe('/healthz');

      const env = items.flatMap((item) => {
        const template = (item.spec as { template?: { spec: PodSpec } } | undefined)?.template;
        return template ? template.spec.containers.flatMap((container) => container.env ?? []) : [];
      });
      for (const variable of env.filter((entry) => SECRET_ENV.includes(entry.name))) {
        expect(variable.value, `${variable.name} must come from a Secret`).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef?.name, variable.name).toBe('hmas-secrets');
      }
      const required = env.filter((entry) => entry.valueFrom?.secretKeyRef && !entry.valueFrom.secretKeyRef.optional).map((entry) => entry.name);
      expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'HMAS_JWT_SECRET', 'HMAS_SECRET_KEY']));
      if (overlay === 'production') expect(required).toContain('REDIS_URL');
    });

    it('is accepted by the API server (server-side dry run in a throwaway namespace)', async () => {
      const { dir } = await throwaway(overlay);
      const output = await kubectl(['apply', '-k', dir, '--dry-run=server']);
      const accepted = output.trim().split('\n').filter((line) => / (created|configured|unchanged) \(server dry run\)$/.test(line));
      expect(accepted, output).toHaveLength(expected.kinds.length);
    });
  });

  it('applies for real (replicas 0) and its ServiceAccount may do what the Kubernetes driver does, and nothing more', async () => {
    const scaledDown = 'patchesStrategicMerge:\n  - scale.yaml\n';
    const { namespace, dir, prefix } = await throwaway('dev', scaledDown);
    writeFileSync(
      path.join(dir, 'scale.yaml'),
      ['Deployment hmas', 'StatefulSet hmas-postgres', 'StatefulSet hmas-redis']
        .map((id) => {
          const [kind, name] = id.split(' ');
          return `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: {replicas: 0}\n`;
        })
        .join('---\n'),
    );
    applied.push(dir);
    await kubectl(['apply', '-k', dir]);

    const { items } = await kubectl.json<{ items: KubeObject[] }>(['get', '-k', dir]);
    expect(items.map((item) => `${item.kind} ${item.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole hmas-member',
        'ClusterRoleBinding hmas-member',
        'Deployment hmas',
        'Service hmas',
        'Service hmas-postgres',
        'Service hmas-redis',
        'ServiceAccount hmas',
        'StatefulSet hmas-postgres',
        'StatefulSet hmas-redis',
      ].map((id) => id.replace(' ', ` ${prefix}`)),
    );

    const serviceAccount = `system:serviceaccount:${namespace}:${prefix}hmas`;
    const workloads = uniqueNamespace('k8sinfra-workloads');
    const answers = async (checks: typeof DRIVER_NEEDS) => {
      const results = await Promise.all(checks.map(([verb, resource, namespaced]) => kubectl.canI(serviceAccount, verb, resource, namespaced ? workloads : undefined)));
      return checks.map(([verb, resource], index) => ({ check: `${verb} ${resource}`, allowed: results[index] }));
    };
    const denied = (await answers(DRIVER_NEEDS)).filter((answer) => !answer.allowed).map((answer) => answer.check);
    expect(denied, 'the ClusterRole lacks what the driver needs').toEqual([]);
    const allowed = (await answers(DRIVER_MUST_NOT)).filter((answer) => answer.allowed).map((answer) => answer.check);
    expect(allowed, 'the ClusterRole grants more than the driver needs').toEqual([]);
  });
});
