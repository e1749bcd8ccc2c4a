import type { AdmitResult, RateLimitState, RateSubject, TokenRequest, TokenReservation } from '../gateway-contracts.js';

/**
 * The arithmetic both backends share. The Redis backend repeats it in Lua (redis-scripts.ts);
 * the contract suite (rate-limiter.test.ts) runs the same cases against both.
 *
 * RPM — token bucket in integer units: one request costs {@link RPM_COST} units, the bucket
 * holds `rpm * RPM_COST` units and refills `rpm` units per millisecond (= rpm requests per
 * minute). With millisecond timestamps every quantity stays an integer, so there is no
 * floating-point drift and Redis (doubles, `%.14g` when written) stores them exactly
 * (rpm ≤ 1e9 keeps the capacity below 1e14).
 *
 * TPM — sliding window of 60 one-second buckets: tokens settled at time t go to bucket
 * `floor(t / 1000)` and count while that bucket is one of the last 60 seconds, the current one
 * included — i.e. for 59 to 60 s after they were used. Outstanding reservations count too until
 * they are settled or expire (`reservationTtlMs`, a safety net for instances that die mid-stream).
 */
export const RPM_COST = 60_000;
export const WINDOW_SECONDS = 60;
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/** The largest RPM/TPM a subject may have (keeps bucket arithmetic exact, see above). */
export const MAX_RATE_LIMIT = 1_000_000_000;

/** What a reservation carries beyond the contract: per-subject amounts and an id for Redis. */
export interface ReservationRecord extends TokenReservation {
  readonly id: string;
  /** Tokens reserved per subject (same order as `subjects`; 0 where TPM is unlimited). */
  readonly amounts: readonly number[];
  settled: boolean;
}

/** A refused check: which subject and dimension, when it could pass, and its state. */
export interface Refusal {
  index: number;
  reason: 'rpm' | 'tpm';
  retryMs: number;
  state: RateLimitState;
}

/** Per-subject state after an admission (null where that dimension is unlimited). */
export interface SubjectStates {
  rpm: RateLimitState | null;
  tpm: RateLimitState | null;
}

/** A token request cleaned: non-negative integers, max ≥ min. */
export function tokenRange(tokens: number | TokenRequest): TokenRequest {
  if (typeof tokens === 'number') {
    const exact = normalizeTokens(tokens);
    return { min: exact, max: exact };
  }
  const min = normalizeTokens(tokens.min);
  return { min, max: Math.max(min, normalizeTokens(tokens.max)) };
}

/**
 * The range a TPM-limited subject reserves from: at least 1, at most the whole limit (so a request
 * whose minimum is above the limit is admitted when the window is empty, instead of never; the
 * gateway refuses such requests itself before they get here).
 */
export function subjectRange(range: TokenRequest, tpm: number): TokenRequest {
  const min = Math.max(1, Math.min(range.min, tpm));
  return { min, max: Math.max(min, Math.min(range.max, tpm)) };
}

export function secondsOf(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** Retry-After: at least 1 s, at most the window. */
export function retryAfterSeconds(ms: number): number {
  return Math.min(WINDOW_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
}

/** Cleans a subject's limits: non-negative integers, capped; NaN = unlimited. */
export function normalizeSubject(subject: RateSubject): RateSubject {
  const clean = (value: number) => (Number.isFinite(value) && value > 0 ? Math.min(MAX_RATE_LIMIT, Math.floor(value)) : 0);
  return { kind: subject.kind, id: subject.id, rpm: clean(subject.rpm), tpm: clean(subject.tpm) };
}

/** Drops repeated subjects (same kind and id) and cleans limits. */
export function normalizeSubjects(subjects: readonly RateSubject[]): RateSubject[] {
  const seen = new Set<string>();
  const out: RateSubject[] = [];
  for (const subject of subjects) {
    const key = `${subject.kind}:${subject.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(normalizeSubject(subject));
  }
  return out;
}

export function normalizeTokens(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? Math.floor(tokens) : 0;
}

/**
 * The X-RateLimit-* numbers of an admitted request: the RPM state of the subject with the
 * fewest requests left; when no subject limits RPM, the TPM state with the fewest tokens left.
 */
export function tightestState(states: readonly SubjectStates[]): RateLimitState | null {
  const pick = (candidates: RateLimitState[]) =>
    candidates.reduce<RateLimitState | null>(
      (best, state) =>
        best === null || state.remaining < best.remaining || (state.remaining === best.remaining && state.limit < best.limit) ? state : best,
      null,
    );
  return pick(states.flatMap((state) => (state.rpm ? [state.rpm] : []))) ?? pick(states.flatMap((state) => (state.tpm ? [state.tpm] : [])));
}

/** Of several refusals, the one that lasts longest: only then can every subject admit again. */
export function worstRefusal(refusals: readonly Refusal[]): Refusal | undefined {
  return refusals.reduce<Refusal | undefined>((worst, refusal) => (worst === undefined || refusal.retryMs > worst.retryMs ? refusal : worst), undefined);
}

export function refusedResult(subjects: readonly RateSubject[], refusal: Refusal): AdmitResult {
  return {
    allowed: false,
    retryAfterSeconds: retryAfterSeconds(refusal.retryMs),
    headers: refusal.state,
    reason: refusal.reason,
    subject: subjects[refusal.index]!,
  };
}

export function createReservation(id: string, subjects: readonly RateSubject[], amounts: readonly number[]): ReservationRecord {
  return { id, subjects, amounts, reservedTokens: amounts.reduce((max, amount) => Math.max(max, amount), 0), settled: false };
}

/** The record behind a reservation this module handed out; anything else is refused loudly. */
export function asRecord(reservation: TokenReservation): ReservationRecord {
  const record = reservation as Partial<ReservationRecord>;
  if (typeof record.id !== 'string' || !Array.isArray(record.amounts)) {
    throw new TypeError('settle() needs a reservation returned by admit() of the same limiter');
  }
  return reservation as ReservationRecord;
}
