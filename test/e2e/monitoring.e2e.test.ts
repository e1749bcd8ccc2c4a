// Browser test of the monitoring views against the real server with a real replica (the tiny test
// model on the embedded llama.cpp runtime, generated, never downloaded): the dashboard's serving
// summary, GPU and running-models panels, the Monitoring page (filters, GPU tables, the side panel
// of logs and events) and an instance's Metrics tab (range in the URL) and Overview metrics bar.
// Without Prometheus: the setup hint and empty states render, nothing throws; light and dark
// screenshots of each view. Chrome's log lines of the refusals the pages handle (503 without
// Prometheus, 404 without an endpoint) are expected by the harness (MONITORING_REFUSALS). The
// second describe runs a real Prometheus (started first, scraping nothing, so the server starts
// with its PROMETHEUS_URL; then pointed at the server): after traffic the Metrics tab draws it.
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { DeploymentMetricsHistory } from '../../src/domain/monitoring.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scrapeHmas, startIdlePrometheus, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { modelDirForRuntimes } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { endDeploymentSuite, registerTinyModel } from './deployment-steps.js';
import { lightAndDark, settled } from './page-helpers.js';

const NAME = 'metrics-chat';
const SERVING_TIMEOUT_MS = 150_000;

/** The real server (with `env`), signed in as admin, with one running deployment of the tiny model. */
async function startMonitoringSuite(env: Record<string, string> = {}) {
  const dir = await modelDirForRuntimes('hmas-e2e-monitoring-');
  const h = await startBrowserHarness({ env: { HMAS_NVIDIA_SMI: '/nonexistent/hmas-e2e/nvidia-smi', HMAS_RECONCILE_INTERVAL_MS: '1000', ...env } });
  await h.signIn('admin', h.server.adminPassword);
  const modelId = await registerTinyModel(h, path.join(dir, 'tiny.gguf'));
  const created = await h.api<{ id: string }>('POST', '/api/deployments', {
    name: NAME,
    modelId,
    cluster: 'local',
    runtime: 'embedded-llamacpp',
    replicas: 1,
    optimization: { tier2: { threads: 1 } },
  });
  expect(created.status).toBe(201);
  const id = created.body.id;
  await waitFor(
    `${NAME} running`,
    async () => ((await h.api<{ status: string }>('GET', `/api/deployments/${id}`)).body.status === 'running' ? true : undefined),
    { timeoutMs: SERVING_TIMEOUT_MS, pollMs: 500 },
  );
  return { h, dir, id };
}

/** Dark screenshots with the scheme flipped live: the charts re-read their colors, an open panel stays open. */
const LIVE = { reload: false } as const;

/** A panel by its title (TitledPanel and PanelHeader panels are regions named by their heading). */
const region = (scope: Page | Locator, name: string) => scope.getByRole('region', { name, exact: true });

/** Waits until nothing in `scope` says it is loading (the first answers are in, or their failures). */
const loaded = (scope: Locator) => scope.getByText(/^Loading/).first().waitFor({ state: 'detached' });

