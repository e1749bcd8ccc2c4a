import { createLogger } from '../../src/lib/logger.js';
import { startRuntimeServer, type RuntimeServer, type RuntimeServerOptions } from '../../src/runtimes/embedded/runtime-server.js';

/**
 * The embedded llama.cpp runtime in process on a free port, on one thread and the CPU (the
 * machine's cores are shared with other suites), without default process metrics. Resolves once
 * listening; await `server.loaded` for the model.
 */
export function startTestRuntimeServer(modelPath: string, options: Partial<RuntimeServerOptions> = {}): Promise<RuntimeServer> {
  return startRuntimeServer({
    modelPath,
    host: '127.0.0.1',
    port: 0,
    threads: 1,
    parallel: 1,
    contextSize: 512,
    gpu: 'cpu',
    defaultMetrics: false,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false }),
    ...options,
  });
}
