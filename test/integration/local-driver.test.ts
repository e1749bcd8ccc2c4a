import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConnector } from '../../src/clusters/cluster-connector.js';
import { createLocalDriver, type LocalDriver, type LocalDriverDeps } from '../../src/clusters/local/local-driver.js';
import { isRunning } from '../../src/clusters/local/process-tools.js';
import { renderWorkloadSpec, type ReplicaStatus, type WorkloadRuntime, type WorkloadSpec } from '../../src/domain/workload.js';
import { clusterDriverContract, type DriverHarness } from '../contracts/cluster-driver.contract.js';
import { waitFor } from '../support/wait-for.js';
import { fakeRuntime, fakeRuntimeProgram, type FakeBehaviour } from '../support/fake-runtime.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/** Root switches replicas to the runtime user (HMAS_RUNTIME_USER, default nobody); CI runs as root. */
const runsAsRuntimeUser = process.getuid?.() === 0;

/** Back-off, health polling and the stop grace are cut short; deadlines stay generous except where a test sets one. */
const TIMING: LocalDriverDeps['timing'] = {
  backoff: { initialMs: 100, maxMs: 1000, crashLoopAfter: 3 },
  healthIntervalMs: 100,
  readyCheckIntervalMs: 500,
  stopGraceMs: 3000,
  logPollMs: 50,
};

/** `test` and `inventory` are the local connector's (tested on their own); here only the delegation is checked. */
const connector: ClusterConnector = {
  kind: 'local',
  test: async () => ({ ok: true, message: 'Local host test-box.', checks: [], readiness: 'ready', inventory: null }),
  inventory: async () => ({
    collectedAt: new Date(0).toISOString(),
    nodes: [],
    totals: { nodes: 0, readyNodes: 0, gpus: 0, gpuMemoryMiB: 0, gpuAllocatable: 0, gpuAllocated: 0, cpuCores: 2, memoryBytes: 0 },
    notes: [],
  }),
};

/** The environment a process runs with, from /proc. */
async function environOf(pid: number): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await readFile(`/proc/${pid}/environ`, 'utf8'))
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** Live processes whose working directory is under `dir`: every replica runs in its workload's directory. */
async function processesUnder(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => null);
    if (cwd !== null && (cwd === dir || cwd.startsWith(`${dir}/`)) && (await isRunning(Number(entry)))) found.push(Number(entry));
  }
  return found;
}

interface LocalHarness extends DriverHarness {
  driver: LocalDriver;
  dataDir: string;
  program: string;
}

