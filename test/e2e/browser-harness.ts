// What every browser test needs: the real server (real database, built UI from dist/web),
// Chromium driven by playwright-core, and a watch on the browser console: any error or warning
// that a test did not announce fails it. Needs Chromium at /usr/bin/chromium: without it the
// suites are skipped locally and fail on CI.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startTestServer } from '../support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const onCi = Boolean(process.env.CI);
const WEB_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** Whether the browser suites run here (with `describe.skipIf(!browserTestsRun)`). */
export const browserTestsRun = hasChromium || onCi;
if (!browserTestsRun) {
  console.warn(`[e2e] Skipping the browser tests: no Chromium at ${CHROMIUM}. Install it (apt-get install chromium) to run them.`);
}

export interface BrowserHarness {
  server: Awaited<ReturnType<typeof startTestServer>>;
  page: Page;
  url(path: string): string;
  /** Console lines the current test provokes on purpose (Chrome logging a deliberate 4xx). */
  expectConsole(...patterns: RegExp[]): void;
  /** The unexpected console errors/warnings since the last call; resets the expectations. */
  takeProblems(): string[];
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  /** A link of the sidebar. */
  navLink(name: string): Locator;
  /** A tab under Settings (Profile, Users, Resource profiles, …). */
  settingsTab(name: string): Locator;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  close(): Promise<void>;
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
    if (expected.some((pattern) => pattern.test(text))) return;
    problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

  const url = (path: string) => new URL(path, server.url).toString();
  return {
    server,
    page,
    url,
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
    navLink: (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }),
    settingsTab: (name) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name, exact: true }),
    async signIn(username, password) {
      await page.goto(url('/login'));
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    },
    async signOut() {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Sign in to H-MAS' }).waitFor();
    },
    async close() {
      await browser?.close();
      await server.close();
    },
  };
}
