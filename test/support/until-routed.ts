import { waitFor } from './wait-for.js';

/**
 * Sends a request through the gateway until it is no longer 503. The gateway's route table sees a
 * replica that just became ready within a second (its reload loop, or a lookup that found nothing
 * to serve), so a test that saw the deployment running may still get 503 for a moment.
 */
export function untilRouted<T>(what: string, send: () => Promise<T>, status: (answer: T) => number): Promise<T> {
  return waitFor(`the gateway to route to ${what}`, async () => {
    const answer = await send();
    return status(answer) === 503 ? undefined : answer;
  });
}
