import { z } from 'zod';
import { rateLimitOverviewSchema, type RateLimitSubjectView } from '../../domain/rate-limit.js';
import type { RateLimiter, RateSubject } from '../../gateway/gateway-contracts.js';
import { resolveLimits, type LimitOverrides } from '../../gateway/rate-limit/effective-subjects.js';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { UserService } from '../../services/users/user-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

/** An API key as the overview needs it: its overrides (null = inherit). */
export interface RateLimitedKey {
  id: string;
  name: string;
  rpm: number | null;
  tpm: number | null;
}

export interface RateLimitRouteDeps {
  limiter: RateLimiter & { readonly backend: 'memory' | 'redis' };
  users: Pick<UserService, 'findRow'>;
  defaults: { rpm: number; tpm: number };
  /** The keys of a user that can make requests (not revoked). Absent = only the user is shown. */
  listKeysOf?: (userId: string) => Promise<RateLimitedKey[]>;
}

const querySchema = z
  .object({ userId: z.uuid('userId must be a UUID.').optional().describe("Whose limits (admins only; default: your own).") })
  .strict();

export function registerRateLimitRoutes(app: ZodApp, deps: RateLimitRouteDeps): void {
  const { limiter, users, defaults } = deps;

  async function readUsage(subject: RateSubject): Promise<RateLimitSubjectView['usage']> {
    try {
      return await limiter.usage(subject);
    } catch (error) {
      throw new AppError(
        'RATE_LIMITER_UNAVAILABLE',
        "The rate limiter's Redis cannot be reached, so current usage is unknown. Gateway requests meanwhile follow HMAS_RATE_LIMIT_FAILURE_MODE.",
        { statusCode: 503, headers: { 'retry-after': '1' }, cause: error },
      );
    }
  }

  app.get('/api/rate-limits', {
    schema: {
      tags: ['gateway'],
      summary: "Gateway rate limits: the defaults, and the limits and current usage of a user and each of their API keys.",
      querystring: querySchema,
      response: { 200: rateLimitOverviewSchema },
      description: 'Answers 503 RATE_LIMITER_UNAVAILABLE while the Redis that holds the usage cannot be reached.',
    },
    config: { access: 'viewer' },
    handler: async (request) => {
      const me = principalOf(request);
      const userId = request.query.userId ?? me.userId;
      if (userId !== me.userId && me.role !== 'admin') throw new ForbiddenError("Only admins may see other users' rate limits.");
      const user = await users.findRow(userId);
      if (!user) throw new NotFoundError('user', userId);
      const userOverrides: LimitOverrides = { rpm: user.rateLimitRpm, tpm: user.rateLimitTpm };
      const keys = deps.listKeysOf ? await deps.listKeysOf(userId) : [];

      const describe = async (kind: 'key' | 'user', id: string, name: string, key: LimitOverrides | null): Promise<RateLimitSubjectView> => {
        const limits = resolveLimits(key, userOverrides, defaults);
        const subject: RateSubject = { kind, id, rpm: limits.rpm, tpm: limits.tpm };
        return { kind, id, name, limits, usage: await readUsage(subject) };
      };
      const subjects = await Promise.all([
        describe('user', user.id, user.username, null),
        ...keys.map((key) => describe('key', key.id, key.name, { rpm: key.rpm, tpm: key.tpm })),
      ]);
      return { defaults: { rpm: defaults.rpm, tpm: defaults.tpm }, backend: limiter.backend, subjects };
    },
  });
}
