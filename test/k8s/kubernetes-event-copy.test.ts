// The events history on the real single-node Kubernetes: the node registered as a cluster, two
// deployments whose names share a prefix (`evt`, `evt-big`) and whose image the node does not have
// (pull policy Never: the kubelet reports ErrImageNeverPull again and again, raising the core
// event's count), and the server's event-copy loop reading the namespace's events in one pass
// (`clusterEvents`) every second. Each event lands once, on its own deployment, with the count the
// cluster reports — however many times it is copied.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { describeWithKubeNode } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

interface EventItem {
  type: string;
  reason: string;
  message: string;
  count: number;
  involvedObject: { kind: string; name: string };
}

describeWithKubeNode('events history copied from a real Kubernetes node', (node) => {
  vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });
  const kubectl = kubectlFor(node);

  describe.each(testBackends())('%s', (backend) => {
    const namespace = uniqueNamespace('events');
    let t: TestApp;
    let dir: string;
    let headers: { authorization: string };
    const ids: Record<string, string> = {};

    const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const live = async (name: string) => (await call('GET', `/api/deployments/${ids[name]}/events`)).json<{ items: EventItem[] }>().items;
    const history = async (name: string) => (await call('GET', `/api/deployments/${ids[name]}/events/history?limit=500`)).json<{ items: EventItem[]; total: number }>();
    const key = (event: EventItem) => `${event.involvedObject.kind}/${event.involvedObject.name}|${event.type}|${event.reason}|${event.message}`;

    beforeAll(async () => {
      dir = await modelDirForRuntimes('hmas-k8s-events-');
      await writeTinyModel(path.join(dir, 'model.gguf'));
      t = await createTestApp(backend, { HMAS_RECONCILE_INTERVAL_MS: '2000', HMAS_EVENT_COPY_INTERVAL_MS: '1000' });
      headers = await t.admin();
      const registered = await call('POST', '/api/clusters', {
        name: 'kube-events',
        connection: { kind: 'kubeconfig', kubeconfig: await inlineKubeconfig(node.kubeconfig), namespace, workloads: { imagePullPolicy: 'Never', modelVolume: { type: 'hostPath', path: dir } } },
      });
      expect(registered.statusCode, registered.body).toBe(201);
      const profile = await call('POST', '/api/resource-profiles', { name: 'tiny', gpuCount: 0, cpu: '10m', memory: '32Mi' });
      expect(profile.statusCode, profile.body).toBe(201);
      const model = await call('POST', '/api/models', { localPath: path.join(dir, 'model.gguf'), name: 'events-model' });
      expect(model.statusCode, model.body).toBe(201);
      for (const name of ['evt', 'evt-big']) {
        const created = await call('POST', '/api/deployments', { name, modelId: model.json<{ id: string }>().id, cluster: 'kube-events', runtime: 'llamacpp', replicas: 1, resourceProfileId: profile.json<{ id: string }>().id });
        expect(created.statusCode, created.body).toBe(201);
        ids[name] = created.json<{ id: string }>().id;
      }
      t.loops.startAll();
    });
    afterAll(async () => {
      await t?.close();
      await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    });

    it("copies each deployment's events once, with the count the cluster reports, and none of another deployment's", async () => {
      // The kubelet repeats ErrImageNeverPull: wait until the copy shows it more than once, equal to what the cluster says.
      const settled = await waitFor(
        'ErrImageNeverPull copied with the count the cluster reports (2 or more)',
        async () => {
          const copied = (await history('evt')).items.filter((event) => event.reason === 'ErrImageNeverPull');
          const reported = (await live('evt')).filter((event) => event.reason === 'ErrImageNeverPull');
          const counts = (events: EventItem[]) => new Map(events.map((event) => [key(event), event.count]));
          const same = copied.length > 0 && copied.length === reported.length && [...counts(reported)].every(([id, count]) => counts(copied).get(id) === count);
          return same && copied.every((event) => event.count >= 2) ? copied : undefined;
        },
        { timeoutMs: 180_000, pollMs: 1000, describe: async () => ({ history: await history('evt'), live: await live('evt') }) },
      );
      expect(settled[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Replica' } });
      expect(settled[0]!.involvedObject.name).toMatch(/^evt-[a-z0-9]+-[a-z0-9]{5}$/);

      for (const name of ['evt', 'evt-big']) {
        const copied = await history(name);
        // One row per event: no fingerprint twice.
        expect(new Set(copied.items.map(key)).size, name).toBe(copied.items.length);
        // The Deployment's own events (Kubernetes' ScalingReplicaSet) and its pods', each on its deployment only.
        expect(copied.items.some((event) => event.reason === 'ScalingReplicaSet' && event.involvedObject.kind === 'Workload' && event.involvedObject.name === name), name).toBe(true);
        const pods = copied.items.filter((event) => event.involvedObject.kind === 'Replica').map((event) => event.involvedObject.name);
        expect(pods.length, name).toBeGreaterThan(0);
        for (const pod of pods) expect(pod, name).toMatch(new RegExp(`^${name}-[a-z0-9]+-[a-z0-9]{5}$`));
        // Everything the cluster reports is copied (by the next copy at the latest).
        await waitFor(`every live event of ${name} copied`, async () => {
          const keys = new Set((await history(name)).items.map(key));
          return (await live(name)).every((event) => keys.has(key(event))) ? true : undefined;
        }, { timeoutMs: 30_000, pollMs: 500, describe: async () => ({ history: await history(name), live: await live(name) }) });
      }
    });
  });
});
