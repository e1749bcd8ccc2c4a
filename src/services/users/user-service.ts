import { randomUUID } from 'node:crypto';
import type { CreateUserInput, UpdateUserInput, User } from '../../domain/user.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import { generatePassword, hashPassword, verifyPassword } from '../../lib/password.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { Page } from '../../domain/pagination.js';
import type { UserRepo, UserRow } from './user-repo.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastLoginAt: row.lastLoginAt ? row.lastLoginAt.toISOString() : null,
    rateLimitRpm: row.rateLimitRpm,
    rateLimitTpm: row.rateLimitTpm,
  };
}


// Compared against when the username does not exist, so a wrong username takes as long as a
// wrong password and response times do not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

export function createUserService(deps: {
  repo: UserRepo;
  now?: () => Date;
  /** Called before a user is deleted; what it returns runs once the deletion is committed (their API keys are announced gone). */
  onRemove?: (userId: string) => Promise<() => void>;
}) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());

  async function requireRow(id: string): Promise<UserRow> {
    const row = await repo.findById(id);
    if (!row) throw new NotFoundError('user', id);
    return row;
  }

  return {
    async get(id: string): Promise<User> {
      return toUser(await requireRow(id));
    },

    async findRow(id: string): Promise<UserRow | undefined> {
      return repo.findById(id);
    },

    async list(limit: number, offset: number): Promise<Page<User>> {
      const { rows, total } = await repo.list(limit, offset);
      return { items: rows.map(toUser), total, limit, offset };
    },

    async create(input: CreateUserInput): Promise<User> {
      const passwordHash = await hashPassword(input.password);
      try {
        const row = await repo.insert({
          id: randomUUID(),
          username: input.username,
          displayName: input.displayName ?? input.username,
          role: input.role,
          passwordHash,
          disabled: input.disabled ?? false,
        });
        return toUser(row);
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw new ConflictError('USERNAME_TAKEN', `The username "${input.username}" is already taken.`);
        throw error;
      }
    },

    /** Admin edit. Refuses to leave the system without an active admin. */
    async update(id: string, input: UpdateUserInput): Promise<User> {
      const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
      const row = await repo.db.transaction(async (tx) => {
        const current = await repo.findById(id, tx);
        if (!current) throw new NotFoundError('user', id);
        const losesAdmin =
          current.role === 'admin' && !current.disabled && ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
        if (losesAdmin) await assertNotLastAdmin(tx, id);
        const revokesSessions = passwordHash !== undefined || (input.disabled === true && !current.disabled) || (input.role !== undefined && input.role !== current.role);
        return repo.update(
          id,
          {
            ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
            ...(input.role !== undefined ? { role: input.role } : {}),
            ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
            ...(passwordHash !== undefined ? { passwordHash } : {}),
            ...(input.rateLimitRpm !== undefined ? { rateLimitRpm: input.rateLimitRpm } : {}),
            ...(input.rateLimitTpm !== undefined ? { rateLimitTpm: input.rateLimitTpm } : {}),
            ...(revokesSessions ? { sessionVersion: current.sessionVersion + 1 } : {}),
          },
          tx,
        );
      });
      if (!row) throw new NotFoundError('user', id);
      return toUser(row);
    },

    async remove(id: string, actorId: string): Promise<void> {
      if (id === actorId) throw new ConflictError('CANNOT_DELETE_SELF', 'You cannot delete your own account; ask another admin.');
      const removed = await deps.onRemove?.(id);
      await repo.db.transaction(async (tx) => {
        const current = await repo.findById(id, tx);
        if (!current) throw new NotFoundError('user', id);
        if (current.role === 'admin' && !current.disabled) await assertNotLastAdmin(tx, id);
        await repo.remove(id, tx);
      });
      removed?.();
    },

    async updateProfile(id: string, displayName: string): Promise<User> {
      const row = await repo.update(id, { displayName });
      if (!row) throw new NotFoundError('user', id);
      return toUser(row);
    },

    async changeOwnPassword(id: string, currentPassword: string, newPassword: string): Promise<void> {
      const row = await requireRow(id);
      if (!(await verifyPassword(currentPassword, row.passwordHash))) {
        throw new AppError('INVALID_CURRENT_PASSWORD', 'The current password is not correct.', { statusCode: 400 });
      }
      await repo.update(id, { passwordHash: await hashPassword(newPassword), sessionVersion: row.sessionVersion + 1 });
    },

    /** Checks a username and password. Returns the user row, or undefined for any mismatch. */
    async verifyCredentials(username: string, password: string): Promise<UserRow | undefined> {
      const row = await repo.findByUsername(username);
      if (!row) {
        dummyHash ??= hashPassword(generatePassword());
        await verifyPassword(password, await dummyHash);
        return undefined;
      }
      const ok = await verifyPassword(password, row.passwordHash);
      return ok && !row.disabled ? row : undefined;
    },

    async recordLogin(id: string): Promise<void> {
      await repo.recordLogin(id, now());
    },

    /**
     * First start: create `admin` when there are no users. Returns the password when it was
     * generated, so the caller can print it once.
     */
    async ensureInitialAdmin(password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
      if ((await repo.count()) > 0) return { created: false };
      const generatedPassword = password ? undefined : generatePassword();
      try {
        await this.create({ username: 'admin', displayName: 'Administrator', role: 'admin', password: password ?? generatedPassword! });
      } catch (error) {
        // Another instance created it at the same moment.
        if (error instanceof ConflictError) return { created: false };
        throw error;
      }
      return generatedPassword ? { created: true, generatedPassword } : { created: true };
    },
  };

  async function assertNotLastAdmin(tx: Parameters<UserRepo['lockActiveAdminIds']>[0], id: string): Promise<void> {
    const admins = await repo.lockActiveAdminIds(tx);
    if (admins.length === 1 && admins[0] === id) {
      throw new ConflictError('LAST_ADMIN', 'This is the last active admin; make another user admin first.');
    }
  }
}

export type UserService = ReturnType<typeof createUserService>;
