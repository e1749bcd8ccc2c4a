// The gateway after a replica was replaced (a rolling update on the local driver): the route
// table still names the old replica until its next load, so a refused connection reloads the
// routes once — one load for a burst — and the request goes to the replica they name now.
// A real gateway (Fastify, undici, the memory rate limiter, the route table and route source)
// and real HTTP upstreams; the routes' rows are the test's, and their clock stands still so
// only the loads the test makes or the gateway asks for happen.
import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayCaller, InferenceLogEntry } from '../../src/gateway/gateway-contracts.js';
import { createGateway } from '../../src/gateway/proxy/gateway.js';
import { createGatewayMetrics } from '../../src/gateway/proxy/gateway-metrics.js';
import { createRouteSource, type DeploymentRouteRow } from '../../src/gateway/proxy/route-source.js';
import { createRouteTable } from '../../src/gateway/proxy/route-table.js';
import { createRateLimiter } from '../../src/gateway/rate-limit/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { isRuntimeId, RUNTIMES } from '../../src/runtimes/index.js';
import { registerInferenceRoutes } from '../../src/server/routes/inference.routes.js';
import { deferred, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { waitFor } from '../support/wait-for.js';

const CALLER: GatewayCaller = { userId: 'u1', username: 'alice', role: 'admin', authMethod: 'jwt', keyId: null, allowedDeployments: [], keyLimits: { rpm: null, tpm: null } };

const row = (name: string, endpoints: string[], extra: Partial<DeploymentRouteRow> = {}): DeploymentRouteRow => ({
  id: `id-${name}`,
  name,
  status: 'running',
  modelName: 'tiny',
  clusterId: 'cluster-local',
  clusterName: 'local',
  runtime: 'vllm',
  paused: false,
  deleting: false,
  createdAt: new Date(0),
  endpoints,
  ...extra,
});

describe('gateway: a replica replaced since the routes last loaded', { timeout: 30_000 }, () => {
  const rows = new Map<string, DeploymentRouteRow>();
  /** While set, loads wait for it (after calling `loadEntered`). */
  let gate: Promise<void> | undefined;
  let loadEntered: (() => void) | undefined;
  /** Resolves when the connection of the request to deployment "left" closes, as the gateway sees it. */
  const leftClientGone = deferred();
  const upstreams: FakeUpstream[] = [];
  const logged: InferenceLogEntry[] = [];
  const logger = createLogger({ level: 'silent', pretty: false });
  const registry = new Registry();
  const agent = new Agent({ connect: { timeout: 2_000 } });
  /** The test's own client connections to the gateway. */
  const clientAgent = new Agent();
  const routes = createRouteTable({
    load: createRouteSource({
      deployments: {
        all: async () => {
          loadEntered?.();
          if (gate) await gate;
          return [...rows.values()];
        },
      },
    }),
    runtime: (id) => (isRuntimeId(id) ? RUNTIMES[id] : undefined),
    logger,
    now: () => 0,
  });
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  let base = '';

  /** A replica that answered once and is gone now: connections to its port are refused. */
  const replaced = async () => {
    const upstream = await startFakeUpstream();
    await upstream.close();
    return upstream.url;
  };
  const live = async () => {
    const upstream = await startFakeUpstream();
    upstreams.push(upstream);
    return upstream;
  };
  const reloads = async () => {
    const values = (await registry.getSingleMetric('hmas_inference_route_reloads_total')!.get()).values;
    return values.find((value) => value.labels.trigger === 'connect_failure')?.value ?? 0;
  };
  /** Loads the routes with `name` on `before`, then changes its rows to `after` (what the next load reads). */
  const routedTo = async (name: string, before: string[], after: DeploymentRouteRow) => {
    rows.set(name, row(name, before));
    await routes.refresh();
    rows.set(name, after);
  };
  const chat = async (name: string, stream = false, signal?: AbortSignal) => {
    const response = await request(`${base}/api/inference/${name}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: clientAgent,
      ...(signal ? { signal } : {}),
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'hi' }], stream }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, contentType: String(response.headers['content-type']) };
  };

  beforeAll(async () => {
    const gateway = createGateway({
      callers: { resolve: async () => CALLER },
      rateLimiter: createRateLimiter(),
      subjects: () => [],
      routes,
      dispatcher: agent,
      log: { write: (entry) => logged.push(entry) > 0, drain: async () => undefined, dropped: 0 },
      metrics: createGatewayMetrics(registry),
      timeoutMs: 5_000,
    });
    app.addHook('onRequest', async (incoming) => {
      if (incoming.url.startsWith('/api/inference/left/')) incoming.raw.socket.once('close', () => leftClientGone.resolve());
    });
    registerInferenceRoutes(app, { gateway, bodyLimitBytes: 1024 * 1024 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    // The test's client first: its keep-alive connections would hold the gateway's server open.
    await clientAgent.close();
    await app.close();
    await agent.close();
    for (const upstream of upstreams) await upstream.close();
  });

  it('reloads the routes once and answers from the replica they name now', async () => {
    const next = await live();
    await routedTo('moving', [await replaced()], row('moving', [next.url]));
    const before = await reloads();
    const answer = await chat('moving');
    expect(answer.status, answer.text).toBe(200);
    expect(next.received).toHaveLength(1);
    expect(await reloads()).toBe(before + 1);
    expect(logged.at(-1)).toMatchObject({ deploymentName: 'moving', statusCode: 200 });
  });

  it('does the same for a streaming request (nothing had reached the client)', async () => {
    const next = await live();
    await routedTo('moving-stream', [await replaced()], row('moving-stream', [next.url]));
    const before = await reloads();
    const answer = await chat('moving-stream', true);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.contentType).toContain('text/event-stream');
    expect(answer.text).toContain('data: [DONE]');
    expect(await reloads()).toBe(before + 1);
  });

  it('reloads once for a burst of refused requests', async () => {
    const next = await live();
    await routedTo('burst', [await replaced()], row('burst', [next.url]));
    const before = await reloads();
    const answers = await Promise.all(Array.from({ length: 16 }, () => chat('burst')));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 16 }, () => 200));
    expect(next.received).toHaveLength(16);
    expect(await reloads()).toBe(before + 1);
  });

  it('answers 502 UPSTREAM_CONNECT_FAILED when the reloaded routes name no other replica', async () => {
    const gone = await replaced();
    await routedTo('dead', [gone], row('dead', [gone]));
    const before = await reloads();
    const answer = await chat('dead');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'UPSTREAM_CONNECT_FAILED' } });
    expect(await reloads()).toBe(before + 1);
  });

  it('answers what the reloaded routes say when the deployment has no replica any more (502 NO_ENDPOINT, 503 when paused)', async () => {
    await routedTo('emptied', [await replaced()], row('emptied', []));
    const empty = await chat('emptied');
    expect(empty.status).toBe(502);
    expect(JSON.parse(empty.text)).toMatchObject({ error: { code: 'NO_ENDPOINT' } });

    await routedTo('paused', [await replaced()], row('paused', [], { status: 'paused', paused: true }));
    const paused = await chat('paused');
    expect(paused.status).toBe(503);
    expect(JSON.parse(paused.text)).toMatchObject({ error: { code: 'DEPLOYMENT_NOT_RUNNING' } });
  });

  it('finishes as 499 when the client leaves while the routes reload, sending nothing anywhere', async () => {
    const next = await live();
    await routedTo('left', [await replaced()], row('left', [next.url]));
    const entered = deferred();
    const release = deferred();
    loadEntered = () => entered.resolve();
    gate = release.promise;
    const client = new AbortController();
    try {
      const answer = chat('left', false, client.signal).catch((error: unknown) => error);
      await entered.promise;
      client.abort();
      await answer;
      // The reload ends only once the gateway has seen its client leave.
      await leftClientGone.promise;
    } finally {
      gate = undefined;
      loadEntered = undefined;
      release.resolve();
    }
    const entry = await waitFor('the request log entry', async () => logged.find((each) => each.deploymentName === 'left'));
    expect(entry).toMatchObject({ statusCode: 499, errorMessage: expect.stringContaining('client closed') });
    expect(next.received).toHaveLength(0);
  });
});
