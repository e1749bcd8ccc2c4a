import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_BODY_LENGTH, API_KEY_DISPLAY_CHARS, API_KEY_PREFIX } from '../../domain/api-key.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_BYTES = 32;

/** Writes `bytes` as a base62 number, left-padded to `length` characters. */
export function toBase62(bytes: Uint8Array, length: number): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)]! + out;
    value /= 62n;
  }
  if (out.length > length) throw new Error(`${bytes.length} bytes do not fit in ${length} base62 characters`);
  return out.padStart(length, '0');
}

/** The SHA-256 of a key, hex: the only form of a key that is ever stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What lists show: the prefix and the first characters, never enough to use the key. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + API_KEY_DISPLAY_CHARS);
}

export interface NewApiKey {
  /** The plain key: handed to the caller once, never stored. */
  key: string;
  sha256: string;
  prefix: string;
}

/** A fresh key: `sk-hmas-` + 32 random bytes in base62 (256 bits). */
export function generateApiKey(random: (size: number) => Uint8Array = randomBytes): NewApiKey {
  const key = `${API_KEY_PREFIX}${toBase62(random(KEY_BYTES), API_KEY_BODY_LENGTH)}`;
  return { key, sha256: hashApiKey(key), prefix: displayPrefix(key) };
}
