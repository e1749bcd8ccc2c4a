// How slowly a client may send a request: raw sockets against the listening server. The limits
// are Node's HTTP server's own (no database involved), so this runs on PGlite only.
import net from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;
/** Far beyond the limits (and Node's check interval): a connection still open then was not cut. */
const GENEROUS_BOUND_MS = 20_000;

interface Trickle {
  /** Everything the server sent back. */
  received: string;
  /** Whether the server closed the connection before the generous bound. */
  closedByServer: boolean;
}

/**
 * Opens a raw connection, sends `head` at once, then one byte of `rest` every 50 ms (looping over
 * it) until the server hangs up or the generous bound passes.
 */
function trickle(port: number, head: string, rest: string): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let index = 0;
    let sending: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(sending);
      socket.destroy();
      resolve({ received, closedByServer: false });
    }, GENEROUS_BOUND_MS);
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset while we were still writing is the server hanging up too.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearInterval(sending);
      clearTimeout(giveUp);
      resolve({ received, closedByServer: true });
    });
    socket.on('connect', () => {
      socket.write(head);
      sending = setInterval(() => {
        if (!socket.writable) return;
        socket.write(rest[index % rest.length]!);
        index += 1;
      }, 50);
    });
  });
}

describe('request timeouts (pglite)', { timeout: 60_000 }, () => {
  let t: TestApp;
  let port: number;
  let upstream: FakeUpstream;
  let served: { remove(): Promise<void> } | undefined;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    t = await createTestApp('pglite', {
      HMAS_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HMAS_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HMAS_RATE_LIMIT_RPM: '0',
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    port = address.port;
    served = await insertServedDeployment(t.database.handle, 'slow', [upstream.url.replace(/\/v1$/, '')]);
  });
  afterAll(async () => {
    await served?.remove();
    await t?.close();
    await upstream?.close();
  });

  it('cuts a sign-in whose headers trickle in a byte at a time (slow-loris) with 408', async () => {
    const result = await trickle(port, 'POST /api/auth/login HTTP/1.1\r\nHost: hmas\r\n', 'X-Padding: aaaaaaaaaaaaaaaaaaaaaaaa\r\n');
    expect(result.closedByServer).toBe(true);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts a sign-in whose body trickles in a byte at a time with 408', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(400) });
    const head = `POST /api/auth/login HTTP/1.1\r\nHost: hmas\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const result = await trickle(port, head, body);
    expect(result.closedByServer).toBe(true);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that sends nothing at all', async () => {
    const result = await trickle(port, '', ' ');
    expect(result.closedByServer).toBe(true);
  });

  it('does not cut an inference stream that lasts far longer than the request limits', async () => {
    const stream = upstream.slowStream('long');
    const response = await request(`http://127.0.0.1:${port}/api/inference/slow/v1/chat/completions?fake=slow-stream&id=long`, {
      method: 'POST',
      headers: { ...(await t.admin()), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.statusCode).toBe(200);
    const iterator = response.body[Symbol.asyncIterator]();
    let text = '';
    // The upstream pings every 200 ms: 25 pings are 5 s, several times the request limit.
    while ((text.match(/: ping/g) ?? []).length < 25) {
      const next = await iterator.next();
      if (next.done) throw new Error(`the stream ended early: ${text}`);
      text += String(next.value);
    }
    stream.release();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += String(next.value);
    expect(text).toContain('second');
    expect(text).toContain('data: [DONE]');
  });

  it('keeps answering ordinary requests', async () => {
    const response = await request(`http://127.0.0.1:${port}/healthz`);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  });
});

describe('request timeout settings', () => {
  it('refuses a headers limit above the request limit, and an idle limit within the gateway timeout', () => {
    expect(() => loadConfig({ HMAS_HTTP_HEADERS_TIMEOUT_MS: '5000', HMAS_HTTP_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/HMAS_HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HMAS_HTTP_IDLE_TIMEOUT_MS: '60000', HMAS_GATEWAY_TIMEOUT_MS: '300000' })).toThrow(/HMAS_HTTP_IDLE_TIMEOUT_MS/);
    expect(loadConfig({ HMAS_HTTP_IDLE_TIMEOUT_MS: '600000' }).http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000, idleTimeoutMs: 600_000 });
  });
});
