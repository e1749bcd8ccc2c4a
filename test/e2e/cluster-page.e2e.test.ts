// Browser test of the cluster page and the deploy drawer's cluster choice: a kubeconfig cluster
// whose (fake) API server has a node under the MIG mixed strategy, an agent cluster, and the local
// host with a deployment of no replicas (listed, nothing started). Screenshots light and dark.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { startFakeKubeApiServer, withMigNode } from '../fakes/fake-kube-apiserver.js';
import { modelDirForRuntimes } from '../support/tiny-model.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { deleteEveryDeployment, registerTinyModel } from './deployment-steps.js';
import { cellsByHeader, fact, settled } from './page-helpers.js';

const KUBE_TOKEN = 'sa-token-for-the-cluster-page-0123456789';

describe.skipIf(!browserTestsRun)('the cluster page in a browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let kube: FakeKubeApiServer;
  let dir: string;
  let modelFile: string;

  /** Full-page screenshots of the page as it is, light then dark (following the system's scheme). */
  async function lightAndDark(name: string, ready: () => Promise<unknown>) {
    await h.screenshot(name, { fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.reload();
      await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
      await ready();
      await h.screenshot(`${name}-dark`, { fullPage: true });
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  }

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({ token: KUBE_TOKEN, ...withMigNode() });
    dir = await modelDirForRuntimes('hmas-e2e-cluster-page-');
    modelFile = path.join(dir, 'tiny.gguf');
    // No nvidia-smi: the local host's inventory is the same on every machine.
    h = await startBrowserHarness({ env: { HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi' } });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    const connection = { kind: 'kubeconfig', kubeconfig: kube.kubeconfig(), namespace: 'inference' };
    const created = await h.api('POST', '/api/clusters', { name: 'gpu-mig', displayName: 'GPU MIG', type: 'HP', scheduler: 'koordinator', labels: { region: 'eu-west' }, connection });
    expect(created.status).toBe(201);
    expect((await h.api<{ lastTest: { ok: boolean } }>('POST', '/api/clusters/gpu-mig/test')).body.lastTest.ok).toBe(true);
    expect((await h.api('POST', '/api/clusters', { name: 'edge-lab', connection: { kind: 'agent' } })).status).toBe(201);
    const modelId = await registerTinyModel(h, modelFile);
    expect((await h.api('POST', '/api/deployments', { name: 'idle-chat', modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 0 })).status).toBe(201);
    // Server, browser and the first connection test: long on a machine busy with other suites.
  }, 180_000);

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    if (h) {
      await deleteEveryDeployment(h);
      await h.close();
    }
    await kube?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a Kubernetes cluster: connection settings, nodes with GPU model, memory, count and MIG, the image warmer not reported, no deployments', async () => {
    await page.goto(h.url('/clusters/gpu-mig'));
    await page.getByRole('heading', { level: 1, name: 'GPU MIG' }).waitFor();
    const summary = page.getByRole('region', { name: 'Summary' });
    expect(await fact(summary, 'Type').textContent()).toBe('HP — High Performance');
    expect(await fact(summary, 'Scheduler').textContent()).toBe('Koordinator');
    const connection = page.getByRole('region', { name: 'Connection' });
    expect(await fact(connection, 'Kind').textContent()).toBe('Kubeconfig');
    expect(await fact(connection, 'Namespace').textContent()).toBe('inference');
    expect(await page.content()).not.toContain(KUBE_TOKEN);

    const nodes = page.getByRole('table', { name: 'Nodes of gpu-mig' });
    const nodeCells = (name: string) => cellsByHeader(nodes.getByRole('row').filter({ hasText: name }), nodes);
    const a100 = await nodeCells('gpu-a100-mig-1');
    expect(a100).toMatchObject({
      Node: 'gpu-a100-mig-1',
      Ready: 'ready',
      GPUs: 'NVIDIA-A100-SXM4-80GB ×1 (80.0 GiB)',
      'GPUs allocated': '0 / 1',
      MIG: '1g.10gb ×7 (2/7 allocated)3g.40gb ×2 (0/2 allocated)strategy mixed',
    });
    expect((await nodeCells('gpu-h100-1')).MIG).toBe('capable, not partitioned, strategy single');
    expect((await nodeCells('gpu-l40s-1')).MIG).toBe('not capable');
    expect((await nodeCells('cp-1')).MIG).toBe('—');
    await page.getByRole('list', { name: 'Inventory notes' }).getByText('Node gpu-a100-mig-1 offers MIG devices', { exact: false }).waitFor();

    const warmer = page.getByRole('region', { name: 'Image warmer' });
    expect(await fact(warmer, 'Pre-caching').textContent()).toBe('on');
    expect(await fact(warmer, 'State').textContent()).toBe('not reported');

    const deployments = page.getByRole('region', { name: 'Deployments' });
    await deployments.getByText('No deployments on this cluster.').waitFor();
    await lightAndDark('cluster-page-kubernetes', () => deployments.getByText('No deployments on this cluster.').waitFor());
  });

  it('lists the deployments placed on the local host, each linking to its instance', async () => {
    await page.goto(h.url('/clusters/local'));
    await page.getByRole('heading', { level: 1, name: 'This host' }).waitFor();
    const deployments = page.getByRole('region', { name: 'Deployments' });
    const row = deployments.getByRole('row').filter({ hasText: 'idle-chat' });
    await row.waitFor();
    expect(await cellsByHeader(row, deployments)).toMatchObject({ Name: 'idle-chat', Model: 'tiny-model', Runtime: 'embedded-llamacpp', Ready: '0/0' });
    expect(await deployments.getByRole('columnheader').allTextContents()).toEqual(['Name', 'Model', 'Runtime', 'Status', 'Ready']);
    await page.getByRole('region', { name: 'Image warmer' }).getByText('Not used here', { exact: false }).waitFor();
    await lightAndDark('cluster-page-local', () => deployments.getByRole('row').filter({ hasText: 'idle-chat' }).waitFor());
    await row.getByRole('link', { name: 'idle-chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'idle-chat' }).waitFor();
  });

  it('offers every cluster in the deploy drawer with its kind, says the model file must be in the pod, and shows a refusal readably', async () => {
    await h.openPage('Instances');
    await page.getByRole('button', { name: 'Deploy model' }).click();
    const drawer = page.getByRole('dialog', { name: 'Deploy model' });
    const cluster = drawer.getByLabel('Cluster', { exact: true });
    await cluster.waitFor();
    expect(await cluster.locator('option').allTextContents()).toEqual(expect.arrayContaining(['local — this host', 'gpu-mig — Kubernetes', 'edge-lab — agent (unknown)']));
    await drawer.getByLabel('Name', { exact: true }).fill('tiny-on-k8s');
    await cluster.selectOption('gpu-mig');
    await drawer.getByText(`${modelFile} on the H-MAS host. On gpu-mig the replicas run in pods: that path must exist inside the pod`, { exact: false }).waitFor();
    await settled(drawer);
    await h.screenshot('deploy-drawer-kubernetes');
    await cluster.selectOption('local');
    expect(await drawer.getByText('must exist inside the pod', { exact: false }).count()).toBe(0);

    // An agent cluster: H-MAS has no driver for it, the server answers 409 CLUSTER_KIND_NOT_SUPPORTED.
    await cluster.selectOption('edge-lab');
    h.expectConsole(/status of 409 .*\/api\/deployments\)$/);
    await drawer.getByRole('button', { name: 'Deploy', exact: true }).click();
    const refusal = drawer.getByRole('alert');
    await refusal.getByText('H-MAS cannot deploy to this kind of cluster yet: choose another cluster.').waitFor();
    expect(await refusal.textContent()).toContain('edge-lab');
    await settled(drawer);
    await h.screenshot('deploy-drawer-kind-not-supported');
  });
});
