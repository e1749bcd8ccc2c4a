/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu
 * --format=csv,noheader,nounits`. Pure, so it is tested on recorded output of real GPUs.
 */

/** The arguments the local inventory runs nvidia-smi with (argv, no shell). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total,memory.used,utilization.gpu', '--format=csv,noheader,nounits'] as const;

/** What nvidia-smi prints (exit status 6) when the driver runs but sees no GPU. */
const NO_DEVICES = /^No devices were found\s*$/i;

export interface NvidiaGpu {
  index: number;
  name: string;
  /** null where nvidia-smi says `[N/A]`, `[Not Supported]` or similar. */
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  utilizationPercent: number | null;
}

export class NvidiaSmiParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NvidiaSmiParseError';
  }
}

// `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[GPU requires reset]`, `[Insufficient Permissions]`.
const UNAVAILABLE = /^\[[^\]]*\]$/;

function numberField(value: string, field: string, lineNumber: number): number | null {
  if (UNAVAILABLE.test(value)) return null;
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber}: ${field} is "${value.slice(0, 40)}", not a number.`);
  }
  return Number(value);
}

export function parseNvidiaSmiCsv(output: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  const lines = output.split(/\r?\n/);
  for (const [position, raw] of lines.entries()) {
    const line = raw.trim();
    const lineNumber = position + 1;
    // Blank lines, and warnings some drivers print before the data (e.g. a corrupted infoROM).
    if (line === '' || /^warning\b/i.test(line)) continue;
    if (NO_DEVICES.test(line)) continue;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 5) {
      throw new NvidiaSmiParseError(
        `nvidia-smi output line ${lineNumber} is not "index, name, memory.total, memory.used, utilization.gpu": "${line.slice(0, 80)}".`,
      );
    }
    // The name is everything between the index and the last three numbers, should it ever hold a comma.
    const [indexText] = fields;
    const tail = fields.slice(-3);
    const name = fields.slice(1, -3).join(', ');
    if (!indexText || !/^\d+$/.test(indexText)) {
      throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber}: the GPU index is "${(indexText ?? '').slice(0, 40)}", not a number.`);
    }
    if (name === '') throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber} has no GPU name.`);
    gpus.push({
      index: Number(indexText),
      name,
      memoryTotalMiB: numberField(tail[0] ?? '', 'memory.total', lineNumber),
      memoryUsedMiB: numberField(tail[1] ?? '', 'memory.used', lineNumber),
      utilizationPercent: numberField(tail[2] ?? '', 'utilization.gpu', lineNumber),
    });
  }
  return gpus;
}
