/**
 * A fixed set of slots (the context's sequences) handed out first come, first served. A request
 * that finds every slot busy waits in line — llama.cpp calls it "deferred" — until one is
 * released, its signal aborts, or the pool closes.
 */
export interface SlotLease<T> {
  slot: T;
  /** Gives the slot to the next waiting request. Safe to call twice. */
  release(): void;
}

export interface SlotPool<T> {
  acquire(signal?: AbortSignal): Promise<SlotLease<T>>;
  /** Slots handed out now. */
  readonly busy: number;
  /** Requests waiting for a slot now. */
  readonly waiting: number;
  /** Requests that ever had to wait. */
  readonly deferredTotal: number;
  readonly size: number;
  /** Refuses waiting and future requests with `reason`; held slots stay held until released. */
  close(reason: Error): void;
}

interface Waiter<T> {
  resolve(lease: SlotLease<T>): void;
  reject(error: unknown): void;
  detach(): void;
}

export function createSlotPool<T>(slots: readonly T[]): SlotPool<T> {
  if (slots.length === 0) throw new Error('a slot pool needs at least one slot');
  const free = [...slots];
  const queue: Array<Waiter<T>> = [];
  let busy = 0;
  let deferredTotal = 0;
  let closedWith: Error | undefined;

  const lease = (slot: T): SlotLease<T> => {
    busy += 1;
    let released = false;
    return {
      slot,
      release() {
        if (released) return;
        released = true;
        busy -= 1;
        const next = queue.shift();
        if (next) {
          next.detach();
          next.resolve(lease(slot));
        } else {
          free.push(slot);
        }
      },
    };
  };

  return {
    acquire(signal) {
      if (closedWith) return Promise.reject(closedWith);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const slot = free.shift();
      if (slot !== undefined) return Promise.resolve(lease(slot));
      deferredTotal += 1;
      return new Promise<SlotLease<T>>((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index !== -1) queue.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter<T> = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
    get busy() {
      return busy;
    },
    get waiting() {
      return queue.length;
    },
    get deferredTotal() {
      return deferredTotal;
    },
    size: slots.length,
    close(reason) {
      closedWith = reason;
      for (const waiter of queue.splice(0)) {
        waiter.detach();
        waiter.reject(reason);
      }
    },
  };
}
