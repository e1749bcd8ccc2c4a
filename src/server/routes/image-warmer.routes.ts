import { z } from 'zod';
import { clusterNameSchema } from '../../domain/cluster.js';
import { imageWarmerStatusSchema } from '../../domain/image-warmer.js';
import type { ImageWarmerService } from '../../services/clusters/image-warmer-service.js';
import type { ZodApp } from './route-types.js';

const nameParams = z.object({ name: clusterNameSchema }).strict();

/** The image warmer of a cluster, for the cluster page: read-only (the cluster's imagePrecache turns it on and off). */
export function registerImageWarmerRoutes(app: ZodApp, deps: { warmer: ImageWarmerService }): void {
  app.get('/api/clusters/:name/warmer', {
    schema: {
      tags: ['clusters'],
      summary: "The cluster's image warmer: the images it keeps pulled on every GPU node, how many nodes have them, the last sync and its error.",
      params: nameParams,
      response: { 200: imageWarmerStatusSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.warmer.status(request.params.name),
  });
}
