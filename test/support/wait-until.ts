/**
 * Polls `probe` until it gives a value (not undefined), then returns it; fails after
 * `timeoutMs` naming `what`. For things that happen "soon" (a log flush, a status change), so a
 * test waits for the event itself instead of a fixed time.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
