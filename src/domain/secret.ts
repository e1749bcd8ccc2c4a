import { z } from 'zod';
import { paginationQuerySchema } from './pagination.js';
import { secretNameSchema } from './secret-ref.js';

/** Named secrets: request and response shapes shared by the server, the web UI and the CLI. */

/** Longest value; Kubernetes allows 1 MiB per Secret, an environment value this much is plenty. */
export const MAX_SECRET_VALUE_LENGTH = 16_384;

// Values become one environment variable: NUL cannot be passed to exec. Line breaks are kept
// (a PEM key has them); they travel base64-encoded in manifests and never reach a log.
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const secretValueSchema = z
  .string()
  .min(1, 'The value must not be empty.')
  .max(MAX_SECRET_VALUE_LENGTH, `The value may have at most ${MAX_SECRET_VALUE_LENGTH} characters.`)
  .refine((value) => !NUL.test(value), 'The value must not contain NUL.')
  .describe('The secret value. Stored encrypted; no answer ever contains it.');

const descriptionSchema = z.string().trim().max(500, 'The description may have at most 500 characters.');

export const createSecretSchema = z
  .object({
    name: secretNameSchema,
    value: secretValueSchema,
    description: descriptionSchema.default('').describe('What the secret is for (never the value).'),
  })
  .strict();
export type CreateSecretInput = z.infer<typeof createSecretSchema>;

export const rotateSecretSchema = z.object({ value: secretValueSchema }).strict();
export type RotateSecretInput = z.infer<typeof rotateSecretSchema>;

export const secretParamsSchema = z.object({ name: secretNameSchema }).strict();

export const secretListQuerySchema = paginationQuerySchema.strict();

/** What the API says about a secret: everything but the value. */
export const secretSchema = z.object({
  name: z.string(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the value was last set (creation or rotation). */
  rotatedAt: z.string(),
  /** Username of who created it; null when that user is gone. */
  createdBy: z.string().nullable(),
  /** Names of the deployments whose settings refer to it. */
  usedBy: z.array(z.string()),
});
export type SecretView = z.infer<typeof secretSchema>;
