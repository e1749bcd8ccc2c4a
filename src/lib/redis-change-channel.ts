import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Tells the other H-MAS instances that something changed (an API key, a deployment), so they
 * drop or reload what they hold of it.
 */
export interface ChangeChannel {
  /** Fire and forget: never waits for Redis, never throws. */
  publish(id: string): void;
  /** Resolves once the subscription is active (messages published after it are received). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

interface Message {
  id: string;
  origin: string;
}

function parse(raw: string): Message | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Message>;
    return typeof value.id === 'string' && typeof value.origin === 'string' ? { id: value.id, origin: value.origin } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Redis pub/sub on one channel. Two connections: a subscriber (which Redis allows nothing
 * else on) and a publisher without an offline queue, so a revocation while Redis is down
 * fails at once (logged) instead of hanging. After a reconnect the subscriber may have missed
 * messages, so `onResync` tells the owner to drop everything it cached.
 */
export function createRedisChangeChannel(options: {
  url: string;
  channel: string;
  /** What changes, in words for the log ("API key", "deployment"); also names the connections. */
  subject: string;
  /** What other instances do until Redis is back, for the warning ("… by cache expiry"). */
  fallback: string;
  logger: Logger;
  onMessage: (id: string) => void;
  onResync: () => void;
}): ChangeChannel {
  const { channel, logger, subject } = options;
  const origin = randomUUID();
  const connectionName = `hmas-${subject.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-changes`;
  // Waits for a connection however long it takes: the subscription must not give up.
  const subscriber = new Redis(options.url, { maxRetriesPerRequest: null, connectionName: `${connectionName}-sub` });
  const publisher = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `${connectionName}-pub` });
  let connectedBefore = false;
  let failing = false;

  const onError = (role: string) => (error: Error) => {
    // ioredis retries by itself; say so once per outage, not once per retry.
    if (failing) return logger.debug({ err: error, role }, 'redis still unreachable');
    failing = true;
    logger.warn({ err: error, role, channel }, `redis unreachable: ${subject} changes on other instances reach this one only ${options.fallback} until it is back`);
  };
  subscriber.on('error', onError('subscriber'));
  publisher.on('error', onError('publisher'));
  subscriber.on('ready', () => {
    failing = false;
    if (connectedBefore) options.onResync();
    connectedBefore = true;
  });
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    const message = parse(raw);
    if (message && message.origin !== origin) options.onMessage(message.id);
  });

  const ready = subscriber.subscribe(channel).then(
    () => undefined,
    (error: unknown) => logger.warn({ err: error, channel }, `could not subscribe to ${subject} changes`),
  );

  return {
    publish(id) {
      publisher.publish(channel, JSON.stringify({ id, origin } satisfies Message)).catch((error: unknown) => {
        logger.warn({ err: error, id, channel }, `could not tell other instances about a ${subject} change; they see it ${options.fallback}`);
      });
    },
    ready,
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
