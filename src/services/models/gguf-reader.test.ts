import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGguf, gguf, tinyLlamaGguf, writeGgufFile, type GgufWriterInput } from '../../../test/support/gguf-writer.js';
import { ggmlTensorBytes } from './gguf-format.js';
import { readGgufFile, readGgufHeader, summarizeGguf, type ByteSource, type GgufArray } from './gguf-reader.js';

function memorySource(bytes: Uint8Array): ByteSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    size: bytes.length,
    reads,
    async read(offset, length) {
      reads.push([offset, length]);
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
  };
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readGgufFile on a generated llama model', () => {
  it('reads architecture, parameter count, context length, quantization and attention shape', async () => {
    const file = path.join(dir, 'tiny.gguf');
    await writeGgufFile(file, tinyLlamaGguf({ layers: 3, embedding: 64, heads: 8, kvHeads: 2, feedForward: 96, vocab: 40, contextLength: 4096 }));
    const { header, summary } = await readGgufFile(file);

    // Hand count: embeddings and output 2 × 64×40, output norm 64, per layer 2 norms of 64,
    // q and o 64×64, k and v 64×16, three feed-forward matrices 64×96.
    const perLayer = 2 * 64 + 2 * 64 * 64 + 2 * 64 * 16 + 3 * 64 * 96;
    expect(summary).toMatchObject({
      architecture: 'llama',
      name: 'Tiny Llama Test',
      parameterCount: 2 * 64 * 40 + 64 + 3 * perLayer,
      quantization: 'F16',
      contextLength: 4096,
      numLayers: 3,
      numAttentionHeads: 8,
      numKeyValueHeads: 2,
      headDim: 8,
      hiddenSize: 64,
      tensorCount: 3 + 3 * 9,
    });
    expect(header.version).toBe(3);
    expect(header.dataOffset % 32).toBe(0);
    const expectedBytes = header.tensors.reduce((sum, tensor) => sum + ggmlTensorBytes(tensor.type, tensor.elements)!, 0);
    expect(summary.weightBytes).toBe(expectedBytes);
    expect(header.metadata.get('tokenizer.ggml.tokens')?.value).toMatchObject({ type: 'string', length: 40 });
  });

  it('names the quantization recipe from general.file_type (15 is Q4_K_M)', async () => {
    const bytes = buildGguf(tinyLlamaGguf({ fileType: 15, weightType: 'Q4_K', embedding: 256, heads: 4, feedForward: 256 }));
    const summary = summarizeGguf(await readGgufHeader(memorySource(bytes)));
    expect(summary.quantization).toBe('Q4_K_M');
  });

  it('falls back to the dominant tensor type when general.file_type is missing', async () => {
    const input = tinyLlamaGguf({ weightType: 'Q8_0' });
    const metadata = (input.metadata as Array<[string, unknown]>).filter(([key]) => key !== 'general.file_type') as GgufWriterInput['metadata'];
    const summary = summarizeGguf(await readGgufHeader(memorySource(buildGguf({ ...input, metadata }))));
    expect(summary.quantization).toBe('Q8_0');
  });
});

