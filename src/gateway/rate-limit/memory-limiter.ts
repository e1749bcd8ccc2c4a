import type { AdmitResult, RateLimitState, RateLimiter, RateSubject, TokenRequest, TokenReservation } from '../gateway-contracts.js';
import {
  asRecord,
  createReservation,
  DEFAULT_RESERVATION_TTL_MS,
  normalizeSubject,
  normalizeSubjects,
  normalizeTokens,
  refusedResult,
  RPM_COST,
  secondsOf,
  subjectRange,
  tightestState,
  tokenRange,
  WINDOW_SECONDS,
  worstRefusal,
  type Refusal,
  type SubjectStates,
} from './limit-math.js';

interface Bucket {
  /** In units of 1/RPM_COST request, as of `at`. */
  tokens: number;
  at: number;
  rpm: number;
}

interface Window {
  /** Tokens per second bucket (key: epoch second). */
  buckets: Map<number, number>;
  used: number;
  reserved: number;
  /** Oldest second that may still hold a bucket; newest second written. */
  lo: number | null;
  hi: number | null;
  /** Outstanding reservations in admission order — which is also expiry order. */
  reservations: Map<string, { amount: number; expiresAt: number }>;
}

interface SubjectState {
  bucket?: Bucket;
  window?: Window;
}

/** How often idle subjects (full bucket, empty window) are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The in-memory backend: one instance. JavaScript runs one admission at a time, so
 * check-then-take in a synchronous block is atomic across all subjects of a request.
 */
