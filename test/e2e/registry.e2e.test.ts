// Browser tests of the registry pages: clusters (the four-step register drawer against a fake
// Kubernetes API server), models (import from a fake Hugging Face Hub, resource fit), and the
// policy and preset drawers under Settings; then a viewer's read-only view of all of them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeHfHub } from '../fakes/fake-hf-hub.js';
import { startFakeHfHub } from '../fakes/fake-hf-hub.js';
import type { FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { startFakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { tinyLlamaGguf, writeGgufFile } from '../support/gguf-writer.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { fact } from './page-helpers.js';

const KUBE_TOKEN = 'sa-token-for-the-browser-test-0123456789';
const VIEWER = { username: 'grace.viewer', password: 'viewer-password-123' };
const GPU_SUMMARY = '6/12 · NVIDIA-H100-80GB-HBM3 ×8, NVIDIA-L40S ×4';

describe.skipIf(!browserTestsRun)('registry pages in a browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let kube: FakeKubeApiServer;
  let hub: FakeHfHub;
  let tempDir: string;
  let kubeconfigFile: string;

  const settingsTab = (name: string) => h.settingsTab(name);
  const badRequest = (apiPath: string) => new RegExp(`status of 400 .*${apiPath.replace(/[/?]/g, '\\$&')}\\)$`);

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({ token: KUBE_TOKEN });
    hub = await startFakeHfHub();
    tempDir = await mkdtemp(path.join(tmpdir(), 'hmas-e2e-'));
    kubeconfigFile = path.join(tempDir, 'gpu-east.kubeconfig');
    await writeFile(kubeconfigFile, kube.kubeconfig());
    // No nvidia-smi: the local cluster's inventory is the same on every machine.
    h = await startBrowserHarness({ env: { HF_ENDPOINT: hub.url, HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi' } });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
  });

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    await h?.close();
    await kube?.close();
    await hub?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('registers a cluster through the four steps: connection, test, scheduler, labels', async () => {
    await h.openPage('Clusters');
    // The host H-MAS runs on is registered on first start.
    await page.getByRole('row').filter({ hasText: 'This host' }).waitFor();
    await page.getByRole('button', { name: 'Register cluster' }).click();
    const drawer = page.getByRole('dialog', { name: 'Register cluster' });
    const steps = drawer.getByRole('list', { name: 'Registration steps' });
    const next = drawer.getByRole('button', { name: 'Next' });

    // 1. Connection, first with a token the cluster refuses.
    expect(await steps.locator('[aria-current="step"]').textContent()).toContain('Connection');
    await drawer.getByLabel('Name', { exact: true }).fill('gpu-east');
    await drawer.getByLabel('Display name').fill('GPU East');
    await drawer.getByLabel('Type').selectOption('HP');
    expect(await drawer.getByLabel('Connection').inputValue()).toBe('kubeconfig');
    await drawer.getByLabel('Kubeconfig', { exact: true }).fill(kube.kubeconfig({ token: 'a-token-the-cluster-refuses' }));
    await next.click();

    // 2. Test: it fails, and going on needs an explicit "register anyway".
    await drawer.getByText('The test failed.').waitFor();
    expect(await steps.locator('[aria-current="step"]').textContent()).toContain('Test');
    await drawer.getByRole('list', { name: 'Connection checks' }).getByText('failed', { exact: false }).first().waitFor();
    expect(await next.isDisabled()).toBe(true);
    await drawer.getByLabel('Register anyway').check();
    expect(await next.isDisabled()).toBe(false);

    // Back to step 1: the right kubeconfig, read from its file in the browser.
    await drawer.getByRole('button', { name: 'Back' }).click();
    await drawer.getByLabel('Kubeconfig file').setInputFiles(kubeconfigFile);
    await expect.poll(() => drawer.getByLabel('Kubeconfig', { exact: true }).inputValue()).toContain(KUBE_TOKEN);
    await drawer.getByLabel('Namespace').fill('inference');
    await next.click();

    await drawer.getByText('Connection works.').waitFor();
    const checks = drawer.getByRole('list', { name: 'Connection checks' });
    expect(await checks.getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
    expect(await checks.textContent()).not.toContain('failed');
    for (const name of ['kubeconfig passed', 'API server passed', 'nodes passed']) await checks.getByText(name).waitFor();
    const found = drawer.locator('dl[aria-label="What the test found"]');
    expect(await fact(found, 'GPUs').textContent()).toBe('12: NVIDIA-H100-80GB-HBM3 ×8, NVIDIA-L40S ×4');
    expect(await fact(found, 'Nodes').textContent()).toBe('2 of 3 ready');
    await h.screenshot('cluster-register-test');
    await next.click();

    // 3. Scheduler: Koordinator; image pre-caching is on by default.
    expect(await drawer.getByLabel('Pre-cache runtime images').isChecked()).toBe(true);
    await drawer.getByLabel('Koordinator').check();
    await next.click();

    // 4. Labels: the server's verdict on a bad key lands under its row.
    await drawer.getByRole('button', { name: 'Add label' }).click();
    await drawer.getByLabel('Label 1 key').fill('region');
    await drawer.getByLabel('Label 1 value').fill('eu-west');
    await drawer.getByRole('button', { name: 'Add label' }).click();
    await drawer.getByLabel('Label 2 key').fill('bad key!');
    await drawer.getByLabel('Label 2 value').fill('x');
    h.expectConsole(badRequest('/api/clusters'));
    await drawer.getByRole('button', { name: 'Register cluster' }).click();
    await drawer.getByText('may use only letters, digits', { exact: false }).waitFor();
    await drawer.getByRole('button', { name: 'Remove label 2' }).click();
    await h.screenshot('cluster-register-labels');
    await drawer.getByRole('button', { name: 'Register cluster' }).click();
    await drawer.waitFor({ state: 'hidden' });

    await page.getByRole('status').filter({ hasText: 'Cluster gpu-east registered.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'gpu-east' });
    await row.getByText(GPU_SUMMARY).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toEqual(['gpu-eastGPU East', 'HP', 'Kubeconfig', 'ready', GPU_SUMMARY, '304', 'region=eu-west']);
    await h.screenshot('clusters');
  });

  it('shows the agent token of a new agent cluster once, with a copy button', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Register cluster' }).click();
    const drawer = page.getByRole('dialog', { name: 'Register cluster' });
    await drawer.getByLabel('Name', { exact: true }).fill('edge-lab');
    await drawer.getByLabel('Connection').selectOption('agent');
    expect(await drawer.getByLabel('Kubeconfig', { exact: true }).count()).toBe(0);
    await drawer.getByRole('button', { name: 'Next' }).click();
    // Nothing answers before the agent dials in: the test says so, and the flow goes on.
    await drawer.getByText('Nothing to test yet.').waitFor();
    expect(await drawer.getByLabel('Register anyway').count()).toBe(0);
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Register cluster' }).click();

    const token = drawer.getByLabel('Agent token', { exact: true });
    await token.waitFor();
    expect(await token.inputValue()).toMatch(/^hmas-agent-/);
    await drawer.getByRole('button', { name: 'Copy token' }).click();
    await drawer.getByText('Copied.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await token.inputValue());
    await h.screenshot('cluster-agent-token');
    await drawer.getByRole('button', { name: 'Done' }).click();
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'edge-lab' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['Agent (pull mode)', 'unknown', 'not collected yet']));
  });

  it('shows a cluster’s connection, last test and per-node inventory, and tests it again', async () => {
    await page.getByRole('link', { name: 'gpu-east' }).click();
    await page.getByRole('heading', { level: 1, name: 'GPU East' }).waitFor();
    const connection = page.getByRole('region', { name: 'Connection' });
    expect(await fact(connection, 'API server').textContent()).toBe(kube.url);
    expect(await fact(connection, 'Namespace').textContent()).toBe('inference');
    expect(await fact(connection, 'Credentials').textContent()).toBe('stored, encrypted');
    // Credentials go in, never out.
    expect(await page.content()).not.toContain(KUBE_TOKEN);
    expect(await fact(page.getByRole('region', { name: 'Summary' }), 'Scheduler').textContent()).toBe('Koordinator');

    const nodes = page.getByRole('table', { name: 'Nodes of gpu-east' });
    const h100 = nodes.getByRole('row').filter({ hasText: 'gpu-h100-1' });
    expect(await h100.getByRole('cell').allTextContents()).toEqual(['gpu-h100-1', 'ready', 'NVIDIA-H100-80GB-HBM3 ×8 (79.6 GiB)', '4 / 8', 'capable, not partitioned, strategy single', '224', '2.0 TiB']);
    const l40s = nodes.getByRole('row').filter({ hasText: 'gpu-l40s-1' });
    expect(await l40s.getByRole('cell').nth(1).textContent()).toBe('not ready');

    await page.getByRole('button', { name: 'Test now' }).click();
    await page.getByRole('status').filter({ hasText: 'Test finished.' }).waitFor();
    await page.getByRole('region', { name: 'Last test' }).locator('.badge', { hasText: 'passed' }).waitFor();
    await h.screenshot('cluster-detail', { fullPage: true });
  });

  it('imports a model from the Hugging Face Hub after previewing the fields it fills', async () => {
    await h.openPage('Models');
    await page.getByText('No models yet.').waitFor();
    await page.getByRole('button', { name: 'Import from Hugging Face' }).click();
    const drawer = page.getByRole('dialog', { name: 'Import from Hugging Face' });
    await drawer.getByLabel('Repository').fill('Qwen/Qwen2.5-0.5B-Instruct');
    await drawer.getByRole('button', { name: 'Preview' }).click();

    const preview = drawer.getByRole('region', { name: 'Import preview' });
    await preview.waitFor();
    const expected: Record<string, string> = {
      Name: 'Qwen2.5-0.5B-Instruct',
      Category: 'LLM',
      'Display size': '500M',
      Dtype: 'bfloat16',
      'Context length': '32,768 tokens',
      License: 'apache-2.0',
      Size: '0.494 B (494,032,768 parameters)',
    };
    for (const [label, value] of Object.entries(expected)) expect(await fact(preview, label).textContent(), label).toBe(value);
    expect(await fact(preview, 'Recommendation').textContent()).toContain('1 GPU');
    expect(await fact(preview, 'Description').textContent()).toContain('Qwen2.5-0.5B-Instruct by Qwen');
    await h.screenshot('model-import-preview');

    // Nothing is saved by the preview.
    await drawer.getByRole('button', { name: 'Import', exact: true }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Model Qwen2.5-0.5B-Instruct imported.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Qwen2.5-0.5B-Instruct' });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      'Qwen2.5-0.5B-Instruct',
      'LLM',
      '500M',
      'safetensors',
      'bfloat16',
      '32,768',
      'apache-2.0',
      'Qwen/Qwen2.5-0.5B-Instruct',
    ]);

    await page.getByLabel('Category').selectOption('Embedding');
    await page.getByText('No models match these filters.').waitFor();
    await page.getByLabel('Category').selectOption('');
    await row.waitFor();
    await h.screenshot('models');
  });

  it('tells from the fit panel whether the model fits on the GPUs given', async () => {
    await page.getByRole('link', { name: 'Qwen2.5-0.5B-Instruct' }).click();
    await page.getByRole('heading', { level: 1, name: 'Qwen2.5-0.5B-Instruct' }).waitFor();
    const panel = page.getByRole('region', { name: 'Resource fit' });
    const result = panel.getByRole('region', { name: 'Fit result' });
    // A model of known size answers at once for one 80 GiB node with 8 free GPUs.
    await result.getByText('fits', { exact: true }).waitFor();

    await panel.getByLabel('Free GPUs per node').fill('8,4');
    await panel.getByLabel('Replicas').fill('2');
    await panel.getByRole('button', { name: 'Check fit' }).click();
    await result.getByText('Fits: 2 replicas', { exact: false }).waitFor();
    expect(await fact(result, 'Weights').textContent()).toBe('0.92 GiB (bfloat16)');
    expect(await fact(result, 'GPUs per replica').textContent()).toBe('1');
    expect(await fact(result, 'Tensor parallel size').textContent()).toBe('1');
    expect(await fact(result, 'Free GPUs').textContent()).toBe('12 (largest node 8)');
    expect(await result.getByRole('list', { name: 'Placement per node' }).textContent()).toBe('Node 1: 2 replicas, 2 GPUs');
    await h.screenshot('model-fit', { fullPage: true });

    // A GPU smaller than the runtime's overhead holds nothing.
    await panel.getByLabel('GPU memory (GiB)').fill('2');
    await panel.getByRole('button', { name: 'Check fit' }).click();
    await result.getByText('does not fit', { exact: true }).waitFor();
  });

  it('adds a model from a GGUF file on the host, and one from the catalog', async () => {
    const file = path.join(tempDir, 'tiny-llama-q8.gguf');
    await writeGgufFile(file, tinyLlamaGguf({ name: 'Tiny Llama 2L', layers: 2, contextLength: 2048, fileType: 7, weightType: 'Q8_0' }));
    await h.navLink('Models').click();
    await page.getByRole('button', { name: 'Add model' }).click();
    let drawer = page.getByRole('dialog', { name: 'Add model' });
    expect(await drawer.getByLabel('Source').inputValue()).toBe('local');
    await drawer.getByLabel('File path').fill(file);
    await drawer.getByRole('button', { name: 'Add model' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Model tiny-llama-q8 added.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'tiny-llama-q8' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['gguf', 'Q8_0', '2,048', file]));

    await page.getByRole('button', { name: 'From catalog' }).click();
    drawer = page.getByRole('dialog', { name: 'Add from catalog' });
    await drawer.getByLabel('Category').selectOption('Code');
    const catalog = drawer.getByRole('list', { name: 'Model catalog' });
    await catalog.getByRole('listitem').first().waitFor();
    const first = catalog.getByRole('listitem').first();
    const presetName = (await first.locator('strong').textContent()) ?? '';
    await first.getByRole('button', { name: `Add ${presetName}` }).click();
    await first.getByText(`Added as ${presetName}`).waitFor();
    await drawer.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: presetName }).getByText('Code', { exact: true }).waitFor();
  });

  it('creates a resource profile in its drawer, with the server’s message under a bad field', async () => {
    await h.navLink('Settings').click();
    await settingsTab('Resource profiles').click();
    await page.getByText('No resource profiles yet.').waitFor();
    await page.getByRole('button', { name: 'New resource profile' }).click();
    const drawer = page.getByRole('dialog', { name: 'New resource profile' });
    await drawer.getByLabel('Name', { exact: true }).fill('one-h100');
    await drawer.getByLabel('GPUs', { exact: true }).fill('1');
    await drawer.getByLabel('GPU type').fill('NVIDIA-H100-80GB-HBM3');
    await drawer.getByLabel('CPU', { exact: true }).fill('lots');
    await drawer.getByLabel('Memory', { exact: true }).fill('64Gi');
    await drawer.getByLabel('Cache volume').fill('200Gi');
    h.expectConsole(badRequest('/api/resource-profiles'));
    await drawer.getByRole('button', { name: 'Create resource profile' }).click();
    await drawer.getByText('cpu must be a Kubernetes quantity', { exact: false }).waitFor();
    await drawer.getByLabel('CPU', { exact: true }).fill('8');
    await drawer.getByRole('button', { name: 'Create resource profile' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Resource profile one-h100 created.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'one-h100' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['one-h100', '1 × NVIDIA-H100-80GB-HBM3', '8', '64Gi', '200Gi']));
    await h.screenshot('resource-profiles');
  });

  it('refuses to delete a failover policy a placement strategy uses, and says which', async () => {
    await settingsTab('Failover policies').click();
    await page.getByRole('button', { name: 'New failover policy' }).click();
    let drawer = page.getByRole('dialog', { name: 'New failover policy' });
    await drawer.getByLabel('Name', { exact: true }).fill('move-away');
    await drawer.getByLabel('Action').selectOption('re-place');
    await drawer.getByRole('button', { name: 'Create failover policy' }).click();
    await drawer.waitFor({ state: 'hidden' });

    await settingsTab('Placement strategies').click();
    await page.getByRole('button', { name: 'New placement strategy' }).click();
    drawer = page.getByRole('dialog', { name: 'New placement strategy' });
    await drawer.getByLabel('Name', { exact: true }).fill('hp-eu');
    await drawer.getByRole('button', { name: 'Add match label' }).click();
    await drawer.getByLabel('Match label 1 key').fill('region');
    await drawer.getByLabel('Match label 1 value').fill('eu-west');
    await drawer.getByLabel('HP — High Performance').check();
    await drawer.getByLabel('Failover policy').selectOption({ label: 'move-away (re-place)' });
    await drawer.getByRole('button', { name: 'Create placement strategy' }).click();
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'hp-eu' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['hp-eu', 'region=eu-west', 'HP', 'move-away']));

    await settingsTab('Failover policies').click();
    await page.getByRole('button', { name: 'Delete move-away' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete failover policy move-away?' });
    h.expectConsole(/status of 409 .*\/api\/failover-policies\/[0-9a-f-]+\)$/);
    await dialog.getByRole('button', { name: 'Delete failover policy' }).click();
    await dialog.getByRole('alert').getByText('is in use by placement strategy "hp-eu"', { exact: false }).waitFor();
    await h.screenshot('failover-in-use');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('row').filter({ hasText: 'move-away' }).waitFor();
  });

  it('spreads a placement strategy over Karmada members, with the server\'s message under the member it is about', async () => {
    await settingsTab('Placement strategies').click();
    await page.getByRole('button', { name: 'New placement strategy' }).click();
    const drawer = page.getByRole('dialog', { name: 'New placement strategy' });
    await drawer.getByLabel('Name', { exact: true }).fill('karmada-eu');
    await drawer.getByRole('button', { name: 'Add member' }).click();
    await drawer.getByLabel('Member 1 name').fill('frankfurt');
    await drawer.getByLabel('Member 1 weight').fill('2');
    await drawer.getByRole('button', { name: 'Add member' }).click();
    await drawer.getByLabel('Member 2 name').fill('Paris_1');
    await drawer.getByLabel('Member 2 resource profile').selectOption({ label: 'one-h100' });
    await drawer.getByLabel('Member 2 registry mirror').fill('registry.paris:5000');
    h.expectConsole(badRequest('/api/placement-strategies'));
    await drawer.getByRole('button', { name: 'Create placement strategy' }).click();
    await drawer.getByText('Member 2 name:', { exact: false }).waitFor();
    await h.screenshot('placement-strategy-karmada-members');
    await drawer.getByLabel('Member 2 name').fill('paris');
    await drawer.getByRole('button', { name: 'Create placement strategy' }).click();
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'karmada-eu' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['karmada-eu', 'frankfurt ×2, paris (divided)']));
  });

  it('creates a vLLM optimization preset from the runtime’s knobs and previews its flags', async () => {
    await settingsTab('Optimization presets').click();
    // Built-in presets are read-only: they can be copied, not edited or deleted.
    const builtIn = page.getByRole('row').filter({ hasText: 'balanced' }).filter({ hasText: 'vLLM' });
    await builtIn.getByText('built-in').waitFor();
    expect(await builtIn.getByRole('button', { name: 'Copy balanced' }).count()).toBe(1);
    expect(await builtIn.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await page.getByLabel('Runtime').selectOption('vllm');
    await page.getByRole('navigation', { name: 'Optimization presets pages' }).getByText('1–4 of 4').waitFor();

    await page.getByRole('button', { name: 'New optimization preset' }).click();
    const drawer = page.getByRole('dialog', { name: 'New optimization preset' });
    await drawer.getByLabel('Name', { exact: true }).fill('long-context-32k');
    expect(await drawer.getByLabel('Runtime').inputValue()).toBe('vllm');
    await drawer.getByLabel('Max model length').fill('32768');
    await drawer.getByLabel('Prefix caching').selectOption('true');
    await drawer.getByLabel('Extra arguments').fill('--disable-log-requests');
    await drawer.getByLabel('Extra environment').fill('VLLM_LOGGING_LEVEL=INFO');
    await drawer.getByRole('button', { name: 'Preview flags' }).click();
    const flags = drawer.getByRole('region', { name: 'Flags preview' });
    await flags.waitFor();
    const [command, env] = await flags.locator('pre').allTextContents();
    expect(command).toContain('--max-model-len 32768');
    expect(command).toContain('--enable-prefix-caching');
    expect(command).toMatch(/--disable-log-requests$/);
    expect(env).toBe('VLLM_LOGGING_LEVEL=INFO');
    await h.screenshot('optimization-preset-preview');

    await drawer.getByRole('button', { name: 'Create optimization preset' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Optimization preset long-context-32k created.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'long-context-32k' });
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('max model length 32768, prefix caching on, +1 arg, +1 env');
    expect(await row.getByRole('button', { name: 'Edit long-context-32k' }).count()).toBe(1);
  });

  it('shows a viewer clusters, models and policies without any way to change them', async () => {
    await h.signInAsNewUser({ ...VIEWER, role: 'viewer' });

    await h.navLink('Clusters').click();
    await page.getByRole('row').filter({ hasText: 'gpu-east' }).waitFor();
    expect(await page.getByRole('button', { name: 'Register cluster' }).count()).toBe(0);
    await page.getByRole('link', { name: 'gpu-east' }).click();
    await page.getByRole('heading', { level: 1, name: 'GPU East' }).waitFor();
    expect(await page.getByRole('button', { name: /^(Test now|Edit|Delete)$/ }).count()).toBe(0);

    await h.navLink('Models').click();
    await page.getByRole('row').filter({ hasText: 'Qwen2.5-0.5B-Instruct' }).waitFor();
    expect(await page.getByRole('button', { name: /Import|Add model|From catalog/ }).count()).toBe(0);

    await h.navLink('Settings').click();
    for (const [tab, noun] of [
      ['Resource profiles', 'resource profile'],
      ['Placement strategies', 'placement strategy'],
      ['Failover policies', 'failover policy'],
      ['Optimization presets', 'optimization preset'],
    ] as const) {
      await settingsTab(tab).click();
      await page.getByText('Only operators and admins can change them.', { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: `New ${noun}` }).count(), tab).toBe(0);
      expect(await page.getByRole('button', { name: /^(Edit|Delete|Copy) / }).count(), tab).toBe(0);
    }
    await h.screenshot('viewer-presets');
    await h.signOut();
  });

  it('edits a cluster in its drawer, keeping its labels when the scheduler changes, then deletes it', async () => {
    await h.signIn('admin', h.server.adminPassword);
    await page.goto(h.url('/clusters/gpu-east'));
    await page.getByRole('heading', { level: 1, name: 'GPU East' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const drawer = page.getByRole('dialog', { name: 'Edit gpu-east' });
    expect(await drawer.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    await drawer.getByLabel('Display name').fill('GPU East (Frankfurt)');
    await drawer.getByLabel('Kubernetes default scheduler').check();
    await drawer.getByRole('button', { name: 'Add label' }).click();
    await drawer.getByLabel('Label 2 key').fill('gpu');
    await drawer.getByLabel('Label 2 value').fill('h100');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { level: 1, name: 'GPU East (Frankfurt)' }).waitFor();
    const summary = page.getByRole('region', { name: 'Summary' });
    expect(await fact(summary, 'Scheduler').textContent()).toBe('Kubernetes default');
    expect(await fact(summary, 'Labels').getByRole('listitem').allTextContents()).toEqual(['gpu=h100', 'region=eu-west']);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('alertdialog', { name: 'Delete cluster gpu-east?' }).getByRole('button', { name: 'Delete cluster' }).click();
    await page.getByRole('status').filter({ hasText: 'Cluster gpu-east deleted.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/clusters');
    await page.getByRole('row').filter({ hasText: 'This host' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'gpu-east' }).count()).toBe(0);
  });
});
