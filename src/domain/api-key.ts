import { z } from 'zod';
import { deploymentNameSchema } from './deployment.js';
import { paginationQuerySchema } from './pagination.js';

/** API keys for the inference gateway: request and response shapes shared by server and UI. */

/** Every H-MAS API key starts with this; it is how the gateway tells a key from a JWT. */
export const API_KEY_PREFIX = 'sk-hmas-';
/** Characters after the prefix: 32 random bytes written in base62 (62^43 > 2^256). */
export const API_KEY_BODY_LENGTH = 43;
/** Characters of the body kept in the stored display prefix (`sk-hmas-AbCd`). */
export const API_KEY_DISPLAY_CHARS = 4;
/** Non-revoked keys one user may hold. */
export const MAX_API_KEYS_PER_USER = 100;
/** Highest RPM/TPM a key may carry (fits the database's integer). */
export const MAX_KEY_LIMIT = 1_000_000_000;

/**
 * What a key may be used for: `inference` — the gateway (`/v1/*`, `/api/inference/*`);
 * `monitoring` — Prometheus service discovery (`GET /api/prometheus/sd`), read-only, for keys of
 * operators and admins. A key may hold both.
 */
export const API_KEY_SCOPES = ['inference', 'monitoring'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** Scopes only keys of this role or higher may hold (the routes they open need it too). */
export const SCOPE_MINIMUM_ROLE: Record<ApiKeyScope, 'viewer' | 'operator'> = { inference: 'viewer', monitoring: 'operator' };

/** Derived, never stored: revoked wins over inactive wins over expired. */
export const API_KEY_STATUSES = ['active', 'inactive', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

const WELL_FORMED = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_BODY_LENGTH}}$`);

/** True for anything presented as an H-MAS API key (it may still be malformed). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** True when `token` has exactly the shape H-MAS issues; others can be refused without a lookup. */
export function isWellFormedApiKey(token: string): boolean {
  return WELL_FORMED.test(token);
}

export function apiKeyStatus(key: { active: boolean; revokedAt: string | Date | null; expiresAt: string | Date | null }, now: Date): ApiKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (!key.active) return 'inactive';
  if (key.expiresAt !== null && new Date(key.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

const keyLimitSchema = z
  .number()
  .int('Use a whole number.')
  .min(0, 'Use 0 (unlimited) or more.')
  .max(MAX_KEY_LIMIT, `Use at most ${MAX_KEY_LIMIT}.`)
  .nullable();

const nameSchema = z.string().trim().min(1, 'Give the key a name.').max(100, 'Use at most 100 characters.');
const expiresAtSchema = z.iso
  .datetime({ offset: true, error: 'Use an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z.' })
  .nullable()
  .describe('When the key stops working (must be in the future); null = never.');
const allowedDeploymentsSchema = z
  .array(deploymentNameSchema)
  .max(100, 'List at most 100 deployments.')
  .describe('Deployment names this key may call; empty = all.');

export const apiKeySchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  username: z.string(),
  name: z.string(),
  /** `sk-hmas-` and the first characters of the key, for recognising it in lists. */
  keyPrefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  allowedDeployments: z.array(z.string()),
  /** null = inherit the user's limit, then the server default; 0 = unlimited. */
  rpm: z.number().int().nullable(),
  tpm: z.number().int().nullable(),
  active: z.boolean(),
  status: z.enum(API_KEY_STATUSES),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The answer to a create: the only time the plain key is ever shown. */
export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe('The plain key. Shown this once; H-MAS keeps only its SHA-256.'),
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const createApiKeySchema = z
  .object({
    name: nameSchema,
    expiresAt: expiresAtSchema.optional(),
    allowedDeployments: allowedDeploymentsSchema.optional(),
    rpm: keyLimitSchema.optional().describe('Requests per minute for this key; null = inherit, 0 = unlimited.'),
    tpm: keyLimitSchema.optional().describe('Tokens per minute for this key; null = inherit, 0 = unlimited.'),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1, 'Give at least one scope.')
      .max(API_KEY_SCOPES.length)
      .optional()
      .describe('What the key may do, fixed at creation (default ["inference"]): inference — the gateway; monitoring — Prometheus discovery, for operators and admins.'),
  })
  .strict();
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const updateApiKeySchema = z
  .object({
    name: nameSchema.optional(),
    expiresAt: expiresAtSchema.optional(),
    allowedDeployments: allowedDeploymentsSchema.optional(),
    rpm: keyLimitSchema.optional(),
    tpm: keyLimitSchema.optional(),
    active: z.boolean().optional().describe('false pauses the key; true resumes it. A revoked key stays revoked.'),
  })
  .strict();
export type UpdateApiKeyInput = z.infer<typeof updateApiKeySchema>;

export const listApiKeysQuerySchema = paginationQuerySchema
  .extend({
    userId: z.uuid('userId must be a user id (UUID).').optional().describe("Admins: only this user's keys. Others may give only their own id."),
  })
  .strict();
export type ListApiKeysQuery = z.infer<typeof listApiKeysQuerySchema>;
