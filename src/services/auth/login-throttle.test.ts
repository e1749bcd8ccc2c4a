import { describe, expect, it } from 'vitest';
import { createLoginThrottle, loginThrottleKeys } from './login-throttle.js';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 3;

function throttleAt(start = 1_000_000) {
  let time = start;
  const throttle = createLoginThrottle({ maxFailures: MAX_FAILURES, windowMs: WINDOW_MS, now: () => time });
  return {
    throttle,
    advance(ms: number) {
      time += ms;
    },
  };
}

function fail(throttle: ReturnType<typeof throttleAt>['throttle'], keys: string[], times: number) {
  for (let i = 0; i < times; i += 1) throttle.recordFailure(keys);
}

describe('loginThrottleKeys', () => {
  it('keys an attempt by (username, address) and by address alone', () => {
    expect(loginThrottleKeys('alice', '10.0.0.1')).toEqual(['user:alice|10.0.0.1', 'ip:10.0.0.1']);
  });
});

describe('createLoginThrottle', () => {
  const alice = loginThrottleKeys('alice', '10.0.0.1');

  it('lets a key try while it has fewer than maxFailures failures', () => {
    const { throttle } = throttleAt();
    expect(throttle.retryAfterMs(alice)).toBe(0);
    fail(throttle, alice, MAX_FAILURES - 1);
    expect(throttle.retryAfterMs(alice)).toBe(0);
  });

  it('throttles once maxFailures is reached, until the window that began with the first failure ends', () => {
    const { throttle, advance } = throttleAt();
    throttle.recordFailure(alice);
    advance(10_000);
    fail(throttle, alice, MAX_FAILURES - 1);
    expect(throttle.retryAfterMs(alice)).toBe(WINDOW_MS - 10_000);

    advance(20_000);
    expect(throttle.retryAfterMs(alice)).toBe(WINDOW_MS - 30_000);
  });

  it('does not extend the window with failures recorded while throttled', () => {
    const { throttle, advance } = throttleAt();
    fail(throttle, alice, MAX_FAILURES);
    advance(30_000);
    fail(throttle, alice, 5);
    expect(throttle.retryAfterMs(alice)).toBe(WINDOW_MS - 30_000);
  });

  it('lets the key try again once the window has expired, with a fresh count', () => {
    const { throttle, advance } = throttleAt();
    fail(throttle, alice, MAX_FAILURES);
    advance(WINDOW_MS - 1);
    expect(throttle.retryAfterMs(alice)).toBe(1);
    advance(1);
    expect(throttle.retryAfterMs(alice)).toBe(0);

    fail(throttle, alice, MAX_FAILURES - 1);
    expect(throttle.retryAfterMs(alice)).toBe(0);
  });

  it('keeps users apart: one user throttled does not throttle another from the same address', () => {
    const { throttle } = throttleAt();
    fail(throttle, alice, MAX_FAILURES);
    expect(throttle.retryAfterMs(alice)).toBeGreaterThan(0);
    expect(throttle.retryAfterMs(loginThrottleKeys('bob', '10.0.0.1'))).toBe(0);
    expect(throttle.retryAfterMs(loginThrottleKeys('alice', '10.0.0.2'))).toBe(0);
  });

  it('reset() clears the failures of the given keys only', () => {
    const { throttle } = throttleAt();
    const bob = loginThrottleKeys('bob', '10.0.0.9');
    fail(throttle, alice, MAX_FAILURES);
    fail(throttle, bob, MAX_FAILURES);
    throttle.reset(alice);
    expect(throttle.retryAfterMs(alice)).toBe(0);
    expect(throttle.retryAfterMs(bob)).toBeGreaterThan(0);
  });

  it('reset() of the user key alone (a successful login) keeps counting the address', () => {
    const { throttle } = throttleAt();
    fail(throttle, alice, MAX_FAILURES);
    throttle.reset(alice.slice(0, 1));
    expect(throttle.retryAfterMs(alice)).toBe(0);
    // The address key still holds its failures: they count towards the per-address limit.
    fail(throttle, loginThrottleKeys('carol', '10.0.0.1'), MAX_FAILURES * 10 - MAX_FAILURES - 1);
    expect(throttle.retryAfterMs(loginThrottleKeys('dave', '10.0.0.1'))).toBe(0);
    throttle.recordFailure(loginThrottleKeys('erin', '10.0.0.1'));
    expect(throttle.retryAfterMs(loginThrottleKeys('dave', '10.0.0.1'))).toBeGreaterThan(0);
  });

  it('throttles a whole address at 10× maxFailures, spread over many usernames', () => {
    const { throttle } = throttleAt();
    const ip = '192.0.2.7';
    for (let i = 0; i < MAX_FAILURES * 10 - 1; i += 1) throttle.recordFailure(loginThrottleKeys(`user-${i}`, ip));
    expect(throttle.retryAfterMs(loginThrottleKeys('fresh-user', ip))).toBe(0);

    throttle.recordFailure(loginThrottleKeys('one-more', ip));
    expect(throttle.retryAfterMs(loginThrottleKeys('fresh-user', ip))).toBe(WINDOW_MS);
    expect(throttle.retryAfterMs(loginThrottleKeys('fresh-user', '192.0.2.8'))).toBe(0);
  });

  it('answers the longest wait among the keys', () => {
    const { throttle, advance } = throttleAt();
    const ip = '192.0.2.50';
    for (let i = 0; i < MAX_FAILURES * 10; i += 1) throttle.recordFailure(loginThrottleKeys(`spray-${i}`, ip));
    advance(20_000);
    fail(throttle, loginThrottleKeys('target', ip), MAX_FAILURES);
    expect(throttle.retryAfterMs(loginThrottleKeys('target', ip))).toBe(WINDOW_MS);
  });

  it('prune() forgets only windows that have ended and reports how many', () => {
    const { throttle, advance } = throttleAt();
    fail(throttle, alice, MAX_FAILURES);
    advance(WINDOW_MS / 2);
    const bob = loginThrottleKeys('bob', '10.0.0.9');
    fail(throttle, bob, MAX_FAILURES);
    expect(throttle.prune()).toBe(0);

    advance(WINDOW_MS / 2);
    // Alice's two keys have expired; Bob's are half-way through their window.
    expect(throttle.prune()).toBe(2);
    expect(throttle.prune()).toBe(0);
    expect(throttle.retryAfterMs(bob)).toBe(WINDOW_MS / 2);
    expect(throttle.retryAfterMs(alice)).toBe(0);

    advance(WINDOW_MS / 2);
    expect(throttle.prune()).toBe(2);
  });
});
