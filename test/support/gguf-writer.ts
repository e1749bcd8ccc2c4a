import { writeFile } from 'node:fs/promises';
import {
  alignOffset,
  GGML_TYPE_IDS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_VALUE_TYPES,
  ggmlTensorBytes,
  type GgufValueTypeName,
} from '../../src/services/models/gguf-format.js';

/**
 * A small GGUF (v3) writer for tests: metadata of every value type, tensor infos and aligned
 * tensor data. Values carry their GGUF type explicitly, so a test can write exactly the bytes
 * llama.cpp would (a uint32 is not an int64). Meant to grow into writing real tiny models: give
 * tensors real `data` and it lays them out the way ggml reads them.
 */

export type GgufWriterScalar =
  | { type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64'; value: number }
  | { type: 'uint64' | 'int64'; value: number | bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string };
export type GgufWriterValue = GgufWriterScalar | { type: 'array'; itemType: Exclude<GgufValueTypeName, 'array'>; values: Array<GgufWriterScalar['value']> } | { type: 'array'; itemType: 'array'; values: GgufWriterValue[] };

/** Shorthands: `gguf.u32(24)`, `gguf.str('llama')`, `gguf.array('string', ['a', 'b'])`. */
export const gguf = {
  u8: (value: number): GgufWriterValue => ({ type: 'uint8', value }),
  i8: (value: number): GgufWriterValue => ({ type: 'int8', value }),
  u16: (value: number): GgufWriterValue => ({ type: 'uint16', value }),
  i16: (value: number): GgufWriterValue => ({ type: 'int16', value }),
  u32: (value: number): GgufWriterValue => ({ type: 'uint32', value }),
  i32: (value: number): GgufWriterValue => ({ type: 'int32', value }),
  f32: (value: number): GgufWriterValue => ({ type: 'float32', value }),
  f64: (value: number): GgufWriterValue => ({ type: 'float64', value }),
  u64: (value: number | bigint): GgufWriterValue => ({ type: 'uint64', value }),
  i64: (value: number | bigint): GgufWriterValue => ({ type: 'int64', value }),
  bool: (value: boolean): GgufWriterValue => ({ type: 'bool', value }),
  str: (value: string): GgufWriterValue => ({ type: 'string', value }),
  array: (itemType: Exclude<GgufValueTypeName, 'array'>, values: Array<GgufWriterScalar['value']>): GgufWriterValue => ({ type: 'array', itemType, values }),
};

export interface GgufWriterTensor {
  name: string;
  /** ggml order: dims[0] is the row length (the fastest-moving dimension). */
  dims: number[];
  /** ggml type name ('F32', 'Q4_K', …) or id. */
  type: string | number;
  /** Raw tensor bytes; zeros of the right size when omitted. */
  data?: Uint8Array;
}

export interface GgufWriterInput {
  metadata: Array<[string, GgufWriterValue]> | Record<string, GgufWriterValue>;
  tensors: GgufWriterTensor[];
  /** Defaults to general.alignment when present, else 32. */
  alignment?: number;
  version?: 2 | 3;
  /**
   * 'full' writes tensor data; 'header' stops after the padding before it (what a server holds
   * when only the header of a large file matters).
   */
  contents?: 'full' | 'header';
  /** Big-endian files (s390x builds of llama.cpp) keep the magic bytes but flip every number. */
  bigEndian?: boolean;
}

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly le: boolean) {}

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  private scalar(width: number, write: (view: DataView) => void): void {
    const bytes = new Uint8Array(width);
    write(new DataView(bytes.buffer));
    this.push(bytes);
  }
  raw(bytes: Uint8Array): void {
    this.push(bytes);
  }
  zeros(count: number): void {
    if (count > 0) this.push(new Uint8Array(count));
  }
  u8(value: number): void {
    this.scalar(1, (view) => view.setUint8(0, value));
  }
  i8(value: number): void {
    this.scalar(1, (view) => view.setInt8(0, value));
  }
  u16(value: number): void {
    this.scalar(2, (view) => view.setUint16(0, value, this.le));
  }
  i16(value: number): void {
    this.scalar(2, (view) => view.setInt16(0, value, this.le));
  }
  u32(value: number): void {
    this.scalar(4, (view) => view.setUint32(0, value, this.le));
  }
  i32(value: number): void {
    this.scalar(4, (view) => view.setInt32(0, value, this.le));
  }
  f32(value: number): void {
    this.scalar(4, (view) => view.setFloat32(0, value, this.le));
  }
  f64(value: number): void {
    this.scalar(8, (view) => view.setFloat64(0, value, this.le));
  }
  u64(value: number | bigint): void {
    this.scalar(8, (view) => view.setBigUint64(0, BigInt(value), this.le));
  }
  i64(value: number | bigint): void {
    this.scalar(8, (view) => view.setBigInt64(0, BigInt(value), this.le));
  }
  string(value: string): void {
    const bytes = this.encoder.encode(value);
    this.u64(bytes.length);
    this.push(bytes);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeScalar(out: ByteWriter, type: Exclude<GgufValueTypeName, 'array'>, value: GgufWriterScalar['value']): void {
  switch (type) {
    case 'uint8':
      return out.u8(Number(value));
    case 'int8':
      return out.i8(Number(value));
    case 'uint16':
      return out.u16(Number(value));
    case 'int16':
      return out.i16(Number(value));
    case 'uint32':
      return out.u32(Number(value));
    case 'int32':
      return out.i32(Number(value));
    case 'float32':
      return out.f32(Number(value));
    case 'float64':
      return out.f64(Number(value));
    case 'uint64':
      return out.u64(value as number | bigint);
    case 'int64':
      return out.i64(value as number | bigint);
    case 'bool':
      return out.u8(value ? 1 : 0);
    case 'string':
      return out.string(String(value));
  }
}

function writeValue(out: ByteWriter, value: GgufWriterValue): void {
  if (value.type !== 'array') return writeScalar(out, value.type, value.value);
  out.u32(GGUF_VALUE_TYPES[value.itemType]);
  out.u64(value.values.length);
  if (value.itemType === 'array') {
    for (const inner of value.values as GgufWriterValue[]) writeValue(out, inner);
    return;
  }
  for (const item of value.values as Array<GgufWriterScalar['value']>) writeScalar(out, value.itemType, item);
}

function typeIdOf(type: string | number): number {
  if (typeof type === 'number') return type;
  const id = GGML_TYPE_IDS[type];
  if (id === undefined) throw new Error(`unknown ggml type ${type}`);
  return id;
}

/** The bytes of a GGUF file. */
export function buildGguf(input: GgufWriterInput): Buffer {
  const entries = Array.isArray(input.metadata) ? input.metadata : Object.entries(input.metadata);
  const alignmentEntry = entries.find(([key]) => key === 'general.alignment')?.[1];
  const alignment = input.alignment ?? (alignmentEntry && alignmentEntry.type === 'uint32' ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT);
  const out = new ByteWriter(!input.bigEndian);
  out.raw(new TextEncoder().encode('GGUF')); // the magic is bytes, not a number: the same in both byte orders
  out.u32(input.version ?? 3);
  out.u64(input.tensors.length);
  out.u64(entries.length);
  for (const [key, value] of entries) {
    out.string(key);
    out.u32(GGUF_VALUE_TYPES[value.type]);
    writeValue(out, value);
  }

  // Each tensor's data starts at an aligned offset inside the data section, as ggml lays it out.
  let offset = 0;
  const layout = input.tensors.map((tensor) => {
    const type = typeIdOf(tensor.type);
    const elements = tensor.dims.reduce((product, dim) => product * dim, 1);
    const bytes = ggmlTensorBytes(type, elements);
    if (bytes === undefined) throw new Error(`no size known for ggml type ${tensor.type}`);
    if (tensor.data && tensor.data.length !== bytes) throw new Error(`tensor ${tensor.name}: ${tensor.data.length} bytes of data, its type needs ${bytes}`);
    const at = offset;
    offset = alignOffset(offset + bytes, alignment);
    return { tensor, type, bytes, at };
  });
  for (const { tensor, type, at } of layout) {
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(type);
    out.u64(at);
  }
  out.zeros(alignOffset(out.length, alignment) - out.length);
  if (input.contents === 'header') return out.toBuffer();

  const dataStart = out.length;
  for (const { tensor, bytes, at } of layout) {
    out.zeros(dataStart + at - out.length);
    if (tensor.data) out.raw(tensor.data);
    else out.zeros(bytes);
  }
  out.zeros(alignOffset(out.length - dataStart, alignment) - (out.length - dataStart));
  return out.toBuffer();
}

export async function writeGgufFile(path: string, input: GgufWriterInput): Promise<void> {
  await writeFile(path, buildGguf(input));
}

/** Tensor data for an F32 tensor: little-endian float32s, as ggml reads them. */
export function f32Data(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index]!, true);
  return bytes;
}

