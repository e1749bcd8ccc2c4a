import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

// OWASP-recommended scrypt cost (N=2^17, r=8, p=1) needs 128 MiB; 2^15 keeps logins fast on
// two shared cores while staying well above brute-force territory for online attacks.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

/** Hash format: `scrypt$N$r$p$salt(base64)$hash(base64)`, so parameters can change later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

const isPowerOfTwo = (value: number) => Number.isInteger(value) && value > 1 && (value & (value - 1)) === 0;

/** False for a wrong password and for any stored value that is not a sane scrypt hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !hashB64 || rest.length > 0) return false;
  const [cost, blockSize, parallelism] = [Number(n), Number(r), Number(p)];
  if (!isPowerOfTwo(cost) || cost > 2 ** 20 || !Number.isInteger(blockSize) || blockSize < 1 || blockSize > 32) return false;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 16) return false;
  const expected = Buffer.from(hashB64, 'base64');
  // An empty or short expected hash would make any password "match".
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await scryptAsync(password, Buffer.from(saltB64, 'base64'), KEY_LENGTH, { N: cost, r: blockSize, p: parallelism, maxmem: 256 * 1024 * 1024 });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** A readable random password (no ambiguous characters), for first-start admin accounts. */
export function generatePassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
