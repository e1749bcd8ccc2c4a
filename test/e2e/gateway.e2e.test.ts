// Browser test of the inference gateway's pages with a real deployment: the tiny test model
// (generated here, never downloaded) served by the embedded llama.cpp runtime on the local host.
// An API key is created on the API keys page and read from its copy-once dialog, a real chat
// completion is made with it, and the request shows in the inference logs with its details;
// editing and revoking the key in the UI take effect on the next request; a monitoring key made
// there opens Prometheus discovery and not the gateway. The instance page shows
// the gateway's curl and OpenAI SDK samples. afterAll deletes whatever a failed test left running.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelDirForRuntimes, TINY_MODEL_ANSWER } from '../support/tiny-model.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { deleteEveryDeployment, registerTinyModel } from './deployment-steps.js';
import { cellsByHeader, fact, settled } from './page-helpers.js';
import { waitFor } from '../support/wait-for.js';

const NAME = 'ui-gateway-chat';
const KEY_NAME = 'e2e-client';
const VIEWER = { username: 'gil.viewer', password: 'viewer-password-789' };
/** Starting a replica loads node-llama-cpp and the model: seconds, more on a busy machine. */
const SERVING_TIMEOUT_MS = 150_000;

interface ChatAnswer {
  choices?: Array<{ message: { content: string } }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
  error?: { code: string };
}

