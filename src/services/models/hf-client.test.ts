import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_HF_TOKEN, FAKE_HF_TOKEN_WITHOUT_ACCESS, startFakeHfHub, unreachableHubUrl, type FakeHfHub } from '../../../test/fakes/fake-hf-hub.js';
import { readGgufHeader, summarizeGguf } from './gguf-reader.js';
import { createHfClient, HfError } from './hf-client.js';

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HfError) return { code: error.code, statusCode: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

let hub: FakeHfHub;
beforeAll(async () => {
  hub = await startFakeHfHub();
});
afterAll(async () => {
  await hub?.close();
});

describe('createHfClient against a Hub on localhost', () => {
  it('reads model info by repo and by revision', async () => {
    const client = createHfClient({ endpoint: `${hub.url}/` });
    const info = await client.getModelInfo('Qwen/Qwen2.5-0.5B-Instruct');
    expect(info.safetensors?.total).toBe(494_032_768);
    const pinned = await client.getModelInfo('Qwen/Qwen2.5-0.5B-Instruct', '7ae557604adf67be50417f59c2c2f167def9a775');
    expect(pinned.id).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(hub.requests.at(-1)?.path).toBe('/api/models/Qwen/Qwen2.5-0.5B-Instruct/revision/7ae557604adf67be50417f59c2c2f167def9a775');
  });

  it('reads config.json, and answers null for a file the repo does not have', async () => {
    const client = createHfClient({ endpoint: hub.url });
    expect(await client.getJsonFile('Qwen/Qwen2.5-0.5B-Instruct', 'main', 'config.json')).toMatchObject({ num_hidden_layers: 24 });
    expect(await client.getJsonFile('Qwen/Qwen2.5-0.5B-Instruct', 'main', 'no-such.json')).toBeNull();
  });

  it('maps an unknown repo to HF_REPO_NOT_FOUND, with and without a token', async () => {
    for (const token of [undefined, FAKE_HF_TOKEN]) {
      const failure = await failureOf(createHfClient({ endpoint: hub.url, token }).getModelInfo('nobody/no-such-model'));
      expect(failure).toMatchObject({ code: 'HF_REPO_NOT_FOUND', statusCode: 404 });
    }
  });

  it('maps an unknown revision to HF_REVISION_NOT_FOUND', async () => {
    const failure = await failureOf(createHfClient({ endpoint: hub.url }).getModelInfo('Qwen/Qwen2.5-0.5B-Instruct', 'v9'));
    expect(failure).toMatchObject({ code: 'HF_REVISION_NOT_FOUND', statusCode: 404 });
  });

  it('tells a gated repo without a token, with a token lacking access, and with a bad token apart', async () => {
    const repo = 'meta-llama/Llama-3.1-70B-Instruct';
    const anonymous = await failureOf(createHfClient({ endpoint: hub.url }).getJsonFile(repo, 'main', 'config.json'));
    expect(anonymous).toMatchObject({ code: 'HF_ACCESS_DENIED', statusCode: 403 });
    expect(anonymous.message).toContain('gated: set HF_TOKEN');
    const noAccess = await failureOf(createHfClient({ endpoint: hub.url, token: FAKE_HF_TOKEN_WITHOUT_ACCESS }).getJsonFile(repo, 'main', 'config.json'));
    expect(noAccess).toMatchObject({ code: 'HF_ACCESS_DENIED', statusCode: 403 });
    expect(noAccess.message).toContain('has not been granted access');
    const badToken = await failureOf(createHfClient({ endpoint: hub.url, token: 'hf_revoked' }).getModelInfo(repo));
    expect(badToken.message).toContain('invalid credentials');
    expect(await createHfClient({ endpoint: hub.url, token: FAKE_HF_TOKEN }).getJsonFile(repo, 'main', 'config.json')).toMatchObject({ num_hidden_layers: 80 });
  });

  it('answers 502 HF_BAD_RESPONSE for a failing hub or one that is not a hub', async () => {
    const client = createHfClient({ endpoint: hub.url });
    try {
      hub.failWith(500);
      expect(await failureOf(client.getModelInfo('Qwen/Qwen2.5-0.5B-Instruct'))).toMatchObject({ code: 'HF_BAD_RESPONSE', statusCode: 502 });
      hub.failWith(429);
      expect(await failureOf(client.getModelInfo('Qwen/Qwen2.5-0.5B-Instruct'))).toMatchObject({ code: 'HF_RATE_LIMITED', statusCode: 503 });
      hub.failWith('html');
      const html = await failureOf(client.getModelInfo('Qwen/Qwen2.5-0.5B-Instruct'));
      expect(html).toMatchObject({ code: 'HF_BAD_RESPONSE', statusCode: 502 });
      expect(html.message).toContain('not JSON');
    } finally {
      hub.failWith(null);
    }
  });

  it('answers 502 HF_UNREACHABLE when nothing listens or the hub never answers', async () => {
    const refused = await failureOf(createHfClient({ endpoint: await unreachableHubUrl() }).getModelInfo('Qwen/Qwen2.5-0.5B-Instruct'));
    expect(refused).toMatchObject({ code: 'HF_UNREACHABLE', statusCode: 502 });
    expect(refused.message).toContain('ECONNREFUSED');

    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const timedOut = await failureOf(createHfClient({ endpoint: url, timeoutMs: 100 }).getModelInfo('Qwen/Qwen2.5-0.5B-Instruct'));
      expect(timedOut).toMatchObject({ code: 'HF_UNREACHABLE', statusCode: 502 });
      expect(timedOut.message).toContain('did not answer');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reads a GGUF header through the CDN redirect with range requests, without sending the token there', async () => {
    const client = createHfClient({ endpoint: hub.url, token: FAKE_HF_TOKEN });
    const source = client.openFile('Qwen/Qwen2.5-0.5B-Instruct-GGUF', 'main', 'qwen2.5-0.5b-instruct-q4_k_m.gguf');
    const summary = summarizeGguf(await readGgufHeader(source));
    expect(summary).toMatchObject({ architecture: 'qwen2', parameterCount: 630_167_424, weightBytes: 485_452_288, quantization: 'Q4_K_M', contextLength: 32_768, tensorCount: 291 });
    expect(source.size).toBe(491_400_032);
    const cdnRequests = hub.requests.filter((request) => request.server === 'cdn');
    expect(cdnRequests.length).toBeGreaterThan(0);
    expect(cdnRequests.every((request) => request.authorization === undefined && request.range?.startsWith('bytes=0-'))).toBe(true);
    const hubRequest = hub.requests.filter((request) => request.server === 'hub' && request.path.endsWith('.gguf')).at(-1);
    expect(hubRequest?.authorization).toBe(`Bearer ${FAKE_HF_TOKEN}`);
  });
});
