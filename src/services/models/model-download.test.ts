import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_HF_TOKEN, startFakeHfHub, type FakeHfHub } from '../../../test/fakes/fake-hf-hub.js';
import { AppError } from '../../lib/errors.js';
import { createLogger } from '../../lib/logger.js';
import { createHfClient } from './hf-client.js';
import { createModelDownloads, downloadTargetOf, type ModelDownloadDeps } from './model-download.js';

const REPO = 'test-org/tiny-GGUF';
const FILE = 'tiny-q8_0.gguf';
const TARGET = { repoId: REPO, revision: 'main', file: FILE };
const logger = createLogger({ level: 'silent', pretty: false });

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let hub: FakeHfHub;
let bytes: Buffer;
let dataDir: string;

beforeAll(async () => {
  hub = await startFakeHfHub();
  bytes = randomBytes(700_000);
  hub.hostFile(REPO, FILE, bytes);
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-download-'));
  hub.requests.length = 0;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function downloads(options: Partial<ModelDownloadDeps> = {}) {
  return createModelDownloads({
    dataDir,
    hf: createHfClient({ endpoint: hub.url, token: FAKE_HF_TOKEN }),
    logger,
    delay: async () => undefined,
    ...options,
  });
}

const cdnGets = () => hub.requests.filter((request) => request.server === 'cdn');

describe('model file downloads from a Hub on localhost', () => {
  it('downloads a file into <data dir>/models/<org>__<name>/<revision>/, checks its SHA-256 and leaves no partial file', async () => {
    const service = downloads();
    const started = await service.start(TARGET);
    expect(['downloading', 'verifying', 'done']).toContain(started.state);
    const file = await service.wait(TARGET);
    expect(file).toBe(path.join(dataDir, 'models', 'test-org__tiny-GGUF', 'main', FILE));
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect(await readdir(path.dirname(file))).toEqual([FILE]);
    expect(await service.progress(TARGET)).toMatchObject({ state: 'done', bytes: bytes.length, totalBytes: bytes.length, percent: 100, sha256: hub.hostFile(REPO, FILE, bytes).sha256, attempts: 1 });
    expect(cdnGets()).toHaveLength(1);
    expect(cdnGets()[0]!.range).toBeUndefined();
  });

  it('sends the token to the Hub only, never to the CDN it redirects to', async () => {
    await downloads().start(TARGET);
    expect(hub.requests.find((request) => request.server === 'hub')?.authorization).toBe(`Bearer ${FAKE_HF_TOKEN}`);
    expect(cdnGets().map((request) => request.authorization)).toEqual([undefined]);
  });

  it('resumes a download cut mid-way from the partial size with a Range request', async () => {
    hub.cutDownloads(250_000);
    const service = downloads();
    await service.start(TARGET);
    const file = await service.wait(TARGET);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    const [first, second] = cdnGets();
    expect(first!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(250_000);
    expect(await service.progress(TARGET)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('keeps the partial file when it gives up, and a restarted server reports it and resumes from it', async () => {
    hub.cutDownloads(300_000);
    const first = downloads({ retries: 0 });
    await first.start(TARGET).catch(() => undefined);
    const failure = await failureOf(first.wait(TARGET));
    expect(failure.code).toBe('MODEL_DOWNLOAD_CONNECTION_LOST');
    const stopped = await first.progress(TARGET);
    expect(stopped).toMatchObject({ state: 'failed', errorCode: 'MODEL_DOWNLOAD_CONNECTION_LOST', totalBytes: bytes.length });
    expect(stopped!.bytes).toBeGreaterThan(0);

    const restarted = downloads();
    expect(await restarted.progress(TARGET)).toMatchObject({ state: 'failed', bytes: stopped!.bytes, totalBytes: bytes.length, percent: expect.any(Number) });
    await restarted.start(TARGET);
    const file = await restarted.wait(TARGET);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect(cdnGets().at(-1)!.range).toBe(`bytes=${stopped!.bytes}-`);
  });

  it('ends a stalled connection after the idle timeout and resumes on the next attempt', async () => {
    hub.stallNextDownload(123_456);
    const service = downloads({ idleTimeoutMs: 300 });
    await service.start(TARGET);
    const file = await service.wait(TARGET);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect(cdnGets()).toHaveLength(2);
    expect(cdnGets()[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('reports a stall as MODEL_DOWNLOAD_STALLED when no retry is left', async () => {
    hub.stallNextDownload(10_000);
    const service = downloads({ idleTimeoutMs: 200, retries: 0 });
    await service.start(TARGET).catch(() => undefined);
    const failure = await failureOf(service.wait(TARGET));
    expect(failure).toMatchObject({ code: 'MODEL_DOWNLOAD_STALLED', statusCode: 504 });
    expect(failure.message).toMatch(/No data from the download server for 0.2 s/);
  });

  it('starts over from byte 0 when the server ignores the Range request', async () => {
    hub.cutDownloads(200_000);
    hub.ignoreRanges(true);
    try {
      const service = downloads();
      await service.start(TARGET);
      const file = await service.wait(TARGET);
      expect((await readFile(file)).equals(bytes)).toBe(true);
      expect(cdnGets()).toHaveLength(2);
    } finally {
      hub.ignoreRanges(false);
    }
  });

  it('runs one download when several callers start the same file at once', async () => {
    const service = downloads();
    const answers = await Promise.all([service.start(TARGET), service.start(TARGET), service.start(TARGET)]);
    expect(answers.map((answer) => answer.path)).toEqual(Array(3).fill(answers[0]!.path));
    const files = await Promise.all([service.wait(TARGET), service.wait(TARGET)]);
    expect(files[0]).toBe(files[1]);
    expect(cdnGets()).toHaveLength(1);
    // Once it is there, another start answers done without a request.
    expect(await service.start(TARGET)).toMatchObject({ state: 'done' });
    expect(cdnGets()).toHaveLength(1);
  });

  it('answers a missing file with HF_FILE_NOT_FOUND at start, and keeps nothing on disk', async () => {
    const service = downloads();
    const target = { ...TARGET, file: 'no-such-file.gguf' };
    const failure = await failureOf(service.start(target));
    expect(failure).toMatchObject({ code: 'HF_FILE_NOT_FOUND', statusCode: 404 });
    expect(await service.progress(target)).toMatchObject({ state: 'failed', errorCode: 'HF_FILE_NOT_FOUND' });
    await expect(stat(service.pathFor(target))).rejects.toThrow();
    await expect(stat(`${service.pathFor(target)}.partial`)).rejects.toThrow();
  });

  it('answers an unknown repo with HF_REPO_NOT_FOUND', async () => {
    const failure = await failureOf(downloads().start({ ...TARGET, repoId: 'nobody/nothing-GGUF' }));
    expect(failure.code).toBe('HF_REPO_NOT_FOUND');
  });

  it('refuses a file whose SHA-256 differs from the Hub’s and removes it', async () => {
    const repo = 'test-org/corrupt-GGUF';
    hub.hostFile(repo, FILE, bytes.subarray(0, 50_000), { sha256: 'a'.repeat(64) });
    const service = downloads();
    const target = { ...TARGET, repoId: repo };
    await service.start(target).catch(() => undefined);
    const failure = await failureOf(service.wait(target));
    expect(failure.code).toBe('MODEL_CHECKSUM_MISMATCH');
    expect(await service.progress(target)).toMatchObject({ state: 'failed', errorCode: 'MODEL_CHECKSUM_MISMATCH', bytes: 0 });
    await expect(stat(service.pathFor(target))).rejects.toThrow();
    await expect(stat(`${service.pathFor(target)}.partial`)).rejects.toThrow();
  });

  it('downloads without a hash check when the Hub gives none, checking the size', async () => {
    const repo = 'test-org/unhashed-GGUF';
    hub.hostFile(repo, FILE, bytes.subarray(0, 10_000), { sha256: null });
    const service = downloads();
    const target = { ...TARGET, repoId: repo };
    await service.start(target);
    expect((await readFile(await service.wait(target))).length).toBe(10_000);
    expect(await service.progress(target)).toMatchObject({ state: 'done', sha256: null, totalBytes: 10_000 });
  });

  it('queues downloads beyond the concurrency limit', async () => {
    const repo = 'test-org/second-GGUF';
    hub.hostFile(repo, FILE, bytes.subarray(0, 20_000));
    hub.stallNextDownload(1_000);
    const service = downloads({ maxConcurrent: 1, idleTimeoutMs: 500 });
    await service.start(TARGET);
    const queued = await service.start({ ...TARGET, repoId: repo });
    expect(queued.state).toBe('queued');
    await service.wait({ ...TARGET, repoId: repo });
    await service.wait(TARGET);
  });

  it('reports bytes, total, percent and speed while downloading', async () => {
    let clock = 1_000_000;
    hub.stallNextDownload(100_000);
    const service = downloads({ now: () => clock });
    await service.start(TARGET);
    for (let tries = 0; tries < 500 && (await service.progress(TARGET))!.bytes < 100_000; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    clock += 2_000;
    expect(await service.progress(TARGET)).toMatchObject({
      state: 'downloading',
      bytes: 100_000,
      totalBytes: bytes.length,
      percent: 14.2,
      bytesPerSecond: 50_000,
      message: 'downloading 14% (100 kB of 700 kB, 50.0 kB/s)',
    });
    await service.close();
  });

  it('stops running downloads on close and keeps the partial file', async () => {
    hub.stallNextDownload(40_000);
    const service = downloads();
    await service.start(TARGET);
    await service.close();
    const after = await downloads().progress(TARGET);
    expect(after).toMatchObject({ state: 'failed', errorCode: 'MODEL_DOWNLOAD_INTERRUPTED' });
  });

  it('downloads only single GGUF files of Hub models', () => {
    const base = { source: 'huggingface', format: 'gguf', hfRepoId: REPO, revision: null, hfFile: FILE } as const;
    expect(downloadTargetOf(base)).toEqual({ repoId: REPO, revision: 'main', file: FILE });
    expect(downloadTargetOf({ ...base, format: 'safetensors' })).toBeNull();
    expect(downloadTargetOf({ ...base, hfFile: null })).toBeNull();
    expect(downloadTargetOf({ ...base, source: 'local' })).toBeNull();
  });

  it('keeps revisions with slashes in one directory', () => {
    expect(downloads().pathFor({ ...TARGET, revision: 'refs/pr/1' })).toBe(path.join(dataDir, 'models', 'test-org__tiny-GGUF', 'refs%2Fpr%2F1', FILE));
  });
});
