import { z } from 'zod';
import { renderRequestSchema, renderResultSchema, runtimeDescriptorSchema, type Optimization } from '../../domain/optimization.js';
import { AppError, ValidationError } from '../../lib/errors.js';
import { listRuntimes, requireRuntime } from '../../runtimes/index.js';
import type { OptimizationPresetService } from '../../services/optimization-presets/optimization-preset-service.js';
import type { ZodApp } from './route-types.js';

const runtimeParams = z
  .object({ runtime: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'The runtime id is lowercase letters, digits and "-", e.g. "vllm".') })
  .strict();

export function registerRuntimeRoutes(app: ZodApp, deps: { presets: OptimizationPresetService }): void {
  app.get('/api/runtimes', {
    schema: {
      tags: ['runtimes'],
      summary: 'Serving runtimes H-MAS can deploy, with their endpoints and the optimization knobs each one has per tier.',
      querystring: z.object({}).strict(),
      response: { 200: z.object({ items: z.array(runtimeDescriptorSchema) }) },
    },
    config: { access: 'viewer' },
    handler: async () => ({ items: listRuntimes().map((runtime) => runtime.describe()) }),
  });

  app.get('/api/runtimes/:runtime', {
    schema: { tags: ['runtimes'], summary: 'One serving runtime.', params: runtimeParams, response: { 200: runtimeDescriptorSchema } },
    config: { access: 'viewer' },
    handler: async (request) => requireRuntime(request.params.runtime).describe(),
  });

  // A preview: it changes nothing, so viewers may call it and it is not audited.
  app.post('/api/runtimes/:runtime/render', {
    schema: {
      tags: ['runtimes'],
      summary: 'Preview the command line and environment a runtime gets for some settings or a preset.',
      description:
        'Give `optimization` or `presetId` (or neither, for the defaults). Values the runtime refuses answer 400; knobs the runtime does not have come back in `warnings`.',
      params: runtimeParams,
      body: renderRequestSchema,
      response: { 200: renderResultSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => {
      const runtime = requireRuntime(request.params.runtime);
      const { presetId, context } = request.body;
      let optimization: Optimization = request.body.optimization ?? {};
      if (presetId !== undefined) {
        if (request.body.optimization !== undefined) {
          throw new ValidationError('Give either optimization or presetId, not both.', { issues: [{ path: '/presetId', message: 'given together with optimization' }] });
        }
        const preset = await deps.presets.get(presetId);
        if (preset.runtime !== runtime.id) {
          throw new AppError('PRESET_RUNTIME_MISMATCH', `The preset "${preset.name}" is for ${requireRuntime(preset.runtime).displayName}, not ${runtime.displayName}.`, {
            statusCode: 400,
          });
        }
        optimization = preset.optimization;
      }
      const rendered = runtime.render(optimization, context ?? { model: 'MODEL' });
      return { runtime: runtime.id, command: runtime.describe().command, ...rendered };
    },
  });
}
