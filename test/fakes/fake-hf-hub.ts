import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGguf, gguf, type GgufWriterTensor } from '../support/gguf-writer.js';

/**
 * A Hugging Face Hub on 127.0.0.1: the real HTTP code of H-MAS talks to it through HF_ENDPOINT.
 * It serves the recorded answers in test/fixtures/hf-hub (see the README there), gates repos
 * whose answer says `gated`, and redirects GGUF downloads to a CDN on a second port (another
 * origin), as the Hub does for large files.
 *
 * Tests can host whole files of their own (`hostFile`): the Hub lists them with their LFS SHA-256
 * and redirects to the CDN with `X-Linked-Etag`/`X-Linked-Size`, and the CDN serves them with
 * Range support — and can cut, stall or ignore ranges on demand to exercise resumable downloads.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/hf-hub/', import.meta.url));

/** Grants access to gated repos. */
export const FAKE_HF_TOKEN = 'hf_fake_token_with_access';
/** A valid token of an account that was not granted access to gated repos. */
export const FAKE_HF_TOKEN_WITHOUT_ACCESS = 'hf_fake_token_without_access';

export interface HubRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

export interface FakeHfHub {
  url: string;
  cdnUrl: string;
  requests: HubRequest[];
  /** Every answer becomes this status (or an HTML page with 200) until set back to null. */
  failWith(mode: number | 'html' | null): void;
  /**
   * Serves `bytes` as an LFS file of `repoId` (a repo this fake then knows, public, revision
   * main). `sha256` overrides the hash the Hub claims (null: it claims none). Answers the real one.
   */
  hostFile(repoId: string, file: string, bytes: Buffer, options?: { sha256?: string | null }): { sha256: string };
  /** The next `count` CDN answers for hosted files close the connection after `afterBytes` body bytes. */
  cutDownloads(afterBytes: number, count?: number): void;
  /** The next CDN answer for a hosted file sends `afterBytes` body bytes, then nothing (the connection stays open). */
  stallNextDownload(afterBytes: number): void;
  /** The CDN answers 200 with the whole file even to Range requests (a server without range support). */
  ignoreRanges(on: boolean): void;
  close(): Promise<void>;
}

interface RepoFile {
  bytes: Buffer;
  /** Size the file claims in Content-Range (the real file's size when only its header is held). */
  size: number;
}

/**
 * The header of qwen2.5-0.5b-instruct-q4_k_m.gguf: real metadata, and the 291 tensors of
 * llama.cpp's Q4_K_M recipe for Qwen2.5-0.5B. 896-wide rows are not a multiple of 256, so the
 * k-quants fall back (Q4_K → Q5_0, Q6_K → Q8_0); ffn_down rows (4864) take Q4_K, or Q6_K in the
 * layers that get more bits.
 */
