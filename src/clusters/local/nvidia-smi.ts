import type { HostGpuReading } from '../../domain/gpu-reading.js';

/**
 * Parses what `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` prints. Two queries use
 * it: the inventory (`NVIDIA_SMI_ARGS`: index, name, memory) and the GPU telemetry of the
 * monitoring endpoint (`NVIDIA_SMI_TELEMETRY_ARGS`: utilization, memory, temperature, power, SM
 * clock). Pure, so it is tested on recorded output of real GPUs.
 */
/** The arguments the local inventory runs nvidia-smi with (argv, no shell). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total,memory.used,utilization.gpu', '--format=csv,noheader,nounits'] as const;

/** The columns of the telemetry query, in its order. */
const TELEMETRY_FIELDS = ['index', 'uuid', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw', 'clocks.sm'] as const;
/** The arguments the GPU metrics endpoint runs nvidia-smi with on the local host. */
export const NVIDIA_SMI_TELEMETRY_ARGS = [`--query-gpu=${TELEMETRY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'] as const;

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

/** One GPU as the telemetry query sees it. */
export type NvidiaGpuTelemetry = HostGpuReading;

export class NvidiaSmiParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NvidiaSmiParseError';
  }
}

// `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[GPU requires reset]`, `[Insufficient Permissions]`.
const UNAVAILABLE = /^\[[^\]]*\]$/;

/** One CSV row read by column: numbers (null when unavailable, the text kept in `unavailable`) and texts. */
interface Row {
  index: number;
  name: string;
  numbers: Record<string, number | null>;
  texts: Record<string, string | null>;
  unavailable: Record<string, string>;
}

/**
 * Reads every GPU row of an answer to `--query-gpu=<fields>`. `name` is everything between the
 * columns before and after it, should a GPU name ever hold a comma; `index` must be a whole
 * number; `textFields` are kept as text (null when unavailable); every other field is a number.
 */
function readRows(output: string, fields: readonly string[], textFields: readonly string[] = []): Row[] {
  const rows: Row[] = [];
  const nameAt = fields.indexOf('name');
  const after = fields.length - nameAt - 1;
  for (const [position, raw] of output.split(/\r?\n/).entries()) {
    const line = raw.trim();
    const lineNumber = position + 1;
    // Blank lines, and warnings some drivers print before the data (e.g. a corrupted infoROM).
    if (line === '' || /^warning\b/i.test(line) || NO_DEVICES.test(line)) continue;
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length < fields.length) {
      throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber} is not "${fields.join(', ')}": "${line.slice(0, 80)}".`);
    }
    const byField = new Map<string, string>();
    fields.forEach((field, at) => {
      if (at < nameAt) byField.set(field, cells[at] ?? '');
      else if (at > nameAt) byField.set(field, cells[cells.length - (fields.length - at)] ?? '');
    });
    const name = cells.slice(nameAt, cells.length - after).join(', ');
    const indexText = byField.get('index') ?? '';
    if (!/^\d+$/.test(indexText)) {
      throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber}: the GPU index is "${indexText.slice(0, 40)}", not a number.`);
    }
    if (name === '') throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber} has no GPU name.`);
    const row: Row = { index: Number(indexText), name, numbers: {}, texts: {}, unavailable: {} };
    for (const [field, value] of byField) {
      if (field === 'index') continue;
      const missing = UNAVAILABLE.test(value) || (textFields.includes(field) && value === '');
      if (missing) row.unavailable[field] = value;
      if (textFields.includes(field)) {
        row.texts[field] = missing ? null : value;
      } else if (missing) {
        row.numbers[field] = null;
      } else if (/^\d+(\.\d+)?$/.test(value)) {
        row.numbers[field] = Number(value);
      } else {
        throw new NvidiaSmiParseError(`nvidia-smi output line ${lineNumber}: ${field} is "${value.slice(0, 40)}", not a number.`);
      }
    }
    rows.push(row);
  }
  return rows;
}

/** The inventory query (`NVIDIA_SMI_ARGS`). */
export function parseNvidiaSmiCsv(output: string): NvidiaGpu[] {
  return readRows(output, ['index', 'name', 'memory.total', 'memory.used', 'utilization.gpu']).map((row) => ({
    index: row.index,
    name: row.name,
    memoryTotalMiB: row.numbers['memory.total'] ?? null,
    memoryUsedMiB: row.numbers['memory.used'] ?? null,
    utilizationPercent: row.numbers['utilization.gpu'] ?? null,
  }));
}

/** The telemetry query (`NVIDIA_SMI_TELEMETRY_ARGS`). */
export function parseNvidiaSmiTelemetry(output: string): NvidiaGpuTelemetry[] {
  return readRows(output, TELEMETRY_FIELDS, ['uuid']).map((row) => ({
    index: row.index,
    uuid: row.texts.uuid ?? null,
    name: row.name,
    utilizationPercent: row.numbers['utilization.gpu'] ?? null,
    memoryUsedMiB: row.numbers['memory.used'] ?? null,
    memoryTotalMiB: row.numbers['memory.total'] ?? null,
    temperatureCelsius: row.numbers['temperature.gpu'] ?? null,
    powerWatts: row.numbers['power.draw'] ?? null,
    smClockMhz: row.numbers['clocks.sm'] ?? null,
    unavailable: row.unavailable,
  }));
}
