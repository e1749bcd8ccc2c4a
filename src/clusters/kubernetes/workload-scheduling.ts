import type { ClusterScheduler, ClusterType } from '../../domain/cluster.js';

/** What a pod template gets from the cluster's scheduler setting. */
export interface PodScheduling {
  schedulerName?: string;
  priorityClassName?: string;
  labels: Record<string, string>;
}

/**
 * Koordinator's names, as its documentation gives them (koordinator.sh, "Architecture → QoS" and
 * "Priority"; the co-location examples): pods opt in with `schedulerName: koord-scheduler`, say
 * their QoS class in the label `koordinator.sh/qosClass` (LSE, LSR, LS, BE, SYSTEM) and their
 * priority with the PriorityClasses Koordinator installs (koord-prod, koord-mid, koord-batch,
 * koord-free). A high-priority (HP) cluster serves latency-sensitive traffic: LS + koord-prod; a
 * general-purpose (GP) one runs best-effort: BE + koord-batch.
 */
export const KOORDINATOR = {
  schedulerName: 'koord-scheduler',
  qosLabel: 'koordinator.sh/qosClass',
  byType: {
    HP: { qosClass: 'LS', priorityClassName: 'koord-prod' },
    GP: { qosClass: 'BE', priorityClassName: 'koord-batch' },
  },
} as const;

/** The scheduler, priority and QoS label of a workload's pods on a cluster. Pure. */
export function podScheduling(cluster: { scheduler: ClusterScheduler; type: ClusterType }): PodScheduling {
  if (cluster.scheduler === 'default') return { labels: {} };
  const { qosClass, priorityClassName } = KOORDINATOR.byType[cluster.type];
  return { schedulerName: KOORDINATOR.schedulerName, priorityClassName, labels: { [KOORDINATOR.qosLabel]: qosClass } };
}