export function qwen05bQ4KMHeader(): Buffer {
  const layers = 24;
  const moreBits = (layer: number) => layer < layers / 8 || layer >= (7 * layers) / 8 || (layer - layers / 8) % 3 === 2;
  const tensors: GgufWriterTensor[] = [{ name: 'token_embd.weight', dims: [896, 151_936], type: 'Q5_0' }];
  for (let layer = 0; layer < layers; layer += 1) {
    const at = (name: string) => `blk.${layer}.${name}`;
    tensors.push(
      { name: at('attn_norm.weight'), dims: [896], type: 'F32' },
      { name: at('attn_q.weight'), dims: [896, 896], type: 'Q5_0' },
      { name: at('attn_q.bias'), dims: [896], type: 'F32' },
      { name: at('attn_k.weight'), dims: [896, 128], type: 'Q5_0' },
      { name: at('attn_k.bias'), dims: [128], type: 'F32' },
      { name: at('attn_v.weight'), dims: [896, 128], type: moreBits(layer) ? 'Q8_0' : 'Q5_0' },
      { name: at('attn_v.bias'), dims: [128], type: 'F32' },
      { name: at('attn_output.weight'), dims: [896, 896], type: 'Q5_0' },
      { name: at('ffn_norm.weight'), dims: [896], type: 'F32' },
      { name: at('ffn_gate.weight'), dims: [896, 4864], type: 'Q5_0' },
      { name: at('ffn_up.weight'), dims: [896, 4864], type: 'Q5_0' },
      { name: at('ffn_down.weight'), dims: [4864, 896], type: moreBits(layer) ? 'Q6_K' : 'Q4_K' },
    );
  }
  tensors.push({ name: 'output_norm.weight', dims: [896], type: 'F32' }, { name: 'output.weight', dims: [896, 151_936], type: 'Q8_0' });
  return buildGguf({
    contents: 'header',
    metadata: [
      ['general.architecture', gguf.str('qwen2')],
      ['general.type', gguf.str('model')],
      ['general.name', gguf.str('qwen2.5-0.5b-instruct')],
      ['general.version', gguf.str('v0.1')],
      ['general.finetune', gguf.str('qwen2.5-0.5b-instruct')],
      ['general.size_label', gguf.str('630M')],
      ['qwen2.block_count', gguf.u32(24)],
      ['qwen2.context_length', gguf.u32(32_768)],
      ['qwen2.embedding_length', gguf.u32(896)],
      ['qwen2.feed_forward_length', gguf.u32(4864)],
      ['qwen2.attention.head_count', gguf.u32(14)],
      ['qwen2.attention.head_count_kv', gguf.u32(2)],
      ['qwen2.rope.freq_base', gguf.f32(1_000_000)],
      ['qwen2.attention.layer_norm_rms_epsilon', gguf.f32(1e-6)],
      ['general.file_type', gguf.u32(15)],
      ['tokenizer.ggml.model', gguf.str('gpt2')],
      ['tokenizer.ggml.pre', gguf.str('qwen2')],
      ['tokenizer.ggml.tokens', gguf.array('string', ['!', '"', '#', '$', '%'])],
      ['tokenizer.ggml.token_type', gguf.array('int32', [1, 1, 1, 1, 1])],
      ['tokenizer.ggml.merges', gguf.array('string', ['Ġ Ġ', 'ĠĠ ĠĠ'])],
      ['tokenizer.ggml.eos_token_id', gguf.u32(151_645)],
      ['tokenizer.ggml.padding_token_id', gguf.u32(151_643)],
      ['tokenizer.ggml.bos_token_id', gguf.u32(151_643)],
      ['tokenizer.ggml.add_bos_token', gguf.bool(false)],
      ['general.quantization_version', gguf.u32(2)],
    ],
    tensors,
  });
}

