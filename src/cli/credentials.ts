import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where `hmas login` keeps session tokens, one per server URL (mode 0600). */
export function defaultCredentialsFile(home: string = homedir()): string {
  return path.join(home, '.config', 'hmas', 'credentials.json');
}

type Store = Record<string, { token: string; username: string; savedAt: string }>;

async function readStore(file: string): Promise<Store> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Store;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read ${file}: ${(error as Error).message}. Delete it and run "hmas login" again.`);
  }
}

export async function loadToken(file: string, server: string): Promise<string | undefined> {
  return (await readStore(file))[server]?.token;
}

export async function saveToken(file: string, server: string, username: string, token: string): Promise<void> {
  const store = await readStore(file);
  store[server] = { token, username, savedAt: new Date().toISOString() };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
}

export async function forgetToken(file: string, server: string): Promise<boolean> {
  const store = await readStore(file);
  if (!store[server]) return false;
  delete store[server];
  await writeFile(file, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  return true;
}
