import { z } from 'zod';

/**
 * Which clusters a pass of a cluster loop covers. `shared`: the clusters any instance may act on
 * (reached over the network) — one instance, the leader, covers them. `owned`: the local cluster,
 * whose replicas only the instance owning it may touch — that instance covers it, leader or not.
 */
export type ClusterScope = 'shared' | 'owned';

/** One background loop of this instance: its declaration and how its runs went. */
export const loopStateSchema = z.object({
  name: z.string(),
  intervalMs: z.number().int(),
  needsLeader: z.boolean().describe('Runs only on the leader instance.'),
  touches: z.string().describe('What a run writes, in words.'),
  runningHere: z.boolean().describe('Whether the loop runs on the instance that answered (leader-only loops run on the leader only).'),
  lastRunAt: z.string().datetime().nullable().describe('When the last run on this instance started.'),
  lastDurationMs: z.number().nullable(),
  runs: z.number().int().describe('Runs on this instance since it started.'),
  errors: z.number().int().describe('Runs that failed, of `runs`.'),
  lastError: z.string().nullable().describe('Message of the last failed run.'),
  lastErrorAt: z.string().datetime().nullable(),
});
export type LoopState = z.infer<typeof loopStateSchema>;

/** The background loops of the instance that answered, and whether it leads. */
export const loopsViewSchema = z.object({
  leader: z.object({
    isLeader: z.boolean(),
    election: z.enum(['embedded', 'advisory-lock']).describe('`embedded`: alone on its embedded database, always the leader; `advisory-lock`: elected among the instances sharing PostgreSQL.'),
    since: z.string().datetime().nullable(),
  }),
  loops: z.array(loopStateSchema),
});
export type LoopsView = z.infer<typeof loopsViewSchema>;
