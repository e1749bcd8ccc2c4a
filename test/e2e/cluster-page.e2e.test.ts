// Browser test of the cluster page and the deploy drawer's cluster choice: a kubeconfig cluster
// whose (fake) API server has a node under the MIG mixed strategy, with workload settings, an agent
// cluster, and the local host with a deployment of no replicas (listed, nothing started). The image
// warmer as GET /api/clusters/:name/warmer reports it; the workload settings edited by an admin.
// Screenshots light and dark.
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
import { cellsByHeader, fact, lightAndDark, settled } from './page-helpers.js';

const KUBE_TOKEN = 'sa-token-for-the-cluster-page-0123456789';

describe.skipIf(!browserTestsRun)('the cluster page in a browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let kube: FakeKubeApiServer;
  let dir: string;
  let modelFile: string;

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({ token: KUBE_TOKEN, ...withMigNode() });
    dir = await modelDirForRuntimes('hmas-e2e-cluster-page-');
    modelFile = path.join(dir, 'tiny.gguf');
    // No nvidia-smi: the local host's inventory is the same on every machine.
    h = await startBrowserHarness({ env: { HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi' } });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    const workloads = { registryMirror: 'mirror.example.com:5000', imagePullPolicy: 'IfNotPresent', images: { vllm: 'registry.example.com/vllm/vllm-openai:v0.6.3' } };
    const connection = { kind: 'kubeconfig', kubeconfig: kube.kubeconfig(), namespace: 'inference', workloads };
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

  it('shows a Kubernetes cluster: connection and workload settings, nodes with GPU model, memory, count and MIG, no deployments', async () => {
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

    const settings = page.getByRole('region', { name: 'Workload settings' });
    expect(await fact(settings, 'Images').textContent()).toBe('vllm: registry.example.com/vllm/vllm-openai:v0.6.3');
    expect(await fact(settings, 'Registry mirror').textContent()).toBe('mirror.example.com:5000');
    expect(await fact(settings, 'Pull secret').textContent()).toBe('none');
    expect(await fact(settings, 'Pull policy').textContent()).toBe('IfNotPresent');
    expect(await fact(settings, 'Model volume').textContent()).toBe('none');
    expect(await fact(settings, 'Gateway reaches').textContent()).toBe('NodePorts on the first ready node’s address');

    const deployments = page.getByRole('region', { name: 'Deployments' });
    await deployments.getByText('No deployments on this cluster.').waitFor();
  });

  it('lists the deployments placed on the local host, each linking to its instance', async () => {
    await page.goto(h.url('/clusters/local'));
    await page.getByRole('heading', { level: 1, name: 'This host' }).waitFor();
    const deployments = page.getByRole('region', { name: 'Deployments' });
    const row = deployments.getByRole('row').filter({ hasText: 'idle-chat' });
    await row.waitFor();
    expect(await cellsByHeader(row, deployments)).toMatchObject({ Name: 'idle-chat', Model: 'tiny-model', Runtime: 'embedded-llamacpp', Ready: '0/0' });
    expect(await deployments.getByRole('columnheader').allTextContents()).toEqual(['Name', 'Model', 'Runtime', 'Status', 'Ready']);
    const warmer = page.getByRole('region', { name: 'Image warmer' });
    await warmer.getByText('Not used here', { exact: false }).waitFor();
    expect(await fact(warmer, 'State').textContent()).toBe('not used');
    expect(await page.getByRole('region', { name: 'Workload settings' }).count()).toBe(0);
    await lightAndDark(h, 'cluster-page-local', () => deployments.getByRole('row').filter({ hasText: 'idle-chat' }).waitFor());
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

  it('shows the image warmer of a Kubernetes cluster as the service reports it: idle once synced, with no deployment there', { timeout: 120_000 }, async () => {
    // The warmer syncs every minute; before its first pass the service says "pending".
    const warmerOf = async () => (await h.api<{ phase: string; lastSyncAt: string | null }>('GET', '/api/clusters/gpu-mig/warmer')).body;
    let status = await warmerOf();
    for (const deadline = Date.now() + 90_000; status.phase === 'pending' && Date.now() < deadline; status = await warmerOf()) await new Promise((resolve) => setTimeout(resolve, 1000));
    // No deployment on gpu-mig: nothing to pull, no DaemonSet, no call to the cluster.
    expect(status.phase).toBe('idle');

    await page.goto(h.url('/clusters/gpu-mig'));
    const warmer = page.getByRole('region', { name: 'Image warmer' });
    await fact(warmer, 'State').getByText('idle', { exact: true }).waitFor();
    expect(await fact(warmer, 'Pre-caching').textContent()).toBe('on');
    expect(await fact(warmer, 'Last sync').textContent()).not.toBe('never');
    await warmer.getByText('No deployment on this cluster runs a container image: nothing to pull.').waitFor();
    expect(await warmer.getByText('not reported').count()).toBe(0);
    // No DaemonSet yet: no node counts.
    expect(await fact(warmer, 'GPU nodes').count()).toBe(0);
    await lightAndDark(h, 'cluster-page-kubernetes', () => fact(warmer, 'State').getByText('idle', { exact: true }).waitFor());
  });

  it('lets an admin change the workload settings under Edit, with the server\'s refusals under their fields', async () => {
    await page.goto(h.url('/clusters/gpu-mig'));
    await page.getByRole('heading', { level: 1, name: 'GPU MIG' }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const drawer = page.getByRole('dialog', { name: 'Edit gpu-mig' });
    const secret = drawer.getByLabel('Image pull secret');
    expect(await drawer.getByLabel('Registry mirror').inputValue()).toBe('mirror.example.com:5000');
    expect(await drawer.getByLabel('vLLM image', { exact: false }).inputValue()).toBe('registry.example.com/vllm/vllm-openai:v0.6.3');

    // Not a Secret name: the server's 400 lands under the field.
    await secret.fill('Not_A_Secret');
    h.expectConsole(/status of 400 .*\/api\/clusters\/gpu-mig\)$/);
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    const secretError = drawer.locator('.field', { has: page.getByLabel('Image pull secret') }).locator('.field-error');
    await secretError.waitFor();
    expect(await secretError.textContent()).toBe('Use a DNS-1123 label: 1–63 lowercase letters, digits and "-", starting and ending with a letter or digit.');
    expect(await drawer.getByRole('alert').count()).toBe(0);
    // JSON that does not parse is caught before asking the server.
    await secret.fill('regcred');
    const advanced = drawer.getByLabel('Mounts and model volume (JSON)');
    await advanced.fill('{ "modelVolume": ');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.getByText('Not valid JSON', { exact: false }).waitFor();
    await advanced.fill('{ "modelVolume": { "type": "hostPath", "path": "/srv/models" } }');
    await drawer.getByLabel('Image pull policy').selectOption('Always');
    await settled(drawer);
    await h.screenshot('cluster-edit-workloads');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'detached' });

    const settings = page.getByRole('region', { name: 'Workload settings' });
    await fact(settings, 'Pull secret').getByText('regcred').waitFor();
    expect(await fact(settings, 'Pull policy').textContent()).toBe('Always');
    expect(await fact(settings, 'Model volume').textContent()).toBe('host path /srv/models');
    expect(await fact(settings, 'Registry mirror').textContent()).toBe('mirror.example.com:5000');
    expect(await fact(settings, 'Images').textContent()).toBe('vllm: registry.example.com/vllm/vllm-openai:v0.6.3');
  });

  it('registers a Kubernetes cluster with a registry mirror and an image override, the server\'s refusal back on the scheduler step', async () => {
    await h.openPage('Clusters');
    await page.getByRole('button', { name: 'Register cluster' }).click();
    const drawer = page.getByRole('dialog', { name: 'Register cluster' });
    const next = drawer.getByRole('button', { name: 'Next' });
    await drawer.getByLabel('Name', { exact: true }).fill('gpu-mirror');
    await drawer.getByLabel('Kubeconfig', { exact: true }).fill(kube.kubeconfig());
    await next.click();
    await drawer.getByText('Connection works.').waitFor();
    await next.click();

    // 3. Scheduler and the Kubernetes workloads: a mirror the server refuses.
    const mirror = drawer.getByLabel('Registry mirror');
    await mirror.fill('Not A Host');
    await drawer.getByLabel('Ollama image').fill('registry.example.com/ollama/ollama:0.12.6');
    await settled(drawer);
    await h.screenshot('cluster-register-workloads');
    await next.click();
    h.expectConsole(/status of 400 .*\/api\/clusters\)$/);
    await drawer.getByRole('button', { name: 'Register cluster' }).click();
    const mirrorError = drawer.locator('.field', { has: page.getByLabel('Registry mirror') }).locator('.field-error');
    await mirrorError.waitFor();
    expect(await mirrorError.textContent()).toBe('Use a registry host, optionally with a port and path: "mirror.example.com:5000".');
    await mirror.fill('mirror.example.com:5000');
    await next.click();
    await drawer.getByRole('button', { name: 'Register cluster' }).click();
    await drawer.waitFor({ state: 'hidden' });

    const saved = await h.api<{ connection: { workloads: Record<string, unknown> | null } }>('GET', '/api/clusters/gpu-mirror');
    expect(saved.body.connection.workloads).toMatchObject({ registryMirror: 'mirror.example.com:5000', images: { ollama: 'registry.example.com/ollama/ollama:0.12.6' }, hostPathMounts: [] });
    expect((await h.api('DELETE', '/api/clusters/gpu-mirror')).status).toBe(204);
  });
});
