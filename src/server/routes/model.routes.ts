import { z } from 'zod';
import {
  createModelSchema,
  fitQuerySchema,
  importHuggingFaceSchema,
  importQuerySchema,
  MODEL_CATEGORIES,
  modelDraftSchema,
  modelListQuerySchema,
  modelNameSchema,
  modelSchema,
  updateModelSchema,
} from '../../domain/model.js';
import { modelDownloadSchema } from '../../domain/model-download.js';
import { MODEL_PRESETS, modelPresetSchema } from '../../domain/model-presets.js';
import { pageSchema } from '../../domain/pagination.js';
import { FIT_DEFAULTS, fitResultSchema, recommendResources, resourceRecommendationSchema } from '../../domain/resource-fit.js';
import type { ModelFiles } from '../../services/models/model-download.js';
import type { ModelService } from '../../services/models/model-service.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();
const presetParams = z.object({ presetId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'A preset id is lower-case letters, digits, ".", "_" and "-".') }).strict();

const presetWithRecommendationSchema = modelPresetSchema.extend({ recommendation: resourceRecommendationSchema.nullable() });

/**
 * Model registry, Hugging Face import, preset catalog and resource fit.
 *
 *   GET    /api/models                          list (limit, offset, category, q)
 *   POST   /api/models                          register (hfRepoId or localPath)
 *   GET    /api/models/:id                      one
 *   PATCH  /api/models/:id                      change fields
 *   DELETE /api/models/:id                      unregister
 *   GET    /api/models/:id/fit                  GPUs needed and whether they fit
 *   POST   /api/models/import/huggingface       fill the fields from the Hub (?dryRun=true: preview only)
 *   POST   /api/models/:id/download             download a Hub GGUF file into the data dir (202, progress)
 *   GET    /api/models/:id/download             progress of that download
 *   GET    /api/model-presets                   the catalog
 *   POST   /api/model-presets/:presetId/add     register a catalog model in one call
 */
