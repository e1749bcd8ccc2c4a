import { describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors.js';
import { GatewayError, defaultErrorType } from './gateway-error.js';

describe('GatewayError', () => {
  it("renders in OpenAI's error shape with the code and a type that follows the status", () => {
    const error = new GatewayError(401, 'API_KEY_REVOKED', 'This API key was revoked.');
    expect(error.status).toBe(401);
    expect(error.toBody()).toEqual({ error: { message: 'This API key was revoked.', type: 'authentication_error', code: 'API_KEY_REVOKED', param: null } });
  });

  it('takes an explicit type and headers, and stays an AppError for the control API', () => {
    const error = new GatewayError(429, 'RATE_LIMITED', 'Slow down.', { type: 'rate_limit_error', headers: { 'retry-after': '3' } });
    expect(error).toBeInstanceOf(AppError);
    expect(error.headers).toEqual({ 'retry-after': '3' });
    expect(error.statusCode).toBe(429);
  });

  it.each([
    [400, 'invalid_request_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [429, 'rate_limit_error'],
    [502, 'api_error'],
    [504, 'api_error'],
  ] as const)('maps status %i to type %s', (status, type) => {
    expect(defaultErrorType(status)).toBe(type);
  });
});
