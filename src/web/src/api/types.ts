// Wire types of the control API as the UI sees it. Entities come from the shared pure schemas in
// src/domain (type-only imports, so no zod reaches the bundle; ROLES is a plain constant); the
// few request bodies without an exported type are spelled out here.

import type { z } from 'zod';
import type { createApiKeySchema, updateApiKeySchema } from '../../../domain/api-key';
import type { AuditEntry } from '../../../domain/audit';
import type { createClusterSchema, updateClusterSchema } from '../../../domain/cluster';
import type { createDeploymentSchema, Deployment, updateDeploymentSchema } from '../../../domain/deployment';
import type { ConfigChange, FitPlan } from '../../../domain/deployment-plan';
import type { DeploymentStatus } from '../../../domain/deployment-status';
import type { createModelSchema, importHuggingFaceSchema, Model, ModelCategory } from '../../../domain/model';
import type { ModelPreset } from '../../../domain/model-presets';
import type { METRICS_RANGE_PRESETS } from '../../../domain/monitoring';
import type { createPresetSchema, updatePresetSchema } from '../../../domain/optimization';
import type { failoverPolicySpecSchema, placementStrategySpecSchema, PolicyMeta, resourceProfileSpecSchema } from '../../../domain/policies';
import type { ResourceRecommendation } from '../../../domain/resource-fit';
import type { CreateUserInput, UpdateUserInput, User } from '../../../domain/user';

export { ROLES } from '../../../domain/roles';
export type { Role } from '../../../domain/roles';
export type { Page } from '../../../domain/pagination';
export type { CreateSecretInput as CreateSecretRequest, SecretView } from '../../../domain/secret';
export type { LoopsView, LoopState } from '../../../domain/loops';
export type { CostGroup, CostReport, CostRow, GpuPriceList, GpuPriceListItem, PutGpuPriceInput as PutGpuPriceRequest } from '../../../domain/costs';
export type { User };

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  user: User;
}

export interface MeResponse {
  user: User;
}

export type CreateUserRequest = CreateUserInput;
export type UpdateUserRequest = UpdateUserInput;

export interface UpdateProfileRequest {
  displayName: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export type AuditLogEntry = AuditEntry;
export type AuditOutcome = AuditEntry['outcome'];

export interface AuditLogQuery {
  action?: string;
  actor?: string;
  /** ISO 8601 */
  from?: string;
  /** ISO 8601 */
  to?: string;
  limit: number;
  offset: number;
}

/** Actions the backend records today; the filter accepts any string. */
export const KNOWN_AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'user.create',
  'user.update',
  'user.delete',
  'user.profile_update',
  'user.password_change',
] as const;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** `{ error: { code, message, requestId, details? } }` */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    requestId?: string;
    details?: unknown;
  };
}

// ---- clusters ------------------------------------------------------------------------------

export type {
  Cluster,
  ClusterScheduler,
  ClusterType,
  ClusterWithToken,
  ConnectionCheck,
  ConnectionKind,
  ConnectionSummary,
  ConnectionTestReport,
  Inventory,
  InventoryNode,
  KubernetesWorkloadSettings,
  ReadinessState,
} from '../../../domain/cluster';
export type { ImageWarmerPhase, ImageWarmerStatus } from '../../../domain/image-warmer';
/** What a client sends: defaults (type, scheduler, labels, imagePrecache) may be left out. */
export type CreateClusterRequest = z.input<typeof createClusterSchema>;
export type UpdateClusterRequest = z.input<typeof updateClusterSchema>;
/** A connection as a client sends it (namespace may be left to its default). */
export type ConnectionRequest = CreateClusterRequest['connection'];

// ---- models --------------------------------------------------------------------------------

export type { Model, ModelCategory, ModelPreset, ResourceRecommendation };
export type { ModelDraft, ModelFormat } from '../../../domain/model';
export type { FitResult } from '../../../domain/resource-fit';
export type CreateModelRequest = z.input<typeof createModelSchema>;
export type ImportModelRequest = z.input<typeof importHuggingFaceSchema>;
export type ModelPresetItem = ModelPreset & { recommendation: ResourceRecommendation | null };

