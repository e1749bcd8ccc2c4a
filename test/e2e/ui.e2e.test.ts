// Browser test of the web UI shell against the real server: sign-in, users, audit logs, theme,
// narrow layout. Harness (server, Chromium, console watch): ./browser-harness.ts.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHarness } from './browser-harness.js';
import { browserTestsRun, expectCleanConsole, SCREENSHOTS, startBrowserHarness } from './browser-harness.js';

const VIEWER = { username: 'ada.viewer', displayName: 'Ada Lovelace', password: 'viewer-password-123' };

describe.skipIf(!browserTestsRun)('web UI in a browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let server: BrowserHarness['server'];
  const url = (path: string) => h.url(path);

  beforeAll(async () => {
    h = await startBrowserHarness();
    page = h.page;
    server = h.server;
  });

  afterEach(() => expectCleanConsole(h));

  afterAll(async () => {
    await h?.close();
  });

  const signIn = (username: string, password: string) => h.signIn(username, password);

  async function signOut() {
    await h.signOut();
    expect(new URL(page.url()).pathname).toBe('/login');
  }

  const theme = () => page.locator('html').getAttribute('data-theme');
  const settingsTab = (name: string) => h.settingsTab(name);

  it("shows the server's message when the password is wrong", async () => {
    // Chrome logs the 401 of the failed sign-in itself; that one line is expected.
    h.expectConsole(/status of 401 .*\/api\/auth\/login\)$/);
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
    h.expectConsole(/status of 401 .*\/api\/auth\/me\)$/);
    await page.goto(url('/settings/audit-logs'));
    await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Audit logs' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/audit-logs');
  });

  it('shows who is signed in and every section in the sidebar', async () => {
    await h.openPage('Dashboard');
    expect(await page.getByTestId('current-user').textContent()).toBeTruthy();
    expect(await page.getByTestId('current-role').textContent()).toBe('admin');
    await page.getByRole('img', { name: 'Instances by status: none yet' }).waitFor();
    for (const name of ['Dashboard', 'Clusters', 'Models', 'Instances', 'Monitoring', 'Inference logs', 'API keys', 'Costs', 'Settings']) {
      expect(await h.navLink(name).count(), name).toBe(1);
    }
  });

  it('creates a user through the New user drawer', async () => {
    await h.navLink('Settings').click();
    await settingsTab('Users').click();
    await page.getByRole('row').filter({ hasText: 'admin' }).first().waitFor();
    await page.getByRole('button', { name: 'New user' }).click();

    const drawer = page.getByRole('dialog', { name: 'New user' });
    await drawer.waitFor();
    // The server's validation message shows under the field.
    await drawer.getByLabel('Username').fill('Not Valid!');
    await drawer.getByLabel('Password').fill(VIEWER.password);
    h.expectConsole(/status of 400 .*\/api\/users\)$/);
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

  it("sets a user's rate limits in the Edit user drawer; blank ones show the server default", async () => {
    const row = page.getByRole('row').filter({ hasText: VIEWER.username });
    // Defaults of the test server: 60 RPM, TPM unlimited.
    await expect.poll(async () => row.textContent()).toContain('RPM 60 (default)');
    await row.getByRole('button', { name: `Edit ${VIEWER.username}` }).click();
    const drawer = page.getByRole('dialog', { name: `Edit ${VIEWER.username}` });
    await drawer.waitFor();
    await drawer.getByText('Blank: the server default (now 60)').waitFor();
    await drawer.getByLabel('RPM limit').fill('-1');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.getByText('Enter at least 0.').waitFor();
    await drawer.getByLabel('RPM limit').fill('30');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `User ${VIEWER.username} updated.` }).waitFor();
    await expect.poll(async () => row.textContent()).toContain('RPM 30');
    expect(await row.textContent()).toContain('TPM unlimited (default)');
    const users = await h.api<{ items: Array<{ username: string; rateLimitRpm: number | null; rateLimitTpm: number | null }> }>('GET', '/api/users?limit=100');
    expect(users.body.items.find((user) => user.username === VIEWER.username)).toMatchObject({ rateLimitRpm: 30, rateLimitTpm: null });
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
    // The unfiltered page stays on screen until the filtered answer arrives: wait for it.
    await expect.poll(async () => page.getByRole('navigation', { name: 'Audit log pages' }).textContent()).toContain('1–2 of 2');
    await page.screenshot({ path: `${SCREENSHOTS}audit-logs.png`, fullPage: false });
  });

  it('renders the app for client routes the server does not know (SPA fallback)', async () => {
    await page.goto(url('/instances'));
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
    await page.getByText('No instances yet: deploy a model.').waitFor();
    await page.goto(url('/models'));
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    await page.goto(url('/settings/users'));
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
  });

  it('renders the API docs under their Content-Security-Policy (a CSP violation is a console error)', async () => {
    const response = await page.goto(url('/api/docs/'));
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'H-MAS control API' }).waitFor();
    await page.locator('.opblock-tag', { hasText: 'auth' }).first().waitFor();
    await h.screenshot('api-docs');
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
      const clustersLink = h.navLink('Clusters');
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
    await h.navLink('Settings').click();
    await settingsTab('Users').click();
    await page.getByRole('row').filter({ hasText: VIEWER.username }).waitFor();
    await page.getByText('Only admins can add or change users.').waitFor();
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await signOut();
  });

  it('lets a user change their own display name and password', async () => {
    await signIn(VIEWER.username, VIEWER.password);
    await h.navLink('Settings').click();
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
