import type { EventType, WorkloadEvent } from '../../domain/workload.js';

export type InvolvedObject = WorkloadEvent['involvedObject'];

/** Events of one workload, deduplicated the way Kubernetes aggregates them. */
export interface EventLog {
  /** Records an occurrence: a repeat of the same object, type, reason and message raises `count`. */
  record(type: EventType, reason: string, message: string, involvedObject: InvolvedObject): WorkloadEvent;
  /** Events last seen at or after `since`, oldest first (all when `since` is absent). */
  since(since?: Date): WorkloadEvent[];
  /** Everything kept, for persisting. */
  all(): WorkloadEvent[];
}

export const DEFAULT_MAX_EVENTS = 200;

const keyOf = (event: Pick<WorkloadEvent, 'type' | 'reason' | 'message' | 'involvedObject'>) =>
  JSON.stringify([event.involvedObject.kind, event.involvedObject.name, event.type, event.reason, event.message]);

/**
 * Keeps at most `max` distinct events; the one seen longest ago goes first. Timestamps come
 * from `now`, so tests decide the clock.
 */
export function createEventLog(options: { now: () => Date; max?: number; initial?: readonly WorkloadEvent[] }): EventLog {
  const max = options.max ?? DEFAULT_MAX_EVENTS;
  // Insertion order of a Map is the order of last occurrence: a repeat is moved to the end.
  const events = new Map<string, WorkloadEvent>();
  for (const event of options.initial ?? []) events.set(keyOf(event), { ...event, involvedObject: { ...event.involvedObject } });

  const ordered = () => [...events.values()].map((event) => ({ ...event, involvedObject: { ...event.involvedObject } }));

  return {
    record(type, reason, message, involvedObject) {
      const at = options.now().toISOString();
      const key = keyOf({ type, reason, message, involvedObject });
      const existing = events.get(key);
      const event: WorkloadEvent = existing
        ? { ...existing, count: existing.count + 1, lastTimestamp: at }
        : { type, reason, message, count: 1, firstTimestamp: at, lastTimestamp: at, involvedObject: { ...involvedObject } };
      events.delete(key);
      events.set(key, event);
      while (events.size > max) {
        const oldest = events.keys().next().value;
        if (oldest === undefined) break;
        events.delete(oldest);
      }
      return { ...event, involvedObject: { ...event.involvedObject } };
    },
    since(since) {
      const all = ordered();
      if (!since) return all;
      const from = since.getTime();
      return all.filter((event) => Date.parse(event.lastTimestamp) >= from);
    },
    all: ordered,
  };
}
