import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Role } from '../../domain/roles.js';

export interface SessionClaims {
  userId: string;
  role: Role;
  sessionVersion: number;
}

/** What a verified token says beyond the claims it was signed with. */
export interface VerifiedSession extends SessionClaims {
  /** The token's `jti`: sign-out revokes this one session by it. */
  tokenId: string;
  /** When the token expires (`exp`); a revocation need not outlive it. */
  expiresAt: Date;
}

const ISSUER = 'hmas';
const AUDIENCE = 'hmas-api';
/**
 * How far a token's `iat` may lie in the future: instances signing for each other may have
 * clocks a little apart, but a token "issued" later than that was not issued by H-MAS's clock.
 */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** Signs and verifies session JWTs (HS256). */
export function createTokenService(deps: { secret: string; ttlSeconds: number; now?: () => Date; newId?: () => string }) {
  const key = new TextEncoder().encode(deps.secret);
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  return {
    ttlSeconds: deps.ttlSeconds,
    async sign(claims: SessionClaims): Promise<string> {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ role: claims.role, sv: claims.sessionVersion })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(newId())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + deps.ttlSeconds)
        .sign(key);
    },
    /**
     * Returns the session, or undefined for any invalid, expired or foreign token. A token
     * must carry `exp`, `iat` and `jti`: one without an expiry would be good forever, one
     * without an id could not be signed out.
     */
    async verify(token: string): Promise<VerifiedSession | undefined> {
      try {
        const at = now();
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
          currentDate: at,
        });
        if (typeof payload.sub !== 'string' || typeof payload.sv !== 'number' || typeof payload.role !== 'string') return undefined;
        if (typeof payload.jti !== 'string' || payload.jti === '' || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return undefined;
        if (payload.iat > at.getTime() / 1000 + MAX_CLOCK_SKEW_SECONDS) return undefined;
        return { userId: payload.sub, role: payload.role as Role, sessionVersion: payload.sv, tokenId: payload.jti, expiresAt: new Date(payload.exp * 1000) };
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
