import { afterEach, describe, expect, it } from 'vitest';
import { createLeaderElector } from '../../src/db/leader-elector.js';
import type { LeaderElector } from '../../src/lib/leadership.js';
import { createLogger } from '../../src/lib/logger.js';
import { createLoopTracker } from '../../src/reconcilers/loop-tracker.js';
import { reconcilerLoop } from '../../src/reconcilers/reconciler.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase, withoutPostgres } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const INTERVAL_MS = 100;
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });

/** Which of `electors` lead now, by index. */
const leaders = (electors: LeaderElector[]) => electors.flatMap((elector, index) => (elector.isLeader() ? [index] : []));

// Two electors in one process, each on its own connection to a real PostgreSQL (the election
// needs PostgreSQL's advisory locks; PGlite instances always lead: test/integration/system-loops).
describe.skipIf(withoutPostgres('leader election through a PostgreSQL advisory lock'))('leader election through a PostgreSQL advisory lock', { timeout: 60_000 }, () => {
  let database: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  const electors: LeaderElector[] = [];
  const elector = (url: string) => {
    const made = createLeaderElector({ url, intervalMs: INTERVAL_MS, logger });
    electors.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((made) => made.stop()));
    await proxy?.close();
    proxy = undefined;
    await database?.drop();
    database = undefined;
  });

  it('elects exactly one of two, and hands over when the leader lets go', async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    const first = elector(database.url!);
    const second = elector(database.url!);
    const changes: Array<[number, boolean]> = [];
    first.onChange((leader) => changes.push([0, leader]));
    second.onChange((leader) => changes.push([1, leader]));
    first.start();
    second.start();
    const [leader] = await waitFor('a leader', async () => (leaders(electors).length > 0 ? leaders(electors) : undefined));
    // Several more tries of the follower: it stays a follower while the leader holds the lock.
    const follower = leader === 0 ? 1 : 0;
    const heldFor = changes.length;
    await waitFor('several election intervals', async () => (Date.now() - electors[leader!]!.leaderSince()!.getTime() > 5 * INTERVAL_MS ? true : undefined));
    expect(leaders(electors)).toEqual([leader]);
    expect(changes).toHaveLength(heldFor);
    expect(electors[follower]!.leaderSince()).toBeNull();

    await electors[leader!]!.stop();
    expect(electors[leader!]!.isLeader()).toBe(false);
    await waitFor('the other to take over', async () => (electors[follower]!.isLeader() ? true : undefined));
    expect(leaders(electors)).toEqual([follower]);
    expect(changes).toEqual([
      [leader, true],
      [leader, false],
      [follower, true],
    ]);
  });

  it('a leader whose connection breaks stops leading at once; the other takes over, and it follows once it is back', async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    const target = new URL(database.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.url!);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // The first one reaches PostgreSQL through the proxy and starts alone, so it leads.
    const cut = elector(proxied.toString());
    cut.start();
    await waitFor('the first to lead', async () => (cut.isLeader() ? true : undefined));
    const direct = elector(database.url!);
    direct.start();
    const lost = new Promise<void>((resolve) => cut.onChange((leader) => !leader && resolve()));
    // A leader-only loop on the first, in the middle of a tick that lasts until it is aborted.
    const tracker = createLoopTracker(cut);
    let aborted = 0;
    const loop = reconcilerLoop(
      {
        name: 'writer',
        intervalMs: 60_000,
        needsLeader: true,
        touches: 'nothing',
        runImmediately: true,
        tick: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (aborted += 1)))),
      },
      logger,
      { leadership: cut, tracker },
    );
    loop.start();
    await waitFor('the loop to run on the leader', async () => (tracker.loops()[0]!.runningHere ? true : undefined));

    proxy.cut('drop');
    // "At once": on the connection's own error, not at a later check; the running tick is aborted.
    await lost;
    await waitFor('the tick to be aborted', async () => (aborted === 1 ? true : undefined));
    expect(tracker.loops()[0]).toMatchObject({ runningHere: false, runs: 1 });
    await waitFor('the other to take over', async () => (direct.isLeader() ? true : undefined));
    // While the link is down, and after it is back, the first only follows: the lock is taken.
    await proxy.restore();
    await waitFor('the first to connect again and try the lock', async () => ((await followersTrying(database!)) === 1 ? true : undefined));
    expect(leaders(electors)).toEqual([1]);
    expect(tracker.loops()[0]).toMatchObject({ runningHere: false, runs: 1 });
    await loop.stop();
  });
});

/** Election sessions whose last query tried the lock without holding it: followers that tried. */
async function followersTrying(database: TestDatabase): Promise<number> {
  const rows = await database.handle.transaction((session) =>
    session.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.application_name = 'hmas-leader-election' AND a.query LIKE 'SELECT pg_try_advisory_lock%'
          AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)`,
    ),
  );
  return rows[0]!.n;
}
