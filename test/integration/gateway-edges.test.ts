import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceLogEntryView } from '../../src/domain/inference-log.js';
import { DEFAULT_COMPLETION_TOKENS } from '../../src/gateway/usage/completion-cap.js';
import { readOpenAiBody } from '../../src/gateway/usage/request-body.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { deferred, type Deferred } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** What a chat body without max_tokens reserves under a large TPM limit: its prompt bound plus the default completion. */
const reservationOf = (body: string) => readOpenAiBody(Buffer.from(body), 'chat').promptBound + DEFAULT_COMPLETION_TOKENS;

// The gateway against an upstream and clients that misbehave on cue: connections that die in odd
// places, answers cut short, upstreams that go quiet, clients that stop reading. Each case checks
// what the client sees and that the request is accounted for exactly once (log entry, active
// requests gauge, rate-limit reservation). Routing is in memory, so PGlite alone is enough here.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** One upstream whose answer per path (`/v1/<deployment>/...`) the test sets. */
async function startScriptedUpstream() {
  const handlers = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '').split('/')[2] ?? '';
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const handler = handlers.get(name);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    /** The base URL a deployment named `name` uses: its requests arrive as `/v1/<name>/...`. */
    urlFor: (name: string) => `http://127.0.0.1:${port}/v1/${name}/v1`,
    handle: (name: string, handler: Handler) => handlers.set(name, handler),
    hits: (name: string) => hits.get(name) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SSE_EVENT = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'x' } }] })}\n\n`;
const USAGE_EVENT = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } })}\n\n`;

