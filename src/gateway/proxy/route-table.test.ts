import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { createRouteTable, isServable, type RouteSource } from './route-table.js';

const logger = createLogger({ level: 'silent', pretty: false });
const row = (name: string, endpoints: string[], extra: Partial<RouteSource> = {}): RouteSource => ({
  id: `id-${name}`,
  name,
  status: 'running',
  modelName: 'qwen',
  clusterName: 'local',
  runtime: 'vllm',
  createdAt: new Date(0),
  endpoints,
  ...extra,
});

function setup(initial: RouteSource[]) {
  let rows = initial;
  let loads = 0;
  let clock = 0;
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  const table = createRouteTable({
    load: async () => {
      loads += 1;
      const rowsThen = rows;
      if (gate) await gate;
      if (failure) throw failure;
      return rowsThen;
    },
    runtime: (id) => (id === 'vllm' ? { id, openaiBasePath: '/v1', supportsIncludeUsage: true, inferenceRoutes: [{ method: 'POST', path: '/v1/chat/completions' }] } : undefined),
    logger,
    maxAgeMs: 2_000,
    minRefreshGapMs: 250,
    now: () => clock,
  });
  return {
    table,
    set: (next: RouteSource[]) => (rows = next),
    fail: (error: Error | undefined) => (failure = error),
    /** Loads started from now wait until the returned function is called. */
    hold: () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
    loads: () => loads,
    advance: (ms: number) => (clock += ms),
  };
}

