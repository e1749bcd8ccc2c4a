import { describe, expect, it } from 'vitest';
import { createApiKeyUsageRecorder } from './api-key-usage.js';

const T0 = new Date('2030-01-01T00:00:00Z').getTime();

function setup(options: { failing?: () => boolean } = {}) {
  const clock = { ms: T0 };
  const writes: Array<Array<{ id: string; at: Date }>> = [];
  const recorder = createApiKeyUsageRecorder({
    touch: async (uses) => {
      if (options.failing?.()) throw new Error('database down');
      writes.push([...uses]);
    },
    now: () => new Date(clock.ms),
    maxPending: 3,
  });
  return { recorder, writes, clock };
}

describe('createApiKeyUsageRecorder', () => {
  it('writes many uses of many keys as one batch with the latest time of each key', async () => {
    const { recorder, writes, clock } = setup();
    recorder.markUsed('a');
    clock.ms += 1000;
    recorder.markUsed('b');
    clock.ms += 1000;
    recorder.markUsed('a');
    expect(writes).toEqual([]);
    await recorder.flush();
    expect(writes).toEqual([
      [
        { id: 'a', at: new Date(T0 + 2000) },
        { id: 'b', at: new Date(T0 + 1000) },
      ],
    ]);
    await recorder.flush();
    expect(writes).toHaveLength(1);
  });

  it('keeps the uses of a failed write for the next flush', async () => {
    let failing = true;
    const { recorder, writes } = setup({ failing: () => failing });
    recorder.markUsed('a');
    await expect(recorder.flush()).rejects.toThrow('database down');
    expect(recorder.pending).toBe(1);
    failing = false;
    await recorder.flush();
    expect(writes.flat().map((use) => use.id)).toEqual(['a']);
  });

  it('notes at most maxPending keys between flushes, still updating the ones it holds', async () => {
    const { recorder, clock, writes } = setup();
    for (const id of ['a', 'b', 'c', 'd']) recorder.markUsed(id);
    clock.ms += 5;
    recorder.markUsed('a');
    expect(recorder.pending).toBe(3);
    await recorder.flush();
    expect(writes[0]).toEqual([
      { id: 'a', at: new Date(T0 + 5) },
      { id: 'b', at: new Date(T0) },
      { id: 'c', at: new Date(T0) },
    ]);
  });
});
