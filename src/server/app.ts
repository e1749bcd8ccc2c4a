import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { AuditService } from '../services/audit/audit-service.js';
import type { LoginThrottle } from '../services/auth/login-throttle.js';
import type { SessionRevocationService } from '../services/auth/session-revocation-service.js';
import type { TokenService } from '../services/auth/token-service.js';
import type { UserService } from '../services/users/user-service.js';
import { installAudit } from './audit-plugin.js';
import { installAuth, type ScopedApiKeyCheck } from './auth-plugin.js';
import { handleFrameworkError, installErrorHandler } from './error-handler.js';
import './fastify-types.js';
import { installSecurityHeaders } from './security-headers.js';
import { installTextGuard } from './text-guard.js';
import { originForm } from './request-target.js';
import { installHttpMetrics } from './http-metrics.js';
import { httpTimeoutOptions, type HttpTimeouts } from './http-timeouts.js';
import { installErrorResponseDocs } from './openapi-errors.js';
import { registerAuditLogRoutes } from './routes/audit-log.routes.js';
import { registerAuthRoutes } from './routes/auth.routes.js';
import { registerHealthRoutes } from './routes/health.routes.js';
import { isInferenceUrl } from './routes/inference.routes.js';
import type { ZodApp } from './routes/route-types.js';
import { registerUserRoutes } from './routes/user.routes.js';
import { installWebUi } from './web-ui.js';

export interface AppDeps {
  logger: Logger;
  database: DatabaseHandle;
  users: UserService;
  audit: AuditService;
  tokens: TokenService;
  /** Signed-out sessions: refused at once by the control API. */
  sessions: SessionRevocationService;
  loginThrottle: LoginThrottle;
  /** Checks API keys on the routes that take them (`config.apiKeyScope`); absent: those take sessions only. */
  apiKeys?: ScopedApiKeyCheck;
  metrics: Registry;
  options: {
    bodyLimitBytes: number;
    cookieSecure: boolean;
    /** Default: Node's and Fastify's own limits (tests that only inject() need none). */
    httpTimeouts?: HttpTimeouts;
    webDir: string | undefined;
    version: string;
  };
  isShuttingDown?: () => boolean;
  /** Feature route modules (clusters, models, …), registered after the foundation routes. */
  features?: Array<(app: ZodApp) => void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the HTTP app without listening, so tests can `inject()` or listen on any port. */
export async function createApp(deps: AppDeps): Promise<ZodApp> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.options.bodyLimitBytes,
    ...(deps.options.httpTimeouts ? httpTimeoutOptions(deps.options.httpTimeouts) : {}),
    // Gateway requests write their own START / first byte / DONE lines instead of Fastify's two.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: (request) => isInferenceUrl(request.url) }),
    requestIdHeader: false,
    // A caller-supplied request id is kept (tracing across services) when it is sane.
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors: handleFrameworkError,
    // An absolute-form target (`POST http://host/path`) is routed, logged and proxied by its path.
    rewriteUrl: (request) => originForm(request.url ?? '/'),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // The API speaks JSON only: anything else is 415, not a body that fails validation.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifyCookie);
  await installSecurityHeaders(app, { https: deps.options.cookieSecure });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'H-MAS control API', version: deps.options.version, description: 'Control plane for serving LLMs on GPU clusters.' },
      components: {
        securitySchemes: {
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'hmas_access' },
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ cookieAuth: [] }, { bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  // Audit first: its request hook must run even when authentication refuses the call.
  installAudit(app, { audit: deps.audit });
  installAuth(app, { tokens: deps.tokens, users: deps.users, sessions: deps.sessions, apiKeys: deps.apiKeys });
  installHttpMetrics(app, deps.metrics);
  installTextGuard(app);
  installErrorResponseDocs(app);

  registerHealthRoutes(app, { database: deps.database, metrics: deps.metrics, isShuttingDown: deps.isShuttingDown ?? (() => false) });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' }, handler: async () => app.swagger() });
  registerAuthRoutes(app, { users: deps.users, tokens: deps.tokens, sessions: deps.sessions, throttle: deps.loginThrottle, cookieSecure: deps.options.cookieSecure });
  registerUserRoutes(app, { users: deps.users });
  registerAuditLogRoutes(app, { audit: deps.audit });
  for (const registerFeature of deps.features ?? []) registerFeature(app);

  await installWebUi(app, deps.options.webDir);
  return app;
}
