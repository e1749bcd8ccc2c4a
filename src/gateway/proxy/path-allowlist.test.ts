import { describe, expect, it } from 'vitest';
import type { RuntimeId } from '../../domain/optimization.js';
import { RUNTIMES } from '../../runtimes/index.js';
import { createPathAllowlist, isCanonicalPath } from './path-allowlist.js';

const allowlist = createPathAllowlist('test-runtime', [
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/completion' },
  { method: 'GET', path: '/v1/models' },
]);

describe('path allowlist', () => {
  it('lets exactly the listed method and path through, with any query', () => {
    expect(allowlist.check('POST', '/v1/chat/completions')).toEqual({ ok: true });
    expect(allowlist.check('POST', '/v1/chat/completions?x=1&y=%2F..')).toEqual({ ok: true });
    expect(allowlist.check('GET', '/v1/models')).toEqual({ ok: true });
  });

  it('answers 405 with the methods the path takes for another method', () => {
    expect(allowlist.check('GET', '/v1/chat/completions')).toEqual({ ok: false, status: 405, code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining('POST'), allow: 'POST' });
    expect(allowlist.check('DELETE', '/v1/models')).toMatchObject({ status: 405, allow: 'GET' });
  });

  // Every spelling a runtime's router might read as an allowed path, or an allowed path as
  // another: none is forwarded, because none is the one canonical spelling.
  const bypasses = [
    '/metrics',
    '/',
    '',
    '/v1',
    '/v1/',
    '/v1/chat/completions/',
    '/v1/chat/completions//',
    '//v1/chat/completions',
    '/v1//chat/completions',
    '/V1/CHAT/COMPLETIONS',
    '/v1/Chat/completions',
    '/v1/chat%2Fcompletions',
    '/v1%2Fchat%2Fcompletions',
    '/v1/chat/%63ompletions',
    '/v1/chat/completions%00',
    '/v1/chat/completions%20',
    '/v1/chat/completions/..',
    '/v1/chat/completions/../../slots/0',
    '/v1/../slots/0',
    '/v1/%2e%2e/slots/0',
    '/v1/%2E%2E/metrics',
    '/v1/.%2e/metrics',
    '/v1/./chat/completions',
    '/./v1/chat/completions',
    '/v1/chat/completions;x=1',
    '/v1/chat/completions;/../../metrics',
    '/v1;/chat/completions',
    '/v1\\chat\\completions',
    '/v1/chat/completions\\..\\..\\metrics',
    '/v1/chat/completions#x',
    '/v1/chat/completions.json',
    '/v1/chat/completions\u0000',
    '/v1/chat/completions\t',
    '/v1/chat/completions ',
    '/v1/chat/ｃompletions',
    '/v1/chat/completions/x',
    '/v1/chat',
    'v1/chat/completions',
    'http://127.0.0.1:1/v1/chat/completions',
    '/%2F127.0.0.1/v1/chat/completions',
    '/completion/../slots/0?action=erase',
    '/slots/0?action=save&filename=../../x',
  ];
  it.each(bypasses)('refuses %j with 404 PATH_NOT_ALLOWED', (target) => {
    expect(allowlist.check('POST', target)).toMatchObject({ ok: false, status: 404, code: 'PATH_NOT_ALLOWED' });
    expect(allowlist.check('GET', target)).toMatchObject({ ok: false, status: 404, code: 'PATH_NOT_ALLOWED' });
  });

  it('quotes at most 200 characters of a refused path', () => {
    const refused = allowlist.check('GET', `/${'a'.repeat(5000)}`);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message.length).toBeLessThan(400);
  });

  it('refuses to build from a route that is not canonical', () => {
    expect(() => createPathAllowlist('x', [{ method: 'GET', path: '/v1/models/' }])).toThrow(/not a canonical path/);
    expect(isCanonicalPath('/v1/models')).toBe(true);
    expect(isCanonicalPath('/v1/../models')).toBe(false);
  });
});

