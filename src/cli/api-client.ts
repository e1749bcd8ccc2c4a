/**
 * The CLI's client for the control API. Errors carry the server's `code`, message and
 * request id so the CLI can print what a person needs.
 */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export interface ApiClient {
  readonly server: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** A streaming GET (no deadline): yields text as it arrives. */
  stream(path: string): Promise<AsyncIterable<string>>;
}

export function createApiClient(options: { server: string; token?: string; timeoutMs?: number }): ApiClient {
  const server = options.server.replace(/\/+$/, '');

  async function send(method: string, path: string, body: unknown, deadline: boolean): Promise<Response> {
    try {
      return await fetch(`${server}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(deadline ? { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) } : {}),
      });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiCallError(0, 'SERVER_UNREACHABLE', `Cannot reach the H-MAS server at ${server} (${reason}). Is it running? Set --server or HMAS_SERVER.`, undefined);
    }
  }

  async function parse(response: Response): Promise<unknown> {
    const text = await response.text();
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The server's error envelope as an ApiCallError. */
  async function failure(response: Response): Promise<ApiCallError> {
    const envelope = ((await parse(response)) as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
    // A wrong password (hmas login itself) needs no advice to log in.
    const hint = response.status === 401 && envelope?.code !== 'INVALID_CREDENTIALS' ? ' Run "hmas login" first, or pass --token.' : '';
    return new ApiCallError(response.status, envelope?.code ?? `HTTP_${response.status}`, `${envelope?.message ?? response.statusText}${hint}`, envelope?.requestId);
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(method, path, body, true);
    if (!response.ok) throw await failure(response);
    if (response.status === 204) return undefined as T;
    return (await parse(response)) as T;
  }

  return {
    server,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
    delete: async (path) => {
      await call('DELETE', path);
    },
    async stream(path) {
      const response = await send('GET', path, undefined, false);
      if (!response.ok || !response.body) throw await failure(response);
      return response.body.pipeThrough(new TextDecoderStream());
    },
  };
}
