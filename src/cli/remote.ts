import type { Command } from 'commander';
import { createApiClient, type ApiClient } from './api-client.js';
import { defaultCredentialsFile, loadToken } from './credentials.js';
import type { OutputFormat } from './output.js';

/** Options every command that talks to a running server shares. */
export interface RemoteOptions {
  server: string;
  token?: string;
  credentialsFile?: string;
  output: OutputFormat;
}

/** Builds the API client for a command: --token wins, then the token `hmas login` saved. */
export async function remoteClient(program: Command): Promise<{ client: ApiClient; output: OutputFormat }> {
  const options = program.opts<RemoteOptions>();
  const server = options.server.replace(/\/+$/, '');
  const token = options.token ?? (await loadToken(options.credentialsFile ?? defaultCredentialsFile(), server));
  return { client: createApiClient({ server, ...(token ? { token } : {}) }), output: options.output };
}

/** `key=value` pairs from repeated options, e.g. `--label region=us --label tier=gold`. */
export function collectPairs(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const index = value.indexOf('=');
  if (index <= 0) throw new Error(`"${value}" is not key=value.`);
  return { ...previous, [value.slice(0, index)]: value.slice(index + 1) };
}
