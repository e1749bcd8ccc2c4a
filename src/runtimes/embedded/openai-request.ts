import { z } from 'zod';

/**
 * The OpenAI request bodies the embedded runtime accepts, parsed into what the engine needs.
 *
 * Unknown fields are ignored, not refused: OpenAI clients send fields this runtime has no use
 * for (`user`, `store`, `metadata`, …) and llama-server ignores them too. Fields that would change
 * the answer in a way this runtime cannot honour (`n` > 1, tools, images, JSON mode, logprobs,
 * echo, suffix) are refused with a 400 that names them, never silently dropped.
 */

/** An error in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiError';
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Sampling and stopping, after defaults (llama-server's: temperature 0.8, top_k 40, top_p 0.95, min_p 0.05). */
export interface SamplingParams {
  /** Undefined: until the context is full. */
  maxTokens: number | undefined;
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  seed: number | undefined;
  stop: string[];
  presencePenalty: number;
  frequencyPenalty: number;
}

export interface ParsedRequest {
  sampling: SamplingParams;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with empty choices and the usage. */
  includeUsage: boolean;
  /** The `model` the client named (echoed only if it is this runtime's; see the server). */
  model: string | undefined;
}

export interface ParsedChatRequest extends ParsedRequest {
  messages: ChatMessage[];
}

export interface ParsedCompletionRequest extends ParsedRequest {
  /** Text, or token ids (llama-server accepts both). */
  prompt: string | number[];
}

const MAX_STOP_SEQUENCES = 16;

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const contentPart = z.object({ type: z.string() }).passthrough();

const messageSchema = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  tool_calls: z.array(z.unknown()).optional(),
});

const commonFields = {
  model: z.string().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().min(0).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(MAX_STOP_SEQUENCES)]).nullish(),
  n: z.number().int().min(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.union([z.boolean(), z.number()]).nullish(),
};

const chatSchema = z.object({
  ...commonFields,
  messages: z.array(messageSchema).min(1, 'messages must hold at least one message'),
  max_completion_tokens: z.number().int().min(0).nullish(),
  tools: z.array(z.unknown()).nullish(),
  functions: z.array(z.unknown()).nullish(),
  response_format: z.object({ type: z.string() }).passthrough().nullish(),
  top_logprobs: z.number().int().nullish(),
});

const completionSchema = z.object({
  ...commonFields,
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number().int().min(0))]),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().nullish(),
});

function paramOf(path: PropertyKey[]): string | null {
  return path.length > 0 ? path.map(String).join('.') : null;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OpenAiError(400, 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = paramOf(issue.path);
    throw new OpenAiError(400, `${param ? `${param}: ` : ''}${issue.message}`, 'invalid_request_error', param);
  }
  return result.data;
}

function unsupported(param: string, message: string): OpenAiError {
  return new OpenAiError(400, message, 'invalid_request_error', param, 'unsupported_parameter');
}

type Common = z.infer<z.ZodObject<typeof commonFields>>;

function commonOf(body: Common, maxTokens: number | null | undefined): ParsedRequest {
  if ((body.n ?? 1) !== 1) throw unsupported('n', 'n: this runtime returns one choice per request; send n = 1 or leave it out.');
  if (body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false) {
    throw unsupported('logprobs', 'logprobs: this runtime does not return log probabilities.');
  }
  if (!body.stream && body.stream_options) {
    throw new OpenAiError(400, 'stream_options: only allowed when stream is true.', 'invalid_request_error', 'stream_options');
  }
  const stop = body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    sampling: {
      // max_tokens 0 means "no limit" to llama-server; OpenAI refuses it. Treat it as no limit.
      maxTokens: maxTokens === null || maxTokens === undefined || maxTokens === 0 ? undefined : maxTokens,
      temperature: body.temperature ?? 0.8,
      topP: body.top_p ?? 0.95,
      topK: body.top_k ?? 40,
      minP: body.min_p ?? 0.05,
      seed: body.seed ?? undefined,
      stop: stop.filter((sequence) => sequence.length > 0),
      presencePenalty: body.presence_penalty ?? 0,
      frequencyPenalty: body.frequency_penalty ?? 0,
    },
    stream: body.stream ?? false,
    includeUsage: Boolean(body.stream && body.stream_options?.include_usage),
    model: body.model,
  };
}

const ROLES: Record<string, ChatMessage['role']> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' };

function contentOf(message: z.infer<typeof messageSchema>, index: number): string {
  const { content } = message;
  if (content === undefined || content === null) {
    if (message.role === 'assistant') return '';
    throw new OpenAiError(400, `messages.${index}.content: required for a ${message.role} message.`, 'invalid_request_error', `messages.${index}.content`);
  }
  if (typeof content === 'string') return content;
  return content
    .map((part, partIndex) => {
      const text = textPart.safeParse(part);
      if (!text.success) {
        throw unsupported(`messages.${index}.content.${partIndex}`, `messages.${index}.content.${partIndex}: content parts of type "${part.type}" are not supported; this runtime takes text only.`);
      }
      return text.data.text;
    })
    .join('');
}

export function parseChatRequest(body: unknown): ParsedChatRequest {
  const parsed = parse(chatSchema, body);
  if (parsed.tools?.length || parsed.functions?.length) throw unsupported(parsed.tools?.length ? 'tools' : 'functions', 'tools: this runtime does not call tools.');
  if (parsed.response_format && parsed.response_format.type !== 'text') {
    throw unsupported('response_format', `response_format: type "${parsed.response_format.type}" is not supported; this runtime answers plain text.`);
  }
  const messages = parsed.messages.map((message, index): ChatMessage => {
    const role = ROLES[message.role];
    if (!role) {
      throw new OpenAiError(
        400,
        `messages.${index}.role: "${message.role}" is not supported; use system, developer, user or assistant.`,
        'invalid_request_error',
        `messages.${index}.role`,
      );
    }
    if (message.tool_calls?.length) throw unsupported(`messages.${index}.tool_calls`, `messages.${index}.tool_calls: this runtime does not call tools.`);
    return { role, content: contentOf(message, index) };
  });
  return { ...commonOf(parsed, parsed.max_completion_tokens ?? parsed.max_tokens), messages };
}

export function parseCompletionRequest(body: unknown): ParsedCompletionRequest {
  const parsed = parse(completionSchema, body);
  if (parsed.echo) throw unsupported('echo', 'echo: this runtime does not echo the prompt.');
  if (parsed.suffix) throw unsupported('suffix', 'suffix: this runtime does not fill in the middle.');
  if ((parsed.best_of ?? 1) !== 1) throw unsupported('best_of', 'best_of: this runtime generates one completion per request.');
  let prompt: string | number[];
  if (typeof parsed.prompt === 'string') prompt = parsed.prompt;
  else if (parsed.prompt.length > 0 && typeof parsed.prompt[0] === 'number') prompt = parsed.prompt as number[];
  else if (parsed.prompt.length === 1) prompt = parsed.prompt[0] as string;
  else throw unsupported('prompt', 'prompt: send one prompt per request (a string, a list of one string, or a list of token ids).');
  return { ...commonOf(parsed, parsed.max_tokens), prompt };
}
