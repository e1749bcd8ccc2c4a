import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import type { ByteSource } from './gguf-reader.js';

/**
 * The Hugging Face Hub's HTTP API, as far as H-MAS uses it: model info, small JSON files and
 * ranged reads of large ones. The base URL is HF_ENDPOINT, so mirrors and air-gapped hubs work.
 * The token goes to that origin only, never to the CDN a download redirects to.
 */

export type HfErrorCode =
  | 'HF_REPO_NOT_FOUND'
  | 'HF_REVISION_NOT_FOUND'
  | 'HF_FILE_NOT_FOUND'
  | 'HF_ACCESS_DENIED'
  | 'HF_RATE_LIMITED'
  | 'HF_UNREACHABLE'
  | 'HF_BAD_RESPONSE';

const STATUS_OF: Record<HfErrorCode, number> = {
  HF_REPO_NOT_FOUND: 404,
  HF_REVISION_NOT_FOUND: 404,
  HF_FILE_NOT_FOUND: 404,
  // Never 401: to the API's own clients 401 means "your H-MAS session ended".
  HF_ACCESS_DENIED: 403,
  HF_RATE_LIMITED: 503,
  HF_UNREACHABLE: 502,
  HF_BAD_RESPONSE: 502,
};

export class HfError extends AppError {
  constructor(code: HfErrorCode, message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(code, message, { statusCode: STATUS_OF[code], expose: true, ...options });
  }
}

/** The fields of GET /api/models/{repo} that H-MAS reads; the Hub sends many more. */
export const hfModelInfoSchema = z
  .object({
    id: z.string(),
    author: z.string().optional(),
    sha: z.string().optional(),
    private: z.boolean().optional(),
    gated: z.union([z.boolean(), z.string()]).optional(),
    pipeline_tag: z.string().optional(),
    library_name: z.string().optional(),
    tags: z.array(z.string()).optional(),
    cardData: z.record(z.string(), z.unknown()).nullish(),
    config: z.record(z.string(), z.unknown()).nullish(),
    siblings: z.array(z.object({ rfilename: z.string(), size: z.number().optional() }).loose()).optional(),
    safetensors: z.object({ parameters: z.record(z.string(), z.number()).optional(), total: z.number().optional() }).loose().nullish(),
    gguf: z
      .object({ total: z.number().optional(), architecture: z.string().optional(), context_length: z.number().optional() })
      .loose()
      .nullish(),
    description: z.string().optional(),
  })
  .loose();
export type HfModelInfo = z.infer<typeof hfModelInfoSchema>;

