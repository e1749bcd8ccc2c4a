import { describe, expect, it } from 'vitest';
import { describeDownloadProgress, downloadPercent, formatBytes, modelFileRelativePath } from './model-download.js';

describe('model download helpers', () => {
  it('lays files out as <org>__<name>/<revision>/<file>, a revision with slashes as one directory', () => {
    expect(modelFileRelativePath('Qwen/Qwen2.5-0.5B-Instruct-GGUF', 'main', 'q4.gguf')).toBe('Qwen__Qwen2.5-0.5B-Instruct-GGUF/main/q4.gguf');
    expect(modelFileRelativePath('org/name', 'refs/pr/1', 'sub/x.gguf')).toBe('org__name/refs%2Fpr%2F1/sub/x.gguf');
  });

  it('never says 100 % before the last byte', () => {
    expect(downloadPercent(999_999, 1_000_000)).toBe(99.9);
    expect(downloadPercent(1_000_000, 1_000_000)).toBe(100);
    expect(downloadPercent(450, 1000)).toBe(45);
    expect(downloadPercent(10, null)).toBeNull();
    expect(downloadPercent(0, 0)).toBe(100);
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(491_400_032)).toBe('491 MB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(4_920_000_000)).toBe('4.9 GB');
  });

  it('describes progress with what is known', () => {
    expect(describeDownloadProgress({ state: 'downloading', bytes: 220_000_000, totalBytes: 491_400_032, percent: 44.7, bytesPerSecond: 12_000_000 })).toBe('downloading 44% (220 MB of 491 MB, 12.0 MB/s)');
    expect(describeDownloadProgress({ state: 'downloading', bytes: 1_500, totalBytes: null, percent: null, bytesPerSecond: null })).toBe('downloading (1.5 kB)');
  });
});
