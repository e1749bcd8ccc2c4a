import { z } from 'zod';
import { scrapeTargetGroupSchema } from '../../domain/scrape-targets.js';
import type { ScrapeTargets } from '../../services/monitoring/scrape-targets.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

/**
 * Prometheus HTTP service discovery (`http_sd_configs`): the replicas Prometheus scrapes, with
 * their labels. Read by operators and admins — signed in, or with an API key holding the
 * `monitoring` scope (`Authorization: Bearer sk-hmas-…`, what Prometheus sends), which lists only its
 * allowed deployments when it has some. docs/monitoring.md.
 */
export function registerPrometheusRoutes(app: ZodApp, deps: { targets: Pick<ScrapeTargets, 'list'> }): void {
  app.get('/api/prometheus/sd', {
    schema: {
      tags: ['monitoring'],
      summary: 'Prometheus HTTP service discovery: one target group per ready replica whose metrics Prometheus can read (an API key with the monitoring scope may read it).',
      querystring: z.object({}).strict(),
      response: { 200: z.array(scrapeTargetGroupSchema) },
    },
    config: { access: 'operator', apiKeyScope: 'monitoring' },
    handler: async (request) => {
      const groups = await deps.targets.list();
      // A key limited to some deployments sees their replicas only.
      const allowed = principalOf(request).allowedDeployments ?? [];
      return allowed.length === 0 ? groups : groups.filter((group) => allowed.includes(group.labels.deployment));
    },
  });
}
