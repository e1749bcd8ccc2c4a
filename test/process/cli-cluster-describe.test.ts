import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApiServer, withMigNode, type FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';

const TOKEN = 'describe-test-token-0123456789';

interface Described {
  name: string;
  type: string;
  scheduler: string;
  connection: Record<string, unknown>;
  readiness: { state: string };
  lastTest: { ok: boolean } | null;
  inventory: { nodes: Array<{ name: string; mig?: { strategy: string | null; devices: Array<{ profile: string; count: number; allocated: number }> } }>; totals: { gpus: number } } | null;
  deployments: Array<{ name: string; runtime: string; replicas: number }>;
  deploymentsTotal: number;
  warmer: { cluster: string; phase: string; images: unknown[] };
}

// `hmas cluster describe` against a real server process: a kubeconfig cluster (a fake API server
// whose nodes include one under the MIG mixed strategy) and the local host with a deployment on it.
describe('hmas cluster describe against a running server', { timeout: 120_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let kube: FakeKubeApiServer;
  let env: Record<string, string>;
  const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-cli-describe-');
    kube = await startFakeKubeApiServer({ token: TOKEN, ...withMigNode() });
    // No nvidia-smi: the local host's inventory is the same on every machine.
    server = await startServerProcess({ HMAS_DATA_DIR: path.join(dir, 'data'), HMAS_ADMIN_PASSWORD: 'admin-password-describe', HMAS_LOG_LEVEL: 'warn', HMAS_NVIDIA_SMI: '/nonexistent/hmas-describe/nvidia-smi' });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dir, 'credentials.json') };
    expect((await cli(['login', '--password-stdin'], 'admin-password-describe\n')).code).toBe(0);
    const kubeconfigFile = path.join(dir, 'kubeconfig.yaml');
    await writeFile(kubeconfigFile, kube.kubeconfig({ namespace: 'ignored-by-hmas' }));
    const added = await cli(['cluster', 'add', 'gpu-mig', '--kubeconfig', kubeconfigFile, '--namespace', 'inference', '--type', 'HP', '--scheduler', 'koordinator', '--label', 'region=eu-west', '--display-name', 'GPU MIG']);
    expect(added.stderr).toBe('');
    // The saved cluster's own test: its readiness, last test and inventory.
    expect((await cli(['cluster', 'test', 'gpu-mig'])).code).toBe(0);
    // A deployment on the local host with no replicas: listed, nothing started.
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-describe' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const model = await fetch(`${server.url}/api/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' }),
    });
    expect(model.status).toBe(201);
    const deployed = await cli(['deploy', 'tiny-chat', '--name', 'idle-chat', '--replicas', '0']);
    expect(deployed.stderr).toBe('');
  });
  afterAll(async () => {
    await cli(['rm', 'idle-chat']).catch(() => undefined);
    server?.child.kill('SIGTERM');
    await server?.exited;
    await kube?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('describes a kubeconfig cluster for a person: connection without secrets, readiness, last test, nodes with GPUs and MIG, totals', async () => {
    const described = await cli(['cluster', 'describe', 'gpu-mig']);
    expect(described.stderr).toBe('');
    expect(described.code).toBe(0);
    const out = described.stdout;
    expect(out).toMatch(/^Name:\s+gpu-mig \(GPU MIG\)$/m);
    expect(out).toMatch(/^Type:\s+HP — High Performance$/m);
    expect(out).toMatch(/^Scheduler:\s+koordinator$/m);
    expect(out).toMatch(/^Labels:\s+region=eu-west$/m);
    expect(out).toMatch(/^Readiness:\s+ready \(checked .+\) — /m);
    expect(out).toMatch(/^ {2}Kind:\s+kubeconfig$/m);
    expect(out).toMatch(new RegExp(`^ {2}API server:\\s+${kube.url.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(out).toMatch(/^ {2}Namespace:\s+inference$/m);
    expect(out).toMatch(/^ {2}TLS verification:\s+off \(insecure-skip-tls-verify\)$/m);
    expect(out).toMatch(/^ {2}Credentials:\s+stored, encrypted$/m);
    expect(out).toMatch(/^Last test: passed at .+$/m);
    expect(out).toMatch(/^ {2}✓ nodes: /m);
    expect(out).not.toContain(TOKEN);

    const nodeTable = out.slice(out.indexOf('Nodes ('), out.indexOf('Totals:')).split('\n');
    expect(nodeTable[1]).toMatch(/^ {2}NODE\s+READY\s+GPUS\s+ALLOCATED\s+MIG\s+CPUS\s+MEMORY$/);
    const row = (name: string) => nodeTable.find((line) => line.startsWith(`  ${name} `)) ?? '';
    expect(row('gpu-h100-1')).toMatch(/ready\s+NVIDIA-H100-80GB-HBM3 ×8 \(79\.6 GiB\)\s+4\/8\s+capable, not partitioned, strategy single\s+224/);
    expect(row('gpu-l40s-1')).toMatch(/not ready\s+NVIDIA-L40S ×4 \(45\.0 GiB\)\s+2\/4\s+not capable/);
    expect(row('gpu-a100-mig-1')).toContain('NVIDIA-A100-SXM4-80GB ×1 (80.0 GiB)');
    expect(row('gpu-a100-mig-1')).toContain('1g.10gb ×7 (2/7 allocated), 3g.40gb ×2 (0/2 allocated)');
    expect(row('cp-1')).toMatch(/^ {2}cp-1\s+ready\s+none\s+0\/0\s+-\s+16/);
    expect(out).toMatch(/^Totals: 3\/4 nodes ready, 13 GPUs \(6\/13 allocated\), .+ GPU memory, 432 CPU cores, .+ memory$/m);
    expect(out).toContain('Node gpu-a100-mig-1 offers MIG devices (7 × nvidia.com/mig-1g.10gb, 2 × nvidia.com/mig-3g.40gb)');
    expect(out).toMatch(/^Deployments \(0\):\n {2}\(none\)$/m);
    // The warmer syncs once a minute: before its first pass it is pending, after it idle (nothing deployed there).
    expect(out).toMatch(/^Image warmer: (pending — Not checked yet|idle — No deployment on this cluster runs a container image)/m);
  });

  it('lists the deployments placed on the cluster', async () => {
    const described = await cli(['cluster', 'describe', 'local']);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^ {2}Kind:\s+local$/m);
    expect(described.stdout).toMatch(/^Image warmer: unsupported — Only clusters reached with a kubeconfig have an image warmer\.$/m);
    expect(described.stdout).toMatch(/^Deployments \(1\):$/m);
    const table = described.stdout.slice(described.stdout.indexOf('Deployments (1):')).split('\n');
    expect(table[1]).toMatch(/^ {2}NAME\s+MODEL\s+RUNTIME\s+STATUS\s+READY\s+ID$/);
    expect(table[2]).toMatch(/^ {2}idle-chat\s+tiny-chat\s+embedded-llamacpp\s+\S+\s+0\/0\s+[0-9a-f-]{36}$/);
  });

  it('prints the cluster and its deployments as JSON with -o json, without the kubeconfig', async () => {
    const kubeJson = await cli(['-o', 'json', 'cluster', 'describe', 'gpu-mig']);
    expect(kubeJson.code).toBe(0);
    expect(kubeJson.stdout).not.toContain(TOKEN);
    const cluster = JSON.parse(kubeJson.stdout) as Described;
    expect(cluster).toMatchObject({ name: 'gpu-mig', type: 'HP', scheduler: 'koordinator', readiness: { state: 'ready' }, lastTest: { ok: true }, deployments: [], deploymentsTotal: 0 });
    expect(cluster.connection).toMatchObject({ kind: 'kubeconfig', server: kube.url, namespace: 'inference', hasCredentials: true });
    expect(cluster.connection).not.toHaveProperty('kubeconfig');
    const mig = cluster.inventory?.nodes.find((node) => node.name === 'gpu-a100-mig-1')?.mig;
    expect(mig?.strategy).toBe('mixed');
    expect(mig?.devices.map((device) => [device.profile, device.count, device.allocated])).toEqual([
      ['1g.10gb', 7, 2],
      ['3g.40gb', 2, 0],
    ]);

    const local = JSON.parse((await cli(['-o', 'json', 'cluster', 'describe', 'local'])).stdout) as Described;
    expect(local.deployments).toEqual([expect.objectContaining({ name: 'idle-chat', runtime: 'embedded-llamacpp', replicas: 0 })]);
    expect(local.deploymentsTotal).toBe(1);
    expect(local.warmer).toMatchObject({ cluster: 'local', phase: 'unsupported', images: [] });
  });

  it('says so, with exit code 1, for a cluster that is not registered', async () => {
    for (const name of ['no-such-cluster', 'Not_A_Name']) {
      const unknown = await cli(['cluster', 'describe', name]);
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toBe(`hmas: No cluster named "${name}". "hmas cluster list" shows the registered clusters.\n`);
    }
  });
});
