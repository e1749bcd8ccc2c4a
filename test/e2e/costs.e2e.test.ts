// Browser test of the Costs page: an admin prices a GPU model inline, the report shows GPU-hours,
// cost and cost per million tokens per deployment, API key and cluster, and downloads as CSV; a
// viewer sees it read-only. GPU time is seeded as the gpu-usage loop writes it (the loop itself is
// tested with a moved clock in test/integration/costs.test.ts); tokens as the gateway logs them.
// Screenshots light and dark.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpuUsage, inferenceLogs } from '../../src/db/schema/index.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { cellsByHeader, lightAndDark } from './page-helpers.js';

const H100 = 'NVIDIA H100 80GB HBM3';
const HOUR_MS = 3600_000;

describe.skipIf(!browserTestsRun)('the costs page in a browser', () => {
  let h: BrowserHarness;
  let page: Page;

  /** A row of the cost report by its first cell's name. */
  const reportTable = () => page.getByRole('table', { name: 'Costs' });
  const reportRow = (name: string) => reportTable().getByRole('row').filter({ has: page.getByText(name, { exact: true }) });
  const cells = (name: string) => cellsByHeader(reportRow(name), reportTable());

  beforeAll(async () => {
    h = await startBrowserHarness();
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
    const key = await h.api<{ id: string }>('POST', '/api/api-keys', { name: 'team-a' });
    // Three whole hours of 4 GPUs a day ago (a deployment since deleted), two of 1 GPU.
    const dayAgo = Math.floor((Date.now() - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const [chat, embed, cluster] = [randomUUID(), randomUUID(), randomUUID()];
    const hour = (offset: number) => new Date(dayAgo - offset * HOUR_MS);
    const usage = (deploymentId: string, deploymentName: string, offset: number, gpus: number) => ({ hour: hour(offset), deploymentId, deploymentName, clusterId: cluster, clusterName: 'gpu-east', gpuModel: H100, gpuSeconds: gpus * 3600 });
    await h.server.database.db.insert(gpuUsage).values([usage(chat, 'chat-large', 0, 4), usage(chat, 'chat-large', 1, 4), usage(chat, 'chat-large', 2, 4), usage(embed, 'embed-small', 0, 1), usage(embed, 'embed-small', 1, 1)]);
    const log = (apiKeyId: string | null, prompt: number, completion: number) => ({
      requestId: randomUUID(),
      createdAt: hour(1),
      startedAt: hour(1),
      apiKeyId,
      authMethod: apiKeyId ? ('api_key' as const) : ('jwt' as const),
      deploymentId: chat,
      deploymentName: 'chat-large',
      clusterName: 'gpu-east',
      method: 'POST',
      path: '/v1/chat/completions',
      statusCode: 200,
      durationMs: 120,
      promptTokens: prompt,
      completionTokens: completion,
    });
    await h.server.database.db.insert(inferenceLogs).values([log(key.body.id, 600_000, 200_000), log(null, 150_000, 50_000)]);
  });
  afterEach(() => expectCleanConsole(h));
  afterAll(async () => {
    await h?.close();
  });

  it('prices a GPU model inline and shows cost per deployment, API key and cluster', async () => {
    await h.openPage('Costs');
    const prices = page.getByRole('table', { name: 'GPU prices' });
    const h100 = prices.getByRole('row').filter({ hasText: H100 });
    await h100.getByText('not set').waitFor();
    await page.getByRole('status').filter({ hasText: 'Some GPU time has no price.' }).waitFor();
    expect(await cells('chat-large')).toMatchObject({ Deployment: 'chat-largegpu-east', 'GPU-hours': '12.00', Cost: expect.stringMatching(/^—/), 'Total tokens': '1,000,000' });

    await h100.getByRole('button', { name: `Edit price of ${H100}` }).click();
    await h100.getByLabel(`Price per GPU-hour of ${H100}`).fill('2.5');
    await h100.getByLabel(`Currency of ${H100}`).fill('usd');
    await h.screenshot('costs-price-editor');
    await h100.getByRole('button', { name: `Save price of ${H100}` }).click();
    await h100.getByText('$2.50').waitFor();
    await page.getByRole('status').filter({ hasText: 'Some GPU time has no price.' }).waitFor({ state: 'detached' });

    await reportRow('chat-large').getByText('$30.00').first().waitFor();
    expect(await cells('chat-large')).toMatchObject({ 'GPU-hours': '12.00', Cost: '$30.00', 'Prompt tokens': '750,000', 'Completion tokens': '250,000', 'Cost / 1M tokens': '$30.00' });
    expect(await cells('embed-small')).toMatchObject({ 'GPU-hours': '2.00', Cost: '$5.00', 'Total tokens': '0' });
    expect(await cells('Total')).toMatchObject({ 'GPU-hours': '14.00', Cost: '$35.00', 'Cost / 1M tokens': '$35.00' });
    await lightAndDark(h, 'costs', () => reportRow('chat-large').getByText('$30.00').first().waitFor());

    await page.getByRole('group', { name: 'Group by' }).getByRole('button', { name: 'API key' }).click();
    await reportRow('team-a').waitFor();
    expect(await cells('team-a')).toMatchObject({ 'API key': 'team-aadmin', 'GPU-hours': '9.60', Cost: '$24.00', 'Total tokens': '800,000' });
    expect(await cells('Session requests (no API key)')).toMatchObject({ Cost: '$6.00' });
    expect(await cells('GPU time without tokens served')).toMatchObject({ Cost: '$5.00' });
    await h.screenshot('costs-by-api-key', { fullPage: true });

    await page.getByRole('group', { name: 'Group by' }).getByRole('button', { name: 'Cluster' }).click();
    await reportRow('gpu-east').waitFor();
    expect(await cells('gpu-east')).toMatchObject({ Cluster: 'gpu-east', Cost: '$35.00' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^costs-cluster-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n').slice(0, 2)).toEqual(['kind,id,name,detail,gpu_hours,cost,currency,prompt_tokens,completion_tokens,total_tokens,cost_per_million_tokens,note', 'cluster,,gpu-east,,14,35,USD,750000,250000,1000000,35,']);

    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: 'Custom' }).click();
    const today = new Date();
    const day = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    await page.getByLabel('From', { exact: true }).fill(day(new Date(today.getTime() - 7 * 24 * HOUR_MS)));
    await page.getByLabel('To', { exact: true }).fill(day(today));
    await page.getByRole('button', { name: 'Apply' }).click();
    await reportRow('gpu-east').getByText('$35.00').first().waitFor();
  });

  it('shows a viewer the report and prices without the price editor', async () => {
    await h.signInAsNewUser({ username: 'cost-viewer', password: 'cost-viewer-password', role: 'viewer' });
    await h.openPage('Costs');
    const prices = page.getByRole('table', { name: 'GPU prices' });
    await prices.getByText('$2.50').waitFor();
    expect(await prices.getByRole('button').count()).toBe(0);
    await reportRow('chat-large').getByText('$30.00').first().waitFor();
  });
});
