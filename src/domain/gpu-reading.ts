/**
 * One GPU of the H-MAS host as nvidia-smi's telemetry query reports it: what the local cluster's
 * parser (`clusters/local/nvidia-smi.ts`) gives and the GPU metrics (`metrics/gpu-nvidia-smi.ts`)
 * read. Every number is null where nvidia-smi has none.
 */
export interface HostGpuReading {
  index: number;
  uuid: string | null;
  name: string;
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureCelsius: number | null;
  powerWatts: number | null;
  smClockMhz: number | null;
  /** What nvidia-smi printed instead of a number, by query field (`{ 'power.draw': '[N/A]' }`). */
  unavailable: Record<string, string>;
}
