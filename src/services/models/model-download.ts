import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, statfs, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeDownloadProgress, downloadPercent, formatBytes, modelFileRelativePath, type ModelDownload, type ModelDownloadState } from '../../domain/model-download.js';
import type { Model } from '../../domain/model.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { HfClient } from './hf-client.js';

/**
 * Downloads of GGUF files from the Hugging Face Hub into `<data dir>/models/<org>__<name>/<revision>/<file>`.
 *
 * Bytes go to `<file>.partial`; a download that stops (cut connection, stall, server restart)
 * resumes from the partial file's size with `Range: bytes=<size>-` (a server that answers 200
 * instead of 206 sends the whole file, which is then written from byte 0). The finished file's
 * size and, when the Hub gives one, SHA-256 are checked before an atomic rename puts it in place,
 * so a file at the final path is always complete. `<file>.download.json` keeps what a restarted
 * server needs to report and resume (size, hash, last error); the partial file is the resume point.
 *
 * One download per file: a second start joins the first. At most `maxConcurrent` run at once;
 * the rest are `queued`.
 */

export interface DownloadTarget {
  repoId: string;
  revision: string;
  file: string;
}

export interface ModelDownloadDeps {
  dataDir: string;
  hf: Pick<HfClient, 'openDownload'>;
  logger: Logger;
  /** No byte for this long ends the attempt (MODEL_DOWNLOAD_STALLED); default 60 s. */
  idleTimeoutMs?: number;
  /** Downloads at once; default 2. */
  maxConcurrent?: number;
  /** Attempts after a transient failure (lost connection, stall, 5xx) before giving up; default 5. */
  retries?: number;
  /** First wait before a retry, doubled each time up to 30 s; default 1 s. */
  retryDelayMs?: number;
  now?: () => number;
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Codes worth another attempt: the next one resumes from the partial file. */
const TRANSIENT = new Set(['HF_UNREACHABLE', 'HF_BAD_RESPONSE', 'HF_RATE_LIMITED', 'MODEL_DOWNLOAD_STALLED', 'MODEL_DOWNLOAD_CONNECTION_LOST']);
const SPEED_WINDOW_MS = 5_000;
const MAX_RETRY_DELAY_MS = 30_000;

interface Meta {
  repoId: string;
  revision: string;
  file: string;
  totalBytes: number | null;
  sha256: string | null;
  errorCode: string | null;
  message: string;
  startedAt: string | null;
}

interface Job {
  target: DownloadTarget;
  finalPath: string;
  partialPath: string;
  metaPath: string;
  state: ModelDownloadState;
  bytes: number;
  totalBytes: number | null;
  sha256: string | null;
  attempts: number;
  errorCode: string | null;
  message: string;
  startedAt: number | null;
  updatedAt: number;
  samples: Array<{ at: number; bytes: number }>;
  controller: AbortController;
  /** Settles when the job ends: the final path, or the failure. */
  done: Promise<string>;
  /** Settles when the first attempt has an answer (or the job ended): what `start` waits for. */
  started: Promise<void>;
  markStarted: () => void;
}

function defaultDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

async function sha256File(file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { signal, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function downloadError(code: string, message: string, statusCode: number): AppError {
  return new AppError(code, message, { statusCode, expose: true });
}

export function createModelDownloads(deps: ModelDownloadDeps) {
  const { logger } = deps;
  const modelsDir = path.join(deps.dataDir, 'models');
  const idleTimeoutMs = deps.idleTimeoutMs ?? 60_000;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  const retries = deps.retries ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? 1_000;
  const now = deps.now ?? Date.now;
  const delay = deps.delay ?? defaultDelay;
  const jobs = new Map<string, Job>();
  let running = 0;
  const waiting: Array<() => void> = [];

  function pathFor(target: DownloadTarget): string {
    const full = path.resolve(modelsDir, modelFileRelativePath(target.repoId, target.revision, target.file));
    // The domain schemas refuse "..", this keeps it true for any caller.
    if (!full.startsWith(modelsDir + path.sep)) throw new AppError('VALIDATION_FAILED', `${target.file} is not a file path inside a repository.`, { statusCode: 400 });
    return full;
  }

  function speed(job: Job): number | null {
    const first = job.samples[0];
    if (job.state !== 'downloading' || !first) return null;
    const seconds = (now() - first.at) / 1000;
    return seconds > 0 ? Math.round((job.bytes - first.bytes) / seconds) : null;
  }

  function snapshot(job: Job): ModelDownload {
    return {
      ...job.target,
      state: job.state,
      path: job.finalPath,
      bytes: job.bytes,
      totalBytes: job.totalBytes,
      percent: downloadPercent(job.bytes, job.totalBytes),
      bytesPerSecond: speed(job),
      sha256: job.sha256,
      attempts: job.attempts,
      errorCode: job.errorCode,
      // While bytes arrive the message is the progress itself (computed on read, not per chunk).
      message: job.state === 'downloading' && job.errorCode === null && job.samples.length > 0 ? describeDownloadProgress({ ...job, percent: downloadPercent(job.bytes, job.totalBytes), bytesPerSecond: speed(job) }) : job.message,
      startedAt: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
      updatedAt: new Date(job.updatedAt).toISOString(),
    };
  }

  function set(job: Job, fields: Partial<Pick<Job, 'state' | 'bytes' | 'totalBytes' | 'sha256' | 'errorCode' | 'message'>>): void {
    Object.assign(job, fields);
    job.updatedAt = now();
  }

  async function readMeta(metaPath: string): Promise<Meta | null> {
    try {
      return JSON.parse(await readFile(metaPath, 'utf8')) as Meta;
    } catch {
      return null;
    }
  }

  async function writeMeta(job: Job): Promise<void> {
    const meta: Meta = {
      ...job.target,
      totalBytes: job.totalBytes,
      sha256: job.sha256,
      errorCode: job.errorCode,
      message: job.message,
      startedAt: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
    };
    await writeFile(job.metaPath, JSON.stringify(meta, null, 2)).catch((error: unknown) => logger.warn({ err: error, file: job.metaPath }, 'could not save download state'));
  }

  async function acquireSlot(job: Job, signal: AbortSignal): Promise<void> {
    if (running < maxConcurrent) {
      running += 1;
      return;
    }
    job.markStarted();
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        running += 1;
        resolve();
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(go), 1);
        reject(signal.reason as Error);
      };
      waiting.push(go);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function releaseSlot(): void {
    running -= 1;
    waiting.shift()?.();
  }

  /** One connection: appends what arrives to the partial file. Resolves when the body ended. */
  async function attempt(job: Job, known: { totalBytes: number | null; sha256: string | null }): Promise<'complete' | 'restart'> {
    const offset = (await sizeOf(job.partialPath)) ?? 0;
    if (known.totalBytes !== null && offset > known.totalBytes) {
      await truncate(job.partialPath, 0);
      return 'restart';
    }
    const controller = new AbortController();
    const signal = AbortSignal.any([job.controller.signal, controller.signal]);
    job.attempts += 1;
    job.samples = [];
    set(job, { state: 'downloading', bytes: offset, message: offset > 0 ? `Resuming at ${formatBytes(offset)}.` : 'Connecting.' });
    const answer = await deps.hf.openDownload(job.target.repoId, job.target.revision, job.target.file, { offset, signal });
    const changed = (answer.totalBytes !== null && known.totalBytes !== null && answer.totalBytes !== known.totalBytes) || (answer.sha256 !== null && known.sha256 !== null && answer.sha256 !== known.sha256);
    if (answer.status === 416) {
      if (!changed && offset > 0 && (answer.totalBytes === null || answer.totalBytes === offset)) {
        set(job, { totalBytes: answer.totalBytes ?? offset, sha256: answer.sha256 ?? known.sha256 });
        return 'complete';
      }
      await truncate(job.partialPath, 0);
      return 'restart';
    }
    if (changed && answer.status === 206) {
      // The file changed upstream since the partial was written (a branch moved): start over.
      await answer.body.cancel();
      logger.info({ repo: job.target.repoId, file: job.target.file }, 'the file changed upstream; downloading it again from the start');
      await truncate(job.partialPath, 0);
      known.totalBytes = null;
      known.sha256 = null;
      return 'restart';
    }
    const start = answer.start;
    if (start === 0 && offset > 0) logger.info({ repo: job.target.repoId, file: job.target.file, offset }, 'the server ignored the range request; downloading from the start');
    set(job, { bytes: start, totalBytes: answer.totalBytes, sha256: answer.sha256 ?? (changed ? null : known.sha256), errorCode: null });
    known.totalBytes = job.totalBytes;
    known.sha256 = job.sha256;
    job.samples = [{ at: now(), bytes: start }];
    try {
      await mkdir(path.dirname(job.partialPath), { recursive: true });
      if (job.totalBytes !== null) await checkSpace(job, job.totalBytes - start);
    } catch (error) {
      await answer.body.cancel();
      throw error instanceof AppError ? error : writeFailure(job, error);
    }
    await writeMeta(job);
    job.markStarted();

    let handle: FileHandle;
    try {
      handle = await open(job.partialPath, start === 0 ? 'w' : 'a');
    } catch (error) {
      await answer.body.cancel();
      throw writeFailure(job, error);
    }
    const reader = answer.body.getReader();
    let stalled = false;
    const idle = setTimeout(() => {
      stalled = true;
      controller.abort(new Error('stalled'));
    }, idleTimeoutMs);
    try {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (job.controller.signal.aborted) throw job.controller.signal.reason;
          if (stalled) {
            throw downloadError('MODEL_DOWNLOAD_STALLED', `No data from the download server for ${idleTimeoutMs / 1000} s at ${formatBytes(job.bytes)}.`, 504);
          }
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          throw downloadError('MODEL_DOWNLOAD_CONNECTION_LOST', `The connection to the download server broke at ${formatBytes(job.bytes)}${cause?.code ? ` (${cause.code})` : ''}.`, 502);
        }
        if (chunk.done) break;
        idle.refresh();
        try {
          await handle.write(chunk.value);
        } catch (error) {
          throw writeFailure(job, error);
        }
        const at = now();
        job.bytes += chunk.value.length;
        job.updatedAt = at;
        // A few samples per window: speed is measured from the oldest one still in it.
        if (at - job.samples.at(-1)!.at >= SPEED_WINDOW_MS / 10) {
          job.samples.push({ at, bytes: job.bytes });
          if (job.samples.length > 11) job.samples.shift();
        }
      }
    } finally {
      clearTimeout(idle);
      await reader.cancel().catch(() => undefined);
      await handle.sync().catch(() => undefined);
      await handle.close().catch(() => undefined);
    }
    if (job.totalBytes !== null && job.bytes < job.totalBytes) {
      throw downloadError('MODEL_DOWNLOAD_CONNECTION_LOST', `The download server ended the answer at ${formatBytes(job.bytes)} of ${formatBytes(job.totalBytes)}.`, 502);
    }
    if (job.totalBytes === null) set(job, { totalBytes: job.bytes });
    return 'complete';
  }

