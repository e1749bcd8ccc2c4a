import { createLogger } from '../../lib/logger.js';
import type { GpuMode } from './llama-engine.js';
import { startRuntimeServer } from './runtime-server.js';

/** What `hmas runtime llama` was given, after the CLI parsed it and read the configuration. */
export interface LlamaRuntimeCommand {
  model: string;
  port: number;
  threads?: number;
  ctx?: number;
  parallel: number;
  alias?: string;
  gpu: GpuMode;
  host: string;
  logLevel: string;
  logPretty: boolean;
  /** How long running generations may finish after SIGTERM before they are cut off. */
  shutdownGraceMs: number;
  /** HMAS_RUNTIME_API_KEY: the bearer key requests must carry (the local driver sets one per replica). */
  apiKey?: string;
}

/** The line a supervisor (or a test) waits for on stdout. */
export const READY_LINE_PREFIX = 'Embedded llama.cpp runtime ready:';

/**
 * Runs the embedded runtime until SIGTERM/SIGINT. A model that cannot be loaded or a port that
 * is taken rejects (the CLI prints the message and exits 1); a signal stops it gracefully and
 * exits 0; a second signal exits 1 at once.
 */
export async function runLlamaRuntime(command: LlamaRuntimeCommand): Promise<void> {
  const logger = createLogger({ level: command.logLevel, pretty: command.logPretty, name: 'hmas-runtime' });
  let server;
  try {
    server = await startRuntimeServer({
      modelPath: command.model,
      host: command.host,
      port: command.port,
      parallel: command.parallel,
      gpu: command.gpu,
      logger,
      ...(command.threads !== undefined ? { threads: command.threads } : {}),
      ...(command.ctx !== undefined ? { contextSize: command.ctx } : {}),
      ...(command.alias !== undefined ? { alias: command.alias } : {}),
      ...(command.apiKey !== undefined ? { apiKey: command.apiKey } : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`Port ${command.port} on ${command.host} is already in use.`, { cause: error });
    throw error;
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal, graceMs: command.shutdownGraceMs }, 'signal received: finishing running requests');
    server.close({ graceMs: command.shutdownGraceMs }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    const engine = await server.loaded;
    process.stdout.write(`${READY_LINE_PREFIX} ${server.url} (model "${engine.info.id}", ${engine.info.parallel} slot(s) × ${engine.info.contextSize} tokens)\n`);
  } catch (error) {
    await server.close({ graceMs: 0 }).catch(() => undefined);
    throw error;
  }
}
