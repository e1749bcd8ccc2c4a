import { open } from 'node:fs/promises';
import { AppError } from '../../lib/errors.js';
import {
  alignOffset,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_SCALAR_SIZES,
  GGUF_SUPPORTED_VERSIONS,
  GGUF_VALUE_TYPE_NAMES,
  ggmlTensorBytes,
  LLAMA_FILE_TYPES,
  type GgufValueTypeName,
} from './gguf-format.js';

/**
 * A reader of the start of GGUF files: header, metadata and tensor infos. It never reads tensor
 * data, so a 40 GB file costs a few megabytes of reads (the tokenizer arrays dominate).
 */

/** Random access to bytes: a local file or a remote one read with HTTP ranges. */
export interface ByteSource {
  /** Total size in bytes, when known. */
  readonly size: number | undefined;
  /** Up to `length` bytes from `offset`; fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

export type GgufScalar = number | bigint | boolean | string;
export interface GgufArray {
  type: GgufValueTypeName;
  length: number;
  /** The elements; omitted (with `truncated`) past `maxArrayValues`. */
  values: GgufValue[];
  truncated: boolean;
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufMetadataEntry {
  type: GgufValueTypeName;
  value: GgufValue;
}

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  typeName: string;
  /** Offset from the start of the data section. */
  offset: number;
  elements: number;
  /** Bytes of data; undefined for a type this reader does not know. */
  bytes: number | undefined;
}

export interface GgufHeader {
  version: number;
  littleEndian: boolean;
  metadata: Map<string, GgufMetadataEntry>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  /** Size of the whole source, when known. */
  fileSize: number | undefined;
}

export type GgufErrorCode = 'GGUF_NOT_GGUF' | 'GGUF_TRUNCATED' | 'GGUF_UNSUPPORTED_VERSION' | 'GGUF_INVALID';

/** A file that is not a readable GGUF file: always the caller's input, so a 400. */
export class GgufError extends AppError {
  constructor(code: GgufErrorCode, message: string) {
    super(code, message, { statusCode: 400 });
  }
}

export interface ReadGgufOptions {
  /** Array elements kept per array; longer arrays keep their length only (default 4096). */
  maxArrayValues?: number;
  /** Stop with GGUF_INVALID past this many header bytes (default 256 MiB). */
  maxHeaderBytes?: number;
  /** First read size; later reads double up to 16 MiB (default 1 MiB). */
  chunkBytes?: number;
}

// Sanity limits: a corrupt or hostile header must fail cleanly, not allocate gigabytes.
const MAX_STRING_BYTES = 64 * 1024 * 1024;
const MAX_ARRAY_LENGTH = 1 << 30;
const MAX_TENSORS = 1 << 20;
const MAX_METADATA_ENTRIES = 1 << 20;
const MAX_DIMS = 8;

