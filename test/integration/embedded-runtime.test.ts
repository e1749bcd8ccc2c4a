import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGgufFile } from '../../src/services/models/gguf-reader.js';
import { READY_LINE_PREFIX } from '../../src/runtimes/embedded/run-llama.js';
import type { RuntimeServer, RuntimeServerOptions } from '../../src/runtimes/embedded/runtime-server.js';
import { assertBuilt, CLI_PATH } from '../support/cli-process.js';
import { startTestRuntimeServer } from '../support/test-runtime-server.js';
import { buildTinyModel, TINY_MODEL_ANSWER, TINY_MODEL_ANSWER_TOKENS, writeTinyModel } from '../support/tiny-model.js';

// The embedded llama.cpp runtime with the generated tiny model: real node-llama-cpp, real HTTP.
// One thread per context: the machine's two cores are shared with other suites.

let dir: string;
let chatModel: string;
let endlessModel: string;
const servers: RuntimeServer[] = [];

async function startServer(modelPath: string, options: Partial<RuntimeServerOptions> = {}): Promise<RuntimeServer> {
  const server = await startTestRuntimeServer(modelPath, options);
  servers.push(server);
  await server.loaded;
  return server;
}

function post(server: RuntimeServer, route: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Reads an SSE response; `onEvent` sees each `data:` payload as it arrives. */
async function readEvents(response: Response, onEvent?: (data: string) => void): Promise<string[]> {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      expect(event.startsWith('data: ')).toBe(true);
      const data = event.slice('data: '.length);
      events.push(data);
      onEvent?.(data);
    }
  }
  expect(buffer).toBe('');
  return events;
}

/** The JSON chunks of a finished stream, checking it ends with `[DONE]`. */
async function readChunks(response: Response): Promise<Json[]> {
  const events = await readEvents(response);
  expect(events.at(-1)).toBe('[DONE]');
  return events.slice(0, -1).map((data) => JSON.parse(data) as Json);
}

async function metricValue(server: RuntimeServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Polls until `check` holds (no fixed sleeps; the test timeout bounds it). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

const chatBody = (extra: Json = {}) => ({ model: 'tiny', messages: [{ role: 'user', content: 'Who are you?' }], ...extra });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-embedded-runtime-'));
  chatModel = path.join(dir, 'tiny-chat.gguf');
  endlessModel = path.join(dir, 'tiny-endless.gguf');
  await writeTinyModel(chatModel);
  // A long trained context, so a request without max_tokens keeps a slot busy for a long time.
  await writeTinyModel(endlessModel, { variant: 'endless', contextLength: 32768 });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close({ graceMs: 0 })));
  await rm(dir, { recursive: true, force: true });
});

describe('tiny test model', () => {
  it('is the same bytes on every build and about half a megabyte', () => {
    const first = buildTinyModel();
    expect(buildTinyModel().equals(first)).toBe(true);
    expect(first.length).toBeGreaterThan(300_000);
    expect(first.length).toBeLessThan(700_000);
    expect(buildTinyModel({ variant: 'endless' }).equals(first)).toBe(false);
  });

  it("reads as a 2-layer, 64-wide llama model with H-MAS's own GGUF reader", async () => {
    const { summary } = await readGgufFile(chatModel);
    expect(summary).toMatchObject({ architecture: 'llama', numLayers: 2, hiddenSize: 64, contextLength: 4096, quantization: 'F32', numAttentionHeads: 4 });
  });
});

