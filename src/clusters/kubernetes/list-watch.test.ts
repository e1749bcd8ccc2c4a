import { describe, expect, it } from 'vitest';
import { ListWatchCache, type ListWatchSource, type WatchEvent } from './list-watch.js';

type Item = { metadata: { name: string; resourceVersion?: string } };
const item = (name: string, resourceVersion: string): Item => ({ metadata: { name, resourceVersion } });

/** A scripted API server: lists answer from `lists`, each watch is handed to the test. */
function scripted(lists: Array<{ items: Item[]; resourceVersion: string } | Error>) {
  const watches: Array<{ from: string; emit: (event: WatchEvent<Item>) => void; end: (error: unknown) => void; aborted: boolean }> = [];
  let listed = 0;
  const source: ListWatchSource<Item> = {
    async list() {
      const next = lists[Math.min(listed, lists.length - 1)];
      listed += 1;
      if (next instanceof Error) throw next;
      return next as { items: Item[]; resourceVersion: string };
    },
    async watch(from, onEvent, done) {
      const entry = { from, emit: onEvent, end: done, aborted: false };
      watches.push(entry);
      return { abort: () => (entry.aborted = true) };
    },
  };
  return { source, watches, listed: () => listed };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i += 1) await tick();
  expect(check()).toBe(true);
};

describe('ListWatchCache', () => {
  it('lists, then watches from the list version and applies added, modified and deleted objects', async () => {
    const api = scripted([{ items: [item('a', '5')], resourceVersion: '10' }]);
    const cache = new ListWatchCache(api.source, { initialBackoffMs: 1, maxBackoffMs: 4 });
    cache.start();
    await cache.whenSynced();
    await until(() => api.watches.length === 1);
    expect(api.watches[0]?.from).toBe('10');
    api.watches[0]?.emit({ type: 'ADDED', object: item('b', '11') });
    api.watches[0]?.emit({ type: 'MODIFIED', object: item('a', '12') });
    api.watches[0]?.emit({ type: 'DELETED', object: item('b', '13') });
    expect(cache.values()).toEqual([item('a', '12')]);
    // A watch the server closes resumes from the last version seen.
    api.watches[0]?.end(null);
    await until(() => api.watches.length === 2);
    expect(api.watches[1]?.from).toBe('13');
    cache.stop();
    expect(api.watches[1]?.aborted).toBe(true);
  });

  it('lists again on 410 Gone', async () => {
    const api = scripted([
      { items: [item('a', '5')], resourceVersion: '10' },
      { items: [item('c', '30')], resourceVersion: '31' },
    ]);
    const cache = new ListWatchCache(api.source, { initialBackoffMs: 1, maxBackoffMs: 4 });
    cache.start();
    await until(() => api.watches.length === 1);
    api.watches[0]?.emit({ type: 'ERROR', object: { metadata: { name: '' }, code: 410 } as unknown as Item });
    await until(() => api.watches.length === 2);
    expect(api.listed()).toBe(2);
    expect(api.watches[1]?.from).toBe('31');
    expect(cache.values().map((entry) => entry.metadata.name)).toEqual(['c']);
    cache.stop();
  });

  it('rejects reads while the cluster cannot be listed, backs off, and syncs once it answers', async () => {
    const api = scripted([new Error('connection refused'), new Error('connection refused'), { items: [], resourceVersion: '1' }]);
    const errors: unknown[] = [];
    const cache = new ListWatchCache(api.source, { initialBackoffMs: 1, maxBackoffMs: 4 }, (error) => errors.push(error));
    cache.start();
    await expect(cache.whenSynced()).rejects.toThrow('connection refused');
    await until(() => cache.isSynced);
    expect(api.listed()).toBe(3);
    expect(errors).toHaveLength(2);
    cache.stop();
  });
});
