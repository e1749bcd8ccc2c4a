import type { ClusterRegistry } from '../../clusters/cluster-registry.js';
import type { Cluster } from '../../domain/cluster.js';
import type { Model } from '../../domain/model.js';
import type { ModelDownload } from '../../domain/model-download.js';
import type { Optimization } from '../../domain/optimization.js';
import type { Page } from '../../domain/pagination.js';
import type { Logger } from '../../lib/logger.js';
import type { ChangeRecorder } from './change-recorder.js';
import type { SettingsSecretCheck } from '../secrets/settings-secret-check.js';
import type { DeploymentRepo } from './deployment-repo.js';

/** What the deployment service's parts (intent, placement, observation, reconcile) are built from. */
export interface DeploymentServiceDeps {
  repo: DeploymentRepo;
  models: { get(id: string): Promise<Model> };
  clusters: { get(name: string): Promise<Cluster>; list(limit: number, offset: number): Promise<Page<Cluster>> };
  policies: { get(kind: 'resource_profile' | 'placement_strategy' | 'failover_policy', id: string): Promise<Record<string, unknown>> };
  presets: { get(id: string): Promise<{ id: string; runtime: string; optimization: Optimization }> };
  /** The cluster registry: which driver acts on a cluster, and how its free GPUs are counted. */
  drivers: Pick<ClusterRegistry, 'actingDriver' | 'forCluster' | 'capacity' | 'runsOnHost'>;
  /**
   * Files of Hugging Face GGUF models, downloaded into the data directory for the runtimes that
   * load a file (llama.cpp). Without it such models are refused (409 MODEL_NOT_DOWNLOADED).
   */
  modelFiles?: {
    /** Where the model's file is (or will be) on this host; null for models that are not a Hub GGUF file. */
    pathFor(model: Model): string | null;
    /** The file when it is there; otherwise starts (or joins) its download and answers the progress. */
    ensure(model: Model): Promise<{ path: string } | { progress: ModelDownload }>;
  };
  /** Refuses plain secret-looking values and references to missing secrets in the settings saved. */
  secrets?: SettingsSecretCheck;
  /** Records every change of settings (config history) and starts a rollout for each restart. */
  changes?: ChangeRecorder;
  logger: Logger;
  /** Live-read deadlines: one deployment (5 s) and each cluster in a list (2 s). */
  timeouts?: { singleMs: number; listMs: number };
}

export const DEFAULT_LIVE_TIMEOUTS = { singleMs: 5_000, listMs: 2_000 };
