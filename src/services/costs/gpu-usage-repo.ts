import { inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { gpuUsage, gpuUsageSamples } from '../../db/schema/index.js';
import { countedTime, type UsageTarget } from './gpu-time.js';

/** Serializes counts across instances (a leader change mid-count): "GPUS" in ASCII. */
const USAGE_LOCK_KEY = 0x47505553;
/** Rows per INSERT: well under PostgreSQL's 65535 bind parameters (7 a row). */
const CHUNK = 1000;

type NewUsageRow = typeof gpuUsage.$inferInsert;

export function createGpuUsageRepo(db: Database) {
  return {
    /**
     * Counts every deployment's GPUs since its last count, in one transaction under an advisory
     * lock: two instances counting at once (an old and a new leader) run one after the other,
     * and the second finds the first's count time, so no second is counted twice. Deployments
     * not in `targets` (deleted) lose their count time. Answers the GPU-seconds added.
     */
    async record(targets: readonly UsageTarget[], now: Date, maxGapMs: number): Promise<number> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${USAGE_LOCK_KEY})`);
        const ids = targets.map((target) => target.deploymentId);
        const last = new Map((await tx.select().from(gpuUsageSamples)).map((row) => [row.deploymentId, row.sampledAt]));
        const rows = new Map<string, NewUsageRow>();
        for (const target of targets) {
          if (target.gpus <= 0) continue;
          for (const share of countedTime(last.get(target.deploymentId), now, maxGapMs)) {
            const key = `${share.hour.toISOString()}|${target.deploymentId}|${target.clusterId}|${target.gpuModel}`;
            const row = rows.get(key);
            if (row) row.gpuSeconds += share.seconds * target.gpus;
            else {
              rows.set(key, {
                hour: share.hour,
                deploymentId: target.deploymentId,
                deploymentName: target.deploymentName,
                clusterId: target.clusterId,
                clusterName: target.clusterName,
                gpuModel: target.gpuModel,
                gpuSeconds: share.seconds * target.gpus,
              });
            }
          }
        }
        const values = [...rows.values()];
        for (let start = 0; start < values.length; start += CHUNK) {
          await tx
            .insert(gpuUsage)
            .values(values.slice(start, start + CHUNK))
            .onConflictDoUpdate({
              target: [gpuUsage.hour, gpuUsage.deploymentId, gpuUsage.clusterId, gpuUsage.gpuModel],
              set: { gpuSeconds: sql`${gpuUsage.gpuSeconds} + excluded.gpu_seconds`, deploymentName: sql`excluded.deployment_name`, clusterName: sql`excluded.cluster_name` },
            });
        }
        if (ids.length > 0) {
          await tx
            .insert(gpuUsageSamples)
            .values(ids.map((deploymentId) => ({ deploymentId, sampledAt: now })))
            .onConflictDoUpdate({ target: gpuUsageSamples.deploymentId, set: { sampledAt: sql`GREATEST(${gpuUsageSamples.sampledAt}, excluded.sampled_at)` } });
          await tx.delete(gpuUsageSamples).where(notInArray(gpuUsageSamples.deploymentId, ids));
        } else {
          await tx.delete(gpuUsageSamples);
        }
        return values.reduce((sum, row) => sum + row.gpuSeconds, 0);
      });
    },

    /** GPU models with usage recorded (any time kept). */
    async gpuModels(): Promise<string[]> {
      const rows = await db.selectDistinct({ gpuModel: gpuUsage.gpuModel }).from(gpuUsage);
      return rows.map((row) => row.gpuModel).filter((model) => model !== '');
    },

    /** Deletes at most `batchSize` hours of usage older than `cutoff`; answers how many rows went. */
    async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
      const oldest = db.select({ id: gpuUsage.id }).from(gpuUsage).where(lt(gpuUsage.hour, cutoff)).limit(batchSize);
      const deleted = await db.delete(gpuUsage).where(inArray(gpuUsage.id, oldest)).returning({ id: gpuUsage.id });
      return deleted.length;
    },
  };
}

export type GpuUsageRepo = ReturnType<typeof createGpuUsageRepo>;
