import { KubeConfig, loadYaml } from '@kubernetes/client-node';
import { InvalidConnectionError } from '../connection-error.js';

/** A kubeconfig checked for use by H-MAS, with the context it will use. */
export interface ParsedKubeconfig {
  /** The YAML as given: the secret, stored sealed. */
  text: string;
  context: string;
  /** API server URL without any user:password part: safe to show. */
  server: string;
  insecureSkipTlsVerify: boolean;
}

type Entry = Record<string, unknown>;

const isObject = (value: unknown): value is Entry => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Kubeconfig features that make the client run a program or read a file on the H-MAS host.
 * An operator may register clusters but must not run commands on, or read files from, the
 * control plane (a `token-file: /data/secret-key` would send that file to any API server).
 */
const USER_FIELDS_REFUSED: Record<string, string> = {
  exec: 'runs a credential plugin program on the H-MAS host',
  'auth-provider': 'uses an auth-provider plugin that runs programs on the H-MAS host',
  'token-file': 'reads a token from a file on the H-MAS host',
  tokenFile: 'reads a token from a file on the H-MAS host',
  'client-certificate': 'reads a certificate from a file on the H-MAS host (use client-certificate-data)',
  'client-key': 'reads a key from a file on the H-MAS host (use client-key-data)',
};
const CLUSTER_FIELDS_REFUSED: Record<string, string> = {
  'certificate-authority': 'reads a CA file on the H-MAS host (use certificate-authority-data)',
};

function named(list: unknown, what: string, field: string): Map<string, Entry> {
  const byName = new Map<string, Entry>();
  if (list === undefined || list === null) return byName;
  if (!Array.isArray(list)) throw new InvalidConnectionError(`${field}: "${what}" must be a list.`);
  for (const [index, item] of list.entries()) {
    if (!isObject(item) || typeof item.name !== 'string' || item.name === '') {
      throw new InvalidConnectionError(`${field}: ${what}[${index}] needs a name.`);
    }
    byName.set(item.name, item);
  }
  return byName;
}

function yamlProblem(error: unknown): string {
  // js-yaml's message quotes the offending line, which may hold a token: use reason and line only.
  const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown } };
  const line = typeof mark?.line === 'number' ? ` (line ${mark.line + 1})` : '';
  return typeof reason === 'string' ? `${reason}${line}` : 'it cannot be parsed';
}

function safeServerUrl(server: string, field: string, clusterName: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new InvalidConnectionError(`${field}: cluster "${clusterName}" has a server that is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidConnectionError(`${field}: cluster "${clusterName}" has server protocol "${url.protocol}"; use https:// (or http://).`);
  }
  return url;
}

/**
 * Parses and checks a kubeconfig: valid YAML, the context (given, or the current-context)
 * exists with its cluster and user, the server is an http(s) URL, and nothing would run a
 * program or read a file on this host. Errors name the problem, never the secret.
 */
export function parseKubeconfig(text: string, contextName?: string, field = 'connection.kubeconfig'): ParsedKubeconfig {
  let document: unknown;
  try {
    document = loadYaml<unknown>(text);
  } catch (error) {
    throw new InvalidConnectionError(`${field} is not valid YAML: ${yamlProblem(error)}.`);
  }
  if (!isObject(document)) throw new InvalidConnectionError(`${field} is not a kubeconfig: expected a YAML mapping with clusters, users and contexts.`);

  const clusters = named(document.clusters, 'clusters', field);
  const users = named(document.users, 'users', field);
  const contexts = named(document.contexts, 'contexts', field);
  if (contexts.size === 0) throw new InvalidConnectionError(`${field} has no contexts.`);

  for (const [name, entry] of users) {
    const user = entry.user;
    if (user !== undefined && user !== null && !isObject(user)) throw new InvalidConnectionError(`${field}: user "${name}" is not a mapping.`);
    for (const [key, why] of Object.entries(USER_FIELDS_REFUSED)) {
      if (isObject(user) && user[key] !== undefined && user[key] !== null) {
        throw new InvalidConnectionError(`${field}: user "${name}" ${why}, which H-MAS does not allow. Use a service account token or inline client certificate data.`);
      }
    }
  }
  for (const [name, entry] of clusters) {
    const cluster = entry.cluster;
    if (!isObject(cluster)) throw new InvalidConnectionError(`${field}: cluster "${name}" has no cluster section.`);
    for (const [key, why] of Object.entries(CLUSTER_FIELDS_REFUSED)) {
      if (cluster[key] !== undefined && cluster[key] !== null) {
        throw new InvalidConnectionError(`${field}: cluster "${name}" ${why}, which H-MAS does not allow.`);
      }
    }
  }

  const current = typeof document['current-context'] === 'string' && document['current-context'] !== '' ? document['current-context'] : undefined;
  const chosen = contextName ?? current;
  const available = [...contexts.keys()].slice(0, 10).map((name) => `"${name}"`).join(', ');
  if (!chosen) throw new InvalidConnectionError(`${field} has no current-context; choose one in connection.context (${available}).`);
  const contextEntry = contexts.get(chosen);
  if (!contextEntry) throw new InvalidConnectionError(`${field} has no context "${chosen}"${contextName ? '' : ' (its current-context)'}; it has ${available}.`);
  const context = contextEntry.context;
  if (!isObject(context)) throw new InvalidConnectionError(`${field}: context "${chosen}" has no context section (cluster and user).`);
  const clusterName = typeof context.cluster === 'string' ? context.cluster : '';
  const cluster = clusters.get(clusterName)?.cluster;
  if (!isObject(cluster)) throw new InvalidConnectionError(`${field}: context "${chosen}" refers to cluster "${clusterName}", which is not in the kubeconfig.`);
  const userName = typeof context.user === 'string' ? context.user : '';
  if (!users.has(userName)) throw new InvalidConnectionError(`${field}: context "${chosen}" refers to user "${userName}", which is not in the kubeconfig.`);
  if (typeof cluster.server !== 'string' || cluster.server === '') throw new InvalidConnectionError(`${field}: cluster "${clusterName}" has no server URL.`);

  const url = safeServerUrl(cluster.server, field, clusterName);
  const insecureSkipTlsVerify = cluster['insecure-skip-tls-verify'] === true;
  if (url.protocol === 'http:' && !insecureSkipTlsVerify) {
    throw new InvalidConnectionError(
      `${field}: cluster "${clusterName}" uses plain http://. Use https://, or set insecure-skip-tls-verify: true to accept an unencrypted API server.`,
    );
  }

  // The client's own loader must accept it too (it checks entries we do not look at).
  try {
    new KubeConfig().loadFromString(text);
  } catch (error) {
    // The loader's own checks read like "clusters[1].cluster.server is missing"; anything else
    // (a TypeError from an entry of an odd shape) is an internal message, not shown.
    const message = error instanceof Error && !(error instanceof TypeError) ? error.message.split('\n')[0] : 'an entry has a shape the Kubernetes client cannot read';
    throw new InvalidConnectionError(`${field} cannot be loaded: ${message}.`);
  }

  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { text, context: chosen, server: url.toString().replace(/\/$/, ''), insecureSkipTlsVerify };
}

/** A client-node KubeConfig for a parsed kubeconfig, set to its chosen context. */
export function toKubeConfig(parsed: ParsedKubeconfig): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(parsed.text);
  config.setCurrentContext(parsed.context);
  return config;
}
