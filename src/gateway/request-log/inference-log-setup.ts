import path from 'node:path';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import { LockHeldError } from '../../lib/pid-lock.js';
import { createInferenceLogMetrics } from './inference-log-metrics.js';
import { openInferenceLogSpool, type InferenceLogSpool } from './inference-log-spool.js';
import { createInferenceLogWriter, type BatchingInferenceLogWriter } from './inference-log-writer.js';

export interface ConfiguredInferenceLogDeps {
  settings: Config['inferenceLog'];
  dataDir: string;
  insert: (lines: readonly string[]) => Promise<void>;
  registry: Registry;
  logger: Logger;
  onDrop?: () => void;
}

/** Where the spool of a data directory lives: each instance has its own data directory, so its own spool. */
export const inferenceLogSpoolDir = (dataDir: string) => path.join(dataDir, 'spool', 'inference-log');

/**
 * The request log writer as configured: with the crash spool in the data directory unless
 * `HMAS_INFERENCE_LOG_SPOOL=false`. A spool another live process holds (two instances given one
 * data directory) is not shared: this one runs without, and says so.
 */
export async function createConfiguredInferenceLogWriter(deps: ConfiguredInferenceLogDeps): Promise<BatchingInferenceLogWriter> {
  const { settings, logger } = deps;
  let spool: InferenceLogSpool | undefined;
  if (settings.spool) {
    const dir = inferenceLogSpoolDir(deps.dataDir);
    try {
      spool = await openInferenceLogSpool({ dir, maxBytes: settings.spoolMaxBytes, logger, onLost: (lines) => {
          for (let i = 0; i < lines; i += 1) deps.onDrop?.();
        },
       });
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      logger.warn({ dir, pid: error.pid }, 'another process uses this data directory\'s inference log spool: running without one (a crash loses buffered entries)');
    }
  }
  const metrics = createInferenceLogMetrics(deps.registry, () => spool?.bytes ?? 0);
  return createInferenceLogWriter({
    insert: deps.insert,
    bufferSize: settings.buffer,
    batchSize: settings.batch,
    flushMs: settings.flushMs,
    logger,
    spool,
    onDrop: deps.onDrop,
    onNotSpooled: metrics.notSpooled,
    onReplayed: metrics.replayed,
  });
}