describe.skipIf(!browserTestsRun)('monitoring views without Prometheus', { timeout: 240_000 }, () => {
  let h: BrowserHarness;
  let page: Page;
  let dir: string;
  let id: string;

  beforeAll(async () => {
    ({ h, dir, id } = await startMonitoringSuite());
    page = h.page;
  }, 200_000);

  afterEach(() => expectCleanConsole(h));

  afterAll(() => endDeploymentSuite(h, dir));

  it("shows the dashboard's serving, GPU and running-model panels, or why they are empty", async () => {
    await page.goto(h.url('/'));
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    for (const name of ['Serving performance', 'GPUs per cluster', 'Running models']) {
      const panel = region(page, name);
      await panel.waitFor();
      await loaded(panel);
      // Numbers, or a line saying why there are none; never an error.
      expect(await panel.getByRole('alert').count(), name).toBe(0);
      expect((await panel.textContent())?.length, name).toBeGreaterThan(name.length);
    }
    // The local host is ready: no cluster in the attention banner.
    expect(await page.getByRole('alert', { name: 'Needs attention' }).count()).toBe(0);
    await lightAndDark(h, 'monitoring-dashboard', () => region(page, 'Serving performance').waitFor(), LIVE);
  });

  it('lists the instance on the Monitoring page, filters it, and opens its logs and events beside the list', async () => {
    await h.openPage('Monitoring');
    const instances = region(page, 'Instances');
    const row = instances.getByRole('row').filter({ hasText: NAME });
    await row.waitFor();
    expect(await row.getByRole('link', { name: NAME }).getAttribute('href')).toBe(`/instances/${id}/metrics`);

    const filters = page.getByRole('form', { name: 'Monitoring filters' });
    await filters.getByLabel('Runtime').selectOption('embedded-llamacpp');
    await row.waitFor();
    await filters.getByLabel('Status').selectOption('failed');
    await instances.getByText('No instances match these filters.').waitFor();
    await filters.getByLabel('Status').selectOption('');
    await filters.getByLabel('Search').fill('metrics-ch');
    await filters.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();

    const gpus = region(page, 'GPUs of local');
    await gpus.waitFor();
    await loaded(gpus);
    expect(await gpus.getByRole('alert').count()).toBe(0);
    await lightAndDark(h, 'monitoring-page', () => gpus.waitFor(), LIVE);

    await row.getByRole('button', { name: `Logs and events of ${NAME}` }).click();
    const panel = page.getByRole('dialog', { name: `${NAME}: logs and events` });
    await panel.waitFor();
    await region(panel, 'Live events').waitFor();
    const logs = region(panel, 'Recent logs');
    await logs.getByRole('region', { name: /^Logs of / }).first().waitFor();
    await region(panel, 'Events history').waitFor();
    await settled(panel);
    await lightAndDark(h, 'monitoring-side-panel', () => panel.waitFor(), { ...LIVE, fullPage: false });
    await panel.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'detached' });
  });

  it('shows the Overview metrics bar and the Metrics tab with its range in the URL and the setup hint instead of charts', async () => {
    await page.goto(h.url(`/instances/${id}`));
    const bar = page.getByRole('region', { name: 'Metrics now' });
    await bar.waitFor();
    await loaded(bar);
    await lightAndDark(h, 'monitoring-instance-overview', () => bar.waitFor(), LIVE);

    await bar.getByRole('link', { name: 'All metrics' }).click();
    await page.waitForURL((url) => url.pathname === `/instances/${id}/metrics`);
    const tab = page.getByRole('tablist', { name: 'Instance sections' }).getByRole('tab', { name: 'Metrics', exact: true });
    expect(await tab.getAttribute('aria-selected')).toBe('true');

    const history = region(page, 'History');
    // Without Prometheus the history answers 503 PROMETHEUS_NOT_CONFIGURED: the setup hint, no chart.
    const hint = history.getByRole('note', { name: 'Prometheus setup' });
    await hint.waitFor();
    expect(await hint.textContent()).toMatch(/^Metric history needs Prometheus.*PROMETHEUS_URL.*docs\/monitoring\.md/);
    expect(await history.locator('.recharts-surface').count()).toBe(0);

    const ranges = history.getByRole('group', { name: 'Time range' });
    expect(await ranges.getByRole('button', { name: '1 hour' }).getAttribute('aria-pressed')).toBe('true');
    await ranges.getByRole('button', { name: '6 hours' }).click();
    await page.waitForURL((url) => url.searchParams.get('range') === '6h');
    await page.reload();
    await ranges.getByRole('button', { name: '6 hours', pressed: true }).waitFor();

    // The live snapshot works without Prometheus: the runtime's tiles and the gateway's.
    const now = region(page, 'Now');
    await loaded(now);
    await now.getByRole('group', { name: 'Serving metrics' }).getByRole('group', { name: 'Time to first token' }).waitFor();
    await now.getByRole('group', { name: 'Gateway metrics' }).waitFor();
    const gpus = region(page, 'GPUs');
    await gpus.waitFor();
    await loaded(gpus);
    await lightAndDark(h, 'monitoring-instance-metrics', () => gpus.waitFor(), LIVE);
  });
});

