import { loopsViewSchema, type LoopsView } from '../../domain/loops.js';
import type { ZodApp } from './route-types.js';

export function registerSystemRoutes(app: ZodApp, deps: { loops: { view(): LoopsView } }): void {
  app.get('/api/system/loops', {
    schema: {
      tags: ['system'],
      summary: "This instance's background loops (runs, duration, failures, whether each runs here) and whether it is the leader.",
      response: { 200: loopsViewSchema },
    },
    // Internal state of the instance (error messages of the loops): admins only.
    config: { access: 'admin' },
    handler: async () => deps.loops.view(),
  });
}
