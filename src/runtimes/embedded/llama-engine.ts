import { open } from 'node:fs/promises';
import path from 'node:path';
// Types only: node-llama-cpp takes a second or two to import, so it is loaded once the model file
// has passed the quick checks (a missing file fails at once).
import type * as NodeLlamaCppModule from 'node-llama-cpp';
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaLogLevel, LlamaModel, Token } from 'node-llama-cpp';
import type { Logger } from '../../lib/logger.js';
import { OpenAiError, type ChatMessage, type SamplingParams } from './openai-request.js';
import { createSlotPool, type SlotPool } from './slot-pool.js';
import { createStopMatcher } from './stop-matcher.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

/**
 * The model side of the embedded runtime: one node-llama-cpp model and one context with a
 * sequence per slot (`--parallel`). Requests tokenize their prompt, wait for a free slot, reuse
 * what the slot's cache already holds of the prompt, and generate token by token; node-llama-cpp
 * batches the busy slots into shared decode calls.
 */

export type GpuMode = 'auto' | 'cpu' | 'cuda' | 'vulkan' | 'metal';

export interface EngineOptions {
  modelPath: string;
  /** Served model id (`/v1/models`); default: the file name without `.gguf`. */
  alias?: string;
  /** CPU threads for evaluation; default: node-llama-cpp's (the machine's math cores). */
  threads?: number;
  /** Context one request may use, in tokens; default min(trained context, 4096). */
  contextSize?: number;
  /** Slots: requests generated at the same time. Default 1. */
  parallel?: number;
  /** 'auto' uses a GPU when a prebuilt binary for it loads, else the CPU. Default 'auto'. */
  gpu?: GpuMode;
  logger: Logger;
  /** Told about queueing, prompt evaluation and every generated token. */
  metrics?: EngineMetrics;
}

export type EngineMetrics = Pick<RuntimeMetrics, 'deferred' | 'prompt' | 'token' | 'generation' | 'positions'>;

export interface EngineInfo {
  id: string;
  modelPath: string;
  /** Tokens one request may use (prompt + completion). */
  contextSize: number;
  parallel: number;
  trainContextSize: number;
  vocabularySize: number;
  embeddingSize: number;
  parameterCount: number;
  /** Bytes of the model file. */
  size: number;
  gpu: string | false;
  gpuLayers: number;
  threads: number;
  chatTemplate: string;
}

export interface GenerationResult {
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
}

export interface Generation {
  /** Text pieces as they are generated; the iterator's return value is the result. */
  text: AsyncGenerator<string, GenerationResult, undefined>;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  /** The request field the prompt came from, for error messages ('messages', 'prompt'). */
  param: string;
  /** Filled in as the request goes: when it got a slot, when its first token came (performance.now()). */
  timing?: { slotAt?: number; firstTokenAt?: number };
}

export interface LlamaEngine {
  readonly info: EngineInfo;
  readonly pool: SlotPool<LlamaContextSequence>;
  /** Context cells in use over all slots. */
  kvTokens(): number;
  tokenizeChat(messages: ChatMessage[]): Token[];
  tokenizeText(text: string): Token[];
  /** Checks token ids a client sent. */
  checkTokens(tokens: number[]): Token[];
  /**
   * Generates from `prompt`. Waiting for a slot ends with the signal's reason when it aborts;
   * stopping the iteration (return / break) releases the slot at once.
   */
  generate(prompt: Token[], sampling: SamplingParams, options: GenerateOptions): Generation;
  close(): Promise<void>;
}

/** A model file that cannot be served: the runtime prints it and exits non-zero. */
export class ModelLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelLoadError';
  }
}

type NodeLlamaCpp = typeof NodeLlamaCppModule;

/**
 * pino level → llama.cpp level (LlamaLogLevel's values are these strings). Error lines always
 * come through: they explain failed loads (pino drops them when it logs less).
 */
const LLAMA_LOG_LEVELS: Record<string, `${LlamaLogLevel}`> = {
  silent: 'error',
  fatal: 'error',
  error: 'error',
  warn: 'warn',
  info: 'warn', // llama.cpp's info level prints every tensor; keep it for debug
  debug: 'info',
  trace: 'debug',
};

/** llama.cpp's recent error lines: they say why a load failed better than the exception does. */
const recentLlamaErrors: string[] = [];

