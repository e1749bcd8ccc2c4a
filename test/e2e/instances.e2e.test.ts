// Browser test of the instance lifecycle with real processes: the tiny test model (generated
// here, never downloaded) deployed from the Instances page on the local host with the embedded
// llama.cpp runtime, then the detail page (endpoint; events and logs in their tabs), pause, resume, the Edit
// settings drawer (dry run, then two replicas), a manual rollback from the rollout banner, a viewer's read-only view, the dashboard pie,
// and delete. Replicas are detached processes that outlive the server, so afterAll deletes
// whatever a failed test left behind through the API, and the last test checks no process is left.
import { isNotServing } from '../support/not-serving.js';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelDirForRuntimes, TINY_MODEL_ANSWER } from '../support/tiny-model.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { deleteEveryDeployment, registerTinyModel } from './deployment-steps.js';
import { fact, settled } from './page-helpers.js';
import { untilRouted } from '../support/until-routed.js';

const NAME = 'ui-tiny-chat';
const VIEWER = { username: 'ivy.viewer', password: 'viewer-password-456' };
/** Starting a replica loads node-llama-cpp and the model: seconds, more on a busy machine. */
const SERVING_TIMEOUT_MS = 150_000;

/** Ids of processes whose command line mentions `needle` (the replicas of this test's model file). */
async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg.includes(needle))) found.push(Number(entry));
  }
  return found;
}

