import { hasPgCode, isStillReferenced, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  displaySizeFor,
  modelNameSchema,
  sizeBFromParameters,
  type CreateModelInput,
  type FitQuery,
  type ImportHuggingFaceInput,
  type Model,
  type ModelCategory,
  type ModelDraft,
  type ModelListQuery,
  type UpdateModelInput,
} from '../../domain/model.js';
import { findModelPreset, modelBodyFromPreset } from '../../domain/model-presets.js';
import type { Page } from '../../domain/pagination.js';
import { checkFit, FIT_DEFAULTS, recommendResources, type FitResult } from '../../domain/resource-fit.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import { readGgufFile, readGgufHeader, summarizeGguf, type GgufSummary } from './gguf-reader.js';
import { HfError, type HfClient } from './hf-client.js';
import { buildDraft, chooseGgufFile, detectFormat, ggufFiles, synthesizeDescription } from './hf-import.js';
import type { ModelRepo, ModelRow, NewModelRow } from './model-repo.js';


export function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    format: row.format,
    source: row.source,
    hfRepoId: row.hfRepoId,
    revision: row.revision,
    hfFile: row.hfFile,
    localPath: row.localPath,
    category: row.category,
    sizeB: row.sizeB,
    parameterCount: row.parameterCount,
    displaySize: row.displaySize,
    description: row.description,
    license: row.license,
    dtype: row.dtype,
    contextLength: row.contextLength,
    architecture: row.architecture,
    weightBytes: row.weightBytes,
    presetId: row.presetId,
    recommendation: recommendResources(row, { gpuMemoryGiB: FIT_DEFAULTS.gpuMemoryGiB }),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// Architectures of GGUF files that embed rather than generate (llama.cpp's names).
const GGUF_EMBEDDING_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 't5encoder', 'modern-bert']);

