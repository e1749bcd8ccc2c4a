import { z } from 'zod';
import {
  createPresetSchema,
  optimizationPresetSchema,
  presetIdSchema,
  presetListQuerySchema,
  updatePresetSchema,
} from '../../domain/optimization.js';
import { pageSchema } from '../../domain/pagination.js';
import type { OptimizationPresetService } from '../../services/optimization-presets/optimization-preset-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: presetIdSchema }).strict();
const audit = (verb: string) => ({ action: `optimization_preset.${verb}`, resourceType: 'optimization_preset' });

export function registerOptimizationPresetRoutes(app: ZodApp, deps: { presets: OptimizationPresetService }): void {
  const { presets } = deps;

  app.get('/api/optimization-presets', {
    schema: {
      tags: ['optimization-presets'],
      summary: 'List optimization presets: built-in ones first (read-only), then your own.',
      querystring: presetListQuerySchema,
      response: { 200: pageSchema(optimizationPresetSchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => presets.list(request.query),
  });

  app.post('/api/optimization-presets', {
    schema: {
      tags: ['optimization-presets'],
      summary: 'Create an optimization preset for one runtime.',
      description: 'The settings are checked against the runtime: values it refuses and knobs it does not have are 400.',
      body: createPresetSchema,
      response: { 201: optimizationPresetSchema },
    },
    config: { access: 'operator', audit: audit('create') },
    handler: async (request, reply) => {
      const created = await presets.create(request.body, { role: principalOf(request).role });
      request.auditNote.resourceId = created.id;
      request.auditNote.summary = `created ${created.runtime} optimization preset ${created.name}`;
      return reply.code(201).send(created);
    },
  });

  app.get('/api/optimization-presets/:id', {
    schema: { tags: ['optimization-presets'], summary: 'One optimization preset (a UUID, or a built-in id such as builtin:vllm:balanced).', params: idParams, response: { 200: optimizationPresetSchema } },
    config: { access: 'viewer' },
    handler: async (request) => presets.get(request.params.id),
  });

  app.patch('/api/optimization-presets/:id', {
    schema: {
      tags: ['optimization-presets'],
      summary: 'Change an optimization preset; `optimization`, when given, replaces the settings whole. Built-in presets are 409.',
      params: idParams,
      body: updatePresetSchema,
      response: { 200: optimizationPresetSchema },
    },
    config: { access: 'operator', audit: audit('update') },
    handler: async (request) => {
      const fields = Object.keys(request.body);
      request.auditNote.summary = `changed ${fields.join(', ') || 'nothing'}`;
      const updated = await presets.update(request.params.id, request.body, { role: principalOf(request).role });
      request.auditNote.summary = `changed ${updated.runtime} optimization preset ${updated.name}: ${fields.join(', ') || 'nothing'}`;
      return updated;
    },
  });

  app.delete('/api/optimization-presets/:id', {
    schema: { tags: ['optimization-presets'], summary: 'Delete an optimization preset. Built-in presets are 409.', params: idParams },
    config: { access: 'operator', audit: audit('delete') },
    handler: async (request, reply) => {
      const removed = await presets.remove(request.params.id);
      request.auditNote.summary = `deleted ${removed.runtime} optimization preset ${removed.name}`;
      return reply.code(204).send();
    },
  });
}
