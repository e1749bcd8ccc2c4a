import { z } from 'zod';
import { paginationQuerySchema } from './pagination.js';
import { timeFilterSchema } from './time-filter.js';
import { EVENT_TYPES } from './workload.js';

/**
 * One event of a deployment's workload as the database keeps it (`GET
 * /api/deployments/:id/events/history`): copied from the cluster every minute, one row per
 * distinct event (object, type, reason, message), `count` occurrences between `firstSeen` and
 * `lastSeen`.
 */
export const deploymentEventRecordSchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  /** The deployment's name when the event was copied (kept after it is deleted). */
  deploymentName: z.string(),
  cluster: z.string(),
  type: z.enum(EVENT_TYPES),
  reason: z.string(),
  message: z.string(),
  /** What the event is about: the workload, or one replica (its id). */
  involvedObject: z.object({ kind: z.string(), name: z.string() }),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type DeploymentEventRecord = z.infer<typeof deploymentEventRecordSchema>;

export const deploymentEventHistoryQuerySchema = paginationQuerySchema
  .extend({
    type: z.enum(EVENT_TYPES, { error: 'type must be Normal or Warning.' }).optional().describe('Only events of this type.'),
    from: timeFilterSchema.optional().describe('Events last seen at or after this time (ISO 8601).'),
    to: timeFilterSchema.optional().describe('Events last seen at or before this time (ISO 8601).'),
  })
  .strict()
  .refine((query) => !query.from || !query.to || new Date(query.from) <= new Date(query.to), { message: '"from" must not be after "to".', path: ['from'] });
export type DeploymentEventHistoryQuery = z.infer<typeof deploymentEventHistoryQuerySchema>;
