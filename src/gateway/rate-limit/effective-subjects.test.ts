import { describe, expect, it } from 'vitest';
import type { GatewayCaller } from '../gateway-contracts.js';
import { effectiveSubjects, resolveLimits } from './effective-subjects.js';

const DEFAULTS = { rpm: 60, tpm: 0 };
const NO_OVERRIDES = { rateLimitRpm: null, rateLimitTpm: null };

function caller(overrides: Partial<GatewayCaller> = {}): GatewayCaller {
  return {
    userId: 'user-1',
    username: 'alice',
    role: 'viewer',
    authMethod: 'api_key',
    keyId: 'key-1',
    allowedDeployments: [],
    keyLimits: { rpm: null, tpm: null },
    ...overrides,
  };
}

describe('effectiveSubjects', () => {
  it('limits a session (JWT) caller by the user alone', () => {
    expect(effectiveSubjects(caller({ authMethod: 'jwt', keyId: null }), NO_OVERRIDES, DEFAULTS)).toEqual([{ kind: 'user', id: 'user-1', rpm: 60, tpm: 0 }]);
  });

  it('limits an API key caller by the key and by the user, key first', () => {
    expect(effectiveSubjects(caller(), NO_OVERRIDES, DEFAULTS)).toEqual([
      { kind: 'key', id: 'key-1', rpm: 60, tpm: 0 },
      { kind: 'user', id: 'user-1', rpm: 60, tpm: 0 },
    ]);
  });

  it("gives the key its own override before the user's and the default", () => {
    const subjects = effectiveSubjects(caller({ keyLimits: { rpm: 5, tpm: null } }), { rateLimitRpm: 20, rateLimitTpm: 9000 }, DEFAULTS);
    expect(subjects).toEqual([
      { kind: 'key', id: 'key-1', rpm: 5, tpm: 9000 },
      { kind: 'user', id: 'user-1', rpm: 20, tpm: 9000 },
    ]);
  });

  it('treats an override of 0 as unlimited, not as "inherit"', () => {
    const subjects = effectiveSubjects(caller({ keyLimits: { rpm: 0, tpm: 0 } }), { rateLimitRpm: 0, rateLimitTpm: null }, { rpm: 60, tpm: 1000 });
    expect(subjects).toEqual([
      { kind: 'key', id: 'key-1', rpm: 0, tpm: 0 },
      { kind: 'user', id: 'user-1', rpm: 0, tpm: 1000 },
    ]);
  });

  it("never lets a user subject inherit a key's override", () => {
    const [, user] = effectiveSubjects(caller({ keyLimits: { rpm: 1, tpm: 1 } }), NO_OVERRIDES, DEFAULTS);
    expect(user).toEqual({ kind: 'user', id: 'user-1', rpm: 60, tpm: 0 });
  });
});

describe('resolveLimits', () => {
  it('reports where each limit comes from, per dimension', () => {
    expect(resolveLimits({ rpm: 5, tpm: null }, { rpm: null, tpm: 300 }, DEFAULTS)).toEqual({ rpm: 5, tpm: 300, source: { rpm: 'key', tpm: 'user' } });
    expect(resolveLimits(null, { rpm: null, tpm: null }, DEFAULTS)).toEqual({ rpm: 60, tpm: 0, source: { rpm: 'default', tpm: 'default' } });
  });
});
