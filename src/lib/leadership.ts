/**
 * Whether this instance is the leader: the one that runs the loops declared `needsLeader` (work
 * that two instances would do twice or fight over). Several H-MAS instances on one PostgreSQL
 * elect one (`db/leader-elector.ts`); an instance alone on its embedded database always leads.
 */
export interface Leadership {
  /** `embedded`: one process owns the database, so it always leads; `advisory-lock`: elected. */
  readonly election: 'embedded' | 'advisory-lock';
  isLeader(): boolean;
  /** When this instance last became the leader; null while it is not. */
  leaderSince(): Date | null;
  /** Called on every change, gained (true) or lost (false). Returns the unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
}

/** A leadership that starts trying at `start()` and lets go at `stop()`. */
export interface LeaderElector extends Leadership {
  start(): void;
  /** Gives leadership up (the next instance may take it) and closes what it holds. */
  stop(): Promise<void>;
}

/** The only process on its database (PGlite): the leader from the start, whatever happens. */
export function alwaysLeader(now: () => Date = () => new Date()): LeaderElector {
  const since = now();
  return {
    election: 'embedded',
    isLeader: () => true,
    leaderSince: () => since,
    onChange: () => () => undefined,
    start: () => undefined,
    stop: async () => undefined,
  };
}
