import { z } from 'zod';

/**
 * Downloads of model files from the Hugging Face Hub into the data directory (GGUF files that a
 * host runtime such as llama.cpp loads from disk).
 */

/**
 * queued: waiting for a download slot; downloading: bytes arriving; verifying: size and SHA-256
 * being checked; done: the file is in place; failed: stopped, with the reason in `message` (a
 * partial file is kept, so the next start resumes where it stopped).
 */
export const MODEL_DOWNLOAD_STATES = ['queued', 'downloading', 'verifying', 'done', 'failed'] as const;
export type ModelDownloadState = (typeof MODEL_DOWNLOAD_STATES)[number];

/** GET/POST /api/models/:id/download */
export const modelDownloadSchema = z.object({
  repoId: z.string(),
  revision: z.string(),
  file: z.string(),
  state: z.enum(MODEL_DOWNLOAD_STATES),
  /** Where the file is (state done) or will be, on the H-MAS host. */
  path: z.string(),
  /** Bytes on disk so far (the partial file while downloading). */
  bytes: z.number().int().min(0),
  /** The file's size, once the server said it. */
  totalBytes: z.number().int().min(0).nullable(),
  /** 0–100 with one decimal, null while the size is unknown. */
  percent: z.number().min(0).max(100).nullable(),
  /** Over the last few seconds; null when not downloading. */
  bytesPerSecond: z.number().min(0).nullable(),
  /** The SHA-256 the Hub gave for the file, checked before the file is put in place. */
  sha256: z.string().nullable(),
  /** Connections made for this download so far (more than 1: it resumed). */
  attempts: z.number().int().min(0),
  /** Machine-readable reason of a failure (e.g. HF_FILE_NOT_FOUND, MODEL_DOWNLOAD_STALLED). */
  errorCode: z.string().nullable(),
  /** What is happening, or why it failed, in words. */
  message: z.string(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type ModelDownload = z.infer<typeof modelDownloadSchema>;

/** The directory of one repo revision under `<data dir>/models`: `Qwen__Qwen2.5-0.5B-Instruct-GGUF/main`. */
export function modelFileRelativePath(repoId: string, revision: string, file: string): string {
  // Revisions like refs/pr/1 stay one directory, so "refs" + "pr/1/x.gguf" cannot collide with them.
  return [repoId.split('/').join('__'), encodeURIComponent(revision), ...file.split('/')].join('/');
}

/** "45% (220 MB of 491 MB, 12 MB/s)", or what is known of it. */
export function describeDownloadProgress(progress: Pick<ModelDownload, 'state' | 'bytes' | 'totalBytes' | 'percent' | 'bytesPerSecond'>): string {
  const size = (bytes: number) => formatBytes(bytes);
  const amount = progress.totalBytes !== null ? `${size(progress.bytes)} of ${size(progress.totalBytes)}` : size(progress.bytes);
  const speed = progress.bytesPerSecond ? `, ${size(progress.bytesPerSecond)}/s` : '';
  const percent = progress.percent !== null ? `${Math.floor(progress.percent)}% ` : '';
  return `${progress.state} ${percent}(${amount}${speed})`;
}

/** Decimal units, as download tools and the Hub show sizes: 491400032 → "491.4 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** Percent with one decimal, never 100 before the last byte. */
export function downloadPercent(bytes: number, totalBytes: number | null): number | null {
  if (totalBytes === null) return null;
  if (totalBytes === 0) return 100;
  const percent = Math.floor((bytes / totalBytes) * 1000) / 10;
  return Math.min(percent, bytes >= totalBytes ? 100 : 99.9);
}
