import { and, asc, count, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { clusters, deployments, models } from '../../db/schema/index.js';
import type { DeploymentListQuery } from '../../domain/deployment.js';
import type { DeploymentStatus } from '../../domain/deployment-status.js';
import type { Queryable } from './rollout-repo.js';

export type DeploymentRow = typeof deployments.$inferSelect;
export type NewDeploymentRow = typeof deployments.$inferInsert;
/** A deployment with the names of what it refers to, and the host that owns its cluster when that is a local one. */
export type DeploymentRecord = DeploymentRow & { modelName: string; clusterName: string; clusterOwnerHostname: string | null };

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function createDeploymentRepo(db: Database) {
  const selectRecord = () =>
    db
      .select({ deployment: deployments, modelName: models.name, clusterName: clusters.name, clusterOwnerHostname: clusters.ownerHostname })
      .from(deployments)
      .innerJoin(models, eq(models.id, deployments.modelId))
      .innerJoin(clusters, eq(clusters.id, deployments.clusterId));
  const toRecord = (row: { deployment: DeploymentRow; modelName: string; clusterName: string; clusterOwnerHostname: string | null }): DeploymentRecord => ({
    ...row.deployment,
    modelName: row.modelName,
    clusterName: row.clusterName,
    clusterOwnerHostname: row.clusterOwnerHostname,
  });

  return {
    async find(id: string): Promise<DeploymentRecord | undefined> {
      const [row] = await selectRecord().where(eq(deployments.id, id)).limit(1);
      return row ? toRecord(row) : undefined;
    },
    async findByName(name: string): Promise<DeploymentRecord | undefined> {
      const [row] = await selectRecord().where(eq(deployments.name, name)).limit(1);
      return row ? toRecord(row) : undefined;
    },
    async list(query: DeploymentListQuery): Promise<{ rows: DeploymentRecord[]; total: number }> {
      const conditions: SQL[] = [];
      if (query.status) conditions.push(eq(deployments.status, query.status));
      if (query.cluster) conditions.push(eq(clusters.name, query.cluster));
      if (query.modelId) conditions.push(eq(deployments.modelId, query.modelId));
      if (query.q) conditions.push(ilike(deployments.name, `%${escapeLike(query.q)}%`));
      const where = conditions.length > 0 ? and(...conditions) : undefined;
      const [rows, [totals]] = await Promise.all([
        selectRecord().where(where).orderBy(asc(deployments.name)).limit(query.limit).offset(query.offset),
        db
          .select({ total: count() })
          .from(deployments)
          .innerJoin(clusters, eq(clusters.id, deployments.clusterId))
          .where(where),
      ]);
      return { rows: rows.map(toRecord), total: totals?.total ?? 0 };
    },
    async all(): Promise<DeploymentRecord[]> {
      return (await selectRecord().orderBy(asc(deployments.name))).map(toRecord);
    },
    async insert(row: NewDeploymentRow): Promise<void> {
      await db.insert(deployments).values(row);
    },
    /**
     * `options.onCluster`: only while the deployment is still on that cluster — what was observed
     * on a cluster must not land on a row a failover has moved to another one meanwhile.
     * `options.tx`: inside that transaction (a change saved with its config history).
     */
    async update(id: string, changes: Partial<NewDeploymentRow>, options: { onCluster?: string; tx?: Queryable } = {}): Promise<void> {
      await (options.tx ?? db)
        .update(deployments)
        .set({ ...changes, updatedAt: new Date() })
        .where(options.onCluster ? and(eq(deployments.id, id), eq(deployments.clusterId, options.onCluster)) : eq(deployments.id, id));
    },
    async remove(id: string): Promise<void> {
      await db.delete(deployments).where(eq(deployments.id, id));
    },
    /** Marks every deployment of these clusters `unknown` at once (the clusters do not answer). */
    async markUnknownOnClusters(clusterIds: string[], message: string): Promise<number> {
      if (clusterIds.length === 0) return 0;
      const rows = await db
        .update(deployments)
        .set({ status: 'unknown' satisfies DeploymentStatus, statusMessage: message, updatedAt: new Date() })
        .where(and(inArray(deployments.clusterId, clusterIds), sql`${deployments.status} NOT IN ('paused', 'deleting', 'unknown')`))
        .returning({ id: deployments.id });
      return rows.length;
    },
    async usingPolicy(policyId: string): Promise<string[]> {
      const rows = await db
        .select({ name: deployments.name })
        .from(deployments)
        .where(sql`${deployments.resourceProfileId} = ${policyId} OR ${deployments.placementStrategyId} = ${policyId}`);
      return rows.map((row) => row.name);
    },
    /** Names of the deployments placed on a cluster (the GPU metrics join pods and replicas to them). */
    async namesOnCluster(clusterId: string): Promise<string[]> {
      const rows = await db.select({ name: deployments.name }).from(deployments).where(eq(deployments.clusterId, clusterId)).orderBy(asc(deployments.name));
      return rows.map((row) => row.name);
    },
    async usingModel(modelId: string): Promise<string[]> {
      const rows = await db.select({ name: deployments.name }).from(deployments).where(eq(deployments.modelId, modelId));
      return rows.map((row) => row.name);
    },
  };
}

export type DeploymentRepo = ReturnType<typeof createDeploymentRepo>;