const GENERATED: Record<string, () => RepoFile> = {
  'Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf': () => ({ bytes: qwen05bQ4KMHeader(), size: 491_400_032 }),
};

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function hubError(response: ServerResponse, status: number, code: string | null, message: string): void {
  sendJson(response, status, { error: message }, { ...(code ? { 'x-error-code': code } : {}), 'x-error-message': message });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readFixture(file: string): Promise<Buffer | undefined> {
  const resolved = path.resolve(FIXTURES, file);
  if (!resolved.startsWith(FIXTURES)) return undefined;
  try {
    if (!(await stat(resolved)).isFile()) return undefined;
    return await readFile(resolved);
  } catch {
    return undefined;
  }
}

interface HostedFile {
  bytes: Buffer;
  sha256: string;
  /** What the Hub says the hash is. */
  claimedSha256: string | null;
}

export async function startFakeHfHub(): Promise<FakeHfHub> {
  const requests: HubRequest[] = [];
  let failure: number | 'html' | null = null;
  const hosted = new Map<string, Map<string, HostedFile>>();
  const cuts: number[] = [];
  let stallAfter: number | null = null;
  let rangesIgnored = false;
  const generated = new Map<string, RepoFile>();
  const generatedFile = (key: string): RepoFile | undefined => {
    const make = GENERATED[key];
    if (!make) return undefined;
    if (!generated.has(key)) generated.set(key, make());
    return generated.get(key);
  };

  const record = (server: HubRequest['server'], request: IncomingMessage) =>
    requests.push({
      server,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      authorization: request.headers.authorization,
      range: typeof request.headers.range === 'string' ? request.headers.range : undefined,
    });

  function tokenOf(request: IncomingMessage): string | undefined {
    const header = request.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  }

  /** The repo's recorded model info, or an answer like the Hub's when there is none. */
  async function repoInfo(repoId: string, request: IncomingMessage, response: ServerResponse): Promise<Record<string, unknown> | undefined> {
    const token = tokenOf(request);
    if (token !== undefined && token !== FAKE_HF_TOKEN && token !== FAKE_HF_TOKEN_WITHOUT_ACCESS) {
      hubError(response, 401, null, 'Invalid credentials in Authorization header');
      return undefined;
    }
    const files = hosted.get(repoId);
    if (files) {
      return {
        id: repoId,
        sha: '0123456789abcdef0123456789abcdef01234567',
        private: false,
        gated: false,
        tags: ['gguf'],
        siblings: [...files].map(([rfilename, file]) => ({ rfilename, size: file.bytes.length, lfs: { sha256: file.sha256, size: file.bytes.length } })),
      };
    }
    const raw = await readFixture(`${repoId}/api.json`);
    if (!raw) {
      // Anonymous callers get 401 for missing and private repos alike.
      hubError(response, token ? 404 : 401, 'RepoNotFound', 'Repository not found');
      return undefined;
    }
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  }

  function knownRevision(info: Record<string, unknown>, revision: string): boolean {
    return revision === 'main' || (typeof info.sha === 'string' && revision === info.sha);
  }

  let cdnUrl = '';
  const hub = createServer((request, response) => {
    void (async () => {
      record('hub', request);
      if (failure === 'html') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>Captive portal</title>');
        return;
      }
      if (failure !== null) return hubError(response, failure, null, 'Internal Error');
      const url = new URL(request.url ?? '/', 'http://hub');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

      if (parts[0] === 'api' && parts[1] === 'models' && parts.length >= 4) {
        const repoId = `${parts[2]}/${parts[3]}`;
        const info = await repoInfo(repoId, request, response);
        if (!info) return;
        if (parts[4] === 'revision') {
          const revision = parts.slice(5).join('/');
          if (!knownRevision(info, revision)) return hubError(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
        } else if (parts.length > 4) {
          return hubError(response, 404, null, 'Not Found');
        }
        return sendJson(response, 200, info);
      }

      if (parts[2] === 'resolve' && parts.length >= 5) {
        const repoId = `${parts[0]}/${parts[1]}`;
        const revision = parts[3]!;
        const file = parts.slice(4).join('/');
        const info = await repoInfo(repoId, request, response);
        if (!info) return;
        if (!knownRevision(info, revision)) return hubError(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
        if (info.gated !== undefined && info.gated !== false) {
          const token = tokenOf(request);
          if (!token) {
            return hubError(response, 401, 'GatedRepo', `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
          }
          if (token !== FAKE_HF_TOKEN) {
            return hubError(response, 403, 'GatedRepo', `Access to model ${repoId} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repoId} to ask for access.`);
          }
        }
        const hostedFile = hosted.get(repoId)?.get(file);
        if (hostedFile) {
          response.writeHead(302, {
            location: `${cdnUrl}/hosted/${repoId}/${file.split('/').map(encodeURIComponent).join('/')}`,
            'x-linked-size': String(hostedFile.bytes.length),
            ...(hostedFile.claimedSha256 ? { 'x-linked-etag': `"${hostedFile.claimedSha256}"` } : {}),
            'x-repo-commit': info.sha as string,
          });
          return response.end();
        }
        if (generatedFile(`${repoId}/${file}`)) {
          // Large (LFS) files live on the CDN.
          response.writeHead(302, { location: `${cdnUrl}/repos/${repoId}/${file.split('/').map(encodeURIComponent).join('/')}` });
          return response.end();
        }
        const bytes = await readFixture(`${repoId}/files/${file}`);
        if (!bytes) return hubError(response, 404, 'EntryNotFound', 'Entry not found');
        response.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': bytes.length });
        return response.end(bytes);
      }
      return hubError(response, 404, null, 'Not Found');
    })().catch((error: unknown) => {
      if (!response.headersSent) hubError(response, 500, null, String(error));
    });
  });

  /** A hosted file with ranges, cuts and stalls. */
  function serveHosted(request: IncomingMessage, response: ServerResponse, file: HostedFile): void {
    const size = file.bytes.length;
    const range = rangesIgnored ? null : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range) {
      start = Number(range[1]);
      end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
      if (start >= size) {
        response.writeHead(416, { 'content-range': `bytes */${size}` });
        return void response.end();
      }
    }
    const body = file.bytes.subarray(start, end + 1);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      etag: '"cdn-object-etag"',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    const cut = cuts.shift();
    if (cut !== undefined && cut < body.length) {
      response.write(body.subarray(0, cut), () => response.socket?.destroy());
      return;
    }
    if (stallAfter !== null && stallAfter < body.length) {
      response.write(body.subarray(0, stallAfter));
      stallAfter = null;
      return;
    }
    response.end(body);
  }

  const cdn = createServer((request, response) => {
    record('cdn', request);
    const url = new URL(request.url ?? '/', 'http://cdn');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'hosted') {
      const hostedFile = hosted.get(`${parts[1]}/${parts[2]}`)?.get(parts.slice(3).join('/'));
      if (!hostedFile) {
        response.writeHead(404);
        return response.end();
      }
      return serveHosted(request, response, hostedFile);
    }
    const file = parts[0] === 'repos' ? generatedFile(parts.slice(1).join('/')) : undefined;
    if (!file) {
      response.writeHead(404);
      return response.end();
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (!range) {
      // The whole file would be gigabytes; this fake only serves ranges.
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      return response.end(file.bytes);
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.size - 1, file.size - 1);
    if (start >= file.size) {
      response.writeHead(416, { 'content-range': `bytes */${file.size}` });
      return response.end();
    }
    // Past the header the fake holds no data: zeros stand in for tensor bytes.
    const body = Buffer.alloc(end - start + 1);
    if (start < file.bytes.length) file.bytes.copy(body, 0, start, Math.min(file.bytes.length, end + 1));
    response.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'content-range': `bytes ${start}-${end}/${file.size}` });
    response.end(body);
  });

  const url = await listen(hub);
  cdnUrl = await listen(cdn);
  return {
    url,
    cdnUrl,
    requests,
    failWith(mode) {
      failure = mode;
    },
    hostFile(repoId, file, bytes, options = {}) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (!hosted.has(repoId)) hosted.set(repoId, new Map());
      hosted.get(repoId)!.set(file, { bytes, sha256, claimedSha256: options.sha256 === undefined ? sha256 : options.sha256 });
      return { sha256 };
    },
    cutDownloads(afterBytes, count = 1) {
      for (let index = 0; index < count; index += 1) cuts.push(afterBytes);
    },
    stallNextDownload(afterBytes) {
      stallAfter = afterBytes;
    },
    ignoreRanges(on) {
      rangesIgnored = on;
    },
    async close() {
      // Stalled answers keep their connections open: end them rather than wait.
      for (const server of [hub, cdn]) server.closeAllConnections();
      await Promise.all([hub, cdn].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

/** A URL where nothing listens: a port that was just free. */
export async function unreachableHubUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}
