/**
 * Polls `probe` until it gives a value (not undefined), then returns it. For things that happen
 * "soon" (a status change, a log flush), so a test waits for the event itself instead of a fixed
 * time. On timeout it fails naming `what`, with `describe()`'s answer as the last thing seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; pollMs?: number; describe?: () => Promise<unknown> } = {},
): Promise<T> {
  const until = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) {
      const seen = options.describe ? await options.describe() : undefined;
      throw new Error(`Timed out waiting for ${what}.${seen === undefined ? '' : `\nLast seen: ${JSON.stringify(seen, null, 2)}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
}
