// A Karmada API server for the federation suites. Karmada's control plane is a stock
// kube-apiserver (karmada-apiserver) with Karmada's CRDs and no workload controllers — so a
// resource template (a Deployment) there runs nothing and keeps the status Karmada writes. The
// node's own API server cannot stand in for it: its deployment controller would run the template
// and overwrite that status — and, built with Go >= 1.18 against Kubernetes 1.20's vendored
// reflect2, it crashes on the first custom resource it stores (test/fixtures/karmada/
// build-apiserver.sh says why). This starts a second kube-apiserver, built from the node's source
// tree with that fix (built once, on first use, into $K8SNODE_HOME/karmada/), on the node's etcd
// under its own key prefix (removed again on close), with Karmada's CRDs (test/fixtures/karmada/)
// installed. Karmada's controllers cannot be built here: tests play their part
// (test/support/karmada-stand-in.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './wait-for.js';
import type { KubeNode } from './kube-node.js';

export interface KarmadaApiServer {
  /** Admin (system:masters). */
  kubeconfig: string;
  /** A user the API server knows but RBAC grants nothing: every call answers 403. */
  unprivilegedKubeconfig: string;
  kubeconfigPath: string;
  server: string;
  close(): Promise<void>;
}

const CRDS = path.resolve(import.meta.dirname, '../fixtures/karmada');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The node's etcd, from its kube-apiserver's command line. */
function nodeEtcd(node: KubeNode): string {
  const pid = readFileSync(path.join(node.home, 'run', 'pids', 'kube-apiserver.pid'), 'utf8').trim();
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const flag = argv.find((arg) => arg.startsWith('--etcd-servers='));
  if (!flag) throw new Error('The node\'s kube-apiserver has no --etcd-servers flag.');
  return flag.slice('--etcd-servers='.length);
}

function ready(port: number, token: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, headers: { authorization: `Bearer ${token}` }, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The fixed kube-apiserver, built when missing (minutes, once). */
function karmadaApiServerBinary(node: KubeNode): string {
  const binary = path.join(node.home, 'karmada', 'kube-apiserver');
  if (existsSync(binary)) return binary;
  console.warn(`\n⚠ building ${binary} (Karmada API server for the federation tests; once, a few minutes)\n`);
  const result = spawnSync('bash', [path.join(CRDS, 'build-apiserver.sh'), binary], { encoding: 'utf8', env: { ...process.env, K8SNODE_HOME: node.home } });
  if (result.status !== 0) throw new Error(`building the Karmada API server failed: ${result.stderr.slice(-2000)}`);
  return binary;
}

export async function startKarmadaApiServer(node: KubeNode, prefix: string): Promise<KarmadaApiServer> {
  const binary = karmadaApiServerBinary(node);
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-karmada-`));
  const token = randomBytes(16).toString('hex');
  const unprivileged = randomBytes(16).toString('hex');
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n${unprivileged},nobody,nobody\n`, { mode: 0o600 });
  const port = await freePort();
  const etcd = nodeEtcd(node);
  const etcdPrefix = `/${prefix}-karmada`;
  const pki = path.join(node.home, 'run', 'pki');
  const child: ChildProcess = spawn(
    binary,
    [
      `--etcd-servers=${etcd}`,
      `--etcd-prefix=${etcdPrefix}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      '--endpoint-reconciler-type=none',
      `--cert-dir=${path.join(dir, 'serving')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://karmada-apiserver.test',
      `--service-account-key-file=${path.join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(pki, 'sa.key')}`,
      '--api-audiences=https://karmada-apiserver.test',
      '--service-cluster-ip-range=10.96.0.0/24',
      '--service-node-port-range=30200-30300',
      '--disable-admission-plugins=ServiceAccount',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const certPath = path.join(dir, 'serving', 'apiserver.crt');
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await removeEtcdPrefix(etcd, etcdPrefix);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'the Karmada API server to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`kube-apiserver (Karmada API server) exited ${child.exitCode}: ${stderr}`);
        return existsSync(certPath) && (await ready(port, token, readFileSync(certPath, 'utf8'))) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const server = `https://127.0.0.1:${port}`;
    const kubeconfigOf = (user: string, userToken: string) =>
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: karmada, cluster: {server: "${server}", certificate-authority-data: ${readFileSync(certPath).toString('base64')}}}]`,
        `users: [{name: ${user}, user: {token: "${userToken}"}}]`,
        `contexts: [{name: karmada, context: {cluster: karmada, user: ${user}}}]`,
        'current-context: karmada',
        '',
      ].join('\n');
    const kubeconfig = kubeconfigOf('admin', token);
    const kubeconfigPath = path.join(dir, 'karmada.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const kubectl = (...args: string[]) => {
      const result = spawnSync(node.kubectl, ['--kubeconfig', kubeconfigPath, ...args], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    };
    kubectl('apply', '-f', path.join(CRDS, 'crds'));
    kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/propagationpolicies.policy.karmada.io', 'crd/overridepolicies.policy.karmada.io', 'crd/clusters.cluster.karmada.io', 'crd/resourcebindings.work.karmada.io');
    return { kubeconfig, unprivilegedKubeconfig: kubeconfigOf('nobody', unprivileged), kubeconfigPath, server, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Deletes what this API server wrote to the shared etcd (its own key prefix only), through etcd's v3 JSON gateway. */
async function removeEtcdPrefix(etcd: string, prefix: string): Promise<void> {
  if (!/^\/[a-z0-9-]+-karmada$/.test(prefix)) throw new Error(`refusing to delete etcd prefix ${prefix}`);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  // Every key under "<prefix>/": the range ends where "/" + 1 ("0") begins.
  try {
    const response = await fetch(`${etcd.split(',')[0]}/v3/kv/deleterange`, { method: 'POST', body: JSON.stringify({ key: b64(`${prefix}/`), range_end: b64(`${prefix}0`) }) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    console.warn(`⚠ could not remove etcd prefix ${prefix}/ of the test's Karmada API server: ${(error as Error).message}`);
  }
}
