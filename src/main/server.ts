import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/client.js';
import { createLogger, type Logger } from '../lib/logger.js';
import type { LoopRegistry } from '../lib/loop-registry.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { composeServer } from './compose.js';
import { openConfiguredDatabase } from './database.js';

export interface RunningServer {
  app: ZodApp;
  url: string;
  database: DatabaseHandle;
  loops: LoopRegistry;
  logger: Logger;
  /** Set on first start when the admin password was generated: show it once. */
  generatedAdminPassword: string | undefined;
  /** Graceful stop: loops → HTTP drain (bounded) → database. Safe to call twice. */
  stop(): Promise<void>;
}

/** Opens the database, wires everything, listens, and starts the background loops. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty });
  const database = await openConfiguredDatabase(config);
  let composed;
  try {
    composed = await composeServer(config, database, logger);
    await composed.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await composed?.app.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  const { app, loops } = composed;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  loops.startAll();
  logger.info({ url, database: database.kind, loops: loops.names() }, 'H-MAS server started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      composed.markShuttingDown();
      logger.info('shutting down: stopping background loops');
      await loops.stopAll();
      logger.info({ drainMs: config.shutdownDrainMs }, 'shutting down: draining HTTP');
      // Keep-alive connections whose last request finished during the drain would hold the
      // server open until their idle timeout; close them as soon as they go idle.
      const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
      const forceClose = setTimeout(() => {
        logger.warn('drain time is up: closing remaining connections');
        app.server.closeAllConnections();
      }, config.shutdownDrainMs);
      try {
        await app.close();
      } finally {
        clearTimeout(forceClose);
        clearInterval(closeIdle);
      }
      await composed.close();
      await database.close();
      logger.info('shutdown complete');
    })());

  return { app, url, database, loops, logger, generatedAdminPassword: composed.generatedAdminPassword, stop };
}