/** IEEE 754 half precision bits of a number, rounded to nearest even (numpy's astype(float16)). */
export function toHalfBits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  if (exponent >= 0x1f) return sign | 0x7c00; // overflow: Inf
  // Normal halves keep 10 mantissa bits; subnormal ones shift the implicit 1 in as well.
  const [base, shift] = exponent > 0 ? [(exponent << 10) | (mantissa >>> 13), 13] : [0, 14 - exponent];
  if (exponent <= 0 && shift > 24) return sign; // underflow: zero
  const full = exponent > 0 ? mantissa : mantissa | 0x800000;
  const half = exponent > 0 ? base : full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa bumps the exponent, which is the right answer.
  return sign | (half + (rest > halfway || (rest === halfway && (half & 1) === 1) ? 1 : 0));
}

/** Tensor data for an F16 tensor: little-endian half floats. */
export function f16Data(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index += 1) view.setUint16(index * 2, toHalfBits(values[index]!), true);
  return bytes;
}

/** llama.cpp's token types (enum llama_token_type, `tokenizer.ggml.token_type`). */
export const TOKEN_TYPES = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** A tokenizer to write into a model: the `tokenizer.ggml.*` keys. */
export interface GgufTokenizer {
  /** `tokenizer.ggml.model`: 'llama' (SentencePiece with <0xXX> byte tokens) or 'gpt2' (byte-level BPE). */
  model: 'llama' | 'gpt2';
  tokens: string[];
  tokenTypes: number[];
  scores?: number[];
  /** BPE merges ("a b"); required for 'gpt2'. */
  merges?: string[];
  /** `tokenizer.ggml.pre` for 'gpt2' (e.g. 'default'). */
  pre?: string;
  bos: number;
  eos: number;
  unknown?: number;
  padding?: number;
  addBos?: boolean;
  addEos?: boolean;
  /** SentencePiece: prefix the text (and the text after each special token) with a space. */
  addSpacePrefix?: boolean;
  chatTemplate?: string;
}

