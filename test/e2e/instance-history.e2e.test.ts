// Browser test of the instance page's tabs with real replicas (the tiny test model on the embedded
// llama.cpp runtime, generated, never downloaded): tab URLs that survive a reload, the rollout
// banner while a crash-looping change rolls out and after its automatic rollback (startup grace
// 0 s here), the History timeline with readable diffs and a rollback to a history point (dry-run
// preview first), the events history (presets, paging), and a viewer's read-only History.
// Screenshots of each new view, light and dark.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelDirForRuntimes } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { deleteEveryDeployment, registerTinyModel } from './deployment-steps.js';
import { settled } from './page-helpers.js';

const NAME = 'history-chat';
const ONE_THREAD = { tier2: { threads: 1 } };
/** The runtime exits at start on an unknown option: the replica crash-loops. */
const BAD_FLAG = { ...ONE_THREAD, raw: { extraArgs: ['--no-such-flag'] } };
const SHORT_CONTEXT = { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } };
const SERVING_TIMEOUT_MS = 150_000;
const VIEWER = { username: 'vera.viewer', password: 'viewer-password-789' };

describe.skipIf(!browserTestsRun)('instance tabs, rollouts and history in a browser', { timeout: 240_000 }, () => {
  let h: BrowserHarness;
  let page: Page;
  let dir: string;
  let id: string;

  const tab = (name: string) => page.getByRole('tablist', { name: 'Instance sections' }).getByRole('tab', { name, exact: true });
  const banner = () => page.getByRole('status', { name: 'Rollout' });
  const deployment = async () => (await h.api<{ status: string; readyReplicas: number; optimization: unknown }>('GET', `/api/deployments/${id}`)).body;
  const patch = async (body: unknown) => {
    const answer = await page.request.fetch(h.url(`/api/deployments/${id}`), { method: 'PATCH', data: body });
    expect(answer.status(), await answer.text()).toBe(200);
  };
  /** Screenshots of the page as it is, light then dark (the app follows the system's scheme). */
  const lightAndDark = async (name: string) => {
    await h.screenshot(name, { fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
      await settled(page.locator('body'));
      await h.screenshot(`${name}-dark`, { fullPage: true });
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
    }
  };
  const untilRunning = () => waitFor(`${NAME} running`, async () => ((await deployment()).status === 'running' ? true : undefined), { timeoutMs: SERVING_TIMEOUT_MS, pollMs: 500 });

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-e2e-history-');
    h = await startBrowserHarness({
      env: {
        HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi',
        HMAS_RECONCILE_INTERVAL_MS: '1000',
        HMAS_EVENT_COPY_INTERVAL_MS: '1000',
        // A crash-looping change is rolled back at the monitor's first look.
        HMAS_ROLLOUT_GRACE_ROLLING_UPDATE_SECONDS: '0',
        HMAS_ROLLOUT_GRACE_RECREATE_SECONDS: '0',
      },
    });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    const modelId = await registerTinyModel(h, path.join(dir, 'tiny.gguf'));
    const created = await h.api<{ id: string }>('POST', '/api/deployments', { name: NAME, modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: ONE_THREAD });
    expect(created.status).toBe(201);
    id = created.body.id;
    await untilRunning();
  }, 200_000);

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    if (h) {
      await deleteEveryDeployment(h);
      await h.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the instance in tabs, each with its own URL that a reload keeps', async () => {
    await page.goto(h.url(`/instances/${id}`));
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    expect(await page.getByRole('tablist', { name: 'Instance sections' }).getByRole('tab').allTextContents()).toEqual(['Overview', 'Metrics', 'Events', 'Logs', 'History']);
    expect(await tab('Overview').getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tabpanel', { name: 'Overview' }).getByRole('region', { name: 'Status' }).waitFor();
    // Events and logs moved to their own tabs.
    expect(await page.getByRole('region', { name: 'Recent logs' }).count()).toBe(0);

    await tab('Logs').click();
    await page.waitForURL(`**/instances/${id}/logs`);
    await page.getByRole('tabpanel', { name: 'Logs' }).getByRole('region', { name: 'Recent logs' }).waitFor();
    await page.reload();
    await page.getByRole('tabpanel', { name: 'Logs' }).getByRole('region', { name: 'Recent logs' }).waitFor();
    expect(await tab('Logs').getAttribute('aria-selected')).toBe('true');
    expect(await tab('Overview').getAttribute('aria-selected')).toBe('false');
    // Arrow keys move between tabs.
    await tab('Logs').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('History');
    await tab('Overview').click();
    await page.waitForURL((url) => url.pathname === `/instances/${id}`);
    await page.getByRole('region', { name: 'Status' }).locator('.status-badge[data-status="running"]').waitFor();
    await lightAndDark('instance-overview');
  });

  it('shows the rollout banner while a crash-looping change rolls out, then its automatic rollback with the reason', async () => {
    const before = (await deployment()).optimization;
    await patch({ optimization: BAD_FLAG });
    await page.reload();
    await banner().getByText('Rollout in progress').waitFor();
    await banner().getByRole('progressbar', { name: 'New replicas ready' }).waitFor();
    await banner().getByRole('button', { name: 'Roll back' }).waitFor();
    await lightAndDark('instance-rollout-progress');

    await banner().getByText('Rolled back automatically').waitFor({ timeout: SERVING_TIMEOUT_MS });
    await banner().getByText('CrashLoopBackOff').waitFor();
    expect(await banner().getByRole('button').count()).toBe(0);
    await untilRunning();
    expect((await deployment()).optimization).toEqual(before);
    await lightAndDark('instance-rollout-rolled-back');
  });

  it('lists the changes in History with readable diffs, previews a rollback to a point and applies it', async () => {
    await patch({ optimization: SHORT_CONTEXT });
    await page.goto(h.url(`/instances/${id}/history`));
    const timeline = page.getByRole('list', { name: 'Config history' });
    const entries = timeline.getByRole('listitem').filter({ has: page.locator('.timeline-head') });
    await entries.first().getByText('Context length: not set → 512').waitFor();
    await waitFor('four entries', async () => ((await entries.count()) === 4 ? true : undefined));
    const heads = await timeline.locator('.timeline-head strong').allTextContents();
    expect(heads).toEqual(['Settings changed', 'Rolled back', 'Settings changed', 'Created']);
    // The crash-looping change: rolled back, with its rollout's reason inline and the flag by its label.
    const failed = entries.nth(2);
    await failed.getByText('rolled back', { exact: true }).waitFor();
    await failed.getByText('rollout rolled back (CrashLoopBackOff)').waitFor();
    await failed.getByText('Extra runtime arguments: not set → --no-such-flag').waitFor();
    expect(await timeline.getByText(/optimization\./).count()).toBe(0);
    await entries.first().getByText('current settings').waitFor();
    expect(await entries.first().getByRole('button').count()).toBe(0);
    await lightAndDark('instance-history');

    const created = entries.nth(3);
    await created.getByRole('button', { name: /^Roll back to / }).click();
    const dialog = page.getByRole('alertdialog', { name: new RegExp(`^Roll back ${NAME} to `) });
    const preview = dialog.getByRole('region', { name: 'Rollback preview' });
    await preview.getByRole('list', { name: 'Diff' }).getByText('Context length: 512 → not set').waitFor();
    await preview.getByText(/Restart required|No restart/).waitFor();
    // The dry run changed nothing.
    expect((await deployment()).optimization).toEqual(SHORT_CONTEXT);
    await settled(dialog);
    await lightAndDark('instance-history-rollback-preview');

    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `${NAME} rolls back to its settings of` }).waitFor();
    expect((await deployment()).optimization).toEqual(ONE_THREAD);
    await waitFor('the rollback entry', async () => ((await entries.count()) === 5 ? true : undefined));
    expect(await timeline.locator('.timeline-head strong').first().textContent()).toBe('Rolled back');
    await entries.first().getByText('Context length: 512 → not set').waitFor();
    await entries.first().getByText('current settings').waitFor();
    await untilRunning();
  });

  it('names a preset change in History: its cause and the preset by name', async () => {
    const preset = await h.api<{ id: string }>('POST', '/api/optimization-presets', { name: 'e2e-history', runtime: 'embedded-llamacpp', optimization: ONE_THREAD });
    expect(preset.status).toBe(201);
    // The same settings under a preset: recorded, nothing restarts.
    await patch({ optimizationPresetId: preset.body.id });
    await page.goto(h.url(`/instances/${id}/history`));
    const timeline = page.getByRole('list', { name: 'Config history' });
    const latest = timeline.getByRole('listitem').filter({ has: page.locator('.timeline-head') }).first();
    await latest.getByText('Optimization preset: not set → e2e-history').waitFor();
    expect(await latest.locator('.timeline-head strong').textContent()).toBe('Preset applied');
    // Its settings are the current ones (the preset aside): no rollback to offer.
    await latest.getByText('current settings').waitFor();
    await settled(timeline);
    await h.screenshot('instance-history-preset', { fullPage: true });
  });

  it('pages through the events history with a preset range and a type filter', async () => {
    // 30 old events of this deployment (the copy loop adds the real ones): enough for two pages.
    await h.server.database.transaction((sql) =>
      sql.query(
        `INSERT INTO deployment_events (fingerprint, deployment_id, deployment_name, cluster_id, cluster_name, type, reason, message, object_kind, object_name, first_seen, last_seen, count, reported_count)
         SELECT 'e2e-paging-' || n, $1, $2, (SELECT id FROM clusters WHERE name = 'local'), 'local', 'Normal', 'E2ePaging', 'Paging event ' || n, 'Workload', $2,
                now() - interval '2 hours' - n * interval '1 minute', now() - interval '2 hours' - n * interval '1 minute', 1, 1
         FROM generate_series(1, 30) AS n`,
        [id, NAME],
      ),
    );
    await page.goto(h.url(`/instances/${id}/events`));
    const history = page.getByRole('region', { name: 'Events history' });
    const presets = history.getByRole('group', { name: 'Time range' });
    expect(await presets.getByRole('button', { name: 'Last 24 hours' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('region', { name: 'Live events' }).getByRole('row').filter({ hasText: 'Ready' }).first().waitFor();
    const rows = history.getByRole('table').getByRole('row');
    await history.getByText('E2ePaging').first().waitFor();
    const pages = history.getByRole('navigation', { name: 'Events history pages' });
    await pages.getByText(/of \d+/).waitFor();
    expect(await rows.count()).toBe(26); // the header and 25 rows
    await lightAndDark('instance-events');

    await pages.getByRole('button', { name: /next/i }).click();
    await page.waitForURL(/offset=25/);
    await history.getByText('E2ePaging').first().waitFor();

    // The last hour leaves the old ones out; a page size of 50 is kept in the URL.
    await presets.getByRole('button', { name: 'Last hour' }).click();
    await page.waitForURL(/range=1h/);
    expect(await presets.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('true');
    await history.getByRole('row').filter({ hasText: 'Ready' }).first().waitFor();
    expect(await history.getByText('E2ePaging').count()).toBe(0);
    await pages.getByLabel('Rows per page').selectOption('50');
    await page.waitForURL(/limit=50/);

    // Type filter: only warnings (the crash loop left some).
    const filters = history.getByRole('form', { name: 'Events history filters' });
    await filters.getByLabel('Type').fill('Warning');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=Warning/);
    await waitFor('only warnings', async () => {
      const types = await history.getByRole('table').locator('tbody .badge').allTextContents();
      return types.length > 0 && types.every((type) => type === 'Warning') ? true : undefined;
    });
    await page.reload();
    expect(await presets.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('true');
    expect(await filters.getByLabel('Type').inputValue()).toBe('Warning');
  });

  it('shows a viewer the history without rollback buttons', async () => {
    await h.signInAsNewUser({ ...VIEWER, role: 'viewer' });
    await page.goto(h.url(`/instances/${id}/history`));
    const timeline = page.getByRole('list', { name: 'Config history' });
    await timeline.getByText('Created').waitFor();
    expect(await page.getByRole('button', { name: /^Roll back/ }).count()).toBe(0);
    await h.signOut();
    await h.signIn('admin', h.server.adminPassword);
  });
});