function llamaLogger(logger: Logger) {
  return (level: LlamaLogLevel, message: string) => {
    const text = message.trimEnd();
    if (text === '') return;
    if (level === 'fatal' || level === 'error') {
      recentLlamaErrors.push(text);
      if (recentLlamaErrors.length > 5) recentLlamaErrors.shift();
      logger.error({ llama: text }, 'llama.cpp');
    } else if (level === 'warn') logger.warn({ llama: text }, 'llama.cpp');
    else logger.debug({ llama: text }, 'llama.cpp');
  };
}

/**
 * One llama.cpp binding per process and GPU mode, shared by every engine in it (loading one tests
 * the binary in a child process first, which takes a second or two). Its log lines go to the
 * logger of the engine loaded last.
 */
const llamas = new Map<GpuMode, Promise<Llama>>();
let llamaLogTarget: Logger | undefined;

function loadLlama(nlc: NodeLlamaCpp, gpu: GpuMode, logger: Logger): Promise<Llama> {
  llamaLogTarget = logger;
  let loading = llamas.get(gpu);
  if (!loading) {
    // build: 'never' — only the prebuilt binaries that npm installed (@node-llama-cpp/*); nothing
    // is downloaded or compiled at run time.
    loading = nlc.getLlama({
      gpu: gpu === 'cpu' ? false : gpu,
      build: 'never',
      progressLogs: false,
      logLevel: (LLAMA_LOG_LEVELS[logger.level] ?? 'warn') as LlamaLogLevel,
      logger: (level, message) => llamaLogger(llamaLogTarget ?? logger)(level, message),
    });
    llamas.set(gpu, loading);
    loading.catch(() => llamas.delete(gpu));
  }
  return loading;
}

/** Picks the chat template: the model's own Jinja template, else node-llama-cpp's best guess. */
function chatWrapperFor(nlc: NodeLlamaCpp, model: LlamaModel, logger: Logger): { wrapper: ChatWrapper; name: string } {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (typeof template === 'string' && template.trim() !== '') {
    try {
      return { wrapper: new nlc.JinjaTemplateChatWrapper({ template, tokenizer: model.tokenizer }), name: 'jinja (from the model file)' };
    } catch (error) {
      logger.warn({ err: error }, "the model's chat template does not render; falling back to a built-in chat format");
    }
  }
  const wrapper = nlc.resolveChatWrapper(model);
  return { wrapper, name: wrapper.wrapperName };
}

