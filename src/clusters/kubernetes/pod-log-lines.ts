import type { LogLine } from '../../domain/workload.js';

/** Lines of a log text (a trailing newline ends the last line; it does not start an empty one). */
export function splitLogLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export interface PodLogStream {
  pod: string;
  /** Streams the pod's log into `onData` until the stream or the signal ends. */
  follow(onData: (chunk: string) => void, signal: AbortSignal): Promise<void>;
}

/**
 * Follows several pods' logs as one stream of whole lines, in the order they arrive, until
 * `signal` aborts or every stream has ended. A pod whose stream fails just ends.
 */
export async function* followPodLogs(streams: readonly PodLogStream[], signal: AbortSignal): AsyncGenerator<LogLine> {
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let open = streams.length;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const inner = new AbortController();
  const onAbort = () => {
    inner.abort();
    notify();
  };
  signal.addEventListener('abort', onAbort);
  for (const stream of streams) {
    let partial = '';
    stream
      .follow((chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) queue.push({ replica: stream.pod, line });
        notify();
      }, inner.signal)
      .catch(() => undefined)
      .finally(() => {
        if (partial !== '') queue.push({ replica: stream.pod, line: partial });
        open -= 1;
        notify();
      });
  }
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (open === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    inner.abort();
  }
}
