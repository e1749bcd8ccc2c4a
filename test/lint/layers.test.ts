import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rule as `npm run lint` runs it (eslint.config.js), on code that is never written to disk.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'hmas/layers').map((message) => message.message);
}

describe('layer rule (eslint-rules/layers.js)', () => {
  it.each([
    ['src/domain/fixture.ts', "import { AppError } from '../lib/errors.js';\nexport const x = AppError;\n", 'src/domain/ may not import src/lib/errors.js'],
    ['src/lib/fixture.ts', "import type { Cluster } from '../domain/cluster.js';\nexport type X = Cluster;\n", 'src/lib/ may not import src/domain/cluster.js'],
    ['src/clusters/fixture.ts', "export { createClusterService } from '../services/clusters/cluster-service.js';\n", 'src/clusters/ may not import src/services/clusters/cluster-service.js'],
    ['src/services/fixture/x.ts', "import type { ZodApp } from '../../server/routes/route-types.js';\nexport type X = ZodApp;\n", 'src/services/ may not import src/server/routes/route-types.js'],
    ['src/server/routes/fixture.routes.ts', "import type { DatabaseHandle } from '../../db/client.js';\nexport type X = DatabaseHandle;\n", 'src/server/routes/ may not import src/db/client.js'],
    ['src/server/routes/fixture.routes.ts', "import type { ClusterDriver } from '../../clusters/cluster-driver.js';\nexport type X = ClusterDriver;\n", 'src/server/routes/ may not import src/clusters/cluster-driver.js'],
    ['src/gateway/proxy/fixture.ts', "import type { DeploymentService } from '../../services/deployments/deployment-service.js';\nexport type X = DeploymentService;\n", 'src/gateway/ may not import src/services/deployments/deployment-service.js'],
    ['src/web/src/pages/fixture.tsx', "import { logger } from '../../../lib/logger.js';\nexport const x = logger;\n", 'src/web/ may not import src/lib/logger.js'],
    ['src/reconcilers/fixture.ts', "export const load = () => import('../services/deployments/deployment-service.js');\n", 'src/reconcilers/ may not import src/services/deployments/deployment-service.js'],
  ])('refuses %s reaching outside its layer', async (filePath, code, expected) => {
    const messages = await layerMessages(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(expected);
  });

  it.each([
    ['src/clusters/fixture.ts', "import type { Cluster } from '../domain/cluster.js';\nimport { AppError } from '../lib/errors.js';\nexport type X = Cluster;\nexport const y = AppError;\n"],
    ['src/server/routes/fixture.routes.ts', "import type { DeploymentService } from '../../services/deployments/deployment-service.js';\nexport type X = DeploymentService;\n"],
    ['src/gateway/auth/fixture.ts', "import { SESSION_COOKIE } from '../../server/auth-plugin.js';\nexport const x = SESSION_COOKIE;\n"],
    ['src/web/src/pages/fixture.tsx', "import { LOCAL_CLUSTER_NAME } from '../../../domain/cluster.js';\nimport { api } from '../lib/api.js';\nexport const x = [LOCAL_CLUSTER_NAME, api];\n"],
    ['src/main/fixture.ts', "import { createClusterRegistry } from '../clusters/cluster-registry.js';\nexport const x = createClusterRegistry;\n"],
  ])('allows %s what its layer may import', async (filePath, code) => {
    expect(await layerMessages(filePath, code)).toEqual([]);
  });
});