/** Sequential reads over a ByteSource with a growing read-ahead buffer. */
class Cursor {
  private buffer = new Uint8Array(0);
  private bufferStart = 0;
  private chunk: number;
  position = 0;
  littleEndian = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    private readonly source: ByteSource,
    chunkBytes: number,
    private readonly maxBytes: number,
  ) {
    this.chunk = chunkBytes;
  }

  private async ensure(count: number): Promise<void> {
    const end = this.position + count;
    if (end > this.maxBytes) throw new GgufError('GGUF_INVALID', `The GGUF header is larger than ${this.maxBytes} bytes; the file looks corrupt.`);
    if (end <= this.bufferStart + this.buffer.length) return;
    const keepFrom = Math.max(0, this.position - this.bufferStart);
    let kept = this.buffer.subarray(keepFrom);
    const start = this.bufferStart + keepFrom;
    while (start + kept.length < end) {
      const want = Math.max(this.chunk, end - (start + kept.length));
      const got = await this.source.read(start + kept.length, want);
      if (got.length === 0) {
        throw new GgufError('GGUF_TRUNCATED', `The file ends at byte ${start + kept.length}, inside the GGUF header (needed ${end} bytes).`);
      }
      const merged = new Uint8Array(kept.length + got.length);
      merged.set(kept, 0);
      merged.set(got, kept.length);
      kept = merged;
      this.chunk = Math.min(this.chunk * 2, 16 * 1024 * 1024);
    }
    this.buffer = kept;
    this.bufferStart = start;
  }

  private view(count: number): DataView {
    const at = this.position - this.bufferStart;
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + at, count);
    this.position += count;
    return view;
  }

  async bytes(count: number): Promise<Uint8Array> {
    await this.ensure(count);
    const at = this.position - this.bufferStart;
    this.position += count;
    return this.buffer.subarray(at, at + count);
  }

  async u8(): Promise<number> {
    await this.ensure(1);
    return this.view(1).getUint8(0);
  }
  async i8(): Promise<number> {
    await this.ensure(1);
    return this.view(1).getInt8(0);
  }
  async u16(): Promise<number> {
    await this.ensure(2);
    return this.view(2).getUint16(0, this.littleEndian);
  }
  async i16(): Promise<number> {
    await this.ensure(2);
    return this.view(2).getInt16(0, this.littleEndian);
  }
  async u32(): Promise<number> {
    await this.ensure(4);
    return this.view(4).getUint32(0, this.littleEndian);
  }
  async i32(): Promise<number> {
    await this.ensure(4);
    return this.view(4).getInt32(0, this.littleEndian);
  }
  async f32(): Promise<number> {
    await this.ensure(4);
    return this.view(4).getFloat32(0, this.littleEndian);
  }
  async f64(): Promise<number> {
    await this.ensure(8);
    return this.view(8).getFloat64(0, this.littleEndian);
  }
  async u64(): Promise<bigint> {
    await this.ensure(8);
    return this.view(8).getBigUint64(0, this.littleEndian);
  }
  async i64(): Promise<bigint> {
    await this.ensure(8);
    return this.view(8).getBigInt64(0, this.littleEndian);
  }
  /** A uint64 that must fit a JS number (counts, lengths, offsets). */
  async count(what: string, max: number): Promise<number> {
    const value = await this.u64();
    if (value > BigInt(max)) throw new GgufError('GGUF_INVALID', `The GGUF ${what} (${value}) is larger than any sane file has; the file looks corrupt.`);
    return Number(value);
  }
  async string(what: string): Promise<string> {
    const length = await this.count(`${what} length`, MAX_STRING_BYTES);
    return this.decoder.decode(await this.bytes(length));
  }
}

