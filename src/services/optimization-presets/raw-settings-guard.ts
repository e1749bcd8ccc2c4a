import type { Raw } from '../../domain/optimization.js';
import { mayWriteRawSettings, RAW_SETTINGS_ADMIN_ONLY_MESSAGE } from '../../domain/raw-settings-policy.js';
import type { Role } from '../../domain/roles.js';
import { AppError } from '../../lib/errors.js';

/** 403 RAW_SETTINGS_ADMIN_ONLY unless `role` may turn raw settings `before` into `after` (see the domain policy). */
export function assertMayWriteRaw(role: Role, before: Raw | undefined, after: Raw | undefined): void {
  if (!mayWriteRawSettings(role, before, after)) throw new AppError('RAW_SETTINGS_ADMIN_ONLY', RAW_SETTINGS_ADMIN_ONLY_MESSAGE, { statusCode: 403 });
}
