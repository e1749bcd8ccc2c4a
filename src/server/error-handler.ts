import type { ZodApp } from './routes/route-types.js';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import type { ApiErrorBody } from '../domain/api-error.js';
import { defaultErrorType, type GatewayErrorBody } from '../gateway/gateway-error.js';
import { AppError } from '../lib/errors.js';
import { asDatabaseUnavailable } from '../lib/pg-errors.js';
import { isInferenceUrl } from './routes/inference.routes.js';

interface Mapped {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

// Fastify's own client errors, in words a person understands.
const FASTIFY_CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', message: 'The request says it carries JSON but the body is empty.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this server accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'The Content-Length header does not match the body.' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: 'The URL is malformed.' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'BAD_REQUEST', message: 'The request could not be routed.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', message: 'A path segment is longer than this server accepts.' },
};

function describeIssues(issues: Array<{ in?: string; path: string; message: string }>): string {
  const first = issues.slice(0, 3).map((issue) => `${issue.path === '' || issue.path === '/' ? (issue.in ?? 'body') : issue.path.replace(/^\//, '').replace(/\//g, '.')}: ${issue.message}`);
  return `Invalid request — ${first.map((text) => text.replace(/\.$/, '')).join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}.`;
}

export function mapError(error: unknown): Mapped {
  // Whatever failed because the database is unreachable (a query, a pool timeout): 503 with
  // Retry-After, so clients and load balancers retry. AppErrors already say what they mean.
  error = asDatabaseUnavailable(error);
  if (error instanceof AppError) {
    return {
      statusCode: error.statusCode,
      code: error.code,
      message: error.expose ? error.message : 'Internal server error.',
      ...(error.details !== undefined && error.expose ? { details: error.details } : {}),
      headers: error.headers,
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext;
    const issues = error.validation.map((issue) => ({ in: where, path: issue.instancePath, message: issue.message ?? 'invalid value' }));
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: describeIssues(issues), details: { issues } };
  }
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({ path: `/${issue.path.join('/')}`, message: issue.message }));
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: describeIssues(issues), details: { issues } };
  }
  const fastifyError = (error ?? {}) as Partial<FastifyError>;
  const known = fastifyError.code ? FASTIFY_CLIENT_ERRORS[fastifyError.code] : undefined;
  const statusCode = fastifyError.statusCode;
  if (known && statusCode && statusCode >= 400 && statusCode < 500) return { statusCode, ...known };
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return { statusCode, code: 'BAD_REQUEST', message: fastifyError.message ?? 'Bad request.' };
  }
  return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error. Quote the request id when you report it.' };
}

/** The error body: OpenAI's shape under the gateway's paths (OpenAI clients read it), the control API's envelope elsewhere. */
function errorBody(request: FastifyRequest, mapped: Mapped): ApiErrorBody | GatewayErrorBody {
  if (isInferenceUrl(request.url)) {
    return { error: { message: mapped.message, type: defaultErrorType(mapped.statusCode), code: mapped.code, param: null } };
  }
  return {
    error: {
      code: mapped.code,
      message: mapped.message,
      requestId: String(request.id),
      ...(mapped.details !== undefined ? { details: mapped.details } : {}),
    },
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, mapped: Mapped): FastifyReply {
  const body = errorBody(request, mapped);
  if (mapped.headers) reply.headers(mapped.headers);
  return reply.code(mapped.statusCode).type('application/json; charset=utf-8').send(body);
}

/** One handler for every error: AppError → its status, validation → 400, anything else → 500. */
export function installErrorHandler(app: ZodApp): void {
  // Router-level errors (bad percent-encoding, over-long segments) bypass hooks and the error
  // handler; they get the same envelope from the app's `frameworkErrors` option, set to this.
  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mapped.code, statusCode: mapped.statusCode }, 'request refused');
    return sendError(request, reply, mapped);
  });
}

/** For Fastify's `frameworkErrors` option: errors raised before routing, where no hook runs. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  void sendError(request, reply, mapError(error));
}
