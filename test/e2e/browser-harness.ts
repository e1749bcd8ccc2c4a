// What every browser test needs: the real server (real database, built UI from dist/web),
// Chromium driven by playwright-core, and a watch on the browser console: any error or warning
// that a test did not announce fails it. Needs Chromium at /usr/bin/chromium: without it the
// suites are skipped locally and fail on CI.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { Role } from '../../src/domain/roles.js';
import { startTestServer } from '../support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const onCi = Boolean(process.env.CI);
const WEB_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/**
 * Refusals of the monitoring endpoints that the pages handle and Chrome logs all the same: the
 * history's 503 PROMETHEUS_NOT_CONFIGURED without Prometheus (a setup hint), and 404
 * ROUTE_NOT_FOUND from a server that does not serve an endpoint yet (an empty state: the
 * dashboard asks for GET /api/metrics/summary on every sign-in). Expected in every test.
 */
export const MONITORING_REFUSALS = /status of (404|503) .*\/api\/(deployments\/[^/]+\/metrics(\/history)?|clusters\/[^/]+\/gpu-metrics|metrics\/summary)[?)]/;

/** Whether the browser suites run here (with `describe.skipIf(!browserTestsRun)`). */
export const browserTestsRun = hasChromium || onCi;
if (!browserTestsRun) {
  console.warn(`[e2e] Skipping the browser tests: no Chromium at ${CHROMIUM}. Install it (apt-get install chromium) to run them.`);
}

export interface BrowserHarness {
  server: Awaited<ReturnType<typeof startTestServer>>;
  page: Page;
  url(path: string): string;
  /** A call to the control API as the signed-in user (the browser's session cookie). */
  api<T = unknown>(method: 'GET' | 'POST' | 'DELETE', apiPath: string, data?: unknown): Promise<{ status: number; body: T }>;
  /** Console lines the current test provokes on purpose (Chrome logging a deliberate 4xx). */
  expectConsole(...patterns: RegExp[]): void;
  /** The unexpected console errors/warnings since the last call; resets the expectations. */
  takeProblems(): string[];
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  /** A link of the sidebar. */
  navLink(name: string): Locator;
  /** Opens a page from the sidebar and waits for its heading (the link's name). */
  openPage(name: string): Promise<void>;
  /** A tab under Settings (Profile, Users, Resource profiles, …). */
  settingsTab(name: string): Locator;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Creates a user through the API (as the signed-in admin), then signs out and in as them. */
  signInAsNewUser(user: { username: string; password: string; role: Role }): Promise<void>;
  close(): Promise<void>;
}

/** For afterEach: a test fails on any console error or warning it did not announce. */
export function expectCleanConsole(h: BrowserHarness): void {
  expect(h.takeProblems(), 'browser console errors/warnings').toEqual([]);
}

export async function startBrowserHarness(serverOptions: Parameters<typeof startTestServer>[0] = {}): Promise<BrowserHarness> {
  if (!hasChromium) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM}; the browser tests cannot run.`);
  if (!existsSync(WEB_INDEX)) {
    // `npm test` builds the UI first; this keeps `vitest run test/e2e` working on a fresh checkout.
    const { build } = await import('vite');
    await build({ configFile: fileURLToPath(new URL('../../src/web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  const server = await startTestServer(serverOptions);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  let problems: string[] = [];
  let expected: RegExp[] = [];
  page.on('console', (message: ConsoleMessage) => {
    const type = message.type();
    if (type !== 'error' && type !== 'warning') return;
    const text = `${type}: ${message.text()} (${message.location().url})`;
    if (MONITORING_REFUSALS.test(text) || expected.some((pattern) => pattern.test(text))) return;
    problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

  const url = (path: string) => new URL(path, server.url).toString();
  const navLink = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const api: BrowserHarness['api'] = async <T,>(method: 'GET' | 'POST' | 'DELETE', apiPath: string, data?: unknown) => {
    const response = await page.request.fetch(url(apiPath), { method, ...(data !== undefined ? { data } : {}) });
    const text = await response.text();
    return { status: response.status(), body: (text ? JSON.parse(text) : undefined) as T };
  };
  const signIn = async (username: string, password: string) => {
    await page.goto(url('/login'));
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
  };
  return {
    server,
    page,
    url,
    api,
    expectConsole: (...patterns) => {
      expected = [...expected, ...patterns];
    },
    takeProblems: () => {
      const found = problems;
      problems = [];
      expected = [];
      return found;
    },
    screenshot: async (name, options = {}) => {
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: options.fullPage ?? false });
    },
    navLink,
    async openPage(name) {
      await navLink(name).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    },
    settingsTab: (name) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name, exact: true }),
    signIn,
    signOut,
    async signInAsNewUser({ username, password, role }) {
      const created = await api('POST', '/api/users', { username, password, role });
      if (created.status !== 201) throw new Error(`Creating user ${username} answered ${created.status}.`);
      await signOut();
      await signIn(username, password);
    },
    async close() {
      await browser?.close();
      await server.close();
    },
  };
}