describe('inference gateway: connections that misbehave', { timeout: 30_000 }, () => {
  let t: TestApp;
  let port: number;
  let admin: { authorization: string };
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
  const served: Array<{ remove(): Promise<void> }> = [];

  /** Each test's deployment exists from the start (the route table reloads at most every few seconds); the test sets its upstream's answer. */
  const DEPLOYMENTS = ['pipelined', 'quiet', 'half-line', 'short', 'backpressure', 'gzip-stream', 'absolute-form'];
  const deploy = async (name: string, handler: Handler) => {
    expect(DEPLOYMENTS).toContain(name);
    upstream.handle(name, handler);
  };
  const logsOf = async (deployment: string): Promise<InferenceLogEntryView[]> => {
    const response = await t.app.inject({ method: 'GET', url: `/api/inference-logs?deployment=${deployment}&limit=100`, headers: admin });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: InferenceLogEntryView[] }>().items;
  };
  const activeRequests = async (deployment: string): Promise<number> => {
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = metrics.split('\n').find((entry) => entry.startsWith(`hmas_inference_active_requests{deployment="${deployment}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  /** The TPM the key has left: reservations not settled count against it. */
  const tpmRemaining = async (keyId: string): Promise<number | undefined> => {
    const response = await t.app.inject({ method: 'GET', url: '/api/rate-limits', headers: admin });
    const subject = response.json<{ subjects: Array<{ id: string; usage: { tpm: { remaining: number } | null } }> }>().subjects.find((entry) => entry.id === keyId);
    return subject?.usage.tpm?.remaining;
  };

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_INFERENCE_LOG_FLUSH_MS: '50', HMAS_GATEWAY_TIMEOUT_MS: '1000', HMAS_RATE_LIMIT_RPM: '0' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    admin = await t.admin();
    upstream = await startScriptedUpstream();
    for (const name of DEPLOYMENTS) served.push(await insertServedDeployment(t.database.handle, name, [upstream.urlFor(name)]));
  });
  afterAll(async () => {
    for (const deployment of served) await deployment.remove();
    await t?.close();
    await upstream?.close();
  });

  it('finishes a pipelined request whose connection closes while it waits its turn', async () => {
    // An endless stream: only a hang-up on the gateway's side ends it.
    const closed: Array<Deferred> = [];
    await deploy('pipelined', (req, res) => {
      const gone = deferred();
      closed.push(gone);
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Usage first: even so, a stream cut before its end is charged its reservation (the runtime may have gone on).
      res.write(`${SSE_EVENT}${USAGE_EVENT}`);
      const ping = setInterval(() => res.write(': ping\n\n'), 50);
      res.on('close', () => {
        clearInterval(ping);
        gone.resolve();
      });
    });
    const { key, id } = await t.apiKey({ name: 'pipelined', tpm: 100_000 });
    const body = JSON.stringify({ model: 'pipelined', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const one = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Two requests at once on one connection: the second one's answer queues behind the first.
    socket.write(one + one);
    socket.resume();
    await waitFor('both requests upstream', async () => (upstream.hits('pipelined') === 2 ? true : undefined));
    socket.destroy();

    // Both upstream requests are aborted, both are logged, nothing stays reserved, and each is
    // charged its reservation: the outcome is unknown.
    await Promise.all(closed.map((gone) => gone.promise));
    const entries = await waitFor('two log entries', async () => {
      const found = await logsOf('pipelined');
      return found.length === 2 ? found : undefined;
    });
    for (const entry of entries) expect(entry.errorMessage).toContain('client closed');
    expect(await activeRequests('pipelined')).toBe(0);
    expect(await tpmRemaining(id)).toBe(100_000 - 2 * reservationOf(body));
  });

  it('logs requests whose error text holds NUL or a lone surrogate, and keeps logging after them', async () => {
    // The 404 message quotes the model: text PostgreSQL cannot store must not poison the batch.
    const ids: string[] = [];
    for (const payload of ['{"model":"nul\\u0000model"}', '{"model":"lone\\ud800surrogate"}', '{"model":"plain-missing-model"}']) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...admin, 'content-type': 'application/json' }, payload });
      expect(response.statusCode).toBe(404);
      ids.push(String(response.headers['x-request-id']));
    }
    const entries = await waitFor('the three log entries', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/inference-logs?statusCode=404&limit=100', headers: admin });
      const items = response.json<{ items: InferenceLogEntryView[] }>().items.filter((entry) => ids.includes(entry.requestId));
      return items.length === 3 ? items : undefined;
    });
    const messages = entries.map((entry) => entry.errorMessage ?? '');
    expect(messages.find((message) => message.includes('nul'))).toContain('nul\ufffdmodel');
    expect(messages.find((message) => message.includes('lone'))).toContain('lone\ufffdsurrogate');
  });

  it('ends a stream whose upstream goes quiet with an error event, and accounts for it once', async () => {
    await deploy('quiet', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`${SSE_EVENT}${USAGE_EVENT}`);
      // Then nothing: the gateway's timeout (1 s here) ends it.
    });
    const { key, id } = await t.apiKey({ name: 'quiet', tpm: 100_000 });
    const response = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'quiet', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.statusCode).toBe(200);
    const text = await response.body.text();
    // The content event, not the usage chunk the client did not ask for, then the error.
    expect(text.startsWith(SSE_EVENT)).toBe(true);
    expect(text).not.toContain('"usage"');
    const error = text.slice(SSE_EVENT.length);
    expect(error).toMatch(/^data: \{"error":\{.*"code":"UPSTREAM_ERROR".*\}\n\n$/);
    const [entry] = await waitFor('the log entry', async () => {
      const found = await logsOf('quiet');
      return found.length > 0 ? found : undefined;
    });
    expect(entry).toMatchObject({ statusCode: 200, streaming: true, promptTokens: 2, completionTokens: 3, errorMessage: expect.stringContaining('UPSTREAM_ERROR') });
    expect(await activeRequests('quiet')).toBe(0);
    // Cut by the timeout: charged its reservation, not the usage seen so far.
    expect(await tpmRemaining(id)).toBe(100_000 - reservationOf(JSON.stringify({ model: 'quiet', stream: true, messages: [{ role: 'user', content: 'Hi' }] })));
  });

  it('starts the error event on its own lines when the upstream goes quiet mid-line', async () => {
    await deploy('half-line', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`${SSE_EVENT}data: {"choices":[{"delta":{"content":"cut`);
    });
    const response = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      // include_usage set by the client: nothing is filtered, bytes pass as they come.
      body: JSON.stringify({ model: 'half-line', stream: true, stream_options: { include_usage: true }, messages: [] }),
    });
    const text = await response.body.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toMatch(/^data: \{"error":\{.*"code":"UPSTREAM_ERROR"/);
    expect(JSON.parse(events.at(-1)!.slice('data: '.length))).toMatchObject({ error: { code: 'UPSTREAM_ERROR' } });
  });

  it('charges a listing no tokens: GET /v1/models leaves the TPM window empty', async () => {
    const { key, id } = await t.apiKey({ name: 'lister', tpm: 3 });
    for (let call = 0; call < 5; call += 1) {
      const response = await request(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    }
    expect(await tpmRemaining(id)).toBe(3);
  });

  it('destroys an answer whose upstream closes before its Content-Length, rather than end it as complete', async () => {
    await deploy('short', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"x","choices":[');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const response = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'short', messages: [] }),
    });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    const [entry] = await waitFor('the log entry', async () => {
      const found = await logsOf('short');
      return found.length > 0 ? found : undefined;
    });
    expect(entry).toMatchObject({ statusCode: 200, errorMessage: expect.stringContaining('UPSTREAM_ERROR') });
    expect(await activeRequests('short')).toBe(0);
  });

  it('pauses the upstream while a client does not read (no unbounded buffering), and aborts it when the client leaves', async () => {
    const stopped = deferred<number>();
    const gone = deferred();
    const piece = Buffer.alloc(64 * 1024, 'x');
    await deploy('backpressure', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let written = 0;
      // Writes as fast as the gateway takes it; stops when the gateway stops reading.
      const pump = () => {
        while (written < 512 * 1024 * 1024) {
          written += piece.length;
          if (!res.write(piece)) {
            const timer = setTimeout(() => stopped.resolve(written), 500);
            res.once('drain', () => {
              clearTimeout(timer);
              pump();
            });
            return;
          }
        }
        res.end();
      };
      res.on('close', () => gone.resolve());
      pump();
    });
    // node:http without an agent: the connection is this request's alone, and goes with it.
    const sent = http.request(`http://127.0.0.1:${port}/api/inference/backpressure/v1/models`, { headers: admin, agent: false });
    sent.on('error', () => undefined);
    sent.end();
    const response = await new Promise<http.IncomingMessage>((resolve) => sent.once('response', resolve));
    expect(response.statusCode).toBe(200);
    // The client reads nothing: within a few socket buffers the upstream must be held back.
    response.pause();
    const written = await stopped.promise;
    expect(written).toBeLessThan(64 * 1024 * 1024);
    sent.destroy();
    await gone.promise;
    const [entry] = await waitFor('the log entry', async () => {
      const found = await logsOf('backpressure');
      return found.length > 0 ? found : undefined;
    });
    expect(entry).toMatchObject({ statusCode: 200, errorMessage: expect.stringContaining('client closed') });
    expect(await activeRequests('backpressure')).toBe(0);
  });

  it('passes a stream compressed against its wishes through untouched, chunk by chunk', async () => {
    // The gateway asks for identity; an upstream that compresses anyway must not be held back
    // by the usage filter (which cannot read compressed bytes).
    const release = deferred();
    const first = gzipSync(SSE_EVENT);
    const rest = gzipSync(`${USAGE_EVENT}data: [DONE]\n\n`);
    await deploy('gzip-stream', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.write(first);
      void release.promise.then(() => res.end(rest));
    });
    const sent = http.request(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, agent: false });
    sent.end(JSON.stringify({ model: 'gzip-stream', stream: true, messages: [{ role: 'user', content: 'Hi' }] }));
    const response = await new Promise<http.IncomingMessage>((resolve) => sent.once('response', resolve));
    expect(response.headers['content-encoding']).toBe('gzip');
    const received: Buffer[] = [];
    // The first member arrives while the upstream still waits.
    await new Promise<void>((resolve) => {
      response.on('data', (part: Buffer) => {
        received.push(part);
        if (Buffer.concat(received).length >= first.length) resolve();
      });
    });
    release.resolve();
    await new Promise((resolve) => response.once('end', resolve));
    expect(Buffer.concat(received).equals(Buffer.concat([first, rest]))).toBe(true);
    expect(gunzipSync(Buffer.concat(received)).toString()).toBe(`${SSE_EVENT}${USAGE_EVENT}data: [DONE]\n\n`);
  });

  it('routes and forwards an absolute-form request target (POST http://host/path) by its path', async () => {
    const paths: string[] = [];
    await deploy('absolute-form', (req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const body = JSON.stringify({ model: 'absolute-form', messages: [{ role: 'user', content: 'Hi' }] });
    /** One request on its own connection, written as HTTP/1.1 text; resolves with the status line and body. */
    const send = async (target: string, headers: string, payload = '') => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (part: Buffer) => (text += part.toString('latin1')));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(`${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n${headers}content-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
      await closed;
      return { status: text.slice(0, text.indexOf('\r\n')), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
    };
    const json = `authorization: ${admin.authorization}\r\ncontent-type: application/json\r\n`;

    const byName = await send('POST http://elsewhere.example/api/inference/absolute-form/v1/chat/completions?trace=1', json, body);
    expect(byName.status).toBe('HTTP/1.1 200 OK');
    const byModel = await send('POST http://elsewhere.example/v1/chat/completions', json, body);
    expect(byModel.status).toBe('HTTP/1.1 200 OK');
    // The deployment's base URL is /v1/absolute-form/v1: the runtime sees only paths under it.
    expect(paths).toEqual(['/v1/absolute-form/v1/chat/completions?trace=1', '/v1/absolute-form/v1/chat/completions']);
    const entries = await waitFor('two log entries', async () => {
      const found = await logsOf('absolute-form');
      return found.length === 2 ? found : undefined;
    });
    expect(entries.map((entry) => entry.path).sort()).toEqual(['/api/inference/absolute-form/v1/chat/completions', '/v1/chat/completions']);

    // The control API routes it the same way, and its errors keep their shapes.
    const list = await send('GET http://elsewhere.example/api/deployments?limit=1', `authorization: ${admin.authorization}\r\n`);
    expect(list.status).toBe('HTTP/1.1 200 OK');
    const missing = await send('GET http://elsewhere.example/v1/models/no-such-model', `authorization: ${admin.authorization}\r\n`);
    expect(missing.status).toBe('HTTP/1.1 404 Not Found');
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'DEPLOYMENT_NOT_FOUND', param: null } });
  });
});
