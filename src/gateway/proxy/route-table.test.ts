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
  const table = createRouteTable({
    load: async () => {
      loads += 1;
      if (failure) throw failure;
      return rows;
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
