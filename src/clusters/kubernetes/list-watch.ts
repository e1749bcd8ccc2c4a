/**
 * A cache of one kind of object in a namespace, kept by list-then-watch (Kubernetes' reflector
 * pattern): list, watch from the list's resourceVersion, apply ADDED/MODIFIED/DELETED; a watch
 * that ends is resumed from the last resourceVersion; 410 Gone (the version is too old) lists
 * again; errors back off 0.5 s, 1 s, 2 s … capped. Reads answer from the cache. The list and
 * watch calls are injected (kube-workload-client.ts), so this runs without a cluster in tests.
 */

export interface WatchEvent<T> {
  type: string;
  object: T;
}

export interface ListWatchSource<T> {
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  /** Starts a watch; `done` is called once when it ends (null: closed by the server). */
  watch(resourceVersion: string, onEvent: (event: WatchEvent<T>) => void, done: (error: unknown) => void): Promise<{ abort(): void }>;
}

export interface ListWatchTiming {
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_LIST_WATCH_TIMING: ListWatchTiming = { initialBackoffMs: 500, maxBackoffMs: 30_000 };

type Named = { metadata: { name: string; resourceVersion?: string } };

const isGone = (value: unknown) => {
  const { code, statusCode } = (value ?? {}) as { code?: unknown; statusCode?: unknown };
  return code === 410 || statusCode === 410;
};

export class ListWatchCache<T extends Named> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private failures = 0;
  private lastError: unknown;
  private current: { abort(): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly source: ListWatchSource<T>,
    private readonly timing: ListWatchTiming = DEFAULT_LIST_WATCH_TIMING,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  start(): void {
    void this.relist();
  }

  /** Resolves once the cache holds a full list; rejects with the error of a failed attempt while it does not. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error('The watch is stopped.'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  get isSynced(): boolean {
    return this.synced;
  }

  values(): T[] {
    return [...this.objects.values()];
  }

  get(name: string): T | undefined {
    return this.objects.get(name);
  }

  /** Called after every change (list or watch event). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts an object the driver just wrote, so reads right after a write see it. */
  remember(object: T): void {
    this.objects.set(object.metadata.name, object);
    this.changed();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.current?.abort();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('The watch is stopped.'));
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const { items, resourceVersion } = await this.source.list();
      if (this.stopped) return;
      this.objects.clear();
      for (const item of items) this.objects.set(item.metadata.name, item);
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.failures = 0;
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
      this.changed();
      await this.watch();
    } catch (error) {
      // A cluster that cannot be listed is not answered from an old cache: reads reject.
      this.synced = false;
      this.fail(error, () => this.relist());
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let ended = false;
    const done = (error: unknown) => {
      if (ended || this.stopped) return;
      ended = true;
      this.current = undefined;
      if (isGone(error)) void this.relist();
      else if (error) this.fail(error, () => this.watch());
      else void this.watch();
    };
    try {
      this.current = await this.source.watch(
        this.resourceVersion,
        (event) => {
          if (ended) return;
          if (event.type === 'ERROR') {
            // A Status object: 410 Gone means list again.
            this.current?.abort();
            done(isGone(event.object) ? event.object : Object.assign(new Error('watch error'), { status: event.object }));
            return;
          }
          const version = event.object.metadata.resourceVersion;
          if (version) this.resourceVersion = version;
          if (event.type === 'DELETED') this.objects.delete(event.object.metadata.name);
          else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.objects.set(event.object.metadata.name, event.object);
          this.failures = 0;
          this.changed();
        },
        done,
      );
      if (this.stopped) this.current?.abort();
    } catch (error) {
      done(error ?? new Error('watch failed'));
    }
  }

  private fail(error: unknown, retry: () => Promise<void>): void {
    if (this.stopped) return;
    this.lastError = error;
    this.onError(error);
    if (!this.synced) for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    const delay = Math.min(this.timing.maxBackoffMs, this.timing.initialBackoffMs * 2 ** this.failures);
    this.failures += 1;
    this.timer = setTimeout(() => void retry(), delay);
  }

  /** The error of the last failed attempt (for messages). */
  get error(): unknown {
    return this.lastError;
  }
}