export interface HfClientOptions {
  /** HF_ENDPOINT without a trailing slash. */
  endpoint: string;
  token?: string | undefined;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The start of a file download: the body from `start`, or 416 when `offset` is at or past the end. */
export type HfDownloadAnswer =
  | { status: 200 | 206; start: number; body: ReadableStream<Uint8Array>; totalBytes: number | null; sha256: string | null }
  | { status: 416; totalBytes: number | null; sha256: string | null };

function sha256Of(etag: string | null): string | null {
  const value = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return value && /^[0-9a-f]{64}$/.test(value) ? value : null;
}

const MAX_REDIRECTS = 5;
const MAX_JSON_BYTES = 32 * 1024 * 1024;

function errorKind(response: Response): { code: string | null; message: string | null } {
  return { code: response.headers.get('x-error-code'), message: response.headers.get('x-error-message') };
}

export function createHfClient(options: HfClientOptions) {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const origin = new URL(endpoint).origin;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const hasToken = !!options.token;

  /**
   * GET with manual redirects, so the token never leaves the Hub's origin. The timeout covers the
   * whole answer, or only its headers with `stream` (a download's body may take hours; its
   * reader watches for stalls itself). `signal` aborts it; `onRedirect` sees each redirect.
   */
  async function get(
    url: string,
    headers: Record<string, string> = {},
    extra: { stream?: boolean; signal?: AbortSignal; onRedirect?: (response: Response) => void } = {},
  ): Promise<Response> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const sameOrigin = new URL(current).origin === origin;
      let response: Response;
      const timer = new AbortController();
      // Like AbortSignal.timeout (unref'd, and it bounds reading the body too), but cancellable.
      const timeout = setTimeout(() => timer.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      timeout.unref();
      try {
        response = await doFetch(current, {
          method: 'GET',
          redirect: 'manual',
          headers: { accept: 'application/json', 'user-agent': 'hmas', ...headers, ...(sameOrigin && options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          signal: extra.signal ? AbortSignal.any([extra.signal, timer.signal]) : timer.signal,
        });
        if (extra.stream) clearTimeout(timeout);
      } catch (error) {
        clearTimeout(timeout);
        if (extra.signal?.aborted) throw extra.signal.reason;
        const name = (error as { name?: string }).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw new HfError('HF_UNREACHABLE', `The Hugging Face Hub at ${endpoint} did not answer within ${timeoutMs / 1000} s.`, { cause: error });
        }
        const reason = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new HfError('HF_UNREACHABLE', `Cannot reach the Hugging Face Hub at ${endpoint}${reason?.code ? ` (${reason.code})` : ''}. Check HF_ENDPOINT and the network.`, { cause: error });
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        clearTimeout(timeout);
        extra.onRedirect?.(response);
        await response.body?.cancel();
        current = new URL(response.headers.get('location')!, current).toString();
        continue;
      }
      return response;
    }
    throw new HfError('HF_BAD_RESPONSE', `The Hub redirected more than ${MAX_REDIRECTS} times for ${url}.`);
  }

  /** Maps a Hub error answer to an HfError, the way huggingface_hub reads X-Error-Code. */
  async function failure(response: Response, what: { repoId: string; revision?: string | undefined; file?: string }): Promise<never> {
    const { code, message } = errorKind(response);
    await response.body?.cancel().catch(() => undefined);
    const repo = what.repoId;
    if (code === 'RevisionNotFound') throw new HfError('HF_REVISION_NOT_FOUND', `${repo} has no revision "${what.revision ?? 'main'}".`);
    if (code === 'EntryNotFound') throw new HfError('HF_FILE_NOT_FOUND', `${repo} has no file "${what.file ?? ''}" at revision "${what.revision ?? 'main'}".`);
    if (code === 'GatedRepo') {
      throw new HfError(
        'HF_ACCESS_DENIED',
        hasToken
          ? `${repo} is gated and the account of HF_TOKEN has not been granted access: request access on its Hub page with that account.`
          : `${repo} is gated: set HF_TOKEN to a token of an account that was granted access.`,
      );
    }
    if (response.status === 401 && message === 'Invalid credentials in Authorization header') {
      throw new HfError('HF_ACCESS_DENIED', 'The Hub refused HF_TOKEN (invalid credentials): set a valid token.');
    }
    // The Hub answers 401 RepoNotFound to anonymous callers for missing and private repos alike.
    if (code === 'RepoNotFound' || response.status === 404 || (response.status === 401 && !hasToken)) {
      throw new HfError('HF_REPO_NOT_FOUND', `No model repository ${repo} on ${endpoint}${hasToken ? '' : ' (if it is private, set HF_TOKEN)'}.`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new HfError('HF_ACCESS_DENIED', `The Hub refused access to ${repo} (HTTP ${response.status})${hasToken ? ': check that HF_TOKEN may read it' : ': set HF_TOKEN'}.`);
    }
    if (response.status === 429) {
      const retryAfter = response.headers.get('retry-after');
      throw new HfError('HF_RATE_LIMITED', 'The Hugging Face Hub is rate-limiting this server; try again later.', retryAfter ? { headers: { 'retry-after': retryAfter } } : {});
    }
    throw new HfError('HF_BAD_RESPONSE', `The Hugging Face Hub answered HTTP ${response.status} for ${repo}.`);
  }

  async function readJson(response: Response, what: string): Promise<unknown> {
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_JSON_BYTES) {
      await response.body?.cancel();
      throw new HfError('HF_BAD_RESPONSE', `The Hub's answer for ${what} is larger than ${MAX_JSON_BYTES} bytes.`);
    }
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HfError('HF_BAD_RESPONSE', `The Hub's answer for ${what} is not JSON — is HF_ENDPOINT (${endpoint}) a Hugging Face Hub?`, { cause: error });
    }
  }

  function fileUrl(repoId: string, revision: string, file: string): string {
    return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  }

