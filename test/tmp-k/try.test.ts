import { it } from 'vitest';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { findKubeNode } from '../support/kube-node.js';
import { startKarmadaApiServer } from '../support/karmada-apiserver.js';
import { kubeConfigOf } from '../support/karmada-stand-in.js';
it('starts', async () => {
  const found = findKubeNode();
  if (!('node' in found)) throw new Error(found.skip);
  const k = await startKarmadaApiServer(found.node, 'kmtry2');
  const api = kubeConfigOf(k.kubeconfig).makeApiClient(CustomObjectsApi);
  for (let i = 0; i < 5; i++) {
    try {
      const r = await api.createClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', body: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'm' + i }, spec: { syncMode: 'Push' } } });
      console.log('ok', JSON.stringify(r).slice(0, 100));
    } catch (e) { console.log('err', (e as Error).message, (e as any).cause?.code); }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await k.close();
}, 120_000);
