// A stand-in for a serving runtime's OpenAI API, for gateway tests: it answers like vLLM or
// llama-server (usage in JSON answers; SSE chunks, and with `stream_options.include_usage` a last
// chunk with empty `choices` and the usage), records what it received, and misbehaves on
// purpose when the query says so, on any path (the gateway forwards only inference paths) —
// `?fake=slow-stream&id=ID`, a stream that waits for the test between chunks; `?fake=hang`, an
// answer that never comes. Real runtimes are tested against the gateway too (the embedded runtime); this fake only
// covers what a real one cannot be made to do on cue.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** `?fake=slow-stream&id=ID`: its first chunk at once, then SSE comments every 200 ms until released. */
export interface SlowStream {
  release(): void;
  /** Resolves when the client of this stream went away before its end. */
  aborted: Promise<void>;
}

export interface FakeUpstream {
  /** Base URL of its OpenAI API: `http://127.0.0.1:PORT/v1`. */
  url: string;
  received: ReceivedRequest[];
  /** The slow stream of this id (the request may come before or after). */
  slowStream(id: string): SlowStream;
  close(): Promise<void>;
}

export const FAKE_USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

function chunk(content: string, withUsageField: boolean): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...(withUsageField ? { usage: null } : {}) })}\n\n`;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  const slow = new Map<string, { release: Deferred; aborted: Deferred }>();
  const slowStream = (id: string) => {
    let entry = slow.get(id);
    if (!entry) {
      entry = { release: deferred(), aborted: deferred() };
      slow.set(id, entry);
    }
    return entry;
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const [path = '', query = ''] = (req.url ?? '').split('?');
      const params = new URLSearchParams(query);

      if (params.get('fake') === 'hang') return;
      if (params.get('fake') === 'slow-stream') {
        const stream = slowStream(params.get('id') ?? '');
        // Comments keep the connection busy, so no idle timeout can end it: only the client can.
        const ping = setInterval(() => res.write(': ping\n\n'), 200);
        res.on('close', () => {
          clearInterval(ping);
          if (!res.writableFinished) stream.aborted.resolve();
        });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk('first', false));
        void stream.release.promise.then(() => {
          if (res.destroyed) return;
          clearInterval(ping);
          res.write(chunk('second', false));
          res.end('data: [DONE]\n\n');
        });
        return;
      }
      if (path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json', 'proxy-authenticate': 'Basic realm="upstream"', 'x-upstream': 'fake' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake', object: 'model' }] }));
        return;
      }
      if (path === '/v1/chat/completions' || path === '/v1/completions' || path === '/v1/embeddings') {
        let parsed: { stream?: boolean; stream_options?: { include_usage?: boolean }; model?: string } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'bad json', type: 'invalid_request_error', code: null } }));
          return;
        }
        if (parsed.stream) {
          const withUsage = parsed.stream_options?.include_usage === true;
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.write(chunk('Hello', withUsage));
          res.write(chunk(' world', withUsage));
          if (withUsage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: FAKE_USAGE })}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: parsed.model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop' }], usage: FAKE_USAGE }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error', code: 'unknown_url' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    slowStream(id) {
      const entry = slowStream(id);
      return { release: () => entry.release.resolve(), aborted: entry.aborted.promise };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A base URL where nothing listens: connections are refused. */
export async function refusingUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