describe('readGgufHeader', () => {
  it('reads every metadata value type, 64-bit values beyond 2^53 as bigint', async () => {
    const bytes = buildGguf({
      metadata: [
        ['t.u8', gguf.u8(250)],
        ['t.i8', gguf.i8(-120)],
        ['t.u16', gguf.u16(65000)],
        ['t.i16', gguf.i16(-32000)],
        ['t.u32', gguf.u32(4_000_000_000)],
        ['t.i32', gguf.i32(-2_000_000_000)],
        ['t.f32', gguf.f32(0.5)],
        ['t.f64', gguf.f64(Math.PI)],
        ['t.u64', gguf.u64(2n ** 60n)],
        ['t.u64small', gguf.u64(12345)],
        ['t.i64', gguf.i64(-(2n ** 62n))],
        ['t.bool', gguf.bool(true)],
        ['t.string', gguf.str('Grüße, 世界')],
        ['t.ints', gguf.array('int32', [1, -2, 3])],
        ['t.strings', gguf.array('string', ['a', '', 'ccc'])],
        ['t.bools', gguf.array('bool', [true, false])],
        ['t.nested', { type: 'array', itemType: 'array', values: [gguf.array('uint8', [1, 2]), gguf.array('uint8', [3])] }],
      ],
      tensors: [],
    });
    const header = await readGgufHeader(memorySource(bytes));
    const value = (key: string) => header.metadata.get(key)?.value;
    expect(value('t.u8')).toBe(250);
    expect(value('t.i8')).toBe(-120);
    expect(value('t.u16')).toBe(65000);
    expect(value('t.i16')).toBe(-32000);
    expect(value('t.u32')).toBe(4_000_000_000);
    expect(value('t.i32')).toBe(-2_000_000_000);
    expect(value('t.f32')).toBe(0.5);
    expect(value('t.f64')).toBe(Math.PI);
    expect(value('t.u64')).toBe(2n ** 60n);
    expect(value('t.u64small')).toBe(12345);
    expect(value('t.i64')).toBe(-(2n ** 62n));
    expect(value('t.bool')).toBe(true);
    expect(value('t.string')).toBe('Grüße, 世界');
    expect((value('t.ints') as GgufArray).values).toEqual([1, -2, 3]);
    expect((value('t.strings') as GgufArray).values).toEqual(['a', '', 'ccc']);
    expect((value('t.bools') as GgufArray).values).toEqual([true, false]);
    const nested = value('t.nested') as GgufArray;
    expect(nested.length).toBe(2);
    expect((nested.values[0] as GgufArray).values).toEqual([1, 2]);
    expect(header.metadata.get('t.u32')?.type).toBe('uint32');
  });

  it('gives the same result whatever the read size, down to a few bytes per read', async () => {
    const bytes = buildGguf(tinyLlamaGguf());
    const large = summarizeGguf(await readGgufHeader(memorySource(bytes)));
    const small = summarizeGguf(await readGgufHeader(memorySource(bytes), { chunkBytes: 7 }));
    expect(small).toEqual(large);
  });

  it('reads a big-endian file', async () => {
    const input = tinyLlamaGguf({ contextLength: 8192 });
    const little = summarizeGguf(await readGgufHeader(memorySource(buildGguf(input))));
    const bigHeader = await readGgufHeader(memorySource(buildGguf({ ...input, bigEndian: true })));
    expect(bigHeader.littleEndian).toBe(false);
    expect(summarizeGguf(bigHeader)).toEqual(little);
  });

  it('never reads tensor data', async () => {
    // One 4 MiB tensor after a small header: the reads must stop near the data offset.
    const bytes = buildGguf({ metadata: [['general.architecture', gguf.str('llama')]], tensors: [{ name: 'big', dims: [1024, 1024], type: 'F32' }] });
    const source = memorySource(bytes);
    const header = await readGgufHeader(source, { chunkBytes: 64 });
    const furthest = Math.max(...source.reads.map(([offset, length]) => offset + length));
    expect(bytes.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(furthest).toBeLessThanOrEqual(header.dataOffset + 64);
  });

  it('keeps only the length of arrays longer than maxArrayValues', async () => {
    const bytes = buildGguf({ metadata: [['big', gguf.array('uint32', Array.from({ length: 100 }, (_, index) => index))], ['after', gguf.str('still read')]], tensors: [] });
    const header = await readGgufHeader(memorySource(bytes), { maxArrayValues: 3 });
    expect(header.metadata.get('big')?.value).toEqual({ type: 'uint32', length: 100, values: [0, 1, 2], truncated: true });
    expect(header.metadata.get('after')?.value).toBe('still read');
  });

  it('refuses a file that is not GGUF, or empty', async () => {
    expect(await errorCodeOf(readGgufHeader(memorySource(new TextEncoder().encode('PK\u0003\u0004 this is a zip file'))))).toBe('GGUF_NOT_GGUF');
    expect(await errorCodeOf(readGgufHeader(memorySource(new Uint8Array(0))))).toBe('GGUF_NOT_GGUF');
    expect(await errorCodeOf(readGgufHeader(memorySource(new TextEncoder().encode('GG'))))).toBe('GGUF_NOT_GGUF');
  });

  it('refuses a header cut short, wherever the cut falls', async () => {
    const bytes = buildGguf(tinyLlamaGguf());
    const header = await readGgufHeader(memorySource(bytes));
    for (const cut of [6, 20, 100, Math.floor(header.dataOffset / 2), header.dataOffset - 40]) {
      expect(await errorCodeOf(readGgufHeader(memorySource(bytes.subarray(0, cut)))), `cut at ${cut}`).toBe('GGUF_TRUNCATED');
    }
  });

  it('refuses GGUF v1 and unknown versions', async () => {
    for (const version of [1, 4]) {
      const bytes = buildGguf(tinyLlamaGguf());
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, version, true);
      expect(await errorCodeOf(readGgufHeader(memorySource(bytes)))).toBe('GGUF_UNSUPPORTED_VERSION');
    }
  });

  it('refuses absurd lengths and unknown value types as invalid instead of allocating', async () => {
    const huge = buildGguf({ metadata: [['key', gguf.str('x')]], tensors: [] });
    // The key's length field sits right after magic, version and the two counts.
    new DataView(huge.buffer, huge.byteOffset).setBigUint64(24, 2n ** 40n, true);
    expect(await errorCodeOf(readGgufHeader(memorySource(huge)))).toBe('GGUF_INVALID');

    const badType = buildGguf({ metadata: [['key', gguf.u32(1)]], tensors: [] });
    new DataView(badType.buffer, badType.byteOffset).setUint32(24 + 8 + 3, 99, true);
    expect(await errorCodeOf(readGgufHeader(memorySource(badType)))).toBe('GGUF_INVALID');
  });
});

describe('readGgufFile', () => {
  it('refuses a file whose tensor data was cut short', async () => {
    const bytes = buildGguf(tinyLlamaGguf());
    const file = path.join(dir, 'cut.gguf');
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    expect(await errorCodeOf(readGgufFile(file))).toBe('GGUF_TRUNCATED');
  });
});
