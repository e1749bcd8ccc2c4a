/**
 * One error base for everything the API may answer on purpose. `expose` says whether the
 * message may be shown to the caller; unexposed errors answer a generic message.
 */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly expose: boolean;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; expose?: boolean; details?: unknown; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.expose = options.expose ?? this.statusCode < 500;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  /** A user error is the caller's doing: logged at info, not error. */
  get isUserError(): boolean {
    return this.statusCode < 500;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, { statusCode: 400, details });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in first: this needs a session cookie or an Authorization bearer token.', code = 'UNAUTHENTICATED') {
    super(code, message, { statusCode: 401 });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this action.') {
    super('FORBIDDEN', message, { statusCode: 403 });
  }
}

export class NotFoundError extends AppError {
  constructor(resource: string, id: string) {
    super(`${resource.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOT_FOUND`, `No ${resource} with id "${id}".`, { statusCode: 404 });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, { statusCode: 409, details });
  }
}

export class TooManyRequestsError extends AppError {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, message, { statusCode: 429, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}
