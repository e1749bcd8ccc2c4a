import { z } from 'zod';

/** An RPM or TPM limit: requests or tokens per minute, 0 = unlimited. */
export const rateLimitValueSchema = z
  .number()
  .int('Rate limits are whole numbers.')
  .min(0, 'Rate limits are 0 (unlimited) or more.')
  .max(1_000_000_000, 'Rate limits may be at most 1000000000.');

/** Where an effective limit comes from: the API key's override, the user's, or the server default. */
export const rateLimitSourceSchema = z.enum(['key', 'user', 'default']);
export type RateLimitSource = z.infer<typeof rateLimitSourceSchema>;

/** The X-RateLimit-* view of one dimension of one subject. */
export const rateLimitStateSchema = z.object({
  limit: z.number().int(),
  remaining: z.number().int(),
  /** Seconds until the bucket is full / the window is empty again. */
  resetSeconds: z.number().int(),
});
export type RateLimitStateView = z.infer<typeof rateLimitStateSchema>;

export const rateLimitSubjectSchema = z.object({
  kind: z.enum(['key', 'user']),
  id: z.string(),
  /** The username, or the API key's name. */
  name: z.string(),
  limits: z.object({
    rpm: z.number().int(),
    tpm: z.number().int(),
    source: z.object({ rpm: rateLimitSourceSchema, tpm: rateLimitSourceSchema }),
  }),
  /** null where that limit is 0 (unlimited). */
  usage: z.object({ rpm: rateLimitStateSchema.nullable(), tpm: rateLimitStateSchema.nullable() }),
});
export type RateLimitSubjectView = z.infer<typeof rateLimitSubjectSchema>;

/** GET /api/rate-limits */
export const rateLimitOverviewSchema = z.object({
  defaults: z.object({ rpm: z.number().int(), tpm: z.number().int() }),
  backend: z.enum(['memory', 'redis']),
  subjects: z.array(rateLimitSubjectSchema),
});
export type RateLimitOverview = z.infer<typeof rateLimitOverviewSchema>;