export function registerModelRoutes(app: ZodApp, deps: { models: ModelService; files: ModelFiles }): void {
  const { models, files } = deps;

  app.get('/api/models', {
    schema: { tags: ['models'], summary: 'List registered models.', querystring: modelListQuerySchema, response: { 200: pageSchema(modelSchema) } },
    config: { access: 'viewer' },
    handler: async (request) => models.list(request.query),
  });

  app.post('/api/models', {
    schema: {
      tags: ['models'],
      summary: 'Register a model: a Hugging Face repo (hfRepoId) or a GGUF file on the host (localPath, whose header fills the fields not given).',
      body: createModelSchema,
      response: { 201: modelSchema },
    },
    config: { access: 'operator', audit: { action: 'model.create', resourceType: 'model' } },
    handler: async (request, reply) => {
      const source = request.body.hfRepoId ? `Hugging Face ${request.body.hfRepoId}` : `local file ${request.body.localPath}`;
      request.auditNote.summary = `register model from ${source}`;
      const model = await models.create(request.body);
      request.auditNote.resourceId = model.id;
      request.auditNote.summary = `registered model ${model.name} from ${source}`;
      return reply.code(201).send(model);
    },
  });

  app.post('/api/models/import/huggingface', {
    schema: {
      tags: ['models'],
      summary: 'Import a model from the Hugging Face Hub (HF_ENDPOINT): fills category, size, display size, description, name, license, dtype and context length. With ?dryRun=true nothing is saved and the filled fields come back.',
      querystring: importQuerySchema,
      body: importHuggingFaceSchema,
      response: { 200: modelDraftSchema, 201: modelSchema },
    },
    config: { access: 'operator', audit: { action: 'model.import', resourceType: 'model' } },
    handler: async (request, reply) => {
      const { repoId, revision } = request.body;
      const what = `${repoId}${revision ? `@${revision}` : ''}`;
      request.auditNote.summary = `import ${what} from Hugging Face`;
      const { draft, model } = await models.importFromHuggingFace(request.body, { dryRun: request.query.dryRun });
      if (!model) {
        request.auditNote.summary = `previewed the import of ${what} (nothing saved)`;
        return reply.code(200).send(draft);
      }
      request.auditNote.resourceId = model.id;
      request.auditNote.summary = `imported ${what} from Hugging Face as ${model.name}`;
      return reply.code(201).send(model);
    },
  });

  app.get('/api/models/:id', {
    schema: { tags: ['models'], summary: 'One model, with its GPU recommendation for 80 GiB GPUs.', params: idParams, response: { 200: modelSchema } },
    config: { access: 'viewer' },
    handler: async (request) => models.get(request.params.id),
  });

  app.patch('/api/models/:id', {
    schema: { tags: ['models'], summary: 'Change a model: name, category, size, description, license, dtype, context, architecture, revision.', params: idParams, body: updateModelSchema, response: { 200: modelSchema } },
    config: { access: 'operator', audit: { action: 'model.update', resourceType: 'model' } },
    handler: async (request) => {
      const fields = Object.keys(request.body);
      request.auditNote.summary = `change ${fields.join(', ') || 'nothing'}`;
      const model = await models.update(request.params.id, request.body);
      request.auditNote.summary = `changed model ${model.name}: ${fields.join(', ') || 'nothing'}`;
      return model;
    },
  });

  app.delete('/api/models/:id', {
    schema: { tags: ['models'], summary: 'Unregister a model (its files are not touched).', params: idParams },
    config: { access: 'operator', audit: { action: 'model.delete', resourceType: 'model' } },
    handler: async (request, reply) => {
      const model = await models.remove(request.params.id);
      request.auditNote.summary = `unregistered model ${model.name}`;
      return reply.code(204).send();
    },
  });

  app.get('/api/models/:id/fit', {
    schema: {
      tags: ['models'],
      summary: 'GPUs one replica needs (weights + KV cache + overhead), its tensor-parallel size, and whether the replicas fit on the free GPUs given per node.',
      params: idParams,
      querystring: fitQuerySchema,
      response: { 200: fitResultSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => models.fit(request.params.id, request.query),
  });

  app.post('/api/models/:id/download', {
    schema: {
      tags: ['models'],
      summary:
        'Download the GGUF file of a Hugging Face model into the data directory, or join the download already running for it. 202 with the progress once the Hub answered; errors of the Hub (HF_FILE_NOT_FOUND, HF_ACCESS_DENIED, …) come back at once. A stopped download resumes from its partial file.',
      params: idParams,
      response: { 202: modelDownloadSchema },
    },
    config: { access: 'operator', audit: { action: 'model.download', resourceType: 'model' } },
    handler: async (request, reply) => {
      request.auditNote.resourceId = request.params.id;
      request.auditNote.summary = 'download the model file';
      const { model, download } = await files.start(request.params.id);
      request.auditNote.summary = `download ${download.repoId}/${download.file}@${download.revision} for model ${model.name}: ${download.state}`;
      return reply.code(202).send(download);
    },
  });

  app.get('/api/models/:id/download', {
    schema: {
      tags: ['models'],
      summary: 'Progress of the model file download: state (queued, downloading, verifying, done, failed), bytes, total, percent, speed, message. 404 MODEL_DOWNLOAD_NOT_FOUND when it never started.',
      params: idParams,
      response: { 200: modelDownloadSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => files.progress(request.params.id),
  });

  app.get('/api/model-presets', {
    schema: {
      tags: ['models'],
      summary: 'The preset catalog of current open models, each with its GPU recommendation for 80 GiB GPUs.',
      querystring: z.object({ category: z.enum(MODEL_CATEGORIES).optional() }).strict(),
      response: { 200: z.object({ items: z.array(presetWithRecommendationSchema) }) },
    },
    config: { access: 'viewer' },
    handler: async (request) => ({
      items: MODEL_PRESETS.filter((preset) => !request.query.category || preset.category === request.query.category).map((preset) => ({
        ...preset,
        recommendation: recommendResources(preset, { gpuMemoryGiB: FIT_DEFAULTS.gpuMemoryGiB }),
      })),
    }),
  });

  app.post('/api/model-presets/:presetId/add', {
    schema: {
      tags: ['models'],
      summary: 'Register a preset as a model in one call. Body: {} or { "name": "…" } to register it under another name.',
      params: presetParams,
      body: z.object({ name: modelNameSchema.optional() }).strict(),
      response: { 201: modelSchema },
    },
    config: { access: 'operator', audit: { action: 'model.create', resourceType: 'model' } },
    handler: async (request, reply) => {
      request.auditNote.summary = `add preset ${request.params.presetId}`;
      const model = await models.addPreset(request.params.presetId, { name: request.body.name });
      request.auditNote.resourceId = model.id;
      request.auditNote.summary = `added preset ${request.params.presetId} as model ${model.name}`;
      return reply.code(201).send(model);
    },
  });
}
