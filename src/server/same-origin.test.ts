import { describe, expect, it } from 'vitest';
import { crossOriginReason } from './same-origin.js';

describe('crossOriginReason', () => {
  it.each([
    ['no Origin and no Sec-Fetch-Site (not a browser)', 'POST', { host: 'hmas.example' }],
    ['Sec-Fetch-Site: same-origin', 'POST', { host: 'hmas.example', origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none on a read (typed URL)', 'GET', { host: 'hmas.example', 'sec-fetch-site': 'none' }],
    ['an Origin naming Host', 'POST', { host: 'hmas.example:8080', origin: 'http://hmas.example:8080' }],
    ['an https Origin on the default port, Host without a port', 'DELETE', { host: 'hmas.example', origin: 'https://hmas.example' }],
    ['an Origin naming X-Forwarded-Host behind a proxy', 'POST', { host: '127.0.0.1:8080', 'x-forwarded-host': 'hmas.example', origin: 'https://hmas.example' }],
    ['an IPv6 host', 'POST', { host: '[::1]:8080', origin: 'http://[::1]:8080' }],
  ])('passes %s', (_name, method, headers) => {
    expect(crossOriginReason(method, headers)).toBeUndefined();
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', 'POST', { host: 'hmas.example', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', 'POST', { host: 'hmas.example', origin: 'https://blog.hmas.example', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: none on a write', 'POST', { host: 'hmas.example', 'sec-fetch-site': 'none' }],
    ['a foreign Origin', 'POST', { host: 'hmas.example', origin: 'https://evil.example' }],
    ['a foreign port', 'POST', { host: 'hmas.example:8080', origin: 'http://hmas.example:9090' }],
    ['a look-alike host', 'POST', { host: 'hmas.example', origin: 'https://hmas.example.evil.example' }],
    ['Origin: null (sandboxed frame, data: URL)', 'POST', { host: 'hmas.example', origin: 'null' }],
  ])('refuses %s', (_name, method, headers) => {
    expect(crossOriginReason(method, headers)).toEqual(expect.any(String));
  });
});
