import { chmod, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/clusters/local/process-tools.js';
import type { LoopsView } from '../../src/domain/loops.js';
import { fakeRuntimeProgram } from '../support/fake-runtime.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

interface DeploymentBody {
  id: string;
  status: string;
  statusSource: string;
  statusMessage: string;
  replicas: number;
  readyReplicas: number;
  endpoints: string[];
}

type Instance = Pick<TestApp, 'app'>;

/** Live replica processes of this suite: the fake runtime given this suite's model file. */
async function replicaProcesses(modelFile: string): Promise<Array<{ pid: number; argv: string[]; cwd: string }>> {
  const found: Array<{ pid: number; argv: string[]; cwd: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').slice(0, -1);
    if (!argv.includes(modelFile) || !(await isRunning(Number(entry)))) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    found.push({ pid: Number(entry), argv, cwd });
  }
  return found;
}

// Two H-MAS instances on one database, each with its own data directory: only the instance that
// registered cluster local (its owner) starts, stops or adopts the local replicas; changes made
// through the other are recorded and carried out by the owner's reconciler. Real processes (the
// fake runtime standing in for llama-server), real HTTP.
describe.each(testBackends())('one owner per local replica (%s)', { timeout: 180_000 }, (backend) => {
  let first: TestApp;
  let dir: string;
  let modelFile: string;
  let env: Record<string, string>;

  const call = async (instance: Instance, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    instance.app.inject({ method, url, headers: await first.admin(), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (instance: Instance, id: string) => (await call(instance, 'GET', `/api/deployments/${id}`)).json<DeploymentBody>();
  const processCount = (count: number, what: string) =>
    waitFor(what, async () => ((await replicaProcesses(modelFile)).length === count ? true : undefined), { timeoutMs: 60_000, pollMs: 100, describe: () => replicaProcesses(modelFile) });

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-owner-');
    modelFile = path.join(dir, 'tiny.gguf');
    await writeTinyModel(modelFile);
    // llama-server on this host is the fake runtime: it takes llama-server's --host and --port.
    const wrapper = path.join(dir, 'llama-server');
    await writeFile(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${await fakeRuntimeProgram()}' "$@"\n`);
    await chmod(wrapper, 0o755);
    env = { HMAS_RECONCILE_INTERVAL_MS: '500', HMAS_RUNTIME_BIN_LLAMACPP: wrapper };
    first = await createTestApp(backend, env);
    first.loops.startAll();
  }, 120_000);
  afterAll(async () => {
    await first?.close();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('records the registering instance as the owner of cluster local', async () => {
    const cluster = (await call(first, 'GET', '/api/clusters/local')).json<{ ownerHost: { id: string; hostname: string } | null }>();
    const hostId = (await readFile(path.join(first.config.dataDir, 'host-id'), 'utf8')).trim();
    expect(cluster.ownerHost).toEqual({ id: hostId, hostname: hostname() });
  });

  it('runs 2 replicas, not 4, with a second instance; the second leaves them alone, records changes for the owner and stops none on shutdown', async () => {
    const model = await call(first, 'POST', '/api/models', { localPath: modelFile, name: 'owner-chat' });
    expect(model.statusCode, model.body).toBe(201);
    const created = await call(first, 'POST', '/api/deployments', { name: 'owned', modelId: model.json<{ id: string }>().id, cluster: 'local', runtime: 'llamacpp', replicas: 2 });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    await waitFor('2 ready replicas', async () => ((await get(first, id)).readyReplicas === 2 ? true : undefined), { timeoutMs: 60_000, pollMs: 200, describe: () => get(first, id) });
    const before = (await replicaProcesses(modelFile)).map((replica) => replica.pid).sort();
    expect(before).toHaveLength(2);

    const second = await composeSecondInstance(first, env);
    try {
      second.loops.startAll();
      // The second instance has no loop over cluster local: the owner's reconciler covers it.
      const loopsOf = async (instance: Instance) => (await call(instance, 'GET', '/api/system/loops')).json<LoopsView>();
      const runsOf = (seen: LoopsView, name: string) => seen.loops.find((loop) => loop.name === name)?.runs ?? 0;
      expect((await loopsOf(second)).loops.map((loop) => loop.name)).not.toContain('local-deployment-reconciler');
      const ownerRuns = runsOf(await loopsOf(first), 'local-deployment-reconciler');
      // Three passes of the owner's reconciler and of the second's (when it leads: on the embedded
      // database both do), or (as before owners) replicas of the second's own.
      const during = await waitFor('3 reconcile passes of each instance', async () => {
        const replicas = await replicaProcesses(modelFile);
        if (replicas.length !== 2) return replicas;
        const [owner, other] = await Promise.all([loopsOf(first), loopsOf(second)]);
        const otherDone = !other.leader.isLeader || runsOf(other, 'deployment-reconciler') >= 3;
        return runsOf(owner, 'local-deployment-reconciler') >= ownerRuns + 3 && otherDone ? replicas : undefined;
      }, { timeoutMs: 30_000 });
      // The same two processes, in the owner's data directory; none started, adopted or stopped.
      expect(during).toHaveLength(2);
      expect(during.map((replica) => replica.pid).sort()).toEqual(before);
      for (const replica of during) expect(replica.cwd.startsWith(first.config.dataDir)).toBe(true);
      expect(await readdir(path.join(second.dataDir, 'workloads')).catch(() => [])).toEqual([]);

      // Reads: the saved status, the owner named; what only the owner can read is refused by name.
      const seen = await get(second, id);
      expect(seen).toMatchObject({ statusSource: 'cached', status: 'running', readyReplicas: 2 });
      const cluster = (await call(second, 'GET', '/api/clusters/local')).json<{ ownerHost: { id: string } }>();
      expect(cluster.ownerHost.id).toBe((await readFile(path.join(first.config.dataDir, 'host-id'), 'utf8')).trim());
      for (const url of [`/api/deployments/${id}/logs`, `/api/deployments/${id}/events`, '/api/clusters/local/test']) {
        const refused = await call(second, url.endsWith('/test') ? 'POST' : 'GET', url);
        expect(refused.statusCode, url).toBe(409);
        expect(refused.json()).toMatchObject({ error: { code: 'CLUSTER_OWNED_BY_OTHER_HOST', message: expect.stringContaining(hostname()) } });
      }

      // Changes through the second instance are recorded; the owner's reconciler carries them out.
      const paused = await call(second, 'POST', `/api/deployments/${id}/pause`);
      expect(paused.statusCode, paused.body).toBe(200);
      expect(paused.json()).toMatchObject({ status: 'paused', statusMessage: expect.stringContaining(`host ${hostname()}`) });
      await processCount(0, 'the owner to stop the paused replicas');

      expect((await call(second, 'POST', `/api/deployments/${id}/resume`)).json()).toMatchObject({ status: 'deploying' });
      await processCount(2, 'the owner to start the resumed replicas');
      await waitFor('running after resume', async () => ((await get(first, id)).readyReplicas === 2 ? true : undefined), { timeoutMs: 60_000, pollMs: 200 });

      const scaled = await call(second, 'PATCH', `/api/deployments/${id}`, { replicas: 1 });
      expect(scaled.statusCode, scaled.body).toBe(200);
      await processCount(1, 'the owner to scale to 1');

      const changed = await call(second, 'PATCH', `/api/deployments/${id}`, { optimization: { tier2: { threads: 1 } } });
      expect(changed.statusCode, changed.body).toBe(200);
      await waitFor('the owner to roll out the changed spec', async () => {
        const replicas = await replicaProcesses(modelFile);
        return replicas.length === 1 && replicas[0]!.argv.includes('--threads') ? true : undefined;
      }, { timeoutMs: 60_000, pollMs: 100, describe: () => replicaProcesses(modelFile) });

      // Shutting the second instance down stops nothing.
      const running = (await replicaProcesses(modelFile)).map((replica) => replica.pid);
      await second.close();
      expect((await replicaProcesses(modelFile)).map((replica) => replica.pid)).toEqual(running);

      // Deleting through another instance: recorded, then finished by the owner.
      const third = await composeSecondInstance(first, env);
      try {
        expect((await call(third, 'DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
        await processCount(0, 'the owner to remove the deleted deployment');
        await waitFor('the deployment to be gone', async () => ((await call(first, 'GET', `/api/deployments/${id}`)).statusCode === 404 ? true : undefined), { timeoutMs: 30_000, pollMs: 100 });

        // Creating through another instance: recorded, started by the owner.
        const recorded = await call(third, 'POST', '/api/deployments', { name: 'owned-later', modelId: model.json<{ id: string }>().id, cluster: 'local', runtime: 'llamacpp', replicas: 1 });
        expect(recorded.statusCode, recorded.body).toBe(201);
        expect(recorded.json<DeploymentBody>().statusMessage).toContain(`host ${hostname()}`);
        await processCount(1, 'the owner to start the deployment created elsewhere');
        for (const replica of await replicaProcesses(modelFile)) expect(replica.cwd.startsWith(first.config.dataDir)).toBe(true);
        // Removed by the owner itself now: the next test takes ownership away from it.
        expect((await call(first, 'DELETE', `/api/deployments/${recorded.json<DeploymentBody>().id}`)).statusCode).toBe(204);
        await processCount(0, 'the owner to remove the deployment created elsewhere');
      } finally {
        await third.close();
      }
    } finally {
      await second.close().catch(() => undefined);
    }
  });

  it('lets exactly one of two instances starting together claim a local cluster registered without an owner', async () => {
    // As after the upgrade that introduced owners: cluster local exists, nobody owns it.
    await first.database.handle.db.execute(sql`UPDATE clusters SET owner_host_id = NULL, owner_hostname = NULL WHERE name = 'local'`);
    const [a, b] = await Promise.all([composeSecondInstance(first, env), composeSecondInstance(first, env)]);
    try {
      const ids = await Promise.all([a, b].map(async (instance) => (await readFile(path.join(instance.dataDir, 'host-id'), 'utf8')).trim()));
      const owner = (await call(a, 'GET', '/api/clusters/local')).json<{ ownerHost: { id: string } }>().ownerHost;
      expect(ids).toContain(owner.id);
      // The loser tests nothing and answers by the winner's name.
      const loser = ids[0] === owner.id ? b : a;
      const refused = await call(loser, 'POST', '/api/clusters/local/test');
      expect(refused.json()).toMatchObject({ error: { code: 'CLUSTER_OWNED_BY_OTHER_HOST' } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
