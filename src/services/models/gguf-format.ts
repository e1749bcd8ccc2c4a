/**
 * The GGUF container format (llama.cpp), version 2 and 3: the constants a reader and a writer
 * share. Layout of a file:
 *
 *   magic "GGUF" · uint32 version · uint64 tensor_count · uint64 metadata_kv_count
 *   metadata_kv_count × (string key · uint32 value_type · value)
 *   tensor_count × (string name · uint32 n_dims · n_dims × uint64 dim · uint32 ggml_type · uint64 offset)
 *   padding to `general.alignment` (default 32) · tensor data (each tensor at its offset, aligned)
 *
 * Strings are uint64 length + UTF-8 bytes (no terminator). Everything is little-endian in
 * practice; big-endian files exist (s390x) and are told apart by the version's byte order.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_SUPPORTED_VERSIONS = [2, 3] as const;

/** Metadata value types (gguf_type). */
export const GGUF_VALUE_TYPES = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;
export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPES;
export const GGUF_VALUE_TYPE_NAMES = Object.fromEntries(Object.entries(GGUF_VALUE_TYPES).map(([name, id]) => [id, name])) as Record<
  number,
  GgufValueTypeName
>;

/** Byte width of each fixed-size value type. */
export const GGUF_SCALAR_SIZES: Partial<Record<GgufValueTypeName, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  uint64: 8,
  int64: 8,
  float64: 8,
};

export interface GgmlTypeInfo {
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

/**
 * Tensor storage types (enum ggml_type), with block geometry from ggml's type traits.
 * Ids without an entry were removed from ggml (Q4_2, Q4_3, the Q4_0_4_4 repacks, …).
 */
export const GGML_TYPES: Readonly<Record<number, GgmlTypeInfo>> = {
  0: { name: 'F32', blockSize: 1, typeSize: 4 },
  1: { name: 'F16', blockSize: 1, typeSize: 2 },
  2: { name: 'Q4_0', blockSize: 32, typeSize: 18 },
  3: { name: 'Q4_1', blockSize: 32, typeSize: 20 },
  6: { name: 'Q5_0', blockSize: 32, typeSize: 22 },
  7: { name: 'Q5_1', blockSize: 32, typeSize: 24 },
  8: { name: 'Q8_0', blockSize: 32, typeSize: 34 },
  9: { name: 'Q8_1', blockSize: 32, typeSize: 36 },
  10: { name: 'Q2_K', blockSize: 256, typeSize: 84 },
  11: { name: 'Q3_K', blockSize: 256, typeSize: 110 },
  12: { name: 'Q4_K', blockSize: 256, typeSize: 144 },
  13: { name: 'Q5_K', blockSize: 256, typeSize: 176 },
  14: { name: 'Q6_K', blockSize: 256, typeSize: 210 },
  15: { name: 'Q8_K', blockSize: 256, typeSize: 292 },
  16: { name: 'IQ2_XXS', blockSize: 256, typeSize: 66 },
  17: { name: 'IQ2_XS', blockSize: 256, typeSize: 74 },
  18: { name: 'IQ3_XXS', blockSize: 256, typeSize: 98 },
  19: { name: 'IQ1_S', blockSize: 256, typeSize: 50 },
  20: { name: 'IQ4_NL', blockSize: 32, typeSize: 18 },
  21: { name: 'IQ3_S', blockSize: 256, typeSize: 110 },
  22: { name: 'IQ2_S', blockSize: 256, typeSize: 82 },
  23: { name: 'IQ4_XS', blockSize: 256, typeSize: 136 },
  24: { name: 'I8', blockSize: 1, typeSize: 1 },
  25: { name: 'I16', blockSize: 1, typeSize: 2 },
  26: { name: 'I32', blockSize: 1, typeSize: 4 },
  27: { name: 'I64', blockSize: 1, typeSize: 8 },
  28: { name: 'F64', blockSize: 1, typeSize: 8 },
  29: { name: 'IQ1_M', blockSize: 256, typeSize: 56 },
  30: { name: 'BF16', blockSize: 1, typeSize: 2 },
  34: { name: 'TQ1_0', blockSize: 256, typeSize: 54 },
  35: { name: 'TQ2_0', blockSize: 256, typeSize: 66 },
  39: { name: 'MXFP4', blockSize: 32, typeSize: 17 },
};

export const GGML_TYPE_IDS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GGML_TYPES).map(([id, info]) => [info.name, Number(id)]),
);

/**
 * `general.file_type` (enum llama_ftype): the quantization recipe a file was made with. The
 * mixtures (Q4_K_M …) use several tensor types; the name is what people call the file.
 */
export const LLAMA_FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

/** Bytes one tensor of `elements` elements takes in `type`; undefined for unknown types. */
export function ggmlTensorBytes(type: number, elements: number): number | undefined {
  const info = GGML_TYPES[type];
  if (!info) return undefined;
  return Math.ceil(elements / info.blockSize) * info.typeSize;
}

export function alignOffset(offset: number, alignment: number): number {
  return offset + ((alignment - (offset % alignment)) % alignment);
}
