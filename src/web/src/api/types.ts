// Wire types of the control API as the UI sees it. They mirror the backend contract; when the
// shared zod schemas in src/domain settle, these can become `z.infer<>` re-exports.

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

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

export interface CreateUserRequest {
  username: string;
  displayName?: string;
  role: Role;
  password: string;
}

export interface UpdateUserRequest {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

export interface UpdateProfileRequest {
  displayName: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditLogEntry {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorUsername: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: AuditOutcome;
  statusCode: number | null;
  clientIp: string | null;
  requestId: string | null;
  summary: string | null;
}

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