/** 64-bit integers as numbers when exact, as bigint otherwise. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function typeName(id: number, where: string): GgufValueTypeName {
  const name = GGUF_VALUE_TYPE_NAMES[id];
  if (!name) throw new GgufError('GGUF_INVALID', `Unknown GGUF value type ${id} in ${where}; the file looks corrupt.`);
  return name;
}

async function readScalar(cursor: Cursor, type: GgufValueTypeName, key: string): Promise<GgufScalar> {
  switch (type) {
    case 'uint8':
      return cursor.u8();
    case 'int8':
      return cursor.i8();
    case 'uint16':
      return cursor.u16();
    case 'int16':
      return cursor.i16();
    case 'uint32':
      return cursor.u32();
    case 'int32':
      return cursor.i32();
    case 'float32':
      return cursor.f32();
    case 'float64':
      return cursor.f64();
    case 'uint64':
      return narrow(await cursor.u64());
    case 'int64':
      return narrow(await cursor.i64());
    case 'bool': {
      const byte = await cursor.u8();
      if (byte > 1) throw new GgufError('GGUF_INVALID', `The boolean "${key}" holds ${byte}; the file looks corrupt.`);
      return byte === 1;
    }
    case 'string':
      return cursor.string(`value of "${key}"`);
    case 'array':
      throw new GgufError('GGUF_INVALID', `Nested arrays are not valid in "${key}".`);
  }
}

async function readValue(cursor: Cursor, type: GgufValueTypeName, key: string, maxArrayValues: number): Promise<GgufValue> {
  if (type !== 'array') return readScalar(cursor, type, key);
  const elementType = typeName(await cursor.u32(), `the array "${key}"`);
  if (elementType === 'array') {
    // GGUF allows arrays of arrays in principle; llama.cpp never writes them. Read them anyway.
    const length = await cursor.count(`length of "${key}"`, MAX_ARRAY_LENGTH);
    const values: GgufValue[] = [];
    for (let index = 0; index < length; index += 1) {
      const inner = await readValue(cursor, 'array', key, maxArrayValues);
      if (values.length < maxArrayValues) values.push(inner);
    }
    return { type: elementType, length, values, truncated: length > maxArrayValues };
  }
  const length = await cursor.count(`length of "${key}"`, MAX_ARRAY_LENGTH);
  const values: GgufValue[] = [];
  const width = GGUF_SCALAR_SIZES[elementType];
  if (width !== undefined && length > maxArrayValues) {
    // Fixed-width elements past the limit are skipped in one step.
    for (let index = 0; index < maxArrayValues; index += 1) values.push(await readScalar(cursor, elementType, key));
    await cursor.bytes((length - maxArrayValues) * width);
  } else {
    for (let index = 0; index < length; index += 1) {
      const value = await readScalar(cursor, elementType, key);
      if (index < maxArrayValues) values.push(value);
    }
  }
  return { type: elementType, length, values, truncated: length > maxArrayValues };
}

/** Reads header, metadata and tensor infos from the start of a GGUF source. */
export async function readGgufHeader(source: ByteSource, options: ReadGgufOptions = {}): Promise<GgufHeader> {
  const maxArrayValues = options.maxArrayValues ?? 4096;
  const cursor = new Cursor(source, options.chunkBytes ?? 1024 * 1024, options.maxHeaderBytes ?? 256 * 1024 * 1024);

  let magicBytes: Uint8Array;
  try {
    magicBytes = await cursor.bytes(4);
  } catch (error) {
    if (error instanceof GgufError && error.code === 'GGUF_TRUNCATED') throw new GgufError('GGUF_NOT_GGUF', 'The file is too short to be a GGUF file.');
    throw error;
  }
  const magic = new DataView(magicBytes.buffer, magicBytes.byteOffset, 4).getUint32(0, true);
  if (magic !== GGUF_MAGIC) throw new GgufError('GGUF_NOT_GGUF', 'The file does not start with the GGUF magic bytes: it is not a GGUF file.');

  const versionBytes = await cursor.bytes(4);
  const versionView = new DataView(versionBytes.buffer, versionBytes.byteOffset, 4);
  let version = versionView.getUint32(0, true);
  // A big-endian file's version reads as 0x03000000 little-endian.
  if ((version & 0xffff) === 0 && version !== 0) {
    cursor.littleEndian = false;
    version = versionView.getUint32(0, false);
  }
  if (version === 1) throw new GgufError('GGUF_UNSUPPORTED_VERSION', 'This is a GGUF v1 file (2023, 32-bit counts); convert it with a current llama.cpp.');
  if (!(GGUF_SUPPORTED_VERSIONS as readonly number[]).includes(version)) {
    throw new GgufError('GGUF_UNSUPPORTED_VERSION', `GGUF version ${version} is not supported (supported: ${GGUF_SUPPORTED_VERSIONS.join(', ')}).`);
  }

  const tensorCount = await cursor.count('tensor count', MAX_TENSORS);
  const metadataCount = await cursor.count('metadata count', MAX_METADATA_ENTRIES);
  const metadata = new Map<string, GgufMetadataEntry>();
  for (let index = 0; index < metadataCount; index += 1) {
    const key = await cursor.string('metadata key');
    const type = typeName(await cursor.u32(), `"${key}"`);
    metadata.set(key, { type, value: await readValue(cursor, type, key, maxArrayValues) });
  }

  const tensors: GgufTensorInfo[] = [];
  for (let index = 0; index < tensorCount; index += 1) {
    const name = await cursor.string('tensor name');
    const dimCount = await cursor.u32();
    if (dimCount > MAX_DIMS) throw new GgufError('GGUF_INVALID', `Tensor "${name}" claims ${dimCount} dimensions; the file looks corrupt.`);
    const dims: number[] = [];
    for (let dim = 0; dim < dimCount; dim += 1) dims.push(await cursor.count(`dimension of "${name}"`, Number.MAX_SAFE_INTEGER));
    const type = await cursor.u32();
    const offset = await cursor.count(`offset of "${name}"`, Number.MAX_SAFE_INTEGER);
    const elements = dims.reduce((product, dim) => product * dim, 1);
    tensors.push({ name, dims, type, typeName: GGML_TYPES[type]?.name ?? `type ${type}`, offset, elements, bytes: ggmlTensorBytes(type, elements) });
  }

  const alignmentEntry = metadata.get('general.alignment');
  const alignment = typeof alignmentEntry?.value === 'number' && alignmentEntry.value > 0 ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT;
  return {
    version,
    littleEndian: cursor.littleEndian,
    metadata,
    tensors,
    alignment,
    dataOffset: alignOffset(cursor.position, alignment),
    fileSize: source.size,
  };
}

