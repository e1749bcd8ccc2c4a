import { access, constants } from 'node:fs/promises';
import type { Model } from '../../domain/model.js';
import { describeDownloadProgress } from '../../domain/model-download.js';
import { normalizeOptimization, type Optimization, type OptimizationIssue } from '../../domain/optimization.js';
import { renderWorkloadSpec, type WorkloadSpec, type WorkloadStrategy } from '../../domain/workload.js';
import { AppError, ConflictError } from '../../lib/errors.js';
import { requireRuntime } from '../../runtimes/index.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import type { ResourceProfileSpec } from './policy-reader.js';

/** Host runtimes that need the weights as a file (a GGUF) rather than loading a repo themselves. */
const FILE_RUNTIMES = new Set(['embedded-llamacpp', 'llamacpp']);

/** Deep merge of optimization tiers: `over` wins key by key; raw lists are replaced whole. */
function mergeOptimization(base: Optimization, over: Optimization | undefined): Optimization {
  if (!over) return base;
  return {
    ...((base.tier1 ?? over.tier1) ? { tier1: { ...base.tier1, ...over.tier1 } } : {}),
    ...((base.tier2 ?? over.tier2) ? { tier2: { ...base.tier2, ...over.tier2 } } : {}),
    ...((base.raw ?? over.raw) ? { raw: { ...base.raw, ...over.raw } } : {}),
  };
}

/** What a deployment runs: its settings, its model file, and the `WorkloadSpec` rendered from them. */
export function createDeploymentSpecs(deps: Pick<DeploymentServiceDeps, 'modelFiles' | 'presets'>) {
  /** The downloaded file of a Hub GGUF model for a runtime that loads a file; the same path whether or not it is there yet. */
  function modelPathFor(model: Model, runtime: string): string | undefined {
    if (model.localPath || !FILE_RUNTIMES.has(runtime)) return undefined;
    return deps.modelFiles?.pathFor(model) ?? undefined;
  }

  return {
    modelPathFor,

    /** Refuses a model the runtime cannot load or whose file is not on the host yet (starting its download). */
    async checkModelFile(model: Model, runtime: string): Promise<void> {
      const adapter = requireRuntime(runtime);
      if (!adapter.supportedFormats.includes(model.format)) {
        throw new AppError('RUNTIME_MODEL_MISMATCH', `${adapter.displayName} loads ${adapter.supportedFormats.join(' or ')} models; ${model.name} is ${model.format}.`, { statusCode: 400 });
      }
      if (model.localPath) {
        try {
          await access(model.localPath, constants.R_OK);
        } catch {
          throw new AppError('MODEL_FILE_NOT_FOUND', `The model file ${model.localPath} of ${model.name} cannot be read on the host.`, { statusCode: 400 });
        }
        return;
      }
      if (!FILE_RUNTIMES.has(runtime)) return;
      if (!deps.modelFiles || deps.modelFiles.pathFor(model) === null) {
        throw new ConflictError(
          'MODEL_NOT_DOWNLOADED',
          `${adapter.displayName} needs ${model.name} as a .gguf file on the host: register the file with a local path${model.format === 'gguf' && !model.hfFile ? ', or set hfFile so it can be downloaded from the Hub' : ''}.`,
        );
      }
      // Start (or join) the download and refuse for now: the caller deploys again once it is done.
      const file = await deps.modelFiles.ensure(model);
      if ('progress' in file) {
        const { progress } = file;
        throw new ConflictError(
          'MODEL_DOWNLOADING',
          `${model.name} is being downloaded from Hugging Face: ${describeDownloadProgress(progress)}; deploy again when it is done — GET /api/models/${model.id}/download shows the progress.`,
          { download: progress },
        );
      }
    },

    /** The settings a new deployment gets, and the raw settings of the preset it starts from (an admin's to write). */
    async optimizationFor(runtime: string, presetId: string | undefined | null, optimization: Optimization | undefined): Promise<{ optimization: Optimization; presetRaw: Optimization['raw'] }> {
      if (!presetId) return { optimization: normalizeOptimization(optimization ?? {}), presetRaw: undefined };
      const preset = await deps.presets.get(presetId);
      if (preset.runtime !== runtime) {
        throw new AppError('PRESET_RUNTIME_MISMATCH', `Preset ${presetId} is for ${preset.runtime}, not ${runtime}.`, { statusCode: 400 });
      }
      return { optimization: normalizeOptimization(mergeOptimization(preset.optimization, optimization)), presetRaw: preset.optimization.raw };
    },

    render(
      record: { id: string; name: string; replicas: number; runtime: string; strategy: WorkloadStrategy },
      model: Model,
      profile: ResourceProfileSpec | null,
      optimization: Optimization,
    ): { spec: WorkloadSpec; warnings: OptimizationIssue[] } {
      const modelPath = modelPathFor(model, record.runtime);
      return renderWorkloadSpec({
        deployment: { id: record.id, name: record.name, replicas: record.replicas },
        model: { name: model.name, localPath: model.localPath, hfRepoId: model.hfRepoId, revision: model.revision, hfFile: model.hfFile },
        ...(modelPath ? { modelPath } : {}),
        runtime: requireRuntime(record.runtime),
        resourceProfile: profile,
        optimization,
        strategy: record.strategy,
      });
    },
  };
}

export type DeploymentSpecs = ReturnType<typeof createDeploymentSpecs>;
