import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// `/api/inference/:name/*` reaches only the runtime's inference paths. Requests go over a raw
// socket, so each request target reaches the gateway exactly as written (no client normalises
// it), and the fake upstream records the path it received: a refused request must reach it not
// at all. Routing is in memory, so PGlite alone is enough here.

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Sends one request with `target` as the request line's target, byte for byte. */
function rawRequest(port: number, method: string, target: string, headers: Record<string, string>, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    socket.on('data', (part: Buffer) => parts.push(part));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body: split === -1 ? '' : text.slice(split + 4) });
    });
    const lines = [`${method} ${target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', `content-length: ${Buffer.byteLength(body)}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    // Not end(): a half-closed connection reads as a client that went away. The server closes it.
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

describe('inference gateway: only inference paths reach a runtime', { timeout: 60_000 }, () => {
  let t: TestApp;
  let port: number;
  let upstream: FakeUpstream;
  let headers: Record<string, string>;
  let deployment: { remove(): Promise<void> };

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_RATE_LIMIT_RPM: '0' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    upstream = await startFakeUpstream();
    deployment = await insertServedDeployment(t.database.handle, 'paths', [upstream.url], { runtime: 'llamacpp' });
    headers = { ...(await t.admin()), 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await deployment?.remove();
    await t?.close();
    await upstream?.close();
  });

  it('forwards an allowed path with its query exactly as sent, without the caller’s credentials', async () => {
    const before = upstream.received.length;
    const answer = await rawRequest(port, 'POST', '/api/inference/paths/v1/chat/completions?x=%2e%2e/metrics', headers, JSON.stringify({ model: 'paths', messages: [] }));
    expect(answer.status, answer.body).toBe(200);
    expect(upstream.received.slice(before).map((received) => received.url)).toEqual(['/v1/chat/completions?x=%2e%2e/metrics']);
    expect(upstream.received.at(-1)!.headers.authorization).toBeUndefined();
    const models = await rawRequest(port, 'GET', '/api/inference/paths/v1/models', headers);
    expect(models.status).toBe(200);
    expect(upstream.received.at(-1)!.url).toBe('/v1/models');
  });

  it('answers 405 with Allow for an allowed path and another method, and forwards nothing', async () => {
    const before = upstream.received.length;
    const answer = await rawRequest(port, 'GET', '/api/inference/paths/v1/chat/completions', headers);
    expect(answer.status).toBe(405);
    expect(answer.headers).toContain('allow: post');
    expect(JSON.parse(answer.body)).toEqual({ error: { message: expect.stringContaining('POST'), type: 'invalid_request_error', code: 'METHOD_NOT_ALLOWED', param: null } });
    expect(upstream.received.length).toBe(before);
  });

  const attempts: Array<[string, string]> = [
    ['GET', '/metrics'],
    ['GET', '/health'],
    ['GET', '/slots'],
    ['POST', '/slots/0?action=save'],
    ['POST', '/slots/0?action=erase'],
    ['POST', '/props'],
    ['POST', '/lora-adapters'],
    ['GET', '/v1/../metrics'],
    ['GET', '/v1/models/../../metrics'],
    ['GET', '/v1/%2e%2e/metrics'],
    ['GET', '/v1/%2E%2E/metrics'],
    ['GET', '/v1/.%2e/metrics'],
    ['GET', '/v1/models/..%2F..%2Fmetrics'],
    ['POST', '/v1%2Fchat%2Fcompletions'],
    ['POST', '/v1/chat%2fcompletions'],
    ['POST', '/v1/chat/%63ompletions'],
    ['POST', '//v1/chat/completions'],
    ['POST', '/v1//chat/completions'],
    ['POST', '/v1/chat/completions/'],
    ['POST', '/v1/chat/completions/..'],
    ['POST', '/v1/./chat/completions'],
    ['GET', '/./metrics'],
    ['GET', '/%2e/metrics'],
    ['POST', '/V1/CHAT/COMPLETIONS'],
    ['POST', '/v1/Chat/Completions'],
    ['POST', '/v1/chat/completions;jsessionid=x'],
    ['POST', '/v1/chat/completions;/../../slots/0'],
    ['POST', '/v1/chat/completions%3B'],
    ['POST', '/v1/chat/completions%00'],
    ['POST', '/v1/chat/completions%20'],
    ['POST', '/v1/chat/completions%23'],
    ['POST', '/v1\\chat\\completions'],
    ['GET', '/v1\\..\\metrics'],
    ['POST', '/v1/chat/completions.json'],
    ['POST', '/v1/chat/completions/x'],
    ['POST', '/completion/../slots/0?action=restore'],
  ];

  it.each(attempts)('refuses %s %s before it reaches the runtime', async (method, path) => {
    const before = upstream.received.length;
    const answer = await rawRequest(port, method, `/api/inference/paths${path}`, headers, method === 'POST' ? '{}' : '');
    // Node's HTTP parser refuses some targets itself (400); everything it accepts is the gateway's 404.
    expect([400, 404], answer.body).toContain(answer.status);
    if (answer.status === 404) {
      expect(JSON.parse(answer.body)).toEqual({ error: { message: expect.any(String), type: 'not_found_error', code: 'PATH_NOT_ALLOWED', param: null } });
    }
    expect(upstream.received.slice(before).map((received) => received.url)).toEqual([]);
  });

  it('refuses a deployment name that smuggles a path in, and forwards nothing', async () => {
    const before = upstream.received.length;
    for (const target of ['/api/inference/paths%2F..%2Fmetrics/v1/models', '/api/inference/paths%2Fmetrics/v1/models', '/api/inference/..%2Fpaths/metrics']) {
      const answer = await rawRequest(port, 'GET', target, headers);
      expect([400, 404], `${target}: ${answer.body}`).toContain(answer.status);
    }
    expect(upstream.received.length).toBe(before);
  });
});
