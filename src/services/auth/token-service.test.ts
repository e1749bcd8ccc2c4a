import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenService, looksLikeJwt, MAX_CLOCK_SKEW_SECONDS, type SessionClaims } from './token-service.js';

const SECRET = 'token-service-test-secret-0123456789abcdef';
const CLAIMS: SessionClaims = { userId: '6f1c2b1e-3f9a-4c55-9d51-2a7f0f7c9e10', role: 'operator', sessionVersion: 3 };
const T0 = new Date('2025-01-01T12:00:00Z');

function serviceAt(time: () => Date, secret = SECRET) {
  return createTokenService({ secret, ttlSeconds: 60, now: time, newId: () => 'session-1' });
}

/** What verify() answers for CLAIMS signed at T0. */
const VERIFIED = { ...CLAIMS, tokenId: 'session-1', expiresAt: new Date(T0.getTime() + 60_000) };

/** A token signed with the real secret and issuer, with exactly the registered claims given. */
function signedWith(claims: { iat?: number; exp?: number; jti?: string }): Promise<string> {
  return new SignJWT({ role: 'admin', sv: 3, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(CLAIMS.userId)
    .setIssuer('hmas')
    .setAudience('hmas-api')
    .sign(new TextEncoder().encode(SECRET));
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('createTokenService', () => {
  it('verifies the claims of a token it signed', async () => {
    const tokens = serviceAt(() => T0);
    const token = await tokens.sign(CLAIMS);
    expect(looksLikeJwt(token)).toBe(true);
    await expect(tokens.verify(token)).resolves.toEqual(VERIFIED);
  });

  it('signs HS256 tokens with subject, issuer, audience and a ttl-long lifetime', async () => {
    const token = await serviceAt(() => T0).sign(CLAIMS);
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const issuedAt = T0.getTime() / 1000;
    expect(payload).toEqual({ sub: CLAIMS.userId, role: 'operator', sv: 3, iss: 'hmas', aud: 'hmas-api', jti: 'session-1', iat: issuedAt, exp: issuedAt + 60 });
  });

  it('exposes the ttl it signs with', () => {
    expect(serviceAt(() => T0).ttlSeconds).toBe(60);
  });

  it('accepts a token until its ttl has passed, and refuses it from then on', async () => {
    let now = T0;
    const tokens = serviceAt(() => now);
    const token = await tokens.sign(CLAIMS);

    now = new Date(T0.getTime() + 59_000);
    await expect(tokens.verify(token)).resolves.toEqual(VERIFIED);
    now = new Date(T0.getTime() + 60_000);
    await expect(tokens.verify(token)).resolves.toBeUndefined();
    now = new Date(T0.getTime() + 3600_000);
    await expect(tokens.verify(token)).resolves.toBeUndefined();
  });

  it('returns undefined for a token whose payload was changed', async () => {
    const tokens = serviceAt(() => T0);
    const [header, payload, signature] = (await tokens.sign(CLAIMS)).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const promoted = [header, base64url({ ...claims, role: 'admin' }), signature].join('.');
    await expect(tokens.verify(promoted)).resolves.toBeUndefined();
  });

  it('returns undefined for a token whose signature was changed', async () => {
    const tokens = serviceAt(() => T0);
    const [header, payload, signature] = (await tokens.sign(CLAIMS)).split('.');
    const flipped = `${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    await expect(tokens.verify([header, payload, flipped].join('.'))).resolves.toBeUndefined();
  });

  it('returns undefined for a token signed with another secret', async () => {
    const token = await serviceAt(() => T0, 'another-secret-another-secret-0123456789').sign(CLAIMS);
    await expect(serviceAt(() => T0).verify(token)).resolves.toBeUndefined();
  });

  it('returns undefined for an unsigned token (alg "none")', async () => {
    const iat = T0.getTime() / 1000;
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: CLAIMS.userId, role: 'admin', sv: 3, iss: 'hmas', aud: 'hmas-api', iat, exp: iat + 60 })}.`;
    await expect(serviceAt(() => T0).verify(unsigned)).resolves.toBeUndefined();
  });

  it('returns undefined for a token with the right secret but another issuer or audience', async () => {
    const key = new TextEncoder().encode(SECRET);
    const foreign = (issuer: string, audience: string) =>
      new SignJWT({ role: 'admin', sv: 1 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(CLAIMS.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(T0)
        .setExpirationTime(new Date(T0.getTime() + 60_000))
        .sign(key);
    const tokens = serviceAt(() => T0);
    await expect(tokens.verify(await foreign('someone-else', 'hmas-api'))).resolves.toBeUndefined();
    await expect(tokens.verify(await foreign('hmas', 'someone-else'))).resolves.toBeUndefined();
  });

  it('returns undefined for a validly signed token that lacks the session claims', async () => {
    const token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(CLAIMS.userId)
      .setIssuer('hmas')
      .setAudience('hmas-api')
      .setIssuedAt(T0)
      .setExpirationTime(new Date(T0.getTime() + 60_000))
      .sign(new TextEncoder().encode(SECRET));
    await expect(serviceAt(() => T0).verify(token)).resolves.toBeUndefined();
  });

  it('gives every token its own id, so one session can be signed out alone', async () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: 60, now: () => T0 });
    const [first, second] = await Promise.all([tokens.sign(CLAIMS), tokens.sign(CLAIMS)]);
    const [a, b] = await Promise.all([tokens.verify(first), tokens.verify(second)]);
    expect(a?.tokenId).toBeTruthy();
    expect(a?.tokenId).not.toBe(b?.tokenId);
  });

  it('refuses a token signed with the real secret but without exp, iat or jti', async () => {
    const iat = T0.getTime() / 1000;
    const tokens = serviceAt(() => T0);
    await expect(tokens.verify(await signedWith({ iat, exp: iat + 60, jti: 'x' }))).resolves.toMatchObject({ tokenId: 'x' });
    await expect(tokens.verify(await signedWith({ iat, jti: 'x' }))).resolves.toBeUndefined();
    await expect(tokens.verify(await signedWith({ exp: iat + 60, jti: 'x' }))).resolves.toBeUndefined();
    await expect(tokens.verify(await signedWith({ iat, exp: iat + 60 }))).resolves.toBeUndefined();
  });

  it('refuses a token issued in the future beyond the allowed clock skew', async () => {
    const iat = T0.getTime() / 1000;
    const tokens = serviceAt(() => T0);
    await expect(tokens.verify(await signedWith({ iat: iat + MAX_CLOCK_SKEW_SECONDS, exp: iat + 600, jti: 'x' }))).resolves.toBeDefined();
    await expect(tokens.verify(await signedWith({ iat: iat + MAX_CLOCK_SKEW_SECONDS + 1, exp: iat + 600, jti: 'x' }))).resolves.toBeUndefined();
    await expect(tokens.verify(await signedWith({ iat: iat + 86_400 * 365, exp: iat + 86_400 * 366, jti: 'x' }))).resolves.toBeUndefined();
  });

  it.each(['', 'garbage', 'a.b.c', 'sk-hmas-0123456789'])('returns undefined for the non-token %j', async (token) => {
    await expect(serviceAt(() => T0).verify(token)).resolves.toBeUndefined();
  });
});

describe('looksLikeJwt', () => {
  it.each([
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', true],
    ['a.b.c', true],
    ['a.b', false],
    ['a.b.c.d', false],
    ['a.b.', false],
    ['sk-hmas-0123456789', false],
    ['a.b.c d', false],
    ['a+b.c/d.e=', false],
  ])('says %j looks like a JWT: %s', (token, expected) => {
    expect(looksLikeJwt(token)).toBe(expected);
  });
});
