import { createHash } from 'node:crypto';
import type { DeploymentEventHistoryQuery, DeploymentEventRecord } from '../../domain/deployment-event.js';
import type { Page } from '../../domain/pagination.js';
import type { WorkloadEvent } from '../../domain/workload.js';
import { purgeInBatches } from '../../lib/batched-purge.js';
import { NotFoundError } from '../../lib/errors.js';
import { toStorableText } from '../../lib/storable-text.js';
import type { DeploymentEventRepo, DeploymentEventRow, NewDeploymentEventRow } from './deployment-event-repo.js';

/** The events one copy read off one cluster, each with the deployment it belongs to. */
export interface CopiedEvents {
  cluster: { id: string; name: string };
  events: ReadonlyArray<{ deployment: { id: string; name: string }; event: WorkloadEvent }>;
}

/** What makes two reports the same event: the deployment, the object it is about, type, reason and message. */
export function eventFingerprint(deploymentId: string, event: Pick<WorkloadEvent, 'type' | 'reason' | 'message' | 'involvedObject'>): string {
  const key = JSON.stringify([deploymentId, event.involvedObject.kind, event.involvedObject.name, event.type, event.reason, event.message]);
  return createHash('sha256').update(key).digest('hex');
}

/** A timestamp a driver reported; undefined when it is not a date. */
function instant(text: string): Date | undefined {
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

function toRecord(row: DeploymentEventRow): DeploymentEventRecord {
  return {
    id: String(row.id),
    deploymentId: row.deploymentId,
    deploymentName: row.deploymentName,
    cluster: row.clusterName,
    type: row.type,
    reason: row.reason,
    message: row.message,
    involvedObject: { kind: row.objectKind, name: row.objectName },
    count: row.count,
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
  };
}

/**
 * The events history of deployments: what the event-copy loop read off the clusters, kept
 * `HMAS_EVENT_RETENTION_DAYS` by last occurrence, deduplicated by fingerprint.
 */
export function createDeploymentEventService(deps: { repo: DeploymentEventRepo; deployments: { find(id: string): Promise<unknown> }; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Saves one copy: new events are inserted, known ones get their count and last occurrence. */
    async record(copied: CopiedEvents): Promise<number> {
      const rows = new Map<string, NewDeploymentEventRow>();
      for (const { deployment, event } of copied.events) {
        const firstSeen = instant(event.firstTimestamp);
        const lastSeen = instant(event.lastTimestamp) ?? firstSeen;
        if (!lastSeen) continue;
        const fingerprint = eventFingerprint(deployment.id, event);
        const seen = rows.get(fingerprint);
        // One report per event and copy: the later one when a driver repeats it.
        if (seen && seen.lastSeen >= lastSeen) continue;
        rows.set(fingerprint, {
          fingerprint,
          deploymentId: deployment.id,
          deploymentName: deployment.name,
          clusterId: copied.cluster.id,
          clusterName: copied.cluster.name,
          type: event.type,
          reason: toStorableText(event.reason),
          message: toStorableText(event.message),
          objectKind: toStorableText(event.involvedObject.kind),
          objectName: toStorableText(event.involvedObject.name),
          firstSeen: firstSeen && firstSeen <= lastSeen ? firstSeen : lastSeen,
          lastSeen,
          count: Math.max(1, event.count),
          reportedCount: Math.max(1, event.count),
        });
      }
      await deps.repo.upsert([...rows.values()]);
      return rows.size;
    },

    /**
     * One deployment's events, last seen first. A deleted deployment's events stay readable by
     * its id until retention; an id with neither a deployment nor events is 404.
     */
    async history(deploymentId: string, query: DeploymentEventHistoryQuery): Promise<Page<DeploymentEventRecord>> {
      const { rows, total } = await deps.repo.list(deploymentId, query);
      if (total === 0 && !(await deps.deployments.find(deploymentId)) && !(await deps.repo.hasAny(deploymentId))) throw new NotFoundError('deployment', deploymentId);
      return { items: rows.map(toRecord), total, limit: query.limit, offset: query.offset };
    },

    /** Retention: deletes events last seen more than `days` ago, in batches so no delete holds the table long. */
    async purgeOlderThan(days: number, batchSize = 1000): Promise<number> {
      return purgeInBatches((cutoff, size) => deps.repo.deleteOlderThan(cutoff, size), { days, now: now(), batchSize });
    },
  };
}

export type DeploymentEventService = ReturnType<typeof createDeploymentEventService>;
