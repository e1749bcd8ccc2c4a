// Reading what the browser tests check off a page: the facts of a <dl>, a table row by its
// column headers, and waiting for a drawer's slide-in before a screenshot.
import type { Locator } from 'playwright-core';

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
