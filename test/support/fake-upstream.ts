// A stand-in for a serving runtime's OpenAI API, for gateway tests: it answers like vLLM or
// llama-server (usage in JSON answers; SSE chunks, and with `stream_options.include_usage` a last
// chunk with empty `choices` and the usage), records what it received, and misbehaves on
// purpose when the query says so, on any path (the gateway forwards only inference paths) —
// `?fake=slow-stream&id=ID`, a stream that waits for the test between chunks; `?fake=hang`, an
// answer that never comes. Real runtimes are tested against the gateway too (the embedded runtime); this fake only
// covers what a real one cannot be made to do on cue.
//
// With `{ realistic: true }` it counts and generates like a runtime, so tests can measure real
// usage at the runtime rather than trusting the gateway: prompt tokens by a tokenizer-like rule
// that can exceed four characters a token (one token per UTF-8 byte of each message's text, plus
// template tokens), completions of exactly `max_tokens` one-byte tokens (read first, as llama.cpp
// does; then `max_completion_tokens`; 0, negative, or absent = UNLIMITED_COMPLETION), streamed in
// chunks until done or the client goes away. It stays honest: every token it generates is in
// `generated`, and the `usage` it reports (when it reports any) equals what it generated.
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

/** Tokens a realistic fake processed for one request. */
export interface GeneratedTokens {
  prompt: number;
  completion: number;
  /** It stopped generating: answered, or its client went away. */
  done: boolean;
}

/** What a realistic fake generates when nothing limits it: far more than any test's TPM. */
export const UNLIMITED_COMPLETION = 3000;
/** Tokens per streamed chunk of a realistic fake. */
const TOKENS_PER_CHUNK = 25;

export interface FakeUpstream {
  /** Base URL of its OpenAI API: `http://127.0.0.1:PORT/v1`. */
  url: string;
  received: ReceivedRequest[];
  /** Realistic mode: the tokens each request really used, as it used them (a stream's grow as it runs). */
  generated: GeneratedTokens[];
  /** Realistic mode: the sum over `generated`. */
  tokensUsed(): number;
  /** The slow stream of this id (the request may come before or after). */
  slowStream(id: string): SlowStream;
  close(): Promise<void>;
}

export const FAKE_USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

function chunk(content: string, withUsageField: boolean): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...(withUsageField ? { usage: null } : {}) })}\n\n`;
}

function utf8Bytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.reduce<number>((sum, part) => sum + (typeof part === 'number' ? 1 : utf8Bytes(typeof part === 'object' && part ? (part as { text?: unknown }).text : part)), 0);
  return 0;
}

/** A byte-level tokenizer with a ChatML-like template: 4 tokens around each message, 3 for the request. */
function promptTokensOf(body: Record<string, unknown>): number {
  if (Array.isArray(body.messages)) {
    return 3 + body.messages.reduce<number>((sum, message) => sum + 4 + utf8Bytes((message as { content?: unknown } | null)?.content), 0);
  }
  return 1 + utf8Bytes(body.prompt ?? body.input);
}

function completionLimitOf(body: Record<string, unknown>): number {
  const max = body.max_tokens ?? body.max_completion_tokens;
  return typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : UNLIMITED_COMPLETION;
}

/** Answers like a runtime that counts what it does (see the top of this file). */
function serveRealistic(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Record<string, unknown>, generated: GeneratedTokens[]): void {
  const record: GeneratedTokens = { prompt: promptTokensOf(body), completion: 0, done: false };
  generated.push(record);
  const usage = () => ({ prompt_tokens: record.prompt, completion_tokens: record.completion, total_tokens: record.prompt + record.completion });
  if (path === '/v1/embeddings') {
    record.done = true;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: record.prompt, total_tokens: record.prompt } }));
    return;
  }
  const limit = completionLimitOf(body);
  const chat = path === '/v1/chat/completions';
  // `x-fake-hang`: generate everything, then never answer (a gateway timeout after generation).
  if (req.headers['x-fake-hang'] !== undefined) {
    record.completion = limit;
    record.done = true;
    return;
  }
  res.on('close', () => (record.done = true));
  const reportUsage = req.headers['x-fake-no-usage'] === undefined;
  if (body.stream !== true) {
    record.completion = limit;
    const choice = chat ? { index: 0, message: { role: 'assistant', content: 'x'.repeat(limit) }, finish_reason: 'length' } : { index: 0, text: 'x'.repeat(limit), finish_reason: 'length' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'cmpl-1', object: chat ? 'chat.completion' : 'text_completion', choices: [choice], ...(reportUsage ? { usage: usage() } : {}) }));
    return;
  }
  const withUsage = reportUsage && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let gone = false;
  res.on('close', () => (gone = true));
  const next = () => {
    if (gone) return;
    if (record.completion >= limit) {
      if (withUsage) res.write(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [], usage: usage() })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    const count = Math.min(TOKENS_PER_CHUNK, limit - record.completion);
    record.completion += count;
    const text = 'x'.repeat(count);
    const choice = chat ? { index: 0, delta: { content: text }, finish_reason: null } : { index: 0, text, finish_reason: null };
    res.write(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [choice] })}\n\n`);
    setImmediate(next);
  };
  next();
}

export async function startFakeUpstream(options: { realistic?: boolean } = {}): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  const generated: GeneratedTokens[] = [];
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
        if (options.realistic) return serveRealistic(req, res, path, parsed as Record<string, unknown>, generated);
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
    generated,
    tokensUsed: () => generated.reduce((sum, entry) => sum + entry.prompt + entry.completion, 0),
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
