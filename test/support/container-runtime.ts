import type { WorkloadRuntime } from '../../src/domain/workload.js';

/**
 * A runtime shaped like vLLM (`vllm serve MODEL --host … --port …`, port 8000, /health, /metrics)
 * for tests of what drivers make of a spec: manifests, status. `env` and `apiKeyEnv` as the test needs.
 */
export function vllmLikeRuntime(options: { env?: Record<string, string>; apiKeyEnv?: string } = {}): WorkloadRuntime {
  return {
    id: 'vllm',
    command: { host: ['vllm', 'serve'] },
    port: 8000,
    healthPath: '/health',
    metricsPath: '/metrics',
    openaiBasePath: '/v1',
    ...(options.apiKeyEnv ? { apiKey: { env: options.apiKeyEnv } } : {}),
    render: (_optimization, context) => ({ args: [context.model, '--host', context.host ?? '', '--port', String(context.port)], env: { ...options.env }, warnings: [] }),
  };
}