describe('route table', () => {
  it('finds deployments by name and by model, with the runtime’s traits', async () => {
    const { table } = setup([row('a', ['http://127.0.0.1:1/v1']), row('b', []), row('c', ['http://127.0.0.1:3/v1'], { modelName: 'llama', runtime: 'tei' })]);
    await table.refresh();
    expect(table.get('a')).toMatchObject({ id: 'id-a', supportsIncludeUsage: true, endpoints: [{ origin: 'http://127.0.0.1:1', apiPath: '/v1' }] });
    expect(table.get('c')?.supportsIncludeUsage).toBe(false);
    expect(table.forModel('qwen').map((entry) => entry.name)).toEqual(['a', 'b']);
    expect(table.get('nope')).toBeUndefined();
    expect([table.get('a')!, table.get('b')!].map(isServable)).toEqual([true, false]);
  });

  it('keeps an endpoint’s in-flight count across refreshes while its URL stays', async () => {
    const { table, set } = setup([row('a', ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1'])]);
    await table.refresh();
    table.get('a')!.endpoints[0]!.inFlight = 3;
    set([row('a', ['http://127.0.0.1:1/v1', 'http://127.0.0.1:4/v1'], { status: 'deploying' })]);
    await table.refresh();
    const entry = table.get('a')!;
    expect(entry.status).toBe('deploying');
    expect(entry.endpoints.map((endpoint) => [endpoint.origin, endpoint.inFlight])).toEqual([
      ['http://127.0.0.1:1', 3],
      ['http://127.0.0.1:4', 0],
    ]);
  });

  it('gives each deployment its runtime’s path allowlist, and an unknown runtime nothing', async () => {
    const { table } = setup([row('a', []), row('x', [], { runtime: 'no-such-runtime' })]);
    await table.refresh();
    expect(table.get('a')!.paths.check('POST', '/v1/chat/completions')).toEqual({ ok: true });
    expect(table.get('a')!.paths.check('GET', '/metrics')).toMatchObject({ ok: false, status: 404 });
    expect(table.get('x')!.paths.check('POST', '/v1/chat/completions')).toMatchObject({ ok: false, status: 404 });
  });

  it('sends each replica its own token, and treats a new token on the same URL as a new endpoint', async () => {
    const url = 'http://127.0.0.1:1/v1';
    const { table, set } = setup([row('a', [url, 'http://127.0.0.1:2/v1'], { tokens: new Map([[url, 'first']]) })]);
    await table.refresh();
    expect(table.get('a')!.endpoints.map((endpoint) => endpoint.authorization)).toEqual(['Bearer first', null]);
    table.get('a')!.endpoints[0]!.inFlight = 1;
    set([row('a', [url], { tokens: new Map([[url, 'second']]) })]);
    await table.refresh();
    expect(table.get('a')!.endpoints).toMatchObject([{ authorization: 'Bearer second', inFlight: 0 }]);
  });

  it('does not serve paused deployments even if replicas still answer', async () => {
    const { table } = setup([row('p', ['http://127.0.0.1:1/v1'], { status: 'paused' })]);
    await table.refresh();
    expect(isServable(table.get('p')!)).toBe(false);
  });

  it('refreshes on demand at most once per gap, sharing a load in flight', async () => {
    const { table, set, loads, advance } = setup([]);
    await table.refresh();
    set([row('new', ['http://127.0.0.1:1/v1'])]);
    await table.refreshSoon();
    expect(loads()).toBe(1);
    expect(table.get('new')).toBeUndefined();
    advance(300);
    await Promise.all([table.refreshSoon(), table.refreshSoon()]);
    expect(loads()).toBe(2);
    expect(table.get('new')).toBeDefined();
  });

  it('reloads in the background when a lookup finds the table old', async () => {
    const { table, set, loads, advance } = setup([row('a', [])]);
    await table.refresh();
    set([row('a', ['http://127.0.0.1:1/v1'])]);
    advance(2_500);
    expect(table.get('a')!.endpoints).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(loads()).toBe(2);
    expect(table.get('a')!.endpoints).toHaveLength(1);
  });

  it('keeps routing by the last table loaded when an on-demand refresh fails, and fails when none ever loaded', async () => {
    const { table, fail, advance } = setup([row('a', ['http://127.0.0.1:1/v1'])]);
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    fail(down);
    await expect(table.refreshSoon()).rejects.toBe(down);
    fail(undefined);
    await table.refresh();
    fail(down);
    advance(1_000);
    await table.refreshSoon();
    expect(table.get('a')?.endpoints).toHaveLength(1);
    await expect(table.refresh()).rejects.toBe(down);
    expect(isServable(table.get('a')!)).toBe(true);
  });
});

describe('route table: reloading after a refused connection', () => {
  const old = 'http://127.0.0.1:1/v1';
  const replacement = 'http://127.0.0.1:2/v1';

  it('loads once when nothing was loaded since the endpoint was picked, and answers the new entry', async () => {
    const { table, set, loads } = setup([row('a', [old])]);
    await table.refresh();
    const seen = table.generation();
    set([row('a', [replacement])]);
    const { entry, reloaded } = await table.reresolve('a', seen);
    expect(reloaded).toBe(true);
    expect(loads()).toBe(2);
    expect(entry!.endpoints.map((endpoint) => endpoint.url)).toEqual([replacement]);
  });

  it('shares one load among a burst of failures', async () => {
    const { table, set, loads } = setup([row('a', [old])]);
    await table.refresh();
    const seen = table.generation();
    set([row('a', [replacement])]);
    const results = await Promise.all(Array.from({ length: 20 }, () => table.reresolve('a', seen)));
    expect(loads()).toBe(2);
    expect(results.filter((result) => result.reloaded)).toHaveLength(1);
    expect(new Set(results.map((result) => result.entry!.endpoints[0]!.url))).toEqual(new Set([replacement]));
    // A failure of a request that picked before that load, reported after it ended: no new load.
    expect((await table.reresolve('a', seen)).reloaded).toBe(false);
    expect(loads()).toBe(2);
  });

  it('does not trust a load that started before the pick: waits for it, then loads again', async () => {
    const { table, set, loads, hold } = setup([row('a', [old])]);
    await table.refresh();
    const release = hold();
    const stale = table.refresh();
    // The request picked its endpoint while that load was reading the old rows.
    const seen = table.generation();
    set([row('a', [replacement])]);
    const pending = table.reresolve('a', seen);
    release();
    await stale;
    const { entry, reloaded } = await pending;
    expect(reloaded).toBe(true);
    expect(loads()).toBe(3);
    expect(entry!.endpoints[0]!.url).toBe(replacement);
  });

  it('keeps the last table when the reload fails', async () => {
    const { table, fail } = setup([row('a', [old])]);
    await table.refresh();
    const seen = table.generation();
    fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const { entry, reloaded } = await table.reresolve('a', seen);
    expect(reloaded).toBe(false);
    expect(entry!.endpoints[0]!.url).toBe(old);
  });
});