describe.skipIf(!browserTestsRun)('the gateway pages in a browser', { timeout: 240_000 }, () => {
  let h: BrowserHarness;
  let page: Page;
  let dir: string;
  let deploymentId: string | undefined;
  let plainKey: string;

  /** A chat completion through the gateway, as any client would make it (no browser). */
  const chat = async (key: string): Promise<{ status: number; body: ChatAnswer }> => {
    const response = await fetch(h.url('/v1/chat/completions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: NAME, messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
    });
    return { status: response.status, body: (await response.json()) as ChatAnswer };
  };
  const keyRow = () => page.getByRole('row').filter({ has: page.getByText(KEY_NAME, { exact: true }) });
  /** The log is written in batches and the page polls every 30 s: ask again until the row is there. */
  const waitForLogRow = async (row: Locator) => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      if (await row.count()) return;
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await row.first().waitFor({ timeout: 500 }).catch(() => undefined);
    }
    await row.first().waitFor({ timeout: 1000 });
  };
  const logFilters = () => page.getByRole('form', { name: 'Inference log filters' });

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-e2e-gateway-');
    // No GPU here; statuses settle within a second and the inference log is written every 100 ms.
    h = await startBrowserHarness({
      env: { HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi', HMAS_RECONCILE_INTERVAL_MS: '1000', HMAS_INFERENCE_LOG_FLUSH_MS: '100' },
    });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    const modelId = await registerTinyModel(h, path.join(dir, 'tiny.gguf'));
    const deployment = await h.api<{ id: string }>('POST', '/api/deployments', {
      name: NAME,
      modelId,
      cluster: 'local',
      runtime: 'embedded-llamacpp',
      optimization: { tier2: { threads: 1 } },
    });
    expect(deployment.status).toBe(201);
    deploymentId = deployment.body.id;
    const status = async () => (await h.api<{ status: string }>('GET', `/api/deployments/${deploymentId}`)).body.status;
    await waitFor(`${NAME} to come up`, async () => ((await status()) === 'running' ? true : undefined), { timeoutMs: SERVING_TIMEOUT_MS, pollMs: 500 });
    // The dashboard cached the list of deployments before there was one (fresh for 10 s).
    await page.reload();
  });

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    if (h) {
      await deleteEveryDeployment(h);
      await h.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates an API key in the drawer and shows the plain key once, with a copy button', async () => {
    await h.openPage('API keys');
    await page.getByText('No API keys yet: create one to call the gateway.').waitFor();
    await page.getByRole('button', { name: 'New API key' }).click();
    const drawer = page.getByRole('dialog', { name: 'New API key' });
    await drawer.getByLabel('Name').fill(KEY_NAME);
    // An expiry in the past is caught before anything is sent.
    await drawer.getByLabel('Expires').fill('2020-01-01T10:00');
    await drawer.getByRole('button', { name: 'Create key' }).click();
    await drawer.getByText('Pick a time in the future, or leave it empty.').waitFor();
    await drawer.getByLabel('Expires').fill('');
    // Only this deployment; RPM of its own, TPM inherited (the server default: unlimited).
    await drawer.getByRole('group', { name: 'Allowed deployments' }).getByLabel(NAME).check();
    await drawer.getByLabel('RPM limit').fill('120');
    await drawer.getByText('Blank: inherit (now unlimited)', { exact: false }).waitFor();
    await settled(drawer);
    await h.screenshot('api-key-drawer');
    await drawer.getByRole('button', { name: 'Create key' }).click();
    await drawer.waitFor({ state: 'hidden' });

    const shown = page.getByRole('dialog', { name: `API key ${KEY_NAME} created` });
    await shown.getByText('Copy it now: you will not see this key again.').waitFor();
    // Only Done closes it: a stray Escape must not lose the key.
    await page.keyboard.press('Escape');
    expect(await shown.isVisible()).toBe(true);
    plainKey = await shown.getByLabel('API key').inputValue();
    expect(plainKey).toMatch(/^sk-hmas-[0-9A-Za-z]{43}$/);
    await shown.getByRole('button', { name: 'Copy key' }).waitFor();
    await h.screenshot('api-key-created');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `API key ${KEY_NAME} created.` }).waitFor();
    // Once closed, the key is nowhere on the page.
    expect(await page.content()).not.toContain(plainKey);

    const cells = await cellsByHeader(keyRow());
    // The prefix under the name; no expiry under the status; both limits in one cell.
    expect(cells).toMatchObject({ Name: `${KEY_NAME}${plainKey.slice(0, 'sk-hmas-'.length + 4)}…`, Owner: 'admin', Status: 'active', Deployments: NAME, Limits: 'RPM 120TPM unlimited (default)', 'Last used': 'Never' });
    await h.screenshot('api-keys');
  });

  it('lists a request made with the key in the inference logs, with every field in its drawer', async () => {
    const answer = await chat(plainKey);
    expect(answer.status).toBe(200);
    expect(answer.body.choices?.[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    const { prompt_tokens: prompt, completion_tokens: completion } = answer.body.usage!;

    await h.openPage('Inference logs');
    await logFilters().getByLabel('Deployment').fill(NAME);
    await logFilters().getByLabel('Status code').fill('200');
    await logFilters().getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/deployment=ui-gateway-chat&statusCode=200/);
    const row = page.getByRole('row').filter({ hasText: NAME });
    await waitForLogRow(row);
    expect(await row.count()).toBe(1);
    const cells = await cellsByHeader(row);
    // The auth method under the user; "streamed" would be under the status.
    expect(cells).toMatchObject({ Deployment: NAME, Model: 'tiny-model', User: 'adminAPI key', Status: '200', Tokens: `${prompt} / ${completion}` });
    expect(cells.Duration).toMatch(/^\d+ ms$|^\d+\.\d\d s$/);
    await expect.poll(async () => page.getByRole('navigation', { name: 'Inference log pages' }).textContent()).toContain('1–1 of 1');
    await h.screenshot('inference-logs');

    await row.getByRole('cell', { name: 'tiny-model' }).click();
    const drawer = page.getByRole('dialog', { name: 'Inference request' });
    await drawer.waitFor();
    expect(await fact(drawer, 'Request ID').textContent()).toMatch(/\S{8,}/);
    expect(await fact(drawer, 'Status').textContent()).toBe('200');
    expect(await fact(drawer, 'Path').textContent()).toBe('/v1/chat/completions');
    expect(await fact(drawer, 'Auth method').textContent()).toBe('API key');
    expect(await fact(drawer, 'Streaming').textContent()).toBe('no');
    const keys = await h.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/api-keys');
    expect(await fact(drawer, 'API key ID').textContent()).toBe(keys.body.items.find((key) => key.name === KEY_NAME)?.id);
    expect(await fact(drawer, 'Total').textContent()).toBe(String(prompt + completion));
    await settled(drawer);
    await h.screenshot('inference-log-drawer');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'hidden' });
  });

  it('shows the gateway URL with curl, Python and Node samples on the instance page', async () => {
    await h.navLink('Instances').click();
    await page.getByRole('row').getByRole('link', { name: NAME, exact: true }).click();
    const endpoint = page.getByRole('region', { name: 'Endpoint' });
    const gateway = `${new URL(h.server.url).origin}/v1`;
    await endpoint.getByText(gateway, { exact: true }).waitFor();
    const samples = endpoint.getByRole('tablist', { name: 'Chat completion examples' });
    const shownSample = () => endpoint.getByRole('tabpanel').textContent();
    expect(await samples.getByRole('tab').allTextContents()).toEqual(['curl', 'Python', 'Node']);
    expect(await shownSample()).toContain(`curl -s ${gateway}/chat/completions`);
    expect(await shownSample()).toContain('Authorization: Bearer $HMAS_API_KEY');
    await samples.getByRole('tab', { name: 'Python' }).click();
    expect(await shownSample()).toContain('from openai import OpenAI');
    expect(await shownSample()).toContain(`base_url="${gateway}"`);
    expect(await shownSample()).toContain(`model="${NAME}"`);
    await endpoint.getByRole('button', { name: 'Copy Python' }).waitFor();
    await samples.getByRole('tab', { name: 'Node' }).click();
    const node = (await shownSample()) ?? '';
    expect(node).toContain("import OpenAI from 'openai';");
    expect(node).toContain(`baseURL: '${gateway}'`);
    expect(node).toContain(`model: '${NAME}'`);
    // What the Node sample says, run with the official SDK and the key, answers.
    const client = new OpenAI({ baseURL: /baseURL: '([^']+)'/.exec(node)?.[1], apiKey: plainKey, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: /model: '([^']+)'/.exec(node)?.[1] ?? '', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(completion.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    await h.screenshot('instance-endpoint-samples');
    await endpoint.getByRole('link', { name: 'API key' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  });

  it('edits the key: limits back to inherited, then paused and resumed', async () => {
    // Without Prometheus the drawer's traffic read answers 503 PROMETHEUS_NOT_CONFIGURED (Chrome logs it).
    h.expectConsole(/status of 503 .*\/api\/api-keys\/[0-9a-f-]+\/metrics\?range=1h\)$/);
    await keyRow().getByRole('button', { name: `Edit ${KEY_NAME}` }).click();
    const drawer = page.getByRole('dialog', { name: `Edit ${KEY_NAME}` });
    // The key's last hour needs Prometheus, which this server has not: a hint, not numbers.
    await drawer.getByText('Traffic per key needs Prometheus (PROMETHEUS_URL; see docs/monitoring.md).').waitFor();
    await h.screenshot('api-key-edit-usage-hint');
    expect(await drawer.getByLabel('RPM limit').inputValue()).toBe('120');
    await drawer.getByLabel('RPM limit').fill('');
    await drawer.getByLabel('TPM limit').fill('5000');
    await drawer.getByLabel('Active').uncheck();
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `API key ${KEY_NAME} saved.` }).waitFor();
    await keyRow().getByText('inactive', { exact: true }).waitFor();
    expect(await cellsByHeader(keyRow())).toMatchObject({ Limits: 'RPM 60 (default)TPM 5,000' });
    const refused = await chat(plainKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('API_KEY_INACTIVE');

    await keyRow().getByRole('button', { name: `Edit ${KEY_NAME}` }).click();
    await drawer.getByLabel('Active').check();
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await keyRow().getByText('active', { exact: true }).waitFor();
    expect((await chat(plainKey)).status).toBe(200);
  });

  it('revokes the key: the next request with it gets 401, and the refusal is logged', async () => {
    await keyRow().getByRole('button', { name: `Revoke ${KEY_NAME}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Revoke API key ${KEY_NAME}?` });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `API key ${KEY_NAME} revoked.` }).waitFor();
    await keyRow().getByText('revoked', { exact: true }).waitFor();
    // A revoked key keeps its row but has nothing left to change.
    expect(await keyRow().getByRole('button').count()).toBe(0);

    const refused = await chat(plainKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('API_KEY_REVOKED');

    await h.navLink('Inference logs').click();
    await logFilters().getByLabel('Status code').fill('401');
    await logFilters().getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/statusCode=401/);
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: '401', exact: true }) });
    await waitForLogRow(row);
    await row.first().getByRole('button', { name: /^Details of request / }).click();
    const drawer = page.getByRole('dialog', { name: 'Inference request' });
    expect(await fact(drawer, 'Error message').textContent()).toMatch(/revoked/i);
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'hidden' });
  });

  it('creates a key for Prometheus: discovery lists the replica with it, the gateway refuses it', async () => {
    await h.navLink('API keys').click();
    await page.getByRole('button', { name: 'New API key' }).click();
    const drawer = page.getByRole('dialog', { name: 'New API key' });
    await drawer.getByLabel('Name').fill('prometheus');
    const scopes = drawer.getByRole('group', { name: 'Scopes' });
    expect(await scopes.getByLabel('Inference').isChecked()).toBe(true);
    await scopes.getByLabel('Inference').uncheck();
    await drawer.getByRole('button', { name: 'Create key' }).click();
    await drawer.getByText('Tick at least one scope.').waitFor();
    await scopes.getByLabel('Monitoring').check();
    await settled(drawer);
    await h.screenshot('api-key-monitoring-drawer');
    await drawer.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'API key prometheus created' });
    const key = await shown.getByLabel('API key').inputValue();
    await shown.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ has: page.getByText('prometheus', { exact: true }) });
    await row.getByText('monitoring', { exact: true }).waitFor();
    await h.screenshot('api-keys-monitoring');

    const sd = await fetch(h.url('/api/prometheus/sd'), { headers: { authorization: `Bearer ${key}` } });
    expect(sd.status).toBe(200);
    expect(((await sd.json()) as Array<{ labels: { deployment: string } }>).map((group) => group.labels.deployment)).toEqual([NAME]);
    const refused = await chat(key);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'API_KEY_SCOPE']);
  });

  it("shows a viewer only their own keys and requests", async () => {
    await h.signInAsNewUser({ ...VIEWER, role: 'viewer' });
    await h.navLink('API keys').click();
    await page.getByText('No API keys yet: create one to call the gateway.').waitFor();
    expect(await page.getByRole('columnheader', { name: 'Owner' }).count()).toBe(0);
    await page.getByRole('button', { name: 'New API key' }).click();
    // The monitoring scope is for operators and admins: shown, not offered.
    const scopes = page.getByRole('dialog', { name: 'New API key' }).getByRole('group', { name: 'Scopes' });
    expect(await scopes.getByLabel('Monitoring').isDisabled()).toBe(true);
    await scopes.getByText('operators and admins only', { exact: false }).waitFor();
    await page.getByRole('dialog', { name: 'New API key' }).getByRole('button', { name: 'Cancel' }).click();
    await h.navLink('Inference logs').click();
    await page.getByText('No requests yet: call the gateway with an API key.').waitFor();
    expect(await logFilters().getByLabel('User').count()).toBe(0);
    await h.signOut();
    await h.signIn('admin', h.server.adminPassword);
  });

  it('deletes the deployment', async () => {
    expect((await h.api('DELETE', `/api/deployments/${deploymentId}`)).status).toBeLessThan(300);
    const left = async () => (await h.api<{ items: unknown[] }>('GET', '/api/deployments')).body.items.length;
    await waitFor(`${NAME} to be deleted`, async () => ((await left()) === 0 ? true : undefined), { timeoutMs: 60_000, pollMs: 500 });
  });
});
