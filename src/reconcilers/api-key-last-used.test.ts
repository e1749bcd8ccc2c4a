import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { createApiKeyUsageRecorder } from '../services/api-keys/api-key-usage.js';
import { apiKeyLastUsed } from './api-key-last-used.js';
import { reconcilerLoop } from './reconciler.js';

describe('apiKeyLastUsed', () => {
  it('flushes once more when its loop stops, so a graceful shutdown loses nothing noted', async () => {
    const writes: string[] = [];
    const recorder = createApiKeyUsageRecorder({ touch: async (uses) => void writes.push(...uses.map((use) => use.id)) });
    const loop = reconcilerLoop(apiKeyLastUsed({ recorder, intervalMs: 60_000 }), createLogger({ level: 'silent', pretty: false }));
    loop.start();
    recorder.markUsed('a');
    await loop.stop();
    expect(writes).toEqual(['a']);
  });

  it('logs a failed last flush instead of failing shutdown', async () => {
    const recorder = createApiKeyUsageRecorder({ touch: async () => Promise.reject(new Error('database down')) });
    const loop = reconcilerLoop(apiKeyLastUsed({ recorder, intervalMs: 60_000 }), createLogger({ level: 'silent', pretty: false }));
    loop.start();
    recorder.markUsed('a');
    await expect(loop.stop()).resolves.toBeUndefined();
    expect(recorder.pending).toBe(1);
  });
});
