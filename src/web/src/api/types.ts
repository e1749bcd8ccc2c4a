// Wire types of the control API as the UI sees it. Entities come from the shared pure schemas in
// src/domain (type-only imports, so no zod reaches the bundle; ROLES is a plain constant); the
// few request bodies without an exported type are spelled out here.

import type { AuditEntry } from '../../../domain/audit';
import type { CreateUserInput, UpdateUserInput, User } from '../../../domain/user';

export { ROLES } from '../../../domain/roles';
export type { Role } from '../../../domain/roles';
export type { Page } from '../../../domain/pagination';
export type { User };

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  user: User;
}

export interface MeResponse {
  user: User;
}

export type CreateUserRequest = CreateUserInput;
export type UpdateUserRequest = UpdateUserInput;

export interface UpdateProfileRequest {
  displayName: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export type AuditLogEntry = AuditEntry;
export type AuditOutcome = AuditEntry['outcome'];

export interface AuditLogQuery {
  action?: string;
  actor?: string;
  /** ISO 8601 */
  from?: string;
  /** ISO 8601 */
  to?: string;
  limit: number;
  offset: number;
}

/** Actions the backend records today; the filter accepts any string. */
export const KNOWN_AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'user.create',
  'user.update',
  'user.delete',
  'user.profile_update',
  'user.password_change',
] as const;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** `{ error: { code, message, requestId, details? } }` */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    requestId?: string;
    details?: unknown;
  };
}
