// The test runtime image (scripts/k8snode-runtime-image.sh) on the real node: a pod with the
// host's /usr and the repository mounted runs `node` and reads a file of the repository.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, describeWithKubeNode, nodeHostMounts } from '../support/kube-node.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { waitFor } from '../support/wait-for.js';

interface PodStatus {
  status: { phase?: string; containerStatuses?: Array<{ state?: { terminated?: { exitCode: number; reason?: string }; waiting?: { reason?: string; message?: string } } }> };
}

const zodVersion = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'zod', 'package.json'), 'utf8')) as { version: string }).version;

describeWithKubeNode('test runtime image hmas-test.local/node-host:1 on the real node', (node) => {
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('k8sinfra-image');

  beforeAll(async () => {
    await kubectl(['create', 'namespace', namespace]);
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  });

  it('runs node from the host /usr and loads the mounted repository and its node_modules, as root and as nobody', async () => {
    const { volumes, volumeMounts } = nodeHostMounts();
    // package.json from the repository, and a dependency from node_modules (a link out of the
    // repository in a git worktree: nodeHostMounts mounts its target too).
    const script = [
      `const p = require(${JSON.stringify(path.join(REPO_ROOT, 'package.json'))});`,
      `const z = require(require.resolve('zod/package.json', { paths: [${JSON.stringify(REPO_ROOT)}] }));`,
      'console.log(JSON.stringify({ node: process.version, name: p.name, zod: z.version, uid: process.getuid() }))',
    ].join(' ');
    const pod = (name: string, runAsUser: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      spec: {
        restartPolicy: 'Never',
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsUser },
        volumes,
        containers: [{ name: 'node', image: node.runtimeImage, imagePullPolicy: 'Never', command: ['node', '-e', script], volumeMounts }],
      },
    });
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('as-root', 0), pod('as-nobody', 65534)] }));

    for (const [name, uid] of [['as-root', 0], ['as-nobody', 65534]] as const) {
      const terminated = await waitFor(
        `pod ${name} to finish`,
        async () => (await kubectl.json<PodStatus>(['get', 'pod', name, '-n', namespace])).status.containerStatuses?.[0]?.state?.terminated,
        { timeoutMs: 90_000, pollMs: 500, describe: () => kubectl.json(['get', 'pod', name, '-n', namespace]) },
      );
      const log = await kubectl(['logs', name, '-n', namespace]);
      expect(terminated.exitCode, log).toBe(0);
      expect(JSON.parse(log.trim())).toEqual({ node: process.version, name: 'hmas', zod: zodVersion, uid });
    }
  });
});
