/**
 * Restart back-off of a crashed replica, as the kubelet does it: the delay doubles with each
 * consecutive crash up to a cap, the replica is reported CrashLoopBackOff after a few crashes in
 * a row, and a replica that stayed up long enough starts counting from zero again.
 */
export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialMs: number;
  /** Longest delay (the kubelet's is 5 minutes). */
  maxMs: number;
  /** Consecutive crashes after which the replica is in CrashLoopBackOff. */
  crashLoopAfter: number;
  /** A run at least this long resets the consecutive-crash count. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialMs: 1000,
  maxMs: 5 * 60_000,
  crashLoopAfter: 3,
  resetAfterMs: 10 * 60_000,
});

/** Delay before restarting after the `crashes`-th consecutive crash (1-based): initial × 2^(n−1), capped. */
export function restartDelayMs(crashes: number, policy: BackoffPolicy): number {
  if (crashes <= 0) return 0;
  // 2^n overflows to Infinity long after the cap; Math.min keeps the result finite.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(crashes - 1, 64));
}

/** The consecutive-crash count after a crash that ended a run of `uptimeMs`. */
export function crashesAfterExit(previous: number, uptimeMs: number, policy: BackoffPolicy): number {
  return uptimeMs >= policy.resetAfterMs ? 1 : previous + 1;
}

export function isCrashLoop(crashes: number, policy: BackoffPolicy): boolean {
  return crashes >= policy.crashLoopAfter;
}