export function createMemoryRateLimiter(options: { now?: () => number; reservationTtlMs?: number } = {}): RateLimiter & { readonly backend: 'memory' } {
  const now = options.now ?? Date.now;
  const reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const states = new Map<string, SubjectState>();
  let nextId = 0;
  let lastSweep = now();

  const keyOf = (subject: RateSubject) => `${subject.kind}:${subject.id}`;
  const stateOf = (subject: RateSubject): SubjectState => {
    const key = keyOf(subject);
    let state = states.get(key);
    if (!state) {
      state = {};
      states.set(key, state);
    }
    return state;
  };

  function bucketTokens(bucket: Bucket | undefined, rpm: number, at: number): number {
    const capacity = rpm * RPM_COST;
    if (!bucket) return capacity;
    return Math.min(capacity, bucket.tokens + Math.max(0, at - bucket.at) * rpm);
  }

  function rpmState(rpm: number, tokens: number): RateLimitState {
    return { limit: rpm, remaining: Math.floor(tokens / RPM_COST), resetSeconds: secondsOf((rpm * RPM_COST - tokens) / rpm) };
  }

  /** Drops buckets older than the window and expired reservations. */
  function evict(window: Window, at: number): void {
    const second = Math.floor(at / 1000);
    if (window.lo !== null && window.hi !== null && window.lo <= second - WINDOW_SECONDS) {
      const last = Math.min(second - WINDOW_SECONDS, window.hi);
      for (let s = window.lo; s <= last; s += 1) {
        const tokens = window.buckets.get(s);
        if (tokens !== undefined) {
          window.used -= tokens;
          window.buckets.delete(s);
        }
      }
      window.lo = second - WINDOW_SECONDS + 1;
    }
    for (const [id, reservation] of window.reservations) {
      if (reservation.expiresAt > at) break;
      window.reserved -= reservation.amount;
      window.reservations.delete(id);
    }
  }

  const emptyWindow = (): Window => ({ buckets: new Map(), used: 0, reserved: 0, lo: null, hi: null, reservations: new Map() });

  function windowResetMs(window: Window, at: number): number {
    return window.used > 0 && window.hi !== null ? (window.hi + WINDOW_SECONDS) * 1000 - at : 0;
  }

  function tpmState(tpm: number, window: Window, at: number): RateLimitState {
    return { limit: tpm, remaining: Math.max(0, tpm - window.used - window.reserved), resetSeconds: secondsOf(windowResetMs(window, at)) };
  }

  /** When enough settled tokens leave the window for `deficit` more to fit. */
  function tpmRetryMs(window: Window, deficit: number, at: number): number {
    if (window.lo !== null && window.hi !== null) {
      let freed = 0;
      for (let s = window.lo; s <= window.hi; s += 1) {
        freed += window.buckets.get(s) ?? 0;
        if (freed >= deficit) return (s + WINDOW_SECONDS) * 1000 - at;
      }
    }
    // Outstanding reservations block: they end when their responses do, which nobody knows.
    return Math.max(1000, windowResetMs(window, at));
  }

  function sweep(at: number): void {
    lastSweep = at;
    for (const [key, state] of states) {
      const bucketFull = !state.bucket || bucketTokens(state.bucket, state.bucket.rpm, at) >= state.bucket.rpm * RPM_COST;
      if (state.window) evict(state.window, at);
      const windowEmpty = !state.window || (state.window.used === 0 && state.window.reservations.size === 0);
      if (bucketFull && windowEmpty) states.delete(key);
    }
  }

  return {
    backend: 'memory',

    async admit(requested: RateSubject[], requestedTokens: number | TokenRequest): Promise<AdmitResult> {
      const at = now();
      if (at - lastSweep >= SWEEP_INTERVAL_MS) sweep(at);
      const subjects = normalizeSubjects(requested);
      const range = tokenRange(requestedTokens);
      const tokens: number[] = [];
      const refusals: Refusal[] = [];
      // The grant is one amount for every TPM-limited subject: the most that all of them can hold.
      let granted = Number.POSITIVE_INFINITY;

      // Check every subject first; take from none unless all admit.
      subjects.forEach((subject, index) => {
        const state = states.get(keyOf(subject));
        tokens[index] = 0;
        if (subject.rpm > 0) {
          const available = bucketTokens(state?.bucket, subject.rpm, at);
          tokens[index] = available;
          if (available < RPM_COST) {
            refusals.push({ index, reason: 'rpm', retryMs: Math.ceil((RPM_COST - available) / subject.rpm), state: rpmState(subject.rpm, available) });
          }
        }
        if (subject.tpm > 0) {
          const window = state?.window ?? emptyWindow();
          evict(window, at);
          const own = subjectRange(range, subject.tpm);
          const free = subject.tpm - window.used - window.reserved;
          const deficit = own.min - free;
          if (deficit > 0) refusals.push({ index, reason: 'tpm', retryMs: tpmRetryMs(window, deficit, at), state: tpmState(subject.tpm, window, at) });
          else granted = Math.min(granted, own.max, free);
        }
      });
      const refusal = worstRefusal(refusals);
      if (refusal) return refusedResult(subjects, refusal);
      const amounts = subjects.map((subject) => (subject.tpm > 0 ? granted : 0));

      const id = String((nextId += 1));
      const subjectStates: SubjectStates[] = subjects.map((subject, index) => {
        const state = stateOf(subject);
        const result: SubjectStates = { rpm: null, tpm: null };
        if (subject.rpm > 0) {
          const left = tokens[index]! - RPM_COST;
          state.bucket = { tokens: left, at, rpm: subject.rpm };
          result.rpm = rpmState(subject.rpm, left);
        }
        if (subject.tpm > 0) {
          const window = (state.window ??= emptyWindow());
          window.reserved += amounts[index]!;
          window.reservations.set(id, { amount: amounts[index]!, expiresAt: at + reservationTtlMs });
          result.tpm = tpmState(subject.tpm, window, at);
        }
        return result;
      });
      return { allowed: true, reservation: createReservation(id, subjects, amounts), headers: tightestState(subjectStates) };
    },

    async settle(reservation: TokenReservation, actualTokens: number): Promise<void> {
      const record = asRecord(reservation);
      if (record.settled) return;
      record.settled = true;
      const at = now();
      const second = Math.floor(at / 1000);
      const actual = normalizeTokens(actualTokens);
      record.subjects.forEach((subject) => {
        if (subject.tpm <= 0) return;
        const state = stateOf(subject);
        const window = (state.window ??= emptyWindow());
        evict(window, at);
        const outstanding = window.reservations.get(record.id);
        if (outstanding) {
          window.reserved -= outstanding.amount;
          window.reservations.delete(record.id);
        }
        if (actual > 0) {
          window.buckets.set(second, (window.buckets.get(second) ?? 0) + actual);
          window.used += actual;
          window.lo ??= second;
          window.hi = second;
        }
      });
    },

    async usage(requested: RateSubject) {
      const subject = normalizeSubject(requested);
      const at = now();
      const state = states.get(keyOf(subject));
      let window: Window | undefined;
      if (subject.tpm > 0) {
        window = state?.window ?? emptyWindow();
        evict(window, at);
      }
      return {
        rpm: subject.rpm > 0 ? rpmState(subject.rpm, bucketTokens(state?.bucket, subject.rpm, at)) : null,
        tpm: window ? tpmState(subject.tpm, window, at) : null,
      };
    },

    async close() {
      states.clear();
    },
  };
}