export interface ModelListQuery {
  category?: ModelCategory | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

/** GET /api/models/:id/fit; freeGpus is "8" or "8,4,4". */
export interface FitQuery {
  gpuMemoryGiB: number;
  freeGpus: string;
  replicas: number;
  contextLength?: number | undefined;
  concurrency?: number | undefined;
}

// ---- policies ------------------------------------------------------------------------------

// Built from the spec schemas: the domain's ResourceProfile/PlacementStrategy/FailoverPolicy
// types come out as the union of all three kinds.
type Policy<Spec extends z.ZodType> = z.output<Spec> & PolicyMeta;
type CreatePolicy<Spec extends z.ZodType> = z.input<Spec> & { name: string; description?: string };

export type ResourceProfile = Policy<typeof resourceProfileSpecSchema>;
export type PlacementStrategy = Policy<typeof placementStrategySpecSchema>;
export type FailoverPolicy = Policy<typeof failoverPolicySpecSchema>;
export type CreateResourceProfileRequest = CreatePolicy<typeof resourceProfileSpecSchema>;
export type CreatePlacementStrategyRequest = CreatePolicy<typeof placementStrategySpecSchema>;
export type CreateFailoverPolicyRequest = CreatePolicy<typeof failoverPolicySpecSchema>;

// ---- runtimes and optimization presets -----------------------------------------------------

export type { KnobDescriptor, Optimization, OptimizationPreset, RenderResultBody as RenderResult, RuntimeDescriptor, RuntimeId } from '../../../domain/optimization';
export type CreateOptimizationPresetRequest = z.input<typeof createPresetSchema>;
export type UpdateOptimizationPresetRequest = z.input<typeof updatePresetSchema>;

// ---- deployments ---------------------------------------------------------------------------

export type { Deployment };
export type { DeploymentStatus, StatusSource } from '../../../domain/deployment-status';
export type { ModelDownload } from '../../../domain/model-download';
export type { ReplicaLogs, WorkloadEvent } from '../../../domain/workload';
export type { ConfigChange, FitPlan };
export type { DryRunAnswer } from '../../../domain/deployment-plan';
export type { ConfigHistoryEntry, DeploymentConfig, Rollout, RolloutProgress, RolloutState, RolloutWithProgress } from '../../../domain/rollout';
export type { DeploymentEventRecord } from '../../../domain/deployment-event';
export type CreateDeploymentRequest = z.input<typeof createDeploymentSchema>;
export type UpdateDeploymentRequest = z.input<typeof updateDeploymentSchema>;

export interface DeploymentListQuery {
  status?: DeploymentStatus | undefined;
  cluster?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

// ---- inference gateway: API keys, inference logs, rate limits ------------------------------

export type { ApiKey, ApiKeyStatus, CreatedApiKey } from '../../../domain/api-key';
export type { ApiKeyMetrics } from '../../../domain/monitoring';
export type { InferenceLogEntryView as InferenceLogEntry } from '../../../domain/inference-log';
export type { RateLimitOverview, RateLimitSubjectView as RateLimitSubject } from '../../../domain/rate-limit';
export type CreateApiKeyRequest = z.input<typeof createApiKeySchema>;
export type UpdateApiKeyRequest = z.input<typeof updateApiKeySchema>;

/** GET /api/inference-logs; from/to are ISO 8601 instants. */
export interface InferenceLogQuery {
  deployment?: string;
  user?: string;
  statusCode?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

// ---- monitoring ----------------------------------------------------------------------------

export type {
  ClusterGpuMetrics,
  DeploymentMetricsHistory,
  DeploymentMetricsSnapshot,
  GatewayMetrics,
  GpuMetrics,
  MetricSeries,
  MetricValue,
  MetricsSummary,
  Percentiles,
  ServingMetrics,
} from '../../../domain/monitoring';
/** A history range the endpoint accepts as a preset: 15m, 1h, 6h, 24h, 7d. */
export type MetricsRange = (typeof METRICS_RANGE_PRESETS)[number];