function nameFromFile(filePath: string): string {
  const base = path.basename(filePath).replace(/\.gguf$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return modelNameSchema.safeParse(cleaned).success ? cleaned : 'local-model';
}

export interface ModelServiceDeps {
  repo: ModelRepo;
  hf: HfClient;
}

export function createModelService(deps: ModelServiceDeps) {
  const { repo, hf } = deps;

  async function requireRow(id: string): Promise<ModelRow> {
    const row = await repo.findById(id);
    if (!row) throw new NotFoundError('model', id);
    return row;
  }

  async function insert(row: Omit<NewModelRow, 'id'>): Promise<Model> {
    try {
      return toModel(await repo.insert({ ...row, id: randomUUID() }));
    } catch (error) {
      if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw nameTaken(row.name);
      throw error;
    }
  }

  function nameTaken(name: string): ConflictError {
    return new ConflictError('MODEL_EXISTS', `A model named "${name}" is already registered; choose another name.`);
  }

  /** Stats and reads the header of a GGUF file on this host; refusals are the caller's (400). */
  async function inspectLocalFile(localPath: string): Promise<GgufSummary> {
    try {
      const info = await stat(localPath);
      if (!info.isFile()) throw new AppError('MODEL_FILE_NOT_FOUND', `${localPath} is not a regular file.`, { statusCode: 400 });
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM') throw new AppError('MODEL_FILE_UNREADABLE', `H-MAS may not read ${localPath}.`, { statusCode: 400 });
      throw new AppError('MODEL_FILE_NOT_FOUND', `There is no file ${localPath} on the H-MAS host.`, { statusCode: 400 });
    }
    try {
      return (await readGgufFile(localPath)).summary;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM') throw new AppError('MODEL_FILE_UNREADABLE', `H-MAS may not read ${localPath}.`, { statusCode: 400 });
      throw error;
    }
  }

  async function createFromLocalFile(input: CreateModelInput & { localPath: string }): Promise<Model> {
    const summary = await inspectLocalFile(input.localPath);
    const name = input.name ?? nameFromFile(input.localPath);
    const parameterCount = input.parameterCount ?? summary.parameterCount;
    const sizeB = input.sizeB ?? (parameterCount ? sizeBFromParameters(parameterCount) : null);
    const category: ModelCategory =
      input.category ?? (summary.architecture && GGUF_EMBEDDING_ARCHITECTURES.has(summary.architecture) ? 'Embedding' : /(^|[-_.])(coder|code)([-_.]|$)/i.test(name) ? 'Code' : 'LLM');
    const dtype = input.dtype ?? summary.quantization;
    const contextLength = input.contextLength ?? summary.contextLength;
    const license = input.license ?? summary.license;
    const displaySize = input.displaySize ?? displaySizeFor(sizeB, summary.name ?? name);
    const architecture = input.architecture ?? {
      name: summary.architecture,
      numLayers: summary.numLayers,
      numAttentionHeads: summary.numAttentionHeads,
      numKeyValueHeads: summary.numKeyValueHeads,
      headDim: summary.headDim !== null && Number.isInteger(summary.headDim) ? summary.headDim : null,
      hiddenSize: summary.hiddenSize,
      kvLatentDim: null,
    };
    const description =
      input.description ??
      synthesizeDescription({
        name: summary.name ?? name,
        author: null,
        category,
        pipeline: null,
        displaySize,
        architecture: summary.architecture,
        format: 'gguf',
        dtype,
        hfFile: path.basename(input.localPath),
        contextLength,
        license,
        gated: false,
      });
    return insert({
      name,
      format: 'gguf',
      source: 'local',
      localPath: input.localPath,
      category,
      sizeB,
      parameterCount,
      displaySize,
      description,
      license,
      dtype,
      contextLength,
      architecture,
      weightBytes: summary.weightBytes,
      presetId: input.presetId ?? null,
    });
  }

  async function createFromHub(input: CreateModelInput & { hfRepoId: string }, extra: { weightBytes?: number | null } = {}): Promise<Model> {
    const name = input.name ?? input.hfRepoId.split('/')[1]!;
    if (!modelNameSchema.safeParse(name).success) {
      throw new AppError('VALIDATION_FAILED', `"${name}" is not a valid model name; give one in "name".`, { statusCode: 400 });
    }
    const sizeB = input.sizeB ?? (input.parameterCount ? sizeBFromParameters(input.parameterCount) : null);
    return insert({
      name,
      format: input.format ?? (input.hfFile || /-gguf$/i.test(input.hfRepoId) ? 'gguf' : 'safetensors'),
      source: 'huggingface',
      hfRepoId: input.hfRepoId,
      revision: input.revision ?? 'main',
      hfFile: input.hfFile ?? null,
      category: input.category ?? 'LLM',
      sizeB,
      parameterCount: input.parameterCount ?? null,
      displaySize: input.displaySize ?? displaySizeFor(sizeB, input.hfRepoId.split('/')[1]),
      description: input.description ?? '',
      license: input.license ?? null,
      dtype: input.dtype ?? null,
      contextLength: input.contextLength ?? null,
      architecture: input.architecture ?? null,
      weightBytes: extra.weightBytes ?? null,
      presetId: input.presetId ?? null,
    });
  }

  /** Reads the chosen GGUF file's header over HTTP ranges; failures other than access are notes. */
  async function readRemoteGguf(repoId: string, revision: string, file: string, notes: string[]): Promise<GgufSummary | null> {
    try {
      return summarizeGguf(await readGgufHeader(hf.openFile(repoId, revision, file), { maxArrayValues: 16 }));
    } catch (error) {
      if (error instanceof HfError && (error.code === 'HF_ACCESS_DENIED' || error.code === 'HF_UNREACHABLE')) throw error;
      notes.push(`Could not read the GGUF header of ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  return {
    async list(query: ModelListQuery): Promise<Page<Model>> {
      const { rows, total } = await repo.list(query);
      return { items: rows.map(toModel), total, limit: query.limit, offset: query.offset };
    },

    async get(id: string): Promise<Model> {
      return toModel(await requireRow(id));
    },

    async create(input: CreateModelInput): Promise<Model> {
      if (input.name && (await repo.findByName(input.name))) throw nameTaken(input.name);
      if (input.localPath !== undefined) return createFromLocalFile({ ...input, localPath: input.localPath });
      return createFromHub({ ...input, hfRepoId: input.hfRepoId! });
    },

    async update(id: string, input: UpdateModelInput): Promise<Model> {
      const current = await requireRow(id);
      if (current.source === 'local' && (input.revision !== undefined || input.hfFile !== undefined)) {
        throw new AppError('MODEL_SOURCE_MISMATCH', 'revision and hfFile apply to Hugging Face models; this one is a local file.', { statusCode: 400 });
      }
      const changes: Partial<NewModelRow> = {};
      for (const key of ['name', 'category', 'description', 'license', 'dtype', 'contextLength', 'architecture', 'revision', 'hfFile', 'displaySize'] as const) {
        if (input[key] !== undefined) (changes as Record<string, unknown>)[key] = input[key];
      }
      if (input.parameterCount !== undefined) {
        changes.parameterCount = input.parameterCount;
        changes.sizeB = input.sizeB ?? (input.parameterCount ? sizeBFromParameters(input.parameterCount) : null);
      } else if (input.sizeB !== undefined) {
        // A new size by hand replaces the exact count it no longer matches.
        changes.sizeB = input.sizeB;
        changes.parameterCount = null;
        changes.weightBytes = null;
      }
      if (input.displaySize === undefined && (changes.sizeB !== undefined || changes.name !== undefined)) {
        const sizeB = changes.sizeB !== undefined ? changes.sizeB : current.sizeB;
        changes.displaySize = displaySizeFor(sizeB, current.hfRepoId?.split('/')[1] ?? changes.name ?? current.name);
      }
      if (input.name && input.name.toLowerCase() !== current.name.toLowerCase() && (await repo.findByName(input.name))) throw nameTaken(input.name);
      try {
        const row = await repo.update(id, changes);
        if (!row) throw new NotFoundError('model', id);
        return toModel(row);
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw nameTaken(input.name ?? current.name);
        throw error;
      }
    },

    async remove(id: string): Promise<Model> {
      try {
        const row = await repo.remove(id);
        if (!row) throw new NotFoundError('model', id);
        return toModel(row);
      } catch (error) {
        // Deployments refer to models with a foreign key: the database has the last word.
        if (isStillReferenced(error)) throw new ConflictError('MODEL_IN_USE', 'Deployments use this model; delete them first.');
        throw error;
      }
    },

    /** Fills the registry fields from the Hub; saves them unless `dryRun`. */
    async importFromHuggingFace(input: ImportHuggingFaceInput, options: { dryRun: boolean }): Promise<{ draft: ModelDraft; model: Model | null }> {
      const revision = input.revision ?? 'main';
      const name = input.name ?? undefined;
      if (!options.dryRun && name && (await repo.findByName(name))) throw nameTaken(name);
      const info = await hf.getModelInfo(input.repoId, input.revision);
      const notes: string[] = [];
      let config: Record<string, unknown> | null = null;
      let hfFile: string | null = null;
      let gguf: GgufSummary | null = null;
      if (input.hfFile !== undefined || detectFormat(info) === 'gguf') {
        const files = ggufFiles(info);
        if (input.hfFile !== undefined && !files.includes(input.hfFile)) {
          throw new HfError('HF_FILE_NOT_FOUND', `${input.repoId} has no GGUF file "${input.hfFile}"${files.length > 0 ? `; it has ${files.slice(0, 10).join(', ')}${files.length > 10 ? ', …' : ''}` : ''}.`);
        }
        hfFile = input.hfFile ?? chooseGgufFile(info);
        if (hfFile) gguf = await readRemoteGguf(input.repoId, revision, hfFile, notes);
        else notes.push(`${input.repoId} lists no GGUF file.`);
      } else {
        config = await hf.getJsonFile(input.repoId, revision, 'config.json');
        if (!config) notes.push(`${input.repoId} has no config.json: layers and attention heads are unknown.`);
      }
      const draft = buildDraft({ repoId: input.repoId, revision, info, config, hfFile, gguf, name, notes });
      if (options.dryRun) return { draft, model: null };
      if (await repo.findByName(draft.name)) throw nameTaken(draft.name);
      const model = await createFromHub(
        {
          name: draft.name,
          hfRepoId: draft.hfRepoId,
          revision: draft.revision,
          ...(draft.hfFile ? { hfFile: draft.hfFile } : {}),
          format: draft.format,
          category: draft.category,
          sizeB: draft.sizeB,
          parameterCount: draft.parameterCount,
          displaySize: draft.displaySize,
          description: draft.description,
          license: draft.license,
          dtype: draft.dtype,
          contextLength: draft.contextLength,
          architecture: draft.architecture,
        },
        { weightBytes: draft.weightBytes },
      );
      return { draft, model };
    },

    /** Registers a catalog model in one call. */
    async addPreset(presetId: string, options: { name?: string | undefined }): Promise<Model> {
      const preset = findModelPreset(presetId);
      if (!preset) throw new NotFoundError('model preset', presetId);
      const name = options.name ?? preset.name;
      if (await repo.findByName(name)) throw nameTaken(name);
      return createFromHub(
        { ...modelBodyFromPreset(preset, name), revision: 'main', presetId: preset.id },
        { weightBytes: preset.weightBytes },
      );
    },

    async fit(id: string, query: FitQuery): Promise<FitResult> {
      const row = await requireRow(id);
      const result = checkFit(row, {
        gpuMemoryGiB: query.gpuMemoryGiB,
        gpusPerNode: query.freeGpus,
        replicas: query.replicas,
        ...(query.contextLength !== undefined ? { contextLength: query.contextLength } : {}),
        ...(query.concurrency !== undefined ? { concurrency: query.concurrency } : {}),
        ...(query.dtype !== undefined ? { dtype: query.dtype } : {}),
        ...(query.kvCacheDtype !== undefined ? { kvCacheDtype: query.kvCacheDtype } : {}),
      });
      if (!result) {
        throw new ConflictError('MODEL_SIZE_UNKNOWN', `The size of ${row.name} is unknown: set sizeB or parameterCount (PATCH /api/models/${row.id}) first.`);
      }
      return result;
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;
