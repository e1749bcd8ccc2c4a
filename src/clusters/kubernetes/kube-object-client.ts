import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { ClusterForbiddenError, describeKubeError, type KubeAction } from './kube-error.js';
import { UnexpectedAnswerError } from '../connection-error.js';
import { abortWith } from './kube-client.js';
import { toKubeConfig, type ParsedKubeconfig } from './kubeconfig.js';

/**
 * Objects of API groups other than core, by apiVersion/kind/name, through the custom-objects API
 * (which serves any group, apps/v1 too): what the federation driver writes on a Karmada API server
 * besides the resource templates (Karmada's policies) and reads back (templates with the status
 * Karmada aggregates, ResourceBindings); plus core events. The templates themselves are written
 * with the Kubernetes driver's client (kube-workload-client.ts). Answers are checked to be objects;
 * 403 names the missing permission (ClusterForbiddenError), other failures are described in words.
 */

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** An object as the API server takes and gives it. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
};

export interface KubeEventFacts {
  type: string;
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  involvedObject: { kind: string; name: string };
}

export interface KubeObjectClient {
  /** The object, or undefined when there is none. */
  get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined>;
  /**
   * Creates the object, or merges it into the one there (JSON merge patch: lists and values given
   * replace those there, other fields stay) — or, with `replace`, puts it in place of the one there
   * (objects H-MAS alone writes, such as Karmada policies: nothing stale may stay).
   */
  apply(object: KubeObject & { metadata: { namespace: string } }, options?: { replace?: boolean; signal?: AbortSignal }): Promise<{ created: boolean; object: KubeObject }>;
  /** JSON merge patch of an existing object; undefined when there is none. */
  patch(ref: ObjectRef, patch: Record<string, unknown>, signal?: AbortSignal): Promise<KubeObject | undefined>;
  /** Deletes the object (in the background: nothing H-MAS writes with this client has dependents); false when there was none. */
  remove(ref: ObjectRef, signal?: AbortSignal): Promise<boolean>;
  /** Objects of a kind in a namespace with the labels of `labelSelector`. */
  list(kind: Omit<ObjectRef, 'name'>, labelSelector: string, signal?: AbortSignal): Promise<KubeObject[]>;
  /** core/v1 events of the namespace about objects of these kinds and names. */
  events(namespace: string, involved: ReadonlyArray<{ kind: string; name: string }>, signal?: AbortSignal): Promise<KubeEventFacts[]>;
}

/** Plural resource names of the kinds H-MAS writes (the API server's discovery would say the same). */
const PLURALS: Record<string, string> = {
  Deployment: 'deployments',
  PropagationPolicy: 'propagationpolicies',
  OverridePolicy: 'overridepolicies',
  ResourceBinding: 'resourcebindings',
  Cluster: 'clusters',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pluralOf(kind: string): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`H-MAS does not write ${kind} objects.`);
  return plural;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function checked(answer: unknown, kind: string, what: string): KubeObject {
  if (!isObject(answer) || !isObject(answer.metadata) || typeof answer.metadata.name !== 'string') throw new UnexpectedAnswerError(`its answer to ${what} is not a ${kind} object`);
  // Core typed answers carry no apiVersion/kind; the request said which they are.
  return { ...answer, kind: typeof answer.kind === 'string' ? answer.kind : kind } as KubeObject;
}

