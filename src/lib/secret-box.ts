import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts credentials at rest with AES-256-GCM. Stored form: `v1.<iv>.<tag>.<ciphertext>`
 * (base64url), so the format can change later without ambiguity.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Any secret string of ≥32 characters becomes a 256-bit key through SHA-256. */
export function createSecretBox(secret: string): SecretBox {
  if (secret.length < 32) throw new SecretBoxError('The secret key needs at least 32 characters.');
  const key = createHash('sha256').update(secret, 'utf8').digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new SecretBoxError('Not a sealed secret.');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('The secret cannot be decrypted: wrong HMAS_SECRET_KEY or corrupted data.');
      }
    },
  };
}
