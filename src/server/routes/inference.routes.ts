import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway, OpenAiOperation } from '../../gateway/proxy/gateway.js';
import { GatewayError } from '../../gateway/gateway-error.js';
import type { ZodApp } from './route-types.js';

// Body-parsing failures, in OpenAI's error shape.
const PARSE_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than the gateway accepts.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_REQUEST', message: 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'INVALID_REQUEST', message: 'The content type of the body is not accepted.' },
};

function gatewayErrorHandler(gateway: Gateway) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const known = error.code ? PARSE_ERRORS[error.code] : undefined;
    if (status === 500) request.log.error({ err: error }, 'inference request failed before the gateway handled it');
    const failure =
      status === 500
        ? new GatewayError(500, 'INTERNAL_ERROR', `Internal gateway error. Quote the request id ${request.id} when you report it.`)
        : new GatewayError(status, known?.code ?? 'INVALID_REQUEST', known?.message ?? error.message);
    gateway.failEarly(request, reply, failure);
  };
}

/**
 * The inference gateway's routes. They do not use the control API's session hook or error
 * envelope (`access: 'public'`): the gateway resolves callers itself (API keys or session
 * tokens) and answers errors in OpenAI's shape. Each group is its own plugin scope with its own
 * body parsing: bodies arrive as raw bytes, and the gateway parses them once.
 *
 * - `ALL /api/inference/:name/*`: the rest of the path and the query go to deployment `name`'s
 *   runtime; bodies are read whole, up to the body limit, whatever their content type (OpenAI
 *   paths are parsed as JSON; runtime-native JSON bodies too, to bound and cap them).
 * - `POST /v1/chat/completions`, `/v1/completions`, `/v1/embeddings`: routed by the body's `model`
 *   (a deployment name, or a model name → a running deployment of it).
 * - `GET /v1/models`, `GET /v1/models/:model`: the deployments the caller may use.
 */
export function registerInferenceRoutes(app: ZodApp, deps: { gateway: Gateway; bodyLimitBytes: number }): void {
  const { gateway, bodyLimitBytes } = deps;
  const config = { access: 'public' as const };
  const schema = { hide: true };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));
    // Every other body is read whole too, under the same limit: OpenAI paths are JSON whatever
    // the content type says, and an unbounded stream would let any body size through.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler(gatewayErrorHandler(gateway));
    scope.all('/api/inference/:name/*', { schema, config }, async (request, reply) => {
      await gateway.proxyByName(request, reply);
    });
  });

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Whatever the content type says (`curl -d` sends a form type), the body is read as JSON.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler(gatewayErrorHandler(gateway));
    const operations: Array<[string, OpenAiOperation]> = [
      ['/v1/chat/completions', 'chat'],
      ['/v1/completions', 'completion'],
      ['/v1/embeddings', 'embedding'],
    ];
    for (const [url, operation] of operations) {
      scope.post(url, { schema, config }, async (request, reply) => {
        await gateway.proxyOpenAi(request, reply, operation);
      });
    }
    scope.get('/v1/models', { schema, config }, async (request, reply) => {
      await gateway.listModels(request, reply);
    });
    scope.get('/v1/models/:model', { schema, config }, async (request, reply) => {
      await gateway.listModels(request, reply, (request.params as { model: string }).model);
    });
  });
}

/** Whether a URL is served by the gateway routes (their own START/DONE lines replace Fastify's request lines). */
export function isInferenceUrl(url: string): boolean {
  return url.startsWith('/v1/') || url.startsWith('/api/inference/') || url === '/v1' || url.startsWith('/v1?');
}
