/** A count of GPUs of one deployment at one moment, and where they run. */
export interface UsageTarget {
  deploymentId: string;
  deploymentName: string;
  clusterId: string;
  clusterName: string;
  /** As the cluster's inventory names it; '' when it names none. */
  gpuModel: string;
  /** Ready replicas × GPUs per replica; 0 while paused. */
  gpus: number;
}

export interface HourShare {
  /** The hour's start. */
  hour: Date;
  seconds: number;
}

const HOUR_MS = 3600_000;

/**
 * The time between the last count and this one that is counted, as seconds per hour: at most
 * `maxGapMs` (a loop that stopped, a leader that changed: the gap beyond is not guessed at), the
 * latest part of it; none without a last count, or when the clocks went backwards.
 */
export function countedTime(last: Date | undefined, now: Date, maxGapMs: number): HourShare[] {
  if (!last) return [];
  const elapsed = Math.min(now.getTime() - last.getTime(), maxGapMs);
  if (elapsed <= 0) return [];
  const shares: HourShare[] = [];
  let start = now.getTime() - elapsed;
  while (start < now.getTime()) {
    const hour = Math.floor(start / HOUR_MS) * HOUR_MS;
    const end = Math.min(hour + HOUR_MS, now.getTime());
    shares.push({ hour: new Date(hour), seconds: (end - start) / 1000 });
    start = end;
  }
  return shares;
}
