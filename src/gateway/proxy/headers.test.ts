import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';

const raw = (...pairs: string[]) => pairs.map((value) => Buffer.from(value, 'latin1'));

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop headers, those the Connection header lists, credentials, host and length', () => {
    const headers = upstreamRequestHeaders([
      'Host', 'hmas.example',
      'Connection', 'keep-alive, X-Trace-Hop',
      'Keep-Alive', 'timeout=5',
      'Proxy-Authorization', 'Basic abc',
      'TE', 'trailers',
      'Transfer-Encoding', 'chunked',
      'Upgrade', 'h2c',
      'Trailer', 'x',
      'X-Trace-Hop', '1',
      'Authorization', 'Bearer sk-hmas-secret',
      'Cookie', 'hmas_access=jwt',
      'Content-Length', '42',
      'Accept-Encoding', 'gzip',
      'Content-Type', 'application/json',
      'Accept', 'text/event-stream',
      'X-Custom', 'kept',
    ]);
    expect(headers).toEqual(['content-type', 'application/json', 'accept', 'text/event-stream', 'x-custom', 'kept']);
  });

  it('keeps content-length for a body streamed through unchanged', () => {
    expect(upstreamRequestHeaders(['Content-Length', '5', 'Content-Type', 'audio/wav'], { keepLength: true })).toEqual(['content-length', '5', 'content-type', 'audio/wav']);
  });
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop headers and those the gateway sets, and reports the content type', () => {
    const { headers, contentType } = clientResponseHeaders(
      raw('Content-Type', 'text/event-stream', 'Connection', 'close, X-Hop', 'X-Hop', 'y', 'Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'Proxy-Authenticate', 'Basic', 'X-Request-Id', 'upstream-id', 'Cache-Control', 'no-cache'),
    );
    expect(headers).toEqual(['content-type', 'text/event-stream', 'cache-control', 'no-cache']);
    expect(contentType).toBe('text/event-stream');
  });

  it('reports the content encoding, and passes it on', () => {
    expect(clientResponseHeaders(raw('Content-Encoding', 'gzip'))).toEqual({ headers: ['content-encoding', 'gzip'], contentType: undefined, contentEncoding: 'gzip' });
    expect(clientResponseHeaders(raw('Date', 'now')).contentEncoding).toBeUndefined();
  });

  it('removes content-length when the body changes on its way', () => {
    expect(clientResponseHeaders(raw('Content-Length', '10', 'Date', 'now'), { dropLength: true }).headers).toEqual(['date', 'now']);
    expect(clientResponseHeaders(raw('Content-Length', '10')).headers).toEqual(['content-length', '10']);
  });
});
