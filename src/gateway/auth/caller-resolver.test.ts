import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import type { ApiKeyAuthRecord } from '../../services/api-keys/api-key-repo.js';
import { generateApiKey } from '../../services/api-keys/api-key-secret.js';
import { createTokenService } from '../../services/auth/token-service.js';
import type { UserRow } from '../../services/users/user-repo.js';
import { GatewayError } from '../gateway-error.js';
import { createCallerResolver } from './caller-resolver.js';

const USER_ID = '6f1c2b1e-3f9a-4c55-9d51-2a7f0f7c9e10';
const KEY_ID = '0b6f9a52-9d0e-4a57-8f43-6d2f9c1b7e21';
const T0 = new Date('2030-01-01T00:00:00Z').getTime();

/**
 * The resolver over in-memory stand-ins for its two lookups (key by hash, user by id) that count
 * every lookup, and a clock the test moves by hand.
 */
function setup() {
  const clock = { ms: T0 };
  const now = () => new Date(clock.ms);
  const secret = generateApiKey();
  const keys = new Map<string, ApiKeyAuthRecord>();
  const key: ApiKeyAuthRecord = {
    id: KEY_ID,
    userId: USER_ID,
    scopes: ['inference'],
    allowedDeployments: ['qwen'],
    rpm: 10,
    tpm: null,
    active: true,
    expiresAt: null,
    revokedAt: null,
  };
  keys.set(secret.sha256, key);
  const user = { id: USER_ID, username: 'ada', role: 'viewer', disabled: false, sessionVersion: 2 } as UserRow;
  const lookups = { keys: 0, users: 0, verifies: 0, signOuts: 0 };
  const signedOut = new Set<string>();
  const listeners = new Set<(keyId: string) => void>();
  const used: string[] = [];
  const tokens = createTokenService({ secret: 'resolver-test-secret-0123456789abcdef', ttlSeconds: 3600, now });
  const resolver = createCallerResolver({
    tokens: {
      verify: (token) => {
        lookups.verifies += 1;
        return tokens.verify(token);
      },
    },
    users: {
      findRow: async (id) => {
        lookups.users += 1;
        return id === user.id ? { ...user } : undefined;
      },
    },
    sessions: {
      isRevoked: async (tokenId) => {
        lookups.signOuts += 1;
        return signedOut.has(tokenId);
      },
    },
    apiKeys: {
      findForAuth: async (sha256) => {
        lookups.keys += 1;
        const found = keys.get(sha256);
        return found && { ...found };
      },
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    usage: { markUsed: (id) => used.push(id) },
    logger: createLogger({ level: 'silent', pretty: false }),
    now,
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const refusal = async (headers: { authorization?: string; cookie?: string }) => {
    const error: unknown = await resolver.resolve(headers).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
    return { status: error.status, code: error.code };
  };
  const change = (keyId: string) => listeners.forEach((listener) => listener(keyId));
  return { resolver, clock, secret, key, user, lookups, used, tokens, bearer, refusal, change, listeners, signedOut };
}

describe('createCallerResolver', () => {
  it("resolves an API key to its owner, with the key's id, allowed deployments and limits", async () => {
    const { resolver, secret, bearer, used } = setup();
    await expect(resolver.resolve(bearer(secret.key))).resolves.toEqual({
      userId: USER_ID,
      username: 'ada',
      role: 'viewer',
      authMethod: 'api_key',
      keyId: KEY_ID,
      allowedDeployments: ['qwen'],
      keyLimits: { rpm: 10, tpm: null },
    });
    expect(used).toEqual([KEY_ID]);
  });

  it('answers undefined when no credentials were sent', async () => {
    const { resolver } = setup();
    await expect(resolver.resolve({})).resolves.toBeUndefined();
  });

  it('looks a key up once, answers from memory, and after 15 s refreshes it in the background', async () => {
    const { resolver, secret, bearer, lookups, clock } = setup();
    for (let i = 0; i < 5; i += 1) await resolver.resolve(bearer(secret.key));
    clock.ms += 14_999;
    await resolver.resolve(bearer(secret.key));
    expect(lookups.keys).toBe(1);
    clock.ms += 1;
    await resolver.resolve(bearer(secret.key));
    await resolver.resolve(bearer(secret.key));
    expect(lookups.keys).toBe(2);
  });

  it('refuses revoked, paused and expired keys with distinct 401 codes', async () => {
    const { secret, bearer, key, refusal, change, clock } = setup();
    key.expiresAt = new Date(T0 + 60_000);
    clock.ms = T0 + 60_000;
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'API_KEY_EXPIRED' });
    key.active = false;
    change(KEY_ID);
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'API_KEY_INACTIVE' });
    key.revokedAt = new Date(T0);
    change(KEY_ID);
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'API_KEY_REVOKED' });
  });

  it('refuses a cached key the moment its expiry passes, without a new lookup', async () => {
    const { resolver, secret, bearer, key, refusal, clock, lookups } = setup();
    key.expiresAt = new Date(T0 + 10_000);
    await resolver.resolve(bearer(secret.key));
    clock.ms = T0 + 10_000;
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'API_KEY_EXPIRED' });
    expect(lookups.keys).toBe(1);
  });

  it('refuses a key at once after a change is announced, though its cache entry had 30 s to live', async () => {
    const { resolver, secret, bearer, key, refusal, change } = setup();
    await resolver.resolve(bearer(secret.key));
    key.revokedAt = new Date(T0);
    key.active = false;
    expect((await resolver.resolve(bearer(secret.key)))?.keyId).toBe(KEY_ID);
    change(KEY_ID);
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'API_KEY_REVOKED' });
  });

  it("refuses a disabled owner's key within the 1 s user TTL", async () => {
    const { resolver, secret, bearer, user, refusal, clock } = setup();
    await resolver.resolve(bearer(secret.key));
    user.disabled = true;
    clock.ms += 999;
    expect((await resolver.resolve(bearer(secret.key)))?.userId).toBe(USER_ID);
    clock.ms += 1;
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'USER_DISABLED' });
  });

  it('refuses unknown keys, and remembers them as unknown for 5 s so a bad key does not hammer the database', async () => {
    const { bearer, refusal, lookups, clock } = setup();
    const stranger = generateApiKey().key;
    for (let i = 0; i < 3; i += 1) expect(await refusal(bearer(stranger))).toEqual({ status: 401, code: 'INVALID_API_KEY' });
    expect(lookups.keys).toBe(1);
    clock.ms += 5_000;
    await refusal(bearer(stranger));
    expect(lookups.keys).toBe(2);
  });

  it('refuses a malformed sk-hmas- key without any lookup', async () => {
    const { bearer, refusal, lookups } = setup();
    expect(await refusal(bearer('sk-hmas-too-short'))).toEqual({ status: 401, code: 'INVALID_API_KEY' });
    expect(lookups.keys).toBe(0);
  });

  it('refuses the key of an owner who no longer exists', async () => {
    const { secret, bearer, refusal, key } = setup();
    key.userId = '00000000-0000-4000-8000-000000000000';
    expect(await refusal(bearer(secret.key))).toEqual({ status: 401, code: 'INVALID_API_KEY' });
  });

  it('resolves a session JWT from the bearer header or the session cookie', async () => {
    const { resolver, tokens } = setup();
    const jwt = await tokens.sign({ userId: USER_ID, role: 'viewer', sessionVersion: 2 });
    const expected = { userId: USER_ID, username: 'ada', role: 'viewer', authMethod: 'jwt', keyId: null, allowedDeployments: [], keyLimits: { rpm: null, tpm: null } };
    await expect(resolver.resolve({ authorization: `Bearer ${jwt}` })).resolves.toEqual(expected);
    await expect(resolver.resolve({ cookie: `hmas_access=${jwt}` })).resolves.toEqual(expected);
  });

  it('refuses a JWT of an older session (401 SESSION_REVOKED) within the 1 s user TTL, and a forged one at once', async () => {
    const { resolver, tokens, user, refusal, clock } = setup();
    const jwt = await tokens.sign({ userId: USER_ID, role: 'viewer', sessionVersion: 2 });
    await resolver.resolve({ cookie: `hmas_access=${jwt}` });
    user.sessionVersion = 3;
    clock.ms += 1_000;
    expect(await refusal({ cookie: `hmas_access=${jwt}` })).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    const forged = `${jwt.slice(0, -4)}AAAA`;
    expect(await refusal({ authorization: `Bearer ${forged}` })).toEqual({ status: 401, code: 'INVALID_TOKEN' });
  });

  it('refuses a signed-out JWT (401 SESSION_REVOKED) within the 1 s TTL, and checks the sign-out at most once per TTL', async () => {
    const { resolver, tokens, refusal, clock, lookups, signedOut } = setup();
    const jwt = await tokens.sign({ userId: USER_ID, role: 'viewer', sessionVersion: 2 });
    const other = await tokens.sign({ userId: USER_ID, role: 'viewer', sessionVersion: 2 });
    for (let i = 0; i < 5; i += 1) await resolver.resolve({ authorization: `Bearer ${jwt}` });
    expect(lookups.signOuts).toBe(1);
    signedOut.add((await tokens.verify(jwt))!.tokenId);
    clock.ms += 1_000;
    expect(await refusal({ authorization: `Bearer ${jwt}` })).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    expect(await refusal({ cookie: `hmas_access=${jwt}` })).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    // Only that session ended: another token of the same user still works.
    expect((await resolver.resolve({ authorization: `Bearer ${other}` }))?.userId).toBe(USER_ID);
  });

  it('verifies a JWT signature once, and refuses the token once it has expired', async () => {
    const { resolver, tokens, refusal, clock, lookups } = setup();
    const jwt = await tokens.sign({ userId: USER_ID, role: 'viewer', sessionVersion: 2 });
    for (let i = 0; i < 3; i += 1) expect((await resolver.resolve({ authorization: `Bearer ${jwt}` }))?.userId).toBe(USER_ID);
    expect(lookups.verifies).toBe(1);
    clock.ms += 3600_000;
    expect(await refusal({ authorization: `Bearer ${jwt}` })).toEqual({ status: 401, code: 'INVALID_TOKEN' });
  });

  it('reads the user row at most once per TTL however many requests it serves', async () => {
    const { resolver, secret, bearer, lookups, clock } = setup();
    for (let i = 0; i < 10; i += 1) await resolver.resolve(bearer(secret.key));
    expect(lookups.users).toBe(1);
    clock.ms += 1_000;
    await resolver.resolve(bearer(secret.key));
    expect(lookups.users).toBe(2);
  });

  it('stops listening to key changes once closed', async () => {
    const { resolver, listeners } = setup();
    expect(listeners.size).toBe(1);
    await resolver.close();
    expect(listeners.size).toBe(0);
  });
});
