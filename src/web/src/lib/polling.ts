/**
 * How often the UI asks again (SPEC §7: snapshots 10 s, history 60 s, GPUs 30 s, aggregates
 * 15 s, logs 30 s), and the TanStack Query options that do it.
 */
export const POLL_MS = {
  snapshot: 10_000,
  history: 60_000,
  gpu: 30_000,
  aggregates: 15_000,
  logs: 30_000,
} as const;

/**
 * `refetchInterval` options that pause while the tab is hidden. TanStack Query skips an interval
 * refetch when its focus manager says the document is not visible (`visibilityState` 'hidden',
 * followed through `visibilitychange`) unless `refetchIntervalInBackground` is set; it is spelled
 * out here so no poller turns it on by accident. Coming back to the tab refetches what is stale.
 */
export function pollEvery(ms: number) {
  return { refetchInterval: ms, refetchIntervalInBackground: false } as const;
}
