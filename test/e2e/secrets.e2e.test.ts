// Browser test of Settings → Secrets: a value goes in through a password field and never comes
// back to the page — not in the list, not in the edit drawer.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, startBrowserHarness } from './browser-harness.js';

const VALUE = 'hf_browser_value_0123456789';
const ROTATED = 'hf_browser_rotated_9876543210';

describe.skipIf(!browserTestsRun)('secrets tab in a browser', () => {
  let h: BrowserHarness;
  let page: Page;

  beforeAll(async () => {
    h = await startBrowserHarness();
    page = h.page;
    await h.signIn('admin', h.server.adminPassword);
  });
  afterEach(() => expectCleanConsole(h));
  afterAll(async () => {
    await h?.close();
  });

  it('creates a secret, sets a new value and deletes it without the value ever reaching the page', async () => {
    await h.navLink('Settings').click();
    await h.settingsTab('Secrets').click();
    await page.getByText('No secrets yet.').waitFor();

    await page.getByRole('button', { name: 'New secret' }).click();
    let drawer = page.getByRole('dialog', { name: 'New secret' });
    await drawer.getByLabel('Name', { exact: true }).fill('hf-token');
    await drawer.getByLabel('Description').fill('Hub read token');
    const value = drawer.getByLabel('Value', { exact: true });
    expect(await value.getAttribute('type')).toBe('password');
    await value.fill(VALUE);
    await drawer.getByRole('button', { name: 'Create secret' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Secret hf-token created.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'hf-token' });
    expect(await row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['hf-token', 'Hub read token', '—', 'admin']));

    await row.getByRole('button', { name: 'Edit hf-token' }).click();
    drawer = page.getByRole('dialog', { name: 'Edit hf-token' });
    const newValue = drawer.getByLabel('New value');
    expect(await newValue.inputValue()).toBe('');
    await newValue.fill(ROTATED);
    await drawer.getByRole('button', { name: 'Set new value' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Secret hf-token saved.' }).waitFor();
    expect(await page.content()).not.toMatch(new RegExp(`${VALUE}|${ROTATED}`));
    await h.screenshot('secrets');

    await row.getByRole('button', { name: 'Delete hf-token' }).click();
    await page.getByRole('alertdialog', { name: 'Delete secret hf-token?' }).getByRole('button', { name: 'Delete secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Secret hf-token deleted.' }).waitFor();
    await page.getByText('No secrets yet.').waitFor();
  });
});
