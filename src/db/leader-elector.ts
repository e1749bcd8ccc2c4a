import pg from 'pg';
import type { LeaderElector } from '../lib/leadership.js';
import type { Logger } from '../lib/logger.js';

/**
 * The advisory lock whose holder leads: one fixed key ("HMAS" in ASCII). Advisory locks belong to
 * a database, so H-MAS installations in different databases of one server never compete.
 */
export const LEADER_LOCK_KEY = 0x484d4153;

export interface LeaderElectorOptions {
  /** The PostgreSQL the instances share (DATABASE_URL). */
  url: string;
  /** How often a follower tries to take the lock, and a leader checks it still holds it. */
  intervalMs: number;
  logger: Logger;
  /** How long connecting or one query may take before the connection counts as lost. Default max(intervalMs, 5 s). */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * Leader election through `pg_try_advisory_lock` on a connection of its own. A session lock lives
 * as long as the session that took it, so it cannot be on the pool: a pooled connection goes back
 * and forth between queries and may be closed or replaced, taking the lock with it unnoticed.
 *
 * Every interval a follower tries the lock and the leader checks its connection still answers.
 * The leader's process dying closes its connection, PostgreSQL releases the lock, and a follower
 * takes it at its next try — within one interval. An error on the connection (or a check that
 * does not answer in time) makes this instance a follower at once, before anything else runs,
 * and it connects again at the next try.
 */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? Math.max(options.intervalMs, 5_000);
  const log = options.logger.child({ component: 'leader-election' });
  const listeners = new Set<(leader: boolean) => void>();
  let client: pg.Client | undefined;
  let since: Date | null = null;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  const setLeader = (leader: boolean, reason: string) => {
    if ((since !== null) === leader) return;
    since = leader ? now() : null;
    if (leader) log.info({ reason }, 'this instance is now the leader: it runs the leader-only loops');
    else if (stopped) log.info({ reason }, 'this instance gave up leadership');
    else log.warn({ reason }, 'this instance is no longer the leader: its leader-only loops stop');
    for (const listener of listeners) {
      try {
        listener(leader);
      } catch (error) {
        log.error({ err: error }, 'a leadership listener failed');
      }
    }
  };

  /** Forgets the connection (closing it releases the lock) and follows until the next try wins. */
  const drop = (reason: string) => {
    const lost = client;
    client = undefined;
    if (lost) void lost.end().catch(() => undefined);
    setLeader(false, reason);
  };

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
      application_name: 'hmas-leader-election',
    });
    fresh.on('error', (error) => {
      if (client !== fresh) return;
      log.warn({ err: error }, 'the leader election connection failed');
      drop(`connection error: ${error.message}`);
    });
    fresh.on('end', () => {
      if (client === fresh) drop('connection closed');
    });
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => undefined);
      throw error;
    }
    return fresh;
  };

  const tryOnce = async () => {
    try {
      if (!client) {
        const fresh = await connect();
        if (stopped) {
          await fresh.end().catch(() => undefined);
          return;
        }
        client = fresh;
      }
      const session = client;
      if (since !== null) {
        // The lock lives with the session: a session that answers still holds it.
        await session.query('SELECT 1');
        return;
      }
      const { rows } = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LEADER_LOCK_KEY}) AS locked`);
      if (rows[0]?.locked && client === session && !stopped) setLeader(true, 'took the advisory lock');
    } catch (error) {
      if (stopped) return;
      log.warn({ err: error }, 'leader election: the database did not answer; trying again');
      drop(`the database did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      attempt = tryOnce().finally(() => {
        attempt = undefined;
        schedule(options.intervalMs);
      });
    }, ms);
    timer.unref();
  };

  return {
    election: 'advisory-lock',
    isLeader: () => since !== null,
    leaderSince: () => since,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await attempt;
      const held = client;
      client = undefined;
      // Not the leader any more before the lock is let go: nothing here may still act as the
      // leader once another instance can take over.
      setLeader(false, 'stopping');
      // Ending the session releases the lock: the next instance takes it at its next try.
      await held?.end().catch(() => undefined);
    },
  };
}
