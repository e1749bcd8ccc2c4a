import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Role } from '../../domain/roles.js';

export interface SessionClaims {
  userId: string;
  role: Role;
  sessionVersion: number;
}

const ISSUER = 'hmas';
const AUDIENCE = 'hmas-api';

/** Signs and verifies session JWTs (HS256). */
export function createTokenService(deps: { secret: string; ttlSeconds: number; now?: () => Date }) {
  const key = new TextEncoder().encode(deps.secret);
  const now = deps.now ?? (() => new Date());
  return {
    ttlSeconds: deps.ttlSeconds,
    async sign(claims: SessionClaims): Promise<string> {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ role: claims.role, sv: claims.sessionVersion })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + deps.ttlSeconds)
        .sign(key);
    },
    /** Returns the claims, or undefined for any invalid, expired or foreign token. */
    async verify(token: string): Promise<SessionClaims | undefined> {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload.sv !== 'number' || typeof payload.role !== 'string') return undefined;
        return { userId: payload.sub, role: payload.role as Role, sessionVersion: payload.sv };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/** JWTs have three base64url parts; API keys (later) start with `sk-hmas-`. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