  function writeFailure(job: Job, error: unknown): AppError {
    const code = (error as { code?: string }).code;
    if (code === 'ENOSPC') return downloadError('MODEL_DOWNLOAD_NO_SPACE', `The disk of ${modelsDir} is full (${formatBytes(job.bytes)} of ${job.target.file} written).`, 507);
    return new AppError('MODEL_DOWNLOAD_WRITE_FAILED', `Cannot write ${job.partialPath}${code ? ` (${code})` : ''}.`, { statusCode: 500, expose: true, cause: error });
  }

  async function checkSpace(job: Job, needed: number): Promise<void> {
    try {
      const fs = await statfs(path.dirname(job.partialPath));
      const free = fs.bavail * fs.bsize;
      if (needed > free) {
        throw downloadError('MODEL_DOWNLOAD_NO_SPACE', `${job.target.file} needs ${formatBytes(needed)} more; ${modelsDir} has ${formatBytes(free)} free.`, 507);
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      // statfs is not everywhere; the write itself reports ENOSPC.
    }
  }

  async function verify(job: Job): Promise<void> {
    set(job, { state: 'verifying', message: job.sha256 ? 'Checking the size and SHA-256.' : 'Checking the size.' });
    const size = (await sizeOf(job.partialPath)) ?? 0;
    if (job.totalBytes !== null && size !== job.totalBytes) {
      await rm(job.partialPath, { force: true });
      throw downloadError('MODEL_DOWNLOAD_SIZE_MISMATCH', `${job.target.file} has ${size} bytes on disk; the server said ${job.totalBytes}. The partial file was removed: start the download again.`, 502);
    }
    if (job.sha256) {
      const actual = await sha256File(job.partialPath, job.controller.signal);
      if (actual !== job.sha256) {
        await rm(job.partialPath, { force: true });
        throw downloadError('MODEL_CHECKSUM_MISMATCH', `${job.target.file} has SHA-256 ${actual}; the Hub says ${job.sha256}. The file was removed: start the download again.`, 502);
      }
    }
    await rename(job.partialPath, job.finalPath);
    await rm(job.metaPath, { force: true });
    set(job, { state: 'done', bytes: size, totalBytes: size, errorCode: null, message: `Downloaded ${formatBytes(size)}${job.sha256 ? ', SHA-256 verified' : ''}.` });
  }

  /** Connects until the partial file is complete, resuming after transient failures. */
  async function fetchAll(job: Job, known: { totalBytes: number | null; sha256: string | null }): Promise<void> {
    let failures = 0;
    let restarts = 0;
    for (;;) {
      const bytesBefore = (await sizeOf(job.partialPath)) ?? 0;
      try {
        if ((await attempt(job, known)) === 'complete') return;
        restarts += 1;
        if (restarts > 3) throw downloadError('MODEL_DOWNLOAD_BAD_RESPONSE', `The download server keeps answering ranges that do not match ${job.target.file}.`, 502);
      } catch (error) {
        const code = error instanceof AppError ? error.code : null;
        if (job.controller.signal.aborted || !code || !TRANSIENT.has(code)) throw error;
        // Progress resets the count: a long download over a flaky link keeps going.
        failures = job.bytes > bytesBefore ? 1 : failures + 1;
        if (failures > retries) throw error;
        const wait = Math.min(retryDelayMs * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
        job.samples = [];
        logger.warn({ repo: job.target.repoId, file: job.target.file, code, bytes: job.bytes, retryInMs: wait }, 'model download interrupted; resuming');
        set(job, { errorCode: code, message: `${(error as Error).message} Resuming in ${Math.ceil(wait / 1000)} s (attempt ${failures + 1} of ${retries + 1}).` });
        await writeMeta(job);
        job.markStarted();
        await delay(wait, job.controller.signal);
      }
    }
  }

  async function run(job: Job): Promise<string> {
    const existing = await sizeOf(job.finalPath);
    if (existing !== null) {
      set(job, { state: 'done', bytes: existing, totalBytes: existing, message: `Downloaded ${formatBytes(existing)}.` });
      return job.finalPath;
    }
    const meta = await readMeta(job.metaPath);
    const known = { totalBytes: meta?.totalBytes ?? null, sha256: meta?.sha256 ?? null };
    try {
      await acquireSlot(job, job.controller.signal);
    } catch {
      throw downloadError('MODEL_DOWNLOAD_INTERRUPTED', 'The download was stopped with the server before it began.', 503);
    }
    try {
      await fetchAll(job, known);
      await verify(job);
      logger.info({ repo: job.target.repoId, revision: job.target.revision, file: job.target.file, bytes: job.bytes, attempts: job.attempts }, 'model file downloaded');
      return job.finalPath;
    } catch (error) {
      if (job.controller.signal.aborted) {
        throw downloadError('MODEL_DOWNLOAD_INTERRUPTED', `The download stopped with the server at ${formatBytes(job.bytes)}; starting it again resumes from there.`, 503);
      }
      throw error;
    } finally {
      releaseSlot();
    }
  }

  function newJob(target: DownloadTarget): Job {
    const finalPath = pathFor(target);
    let markStarted = () => undefined as void;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const job: Job = {
      target,
      finalPath,
      partialPath: `${finalPath}.partial`,
      metaPath: `${finalPath}.download.json`,
      state: 'queued',
      bytes: 0,
      totalBytes: null,
      sha256: null,
      attempts: 0,
      errorCode: null,
      message: 'Waiting for a download slot.',
      startedAt: now(),
      updatedAt: now(),
      samples: [],
      controller: new AbortController(),
      done: Promise.resolve(''),
      started,
      markStarted,
    };
    job.done = run(job).then(
      (file) => {
        job.markStarted();
        return file;
      },
      async (error: unknown) => {
        const failure = error instanceof AppError ? error : new AppError('MODEL_DOWNLOAD_FAILED', `The download of ${target.file} failed: ${error instanceof Error ? error.message : String(error)}`, { statusCode: 500, expose: true, cause: error });
        if (!(error instanceof AppError)) logger.error({ err: error, repo: target.repoId, file: target.file }, 'model download failed');
        else logger.warn({ repo: target.repoId, file: target.file, code: failure.code, bytes: job.bytes }, 'model download failed');
        const partial = await sizeOf(job.partialPath);
        job.bytes = partial ?? 0;
        job.samples = [];
        set(job, { state: 'failed', errorCode: failure.code, message: failure.message });
        if (partial) await writeMeta(job);
        else await rm(job.metaPath, { force: true });
        job.markStarted();
        throw failure;
      },
    );
    // A failure is reported through the progress; callers that wait see it themselves.
    job.done.catch(() => undefined);
    return job;
  }

  function inFlight(job: Job | undefined): boolean {
    return job !== undefined && (job.state === 'queued' || job.state === 'downloading' || job.state === 'verifying');
  }

  /** What a restarted server knows: the file in place, or a partial file and its saved state. */
  async function fromDisk(target: DownloadTarget): Promise<ModelDownload | null> {
    const finalPath = pathFor(target);
    const size = await sizeOf(finalPath);
    if (size !== null) {
      return { ...target, state: 'done', path: finalPath, bytes: size, totalBytes: size, percent: 100, bytesPerSecond: null, sha256: null, attempts: 0, errorCode: null, message: `Downloaded ${formatBytes(size)}.`, startedAt: null, updatedAt: new Date((await stat(finalPath)).mtimeMs).toISOString() };
    }
    const partial = await sizeOf(`${finalPath}.partial`);
    if (partial === null) return null;
    const meta = await readMeta(`${finalPath}.download.json`);
    const totalBytes = meta?.totalBytes ?? null;
    return {
      ...target,
      state: 'failed',
      path: finalPath,
      bytes: partial,
      totalBytes,
      percent: downloadPercent(partial, totalBytes),
      bytesPerSecond: null,
      sha256: meta?.sha256 ?? null,
      attempts: 0,
      errorCode: meta?.errorCode ?? 'MODEL_DOWNLOAD_INTERRUPTED',
      message: meta?.errorCode ? meta.message : `Stopped at ${formatBytes(partial)} when the server stopped; starting the download again resumes from there.`,
      startedAt: meta?.startedAt ?? null,
      updatedAt: new Date((await stat(`${finalPath}.partial`)).mtimeMs).toISOString(),
    };
  }

  /** The file's path when it is downloaded (complete and verified), else null. */
  async function localFile(target: DownloadTarget): Promise<string | null> {
    const finalPath = pathFor(target);
    return (await sizeOf(finalPath)) !== null ? finalPath : null;
  }

  return {
    modelsDir,
    pathFor,

    /** The file's path when it is downloaded (complete and verified), else null. */
    localFile,

    /** Progress of the file's download: this run's, or what the disk says; null when never started. */
    async progress(target: DownloadTarget): Promise<ModelDownload | null> {
      const job = jobs.get(pathFor(target));
      if (job && (inFlight(job) || job.state === 'failed')) return snapshot(job);
      const disk = await fromDisk(target);
      // This run's record of a finished download says more (hash, attempts) while the file is there.
      return job && disk?.state === 'done' ? snapshot(job) : disk;
    },

    /**
     * Starts the download, or joins the one running for the same file. Answers once the first
     * connection has answered, so a missing file or refused access is thrown here (HfError)
     * rather than found later; a queued download answers at once.
     */
    async start(target: DownloadTarget): Promise<ModelDownload> {
      const key = pathFor(target);
      let job = jobs.get(key);
      // No await before the job is registered: a second start in the same tick must join it.
      if (!job || !inFlight(job)) {
        job = newJob(target);
        jobs.set(key, job);
      }
      await job.started;
      // This start's own download failed before it got going: say why, as an error.
      if (job.state === 'failed') await job.done;
      return snapshot(job);
    },

    /** Waits for the file: its path, or the failure of its download (starts nothing). */
    async wait(target: DownloadTarget): Promise<string> {
      const job = jobs.get(pathFor(target));
      if (job && inFlight(job)) return job.done;
      const file = await localFile(target);
      if (file) return file;
      throw new NotFoundError('model download', `${target.repoId}/${target.file}`);
    },

    /** Stops running downloads (shutdown); their partial files stay for the next start. */
    async close(): Promise<void> {
      const running = [...jobs.values()].filter(inFlight);
      for (const job of running) job.controller.abort(new Error('server stopping'));
      await Promise.all(running.map((job) => job.done.catch(() => undefined)));
    },
  };
}

export type ModelDownloads = ReturnType<typeof createModelDownloads>;

/** The Hub file a model's weights download from, or null when the model is not a single GGUF file there. */
export function downloadTargetOf(model: Pick<Model, 'source' | 'format' | 'hfRepoId' | 'revision' | 'hfFile'>): DownloadTarget | null {
  if (model.source !== 'huggingface' || model.format !== 'gguf' || !model.hfRepoId || !model.hfFile) return null;
  return { repoId: model.hfRepoId, revision: model.revision ?? 'main', file: model.hfFile };
}

/** Model-level view of the downloads: what the routes and the deployments service use. */
export function createModelFiles(deps: { models: { get(id: string): Promise<Model> }; downloads: ModelDownloads }) {
  const { downloads } = deps;

  function requireTarget(model: Model): DownloadTarget {
    const target = downloadTargetOf(model);
    if (target) return target;
    if (model.source === 'local') throw new ConflictError('MODEL_IS_LOCAL', `${model.name} is a file on the host (${model.localPath}); it is used in place, nothing to download.`);
    if (model.format === 'gguf') throw new ConflictError('MODEL_FILE_NOT_SET', `${model.name} names no .gguf file of ${model.hfRepoId}: set hfFile (PATCH /api/models/${model.id}) first.`);
    throw new ConflictError('MODEL_NOT_DOWNLOADABLE', `${model.name} is a ${model.format} repository; runtimes such as vLLM, TGI and TEI load it from the Hub themselves. Only GGUF files are downloaded.`);
  }

  return {
    /** POST /api/models/:id/download */
    async start(modelId: string): Promise<{ model: Model; download: ModelDownload }> {
      const model = await deps.models.get(modelId);
      return { model, download: await downloads.start(requireTarget(model)) };
    },

    /** GET /api/models/:id/download */
    async progress(modelId: string): Promise<ModelDownload> {
      const model = await deps.models.get(modelId);
      const download = await downloads.progress(requireTarget(model));
      if (!download) throw new AppError('MODEL_DOWNLOAD_NOT_FOUND', `${model.name} has not been downloaded; POST /api/models/${model.id}/download starts it.`, { statusCode: 404 });
      return download;
    },

    /** Where a Hub GGUF model's file is (or will be) on this host; null for other models. */
    pathFor(model: Model): string | null {
      const target = downloadTargetOf(model);
      return target ? downloads.pathFor(target) : null;
    },

    /** The file when it is there; otherwise starts (or joins) its download and answers the progress. */
    async ensure(model: Model): Promise<{ path: string } | { progress: ModelDownload }> {
      const target = requireTarget(model);
      const file = await downloads.localFile(target);
      if (file) return { path: file };
      const progress = await downloads.start(target);
      return progress.state === 'done' ? { path: progress.path } : { progress };
    },
  };
}

export type ModelFiles = ReturnType<typeof createModelFiles>;
