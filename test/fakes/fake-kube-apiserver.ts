import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Kubernetes (or Karmada) API server, for the edge H-MAS cannot run here.
 * Plain HTTP on 127.0.0.1; answers recorded objects in the real API shapes (see ./kube/),
 * with bearer-token authentication and Kubernetes `Status` errors, so the real client
 * (@kubernetes/client-node) is exercised end to end.
 */

const load = (file: string): unknown => JSON.parse(readFileSync(new URL(`./kube/${file}`, import.meta.url), 'utf8'));

export const RECORDED = {
  version: load('version.json'),
  karmadaVersion: load('karmada-version.json'),
  nodes: load('nodes.json'),
  pods: load('pods.json'),
  karmadaClusterReady: load('karmada-cluster-ready.json'),
  karmadaClusterNotReady: load('karmada-cluster-not-ready.json'),
  /** A ready A100 node under the MIG mixed strategy (7 × 1g.10gb, 2 × 3g.40gb, one whole GPU), and a pod holding two 1g.10gb. */
  migNode: load('node-a100-mig.json'),
  migPod: load('pod-mig.json'),
};

/** The recorded nodes and pods with the MIG node and its pod added: options for a cluster that shows MIG. */
export function withMigNode(): { nodes: unknown; pods: unknown } {
  const add = (list: unknown, item: unknown) => ({ ...(list as object), items: [...(list as { items: unknown[] }).items, item] });
  return { nodes: add(RECORDED.nodes, RECORDED.migNode), pods: add(RECORDED.pods, RECORDED.migPod) };
}

export interface FakeKubeApiServerOptions {
  /** The bearer token it accepts. */
  token: string;
  version?: unknown;
  nodes?: unknown;
  pods?: unknown;
  /** Karmada member clusters by name (`/apis/cluster.karmada.io/v1alpha1/clusters/<name>`). */
  karmadaClusters?: Record<string, unknown>;
  /** Path prefixes answered with 403 Forbidden (e.g. `/api/v1/pods`). */
  forbidden?: string[];
  /** Path prefixes that never answer (for timeouts). */
  stalled?: string[];
}

export interface FakeKubeApiServer {
  url: string;
  /** Paths requested so far, with whether the right token came along. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  /** A kubeconfig for this server; `token` defaults to the accepted one. */
  kubeconfig(options?: { token?: string; context?: string; namespace?: string }): string;
  close(): Promise<void>;
}

function status(response: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }));
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Supports the `status.phase!=X` terms H-MAS sends; other selectors are ignored. */
function filterPods(list: unknown, fieldSelector: string | null): unknown {
  if (!fieldSelector) return list;
  const excluded = fieldSelector
    .split(',')
    .map((term) => /^status\.phase!=(\w+)$/.exec(term)?.[1])
    .filter((phase): phase is string => phase !== undefined);
  const typed = list as { items: Array<{ status?: { phase?: string } }> };
  return { ...typed, items: typed.items.filter((pod) => !excluded.includes(pod.status?.phase ?? '')) };
}

export async function startFakeKubeApiServer(options: FakeKubeApiServerOptions): Promise<FakeKubeApiServer> {
  const requests: FakeKubeApiServer['requests'] = [];
  const stalledResponses: ServerResponse[] = [];
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const authorized = request.headers.authorization === `Bearer ${options.token}`;
    requests.push({ method: request.method ?? 'GET', path: url.pathname, authorized });
    if (!authorized) return status(response, 401, 'Unauthorized', 'Unauthorized');
    if (options.stalled?.some((prefix) => url.pathname.startsWith(prefix))) {
      stalledResponses.push(response);
      return;
    }
    if (options.forbidden?.some((prefix) => url.pathname.startsWith(prefix))) {
      return status(response, 403, 'Forbidden', `pods is forbidden: User "system:serviceaccount:hmas:hmas" cannot list resource "pods" in API group "" at the cluster scope`, { kind: 'pods' });
    }
    if (request.method !== 'GET') return status(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (url.pathname === '/version') return json(response, options.version ?? RECORDED.version);
    if (url.pathname === '/api/v1/nodes') return json(response, options.nodes ?? RECORDED.nodes);
    if (url.pathname === '/api/v1/pods') return json(response, filterPods(options.pods ?? RECORDED.pods, url.searchParams.get('fieldSelector')));
    const karmada = /^\/apis\/cluster\.karmada\.io\/v1alpha1\/clusters\/([^/]+)$/.exec(url.pathname);
    if (karmada?.[1]) {
      const name = decodeURIComponent(karmada[1]);
      const cluster = options.karmadaClusters?.[name];
      if (cluster) return json(response, cluster);
      return status(response, 404, 'NotFound', `clusters.cluster.karmada.io "${name}" not found`, { name, group: 'cluster.karmada.io', kind: 'clusters' });
    }
    return status(response, 404, 'NotFound', 'the server could not find the requested resource');
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    kubeconfig: (kubeconfigOptions = {}) => kubeconfigFor(url, kubeconfigOptions.token ?? options.token, kubeconfigOptions),
    async close() {
      for (const response of stalledResponses) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A kubeconfig the way `kubectl config view --raw --minify` writes one, for a plain-HTTP server. */
export function kubeconfigFor(server: string, token: string, options: { context?: string; namespace?: string } = {}): string {
  const context = options.context ?? 'fake-admin@fake';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'contexts:',
    `- name: ${context}`,
    '  context:',
    '    cluster: fake',
    '    user: fake-admin',
    ...(options.namespace ? [`    namespace: ${options.namespace}`] : []),
    `current-context: ${context}`,
    'preferences: {}',
    'users:',
    '- name: fake-admin',
    '  user:',
    `    token: ${token}`,
    '',
  ].join('\n');
}

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
