import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionSecrets, ConnectionSettings, ConnectorTestResult, ResolvedConnection } from '../../clusters/cluster-connector.js';
import type { ClusterRegistry, StoredConnection } from '../../clusters/cluster-registry.js';
import { DeadlineError, InvalidConnectionError, withDeadline } from '../../clusters/connection-error.js';
import {
  AGENT_TOKEN_PREFIX,
  DEFAULT_CLUSTER_NAMESPACE,
  LOCAL_CLUSTER_NAME,
  type Cluster,
  type ClusterWithToken,
  type ConnectionInput,
  type ConnectionPatch,
  type ConnectionTest,
  type ConnectionTestReport,
  type CreateClusterInput,
  type Inventory,
  type UpdateClusterInput,
} from '../../domain/cluster.js';
import type { ClusterScope } from '../../domain/loops.js';
import type { Page } from '../../domain/pagination.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { hasPgCode, isStillReferenced, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { HostIdentity } from '../../clusters/local/host-identity.js';
import type { ClusterRepo, ClusterRow, NewClusterRow, Queryable } from './cluster-repo.js';
import { actsHere, ClusterOwnedByOtherHostError, inClusterScope } from '../../clusters/local-ownership.js';

/** Setting written when the local cluster is registered (or deleted): it is never re-created. */
export const LOCAL_CLUSTER_REGISTERED = 'local-cluster-registered';

export interface ClusterServiceDeps {
  repo: ClusterRepo;
  /** The cluster registry: checks and dials connections, and closes a deleted cluster's driver. */
  connectors: Pick<ClusterRegistry, 'resolve' | 'connect' | 'forget'>;
  /** Seals credentials (AES-256-GCM) before they reach the database. */
  secretBox: SecretBox;
  logger?: Logger;
  now?: () => Date;
  /**
   * Last-resort bound on one test, on top of each connector's own deadline, so a request
   * never hangs on a misbehaving connector.
   */
  testDeadlineMs?: number;
  /** How many clusters the health check tests at once. */
  refreshConcurrency?: number;
  /**
   * This instance's host identity: it owns the local cluster it registers or claims, and only
   * the owner tests the local cluster (the test reads this host's GPUs). Without it this
   * instance owns no local cluster.
   */
  host?: HostIdentity;
}

/** The names every change summary and error uses. */
export class ClusterNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('cluster', name);
    this.message = `No cluster named "${name}".`;
  }
}

function settingsOf(row: ClusterRow): ConnectionSettings {
  return row.connection;
}

function summaryOf(row: ClusterRow): Cluster['connection'] {
  const settings = settingsOf(row);
  return {
    kind: row.connectionKind,
    server: settings.server ?? null,
    context: settings.context ?? null,
    namespace: settings.namespace ?? null,
    memberCluster: settings.memberCluster ?? null,
    insecureSkipTlsVerify: settings.insecureSkipTlsVerify ?? false,
    workloads: settings.workloads ?? null,
    hasCredentials: row.credentialsSealed !== null,
  };
}

