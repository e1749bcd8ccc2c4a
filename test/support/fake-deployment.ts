import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { clusters, deployments, models } from '../../src/db/schema/index.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import type { DeploymentStatus } from '../../src/domain/deployment-status.js';

export interface ServedDeploymentOptions {
  /** A registered model to serve; default: a new model row `<name>-model`, removed with the deployment. */
  modelId?: string;
  runtime?: string;
  status?: DeploymentStatus;
  paused?: boolean;
}

/**
 * A running deployment on cluster `local` whose replicas are the given base URLs (fake
 * upstreams), written straight to the database: the gateway routes to it like to any other, and
 * no workload stands behind it. `remove()` deletes the rows again; call it before the app's
 * close(), which would otherwise ask the local driver to delete a workload that never existed.
 */
export async function insertServedDeployment(
  database: DatabaseHandle,
  name: string,
  endpoints: string[],
  options: ServedDeploymentOptions = {},
): Promise<{ id: string; remove(): Promise<void> }> {
  const db = database.db;
  const [local] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, 'local'));
  if (!local) throw new Error('cluster "local" is missing (HMAS_LOCAL_CLUSTER=false?)');
  const ownModel = options.modelId === undefined;
  const modelId = options.modelId ?? randomUUID();
  if (ownModel) await db.insert(models).values({ id: modelId, name: `${name}-model`, format: 'gguf', source: 'local', localPath: `/nonexistent/${name}.gguf`, category: 'LLM' });
  const id = randomUUID();
  await db.insert(deployments).values({
    id,
    name,
    modelId,
    clusterId: local.id,
    runtime: options.runtime ?? 'vllm',
    replicas: endpoints.length || 1,
    status: options.status ?? 'running',
    paused: options.paused ?? false,
    readyReplicas: endpoints.length,
    endpoints,
  });
  return {
    id,
    async remove() {
      await db.delete(deployments).where(eq(deployments.id, id));
      if (ownModel) await db.delete(models).where(eq(models.id, modelId));
    },
  };
}
