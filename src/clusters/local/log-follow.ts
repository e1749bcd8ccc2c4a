import type { LogLine } from '../../domain/workload.js';
import type { FollowLogOptions } from '../cluster-driver.js';
import type { LocalDriverContext } from './driver-context.js';
import { fileSize, readAppended, readLastLines } from './log-files.js';
import { sortedReplicas, type Workload } from './local-workload.js';

/** Waits `ms` on the driver's timers; an abort ends the wait at once. */
function sleep(ctx: LocalDriverContext, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = ctx.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      ctx.clearTimer(timer);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The last lines of each replica's log, then new lines as they are appended (polled every
 * `logPollMs`), until the signal aborts, the driver closes or the workload is removed.
 */
export async function* followWorkloadLogs(ctx: LocalDriverContext, workload: Workload, options: FollowLogOptions): AsyncGenerator<LogLine> {
  const offsets = new Map<string, number>();
  for (const replica of sortedReplicas(workload, options.replica)) {
    const end = await fileSize(replica.logFile);
    offsets.set(replica.id, end);
    for (const line of await readLastLines(replica.logFile, options.tailLines ?? 100, end)) yield { replica: replica.id, line };
  }
  const following = () => !ctx.closed && !options.signal?.aborted && ctx.workloads.get(workload.name) === workload && !workload.removed;
  while (following()) {
    await sleep(ctx, ctx.timing.logPollMs, options.signal);
    if (!following()) return;
    for (const replica of sortedReplicas(workload, options.replica)) {
      const read = await readAppended(replica.logFile, offsets.get(replica.id) ?? 0);
      offsets.set(replica.id, read.offset);
      for (const line of read.lines) yield { replica: replica.id, line };
    }
  }
}
