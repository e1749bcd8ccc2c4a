import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHfHub, type FakeHfHub } from '../fakes/fake-hf-hub.js';
import { loadToken } from '../../src/cli/credentials.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';

const TOKEN = 'cli-test-token';

// The CLI against a real server process: login, then clusters and models through the HTTP API.
describe('hmas CLI against a running server', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let hub: FakeHfHub;
  let kube: FakeKubeApiServer;
  let env: Record<string, string>;
  const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-cli-remote-'));
    hub = await startFakeHfHub();
    kube = await startFakeKubeApiServer({ token: TOKEN });
    server = await startServerProcess({ HMAS_DATA_DIR: dataDir, HMAS_ADMIN_PASSWORD: 'admin-password-remote', HF_ENDPOINT: hub.url, HMAS_LOG_LEVEL: 'warn' });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dataDir, 'cli', 'credentials.json'), HMAS_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await hub?.close();
    await kube?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('tells a person to log in when there is no session, and refuses a wrong password', async () => {
    const anonymous = await cli(['cluster', 'list']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/Sign in first[\s\S]*hmas login/);
    const wrong = await cli(['login', '--password-stdin'], 'not-the-password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('INVALID_CREDENTIALS');
    expect(wrong.stderr).not.toContain('Run "hmas login" first');
  });

  it('logs in and keeps the token in a file only its owner can read', async () => {
    const login = await cli(['login', '--username', 'admin', '--password-stdin'], 'admin-password-remote\n');
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain('Signed in');
    expect((await stat(env.HMAS_CREDENTIALS_FILE!)).mode & 0o777).toBe(0o600);
  });

  it('adds, lists, tests and removes a kubeconfig cluster', async () => {
    const kubeconfigFile = path.join(dataDir, 'kubeconfig.yaml');
    await writeFile(kubeconfigFile, kube.kubeconfig());
    const added = await cli(['cluster', 'add', 'gpu-east', '--kubeconfig', kubeconfigFile, '--type', 'HP', '--label', 'region=us-east', '--label', 'tier=gold']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/OK: /);
    expect(added.stdout).toContain('gpu-east');

    const listed = await cli(['--output', 'json', 'cluster', 'list']);
    const clusters = JSON.parse(listed.stdout) as Array<{ name: string; type: string; labels: Record<string, string>; connection: Record<string, unknown> }>;
    const east = clusters.find((cluster) => cluster.name === 'gpu-east');
    expect(east).toMatchObject({ type: 'HP', labels: { region: 'us-east', tier: 'gold' } });
    expect(listed.stdout).not.toContain(TOKEN);
    expect(clusters.map((cluster) => cluster.name)).toContain('local');

    const table = await cli(['cluster', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+KIND\s+READY/);

    const tested = await cli(['cluster', 'test', 'gpu-east']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^OK:/);

    const removed = await cli(['cluster', 'rm', 'gpu-east']);
    expect(removed.stdout).toContain('Removed cluster gpu-east');
    const missing = await cli(['cluster', 'test', 'gpu-east']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CLUSTER_NOT_FOUND');
  });

  it('refuses to add a cluster whose connection test fails, unless told to', async () => {
    const kubeconfigFile = path.join(dataDir, 'wrong-token.yaml');
    await writeFile(kubeconfigFile, kube.kubeconfig({ token: 'wrong-token' }));
    const refused = await cli(['cluster', 'add', 'bad-token', '--kubeconfig', kubeconfigFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAILED:/);
    expect(refused.stderr).toContain('--no-test');
    const forced = await cli(['cluster', 'add', 'bad-token', '--kubeconfig', kubeconfigFile, '--no-test']);
    expect(forced.code).toBe(0);
  });

  it('imports a model from the hub, lists it as JSON and removes it by name', async () => {
    const imported = await cli(['model', 'import', 'Qwen/Qwen2.5-0.5B-Instruct']);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Qwen2.5-0.5B-Instruct');

    const listed = await cli(['-o', 'json', 'model', 'list']);
    const models = JSON.parse(listed.stdout) as Array<{ name: string; category: string; hfRepoId: string }>;
    expect(models).toContainEqual(expect.objectContaining({ name: 'Qwen2.5-0.5B-Instruct', category: 'LLM', hfRepoId: 'Qwen/Qwen2.5-0.5B-Instruct' }));

    const removed = await cli(['model', 'rm', 'Qwen2.5-0.5B-Instruct']);
    expect(removed.stdout).toContain('Removed model Qwen2.5-0.5B-Instruct');
    const unknown = await cli(['model', 'rm', 'no-such-model']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No model named "no-such-model"');
  });

  it('logs out, ending the session on the server too', async () => {
    const token = (await loadToken(env.HMAS_CREDENTIALS_FILE!, server.url))!;
    expect(token).toBeTruthy();
    const me = () => fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    expect((await cli(['logout'])).stdout).toBe(`Signed out of ${server.url}.\n`);
    expect((await cli(['model', 'list'])).code).toBe(1);
    // A copy of the token kept elsewhere no longer works.
    expect((await me()).status).toBe(401);
  });

  it('says clearly when the server cannot be reached', async () => {
    const result = await runCli(['cluster', 'list'], { env: { ...env, HMAS_SERVER: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the H-MAS server at http://127.0.0.1:9');
  });
});