function tokenizerMetadata(tokenizer: GgufTokenizer): Array<[string, GgufWriterValue]> {
  if (tokenizer.tokenTypes.length !== tokenizer.tokens.length) throw new Error('tokenizer: one token type per token');
  const entries: Array<[string, GgufWriterValue]> = [
    ['tokenizer.ggml.model', gguf.str(tokenizer.model)],
    ...(tokenizer.pre !== undefined ? [['tokenizer.ggml.pre', gguf.str(tokenizer.pre)] as [string, GgufWriterValue]] : []),
    ['tokenizer.ggml.tokens', gguf.array('string', tokenizer.tokens)],
    ['tokenizer.ggml.scores', gguf.array('float32', tokenizer.scores ?? tokenizer.tokens.map(() => 0))],
    ['tokenizer.ggml.token_type', gguf.array('int32', tokenizer.tokenTypes)],
  ];
  if (tokenizer.merges) entries.push(['tokenizer.ggml.merges', gguf.array('string', tokenizer.merges)]);
  entries.push(['tokenizer.ggml.bos_token_id', gguf.u32(tokenizer.bos)], ['tokenizer.ggml.eos_token_id', gguf.u32(tokenizer.eos)]);
  if (tokenizer.unknown !== undefined) entries.push(['tokenizer.ggml.unknown_token_id', gguf.u32(tokenizer.unknown)]);
  if (tokenizer.padding !== undefined) entries.push(['tokenizer.ggml.padding_token_id', gguf.u32(tokenizer.padding)]);
  entries.push(['tokenizer.ggml.add_bos_token', gguf.bool(tokenizer.addBos ?? true)]);
  if (tokenizer.addEos !== undefined) entries.push(['tokenizer.ggml.add_eos_token', gguf.bool(tokenizer.addEos)]);
  if (tokenizer.addSpacePrefix !== undefined) entries.push(['tokenizer.ggml.add_space_prefix', gguf.bool(tokenizer.addSpacePrefix)]);
  if (tokenizer.chatTemplate !== undefined) entries.push(['tokenizer.chat_template', gguf.str(tokenizer.chatTemplate)]);
  return entries;
}

/**
 * A tiny llama-architecture model's metadata and tensor layout, shaped like llama.cpp's own
 * conversions. `layers`, `heads`, … are small by default. Without `weights` every tensor is
 * zeros (enough for header readers); with `weights` and a real `tokenizer` llama.cpp loads and
 * runs it (see tiny-model.ts).
 */
