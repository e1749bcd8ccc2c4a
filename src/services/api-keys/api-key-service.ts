import { randomUUID } from 'node:crypto';
import {
  apiKeyStatus,
  MAX_API_KEYS_PER_USER,
  SCOPE_MINIMUM_ROLE,
  type ApiKey,
  type ApiKeyScope,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type ListApiKeysQuery,
  type UpdateApiKeyInput,
} from '../../domain/api-key.js';
import type { Page } from '../../domain/pagination.js';
import { roleAtLeast, type Role } from '../../domain/roles.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { ApiKeyAuthRecord, ApiKeyRepo, ApiKeyWithOwner, NewApiKeyRow } from './api-key-repo.js';
import { generateApiKey, type NewApiKey } from './api-key-secret.js';

/** Who manages keys: everyone manages their own; admins may see and change anyone's. */
export interface ApiKeyActor {
  userId: string;
  username: string;
  role: Role;
}

/** Called with a key's id after a change that can alter what the key may do (update, revoke). */
export type ApiKeyChangeListener = (keyId: string) => void;

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const unique = <T>(items: readonly T[]) => [...new Set(items)];

export function toApiKey(row: ApiKeyWithOwner, now: Date): ApiKey {
  return {
    id: row.id,
    userId: row.userId,
    username: row.username,
    name: row.name,
    keyPrefix: row.keyPrefix,
    scopes: row.scopes,
    allowedDeployments: row.allowedDeployments,
    rpm: row.rpm,
    tpm: row.tpm,
    active: row.active,
    status: apiKeyStatus(row, now),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    revokedAt: iso(row.revokedAt),
  };
}

