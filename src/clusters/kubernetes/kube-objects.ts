/**
 * The parts of Kubernetes objects the driver reads, as plain types: the client (kube-workload-
 * client.ts) checks that answers have this shape, and the pure mappers (status, events) take them,
 * so their tests use captured objects without the client library.
 */

export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: Array<{ kind: string; name: string; uid?: string }>;
}

export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface KubeDeployment {
  metadata: KubeMeta;
  spec?: { replicas?: number; progressDeadlineSeconds?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: KubeCondition[];
  };
}

export interface KubeContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

export interface KubeContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  started?: boolean;
  state?: KubeContainerState;
  lastState?: KubeContainerState;
}

export interface KubePod {
  metadata: KubeMeta;
  spec?: { nodeName?: string; containers?: Array<{ name: string; ports?: Array<{ containerPort?: number }> }> };
  status?: { phase?: string; podIP?: string; hostIP?: string; startTime?: string; conditions?: KubeCondition[]; containerStatuses?: KubeContainerStatus[] };
}

export interface KubeService {
  metadata: KubeMeta;
  spec?: { type?: string; clusterIP?: string; ports?: Array<{ name?: string; port?: number; nodePort?: number }> };
}

export interface KubeReplicaSet {
  metadata: KubeMeta;
}

export interface KubeEvent {
  metadata: KubeMeta;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}
