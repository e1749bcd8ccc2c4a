import type { ZodApp } from './routes/route-types.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { sendError } from './error-handler.js';
import { isInferenceUrl } from './routes/inference.routes.js';

/** dist/web of this package, from both src/server (tsx) and dist/server (built). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>H-MAS</title>
<body style="font-family:system-ui;margin:3rem"><h1>H-MAS is running</h1>
<p>The web UI has not been built. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>The API answers under <a href="/api/docs">/api/docs</a>.</p></body>`;

/**
 * Serves the built React app. Unknown non-API GETs get index.html so client-side routes
 * (e.g. /settings/users) survive a reload; unknown API paths get a JSON 404.
 */
export async function installWebUi(app: ZodApp, webDir: string | undefined): Promise<void> {
  const root = path.resolve(webDir ?? DEFAULT_WEB_DIR);
  const built = existsSync(path.join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: ['index.html'], cacheControl: false, decorateReply: true });
  }

  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = url.startsWith('/api/') || url === '/api' || url === '/metrics' || isInferenceUrl(url);
    if (isApi || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return sendError(request, reply, { statusCode: 404, code: 'ROUTE_NOT_FOUND', message: `No route ${request.method} ${url}.` });
    }
    if (!built) return reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    // Hashed assets are immutable; index.html must be revalidated so new builds show up.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
}