/** A client for the kubeconfig's chosen context. */
export function createKubeObjectClient(kubeconfig: ParsedKubeconfig): KubeObjectClient {
  const config = toKubeConfig(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const options = (signal: AbortSignal | undefined) => (signal ? abortWith(signal) : undefined);
  const mergePatch = (signal: AbortSignal | undefined) => setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options(signal));

  /** Where a call goes: group, version and plural of a non-core kind. */
  const target = (ref: { apiVersion: string; kind: string; namespace: string }) => {
    const { group, version } = groupVersion(ref.apiVersion);
    if (group === '') throw new Error(`H-MAS does not write core ${ref.kind} objects with this client.`);
    return { group, version, namespace: ref.namespace, plural: pluralOf(ref.kind) };
  };
  const describeRef = (ref: { kind: string; name?: string; namespace: string }) => `${ref.kind} ${ref.namespace}/${ref.name ?? '*'}`;

  /** Runs a call; answers `allowed` status codes through `onStatus`, 403 names the permission, other failures in words. */
  async function run<T>(verb: KubeAction['verb'], ref: { apiVersion: string; kind: string; namespace: string }, fn: () => Promise<T>, onStatus: Partial<Record<number, () => T>> = {}): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const code = error instanceof ApiException ? error.code : undefined;
      const handler = code === undefined ? undefined : onStatus[code];
      if (handler) return handler();
      const { group, plural } = target(ref);
      const action: KubeAction = { verb, resource: `${plural}.${group}`, namespace: ref.namespace };
      if (code === 403) throw new ClusterForbiddenError(action);
      throw new Error(`Kubernetes ${verb} ${action.resource} in ${ref.namespace} failed: ${describeKubeError(error, kubeconfig.server, 10_000)}.`, { cause: error });
    }
  }
  const CONFLICT = Symbol('conflict');

  return {
    async get(ref, signal) {
      const answer = await run('get', ref, () => custom.getNamespacedCustomObject({ ...target(ref), name: ref.name }, options(signal)), { 404: () => undefined });
      return answer === undefined ? undefined : checked(answer, ref.kind, `GET ${describeRef(ref)}`);
    },
    async apply(object, { replace = false, signal } = {}) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
      const created = await run('create', ref, () => custom.createNamespacedCustomObject({ ...target(ref), body: object }, options(signal)), { 409: () => CONFLICT });
      if (created !== CONFLICT) return { created: true, object: checked(created, object.kind, `POST ${describeRef(ref)}`) };
      if (!replace) {
        const patched = await run('patch', ref, () => custom.patchNamespacedCustomObject({ ...target(ref), name: ref.name, body: object }, mergePatch(signal)));
        return { created: false, object: checked(patched, object.kind, `PATCH ${describeRef(ref)}`) };
      }
      const current = checked(await run('get', ref, () => custom.getNamespacedCustomObject({ ...target(ref), name: ref.name }, options(signal))), object.kind, `GET ${describeRef(ref)}`);
      const body = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
      const replaced = await run('update', ref, () => custom.replaceNamespacedCustomObject({ ...target(ref), name: ref.name, body }, options(signal)));
      return { created: false, object: checked(replaced, object.kind, `PUT ${describeRef(ref)}`) };
    },
    async patch(ref, body, signal) {
      const answer = await run('patch', ref, () => custom.patchNamespacedCustomObject({ ...target(ref), name: ref.name, body }, mergePatch(signal)), { 404: () => undefined });
      return answer === undefined ? undefined : checked(answer, ref.kind, `PATCH ${describeRef(ref)}`);
    },
    async remove(ref, signal) {
      return run(
        'delete',
        ref,
        async () => {
          await custom.deleteNamespacedCustomObject({ ...target(ref), name: ref.name, propagationPolicy: 'Background' }, options(signal));
          return true;
        },
        { 404: () => false },
      );
    },
    async list(kind, labelSelector, signal) {
      const answer: unknown = await run('list', kind, () => custom.listNamespacedCustomObject({ ...target(kind), labelSelector }, options(signal)));
      if (!isObject(answer) || !Array.isArray(answer.items)) throw new UnexpectedAnswerError(`its answer to LIST ${describeRef(kind)} is not a list of items`);
      return answer.items.map((item) => checked(item, kind.kind, `LIST ${describeRef(kind)}`));
    },
    async events(namespace, involved, signal) {
      let list: unknown;
      try {
        list = await core.listNamespacedEvent({ namespace }, options(signal));
      } catch (error) {
        if (error instanceof ApiException && error.code === 403) throw new ClusterForbiddenError({ verb: 'list', resource: 'events', namespace });
        throw new Error(`Kubernetes list events in ${namespace} failed: ${describeKubeError(error, kubeconfig.server, 10_000)}.`, { cause: error });
      }
      if (!isObject(list) || !Array.isArray(list.items)) throw new UnexpectedAnswerError(`its answer to LIST events in ${namespace} is not a list of items`);
      const wanted = new Set(involved.map((object) => `${object.kind}/${object.name}`));
      return (list.items as CoreV1Event[])
        .filter((event) => isObject(event) && wanted.has(`${event.involvedObject?.kind}/${event.involvedObject?.name}`))
        .map((event) => ({
          type: event.type ?? 'Normal',
          reason: event.reason ?? '',
          message: event.message ?? '',
          count: event.count ?? 1,
          firstTimestamp: toIso(event.firstTimestamp ?? event.eventTime),
          lastTimestamp: toIso(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp),
          involvedObject: { kind: event.involvedObject?.kind ?? '', name: event.involvedObject?.name ?? '' },
        }));
    },
  };
}

function toIso(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