describe.skipIf(!browserTestsRun)('instances in a browser', { timeout: 240_000 }, () => {
  let h: BrowserHarness;
  let page: Page;
  let dir: string;
  let modelFile: string;
  let modelId: string;
  let goneFile: string;
  let goneModelId: string;
  let firstEndpoint: string;

  const statusCard = () => page.getByRole('region', { name: 'Status' });
  const statusIs = (status: string, timeout = SERVING_TIMEOUT_MS) => statusCard().locator(`.status-badge[data-status="${status}"]`).waitFor({ timeout });

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-e2e-instances-');
    modelFile = path.join(dir, 'tiny.gguf');
    // No nvidia-smi: the local host has no GPU here, as on every CI machine. The reconciler runs
    // every second so statuses settle quickly.
    h = await startBrowserHarness({ env: { HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi', HMAS_RECONCILE_INTERVAL_MS: '1000' } });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    modelId = await registerTinyModel(h, modelFile);
    // For the refusals: a profile asking for a GPU the local host does not have, and a model whose file is gone.
    expect((await h.api('POST', '/api/resource-profiles', { name: 'one-gpu', gpuCount: 1, cpu: '1', memory: '1Gi' })).status).toBe(201);
    goneFile = path.join(dir, 'gone.gguf');
    goneModelId = await registerTinyModel(h, goneFile, { name: 'gone-model', seed: 7 });
    await rm(goneFile);
  });

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    if (h) {
      await deleteEveryDeployment(h);
      await h.close();
    }
    // Last resort: a replica of this test's model file that is still there was started by this test.
    if (modelFile) for (const pid of await processesMentioning(modelFile)) process.kill(pid, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deploys the test model from the Deploy model drawer and lists it running', async () => {
    await h.openPage('Instances');
    await page.getByText('No instances yet: deploy a model.').waitFor();
    await page.getByRole('button', { name: 'Deploy model' }).click();
    const drawer = page.getByRole('dialog', { name: 'Deploy model' });
    await drawer.waitFor();

    await drawer.getByLabel('Model', { exact: true }).selectOption(modelId);
    // The name starts from the model's, as a DNS label.
    expect(await drawer.getByLabel('Name', { exact: true }).inputValue()).toBe('tiny-model');
    await drawer.getByLabel('Name', { exact: true }).fill(NAME);
    await drawer.getByLabel('Cluster', { exact: true }).selectOption('local');
    // Only runtimes that load GGUF files are offered for a GGUF model.
    const runtimeOptions = await drawer.getByLabel('Runtime', { exact: true }).locator('option').allTextContents();
    expect(runtimeOptions).toEqual(expect.arrayContaining(['Embedded llama.cpp', 'llama.cpp', 'vLLM']));
    expect(runtimeOptions).not.toContain('TGI');
    expect(runtimeOptions).not.toContain('TEI');
    await drawer.getByLabel('Runtime', { exact: true }).selectOption('embedded-llamacpp');
    await drawer.getByRole('region', { name: 'Fit check' }).getByText('CPU runtime: no GPU needed.').waitFor();
    await drawer.getByLabel('CPU threads').fill('1');
    await settled(drawer);
    await h.screenshot('deploy-drawer');
    await drawer.getByRole('button', { name: 'Deploy', exact: true }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `Deployment ${NAME} created` }).waitFor();

    // The list follows the status by itself (faster while something is starting).
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) });
    await row.locator('.status-badge[data-status="running"]').waitFor({ timeout: SERVING_TIMEOUT_MS });
    await row.getByText('1/1').waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toEqual(expect.arrayContaining([NAME, 'tiny-model', 'local', 'embedded-llamacpp', 'running', '1/1']));
    expect(cells.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:\d+\/v1/);
    await h.screenshot('instances');
  });

  it('checks the fit live and shows the server refusals in the drawer: no free GPU, file gone, name taken', async () => {
    await page.getByRole('button', { name: 'Deploy model' }).click();
    const drawer = page.getByRole('dialog', { name: 'Deploy model' });
    const fit = drawer.getByRole('region', { name: 'Fit check' });
    const refusal = drawer.getByRole('alert');
    await drawer.getByLabel('Model', { exact: true }).selectOption(modelId);
    await drawer.getByLabel('Runtime', { exact: true }).selectOption('embedded-llamacpp');
    await drawer.getByLabel('Resource profile').selectOption({ label: 'one-gpu — 1 GPU, 1 CPU, 1Gi' });
    await fit.getByText('does not fit', { exact: true }).waitFor();
    await fit.getByText('Needs 1 replica(s) × 1 GPU = 1 GPUs', { exact: false }).waitFor();
    expect(await fact(fit, 'Free GPUs').textContent()).toBe('0 (per node: 0)');
    await fit.scrollIntoViewIfNeeded();
    await settled(drawer);
    await h.screenshot('deploy-drawer-no-fit');
    h.expectConsole(/status of 409 .*\/api\/deployments\)$/, /status of 400 .*\/api\/deployments\)$/);
    await drawer.getByRole('button', { name: 'Deploy', exact: true }).click();
    await refusal.getByText('Not enough free GPUs on the cluster.').waitFor();

    await drawer.getByLabel('Resource profile').selectOption({ label: 'None (runtime defaults)' });
    await fit.getByText('CPU runtime: no GPU needed.').waitFor();
    await drawer.getByLabel('Model', { exact: true }).selectOption(goneModelId);
    await drawer.getByRole('button', { name: 'Deploy', exact: true }).click();
    await refusal.getByText('The model file cannot be read on the H-MAS host.').waitFor();
    expect(await refusal.textContent()).toContain(goneFile);

    await drawer.getByLabel('Model', { exact: true }).selectOption(modelId);
    await drawer.getByLabel('Name', { exact: true }).fill(NAME);
    await drawer.getByLabel('CPU threads').fill('1');
    await drawer.getByRole('button', { name: 'Deploy', exact: true }).click();
    await drawer.getByText(`A deployment named "${NAME}" already exists.`).waitFor();
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    await drawer.waitFor({ state: 'hidden' });
    expect((await h.api<{ total: number }>('GET', '/api/deployments')).body.total).toBe(1);
  });

  it('shows the status, the endpoint with a curl example, events and logs on the detail page', async () => {
    await page.getByRole('row').getByRole('link', { name: NAME, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    await statusIs('running');
    expect(await fact(statusCard(), 'Replicas').textContent()).toBe('1/1 ready');
    expect(await fact(statusCard(), 'Source').textContent()).toContain('live');

    const endpoint = page.getByRole('region', { name: 'Endpoint' });
    firstEndpoint = (await endpoint.getByRole('list', { name: 'Base URLs' }).locator('code').first().textContent()) ?? '';
    expect(firstEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const curl = (await endpoint.locator('pre').textContent()) ?? '';
    // The sample goes through the gateway, the only way in: the replica refuses requests without its token.
    expect(curl).toContain(`curl -s ${new URL(h.server.url).origin}/v1/chat/completions`);
    expect(curl).toContain(`"model":"${NAME}"`);
    const body = JSON.stringify({ model: NAME, messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
    expect((await fetch(`${firstEndpoint}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    const login = await fetch(h.url('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: h.server.adminPassword }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const chat = await untilRouted(
      NAME,
      () => fetch(h.url(`/api/inference/${NAME}/v1/chat/completions`), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body }),
      (answer) => answer.status,
    );
    expect(((await chat.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);

    await h.screenshot('instance-detail');

    // Events and logs have tabs of their own.
    const tab = (name: string) => page.getByRole('tablist', { name: 'Instance sections' }).getByRole('tab', { name, exact: true });
    await tab('Events').click();
    const events = page.getByRole('region', { name: 'Live events' });
    await events.getByRole('row').filter({ hasText: 'Ready' }).first().waitFor();
    await events.getByRole('row').filter({ hasText: 'Created' }).first().waitFor();

    await tab('Logs').click();
    const logs = page.getByRole('region', { name: 'Recent logs' });
    await logs.getByRole('button', { name: 'Refresh logs' }).click();
    await logs.getByRole('region', { name: /^Logs of / }).first().waitFor();
    await h.screenshot('instance-logs');
    await tab('Overview').click();
    await statusIs('running');
  });

  it('pauses (no endpoint), resumes with a preset from the settings drawer, and resumes from the detail page', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await statusIs('paused', 30_000);
    await page.getByRole('status').filter({ hasText: `${NAME} paused` }).waitFor();
    await page.getByRole('region', { name: 'Endpoint' }).getByText('Paused: no replica runs, and the gateway answers 503 until the instance is resumed.').waitFor();
    expect(await isNotServing(firstEndpoint, NAME)).toBe(true);

    // While paused the settings drawer resumes with what it holds: here a preset picked in it.
    const preset = await h.api<{ id: string }>('POST', '/api/optimization-presets', { name: 'e2e-short', runtime: 'embedded-llamacpp', optimization: { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } } });
    expect(preset.status).toBe(201);
    // Made outside this page (as from another tab): the page's preset list, cached for 10 s, takes it up on a reload.
    await page.reload();
    await page.getByRole('region', { name: 'Endpoint' }).getByText('Paused: no replica runs', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Edit settings' }).click();
    const drawer = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await drawer.getByText('Save and resume starts the replicas with the settings below', { exact: false }).waitFor();
    await drawer.getByLabel('Optimization preset').selectOption({ label: 'e2e-short' });
    // The preset's settings fill the fields.
    expect(await drawer.getByLabel(/^max model length/i).inputValue()).toBe('512');
    const preview = drawer.getByRole('region', { name: 'Change preview' });
    await preview.getByRole('list', { name: 'Diff' }).getByText('Optimization preset: not set → e2e-short').waitFor();
    await settled(drawer);
    await h.screenshot('edit-settings-paused');
    await drawer.getByRole('button', { name: 'Save and resume' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `${NAME} resumed with new settings` }).waitFor();
    await statusIs('running', SERVING_TIMEOUT_MS);
    const deployments = (await h.api<{ items: Array<{ id: string; optimizationPresetId: string | null; optimization: unknown }> }>('GET', '/api/deployments')).body.items;
    expect(deployments[0]).toMatchObject({ optimizationPresetId: preset.body.id, optimization: { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } } });
    const history = (await h.api<{ items: Array<{ cause: string }> }>('GET', `/api/deployments/${deployments[0]!.id}/config-history`)).body.items;
    expect(history[0]).toMatchObject({ cause: 'preset' });

    // Paused again, then resumed by the page's button: as before, nothing recorded.
    await page.getByRole('button', { name: 'Pause' }).click();
    await statusIs('paused', 30_000);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').filter({ hasText: `${NAME} resumed` }).waitFor();
    await statusIs('running');
    await page.getByRole('button', { name: 'Pause' }).waitFor();
  });

  it('edits the replicas in the Edit settings drawer: diff, dry run without restart, then two replicas ready', async () => {
    await page.getByRole('button', { name: 'Edit settings' }).click();
    const drawer = page.getByRole('dialog', { name: `Edit ${NAME}` });
    // Preloaded with the current values.
    expect(await drawer.getByLabel('Replicas').inputValue()).toBe('1');
    expect(await drawer.getByLabel('CPU threads').inputValue()).toBe('1');
    expect(await drawer.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    await drawer.getByLabel('Replicas').fill('2');
    const preview = drawer.getByRole('region', { name: 'Change preview' });
    await preview.getByRole('list', { name: 'Diff' }).getByText('Replicas: 1 → 2').waitFor();
    // The server's dry run: adding a replica restarts nothing.
    await preview.getByText('No restart', { exact: true }).waitFor();
    await preview.locator('.fit-verdict').getByText('fits', { exact: true }).waitFor();
    await preview.scrollIntoViewIfNeeded();
    await settled(drawer);
    await h.screenshot('edit-settings-dry-run');
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `Settings of ${NAME} saved (replicas)` }).waitFor();

    await statusCard().getByText('2/2 ready').waitFor({ timeout: SERVING_TIMEOUT_MS });
    await statusIs('running');
    expect(await page.getByRole('region', { name: 'Endpoint' }).getByRole('list', { name: 'Base URLs' }).locator('code').count()).toBe(2);
  });

  it('rolls back a crash-looping change from the rollout banner', async () => {
    const deployment = (await h.api<{ items: Array<{ id: string; optimization: unknown }> }>('GET', '/api/deployments')).body.items[0]!;
    // An unknown runtime option: the new replicas crash-loop; the startup grace (90 s) keeps the
    // automatic rollback away, so the operator's button does it.
    const patched = await page.request.fetch(h.url(`/api/deployments/${deployment.id}`), { method: 'PATCH', data: { optimization: { tier2: { threads: 1 }, raw: { extraArgs: ['--no-such-flag'] } } } });
    expect(patched.status()).toBe(200);
    await page.reload();
    const banner = page.getByRole('status', { name: 'Rollout' });
    await banner.getByText('Rollout in progress').waitFor();
    await banner.getByRole('button', { name: 'Roll back' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Roll back ${NAME}?` });
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await confirm.waitFor({ state: 'hidden' });
    // The operator's rollback is a rollout of its own; once it succeeded no banner is left.
    await banner.waitFor({ state: 'detached', timeout: SERVING_TIMEOUT_MS });
    expect((await h.api<{ optimization: unknown }>('GET', `/api/deployments/${deployment.id}`)).body.optimization).toEqual(deployment.optimization);
    const rollouts = (await h.api<{ items: Array<{ cause: string; state: string }> }>('GET', `/api/deployments/${deployment.id}/rollouts`)).body.items;
    expect(rollouts.slice(0, 2)).toMatchObject([{ cause: 'rollback', state: 'succeeded' }, { cause: 'manual', state: 'rolled_back' }]);
    await statusCard().getByText('2/2 ready').waitFor({ timeout: SERVING_TIMEOUT_MS });
  });

  it('shows a viewer the instances read-only', async () => {
    await h.signInAsNewUser({ ...VIEWER, role: 'viewer' });
    await h.navLink('Instances').click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) });
    await row.locator('.status-badge[data-status="running"]').waitFor();
    expect(await page.getByRole('button', { name: 'Deploy model' }).count()).toBe(0);
    await row.getByRole('link', { name: NAME, exact: true }).click();
    await statusIs('running');
    for (const name of ['Pause', 'Resume', 'Edit settings', 'Delete']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await h.signOut();
    await h.signIn('admin', h.server.adminPassword);
  });

  it('counts the instance in the dashboard pie, then deletes it and leaves no replica process', async () => {
    // Signing in lands on the dashboard.
    const pie = page.getByRole('img', { name: /^Instances by status: / });
    await pie.waitFor();
    expect(await pie.getAttribute('aria-label')).toBe('Instances by status: running 1');
    expect(await pie.locator('circle[data-status="running"]').count()).toBe(1);
    const legend = page.getByRole('list', { name: 'Status legend' });
    for (const status of ['running', 'paused', 'unknown']) await legend.getByRole('listitem').filter({ hasText: status }).waitFor();
    expect(await legend.getByRole('listitem').filter({ hasText: 'running' }).textContent()).toBe('running1');
    expect(await page.getByTestId('stat-running').textContent()).toBe('1/1');
    expect(await page.getByRole('alert', { name: 'Needs attention' }).count()).toBe(0);
    await h.screenshot('dashboard');

    expect(await processesMentioning(modelFile)).toHaveLength(2);
    await h.navLink('Instances').click();
    await page.getByRole('row').getByRole('link', { name: NAME, exact: true }).click();
    await statusIs('running');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete deployment ${NAME}?` });
    await confirm.getByRole('button', { name: 'Delete deployment' }).click();
    await page.getByRole('status').filter({ hasText: `Deployment ${NAME} deleted.` }).waitFor({ timeout: 60_000 });
    await page.getByText('No instances yet: deploy a model.').waitFor();
    expect(await processesMentioning(modelFile)).toEqual([]);
    expect((await h.api<{ items: unknown[] }>('GET', '/api/deployments')).body.items).toEqual([]);
  });
});