/** Checks the file is there and looks like GGUF, so the usual mistakes get a plain message. */
async function checkModelFile(modelPath: string): Promise<void> {
  let handle;
  try {
    handle = await open(modelPath, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be opened (${code ?? String(error)})`;
    throw new ModelLoadError(`The model file ${modelPath} ${why}.`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ModelLoadError(`The model file ${modelPath} is not a regular file.`);
    const { size } = stats;
    if (size === 0) throw new ModelLoadError(`The model file ${modelPath} is empty (0 bytes).`);
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    if (magic.toString('latin1') !== 'GGUF') {
      throw new ModelLoadError(`The model file ${modelPath} is not a GGUF file: it does not start with the bytes "GGUF" (an HTML error page or a safetensors file saved under the wrong name?).`);
    }
  } finally {
    await handle.close();
  }
}

/**
 * llama.cpp's log lines reach JavaScript through a queue, sometimes after the failed call has
 * returned: wait a moment for the line that says why (bounded, and only on failure).
 */
async function llamaErrorsSettled(): Promise<void> {
  for (let waited = 0; waited < 500 && !recentLlamaErrors.some((line) => /error loading model/i.test(line)); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function reasonOf(error: unknown): string {
  const llamaSays = recentLlamaErrors.find((line) => /error loading model/i.test(line)) ?? recentLlamaErrors.at(-1);
  const message = error instanceof Error ? error.message : String(error);
  // "llama_model_load: error loading model: tensor … is not within the file bounds" → the part after the last "error …:".
  const reason = llamaSays ? llamaSays.replace(/^.*error loading model:\s*/i, '') : message;
  return reason.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').replace(/\.+$/, '');
}

export async function loadLlamaEngine(options: EngineOptions): Promise<LlamaEngine> {
  const { logger } = options;
  const parallel = options.parallel ?? 1;
  await checkModelFile(options.modelPath);

  const started = performance.now();
  let llama: Llama;
  try {
    llama = await loadLlama(await import('node-llama-cpp'), options.gpu ?? 'auto', logger);
  } catch (error) {
    const gpu = options.gpu ?? 'auto';
    const message = error instanceof Error ? error.message : String(error);
    const reason = /NoBinaryFound/.test(`${(error as Error).name} ${message}`) ? `no prebuilt llama.cpp binary for it loads${gpu === 'auto' || gpu === 'cpu' ? '' : ` (is the ${gpu} driver installed?)`}` : message;
    throw new ModelLoadError(
      `llama.cpp could not start here (${process.platform}-${process.arch}${gpu === 'auto' || gpu === 'cpu' ? '' : `, --gpu ${gpu}`}): ${reason}. The prebuilt binaries come from the optional npm packages @node-llama-cpp/*; reinstall them with optional dependencies.`,
      { cause: error },
    );
  }
  const llamaMs = performance.now() - started;
  let model: LlamaModel;
  try {
    recentLlamaErrors.length = 0;
    model = await llama.loadModel({ modelPath: options.modelPath });
  } catch (error) {
    await llamaErrorsSettled();
    throw new ModelLoadError(`The model file ${options.modelPath} could not be loaded: ${reasonOf(error)}.`, { cause: error });
  }
  const modelMs = performance.now() - started - llamaMs;
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize || 4096, 4096);
  let context: LlamaContext;
  try {
    recentLlamaErrors.length = 0;
    context = await model.createContext({
      contextSize,
      sequences: parallel,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      // Every slot gets its share; never silently shrink a context the operator sized.
      failedCreationRemedy: false,
    });
  } catch (error) {
    await model.dispose().catch(() => undefined);
    await llamaErrorsSettled();
    throw new ModelLoadError(`Could not create a context of ${contextSize} tokens × ${parallel} slot(s): ${reasonOf(error)}.`, { cause: error });
  }
  const sequences = Array.from({ length: parallel }, () => context.getSequence());
  const pool = createSlotPool(sequences);
  const chat = chatWrapperFor(await import('node-llama-cpp'), model, logger);
  const id = options.alias ?? path.basename(options.modelPath).replace(/\.gguf$/i, '');

  const info: EngineInfo = {
    id,
    modelPath: options.modelPath,
    contextSize: context.contextSize,
    parallel,
    trainContextSize: model.trainContextSize,
    vocabularySize: model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0,
    embeddingSize: model.embeddingVectorSize,
    parameterCount: model.fileInsights.totalParameters,
    size: model.size,
    gpu: llama.gpu,
    gpuLayers: model.gpuLayers,
    threads: context.currentThreads,
    chatTemplate: chat.name,
  };
  logger.info(
    { model: id, contextSize: info.contextSize, parallel, threads: info.threads, gpu: info.gpu, gpuLayers: info.gpuLayers, chatTemplate: chat.name, loadMs: Math.round(performance.now() - started), llamaMs: Math.round(llamaMs), modelMs: Math.round(modelMs) },
    'model loaded',
  );

  const vocabularySize = info.vocabularySize;
  const metrics = options.metrics;

  /** The BOS token first when the model wants one (add_bos_token) and the prompt lacks it. */
  function withBos(tokens: Token[]): Token[] {
    const bos = model.tokens.bos;
    return model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  }

  function tokenizeChat(messages: ChatMessage[]): Token[] {
    const history: ChatHistoryItem[] = messages.map((message) =>
      message.role === 'assistant' ? { type: 'model', response: [message.content] } : message.role === 'system' ? { type: 'system', text: message.content } : { type: 'user', text: message.content },
    );
    // An empty model turn at the end asks for the generation prompt; after an assistant message
    // it joins it, and the model continues that message (llama-server's "prefill").
    history.push({ type: 'model', response: [] });
    try {
      return withBos(chat.wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer));
    } catch (error) {
      throw new OpenAiError(400, `The chat template cannot format these messages: ${error instanceof Error ? error.message : String(error)}`, 'invalid_request_error', 'messages');
    }
  }

  function generate(prompt: Token[], sampling: SamplingParams, options: GenerateOptions): Generation {
    if (prompt.length === 0) throw new OpenAiError(400, `${options.param}: the prompt is empty.`, 'invalid_request_error', options.param);
    if (prompt.length >= info.contextSize) {
      throw new OpenAiError(
        400,
        `The prompt is ${prompt.length} tokens; this runtime's context holds ${info.contextSize} tokens per request (--ctx), prompt and completion together.`,
        'invalid_request_error',
        options.param,
        'context_length_exceeded',
      );
    }
    const room = info.contextSize - prompt.length;
    const maxTokens = Math.min(sampling.maxTokens ?? room, room);
    return { text: run(prompt, sampling, maxTokens, options) };
  }

  async function* run(prompt: Token[], sampling: SamplingParams, maxTokens: number, options: GenerateOptions): AsyncGenerator<string, GenerationResult, undefined> {
    const deferredBefore = pool.deferredTotal;
    const acquiring = pool.acquire(options.signal);
    if (pool.deferredTotal > deferredBefore) metrics?.deferred();
    const lease = await acquiring;
    const timing = options.timing ?? {};
    timing.slotAt = performance.now();
    const sequence = lease.slot;
    try {
      // Keep what the slot already holds of this prompt; at least one token is evaluated, so
      // there are logits to sample from.
      try {
        await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
      } catch {
        await sequence.clearHistory();
      }
      const reused = sequence.nextTokenIndex;
      const generated: Token[] = [];
      let pending: Token[] = [];
      const stops = createStopMatcher(sampling.stop);
      let finishReason: GenerationResult['finishReason'] = 'length';
      let stopSequenceMatched = false;
      const lastTokensBefore = (count: number) => generated.slice(Math.max(0, generated.length - count - 8), generated.length - count);
      const evaluationStart = performance.now();
      let previousAt: number | undefined;
      let firstAt: number | undefined;
      const iterator = sequence.evaluate(prompt.slice(reused), {
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        minP: sampling.minP,
        ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
        ...(sampling.presencePenalty !== 0 || sampling.frequencyPenalty !== 0
          ? { repeatPenalty: { punishTokens: () => generated.slice(-64), penalty: 1, presencePenalty: sampling.presencePenalty, frequencyPenalty: sampling.frequencyPenalty } }
          : {}),
        yieldEogToken: true,
      });
      try {
        for await (const token of iterator) {
          const now = performance.now();
          if (firstAt === undefined) {
            firstAt = now;
            timing.firstTokenAt = now;
            metrics?.prompt(prompt.length - reused, (now - evaluationStart) / 1000);
          }
          metrics?.token(previousAt === undefined ? undefined : (now - previousAt) / 1000);
          previousAt = now;
          generated.push(token);
          // llama-server counts the end-of-generation token as a predicted token; so do we.
          if (model.isEogToken(token)) {
            finishReason = 'stop';
            break;
          }
          pending.push(token);
          const piece = model.detokenize(pending, false, lastTokensBefore(pending.length));
          // An incomplete UTF-8 character decodes to U+FFFD: wait for the next token to finish it.
          if (piece.endsWith('\uFFFD') && pending.length < 4 && generated.length < maxTokens) continue;
          pending = [];
          const { text, stopped } = stops.push(piece);
          if (text !== '') yield text;
          if (stopped) {
            finishReason = 'stop';
            stopSequenceMatched = true;
            break;
          }
          if (generated.length >= maxTokens) break;
        }
        if (!stopSequenceMatched) {
          // Text held back as the possible start of a stop sequence (or of a character) is the answer's end.
          const { text, stopped } = pending.length > 0 ? stops.push(model.detokenize(pending, false, lastTokensBefore(pending.length + 1))) : { text: '', stopped: false };
          if (text !== '') yield text;
          const rest = stopped ? '' : stops.flush();
          if (rest !== '') yield rest;
        }
      } finally {
        await iterator.return(undefined);
        if (firstAt !== undefined && previousAt !== undefined) metrics?.generation((previousAt - firstAt) / 1000);
        metrics?.positions(prompt.length + generated.length);
      }
      return { promptTokens: prompt.length, completionTokens: generated.length, finishReason };
    } finally {
      lease.release();
    }
  }

  let closed = false;
  return {
    info,
    pool,
    kvTokens: () => sequences.reduce((sum, sequence) => sum + (sequence.disposed ? 0 : sequence.nextTokenIndex), 0),
    tokenizeChat,
    // Special tokens in a completion prompt are parsed, as llama-server does: a raw chat prompt works.
    tokenizeText: (text) => withBos(model.tokenize(text, true)),
    checkTokens(tokens) {
      const bad = tokens.findIndex((token) => token >= vocabularySize);
      if (bad !== -1) throw new OpenAiError(400, `prompt.${bad}: token id ${tokens[bad]} is outside the vocabulary (0–${vocabularySize - 1}).`, 'invalid_request_error', `prompt.${bad}`);
      return tokens as Token[];
    },
    generate,
    async close() {
      if (closed) return;
      closed = true;
      pool.close(new OpenAiError(503, 'The runtime is shutting down.', 'unavailable_error'));
      await context.dispose();
      await model.dispose();
    },
  };
}
