import { describe, expect, it } from 'vitest';
import { purgeInBatches } from './batched-purge.js';

describe('purgeInBatches', () => {
  it('deletes in batches until a batch comes back short, with the cutoff `days` before now', async () => {
    const calls: Array<{ cutoff: string; size: number }> = [];
    let left = 2500;
    const total = await purgeInBatches(
      async (cutoff, size) => {
        calls.push({ cutoff: cutoff.toISOString(), size });
        const deleted = Math.min(size, left);
        left -= deleted;
        return deleted;
      },
      { days: 30, now: new Date('2026-11-30T00:00:00Z'), batchSize: 1000 },
    );
    expect(total).toBe(2500);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toEqual({ cutoff: '2026-10-31T00:00:00.000Z', size: 1000 });
  });
});
