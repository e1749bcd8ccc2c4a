import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildGguf, tinyLlamaGguf, TOKEN_TYPES, type GgufTokenizer } from './gguf-writer.js';

/**
 * A real, tiny chat model made at test time (never downloaded): llama architecture, 2 layers,
 * width 64, F32, about 0.45 MB. llama.cpp loads it in milliseconds, and its weights make every
 * chat answer one fixed sentence, so tests can assert what a runtime says.
 *
 * How the weights do it:
 * - the attention and feed-forward output matrices are zero, so the residual stream after both
 *   layers is just the current token's embedding (the layers still run on seeded noise);
 * - each answer token has its own one-hot direction in the embedding (plus tiny noise), and every
 *   other token — the byte tokens, `<|im_start|>`, `<|im_end|>` — shares one "start" direction;
 * - the output matrix maps the start direction to the first answer token, each answer token's
 *   direction to the next answer token, and the last one to `<|im_end|>` (the EOS). With RMS norm
 *   the hidden state is 8·(one-hot), so the chosen logit is 8·GAIN = 80 and every other logit is
 *   about 0: sampling at any temperature picks it (e^-80 is beyond float rounding).
 *
 * So after any prompt — a ChatML prompt ends with `<|im_start|>assistant\n`, a completion prompt
 * ends with some byte — the model says ANSWER and stops. The `endless` variant maps the last answer
 * token back to the first, so it repeats the sentence until `max_tokens`.
 *
 * Tokenizer: SentencePiece ('llama') with the 256 `<0xXX>` byte tokens, `▁` for spaces, the two
 * ChatML control tokens and one token per answer word. `add_space_prefix` is off, so prompt text
 * tokenizes to exactly its bytes (and `▁` for each space).
 */

export const TINY_MODEL_ANSWER = 'Hello from the H-MAS test model.';
/** The answer as the model's tokens (SentencePiece writes a leading space as ▁). */
const ANSWER_PIECES = ['Hello', '▁from', '▁the', '▁H-MAS', '▁test', '▁model', '.'];
/** Completion tokens of one full answer (the EOS is not counted, as in llama.cpp and OpenAI). */
export const TINY_MODEL_ANSWER_TOKENS = ANSWER_PIECES.length;

/** The ChatML template of Qwen and many others; llama.cpp recognises it as "chatml". */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const EMBEDDING = 64;
const GAIN = 10;
const EMBEDDING_NOISE = 0.01;
const WEIGHT_NOISE = 0.02;

export interface TinyModelOptions {
  /** 'chat' answers TINY_MODEL_ANSWER and stops; 'endless' repeats it forever. */
  variant?: 'chat' | 'endless';
  /** `general.name`. */
  name?: string;
  /** Seed of the noise; the same seed gives the same bytes. */
  seed?: number;
  /** `llama.context_length`, the context it was "trained" with (default 4096). */
  contextLength?: number;
}

/** mulberry32: a small seeded PRNG, so the file is the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tokenizer(): GgufTokenizer & { ids: { imStart: number; imEnd: number; answer: number[] } } {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TOKEN_TYPES.unknown, TOKEN_TYPES.control, TOKEN_TYPES.control];
  for (let byte = 0; byte < 256; byte += 1) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPES.byte);
  }
  tokens.push('▁');
  types.push(TOKEN_TYPES.normal);
  const imStart = tokens.push('<|im_start|>') - 1;
  const imEnd = tokens.push('<|im_end|>') - 1;
  types.push(TOKEN_TYPES.control, TOKEN_TYPES.control);
  const answer = ANSWER_PIECES.map((piece) => {
    types.push(TOKEN_TYPES.normal);
    return tokens.push(piece) - 1;
  });
  return {
    model: 'llama',
    tokens,
    tokenTypes: types,
    // SentencePiece merges prefer higher scores; only the words and ▁ are multi-byte pieces.
    scores: tokens.map((_, id) => (types[id] === TOKEN_TYPES.normal ? -1 : 0)),
    bos: 1,
    eos: imEnd,
    unknown: 0,
    padding: 0,
    addBos: false,
    addEos: false,
    addSpacePrefix: false,
    chatTemplate: CHATML_TEMPLATE,
    ids: { imStart, imEnd, answer },
  };
}

/** The bytes of the tiny model's GGUF file. */
export function buildTinyModel(options: TinyModelOptions = {}): Buffer {
  const variant = options.variant ?? 'chat';
  const random = prng(options.seed ?? 20_240_601);
  const noise = (scale: number) => (random() * 2 - 1) * scale;
  const vocab = tokenizer();
  const { answer, imEnd } = vocab.ids;
  // Direction 0 is "start"; answer token i owns direction i + 1.
  const directionOf = (token: number) => answer.indexOf(token) + 1;
  // The token that should follow whatever sits on each direction.
  const nextOn = [answer[0]!, ...answer.slice(1), variant === 'endless' ? answer[0]! : imEnd];

  const weights = (name: string, dims: number[]): number[] | undefined => {
    const [rowLength, rows = 1] = dims as [number, number?];
    const matrix = (value: (row: number, column: number) => number) =>
      Array.from({ length: rows * rowLength }, (_, index) => value(Math.floor(index / rowLength), index % rowLength));
    if (name.endsWith('norm.weight')) return matrix(() => 1);
    if (name === 'token_embd.weight') return matrix((token, column) => (column === directionOf(token) ? 1 : 0) + noise(EMBEDDING_NOISE));
    if (name === 'output.weight') return matrix((token, column) => (nextOn[column] === token ? GAIN : 0) + noise(EMBEDDING_NOISE));
    // Zero outputs keep the residual stream equal to the token embedding.
    if (name.endsWith('attn_output.weight') || name.endsWith('ffn_down.weight')) return undefined;
    return matrix(() => noise(WEIGHT_NOISE));
  };

  const input = tinyLlamaGguf({
    name: options.name ?? (variant === 'endless' ? 'H-MAS tiny test model (endless)' : 'H-MAS tiny test model'),
    layers: 2,
    embedding: EMBEDDING,
    heads: 4,
    kvHeads: 4,
    feedForward: 128,
    contextLength: options.contextLength ?? 4096,
    fileType: 0, // all F32
    weightType: 'F32',
    tokenizer: vocab,
    weights,
  });
  return buildGguf(input);
}

/** Writes the tiny model to `path`. */
export async function writeTinyModel(path: string, options: TinyModelOptions = {}): Promise<void> {
  await writeFile(path, buildTinyModel(options));
}

/**
 * A new temporary directory for model files that replicas load. As root, replicas run as the
 * runtime user (HMAS_RUNTIME_USER, default nobody), which cannot enter mkdtemp's 0700 directories:
 * like an operator's model folder, this one is 0755.
 */
export async function modelDirForRuntimes(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}
