import { AppError } from '../lib/errors.js';

/** OpenAI's error `type` values, as the OpenAI SDKs and clients expect them. */
export type GatewayErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error';

export function defaultErrorType(status: number): GatewayErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** The body the OpenAI-compatible gateway answers errors with. */
export interface GatewayErrorBody {
  error: { message: string; type: GatewayErrorType; code: string; param: null };
}

/**
 * A refusal or failure of the inference gateway. The gateway renders it in OpenAI's shape
 * (`toBody()`), not the control API's envelope; being an AppError, it still maps to its status
 * and code if it ever reaches the control API's error handler.
 */
export class GatewayError extends AppError {
  readonly type: GatewayErrorType;

  constructor(status: number, code: string, message: string, options: { type?: GatewayErrorType; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(code, message, { statusCode: status, expose: true, ...(options.headers ? { headers: options.headers } : {}), ...(options.cause !== undefined ? { cause: options.cause } : {}) });
    this.type = options.type ?? defaultErrorType(status);
  }

  get status(): number {
    return this.statusCode;
  }

  toBody(): GatewayErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: null } };
  }
}
