import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../lib/logger.js';

/** Tells the other H-MAS instances that an API key changed, so they drop it from their caches. */
export interface InvalidationChannel {
  /** Fire and forget: never waits for Redis, never throws. */
  publish(keyId: string): void;
  /** Resolves once the subscription is active (messages published after it are received). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

interface Message {
  keyId: string;
  origin: string;
}

function parse(raw: string): Message | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Message>;
    return typeof value.keyId === 'string' && typeof value.origin === 'string' ? { keyId: value.keyId, origin: value.origin } : undefined;
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
export function createRedisInvalidationChannel(options: {
  url: string;
  channel: string;
  logger: Logger;
  onMessage: (keyId: string) => void;
  onResync: () => void;
}): InvalidationChannel {
  const { channel, logger } = options;
  const origin = randomUUID();
  // Waits for a connection however long it takes: the subscription must not give up.
  const subscriber = new Redis(options.url, { maxRetriesPerRequest: null, connectionName: 'hmas-api-key-invalidation-sub' });
  const publisher = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'hmas-api-key-invalidation-pub' });
  let connectedBefore = false;
  let failing = false;

  const onError = (role: string) => (error: Error) => {
    // ioredis retries by itself; say so once per outage, not once per retry.
    if (failing) return logger.debug({ err: error, role }, 'redis still unreachable');
    failing = true;
    logger.warn({ err: error, role, channel }, 'redis unreachable: API key changes on other instances reach this one only by cache expiry until it is back');
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
    if (message && message.origin !== origin) options.onMessage(message.keyId);
  });

  const ready = subscriber.subscribe(channel).then(
    () => undefined,
    (error: unknown) => logger.warn({ err: error, channel }, 'could not subscribe to API key changes'),
  );

  return {
    publish(keyId) {
      publisher.publish(channel, JSON.stringify({ keyId, origin } satisfies Message)).catch((error: unknown) => {
        logger.warn({ err: error, keyId, channel }, 'could not tell other instances about an API key change; their caches drop it within the cache TTL');
      });
    },
    ready,
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