export function tinyLlamaGguf(options: {
  name?: string;
  layers?: number;
  embedding?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
  /** Vocabulary size when no `tokenizer` is given (tokens `tok3`, `tok4`, …). */
  vocab?: number;
  contextLength?: number;
  fileType?: number;
  /** Type of the weight matrices: 'F16' by default; 'F32' or 'F16' when `weights` are given. */
  weightType?: string;
  tokenizer?: GgufTokenizer;
  /**
   * The values of a tensor (row-major in ggml order: `dims[0]` values per row), or undefined for
   * zeros. Norm weights are F32; the matrices take `weightType`.
   */
  weights?: (name: string, dims: number[]) => ArrayLike<number> | undefined;
  /** More metadata, appended after the generated keys. */
  metadata?: Array<[string, GgufWriterValue]>;
} = {}): GgufWriterInput {
  const layers = options.layers ?? 2;
  const embedding = options.embedding ?? 64;
  const heads = options.heads ?? 4;
  const kvHeads = options.kvHeads ?? 2;
  const feedForward = options.feedForward ?? 128;
  const headDim = embedding / heads;
  const weightType = options.weightType ?? 'F16';
  const tokenizer: GgufTokenizer = options.tokenizer ?? {
    model: 'llama',
    tokens: Array.from({ length: options.vocab ?? 32 }, (_, index) => (index < 3 ? ['<unk>', '<s>', '</s>'][index]! : `tok${index}`)),
    tokenTypes: Array.from({ length: options.vocab ?? 32 }, (_, index) => (index < 3 ? TOKEN_TYPES.control : TOKEN_TYPES.normal)),
    bos: 1,
    eos: 2,
    addBos: true,
  };
  const vocab = tokenizer.tokens.length;
  const tensors: GgufWriterTensor[] = [
    { name: 'token_embd.weight', dims: [embedding, vocab], type: weightType },
    { name: 'output_norm.weight', dims: [embedding], type: 'F32' },
    { name: 'output.weight', dims: [embedding, vocab], type: weightType },
  ];
  for (let layer = 0; layer < layers; layer += 1) {
    tensors.push(
      { name: `blk.${layer}.attn_norm.weight`, dims: [embedding], type: 'F32' },
      { name: `blk.${layer}.attn_q.weight`, dims: [embedding, embedding], type: weightType },
      { name: `blk.${layer}.attn_k.weight`, dims: [embedding, kvHeads * headDim], type: weightType },
      { name: `blk.${layer}.attn_v.weight`, dims: [embedding, kvHeads * headDim], type: weightType },
      { name: `blk.${layer}.attn_output.weight`, dims: [embedding, embedding], type: weightType },
      { name: `blk.${layer}.ffn_norm.weight`, dims: [embedding], type: 'F32' },
      { name: `blk.${layer}.ffn_gate.weight`, dims: [embedding, feedForward], type: weightType },
      { name: `blk.${layer}.ffn_up.weight`, dims: [embedding, feedForward], type: weightType },
      { name: `blk.${layer}.ffn_down.weight`, dims: [feedForward, embedding], type: weightType },
    );
  }
  if (options.weights) {
    for (const tensor of tensors) {
      const values = options.weights(tensor.name, tensor.dims);
      if (values === undefined) continue;
      const expected = tensor.dims.reduce((product, dim) => product * dim, 1);
      if (values.length !== expected) throw new Error(`tensor ${tensor.name}: ${values.length} values, its shape needs ${expected}`);
      if (tensor.type === 'F32') tensor.data = f32Data(values);
      else if (tensor.type === 'F16') tensor.data = f16Data(values);
      else throw new Error(`tensor ${tensor.name}: values can be written as F32 or F16, not ${tensor.type}`);
    }
  }
  return {
    metadata: [
      ['general.architecture', gguf.str('llama')],
      ['general.name', gguf.str(options.name ?? 'Tiny Llama Test')],
      ['general.file_type', gguf.u32(options.fileType ?? 1)],
      ['general.quantization_version', gguf.u32(2)],
      ['general.alignment', gguf.u32(32)],
      ['llama.context_length', gguf.u32(options.contextLength ?? 2048)],
      ['llama.embedding_length', gguf.u32(embedding)],
      ['llama.block_count', gguf.u32(layers)],
      ['llama.feed_forward_length', gguf.u32(feedForward)],
      ['llama.rope.dimension_count', gguf.u32(headDim)],
      ['llama.attention.head_count', gguf.u32(heads)],
      ['llama.attention.head_count_kv', gguf.u32(kvHeads)],
      ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
      ['llama.rope.freq_base', gguf.f32(10000)],
      ...tokenizerMetadata(tokenizer),
      ...(options.metadata ?? []),
    ],
    tensors,
  };
}
