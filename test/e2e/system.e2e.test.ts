// Browser test of Settings → System (admins): whether this instance leads, and its background
// loops with their last runs and failures. A loop is made to fail for real (the table it reads is
// renamed away for a moment) so the error highlighting is seen too. Screenshots light and dark.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoopsView } from '../../src/domain/loops.js';
import { waitFor } from '../support/wait-for.js';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';
import { cellsByHeader, fact, lightAndDark } from './page-helpers.js';

describe.skipIf(!browserTestsRun)('settings: system in a browser', () => {
  let h: BrowserHarness;
  let page: Page;

  const rename = (from: string, to: string) => h.server.database.transaction((sql) => sql.exec(`ALTER TABLE ${from} RENAME TO ${to}`));

  beforeAll(async () => {
    // The rollout monitor (every 10 s) reads deployment_rollouts: it fails while that table is away.
    h = await startBrowserHarness({ env: { HMAS_RECONCILE_INTERVAL_MS: '1000' } });
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
  });
  afterEach(() => expectCleanConsole(h));
  afterAll(async () => {
    await h?.close();
  });

  it('shows the leader and every loop with its last run, and highlights a failing one', async () => {
    await rename('deployment_rollouts', 'deployment_rollouts_away');
    try {
      await waitFor(
        'the rollout monitor to fail',
        async () => {
          const { body } = await h.api<LoopsView>('GET', '/api/system/loops');
          return body.loops.some((loop) => loop.name === 'rollout-monitor' && loop.errors > 0) ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      await rename('deployment_rollouts_away', 'deployment_rollouts');
    }

    await h.navLink('Settings').click();
    await h.settingsTab('System').click();
    // Every settings tab fits at 1280 px, System included.
    const tabs = page.getByRole('navigation', { name: 'Settings sections' });
    expect(await tabs.evaluate((nav) => nav.scrollWidth <= nav.clientWidth)).toBe(true);
    const instance = page.getByRole('region', { name: 'This instance' });
    await fact(instance, 'Role').getByText('Leader').waitFor();
    expect(await fact(instance, 'Election').textContent()).toBe('Embedded database: the only instance, always the leader');
    expect(await fact(instance, 'Loops').textContent()).toMatch(/^\d+ of \d+ running here, 1 failing$/);

    const table = page.getByRole('table', { name: 'Background loops' });
    const routes = table.getByRole('row').filter({ hasText: 'gateway-routes' });
    const cells = await cellsByHeader(routes, table);
    expect(cells).toMatchObject({ 'Runs on': 'every instance', Here: 'running', Errors: '0', 'Last error': '—' });
    expect(cells['Last run']).toMatch(/ago$/);
    const failing = table.getByRole('row').filter({ hasText: 'rollout-monitor' });
    expect(await failing.getAttribute('class')).toContain('row-warning');
    expect(await cellsByHeader(failing, table)).toMatchObject({ 'Runs on': 'leader only', Errors: '1', 'Last error': expect.stringContaining('deployment_rollouts') });
    await lightAndDark(h, 'settings-system', () => fact(page.getByRole('region', { name: 'This instance' }), 'Role').getByText('Leader').waitFor());
  });

  it('is not offered to a viewer', async () => {
    await h.signInAsNewUser({ username: 'watcher', password: 'watcher-password', role: 'viewer' });
    await h.navLink('Settings').click();
    await h.settingsTab('Profile').waitFor();
    expect(await h.settingsTab('System').count()).toBe(0);
    await page.goto(h.url('/settings/system'));
    await page.getByText('Only admins can see this instance’s background loops.').waitFor();
  });
});
