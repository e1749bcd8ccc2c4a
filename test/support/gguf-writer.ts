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

/**
 * A tiny llama-architecture model's metadata and tensor layout (random-free: zero weights),
 * shaped like llama.cpp's own conversions. `layers`, `heads`, … are small by default.
 */
export function tinyLlamaGguf(options: {
  name?: string;
  layers?: number;
  embedding?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
  vocab?: number;
  contextLength?: number;
  fileType?: number;
  weightType?: string;
} = {}): GgufWriterInput {
  const layers = options.layers ?? 2;
  const embedding = options.embedding ?? 64;
  const heads = options.heads ?? 4;
  const kvHeads = options.kvHeads ?? 2;
  const feedForward = options.feedForward ?? 128;
  const vocab = options.vocab ?? 32;
  const headDim = embedding / heads;
  const weightType = options.weightType ?? 'F16';
  const tokens = Array.from({ length: vocab }, (_, index) => (index < 3 ? ['<unk>', '<s>', '</s>'][index]! : `tok${index}`));
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
      ['tokenizer.ggml.model', gguf.str('llama')],
      ['tokenizer.ggml.tokens', gguf.array('string', tokens)],
      ['tokenizer.ggml.scores', gguf.array('float32', tokens.map(() => 0))],
      ['tokenizer.ggml.token_type', gguf.array('int32', tokens.map((_, index) => (index < 3 ? 3 : 1)))],
      ['tokenizer.ggml.bos_token_id', gguf.u32(1)],
      ['tokenizer.ggml.eos_token_id', gguf.u32(2)],
      ['tokenizer.ggml.add_bos_token', gguf.bool(true)],
    ],
    tensors,
  };
}
