import { z } from 'zod';
import { paginationQuerySchema } from './pagination.js';
import { timeFilterSchema } from './time-filter.js';

export const INFERENCE_AUTH_METHODS = ['api_key', 'jwt'] as const;

/** One request answered by the inference gateway, as `GET /api/inference-logs` lists it. */
export const inferenceLogEntrySchema = z.object({
  id: z.string(),
  requestId: z.string(),
  /** When the answer ended (ISO 8601). */
  createdAt: z.string(),
  /** When the request arrived. */
  startedAt: z.string(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  authMethod: z.enum(INFERENCE_AUTH_METHODS).nullable(),
  apiKeyId: z.string().nullable(),
  deploymentId: z.string().nullable(),
  deploymentName: z.string().nullable(),
  modelName: z.string().nullable(),
  clusterName: z.string().nullable(),
  method: z.string(),
  /** The path as called, without its query string. */
  path: z.string(),
  statusCode: z.number().int(),
  streaming: z.boolean(),
  /** Milliseconds to the first byte of the upstream answer; null when none came. */
  ttfbMs: z.number().nullable(),
  durationMs: z.number(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  totalTokens: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
});
export type InferenceLogEntryView = z.infer<typeof inferenceLogEntrySchema>;

export const inferenceLogQuerySchema = paginationQuerySchema
  .extend({
    deployment: z.string().trim().min(1).max(253).optional().describe('Deployment name (exact).'),
    user: z.string().trim().min(1).max(100).optional().describe('Username, or user id (UUID).'),
    statusCode: z.coerce.number().int().min(100).max(599).optional().describe('HTTP status code (exact).'),
    from: timeFilterSchema.optional().describe('Earliest end time (ISO 8601), inclusive.'),
    to: timeFilterSchema.optional().describe('Latest end time (ISO 8601), inclusive.'),
  })
  .strict()
  .refine((query) => !query.from || !query.to || new Date(query.from) <= new Date(query.to), { message: '"from" must not be after "to".', path: ['from'] });
export type InferenceLogQuery = z.infer<typeof inferenceLogQuerySchema>;
