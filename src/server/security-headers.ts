import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { ZodApp } from './routes/route-types.js';
import { isInferenceUrl } from './routes/inference.routes.js';

type CspDirectives = Record<string, string[]>;

/**
 * The built UI is a Vite bundle: scripts and styles are files from this origin, nothing inline,
 * no eval, API calls to this origin only. Nothing may frame it (clickjacking).
 */
const UI_DIRECTIVES: CspDirectives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/** Swagger UI at /api/docs sets inline styles on the elements it renders; its scripts are files too. */
const DOCS_DIRECTIVES: CspDirectives = { ...UI_DIRECTIVES, 'style-src': ["'self'", "'unsafe-inline'"] };

function csp(directives: CspDirectives, https: boolean): FastifyHelmetOptions['contentSecurityPolicy'] {
  // Over plain HTTP (a LAN address) upgrading requests to https:// would break every asset.
  return { useDefaults: false, directives: https ? { ...directives, 'upgrade-insecure-requests': [] } : directives };
}

/**
 * Security headers for the UI and the control API (@fastify/helmet): CSP, frame-ancestors
 * 'none' and X-Frame-Options DENY, nosniff, Referrer-Policy no-referrer, and HSTS only when
 * H-MAS is served over HTTPS (`https`: HMAS_COOKIE_SECURE). The inference gateway's routes
 * (/v1, /api/inference) are left out: they answer JSON and SSE to API clients, write their
 * headers themselves, and helmet would cost work on every request of that hot path.
 */
export async function installSecurityHeaders(app: ZodApp, options: { https: boolean }): Promise<void> {
  // Runs before helmet's own onRoute hook, which turns `helmet` into the route's config.
  app.addHook('onRoute', (route) => {
    const url = route.url ?? '';
    if (isInferenceUrl(url)) route.helmet = false;
    else if (url.startsWith('/api/docs')) route.helmet = { contentSecurityPolicy: csp(DOCS_DIRECTIVES, options.https) };
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: csp(UI_DIRECTIVES, options.https),
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS over plain HTTP is ignored by browsers at best; over HTTPS, 180 days for this host only.
    strictTransportSecurity: options.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  });
}
