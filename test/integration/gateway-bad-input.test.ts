import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// Bad input to the inference gateway: every answer is a 4xx in OpenAI's error shape with a
// machine-readable code, never a 5xx, and odd but well-formed bodies reach the runtime untouched
// (the runtime decides what it accepts). Routing is in memory, so PGlite alone is enough here.

const DEPLOYMENT = 'bad-input';
const OPENAI_ROUTES = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings'] as const;
const JSON_TYPE = { 'content-type': 'application/json' };

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  payload?: string;
  headers?: Record<string, string>;
  /** Send it without the API key (the key is added otherwise). */
  anonymous?: boolean;
  status: number;
  /** The error code; absent for answers the runtime gave. */
  code?: string;
}

/** A chat body whose first message's content is `levels` arrays deep: a stack overflow for any recursive reader. */
function deeplyNested(levels: number): string {
  return `{"model":"${DEPLOYMENT}","messages":[{"role":"user","content":${'['.repeat(levels)}${']'.repeat(levels)}}],"input":"x","prompt":"x"}`;
}

function openAiCases(url: string): Case[] {
  return [
    { name: 'an empty body', url, payload: '', status: 400, code: 'INVALID_REQUEST' },
    { name: 'malformed JSON', url, payload: '{"model": ', status: 400, code: 'INVALID_JSON' },
    { name: 'a JSON array', url, payload: '[1, 2]', status: 400, code: 'INVALID_JSON' },
    { name: 'a JSON string', url, payload: '"hello"', status: 400, code: 'INVALID_JSON' },
    { name: 'JSON null', url, payload: 'null', status: 400, code: 'INVALID_JSON' },
    { name: 'no model', url, payload: '{"messages": []}', status: 400, code: 'MODEL_REQUIRED' },
    { name: 'a numeric model', url, payload: '{"model": 5}', status: 400, code: 'MODEL_REQUIRED' },
    { name: 'an empty model', url, payload: '{"model": ""}', status: 400, code: 'MODEL_REQUIRED' },
    { name: 'the model hidden under __proto__', url, payload: `{"__proto__": {"model": "${DEPLOYMENT}"}}`, status: 400, code: 'MODEL_REQUIRED' },
    { name: 'an unknown model', url, payload: '{"model": "no-such-model"}', status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
    { name: 'a 10,000-character model', url, payload: JSON.stringify({ model: 'm'.repeat(10_000) }), status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
    { name: 'a model with control characters', url, payload: JSON.stringify({ model: 'a\u0000b\nc' }), status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
    { name: 'messages[].content nested 200,000 levels deep', url, payload: deeplyNested(200_000), status: 400, code: 'NESTING_TOO_DEEP' },
    { name: 'a body over the 16 MiB limit', url, payload: JSON.stringify({ model: DEPLOYMENT, prompt: 'x'.repeat(16 * 1024 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'malformed JSON without credentials (authentication first)', url, payload: '{', anonymous: true, status: 401, code: 'UNAUTHENTICATED' },
    // Well-formed but odd: forwarded, the runtime decides; the gateway's estimate copes.
    { name: 'max_tokens as a string, stream as a string', url, payload: JSON.stringify({ model: DEPLOYMENT, prompt: 'Hi', max_tokens: 'lots', stream: 'yes' }), status: 200 },
    { name: 'max_tokens of 1e308 and odd stream_options', url, payload: `{"model": "${DEPLOYMENT}", "messages": "Hi", "max_tokens": 1e308, "stream_options": "weird"}`, status: 200 },
    { name: 'negative max_tokens and nested junk', url, payload: JSON.stringify({ model: DEPLOYMENT, max_tokens: -5, input: [null, 1, { text: 7 }, [['deep']]], messages: [null, 5, { content: { a: 1 } }] }), status: 200 },
    { name: 'a JSON body sent as text/plain (curl -d)', url, payload: JSON.stringify({ model: DEPLOYMENT, prompt: 'Hi' }), headers: { 'content-type': 'text/plain' }, status: 200 },
  ];
}

const CASES: Case[] = [
  ...OPENAI_ROUTES.flatMap((url) => openAiCases(url).map((entry) => ({ ...entry, name: `POST ${url} with ${entry.name}` }))),
  { name: 'an empty Bearer', url: '/v1/models', method: 'GET', anonymous: true, headers: { authorization: 'Bearer' }, status: 401, code: 'INVALID_AUTHORIZATION' },
  { name: 'Basic authorization', url: '/v1/models', method: 'GET', anonymous: true, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, status: 401, code: 'INVALID_AUTHORIZATION' },
  { name: 'a truncated API key', url: '/v1/models', method: 'GET', anonymous: true, headers: { authorization: 'Bearer sk-hmas-short' }, status: 401, code: 'INVALID_API_KEY' },
  { name: 'a well-formed unknown API key', url: '/v1/models', method: 'GET', anonymous: true, headers: { authorization: `Bearer sk-hmas-${'A'.repeat(43)}` }, status: 401, code: 'INVALID_API_KEY' },
  { name: 'a forged three-part token', url: '/v1/models', method: 'GET', anonymous: true, headers: { authorization: 'Bearer aaa.bbb.ccc' }, status: 401, code: 'INVALID_TOKEN' },
  { name: 'a forged session cookie', url: '/v1/models', method: 'GET', anonymous: true, headers: { cookie: 'hmas_access=aaa.bbb.ccc' }, status: 401, code: 'INVALID_TOKEN' },
  { name: 'an unknown model id', url: '/v1/models/no-such-model', method: 'GET', status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
  { name: 'a model id with an encoded NUL', url: '/v1/models/a%00b', method: 'GET', status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
  { name: 'a deployment path that climbs out', url: '/api/inference/..%2F..%2Fetc/v1/models', method: 'GET', status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
  { name: 'an unknown deployment by path', url: '/api/inference/no-such-deployment/v1/chat/completions', payload: '{}', status: 404, code: 'DEPLOYMENT_NOT_FOUND' },
  { name: 'GET on a POST-only OpenAI route', url: '/v1/chat/completions', method: 'GET', status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'an OpenAI route H-MAS does not serve', url: '/v1/audio/transcriptions', payload: '{}', status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'the bare /v1', url: '/v1', method: 'GET', status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'DELETE with an empty JSON body on an OpenAI path', url: '/v1/models', method: 'DELETE', payload: '', status: 400, code: 'INVALID_JSON' },
  { name: 'a runtime path that is not inference', url: `/api/inference/${DEPLOYMENT}/metrics`, method: 'GET', status: 404, code: 'PATH_NOT_ALLOWED' },
  { name: 'an inference path with a dot segment', url: `/api/inference/${DEPLOYMENT}/v1/%2e%2e/metrics`, method: 'GET', status: 404, code: 'PATH_NOT_ALLOWED' },
  { name: 'an inference path with another method', url: `/api/inference/${DEPLOYMENT}/v1/models`, payload: '{}', status: 405, code: 'METHOD_NOT_ALLOWED' },
  // OpenAI paths by deployment are JSON too: read (and refused) by the gateway whatever the content type.
  { name: 'malformed JSON by path', url: `/api/inference/${DEPLOYMENT}/v1/chat/completions`, payload: '{', status: 400, code: 'INVALID_JSON' },
  { name: 'malformed JSON as text/plain by path', url: `/api/inference/${DEPLOYMENT}/v1/completions`, payload: '{', headers: { 'content-type': 'text/plain' }, status: 400, code: 'INVALID_JSON' },
  { name: 'deeply nested content by path', url: `/api/inference/${DEPLOYMENT}/v1/chat/completions`, payload: deeplyNested(200_000), status: 400, code: 'NESTING_TOO_DEEP' },
  { name: 'deeply nested JSON on a runtime-native path', url: `/api/inference/${DEPLOYMENT}/tokenize`, payload: `{"inputs":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, status: 400, code: 'NESTING_TOO_DEEP' },
  // Every body is size-limited, whatever its content type (the gateway's limit: HMAS_BODY_LIMIT_BYTES, at least 16 MiB).
  {
    name: 'a non-JSON body over the body limit by path',
    url: `/api/inference/${DEPLOYMENT}/v1/audio/transcriptions`,
    payload: 'x'.repeat(17 * 1024 * 1024),
    headers: { 'content-type': 'application/octet-stream' },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
];

describe('inference gateway: bad input', () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let deployment: { remove(): Promise<void> } | undefined;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_RATE_LIMIT_RPM: '0' });
    upstream = await startFakeUpstream();
    deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
    ({ key } = await t.apiKey({ name: 'bad-input' }));
  });
  afterAll(async () => {
    await deployment?.remove();
    await t?.close();
    await upstream?.close();
  });

  it.each(CASES)('answers $status to $name', async (entry) => {
    const headers = { ...JSON_TYPE, ...(entry.anonymous ? {} : { authorization: `Bearer ${key}` }), ...entry.headers };
    const response = await t.app.inject({ method: entry.method ?? 'POST', url: entry.url, headers, ...(entry.payload === undefined ? {} : { payload: entry.payload }) });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(entry.status);
    expect(response.headers['x-request-id']).toBeTruthy();
    if (entry.code) {
      expect(response.json()).toEqual({ error: { message: expect.any(String), type: expect.any(String), code: entry.code, param: null } });
    }
  });
});
