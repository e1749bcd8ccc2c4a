import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusClient, parseSampleValue, PrometheusTimeoutError, PrometheusUnavailableError } from './prometheus-client.js';

// The client's failure edges against a real HTTP server that misbehaves on purpose; the happy
// path against a real Prometheus is in test/integration/prometheus-*.test.ts.
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

interface Seen {
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

async function serve(handler: (request: IncomingMessage, response: ServerResponse, seen: Seen) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { path: request.url ?? '', authorization: request.headers.authorization, form: new URLSearchParams(body) };
      seen.push(entry);
      handler(request, response, entry);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const json = (response: ServerResponse, status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('Prometheus client', () => {
  it('sends the query with the bearer token and reads a vector, NaN as null', async () => {
    const { url, seen } = await serve((_request, response) =>
      json(response, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { deployment: 'a' }, value: [1700000000, '2.5'] }, { metric: { deployment: 'b' }, value: [1700000000, 'NaN'] }] },
      }),
    );
    const client = createPrometheusClient({ url: `${url}/`, auth: { kind: 'bearer', token: 'tok' }, timeoutMs: 2000 });
    const samples = await client.query('sum by (deployment) (rate(x[1m]))', new Date(1_700_000_000_000));
    expect(samples).toEqual([
      { labels: { deployment: 'a' }, value: 2.5, at: 1700000000 },
      { labels: { deployment: 'b' }, value: null, at: 1700000000 },
    ]);
    expect(seen[0]).toMatchObject({ path: '/api/v1/query', authorization: 'Bearer tok' });
    expect(seen[0]!.form.get('query')).toBe('sum by (deployment) (rate(x[1m]))');
    expect(seen[0]!.form.get('time')).toBe('1700000000.000');
  });

  it('sends basic auth and reads a matrix for a range query', async () => {
    const { url, seen } = await serve((_request, response) =>
      json(response, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1'], [31, '+Inf']] }] } }),
    );
    const client = createPrometheusClient({ url, auth: { kind: 'basic', username: 'u', password: 'p' }, timeoutMs: 2000 });
    const series = await client.queryRange('up', { start: new Date(1000), end: new Date(31_000), stepSeconds: 30 });
    expect(series).toEqual([{ labels: {}, points: [[1, 1], [31, null]] }]);
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(seen[0]!.form.get('step')).toBe('30s');
  });

  it('answers 504 PROMETHEUS_TIMEOUT when Prometheus is slow', async () => {
    const { url } = await serve(() => undefined); // never answers
    const client = createPrometheusClient({ url, timeoutMs: 200 });
    await expect(client.query('up')).rejects.toBeInstanceOf(PrometheusTimeoutError);
    await expect(client.query('up')).rejects.toMatchObject({ statusCode: 504, code: 'PROMETHEUS_TIMEOUT' });
  });

  it('answers 503 PROMETHEUS_UNAVAILABLE with the cause: refused, wrong server, refused credentials, a query error', async () => {
    const closed = createPrometheusClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(closed.query('up')).rejects.toMatchObject({ statusCode: 503, code: 'PROMETHEUS_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });

    const answers = [
      (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>grafana</html>'),
      (response: ServerResponse) => response.writeHead(401).end(),
      (response: ServerResponse) => json(response, 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }),
    ];
    let next = 0;
    const { url } = await serve((_request, response) => answers[next++]!(response));
    const client = createPrometheusClient({ url, auth: { kind: 'bearer', token: 'secret-token' }, timeoutMs: 2000 });
    const failures = [await client.query('up').catch((e: unknown) => e), await client.query('up').catch((e: unknown) => e), await client.query('up(').catch((e: unknown) => e)];
    for (const failure of failures) expect(failure).toBeInstanceOf(PrometheusUnavailableError);
    expect((failures[0] as Error).message).toContain('not the Prometheus API');
    expect((failures[1] as Error).message).toContain('refused H-MAS');
    expect((failures[2] as Error).message).toContain('parse error at char 3');
    for (const failure of failures) expect((failure as Error).message).not.toContain('secret-token');
  });

  it('keeps credentials in a URL out of the error it gives', async () => {
    const client = createPrometheusClient({ url: 'http://user:hunter2@127.0.0.1:1', timeoutMs: 2000 });
    const failure = (await client.query('up').catch((e: unknown) => e)) as Error;
    expect(failure).toBeInstanceOf(PrometheusUnavailableError);
    expect(failure.message).not.toContain('hunter2');
  });

  it('reads values as numbers or null', () => {
    expect([parseSampleValue('1e3'), parseSampleValue('NaN'), parseSampleValue('-Inf'), parseSampleValue('0')]).toEqual([1000, null, null, 0]);
  });
});
