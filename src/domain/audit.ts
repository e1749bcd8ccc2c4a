import { z } from 'zod';
import { timeFilterSchema } from './time-filter.js';
import { paginationQuerySchema } from './pagination.js';

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;

export const auditEntrySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  actorId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  statusCode: z.number().int(),
  clientIp: z.string().nullable(),
  requestId: z.string().nullable(),
  summary: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = paginationQuerySchema
  .extend({
    action: z.string().trim().max(100).optional().describe('Exact action, or a prefix ending in "." or "*" (e.g. "user.").'),
    actor: z.string().trim().max(100).optional().describe('Actor username.'),
    from: timeFilterSchema.optional().describe('Earliest time (ISO 8601), inclusive.'),
    to: timeFilterSchema.optional().describe('Latest time (ISO 8601), inclusive.'),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;