  return {
    endpoint,

    /** GET /api/models/{repo}[/revision/{revision}] */
    async getModelInfo(repoId: string, revision?: string): Promise<HfModelInfo> {
      const url = `${endpoint}/api/models/${repoId}${revision ? `/revision/${encodeURIComponent(revision)}` : ''}`;
      const response = await get(url);
      if (!response.ok) return failure(response, { repoId, revision });
      const parsed = hfModelInfoSchema.safeParse(await readJson(response, repoId));
      if (!parsed.success) throw new HfError('HF_BAD_RESPONSE', `The Hub's model info for ${repoId} has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
      return parsed.data;
    },

    /** A small JSON file of a repo (config.json); null when the repo has no such file. */
    async getJsonFile(repoId: string, revision: string, file: string): Promise<Record<string, unknown> | null> {
      const response = await get(fileUrl(repoId, revision, file));
      if (!response.ok) {
        if (response.status === 404 && errorKind(response).code !== 'RepoNotFound' && errorKind(response).code !== 'RevisionNotFound') {
          await response.body?.cancel();
          return null;
        }
        return failure(response, { repoId, revision, file });
      }
      const value = await readJson(response, `${repoId}/${file}`);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HfError('HF_BAD_RESPONSE', `${repoId}/${file} is not a JSON object.`);
      return value as Record<string, unknown>;
    },

    /**
     * Starts downloading a repo file from byte `offset` (a Range request past 0). `body` is the
     * caller's to read or cancel; `signal` aborts the request and the body. The SHA-256 comes from
     * the Hub's `X-Linked-Etag` (LFS files, on its redirect) or a 64-hex `ETag`; git blob ids are
     * not SHA-256 and are ignored.
     */
    async openDownload(repoId: string, revision: string, file: string, request: { offset?: number; signal?: AbortSignal } = {}): Promise<HfDownloadAnswer> {
      const offset = request.offset ?? 0;
      let linkedEtag: string | null = null;
      let linkedSize: string | null = null;
      const response = await get(fileUrl(repoId, revision, file), { accept: '*/*', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) }, {
        stream: true,
        ...(request.signal ? { signal: request.signal } : {}),
        onRedirect: (hop) => {
          linkedEtag ??= hop.headers.get('x-linked-etag');
          linkedSize ??= hop.headers.get('x-linked-size');
        },
      });
      const sha256 = sha256Of(linkedEtag) ?? sha256Of(response.headers.get('x-linked-etag')) ?? sha256Of(response.headers.get('etag'));
      if (response.status === 416) {
        await response.body?.cancel();
        const total = /^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
        return { status: 416, totalBytes: total ? Number(total) : null, sha256 };
      }
      if (!response.ok || !response.body) {
        // Errors of the Hub itself carry X-Error-Code; a CDN's are plain statuses.
        if (new URL(response.url || fileUrl(repoId, revision, file)).origin === origin) return failure(response, { repoId, revision, file });
        await response.body?.cancel().catch(() => undefined);
        if (response.status === 404) throw new HfError('HF_FILE_NOT_FOUND', `The download server has no ${repoId}/${file} (HTTP 404).`);
        throw new HfError('HF_BAD_RESPONSE', `The download server answered HTTP ${response.status} for ${repoId}/${file}.`);
      }
      if (response.status === 206) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== offset) {
          await response.body.cancel();
          throw new HfError('HF_BAD_RESPONSE', `The download server answered a range other than the one asked for ${repoId}/${file}.`);
        }
        return { status: 206, start: offset, body: response.body, totalBytes: range[3] === '*' ? null : Number(range[3]), sha256 };
      }
      const length = response.headers.get('content-length');
      const size = length ?? linkedSize;
      return { status: 200, start: 0, body: response.body, totalBytes: size !== null && /^\d+$/.test(size) ? Number(size) : null, sha256 };
    },

    /** A repo file as a ByteSource read with HTTP ranges (for GGUF headers of multi-GB files). */
    openFile(repoId: string, revision: string, file: string): ByteSource {
      const url = fileUrl(repoId, revision, file);
      const source: ByteSource & { size: number | undefined } = {
        size: undefined,
        async read(offset, length) {
          if (source.size !== undefined && offset >= source.size) return new Uint8Array(0);
          const response = await get(url, { range: `bytes=${offset}-${offset + length - 1}`, accept: '*/*' });
          if (response.status === 416) {
            await response.body?.cancel();
            return new Uint8Array(0);
          }
          if (!response.ok) return failure(response, { repoId, revision, file });
          if (response.status === 206) {
            const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '')?.[1];
            if (total) source.size = Number(total);
            return new Uint8Array(await response.arrayBuffer());
          }
          // A server that ignores Range sends the whole file: keep what was asked for, stop reading.
          if (offset !== 0 || !response.body) {
            await response.body?.cancel();
            throw new HfError('HF_BAD_RESPONSE', `The Hub at ${endpoint} does not answer range requests for ${repoId}/${file}.`);
          }
          const reader = response.body.getReader();
          const chunks: Uint8Array[] = [];
          let received = 0;
          while (received < length) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            received += value.length;
          }
          await reader.cancel();
          const joined = new Uint8Array(Math.min(received, length));
          let at = 0;
          for (const chunk of chunks) {
            const take = Math.min(chunk.length, joined.length - at);
            joined.set(chunk.subarray(0, take), at);
            at += take;
            if (at >= joined.length) break;
          }
          return joined;
        },
      };
      return source;
    },
  };
}

export type HfClient = ReturnType<typeof createHfClient>;
