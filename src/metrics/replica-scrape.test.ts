import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeReplica } from './replica-scrape.js';

// A real HTTP server standing in for a replica's /metrics: the token, the deadline, the errors.
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/hang') return;
    if (request.url === '/broken') return void response.writeHead(500).end('boom');
    if (request.url === '/huge') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const line = `${'x'.repeat(1023)}\n`;
      for (let i = 0; i < 9 * 1024; i += 1) response.write(line);
      return void response.end();
    }
    if (request.headers.authorization !== 'Bearer replica-token') return void response.writeHead(401).end();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('llamacpp:requests_processing 2\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('scrapeReplica', () => {
  it("sends the replica's token and parses the answer", async () => {
    expect(await scrapeReplica({ url: `${base}/metrics`, authorization: 'Bearer replica-token' }, 2_000)).toEqual([{ name: 'llamacpp:requests_processing', labels: {}, value: 2 }]);
    await expect(scrapeReplica({ url: `${base}/metrics`, authorization: null }, 2_000)).rejects.toThrow('HTTP 401');
  });

  it('gives up at the deadline, and on errors and oversized bodies, with a short cause', async () => {
    await expect(scrapeReplica({ url: `${base}/hang`, authorization: null }, 100)).rejects.toThrow('no answer within 100 ms');
    await expect(scrapeReplica({ url: `${base}/broken`, authorization: null }, 2_000)).rejects.toThrow('HTTP 500');
    await expect(scrapeReplica({ url: `${base}/huge`, authorization: null }, 5_000)).rejects.toThrow('larger than');
  });
});