async function createHarness(overrides: Partial<LocalDriverDeps> = {}): Promise<LocalHarness> {
  const program = await fakeRuntimeProgram();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-local-driver-'));
  const make = () => createLocalDriver({ dataDir, logger, env: process.env, selfCommand: null, connector, timing: TIMING, ...overrides });
  const harness: LocalHarness = {
    driver: make(),
    dataDir,
    program,
    runtime: (behaviour: FakeBehaviour) => fakeRuntime(program, behaviour),
    missingRuntime: () => ({ runtime: fakeRuntime(program, {}, { binary: 'hmas-test-no-such-runtime' }), program: 'hmas-test-no-such-runtime' }),
    replicaRunning: async (replica: ReplicaStatus) => replica.pid !== null && (await isRunning(replica.pid)),
    async restartDriver(meanwhile) {
      await harness.driver.close();
      await meanwhile?.();
      harness.driver = make();
      await harness.driver.start();
      return harness.driver;
    },
    async killReplica(replica) {
      const pid = replica.pid;
      if (pid === null) return;
      process.kill(pid, 'SIGKILL');
      await waitFor(`pid ${pid} to end`, async () => ((await isRunning(pid)) ? undefined : true));
    },
    async close() {
      for (const summary of await harness.driver.list()) await harness.driver.remove(summary.name);
      await harness.driver.close();
      const left = await processesUnder(dataDir);
      for (const pid of left) process.kill(-pid, 'SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      expect(left, 'replica processes left running').toEqual([]);
    },
  };
  return harness;
}

clusterDriverContract('local host driver', { createHarness: () => createHarness() });

describe('local host driver', () => {
  let harness: LocalHarness;
  let counter = 0;

  beforeAll(async () => {
    await fakeRuntimeProgram();
  });
  beforeEach(async () => {
    harness = await createHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  /** Replaces the harness with one whose driver has other dependencies. */
  async function reharness(overrides: Partial<LocalDriverDeps>) {
    await harness.close();
    harness = await createHarness(overrides);
  }

  function render(runtime: WorkloadRuntime, settings: { extraArgs?: string[]; extraEnv?: Record<string, string | { secretRef: string }>; gpuCount?: number } = {}): WorkloadSpec {
    counter += 1;
    return renderWorkloadSpec({
      deployment: { id: randomUUID(), name: `local-${process.pid % 10_000}-${counter}`, replicas: 1 },
      model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
      runtime,
      resourceProfile: settings.gpuCount ? { gpuCount: settings.gpuCount, cpu: '1', memory: '1Gi' } : null,
      optimization: { raw: { ...(settings.extraArgs ? { extraArgs: settings.extraArgs } : {}), ...(settings.extraEnv ? { extraEnv: settings.extraEnv } : {}) } },
      progressDeadlineSeconds: 120,
    }).spec;
  }

  const phase = (name: string, wanted: string) =>
    waitFor(
      `${name} to be ${wanted}`,
      async () => {
        const status = await harness.driver.status(name);
        return status?.phase === wanted ? status : undefined;
      },
      { describe: async () => ({ status: await harness.driver.status(name), events: await harness.driver.events(name) }) },
    );
  const readyReplica = async (name: string) => (await phase(name, 'Available')).replicaStatuses[0] as ReplicaStatus & { pid: number };

  it('runs the rendered command as argv on 127.0.0.1: user text is never run by a shell nor expanded', async () => {
    const extraArgs = ['; touch /tmp/hmas-local-driver-pwned', '$(HMAS_RUNTIME_PORT)', '$HOME', "it's"];
    const workload = render(harness.runtime({}), { extraArgs });
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const cmdline = (await readFile(`/proc/${replica.pid}/cmdline`, 'utf8')).split('\0').slice(0, -1);
    expect(cmdline.slice(0, 2)).toEqual([process.execPath, harness.program]);
    expect(cmdline.slice(2, 6)).toEqual(['--host', '127.0.0.1', '--port', String(replica.port)]);
    expect(cmdline.slice(-4)).toEqual(extraArgs);
    expect(existsSync('/tmp/hmas-local-driver-pwned')).toBe(false);
    expect(await harness.driver.endpoints(workload.name)).toEqual([{ replica: replica.id, url: `http://127.0.0.1:${replica.port}/v1`, origin: `http://127.0.0.1:${replica.port}` }]);
  });

  it('gives runtimes their address and the environment they need, never the server’s secrets', async () => {
    await reharness({
      env: { PATH: process.env.PATH, HOME: '/home/test', HMAS_SECRET_KEY: 'k'.repeat(40), DATABASE_URL: 'postgres://u:secret@db/x', HF_TOKEN: 'hf_secret', CUDA_VISIBLE_DEVICES: '1' },
    });
    const workload = render(harness.runtime({}), { extraEnv: { EXTRA: 'on port $(HMAS_RUNTIME_PORT)' } });
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const environ = await environOf(replica.pid);
    expect(environ).toMatchObject({
      // As root, replicas run as the runtime user with a home of their own in the workload's folder.
      HOME: runsAsRuntimeUser ? path.join(harness.dataDir, 'workloads', workload.name, 'home') : '/home/test',
      CUDA_VISIBLE_DEVICES: '1',
      HMAS_RUNTIME_HOST: '127.0.0.1',
      HMAS_RUNTIME_PORT: String(replica.port),
      FAKE_RUNTIME_LISTEN: `127.0.0.1:${replica.port}`,
      // User text is never expanded: only what the adapter renders from the address is.
      EXTRA: 'on port $(HMAS_RUNTIME_PORT)',
    });
    for (const secret of ['HMAS_SECRET_KEY', 'DATABASE_URL', 'HF_TOKEN']) expect(environ).not.toHaveProperty(secret);
  });

  it('gives a replica the values of the secrets its spec names, read at each start, and keeps them out of state.json and the log', async () => {
    const values = new Map([['hf-token', 'hf_first_value']]);
    await reharness({ resolveSecret: async (name) => values.get(name) });
    const workload = render(harness.runtime({ printLines: 2 }), { extraEnv: { HF_TOKEN: { secretRef: 'hf-token' }, PLAIN: 'x' } });
    expect(workload.secretEnv).toEqual({ HF_TOKEN: 'hf-token' });
    await harness.driver.apply(workload);
    const first = await readyReplica(workload.name);
    expect(await environOf(first.pid)).toMatchObject({ HF_TOKEN: 'hf_first_value', PLAIN: 'x' });

    // A rotation reaches the replica when it next starts, as secretKeyRef does on Kubernetes.
    values.set('hf-token', 'hf_rotated_value');
    expect(await environOf(first.pid)).toMatchObject({ HF_TOKEN: 'hf_first_value' });
    await harness.killReplica(first);
    const restarted = await waitFor('the replica to run again', async () => {
      const replica = (await harness.driver.status(workload.name))?.replicaStatuses[0];
      return replica?.ready && replica.pid !== null && replica.pid !== first.pid ? (replica as ReplicaStatus & { pid: number }) : undefined;
    });
    expect(await environOf(restarted.pid)).toMatchObject({ HF_TOKEN: 'hf_rotated_value' });

    const dir = path.join(harness.dataDir, 'workloads', workload.name);
    // Every file the driver wrote, its home for the runtime user included.
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    const written = await Promise.all(files.map((entry) => readFile(path.join(entry.parentPath, entry.name), 'utf8')));
    for (const text of written) expect(text).not.toMatch(/hf_first_value|hf_rotated_value/);
    expect(JSON.stringify(await harness.driver.events(workload.name))).not.toMatch(/hf_first_value|hf_rotated_value/);
  });

  it('does not start a replica whose secret is missing, and says which one', async () => {
    await reharness({ resolveSecret: async () => undefined });
    const workload = render(harness.runtime({}), { extraEnv: { HF_TOKEN: { secretRef: 'gone-token' } } });
    await harness.driver.apply(workload);
    const status = await phase(workload.name, 'Failed');
    expect(status.reason).toBe('CreateContainerConfigError');
    expect(status.message).toContain('Secret "gone-token" (for HF_TOKEN) not found');
    expect(status.replicaStatuses[0]?.pid).toBeNull();
  });

  it('keeps its state and each replica’s log in the data directory, and deletes them on remove', async () => {
    const workload = render(harness.runtime({ printLines: 2 }));
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const dir = path.join(harness.dataDir, 'workloads', workload.name);
    // state.json is replaced atomically (write a temporary file, rename): one may be mid-write.
    const files = (await readdir(dir)).filter((name) => !name.endsWith('.tmp'));
    expect(files.sort()).toEqual([...(runsAsRuntimeUser ? ['home'] : []), `${replica.id}.log`, 'state.json']);
    const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as { spec: WorkloadSpec; replicas: Array<Record<string, unknown>> };
    expect(state.spec).toEqual(workload);
    expect(state.replicas[0]).toMatchObject({ id: replica.id, pid: replica.pid, port: replica.port });
    expect((state.replicas[0]?.argv as string[]).slice(0, 2)).toEqual([process.execPath, harness.program]);
    await harness.driver.remove(workload.name);
    expect(existsSync(dir)).toBe(false);
  });

  it('kills a replica that ignores SIGTERM once the grace period is over', async () => {
    await reharness({ timing: { ...TIMING, stopGraceMs: 300 } });
    const workload = render(harness.runtime({ ignoreSigterm: true }));
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    expect(await harness.driver.remove(workload.name)).toEqual({ removed: true });
    expect(await isRunning(replica.pid)).toBe(false);
  });

  it('starts the embedded runtime through the hmas command it is given', async () => {
    await reharness({ selfCommand: { command: process.execPath, args: [harness.program] } });
    const workload = render(fakeRuntime(harness.program, {}, { self: true }));
    expect(workload.command.type).toBe('self');
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const cmdline = (await readFile(`/proc/${replica.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline.slice(0, 4)).toEqual([process.execPath, harness.program, '--host', '127.0.0.1']);
  });

  it('fails with BinaryNotFound, saying how to build it, when there is no hmas command for the embedded runtime', async () => {
    const workload = render(fakeRuntime(harness.program, {}, { self: true }));
    await harness.driver.apply(workload);
    const status = await phase(workload.name, 'Failed');
    expect(status).toMatchObject({ reason: 'BinaryNotFound' });
    expect(status.message).toContain('npm run build');
  });

  it('names the setting when a configured runtime program does not exist', async () => {
    await reharness({ binaryPaths: { llamacpp: '/nonexistent/llama-server' } });
    const workload = render(fakeRuntime(harness.program, {}, { binary: 'llama-server' }));
    await harness.driver.apply(workload);
    const status = await phase(workload.name, 'Failed');
    expect(status.replicaStatuses[0]).toMatchObject({ state: 'failed', pid: null, reason: 'BinaryNotFound' });
    expect(status.message).toContain('/nonexistent/llama-server (set by HMAS_RUNTIME_BIN_LLAMACPP) is not an executable file');
  });

  it('says which setting to use when a runtime program is not on PATH', async () => {
    const workload = render(fakeRuntime(harness.program, {}, { binary: 'llama-server-not-installed-here' }));
    await harness.driver.apply(workload);
    const status = await phase(workload.name, 'Failed');
    expect(status.message).toContain('llama-server-not-installed-here was not found on PATH: install it or set HMAS_RUNTIME_BIN_LLAMACPP');
  });

  it('starts a replica that could not start once the program is there and the same spec is applied again', async () => {
    const binaryPaths: { llamacpp?: string } = { llamacpp: '/nonexistent/llama-server' };
    await reharness({ binaryPaths });
    const workload = render(fakeRuntime(harness.program, {}, { binary: 'llama-server' }));
    await harness.driver.apply(workload);
    await phase(workload.name, 'Failed');
    // The operator installs the program (here: the setting now names node, which runs the fake).
    binaryPaths.llamacpp = process.execPath;
    expect(await harness.driver.apply(workload)).toMatchObject({ action: 'unchanged' });
    const replica = await readyReplica(workload.name);
    expect(replica).toMatchObject({ restarts: 1, reason: null });
  });

  it('waits 1×, 2×, 4×, 8× the initial back-off between the restarts of a crashing replica', async () => {
    const delays: number[] = [];
    await reharness({
      timing: { ...TIMING, backoff: { initialMs: 150, maxMs: 2000, crashLoopAfter: 3 } },
      setTimer: (fn, ms) => {
        delays.push(ms);
        return setTimeout(fn, ms);
      },
    });
    const workload = render(harness.runtime({ crashAfterMs: 100 }));
    await harness.driver.apply(workload);
    await waitFor('four restarts', async () => ((await harness.driver.status(workload.name))?.replicaStatuses[0]?.restarts ?? 0) >= 4 || undefined);
    // Other timers (health checks every 100 ms, the 120 s deadline) have other lengths.
    expect(delays.filter((ms) => [150, 300, 600, 1200, 2000].includes(ms)).slice(0, 4)).toEqual([150, 300, 600, 1200]);
  });

  it('takes a ready replica out of the endpoints while its health check fails, without restarting it, and back in after', async () => {
    const flag = path.join(harness.dataDir, 'unhealthy');
    const workload = render(harness.runtime({ unhealthyWhile: flag }));
    await harness.driver.apply(workload);
    const ready = await readyReplica(workload.name);
    await writeFile(flag, '');
    const status = await waitFor('the replica to be unready', async () => {
      const seen = await harness.driver.status(workload.name);
      return seen?.replicaStatuses[0]?.state === 'unready' ? seen : undefined;
    });
    expect(status).toMatchObject({ phase: 'Progressing', reason: 'Unhealthy', replicas: expect.objectContaining({ ready: 0 }) });
    expect(status.replicaStatuses[0]).toMatchObject({ pid: ready.pid, restarts: 0, ready: false });
    expect(await harness.driver.endpoints(workload.name)).toEqual([]);
    expect(await harness.driver.events(workload.name)).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'Unhealthy' }));

    await rm(flag);
    expect(await readyReplica(workload.name)).toMatchObject({ pid: ready.pid, restarts: 0 });
    expect(await harness.driver.endpoints(workload.name)).toHaveLength(1);
  });

  it('after a restart, leaves alone a process that got a saved replica’s pid, and starts the replica anew', async () => {
    const workload = render(harness.runtime({}));
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await harness.restartDriver(async () => {
        await harness.killReplica(replica);
        // The pid now belongs to someone else (as after a reboot or pid wrap-around).
        const file = path.join(harness.dataDir, 'workloads', workload.name, 'state.json');
        const state = JSON.parse(await readFile(file, 'utf8')) as { replicas: Array<{ pid: number }> };
        (state.replicas[0] as { pid: number }).pid = stranger.pid as number;
        await writeFile(file, JSON.stringify(state));
      });
      const after = await readyReplica(workload.name);
      expect(after.pid).not.toBe(stranger.pid);
      expect(after.restarts).toBe(1);
      expect(await isRunning(stranger.pid as number)).toBe(true);
      await harness.driver.remove(workload.name);
      expect(await isRunning(stranger.pid as number)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('gives each replica that asks for GPUs its own through CUDA_VISIBLE_DEVICES, and starts one that waited once GPUs are free', async () => {
    await reharness({ gpuIndices: async () => [0, 1, 2] });
    const environOf = async (pid: number) => (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const first = render(harness.runtime({}), { gpuCount: 2 });
    await harness.driver.apply(first);
    const firstReplica = await readyReplica(first.name);
    expect(firstReplica.gpus).toEqual([0, 1]);
    expect(await environOf(firstReplica.pid)).toEqual(expect.arrayContaining(['CUDA_VISIBLE_DEVICES=0,1', 'CUDA_DEVICE_ORDER=PCI_BUS_ID']));

    const second = render(harness.runtime({}), { gpuCount: 2 });
    await harness.driver.apply(second);
    const waiting = await phase(second.name, 'Failed');
    expect(waiting).toMatchObject({ reason: 'InsufficientGPU', message: expect.stringContaining("Needs 2 GPU(s); 1 of the host's 3 are free") });

    await harness.driver.remove(first.name);
    const secondReplica = await readyReplica(second.name);
    expect(secondReplica.gpus).toEqual([0, 1]);
    expect(await environOf(secondReplica.pid)).toContain('CUDA_VISIBLE_DEVICES=0,1');
  });

  it('refuses to start a replica whose spec sets a loader hook or a variable H-MAS owns, naming it, and runs nothing', async () => {
    const workload = render(harness.runtime({}), { extraEnv: { NODE_OPTIONS: '--import=data:text/javascript,console.log(1)', CUDA_VISIBLE_DEVICES: '0' } });
    await harness.driver.apply(workload);
    const status = await phase(workload.name, 'Failed');
    expect(status.replicaStatuses[0]).toMatchObject({ state: 'failed', pid: null, reason: 'FailedToStart' });
    expect(status.message).toContain('NODE_OPTIONS is not allowed on the local host');
    expect(status.message).toContain('CUDA_VISIBLE_DEVICES is not allowed on the local host');
    expect(await processesUnder(path.join(harness.dataDir, 'workloads', workload.name))).toEqual([]);
  });

  it.runIf(runsAsRuntimeUser)('runs replicas as the runtime user without supplementary groups, in a data directory only the server can list', async () => {
    const workload = render(harness.runtime({}));
    await harness.driver.apply(workload);
    const replica = await readyReplica(workload.name);
    const status = await readFile(`/proc/${replica.pid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim().split(/\s+/);
    expect(field('Uid')).toEqual(['65534', '65534', '65534', '65534']);
    expect(field('Gid')).toEqual(['65534', '65534', '65534', '65534']);
    expect(field('Groups')?.filter(Boolean)).toEqual([]);
    expect((await stat(harness.dataDir)).mode & 0o777).toBe(0o711);
    const home = await stat(path.join(harness.dataDir, 'workloads', workload.name, 'home'));
    expect({ uid: home.uid, mode: home.mode & 0o777 }).toEqual({ uid: 65534, mode: 0o700 });
  });

  it('delegates test and inventory to the local host connector', async () => {
    expect(harness.driver.kind).toBe('local');
    expect(await harness.driver.test()).toMatchObject({ ok: true, message: 'Local host test-box.' });
    expect((await harness.driver.inventory()).totals.cpuCores).toBe(2);
  });
});
