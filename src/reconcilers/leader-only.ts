import type { BackgroundLoop } from '../lib/interval-loop.js';
import type { Leadership } from '../lib/leadership.js';

/**
 * `loop`, run only while this instance leads: started when the registry starts it and the
 * instance is (or becomes) the leader, stopped at once when leadership is lost — its running
 * tick is aborted and awaited — and started again if leadership comes back. Changes apply one
 * after another, so a quick loss and gain never runs two ticks at once.
 * `onRunning` hears each start (true) and stop (false).
 */
export function leaderOnly(loop: BackgroundLoop, leadership: Leadership, onRunning: (running: boolean) => void = () => undefined): BackgroundLoop {
  let wanted = false;
  let running = false;
  let changes = Promise.resolve();
  const settle = () => {
    changes = changes.then(async () => {
      const should = wanted && leadership.isLeader();
      if (should === running) return;
      running = should;
      onRunning(should);
      if (should) loop.start();
      else await loop.stop();
    });
    return changes;
  };
  leadership.onChange(() => void settle());
  return {
    name: loop.name,
    start() {
      wanted = true;
      void settle();
    },
    async stop() {
      wanted = false;
      await settle();
    },
  };
}
