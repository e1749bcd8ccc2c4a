import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApiServer, unusedLocalUrl, kubeconfigFor, type FakeKubeApiServer } from '../../../test/fakes/fake-kube-apiserver.js';
import { parseKubeconfig } from './kubeconfig.js';
import { createKubernetesDriver } from './kubernetes-driver.js';
import { createKubeWorkloadClient } from './kube-workload-client.js';

const TOKEN = 'fake-sa-token-for-tests';
const logger = pino({ level: 'silent' });

describe('Kubernetes workload calls: errors in words (against the fake API server)', () => {
  let fake: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('names the permission the kubeconfig lacks on 403: verb, resource and namespace', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN, forbidden: ['/apis/apps/v1/namespaces/hmas/deployments'] });
    const client = createKubeWorkloadClient(parseKubeconfig(fake.kubeconfig()));
    await expect(client.scaleDeployment('hmas', 'chat', 0, {})).rejects.toMatchObject({
      statusCode: 403,
      code: 'CLUSTER_FORBIDDEN',
      message: "the kubeconfig's user may not patch deployments.apps in namespace hmas (HTTP 403 from the cluster); grant it with a Role or ClusterRole.",
    });
    const driver = createKubernetesDriver({ cluster: { name: 'gpu', type: 'HP', scheduler: 'default' }, kubeconfig: parseKubeconfig(fake.kubeconfig()), namespace: 'hmas', runtimeImages: {}, logger, timing: { listWatch: { initialBackoffMs: 10_000, maxBackoffMs: 10_000 } } });
    await expect(driver.status('chat')).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN', message: expect.stringContaining('may not list deployments.apps in namespace hmas') });
    await driver.close();
  });

  it('rejects reads of a cluster that does not answer (callers fall back to the database)', async () => {
    const kubeconfig = parseKubeconfig(kubeconfigFor(await unusedLocalUrl(), TOKEN));
    const driver = createKubernetesDriver({ cluster: { name: 'gpu', type: 'HP', scheduler: 'default' }, kubeconfig, namespace: 'hmas', runtimeImages: {}, logger, timing: { listWatch: { initialBackoffMs: 10_000, maxBackoffMs: 10_000 } } });
    await expect(driver.list()).rejects.toThrow(/connection refused/);
    await driver.close();
  });

  it('refuses a namespace that is not a DNS-1123 label before any call', () => {
    expect(() =>
      createKubernetesDriver({ cluster: { name: 'gpu', type: 'HP', scheduler: 'default' }, kubeconfig: parseKubeconfig(kubeconfigFor('https://127.0.0.1:1', TOKEN)), namespace: 'Bad_NS', runtimeImages: {}, logger }),
    ).toThrow(/DNS-1123/);
  });
});