export function createApiKeyService(deps: { repo: ApiKeyRepo; now?: () => Date; generate?: () => NewApiKey; maxKeysPerUser?: number }) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());
  const generate = deps.generate ?? (() => generateApiKey());
  const maxKeys = deps.maxKeysPerUser ?? MAX_API_KEYS_PER_USER;
  const listeners = new Set<ApiKeyChangeListener>();
  // Revoked keys included: a user may have held many over time.
  const MAX_KEYS_LISTED_FOR_REMOVAL = 100_000;

  const emit = (keyId: string) => {
    for (const listener of listeners) {
      try {
        listener(keyId);
      } catch {
        // The change is committed; a failing listener must not turn it into an error answer.
      }
    }
  };

  /** A future expiry, or null. The schema checks the format; only here is "now" known. */
  const expiryOf = (value: string | null | undefined): Date | null | undefined => {
    if (value === undefined || value === null) return value;
    const at = new Date(value);
    if (at.getTime() <= now().getTime()) {
      throw new ValidationError('Invalid request — expiresAt: must be in the future.', {
        issues: [{ in: 'body', path: '/expiresAt', message: 'must be in the future' }],
      });
    }
    return at;
  };

  /** The key when the actor may see it; otherwise 404, so others' key ids reveal nothing. */
  async function visibleRow(actor: ApiKeyActor, id: string): Promise<ApiKeyWithOwner> {
    const row = await repo.findById(id);
    if (!row || (actor.role !== 'admin' && row.userId !== actor.userId)) throw new NotFoundError('API key', id);
    return row;
  }

  return {
    /** Creates a key for the actor. The answer carries the plain key: the only time it exists. */
    async create(actor: ApiKeyActor, input: CreateApiKeyInput): Promise<CreatedApiKey> {
      const scopes = unique<ApiKeyScope>(input.scopes ?? ['inference']);
      const beyond = scopes.find((scope) => !roleAtLeast(actor.role, SCOPE_MINIMUM_ROLE[scope]));
      if (beyond) throw new ForbiddenError(`A key with the ${beyond} scope needs the ${SCOPE_MINIMUM_ROLE[beyond]} role or higher; you are ${actor.role}.`);
      const expiresAt = expiryOf(input.expiresAt) ?? null;
      if ((await repo.countUnrevoked(actor.userId)) >= maxKeys) {
        throw new ConflictError('TOO_MANY_API_KEYS', `You already hold ${maxKeys} API keys that are not revoked; revoke one first.`);
      }
      const secret = generate();
      const row = await repo.insert({
        id: randomUUID(),
        userId: actor.userId,
        name: input.name,
        keySha256: secret.sha256,
        keyPrefix: secret.prefix,
        scopes,
        allowedDeployments: unique(input.allowedDeployments ?? []),
        rpm: input.rpm ?? null,
        tpm: input.tpm ?? null,
        expiresAt,
      });
      return { ...toApiKey({ ...row, username: actor.username }, now()), key: secret.key };
    },

    async list(actor: ApiKeyActor, query: ListApiKeysQuery): Promise<Page<ApiKey>> {
      if (actor.role !== 'admin' && query.userId !== undefined && query.userId !== actor.userId) {
        throw new ForbiddenError("Only admins may list other users' API keys.");
      }
      const userId = actor.role === 'admin' ? query.userId : actor.userId;
      const { rows, total } = await repo.list({ userId }, query.limit, query.offset);
      const at = now();
      return { items: rows.map((row) => toApiKey(row, at)), total, limit: query.limit, offset: query.offset };
    },

    async get(actor: ApiKeyActor, id: string): Promise<ApiKey> {
      return toApiKey(await visibleRow(actor, id), now());
    },

    /** Changes name, expiry, allowed deployments, limits or the active flag. A revoked key is final. */
    async update(actor: ApiKeyActor, id: string, input: UpdateApiKeyInput): Promise<ApiKey> {
      const current = await visibleRow(actor, id);
      if (current.revokedAt) throw new ConflictError('API_KEY_REVOKED', 'This API key is revoked and cannot be changed; create a new one.');
      const expiresAt = expiryOf(input.expiresAt);
      const changes: Partial<NewApiKeyRow> = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(input.allowedDeployments !== undefined ? { allowedDeployments: unique(input.allowedDeployments) } : {}),
        ...(input.rpm !== undefined ? { rpm: input.rpm } : {}),
        ...(input.tpm !== undefined ? { tpm: input.tpm } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
      };
      if (!(await repo.update(id, changes, now()))) throw new NotFoundError('API key', id);
      emit(id);
      return toApiKey(await visibleRow(actor, id), now());
    },

    /** Revokes a key for good; it stays listed as revoked. Revoking twice changes nothing. */
    async revoke(actor: ApiKeyActor, id: string): Promise<{ apiKey: ApiKey; alreadyRevoked: boolean }> {
      const current = await visibleRow(actor, id);
      const revokedNow = current.revokedAt === null && (await repo.revoke(id, now()));
      // Emitted even when the key was revoked already: a cache elsewhere may still hold it.
      emit(id);
      return { apiKey: toApiKey(revokedNow ? await visibleRow(actor, id) : current, now()), alreadyRevoked: !revokedNow };
    },

    /** The gateway's lookup by hash. */
    async findForAuth(sha256: string): Promise<ApiKeyAuthRecord | undefined> {
      return repo.findForAuth(sha256);
    },

    /** Records when keys were last used (called by the batching usage recorder). */
    async touchLastUsed(uses: ReadonlyArray<{ id: string; at: Date }>): Promise<void> {
      await repo.touchLastUsed(uses);
    },

    /**
     * Before a user is deleted (their keys go with them, by cascade): reads their key ids and
     * returns what announces those keys as changed once the deletion is committed, so caches
     * and per-key metrics drop them on every instance.
     */
    async ownerRemoval(userId: string): Promise<() => void> {
      const { rows } = await repo.list({ userId }, MAX_KEYS_LISTED_FOR_REMOVAL, 0);
      return () => {
        for (const row of rows) emit(row.id);
      };
    },

    /** Subscribes to key changes; returns the unsubscribe function. */
    onChange(listener: ApiKeyChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
