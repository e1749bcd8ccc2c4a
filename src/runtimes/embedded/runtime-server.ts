import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../lib/logger.js';
import type { Token } from 'node-llama-cpp';
import { createApiKeyCheck } from './api-key-check.js';
import { loadLlamaEngine, type EngineOptions, type GenerationResult, type LlamaEngine } from './llama-engine.js';
import { OpenAiError, parseChatRequest, parseCompletionRequest, type ParsedRequest } from './openai-request.js';
import { createRuntimeMetrics, type RuntimeMetrics } from './runtime-metrics.js';

/**
 * The embedded runtime's HTTP server: llama-server's API on top of node-llama-cpp.
 *
 *   GET  /health                              200 {"status":"ok"}; 503 while the model loads or the runtime stops
 *   GET  /metrics                             Prometheus text, llama.cpp's metric names
 *   GET  /v1/models                           the one model this runtime serves
 *   POST /v1/chat/completions                 OpenAI chat completions, streaming or not
 *   POST /v1/completions                      OpenAI (legacy) completions, streaming or not
 *
 * The OpenAI routes also answer without the /v1 prefix, as llama-server's do. Errors use
 * OpenAI's shape `{ error: { message, type, param, code } }`.
 *
 * The server listens before the model is loaded (health says 503 "Loading model" meanwhile), so a
 * supervisor can tell a slow start from a dead process.
 */

export interface RuntimeServerOptions extends Omit<EngineOptions, 'metrics' | 'logger'> {
  host: string;
  port: number;
  logger: Logger;
  /** Largest request body accepted, in bytes (default 16 MiB). */
  bodyLimitBytes?: number;
  /** Prometheus process and Node.js metrics next to the runtime's own (default true). */
  defaultMetrics?: boolean;
  /** Bearer key every request but GET /health must carry (api-key-check.ts); none = open. */
  apiKey?: string;
}

export interface RuntimeServer {
  app: FastifyInstance;
  url: string;
  port: number;
  metrics: RuntimeMetrics;
  /** Settles when the model is loaded (rejects with ModelLoadError when it cannot be). */
  loaded: Promise<LlamaEngine>;
  /**
   * Stops: refuses new requests, lets running generations finish for up to `graceMs` (then aborts
   * them), closes HTTP and frees the model. Safe to call twice.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

type Endpoint = 'chat' | 'completions';

function sendError(reply: FastifyReply, error: OpenAiError): FastifyReply {
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody());
}

/** Maps anything thrown in a handler to OpenAI's error shape. */
function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  const fastifyError = (error ?? {}) as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OpenAiError(400, 'We could not parse the JSON body of your request: send a JSON object.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OpenAiError(413, 'The request body is larger than this runtime accepts.');
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new OpenAiError(fastifyError.statusCode, fastifyError.message ?? 'Bad request.');
  }
  return new OpenAiError(500, 'The runtime failed to answer this request; see its log.', 'server_error');
}

