// What a connection test says when it fails: the reason in words, never an exception's message.
// A test before saving stores nothing, so this runs on PGlite only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED, kubeconfigFor, startFakeKubeApiServer, type FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'sa-token-errors-0123456789-abcdefghijklmnop';
/** Text that only an exception of H-MAS, Node or the Kubernetes client would write. */
const INTERNAL = /Cannot read properties|is not iterable|is not a function|undefined|PEM routines|TypeError|SyntaxError|Unexpected token|at .*\.js/;

interface Report {
  ok: boolean;
  message: string;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

describe('connection test errors (pglite)', { timeout: 60_000 }, () => {
  let t: TestApp;
  const fakes: FakeKubeApiServer[] = [];
  let plain: http.Server;

  const fakeWith = async (options: Omit<Parameters<typeof startFakeKubeApiServer>[0], 'token'>) => {
    const fake = await startFakeKubeApiServer({ token: TOKEN, ...options });
    fakes.push(fake);
    return fake;
  };
  const test = async (connection: Record<string, unknown>): Promise<Report> => {
    const response = await t.app.inject({ method: 'POST', url: '/api/clusters/test', headers: await t.admin(), payload: { connection } });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<Report>();
    expect(report.ok).toBe(false);
    for (const text of [report.message, ...report.checks.map((check) => check.detail)]) expect(text).not.toMatch(INTERNAL);
    return report;
  };
  const kubeconfigTest = (kubeconfig: string) => test({ kind: 'kubeconfig', kubeconfig });

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_NVIDIA_SMI: '/nonexistent/hmas-test/nvidia-smi' });
    // Answers every request with a page of HTML, as a web server at the wrong address would.
    plain = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>It works!</body></html>');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await t?.close();
    for (const fake of fakes) await fake.close();
    plain?.closeAllConnections();
    await new Promise<void>((resolve) => plain?.close(() => resolve()));
  });

  it.each([
    ['an empty object for the version', { version: {} }],
    ['a list for the version', { version: [] }],
    ['a string for the version', { version: 'hello' }],
  ])('says a server that answers %s is not a Kubernetes API server', async (_what, options) => {
    const fake = await fakeWith(options);
    const report = await kubeconfigTest(fake.kubeconfig());
    expect(report.message).toMatch(/answered, but not like a Kubernetes API server .*check that this is the API server's address/);
  });

  it.each([
    ['an object without items', {}],
    ['items that are not a list', { items: 5 }],
    ['a list of nulls', { items: [null, null] }],
    ['nodes whose conditions are not a list', { items: [{ metadata: { name: 'n1' }, status: { conditions: 5, capacity: 'x' } }] }],
  ])('says what is wrong when the node list is %s, instead of "Cannot read properties of undefined"', async (_what, nodes) => {
    const fake = await fakeWith({ nodes });
    const report = await kubeconfigTest(fake.kubeconfig());
    expect(report.message).toMatch(/^(Kubernetes v[\d.]+ answers, but listing nodes failed: .*not like a Kubernetes API server|Kubernetes v[\d.]+: \d+ nodes? \(0 Ready\))/);
  });

  it('says a web page is not a Kubernetes API server', async () => {
    const { port } = plain.address() as AddressInfo;
    const report = await kubeconfigTest(kubeconfigFor(`http://127.0.0.1:${port}`, TOKEN));
    expect(report.message).toMatch(/not like a Kubernetes API server/);
  });

  it('names a TLS handshake failure when https:// points at a plain HTTP server', async () => {
    const { port } = plain.address() as AddressInfo;
    const report = await kubeconfigTest(kubeconfigFor(`https://127.0.0.1:${port}`, TOKEN));
    expect(report.message).toMatch(/TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed .*check that it serves HTTPS/);
  });

  it('names certificate data that is not PEM instead of quoting OpenSSL', async () => {
    const fake = await fakeWith({});
    const garbage = Buffer.from('not a certificate').toString('base64');
    const kubeconfig = fake
      .kubeconfig()
      .replace('http://', 'https://')
      .replace(`    token: ${TOKEN}`, `    client-certificate-data: ${garbage}\n    client-key-data: ${garbage}`);
    const report = await kubeconfigTest(kubeconfig);
    expect(report.message).toMatch(/certificate or key data in the kubeconfig cannot be read/);
  });

  it('names a DNS failure', async () => {
    const report = await kubeconfigTest(kubeconfigFor('https://no-such-host.invalid:6443', TOKEN));
    expect(report.message).toBe('Cannot reach the cluster: the host of https://no-such-host.invalid:6443 cannot be resolved (DNS).');
  });

  it('names refused credentials (401) and a missing permission (403)', async () => {
    const fake = await fakeWith({ forbidden: ['/api/v1/nodes'] });
    expect((await kubeconfigTest(fake.kubeconfig({ token: 'not-the-token' }))).message).toMatch(/refused the credentials \(HTTP 401 Unauthorized\)/);
    expect((await kubeconfigTest(fake.kubeconfig())).message).toMatch(/listing nodes failed: the credentials are not allowed to do this \(HTTP 403 Forbidden\)/);
  });

  it('names a Karmada member that does not exist, and an answer that is not a Cluster object', async () => {
    const karmada = await fakeWith({ version: RECORDED.karmadaVersion, karmadaClusters: { odd: { spec: 5 } } });
    const missing = await test({ kind: 'federation', kubeconfig: karmada.kubeconfig(), memberCluster: 'no-such-member' });
    expect(missing.message).toMatch(/Karmada has no member cluster "no-such-member"/);
    const odd = await test({ kind: 'federation', kubeconfig: karmada.kubeconfig(), memberCluster: 'odd' });
    expect(odd.message).toMatch(/reading member cluster "odd" failed: .*not a Cluster object/);
  });

  it.each([
    ['a context without its section', 'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://k8s.example:6443\ncontexts:\n- name: x\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: t\n', /context "x" has no context section/],
    ['a cluster without a server', 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: t\n', /cluster "c" has no server URL/],
    ['another cluster without a server', 'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://k8s.example:6443\n- name: d\n  cluster:\n    insecure-skip-tls-verify: true\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: t\n', /clusters\[1\]\.cluster\.server is missing/],
    ['a user the context names but the file lacks', 'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://k8s.example:6443\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: nobody\ncurrent-context: x\nusers: []\n', /refers to user "nobody"/],
  ])('refuses a kubeconfig with %s with 400 INVALID_CONNECTION saying so', async (_what, kubeconfig, message) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/clusters/test', headers: await t.admin(), payload: { connection: { kind: 'kubeconfig', kubeconfig } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_CONNECTION', message: expect.stringMatching(message) });
    expect(response.json().error.message).not.toMatch(INTERNAL);
  });
});
