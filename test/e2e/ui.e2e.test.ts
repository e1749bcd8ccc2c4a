// Browser test of the web UI against the real server (real database, built UI from dist/web).
// Needs Chromium at /usr/bin/chromium: without it the suite is skipped locally and fails on CI.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const onCi = Boolean(process.env.CI);
const WEB_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

if (!hasChromium && !onCi) {
  console.warn(`[ui.e2e] Skipping the browser test: no Chromium at ${CHROMIUM}. Install it (apt-get install chromium) to run it.`);
}

const VIEWER = { username: 'ada.viewer', displayName: 'Ada Lovelace', password: 'viewer-password-123' };

describe.skipIf(!hasChromium && !onCi)('web UI in a browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors/warnings and uncaught exceptions; every test must leave this empty. */
  let problems: string[] = [];
  /** Console messages a test expects (e.g. the browser logging a deliberate 401). */
  let expectedConsole: RegExp[] = [];

  const url = (path: string) => new URL(path, server.url).toString();

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM}; the browser test cannot run.`);
    if (!existsSync(WEB_INDEX)) {
      // `npm test` builds the UI first; this keeps `vitest run test/e2e` working on a fresh checkout.
      const { build } = await import('vite');
      await build({ configFile: fileURLToPath(new URL('../../src/web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
    }
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('console', (message: ConsoleMessage) => {
      const type = message.type();
      if (type !== 'error' && type !== 'warning') return;
      const text = `${type}: ${message.text()} (${message.location().url})`;
      if (expectedConsole.some((pattern) => pattern.test(text))) return;
      problems.push(text);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  });

  afterEach(() => {
    const found = problems;
    problems = [];
    expectedConsole = [];
    expect(found, 'browser console errors/warnings').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(username: string, password: string) {
    await page.goto(url('/login'));
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  }

  const theme = () => page.locator('html').getAttribute('data-theme');
  const mainNav = () => page.getByRole('navigation', { name: 'Main' });
  const settingsTab = (name: string) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name });

  it("shows the server's message when the password is wrong", async () => {
    // Chrome logs the 401 of the failed sign-in itself; that one line is expected.
    expectedConsole = [/status of 401 .*\/api\/auth\/login\)$/];
    await page.goto(url('/login'));
    await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}login.png` });
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Wrong username or password.');
  });

  it('sends a signed-out visitor to the login page and back where they were after signing in', async () => {
    // Chrome logs the 401 of the session check itself; that one line is expected.
    expectedConsole = [/status of 401 .*\/api\/auth\/me\)$/];
    await page.goto(url('/settings/audit-logs'));
    await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Audit logs' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/audit-logs');
  });

  it('shows who is signed in and every section in the sidebar', async () => {
    await mainNav().getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.getByTestId('current-user').textContent()).toBeTruthy();
    expect(await page.getByTestId('current-role').textContent()).toBe('admin');
    await page.getByRole('heading', { name: 'Not available yet' }).waitFor();
    for (const name of ['Dashboard', 'Clusters', 'Models', 'Instances', 'Monitoring', 'Inference logs', 'API keys', 'Settings']) {
      expect(await mainNav().getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
  });

  it('creates a user through the New user drawer', async () => {
    await mainNav().getByRole('link', { name: 'Settings' }).click();
    await settingsTab('Users').click();
    await page.getByRole('row').filter({ hasText: 'admin' }).first().waitFor();
    await page.getByRole('button', { name: 'New user' }).click();

    const drawer = page.getByRole('dialog', { name: 'New user' });
    await drawer.waitFor();
    // The server's validation message shows under the field.
    await drawer.getByLabel('Username').fill('Not Valid!');
    await drawer.getByLabel('Password').fill(VIEWER.password);
    expectedConsole = [/status of 400 .*\/api\/users\)$/];
    await drawer.getByRole('button', { name: 'Create user' }).click();
    await drawer.getByText('Use 2–63 characters', { exact: false }).waitFor();

    await drawer.getByLabel('Username').fill(VIEWER.username);
    await drawer.getByLabel('Display name').fill(VIEWER.displayName);
    await drawer.getByLabel('Role').selectOption('viewer');
    await drawer.getByRole('button', { name: 'Create user' }).click();
    await drawer.waitFor({ state: 'hidden' });

    await page.getByRole('status').filter({ hasText: `User ${VIEWER.username} created.` }).waitFor();
    const row = page.getByRole('row').filter({ hasText: VIEWER.username });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toEqual(expect.arrayContaining([VIEWER.displayName, 'viewer', 'active', 'Never']));
    await page.screenshot({ path: `${SCREENSHOTS}users.png`, fullPage: false });
  });

  it('lists the user.create audit entry for that user', async () => {
    await settingsTab('Audit logs').click();
    await page.getByLabel('Action').fill('user.create');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=user\.create/);
    const row = page.getByRole('row').filter({ hasText: `created user ${VIEWER.username}` });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('user.create');
    expect(text).toContain('admin');
    expect(text).toContain('success');
    // The rejected first attempt (invalid username) is logged too, as a failure.
    await page.getByRole('row').filter({ hasText: 'failure' }).first().waitFor();
    expect(await page.getByRole('navigation', { name: 'Audit log pages' }).textContent()).toContain('1–2 of 2');
    await page.screenshot({ path: `${SCREENSHOTS}audit-logs.png`, fullPage: false });
  });

  it('renders the app for client routes the server does not know (SPA fallback)', async () => {
    await page.goto(url('/clusters'));
    await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
    await page.getByRole('heading', { name: 'Not available yet' }).waitFor();
    await page.goto(url('/settings/users'));
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
  });

  it('follows the system color scheme until the user picks one, and remembers the pick', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
    expect(await theme()).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' });

    const toggle = page.getByRole('button', { name: 'Dark mode' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
    expect(await theme()).toBe('dark');
    await page.screenshot({ path: `${SCREENSHOTS}users-dark.png`, fullPage: false });
    await page.getByRole('button', { name: 'Dark mode' }).click();
    expect(await theme()).toBe('light');
  });

  it('collapses the sidebar behind a menu button on narrow screens', async () => {
    await page.setViewportSize({ width: 600, height: 800 });
    try {
      const menu = page.getByRole('button', { name: 'Menu', exact: true });
      await menu.waitFor();
      const clustersLink = mainNav().getByRole('link', { name: 'Clusters' });
      await clustersLink.waitFor({ state: 'hidden' });
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('Escape');
      await clustersLink.waitFor({ state: 'hidden' });
      await menu.click();
      await clustersLink.click();
      await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows a viewer the users read-only, then logs out', async () => {
    await signOut();
    await signIn(VIEWER.username, VIEWER.password);
    expect(await page.getByTestId('current-role').textContent()).toBe('viewer');
    await mainNav().getByRole('link', { name: 'Settings' }).click();
    await settingsTab('Users').click();
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
    await page.getByText('Only admins can add or change users.').waitFor();
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await signOut();
  });

  it('lets a user change their own display name and password', async () => {
    await signIn(VIEWER.username, VIEWER.password);
    await mainNav().getByRole('link', { name: 'Settings' }).click();
    await settingsTab('Profile').click();
    await page.getByRole('textbox', { name: 'Display name' }).fill('Ada King');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Display name saved.' }).waitFor();
    expect(await page.getByTestId('current-user').textContent()).toBe('Ada King');

    const newPassword = 'viewer-password-456';
    await page.getByLabel('Current password').fill(VIEWER.password);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    // Changing the password ends the session: back to the login page, with a notice.
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await signIn(VIEWER.username, newPassword);
    await signOut();
  });
});
