import { runNvidiaSmiQuery, type NvidiaSmiOutcome } from '../../clusters/local/local-connector.js';
import { NVIDIA_SMI_TELEMETRY_ARGS, parseNvidiaSmiTelemetry, type NvidiaGpuTelemetry } from '../../clusters/local/nvidia-smi.js';

/** One reading of the host's GPUs and when it was taken. */
export interface HostGpuTelemetryReading {
  outcome: NvidiaSmiOutcome<NvidiaGpuTelemetry>;
  takenAt: Date;
}

export interface HostGpuTelemetry {
  /** The host's GPUs as nvidia-smi reports them, at most `cacheMs` old. Never rejects. */
  read(): Promise<HostGpuTelemetryReading>;
}

export interface HostGpuTelemetryDeps {
  /** `HMAS_NVIDIA_SMI`. */
  command: string;
  now: () => Date;
  /** nvidia-smi is given this long, then killed (default 5 s: the endpoint's deadline). */
  timeoutMs?: number;
  /** A reading is reused this long (default 5 s). */
  cacheMs?: number;
}

/**
 * nvidia-smi's telemetry of the H-MAS host, read at most once per `cacheMs`: dashboards poll
 * every 30 s from many tabs, and each read forks a process that takes the driver's lock. Callers
 * that arrive while a read runs share it.
 */
export function createHostGpuTelemetry(deps: HostGpuTelemetryDeps): HostGpuTelemetry {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const cacheMs = deps.cacheMs ?? 5_000;
  let last: { startedMs: number; reading: Promise<HostGpuTelemetryReading> } | null = null;
  return {
    read() {
      const nowMs = deps.now().getTime();
      if (last && nowMs - last.startedMs < cacheMs && nowMs >= last.startedMs) return last.reading;
      const takenAt = deps.now();
      const reading = runNvidiaSmiQuery(deps.command, { args: NVIDIA_SMI_TELEMETRY_ARGS, parse: parseNvidiaSmiTelemetry }, timeoutMs).then((outcome) => ({ outcome, takenAt }));
      last = { startedMs: nowMs, reading };
      return reading;
    },
  };
}