/** Writes one SSE event; waits while the socket's buffer is full, so a slow reader slows generation. */
async function writeEvent(raw: ServerResponse, data: string): Promise<void> {
  if (raw.destroyed || raw.writableEnded) return;
  if (raw.write(`data: ${data}\n\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

export async function startRuntimeServer(options: RuntimeServerOptions): Promise<RuntimeServer> {
  const { logger } = options;
  let engine: LlamaEngine | undefined;
  let state: 'loading' | 'ready' | 'failed' | 'stopping' = 'loading';
  // Aborted when the grace period of a shutdown is over: ends every running generation.
  const shutdown = new AbortController();

  const metrics = createRuntimeMetrics(
    {
      processing: () => engine?.pool.busy ?? 0,
      waiting: () => engine?.pool.waiting ?? 0,
      kvTokens: () => engine?.kvTokens() ?? 0,
      get kvCapacity() {
        return engine ? engine.info.contextSize * engine.info.parallel : 0;
      },
    },
    { defaultMetrics: options.defaultMetrics ?? true },
  );

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One log line per generation (below) instead of two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    // Generations can take minutes; the client decides how long to wait.
    requestTimeout: 0,
    // Routing errors (malformed URLs) in the same shape as every other error.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, toOpenAiError(error));
    },
  });

  // llama-server reads every body as JSON whatever its Content-Type (curl -d sends a form type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new OpenAiError(400, 'We could not parse the JSON body of your request: it is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = toOpenAiError(error);
    if (mapped.status >= 500 && mapped.status !== 503) request.log.error({ err: error, url: request.url }, 'request failed');
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new OpenAiError(404, `Invalid URL (${request.method} ${request.url.split('?')[0]}).`, 'invalid_request_error', null, 'unknown_url')));

  const requireEngine = (): LlamaEngine => {
    if (state === 'ready' && engine) return engine;
    if (state === 'loading') throw new OpenAiError(503, 'Loading model', 'unavailable_error');
    if (state === 'stopping') throw new OpenAiError(503, 'The runtime is shutting down.', 'unavailable_error');
    throw new OpenAiError(503, 'The model could not be loaded; see the runtime log.', 'unavailable_error');
  };

  if (options.apiKey !== undefined) {
    const allowed = createApiKeyCheck(options.apiKey);
    // llama-server's answer to a missing or wrong key, before the body is read.
    app.addHook('onRequest', async (request, reply) => {
      if (!allowed(request.method, request.url, request.headers.authorization)) {
        return sendError(reply, new OpenAiError(401, 'Invalid API Key', 'authentication_error', null, 'invalid_api_key'));
      }
    });
  }

  app.get('/health', async (_request, reply) => {
    requireEngine();
    return reply.send({ status: 'ok' });
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()));

  const listModels = async (_request: FastifyRequest, reply: FastifyReply) => {
    const { info } = requireEngine();
    return reply.send({
      object: 'list',
      data: [
        {
          id: info.id,
          object: 'model',
          created: Math.floor(startedAt / 1000),
          owned_by: 'hmas',
          meta: {
            n_ctx: info.contextSize,
            n_ctx_train: info.trainContextSize,
            n_vocab: info.vocabularySize,
            n_embd: info.embeddingSize,
            n_params: info.parameterCount,
            size: info.size,
            n_parallel: info.parallel,
          },
        },
      ],
    });
  };
  app.get('/v1/models', listModels);
  app.get('/models', listModels);

  const chat = async (request: FastifyRequest, reply: FastifyReply) => {
    const current = requireEngine();
    const parsed = parseChatRequest(request.body);
    return answer(current, request, reply, 'chat', parsed, current.tokenizeChat(parsed.messages), 'messages');
  };
  const completions = async (request: FastifyRequest, reply: FastifyReply) => {
    const current = requireEngine();
    const parsed = parseCompletionRequest(request.body);
    const prompt = typeof parsed.prompt === 'string' ? current.tokenizeText(parsed.prompt) : current.checkTokens(parsed.prompt);
    return answer(current, request, reply, 'completions', parsed, prompt, 'prompt');
  };
  app.post('/v1/chat/completions', chat);
  app.post('/chat/completions', chat);
  app.post('/v1/completions', completions);
  app.post('/completions', completions);

  async function answer(current: LlamaEngine, request: FastifyRequest, reply: FastifyReply, endpoint: Endpoint, parsed: ParsedRequest, prompt: Token[], param: string) {
    const arrivedAt = performance.now();
    const timing: { slotAt?: number; firstTokenAt?: number } = {};
    // Ends the generation when the client goes away or the shutdown grace period is over.
    const abort = new AbortController();
    // Refuses a prompt that cannot fit (400) before anything is attached or sent.
    const generation = current.generate(prompt, parsed.sampling, { signal: abort.signal, param, timing });
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort(new OpenAiError(499, 'The client closed the connection.', 'aborted'));
    };
    reply.raw.on('close', onClose);
    const onShutdown = () => abort.abort(new OpenAiError(503, 'The runtime is shutting down.', 'unavailable_error'));
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const id = `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`;
    const created = Math.floor(Date.now() / 1000);
    const model = parsed.model ?? current.info.id;
    let result: GenerationResult | undefined;
    let outcome: 'stop' | 'length' | 'error' | 'aborted' = 'error';

    // Pulls the next piece of text, ending the generation early when the request is aborted.
    const next = async (): Promise<IteratorResult<string, GenerationResult>> => {
      if (abort.signal.aborted) throw abort.signal.reason;
      return generation.text.next();
    };

    try {
      if (!parsed.stream) {
        let text = '';
        for (let step = await next(); ; step = await next()) {
          if (step.done) {
            result = step.value;
            break;
          }
          text += step.value;
        }
        outcome = result.finishReason;
        const usage = usageOf(result);
        return reply.send(
          endpoint === 'chat'
            ? { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: result.finishReason }], usage }
            : { id, object: 'text_completion', created, model, choices: [{ index: 0, text, logprobs: null, finish_reason: result.finishReason }], usage },
        );
      }

      // Streaming: headers go out now; from here on errors become an error event in the stream.
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const extra = parsed.includeUsage ? { usage: null } : {};
      const chunk = (choice: Record<string, unknown>) =>
        JSON.stringify(
          endpoint === 'chat'
            ? { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, logprobs: null, ...choice }], ...extra }
            : { id, object: 'text_completion', created, model, choices: [{ index: 0, logprobs: null, ...choice }], ...extra },
        );
      try {
        if (endpoint === 'chat') await writeEvent(raw, chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
        for (let step = await next(); ; step = await next()) {
          if (step.done) {
            result = step.value;
            break;
          }
          await writeEvent(raw, chunk(endpoint === 'chat' ? { delta: { content: step.value }, finish_reason: null } : { text: step.value, finish_reason: null }));
        }
        outcome = result.finishReason;
        await writeEvent(raw, chunk(endpoint === 'chat' ? { delta: {}, finish_reason: result.finishReason } : { text: '', finish_reason: result.finishReason }));
        if (parsed.includeUsage) {
          await writeEvent(
            raw,
            JSON.stringify({ id, object: endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [], usage: usageOf(result) }),
          );
        }
        await writeEvent(raw, '[DONE]');
      } catch (error) {
        const mapped = toOpenAiError(error);
        outcome = abort.signal.aborted && mapped.status === 499 ? 'aborted' : 'error';
        if (mapped.status >= 500 && mapped.status !== 503) request.log.error({ err: error }, 'generation failed');
        await writeEvent(raw, JSON.stringify(mapped.toBody()));
      } finally {
        raw.end();
      }
      return reply;
    } catch (error) {
      outcome = abort.signal.aborted && toOpenAiError(error).status === 499 ? 'aborted' : 'error';
      throw error;
    } finally {
      reply.raw.off('close', onClose);
      shutdown.signal.removeEventListener('abort', onShutdown);
      // Stops generating (and frees the slot) if the loop above ended early.
      await generation.text.return(undefined as never).catch(() => undefined);
      const end = performance.now();
      metrics.request({
        endpoint,
        result: outcome,
        queueSeconds: ((timing.slotAt ?? end) - arrivedAt) / 1000,
        firstTokenSeconds: timing.firstTokenAt !== undefined ? (timing.firstTokenAt - arrivedAt) / 1000 : undefined,
        totalSeconds: (end - arrivedAt) / 1000,
      });
      request.log.info(
        { endpoint, stream: parsed.stream, promptTokens: prompt.length, completionTokens: result?.completionTokens, result: outcome, ms: Math.round(end - arrivedAt) },
        'generation',
      );
    }
  }

  const startedAt = Date.now();
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ url, model: options.modelPath }, 'embedded llama.cpp runtime listening; loading the model');

  const loaded = loadLlamaEngine({ ...options, logger, metrics }).then(
    (value) => {
      engine = value;
      if (state === 'loading') state = 'ready';
      return value;
    },
    (error: unknown) => {
      if (state === 'loading') state = 'failed';
      throw error;
    },
  );
  // The caller decides what a failed load means; never an unhandled rejection here.
  loaded.catch(() => undefined);

  let closing: Promise<void> | undefined;
  const close = ({ graceMs = 10_000 }: { graceMs?: number } = {}) =>
    (closing ??= (async () => {
      state = 'stopping';
      // Requests still waiting for a slot are refused now; running ones get the grace period.
      engine?.pool.close(new OpenAiError(503, 'The runtime is shutting down.', 'unavailable_error'));
      const deadline = Date.now() + graceMs;
      while (engine && engine.pool.busy > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      shutdown.abort();
      // Every generation has ended (or is writing its last error event): close keep-alive
      // connections as they go idle, and whatever is left (a client's spare connection that
      // never sent a request counts as busy to Node) shortly after.
      const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
      const closeAll = setTimeout(() => app.server.closeAllConnections(), 250);
      try {
        await app.close();
      } finally {
        clearInterval(closeIdle);
        clearTimeout(closeAll);
      }
      // A model still loading is freed once it is loaded.
      const loadedEngine = await loaded.catch(() => undefined);
      await loadedEngine?.close();
      logger.info('embedded llama.cpp runtime stopped');
    })());

  return { app, url, port, metrics, loaded, close };
}

function usageOf(result: GenerationResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}