// What each runtime exposes through `/api/inference/:name/*` and what it must never expose
// (administration, files on the host, metrics and health), from each adapter's own list.
const TABLE: Record<RuntimeId, { allowed: Array<[string, string]>; forbidden: Array<[string, string]> }> = {
  vllm: {
    allowed: [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/completions'],
      ['POST', '/v1/embeddings'],
      ['GET', '/v1/models'],
      ['POST', '/tokenize'],
      ['POST', '/detokenize'],
      ['POST', '/v1/rerank'],
      ['POST', '/score'],
      ['POST', '/v1/audio/transcriptions'],
    ],
    forbidden: [
      ['POST', '/v1/load_lora_adapter'],
      ['POST', '/v1/unload_lora_adapter'],
      ['GET', '/metrics'],
      ['GET', '/health'],
      ['POST', '/sleep'],
      ['POST', '/wake_up'],
      ['POST', '/reset_prefix_cache'],
      ['POST', '/collective_rpc'],
      ['POST', '/start_profile'],
      ['GET', '/server_info'],
      ['POST', '/invocations'],
      ['POST', '/v1/responses'],
      ['GET', '/v1/chat/completions'],
    ],
  },
  tgi: {
    allowed: [
      ['POST', '/generate'],
      ['POST', '/generate_stream'],
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/completions'],
      ['POST', '/tokenize'],
      ['GET', '/v1/models'],
    ],
    forbidden: [
      ['GET', '/metrics'],
      ['GET', '/health'],
      ['POST', '/'],
      ['POST', '/invocations'],
      ['GET', '/generate'],
    ],
  },
  tei: {
    allowed: [
      ['POST', '/embed'],
      ['POST', '/embed_all'],
      ['POST', '/embed_sparse'],
      ['POST', '/rerank'],
      ['POST', '/predict'],
      ['POST', '/v1/embeddings'],
      ['POST', '/tokenize'],
    ],
    forbidden: [
      ['GET', '/metrics'],
      ['GET', '/health'],
      ['POST', '/vertex'],
      ['POST', '/v1/chat/completions'],
    ],
  },
  llamacpp: {
    allowed: [
      ['POST', '/completion'],
      ['POST', '/v1/chat/completions'],
      ['POST', '/chat/completions'],
      ['POST', '/infill'],
      ['POST', '/embedding'],
      ['POST', '/v1/embeddings'],
      ['POST', '/rerank'],
      ['POST', '/tokenize'],
      ['POST', '/detokenize'],
      ['POST', '/apply-template'],
      ['GET', '/v1/models'],
    ],
    forbidden: [
      ['GET', '/slots'],
      ['POST', '/slots/0?action=save'],
      ['POST', '/slots/0?action=restore'],
      ['POST', '/slots/0?action=erase'],
      ['GET', '/props'],
      ['POST', '/props'],
      ['POST', '/lora-adapters'],
      ['GET', '/metrics'],
      ['GET', '/health'],
    ],
  },
  ollama: {
    allowed: [
      ['POST', '/api/generate'],
      ['POST', '/api/chat'],
      ['POST', '/api/embed'],
      ['POST', '/api/embeddings'],
      ['POST', '/api/show'],
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/models'],
    ],
    forbidden: [
      ['POST', '/api/pull'],
      ['POST', '/api/push'],
      ['DELETE', '/api/delete'],
      ['POST', '/api/create'],
      ['POST', '/api/copy'],
      ['POST', '/api/blobs/sha256-0000'],
      ['GET', '/api/tags'],
      ['GET', '/api/ps'],
      ['GET', '/api/version'],
    ],
  },
  'embedded-llamacpp': {
    allowed: [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/completions'],
      ['POST', '/chat/completions'],
      ['GET', '/v1/models'],
    ],
    forbidden: [
      ['GET', '/metrics'],
      ['GET', '/health'],
      ['POST', '/v1/embeddings'],
    ],
  },
};

describe.each(Object.entries(TABLE))('%s through the gateway', (id, { allowed, forbidden }) => {
  const paths = createPathAllowlist(id, RUNTIMES[id as RuntimeId].inferenceRoutes);
  it.each(allowed)('forwards %s %s', (method, path) => {
    expect(paths.check(method, path)).toEqual({ ok: true });
  });
  it.each(forbidden)('refuses %s %s', (method, path) => {
    expect(paths.check(method, path)).toMatchObject({ ok: false, status: expect.any(Number) });
  });
});