export function toCluster(row: ClusterRow): Cluster {
  return {
    id: row.id,
    name: row.name,
    displayName: row.displayName,
    type: row.type,
    connection: summaryOf(row),
    scheduler: row.scheduler,
    labels: row.labels,
    imagePrecache: row.imagePrecache,
    readiness: {
      state: row.readinessState,
      lastCheckedAt: row.readinessCheckedAt ? row.readinessCheckedAt.toISOString() : null,
      message: row.readinessMessage,
    },
    lastTest: (row.lastTest as ConnectionTest | null) ?? null,
    inventory: (row.inventory as Inventory | null) ?? null,
    ownerHost: row.ownerHostId ? { id: row.ownerHostId, hostname: row.ownerHostname ?? '' } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const SETTING_KEYS: Array<keyof ConnectionSettings> = ['server', 'context', 'namespace', 'memberCluster', 'insecureSkipTlsVerify'];

function sameConnection(row: ClusterRow, rowSecrets: ConnectionSecrets, next: ResolvedConnection): boolean {
  if (row.connectionKind !== next.kind) return false;
  const current = settingsOf(row);
  if (SETTING_KEYS.some((key) => (current[key] ?? null) !== (next.settings[key] ?? null))) return false;
  if (JSON.stringify(current.workloads ?? null) !== JSON.stringify(next.settings.workloads ?? null)) return false;
  return (rowSecrets.kubeconfig ?? null) === (next.secrets.kubeconfig ?? null) && (rowSecrets.agentToken ?? null) === (next.secrets.agentToken ?? null);
}

function newAgentToken(): string {
  return `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function describeTarget(connection: ResolvedConnection): string {
  const { kind, settings } = connection;
  if (kind === 'kubeconfig') return `kubeconfig connection to ${settings.server}`;
  if (kind === 'federation') return `federation connection to member "${settings.memberCluster}" via ${settings.server}`;
  return `${kind} connection`;
}

export function createClusterService(deps: ClusterServiceDeps) {
  const { repo, connectors, secretBox } = deps;
  const now = deps.now ?? (() => new Date());
  const testDeadlineMs = deps.testDeadlineMs ?? 15_000;
  const refreshConcurrency = deps.refreshConcurrency ?? 4;

  /** Another host's local cluster (or one nobody claimed): a test here would describe this host, so this instance leaves it alone. */
  const ownedElsewhere = (row: ClusterRow) => !actsHere(toCluster(row), deps.host?.id);

  async function requireRow(name: string, q?: Queryable): Promise<ClusterRow> {
    const row = await repo.findByName(name, q);
    if (!row) throw new ClusterNotFoundError(name);
    return row;
  }

  function seal(secrets: ConnectionSecrets): string | null {
    return secrets.kubeconfig === undefined && secrets.agentToken === undefined ? null : secretBox.seal(JSON.stringify(secrets));
  }

  function secretsOf(row: ClusterRow): ConnectionSecrets {
    if (row.credentialsSealed === null) return {};
    try {
      return JSON.parse(secretBox.open(row.credentialsSealed)) as ConnectionSecrets;
    } catch (error) {
      throw new AppError(
        'CREDENTIALS_UNREADABLE',
        `The stored credentials of cluster "${row.name}" cannot be decrypted (was HMAS_SECRET_KEY changed?). Set the connection again.`,
        { statusCode: 409, cause: error },
      );
    }
  }

  function connectionOf(row: ClusterRow): ResolvedConnection {
    return { kind: row.connectionKind, settings: settingsOf(row), secrets: secretsOf(row) };
  }

  /** The name `local` and the kind `local` go together: it is the host H-MAS runs on. */
  function checkLocalPairing(name: string, kind: ConnectionInput['kind']): void {
    if (name === LOCAL_CLUSTER_NAME && kind !== 'local') {
      throw new InvalidConnectionError(`The name "${LOCAL_CLUSTER_NAME}" is reserved for the host H-MAS runs on; its connection kind is "local".`);
    }
    if (name !== LOCAL_CLUSTER_NAME && kind === 'local') {
      throw new InvalidConnectionError(`Only the cluster named "${LOCAL_CLUSTER_NAME}" can use the local connection (the host H-MAS runs on).`);
    }
  }

  /** A patch merged with what is stored: left-out fields keep their values while the kind stays. */
  function mergePatch(row: ClusterRow, patch: ConnectionPatch): ConnectionInput {
    const sameKind = row.connectionKind === patch.kind;
    const stored = settingsOf(row);
    if (patch.kind === 'local' || patch.kind === 'agent') return { kind: patch.kind };
    const kubeconfig = patch.kubeconfig ?? (sameKind ? secretsOf(row).kubeconfig : undefined);
    if (kubeconfig === undefined) throw new InvalidConnectionError(`connection.kubeconfig is required to switch cluster "${row.name}" to a ${patch.kind} connection.`);
    // A new kubeconfig brings its own current-context; the stored context belongs to the old one.
    const context = patch.context ?? (patch.kubeconfig === undefined && sameKind ? stored.context : undefined);
    const namespace = patch.namespace ?? (sameKind ? stored.namespace : undefined) ?? DEFAULT_CLUSTER_NAMESPACE;
    const workloads = patch.workloads ?? (sameKind ? stored.workloads : undefined);
    if (patch.kind === 'kubeconfig') return { kind: 'kubeconfig', kubeconfig, namespace, ...(context ? { context } : {}), ...(workloads ? { workloads } : {}) };
    const memberCluster = patch.memberCluster ?? (sameKind ? stored.memberCluster : undefined);
    if (!memberCluster) throw new InvalidConnectionError(`connection.memberCluster is required to switch cluster "${row.name}" to a federation connection.`);
    return { kind: 'federation', kubeconfig, memberCluster, namespace, ...(context ? { context } : {}), ...(workloads ? { workloads } : {}) };
  }

  /** Runs a connector's test under the last-resort deadline; a crash becomes a failed test. */
  async function runTest(connection: ResolvedConnection, signal?: AbortSignal): Promise<ConnectorTestResult> {
    try {
      const connector = connectors.connect(connection);
      return await withDeadline(connector.test(signal), testDeadlineMs, `the test did not finish within ${testDeadlineMs / 1000} s`);
    } catch (error) {
      // Our own words only: an exception's message says nothing useful to an operator and may
      // reveal internals. The exception itself goes to the log.
      const known = (error instanceof AppError && error.expose) || error instanceof DeadlineError;
      const reason = known ? (error as Error).message : 'an internal error stopped the test; the H-MAS server log has the details';
      deps.logger?.warn({ kind: connection.kind, err: error }, 'cluster connection test failed to run');
      return { ok: false, message: `The test could not run: ${reason}.`, checks: [{ name: 'test', ok: false, detail: reason }], readiness: 'notReady', inventory: null };
    }
  }

  function testRecord(result: ConnectorTestResult, checkedAt: Date): ConnectionTest {
    return { ok: result.ok, checkedAt: checkedAt.toISOString(), message: result.message, checks: result.checks };
  }

  /** Tests a stored cluster and records readiness and inventory (and the test, if asked). */
  async function check(row: ClusterRow, asExplicitTest: boolean, signal?: AbortSignal): Promise<{ row: ClusterRow | undefined; result: ConnectorTestResult }> {
    let connection: ResolvedConnection;
    try {
      connection = connectionOf(row);
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'The stored credentials cannot be read.';
      const result: ConnectorTestResult = { ok: false, message, checks: [{ name: 'credentials', ok: false, detail: message }], readiness: 'notReady', inventory: null };
      return { row: await store(row, result, asExplicitTest), result };
    }
    const result = await runTest(connection, signal);
    // Stopped by shutdown: the cluster did not fail, so nothing is recorded.
    if (signal?.aborted) return { row, result };
    return { row: await store(row, result, asExplicitTest), result };
  }

  async function store(row: ClusterRow, result: ConnectorTestResult, asExplicitTest: boolean): Promise<ClusterRow | undefined> {
    const checkedAt = now();
    const stored = await repo.recordCheck(row.id, row.connectionVersion, {
      readinessState: result.readiness,
      readinessMessage: result.message,
      readinessCheckedAt: checkedAt,
      ...(asExplicitTest ? { lastTest: testRecord(result, checkedAt) } : {}),
      ...(result.inventory ? { inventory: result.inventory } : {}),
    });
    if (stored && row.readinessState !== 'ready' && stored.readinessState === 'ready') await tellReady(stored.id);
    return stored;
  }

  const readyListeners = new Set<(clusterId: string) => Promise<void>>();
  /** Waits for the listeners (the failover cleanup of a returned cluster): what they do is done when the check is. */
  async function tellReady(clusterId: string): Promise<void> {
    for (const listener of readyListeners) {
      try {
        await listener(clusterId);
      } catch (error) {
        deps.logger?.warn({ err: error, clusterId }, 'a cluster readiness listener failed');
      }
    }
  }

  return {
    /**
     * Called when a check finds a cluster ready that was not (not ready, unknown, never tested):
     * the health loop's, an operator's test. Returns the unsubscribe.
     */
    onReady(listener: (clusterId: string) => Promise<void>): () => void {
      readyListeners.add(listener);
      return () => void readyListeners.delete(listener);
    },

    async list(limit: number, offset: number): Promise<Page<Cluster>> {
      const { rows, total } = await repo.list(limit, offset);
      return { items: rows.map(toCluster), total, limit, offset };
    },

    async get(name: string): Promise<Cluster> {
      return toCluster(await requireRow(name));
    },

    async create(input: CreateClusterInput): Promise<ClusterWithToken> {
      checkLocalPairing(input.name, input.connection.kind);
      const connection = connectors.resolve(input.connection);
      const agentToken = connection.kind === 'agent' ? newAgentToken() : undefined;
      if (agentToken) connection.secrets.agentToken = agentToken;
      try {
        const row = await repo.insert({
          id: randomUUID(),
          name: input.name,
          displayName: input.displayName ?? input.name,
          type: input.type,
          scheduler: input.scheduler,
          labels: input.labels,
          imagePrecache: input.imagePrecache,
          connectionKind: connection.kind,
          connection: connection.settings,
          credentialsSealed: seal(connection.secrets),
          agentTokenSha256: agentToken ? sha256(agentToken) : null,
          readinessMessage: 'Not tested yet.',
        });
        return agentToken ? { ...toCluster(row), agentToken } : toCluster(row);
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw new ConflictError('CLUSTER_EXISTS', `A cluster named "${input.name}" already exists.`);
        throw error;
      }
    },

    /**
     * Changes a cluster. A connection change resets the last test, readiness and inventory
     * (they described the old connection); everything else, labels included, is kept.
     */
    async update(name: string, input: UpdateClusterInput): Promise<ClusterWithToken & { connectionChanged: boolean }> {
      let agentToken: string | undefined;
      let connectionChanged = false;
      const row = await repo.db.transaction(async (tx) => {
        const current = await repo.lockByName(name, tx);
        if (!current) throw new ClusterNotFoundError(name);
        const changes: Partial<NewClusterRow> = {
          ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
          ...(input.type !== undefined ? { type: input.type } : {}),
          ...(input.scheduler !== undefined ? { scheduler: input.scheduler } : {}),
          ...(input.labels !== undefined ? { labels: input.labels } : {}),
          ...(input.imagePrecache !== undefined ? { imagePrecache: input.imagePrecache } : {}),
        };
        if (input.connection) {
          if (current.name === LOCAL_CLUSTER_NAME && input.connection.kind !== 'local') {
            throw new ConflictError('LOCAL_CONNECTION_FIXED', `Cluster "${LOCAL_CLUSTER_NAME}" is the host H-MAS runs on; its connection kind cannot change.`);
          }
          checkLocalPairing(current.name, input.connection.kind);
          const next = connectors.resolve(mergePatch(current, input.connection));
          // Unreadable old secrets (the key changed) must not block replacing them.
          let currentSecrets: ConnectionSecrets = {};
          try {
            currentSecrets = secretsOf(current);
          } catch {
            currentSecrets = {};
          }
          if (next.kind === 'agent') {
            // Staying an agent cluster keeps its token; becoming one gets a new token.
            if (current.connectionKind === 'agent' && currentSecrets.agentToken) next.secrets.agentToken = currentSecrets.agentToken;
            else next.secrets.agentToken = agentToken = newAgentToken();
          }
          if (!sameConnection(current, currentSecrets, next)) {
            connectionChanged = true;
            Object.assign(changes, {
              connectionKind: next.kind,
              connection: next.settings,
              credentialsSealed: seal(next.secrets),
              agentTokenSha256: next.secrets.agentToken ? sha256(next.secrets.agentToken) : null,
              connectionVersion: current.connectionVersion + 1,
              lastTest: null,
              inventory: null,
              readinessState: 'unknown',
              readinessMessage: 'The connection changed; not tested since.',
              readinessCheckedAt: null,
            } satisfies Partial<NewClusterRow>);
          }
        }
        if (Object.keys(changes).length === 0) return current;
        return repo.update(current.id, changes, tx);
      });
      if (!row) throw new ClusterNotFoundError(name);
      // A re-pointed cluster gets a new driver on its next use.
      if (connectionChanged) await connectors.forget(row.id);
      return { ...toCluster(row), ...(agentToken ? { agentToken } : {}), connectionChanged };
    },

    async remove(name: string): Promise<void> {
      const removedId = await repo.db
        .transaction(async (tx) => {
        const current = await repo.lockByName(name, tx);
        if (!current) throw new ClusterNotFoundError(name);
        await repo.remove(current.id, tx);
        // A deliberate delete of the local cluster is respected on the next start.
        if (name === LOCAL_CLUSTER_NAME) await repo.putSetting(LOCAL_CLUSTER_REGISTERED, { deletedAt: now().toISOString() }, tx);
        return current.id;
        })
        .catch((error: unknown) => {
          // Deployments refer to clusters with a foreign key: the database has the last word.
          if (isStillReferenced(error)) throw new ConflictError('CLUSTER_IN_USE', `Deployments run on cluster "${name}"; delete them first.`);
          throw error;
        });
      // Its driver (a remote kind's watches and timers) goes with it.
      await connectors.forget(removedId);
    },

    /** A stored cluster's connection with its secrets and revision, for the registry to make its driver. */
    async storedConnection(cluster: Pick<Cluster, 'name'>): Promise<StoredConnection> {
      const row = await requireRow(cluster.name);
      return { connection: connectionOf(row), version: row.connectionVersion };
    },

    /** Tests a saved cluster and records the result as its last test. */
    async test(name: string): Promise<Cluster> {
      const row = await requireRow(name);
      if (ownedElsewhere(row)) throw new ClusterOwnedByOtherHostError(toCluster(row), 'test it');
      const { row: updated } = await check(row, true);
      if (!updated) {
        if (!(await repo.findByName(name))) throw new ClusterNotFoundError(name);
        throw new ConflictError('CLUSTER_CHANGED', `The connection of cluster "${name}" changed while it was being tested; test it again.`);
      }
      return toCluster(updated);
    },

    /** Tests a connection before it is saved. Stores nothing. */
    async testConnection(input: ConnectionInput): Promise<ConnectionTestReport & { target: string }> {
      const connection = connectors.resolve(input);
      const result = await runTest(connection);
      return { ...testRecord(result, now()), readiness: result.readiness, inventory: result.inventory, target: describeTarget(connection) };
    },

    /** A new agent token for an agent cluster; the old one stops working. */
    async rotateAgentToken(name: string): Promise<{ name: string; agentToken: string }> {
      const agentToken = newAgentToken();
      await repo.db.transaction(async (tx) => {
        const current = await repo.lockByName(name, tx);
        if (!current) throw new ClusterNotFoundError(name);
        if (current.connectionKind !== 'agent') {
          throw new ConflictError('NOT_AN_AGENT_CLUSTER', `Cluster "${name}" connects with ${current.connectionKind}; only agent clusters have agent tokens.`);
        }
        await repo.update(
          current.id,
          {
            credentialsSealed: seal({ agentToken }),
            agentTokenSha256: sha256(agentToken),
            connectionVersion: current.connectionVersion + 1,
            lastTest: null,
            readinessState: 'unknown',
            readinessMessage: 'The agent token was rotated; waiting for the agent to connect with the new token.',
            readinessCheckedAt: null,
          },
          tx,
        );
      });
      return { name, agentToken };
    },

    /**
     * First start: registers this host as cluster `local`, once ever, owned by this instance.
     * Safe with several instances starting together (the setting row is claimed in the same
     * transaction), and a later delete is respected. A local cluster without an owner (registered
     * before owners were recorded) is claimed atomically by the first instance that gets here.
     * Then the owner refreshes the local cluster's readiness and inventory. With `enabled` false
     * this instance neither registers nor claims, and owns nothing.
     */
    async ensureLocalCluster(enabled: boolean): Promise<{ created: boolean; owned: boolean; cluster: Cluster | undefined }> {
      const host = deps.host;
      let created = false;
      if (enabled && host) {
        created = await repo.db.transaction(async (tx) => {
          const claimed = await repo.insertSettingIfAbsent(LOCAL_CLUSTER_REGISTERED, { registeredAt: now().toISOString() }, tx);
          if (!claimed) return false;
          const row = await repo.insertIfAbsent(
            {
              id: randomUUID(),
              name: LOCAL_CLUSTER_NAME,
              displayName: 'This host',
              type: 'GP',
              scheduler: 'default',
              labels: {},
              imagePrecache: true,
              connectionKind: 'local',
              connection: {},
              credentialsSealed: null,
              readinessMessage: 'Not tested yet.',
              ownerHostId: host.id,
              ownerHostname: host.hostname,
            },
            tx,
          );
          return row !== undefined;
        });
        if (!created) await repo.claimLocal(host);
      }
      const local = await repo.findByName(LOCAL_CLUSTER_NAME);
      if (local?.connectionKind !== 'local') return { created, owned: false, cluster: undefined };
      const owned = !ownedElsewhere(local);
      if (!owned) return { created, owned, cluster: toCluster(local) };
      const { row } = await check(local, created);
      return { created, owned, cluster: toCluster(row ?? local) };
    },

    /** Health check of every cluster (`scope`: of those only; see `ClusterScope`): readiness and inventory, not the last test. */
    async refreshAll(signal?: AbortSignal, scope?: ClusterScope): Promise<void> {
      const rows = (await repo.listAll()).filter((row) => !ownedElsewhere(row) && inClusterScope(toCluster(row), scope));
      let next = 0;
      const worker = async () => {
        while (next < rows.length && !signal?.aborted) {
          const row = rows[next++]!;
          try {
            const { result } = await check(row, false, signal);
            if (signal?.aborted) return;
            if (!result.ok) deps.logger?.info({ cluster: row.name, readiness: result.readiness, message: result.message }, 'cluster is not ready');
          } catch (error) {
            deps.logger?.warn({ cluster: row.name, err: error }, 'cluster health check failed');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(refreshConcurrency, rows.length) }, worker));
    },
  };
}

export type ClusterService = ReturnType<typeof createClusterService>;