describe('embedded llama.cpp runtime (in process)', () => {
  let chat: RuntimeServer;
  let endless: RuntimeServer;

  beforeAll(async () => {
    chat = await startServer(chatModel, { alias: 'tiny-chat' });
    endless = await startServer(endlessModel, { contextSize: 32768 });
  });

  it('answers /health with 200 once the model is loaded', async () => {
    const response = await fetch(`${chat.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('lists the served model under /v1/models, named by --alias or the file name', async () => {
    const body = (await (await fetch(`${chat.url}/v1/models`)).json()) as Json;
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ id: 'tiny-chat', object: 'model', meta: { n_ctx: 512, n_vocab: 269, n_embd: 64, n_parallel: 1 } });
    const other = (await (await fetch(`${endless.url}/v1/models`)).json()) as Json;
    expect(other.data[0].id).toBe('tiny-endless');
  });

  it('answers a chat completion with the fixed sentence, usage and finish_reason stop', async () => {
    const response = await post(chat, '/v1/chat/completions', chatBody({ temperature: 0 }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({ object: 'chat.completion', model: 'tiny', choices: [{ index: 0, message: { role: 'assistant', content: TINY_MODEL_ANSWER }, finish_reason: 'stop' }] });
    expect(body.id).toMatch(/^chatcmpl-/);
    // Like llama-server, the end-of-generation token counts as a predicted token.
    expect(body.usage.completion_tokens).toBe(TINY_MODEL_ANSWER_TOKENS + 1);
    expect(body.usage.prompt_tokens).toBeGreaterThan(10);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('says the same sentence after any conversation, at any temperature and with penalties', async () => {
    const response = await post(chat, '/chat/completions', {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Tell me something else, with ünïcödé and emoji 🎉.' },
      ],
      temperature: 2,
      presence_penalty: 1.5,
      frequency_penalty: -1,
      seed: 42,
    });
    const body = (await response.json()) as Json;
    expect(body.choices[0].message.content).toBe(TINY_MODEL_ANSWER);
    expect(body.model).toBe('tiny-chat');
  });

  it('streams a chat completion in OpenAI chunks ending with [DONE]', async () => {
    const chunks = await readChunks(await post(chat, '/v1/chat/completions', chatBody({ stream: true })));
    expect(chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'tiny' });
      expect(chunk.id).toBe(chunks[0]!.id);
      expect(chunk).not.toHaveProperty('usage');
    }
    const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
    expect(text).toBe(TINY_MODEL_ANSWER);
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true);
    expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
  });

  it('adds a last chunk with empty choices and the usage when stream_options.include_usage is set', async () => {
    const plain = (await (await post(chat, '/v1/chat/completions', chatBody())).json()) as Json;
    const chunks = await readChunks(await post(chat, '/v1/chat/completions', chatBody({ stream: true, stream_options: { include_usage: true } })));
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
  });

  it('answers /v1/completions with and without streaming', async () => {
    const body = (await (await post(chat, '/v1/completions', { prompt: 'Once upon a time', temperature: 0 })).json()) as Json;
    expect(body).toMatchObject({ object: 'text_completion', choices: [{ index: 0, text: TINY_MODEL_ANSWER, finish_reason: 'stop' }] });
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.usage.prompt_tokens).toBe('Once upon a time'.length); // one token per byte or space
    const chunks = await readChunks(await post(chat, '/v1/completions', { prompt: ['Once upon a time'], stream: true, stream_options: { include_usage: true } }));
    expect(chunks.slice(0, -1).map((chunk) => chunk.choices[0].text).join('')).toBe(TINY_MODEL_ANSWER);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual(body.usage);
  });

  it('takes a prompt of token ids', async () => {
    const body = (await (await post(chat, '/v1/completions', { prompt: [72, 105], max_tokens: 2 })).json()) as Json;
    expect(body.choices[0]).toMatchObject({ text: 'Hello from', finish_reason: 'length' });
    expect(body.usage.prompt_tokens).toBe(2);
  });

  it('ends at a stop sequence without sending it, also when it spans tokens', async () => {
    const body = (await (await post(chat, '/v1/chat/completions', chatBody({ stop: [' test', 'never'] }))).json()) as Json;
    expect(body.choices[0]).toMatchObject({ message: { content: 'Hello from the H-MAS' }, finish_reason: 'stop' });
    expect(body.usage.completion_tokens).toBe(5);
    const chunks = await readChunks(await post(chat, '/v1/chat/completions', chatBody({ stop: '-MAS te', stream: true })));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the H');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('sends text held back as a possible stop sequence when the answer ends without one', async () => {
    const chunks = await readChunks(await post(chat, '/v1/chat/completions', chatBody({ stop: ['model.!'], stream: true })));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(TINY_MODEL_ANSWER);
    const body = (await (await post(chat, '/v1/completions', { prompt: 'x', stop: ['model.!'], max_tokens: 6 })).json()) as Json;
    expect(body.choices[0]).toMatchObject({ text: 'Hello from the H-MAS test model', finish_reason: 'length' });
  });

  it('stops after max_tokens with finish_reason length', async () => {
    const body = (await (await post(chat, '/v1/chat/completions', chatBody({ max_tokens: 3 }))).json()) as Json;
    expect(body.choices[0]).toMatchObject({ message: { content: 'Hello from the' }, finish_reason: 'length' });
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('generates exactly max_tokens tokens from a model that never ends', async () => {
    const body = (await (await post(endless, '/v1/chat/completions', chatBody({ max_tokens: 20 }))).json()) as Json;
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(20);
    // 7 tokens per sentence: 20 tokens are two sentences and six tokens of the third.
    expect(body.choices[0].message.content).toBe(`${TINY_MODEL_ANSWER}${TINY_MODEL_ANSWER}Hello from the H-MAS test model`);
    const chunks = await readChunks(await post(endless, '/v1/completions', { prompt: 'x', max_tokens: 9, stream: true, stream_options: { include_usage: true } }));
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
    expect(chunks.at(-1)!.usage.completion_tokens).toBe(9);
  });

  it('refuses bad input with 400 in OpenAI error shape', async () => {
    const cases: Array<[string, string | Json, RegExp, string | null]> = [
      ['/v1/chat/completions', '{"messages": [', /not valid JSON/, null],
      ['/v1/chat/completions', '[1, 2]', /JSON object/, null],
      ['/v1/chat/completions', '', /JSON object/, null],
      ['/v1/chat/completions', {}, /messages/, 'messages'],
      ['/v1/chat/completions', { messages: [] }, /at least one message/, 'messages'],
      ['/v1/chat/completions', chatBody({ temperature: 3 }), /temperature/, 'temperature'],
      ['/v1/chat/completions', chatBody({ max_tokens: -1 }), /max_tokens/, 'max_tokens'],
      ['/v1/chat/completions', chatBody({ n: 2 }), /one choice/, 'n'],
      ['/v1/chat/completions', chatBody({ stop: 5 }), /stop/, 'stop'],
      ['/v1/chat/completions', chatBody({ stream_options: { include_usage: true } }), /only allowed when stream is true/, 'stream_options'],
      ['/v1/chat/completions', { messages: [{ role: 'robot', content: 'hi' }] }, /robot/, 'messages.0.role'],
      ['/v1/chat/completions', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, /image_url/, 'messages.0.content.0'],
      ['/v1/chat/completions', chatBody({ tools: [{ type: 'function', function: { name: 'f' } }] }), /tools/, 'tools'],
      ['/v1/chat/completions', chatBody({ response_format: { type: 'json_object' } }), /json_object/, 'response_format'],
      ['/v1/chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(600) }] }, /context holds 512 tokens/, 'messages'],
      ['/v1/completions', {}, /prompt/, 'prompt'],
      ['/v1/completions', { prompt: '' }, /prompt is empty/, 'prompt'],
      ['/v1/completions', { prompt: ['a', 'b'] }, /one prompt/, 'prompt'],
      ['/v1/completions', { prompt: [99999] }, /outside the vocabulary/, 'prompt.0'],
      ['/v1/completions', { prompt: 'x', echo: true }, /echo/, 'echo'],
    ];
    for (const [route, body, message, param] of cases) {
      const response = await post(chat, route, body);
      const label = `${route} ${typeof body === 'string' ? body : JSON.stringify(body).slice(0, 80)}`;
      expect(response.status, label).toBe(400);
      const error = ((await response.json()) as Json).error;
      expect(error.type, label).toBe('invalid_request_error');
      expect(error.message, label).toMatch(message);
      expect(error.param, label).toBe(param);
    }
    const tooLong = (await (await post(chat, '/v1/completions', { prompt: 'x'.repeat(600) })).json()) as Json;
    expect(tooLong.error.code).toBe('context_length_exceeded');
  });

  it('answers unknown routes with 404 in OpenAI error shape', async () => {
    const response = await fetch(`${chat.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as Json).error).toMatchObject({ type: 'invalid_request_error', code: 'unknown_url' });
  });

  it('serves llama.cpp metric names and latency histograms on /metrics', async () => {
    await post(chat, '/v1/chat/completions', chatBody());
    const response = await fetch(`${chat.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'llamacpp:prompt_tokens_total',
      'llamacpp:prompt_seconds_total',
      'llamacpp:tokens_predicted_total',
      'llamacpp:tokens_predicted_seconds_total',
      'llamacpp:n_tokens_max',
      'llamacpp:prompt_tokens_seconds',
      'llamacpp:predicted_tokens_seconds',
      'llamacpp:kv_cache_usage_ratio',
      'llamacpp:requests_processing',
      'llamacpp:requests_deferred',
      'hmas_runtime_time_to_first_token_seconds_bucket',
      'hmas_runtime_e2e_request_latency_seconds_bucket',
      'hmas_runtime_inter_token_latency_seconds_bucket',
      'hmas_runtime_queue_wait_seconds_bucket',
    ]) {
      expect(text, name).toContain(`\n${name}`);
    }
    expect(await metricValue(chat, 'llamacpp:prompt_tokens_total')).toBeGreaterThan(0);
    expect(await metricValue(chat, 'llamacpp:tokens_predicted_total')).toBeGreaterThanOrEqual(TINY_MODEL_ANSWER_TOKENS);
    expect(await metricValue(chat, 'hmas_runtime_time_to_first_token_seconds_count')).toBeGreaterThan(0);
  });

  it('queues requests over --parallel slots, counts them deferred and answers them all', async () => {
    // A holds the only slot: it generates until its context is full unless it is cut off.
    const holder = new AbortController();
    const first = await post(endless, '/v1/chat/completions', chatBody({ stream: true }), { signal: holder.signal });
    let resolveContent: () => void;
    const hasContent = new Promise<void>((resolve) => (resolveContent = resolve));
    const reading = readEvents(first, (data) => {
      if (data.includes('"content":"Hello"')) resolveContent();
    }).catch((error: unknown) => error);
    await hasContent;

    const waiting = [post(endless, '/v1/chat/completions', chatBody({ max_tokens: 5 })), post(endless, '/v1/completions', { prompt: 'x', max_tokens: 5 })];
    await waitFor(async () => (await metricValue(endless, 'llamacpp:requests_deferred')) === 2);
    expect(await metricValue(endless, 'llamacpp:requests_processing')).toBe(1);

    holder.abort(); // the client goes away: its slot is freed for the next in line
    await reading;
    const answers = (await Promise.all(waiting.map(async (response) => (await response).json()))) as Json[];
    expect(answers.map((answer) => answer.choices[0].finish_reason)).toEqual(['length', 'length']);
    expect(answers.map((answer) => answer.usage.completion_tokens)).toEqual([5, 5]);

    expect(await metricValue(endless, 'llamacpp:requests_deferred')).toBe(0);
    expect(await metricValue(endless, 'llamacpp:requests_processing')).toBe(0);
    expect(await metricValue(endless, 'hmas_runtime_requests_deferred_total')).toBe(2);
    const text = await (await fetch(`${endless.url}/metrics`)).text();
    expect(text).toContain('hmas_runtime_requests_total{endpoint="chat",result="aborted"} 1');
  });

  it('generates for as many requests at once as it has slots', async () => {
    const server = await startServer(endlessModel, { parallel: 2, contextSize: 32768 });
    const controllers = [new AbortController(), new AbortController()];
    const started = controllers.map(async (controller) => {
      const response = await post(server, '/v1/completions', { prompt: 'x', stream: true }, { signal: controller.signal });
      let resolveContent: () => void;
      const hasContent = new Promise<void>((resolve) => (resolveContent = resolve));
      const reading = readEvents(response, () => resolveContent()).catch((error: unknown) => error);
      await hasContent;
      return { reading }; // wrapped: an async function returning the promise itself would wait for the stream's end
    });
    const readings = (await Promise.all(started)).map(({ reading }) => reading);
    expect(await metricValue(server, 'llamacpp:requests_processing')).toBe(2);
    expect(await metricValue(server, 'llamacpp:requests_deferred')).toBe(0);
    for (const controller of controllers) controller.abort();
    await Promise.all(readings);
    await waitFor(async () => (await metricValue(server, 'llamacpp:requests_processing')) === 0);
    expect(await metricValue(server, 'hmas_runtime_requests_deferred_total')).toBe(0);
  });

  it('reuses what a slot holds of a repeated prompt and still answers the same', async () => {
    const first = (await (await post(chat, '/v1/chat/completions', chatBody())).json()) as Json;
    const before = await metricValue(chat, 'llamacpp:prompt_tokens_total');
    const second = (await (await post(chat, '/v1/chat/completions', chatBody())).json()) as Json;
    const after = await metricValue(chat, 'llamacpp:prompt_tokens_total');
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(second.usage).toEqual(first.usage);
    expect(after! - before!).toBeLessThan(first.usage.prompt_tokens);
  });

  it('while stopping, lets running generations go on, refuses new requests with 503 and stops once they end', async () => {
    const server = await startServer(endlessModel, { contextSize: 32768 });
    const client = new AbortController();
    const response = await post(server, '/v1/completions', { prompt: 'x', stream: true }, { signal: client.signal });
    let resolveContent: () => void;
    const hasContent = new Promise<void>((resolve) => (resolveContent = resolve));
    const reading = readEvents(response, () => resolveContent()).catch((error: unknown) => error);
    await hasContent;

    const closing = server.close({ graceMs: 60_000 });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as Json).error).toMatchObject({ type: 'unavailable_error', message: expect.stringMatching(/shutting down/) });
    expect((await post(server, '/v1/completions', { prompt: 'x' })).status).toBe(503);

    client.abort(); // the running generation ends: nothing holds the shutdown any longer
    await reading;
    await closing;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('hmas runtime llama (the CLI process)', () => {
  interface RuntimeProcess {
    url: Promise<string>;
    output(): string;
    exited: Promise<number | null>;
    kill(signal: NodeJS.Signals): void;
  }

  function startCli(args: string[], env: Record<string, string> = {}): RuntimeProcess {
    assertBuilt();
    const child = spawn(process.execPath, [CLI_PATH, 'runtime', 'llama', ...args], {
      env: { ...process.env, HMAS_LOG_PRETTY: 'false', HMAS_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = new RegExp(`${READY_LINE_PREFIX} (http://\\S+)`).exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`runtime exited with ${code} before it was ready:\n${output}`)));
    });
    url.catch(() => undefined);
    return { url, output: () => output, exited, kill: (signal) => child.kill(signal) };
  }

  it('serves the model, finishes on SIGTERM and exits 0', async () => {
    const runtime = startCli(['--model', chatModel, '--port', '0', '--threads', '1', '--ctx', '256', '--parallel', '2']);
    const url = await runtime.url;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const body = (await (await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody()) })).json()) as Json;
    expect(body.choices[0].message.content).toBe(TINY_MODEL_ANSWER);
    runtime.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    expect(runtime.output()).toContain('embedded llama.cpp runtime stopped');
  });

  it('cuts off a generation still running when the shutdown grace period ends, and exits 0', async () => {
    const runtime = startCli(['--model', endlessModel, '--port', '0', '--threads', '1', '--ctx', '32768'], { HMAS_SHUTDOWN_DRAIN_MS: '100' });
    const url = await runtime.url;
    const response = await fetch(`${url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x', stream: true }) });
    let resolveContent: () => void;
    const hasContent = new Promise<void>((resolve) => (resolveContent = resolve));
    const reading = readEvents(response, () => resolveContent());
    await hasContent;
    runtime.kill('SIGTERM');
    const events = await reading;
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { type: 'unavailable_error', message: expect.stringMatching(/shutting down/) } });
    expect(await runtime.exited).toBe(0);
  });

  it('exits non-zero with a clear message when the model file is corrupt', async () => {
    const corrupt = path.join(dir, 'corrupt.gguf');
    await writeFile(corrupt, (await readFile(chatModel)).subarray(0, 200_000));
    const runtime = startCli(['--model', corrupt, '--port', '0', '--threads', '1']);
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toContain(`hmas: The model file ${corrupt} could not be loaded`);
    expect(runtime.output()).toMatch(/not within the file bounds/);
  });

  it('exits non-zero when the model file is missing or not GGUF', async () => {
    const missing = startCli(['--model', path.join(dir, 'missing.gguf'), '--port', '0']);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toMatch(/missing\.gguf does not exist/);
    const html = path.join(dir, 'page.gguf');
    await writeFile(html, '<html>Not found</html>');
    const notGguf = startCli(['--model', html, '--port', '0']);
    expect(await notGguf.exited).toBe(1);
    expect(notGguf.output()).toMatch(/is not a GGUF file/);
  });

  it('refuses a bad --port before loading anything', async () => {
    const runtime = startCli(['--model', chatModel, '--port', 'eighty']);
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toMatch(/--port/);
  });
});
