import type { Page } from '../../domain/pagination.js';
import type { CreateSecretInput, SecretView } from '../../domain/secret.js';
import { plainSecretIssues, secretRefsOf, type EnvValue } from '../../domain/secret-ref.js';
import { AppError, ConflictError } from '../../lib/errors.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { SecretReferrer, SecretRepo, SecretWithCreator } from './secret-repo.js';

function notFound(name: string): AppError {
  return new AppError('SECRET_NOT_FOUND', `No secret named "${name}".`, { statusCode: 404 });
}

function usersOf(name: string, referrers: readonly SecretReferrer[]): SecretReferrer[] {
  return referrers.filter((referrer) => secretRefsOf(referrer.extraEnv).includes(name));
}

function toView(row: SecretWithCreator, referrers: readonly SecretReferrer[]): SecretView {
  return {
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    rotatedAt: row.rotatedAt.toISOString(),
    createdBy: row.createdByUsername,
    usedBy: usersOf(row.name, referrers)
      .filter((referrer) => referrer.kind === 'deployment')
      .map((referrer) => referrer.name),
  };
}

/**
 * Named secrets. Values are sealed with the credential key before they reach the database and
 * are opened only by `resolve`, which the cluster drivers call when a replica starts; no answer,
 * log line or audit entry carries them.
 */
export function createSecretService(deps: { repo: SecretRepo; secretBox: SecretBox; now?: () => Date }) {
  const { repo, secretBox } = deps;
  const now = deps.now ?? (() => new Date());

  async function requireRow(name: string): Promise<SecretWithCreator> {
    const row = await repo.find(name);
    if (!row) throw notFound(name);
    return row;
  }

  return {
    async list(limit: number, offset: number): Promise<Page<SecretView>> {
      const [{ rows, total }, referrers] = await Promise.all([repo.list(limit, offset), repo.referrers()]);
      return { items: rows.map((row) => toView(row, referrers)), total, limit, offset };
    },

    async get(name: string): Promise<SecretView> {
      const [row, referrers] = await Promise.all([requireRow(name), repo.referrers()]);
      return toView(row, referrers);
    },

    async create(input: CreateSecretInput, actorId: string | null): Promise<SecretView> {
      const at = now();
      try {
        await repo.insert({ name: input.name, description: input.description, valueSealed: secretBox.seal(input.value), createdBy: actorId, createdAt: at, updatedAt: at, rotatedAt: at });
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw new ConflictError('SECRET_NAME_TAKEN', `A secret named "${input.name}" already exists; rotate it to change its value.`);
        throw error;
      }
      return this.get(input.name);
    },

    /** A new value; replicas get it when they next start (see docs/secrets.md). */
    async rotate(name: string, value: string): Promise<SecretView> {
      if (!(await repo.setValue(name, secretBox.seal(value), now()))) throw notFound(name);
      return this.get(name);
    },

    /** Refused with 409 SECRET_IN_USE while a deployment or preset refers to it. */
    async remove(name: string): Promise<SecretView> {
      const [row, referrers] = await Promise.all([requireRow(name), repo.referrers()]);
      const users = usersOf(name, referrers).map((referrer) => `${referrer.kind} "${referrer.name}"`);
      if (users.length > 0) {
        const shown = `${users.slice(0, 5).join(', ')}${users.length > 5 ? ` and ${users.length - 5} more` : ''}`;
        throw new ConflictError('SECRET_IN_USE', `The secret "${name}" is in use by ${shown}; change their settings first.`, { usedBy: users });
      }
      const view = toView(row, referrers);
      if (!(await repo.remove(name))) throw notFound(name);
      return view;
    },

    /** The plain value for a replica's environment; undefined when there is no such secret. */
    async resolve(name: string): Promise<string | undefined> {
      const sealed = await repo.sealedValue(name);
      return sealed === undefined ? undefined : secretBox.open(sealed);
    },

    /**
     * Checks the environment of settings someone is saving: secret-looking names with plain
     * values are refused (400 SECRET_VALUE_IN_SETTINGS), references must name existing secrets
     * (400 SECRET_NOT_FOUND). `pathPrefix` places the issues in the request body.
     */
    async checkSettings(extraEnv: Readonly<Record<string, EnvValue>> | undefined, pathPrefix = '/optimization'): Promise<void> {
      const plain = plainSecretIssues(extraEnv);
      if (plain.length > 0) {
        const more = plain.length > 1 ? ` (and ${plain.length - 1} more variable(s) like it: see details.issues)` : '';
        throw new AppError('SECRET_VALUE_IN_SETTINGS', `${plain[0]!.message}${more}`, {
          statusCode: 400,
          details: { issues: plain.map((issue) => ({ ...issue, path: `${pathPrefix}${issue.path}` })) },
        });
      }
      const wanted = secretRefsOf(extraEnv);
      const existing = await repo.existing(wanted);
      const missing = wanted.filter((name) => !existing.has(name));
      if (missing.length > 0) {
        const issues = Object.entries(extraEnv ?? {})
          .filter(([, value]) => typeof value === 'object' && missing.includes(value.secretRef))
          .map(([variable, value]) => ({ path: `${pathPrefix}/raw/extraEnv/${variable}/secretRef`, message: `No secret named "${(value as { secretRef: string }).secretRef}".` }));
        throw new AppError('SECRET_NOT_FOUND', `No secret named ${missing.map((name) => `"${name}"`).join(', ')}: create it first (POST /api/secrets or "hmas secret create").`, {
          statusCode: 400,
          details: { issues, missing },
        });
      }
    },
  };
}

export type SecretService = ReturnType<typeof createSecretService>;
