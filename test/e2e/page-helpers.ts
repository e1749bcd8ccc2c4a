// Reading what the browser tests check off a page: the facts of a <dl>, a table row by its
// column headers, and waiting for a drawer's slide-in before a screenshot.
import type { Locator } from 'playwright-core';
import type { BrowserHarness } from './browser-harness.js';

/** The value next to a label in a facts list (<dt>/<dd>). */
export const fact = (scope: Locator, label: string): Locator => scope.locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');

/** The text of each cell of a row, by its column's header (of `table` where the page has several). */
export async function cellsByHeader(row: Locator, table?: Locator): Promise<Record<string, string>> {
  const headers = await (table ?? row.page()).getByRole('columnheader').allTextContents();
  const cells = await row.getByRole('cell').allTextContents();
  return Object.fromEntries(headers.map((header, index) => [header, cells[index] ?? '']));
}

/** Waits for a drawer's (or any element's) animations to finish, so a screenshot shows it in place. */
export const settled = (element: Locator) =>
  element.evaluate((node) => Promise.all(node.getAnimations({ subtree: true }).map((animation: { finished: Promise<unknown> }) => animation.finished)));

/**
 * Screenshots of the page as it is, light then dark: the dark one under the dark system scheme
 * (the app follows it), once `ready` found the content again — after a reload, or with `reload:
 * false` flipped live (a dialog stays open, and what re-reads the theme, e.g. charts, is
 * exercised). `fullPage: false` for the viewport only (a modal drawer).
 */
export async function lightAndDark(
  h: BrowserHarness,
  name: string,
  ready: () => Promise<unknown>,
  { reload = true, fullPage = true }: { reload?: boolean; fullPage?: boolean } = {},
): Promise<void> {
  const page = h.page;
  await h.screenshot(name, { fullPage });
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    if (reload) await page.reload();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await ready();
    if (!reload) await settled(page.locator('body'));
    await h.screenshot(`${name}-dark`, { fullPage });
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
    if (!reload) await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
  }
}
