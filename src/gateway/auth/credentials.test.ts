import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error.js';
import { readCookie, readCredentials } from './credentials.js';

const KEY = `sk-hmas-${'a'.repeat(43)}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

function refusal(headers: { authorization?: string; cookie?: string }): GatewayError {
  try {
    readCredentials(headers);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readCredentials', () => {
  it('tells an API key from a JWT by form', () => {
    expect(readCredentials({ authorization: `Bearer ${KEY}` })).toEqual({ kind: 'api_key', key: KEY });
    expect(readCredentials({ authorization: `bearer ${JWT} ` })).toEqual({ kind: 'jwt', token: JWT, via: 'bearer' });
  });

  it('reads the session cookie when there is no Authorization header, and prefers the header', () => {
    expect(readCredentials({ cookie: `theme=dark; hmas_access=${JWT}` })).toEqual({ kind: 'jwt', token: JWT, via: 'cookie' });
    expect(readCredentials({ authorization: `Bearer ${KEY}`, cookie: `hmas_access=${JWT}` })).toEqual({ kind: 'api_key', key: KEY });
  });

  it('answers undefined when nothing was presented', () => {
    expect(readCredentials({})).toBeUndefined();
    expect(readCredentials({ cookie: 'theme=dark' })).toBeUndefined();
    expect(readCredentials({ cookie: 'hmas_access=' })).toBeUndefined();
  });

  it('refuses an Authorization header that is not "Bearer <token>" with 401 INVALID_AUTHORIZATION', () => {
    for (const authorization of ['', 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${KEY} extra`, KEY]) {
      const error = refusal({ authorization });
      expect(error.status).toBe(401);
      expect(error.code).toBe('INVALID_AUTHORIZATION');
    }
  });

  it('refuses a bearer token of no known form with 401 INVALID_API_KEY, in the OpenAI error shape', () => {
    const error = refusal({ authorization: 'Bearer sk-openai-abcdef' });
    expect(error.toBody()).toEqual({ error: { code: 'INVALID_API_KEY', type: 'authentication_error', message: expect.any(String), param: null } });
    expect(error.message).not.toContain('sk-openai-abcdef');
  });
});

describe('readCookie', () => {
  it('finds one cookie by exact name and decodes it', () => {
    expect(readCookie('a=1; hmas_access_x=2; hmas_access=3%3D', 'hmas_access')).toBe('3=');
    expect(readCookie('a=%E0%A4%A', 'a')).toBe('%E0%A4%A');
    expect(readCookie('novalue; b=2', 'novalue')).toBeUndefined();
  });
});