describe.skipIf(!browserTestsRun || withoutPrometheus('monitoring views with Prometheus'))('monitoring views with Prometheus', { timeout: 240_000 }, () => {
  let h: BrowserHarness;
  let page: Page;
  let dir: string;
  let id: string;
  let prometheus: PrometheusHarness | undefined;

  beforeAll(async () => {
    prometheus = await startIdlePrometheus();
    ({ h, dir, id } = await startMonitoringSuite({ PROMETHEUS_URL: prometheus.url }));
    page = h.page;
    const monitoring = await h.api<{ key: string }>('POST', '/api/api-keys', { name: 'prometheus', scopes: ['monitoring'] });
    expect(monitoring.status).toBe(201);
    await scrapeHmas(prometheus, { hmasUrl: h.server.url, monitoringKey: monitoring.body.key });
  }, 200_000);

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    try {
      await endDeploymentSuite(h, dir);
    } finally {
      await prometheus?.close();
    }
  });

  it('draws the requests of traffic through the gateway in the Metrics tab, with no setup hint', async () => {
    const inference = await h.api<{ key: string }>('POST', '/api/api-keys', { name: 'load' });
    expect(inference.status).toBe(201);
    const chat = () =>
      fetch(`${h.server.url}/api/inference/${NAME}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inference.body.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
      });
    // One request per poll until Prometheus's history of requests/s (scraped each second), at the
    // step the page asks for 15 minutes (15 s, HISTORY_STEP_SECONDS of the web app), has a few
    // values, some above 0 and not all the same: a line the chart must draw.
    await waitFor(
      'a history of requests per second with a line to draw',
      async () => {
        await chat();
        const history = await h.api<DeploymentMetricsHistory>('GET', `/api/deployments/${id}/metrics/history?range=15m&step=15s`);
        const values = (history.body.series?.find((series) => series.field === 'requestsPerSecond')?.points ?? []).flatMap(([, value]) => (value === null ? [] : [value]));
        return values.length >= 3 && values.some((value) => value > 0) && new Set(values).size > 1 ? true : undefined;
      },
      { timeoutMs: 90_000, pollMs: 500, describe: async () => ({ targets: await prometheus!.targets() }) },
    );

    await page.goto(h.url(`/instances/${id}/metrics?range=15m`));
    const history = region(page, 'History');
    const chart = history.getByRole('figure', { name: 'Requests and errors per second' });
    const curve = chart.locator('path.recharts-line-curve').first();
    await curve.waitFor();
    // The requests/s line (the chart's first): several points, not all at one height.
    const numbers = ((await curve.getAttribute('d')) ?? '').match(/-?\d+(?:\.\d+)?/g)?.map(Number) ?? [];
    expect(numbers.length).toBeGreaterThanOrEqual(6);
    expect(new Set(numbers.filter((_, index) => index % 2 === 1)).size).toBeGreaterThan(1);
    expect(await history.getByRole('note', { name: 'Prometheus setup' }).count()).toBe(0);
    await lightAndDark(h, 'metrics-tab-prometheus', () => curve.waitFor(), LIVE);
  });

  it('keeps the last data on show with a stale marker once Prometheus stops answering', async () => {
    await page.goto(h.url(`/instances/${id}/metrics?range=15m`));
    const history = region(page, 'History');
    const curve = history.getByRole('figure', { name: 'Requests and errors per second' }).locator('path.recharts-line-curve').first();
    await curve.waitFor();
    await prometheus!.close();
    prometheus = undefined;
    // The history polls every 60 s; coming back to the tab refetches what is older than 10 s.
    await waitFor(
      'the history panel to mark its data stale',
      async () => {
        await page.evaluate("window.dispatchEvent(new Event('visibilitychange'))");
        return (await history.getByRole('status', { name: 'Stale data' }).count()) > 0 ? true : undefined;
      },
      { timeoutMs: 60_000, pollMs: 2_000 },
    );
    await expect.poll(async () => (await history.getByRole('status', { name: 'Stale data' }).textContent()) ?? '').toContain('Prometheus');
    // The line drawn before is still there.
    expect(await curve.count()).toBe(1);
    // The snapshot falls back to live reads of the replica, marked stale with the cause.
    await region(page, 'Now').getByRole('status', { name: 'Stale data' }).waitFor({ timeout: 30_000 });
    await lightAndDark(h, 'metrics-tab-prometheus-down', () => curve.waitFor(), LIVE);
  });
});
