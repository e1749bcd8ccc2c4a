/**
 * Runs a live read against a cluster with a deadline. The driver gets an AbortSignal, and the
 * read is abandoned at the deadline even if the driver ignores it, so a dead cluster never
 * holds a request: callers fall back to the last saved state.
 */
export async function readWithDeadline<T>(ms: number, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceededError(ms));
    }, ms);
  });
  try {
    return await Promise.race([read(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class DeadlineExceededError extends Error {
  constructor(readonly ms: number) {
    super(`The cluster did not answer within ${ms} ms.`);
    this.name = 'DeadlineExceededError';
  }
}