/** What H-MAS needs from a GGUF file to register and size a model. */
export interface GgufSummary {
  architecture: string | null;
  name: string | null;
  /** Sum of the tensors' element counts. */
  parameterCount: number;
  /** From general.file_type, else the most used tensor type among weight matrices. */
  quantization: string | null;
  contextLength: number | null;
  numLayers: number | null;
  numAttentionHeads: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
  hiddenSize: number | null;
  /** Bytes of tensor data (what a runtime loads); null if a tensor type is unknown. */
  weightBytes: number | null;
  license: string | null;
  sizeLabel: string | null;
  tensorCount: number;
}

function scalarOf(header: GgufHeader, key: string): GgufScalar | undefined {
  const value = header.metadata.get(key)?.value;
  if (value === undefined) return undefined;
  if (typeof value === 'object') {
    // Per-layer arrays (e.g. head_count_kv in models with uneven layers): take the largest.
    const numbers = value.values.filter((item): item is number => typeof item === 'number');
    return numbers.length > 0 ? Math.max(...numbers) : undefined;
  }
  return value;
}

function numberOf(header: GgufHeader, key: string): number | null {
  const value = scalarOf(header, key);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function stringOf(header: GgufHeader, key: string): string | null {
  const value = scalarOf(header, key);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function summarizeGguf(header: GgufHeader): GgufSummary {
  const architecture = stringOf(header, 'general.architecture');
  const arch = (key: string) => (architecture ? numberOf(header, `${architecture}.${key}`) : null);
  const parameterCount = header.tensors.reduce((sum, tensor) => sum + tensor.elements, 0);
  const weightBytes = header.tensors.every((tensor) => tensor.bytes !== undefined)
    ? header.tensors.reduce((sum, tensor) => sum + (tensor.bytes ?? 0), 0)
    : null;

  const fileType = numberOf(header, 'general.file_type');
  let quantization = fileType !== null ? (LLAMA_FILE_TYPES[fileType] ?? null) : null;
  if (!quantization) {
    // Older files lack general.file_type: name the type that holds most weight-matrix elements.
    const byType = new Map<string, number>();
    for (const tensor of header.tensors) {
      if (tensor.dims.length < 2) continue;
      byType.set(tensor.typeName, (byType.get(tensor.typeName) ?? 0) + tensor.elements);
    }
    quantization = [...byType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  }

  const numAttentionHeads = arch('attention.head_count');
  const hiddenSize = arch('embedding_length');
  const keyLength = arch('attention.key_length');
  return {
    architecture,
    name: stringOf(header, 'general.name'),
    parameterCount,
    quantization,
    contextLength: arch('context_length'),
    numLayers: arch('block_count'),
    numAttentionHeads,
    numKeyValueHeads: arch('attention.head_count_kv') ?? numAttentionHeads,
    headDim: keyLength ?? (hiddenSize && numAttentionHeads ? hiddenSize / numAttentionHeads : null),
    hiddenSize,
    weightBytes,
    license: stringOf(header, 'general.license'),
    sizeLabel: stringOf(header, 'general.size_label'),
    tensorCount: header.tensors.length,
  };
}

/** A local file as a ByteSource. */
export async function openFileByteSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const target = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      if (target.length === 0) return target;
      const { bytesRead } = await handle.read(target, 0, target.length, offset);
      return target.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** Reads and summarizes a local GGUF file; checks the tensor data is all there. */
export async function readGgufFile(path: string, options: ReadGgufOptions = {}): Promise<{ header: GgufHeader; summary: GgufSummary }> {
  const source = await openFileByteSource(path);
  try {
    const header = await readGgufHeader(source, options);
    const summary = summarizeGguf(header);
    const dataEnd = header.tensors.reduce((end, tensor) => Math.max(end, header.dataOffset + tensor.offset + (tensor.bytes ?? 0)), header.dataOffset);
    if (source.size !== undefined && dataEnd > source.size) {
      throw new GgufError('GGUF_TRUNCATED', `The file is ${source.size} bytes but its tensors end at byte ${dataEnd}: it was cut short (an interrupted download?).`);
    }
    return { header, summary };
  } finally {
    await source.close();
  }
}
