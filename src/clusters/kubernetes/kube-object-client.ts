import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { UnexpectedAnswerError } from '../connection-error.js';
import { abortWith } from './kube-client.js';
import { toKubeConfig, type ParsedKubeconfig } from './kubeconfig.js';

/**
 * Whole objects of any kind H-MAS writes, by apiVersion/kind/name: what the federation driver
 * writes on a Karmada API server (resource templates and Karmada's policies) and reads back
 * (templates with the status Karmada aggregates, ResourceBindings). Core kinds go through the
 * core API, the others through the custom-objects API (which serves any group, apps/v1 too).
 * Answers are checked to be objects of the kind asked for.
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
  /** Deletes the object (foreground); false when there was none. */
  remove(ref: ObjectRef, signal?: AbortSignal): Promise<boolean>;
  /** Objects of a kind in a namespace with the labels of `labelSelector`. */
  list(kind: Omit<ObjectRef, 'name'>, labelSelector: string, signal?: AbortSignal): Promise<KubeObject[]>;
  /** Creates the namespace when there is none. */
  ensureNamespace(name: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void>;
  /** core/v1 events of the namespace about objects of these kinds and names. */
  events(namespace: string, involved: ReadonlyArray<{ kind: string; name: string }>, signal?: AbortSignal): Promise<KubeEventFacts[]>;
}

/** Plural resource names of the kinds H-MAS writes (the API server's discovery would say the same). */
const PLURALS: Record<string, string> = {
  Deployment: 'deployments',
  Service: 'services',
  Secret: 'secrets',
  Namespace: 'namespaces',
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

const notFound = (error: unknown) => error instanceof ApiException && error.code === 404;

/** A client for the kubeconfig's chosen context. */
export function createKubeObjectClient(kubeconfig: ParsedKubeconfig): KubeObjectClient {
  const config = toKubeConfig(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const options = (signal: AbortSignal | undefined) => (signal ? abortWith(signal) : undefined);
  const mergePatch = (signal: AbortSignal | undefined) => setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options(signal));

  const call = {
    async get(ref: ObjectRef, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(ref.apiVersion);
      if (group === '' && ref.kind === 'Service') return core.readNamespacedService({ name: ref.name, namespace: ref.namespace }, options(signal));
      if (group === '' && ref.kind === 'Secret') return core.readNamespacedSecret({ name: ref.name, namespace: ref.namespace }, options(signal));
      if (group === '') throw new Error(`H-MAS does not read core ${ref.kind} objects this way.`);
      return custom.getNamespacedCustomObject({ group, version, namespace: ref.namespace, plural: pluralOf(ref.kind), name: ref.name }, options(signal));
    },
    async create(object: KubeObject & { metadata: { namespace: string } }, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(object.apiVersion);
      const namespace = object.metadata.namespace;
      if (group === '' && object.kind === 'Service') return core.createNamespacedService({ namespace, body: object }, options(signal));
      if (group === '' && object.kind === 'Secret') return core.createNamespacedSecret({ namespace, body: object }, options(signal));
      if (group === '') throw new Error(`H-MAS does not write core ${object.kind} objects this way.`);
      return custom.createNamespacedCustomObject({ group, version, namespace, plural: pluralOf(object.kind), body: object }, options(signal));
    },
    async patch(ref: ObjectRef, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(ref.apiVersion);
      if (group === '' && ref.kind === 'Service') return core.patchNamespacedService({ name: ref.name, namespace: ref.namespace, body }, mergePatch(signal));
      if (group === '' && ref.kind === 'Secret') return core.patchNamespacedSecret({ name: ref.name, namespace: ref.namespace, body }, mergePatch(signal));
      if (group === '') throw new Error(`H-MAS does not write core ${ref.kind} objects this way.`);
      return custom.patchNamespacedCustomObject({ group, version, namespace: ref.namespace, plural: pluralOf(ref.kind), name: ref.name, body }, mergePatch(signal));
    },
    async replace(ref: ObjectRef, body: KubeObject, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(ref.apiVersion);
      if (group === '') throw new Error(`H-MAS does not replace core ${ref.kind} objects.`);
      return custom.replaceNamespacedCustomObject({ group, version, namespace: ref.namespace, plural: pluralOf(ref.kind), name: ref.name, body }, options(signal));
    },
    async remove(ref: ObjectRef, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(ref.apiVersion);
      const propagationPolicy = 'Foreground';
      if (group === '' && ref.kind === 'Service') return core.deleteNamespacedService({ name: ref.name, namespace: ref.namespace, propagationPolicy }, options(signal));
      if (group === '' && ref.kind === 'Secret') return core.deleteNamespacedSecret({ name: ref.name, namespace: ref.namespace, propagationPolicy }, options(signal));
      if (group === '') throw new Error(`H-MAS does not delete core ${ref.kind} objects this way.`);
      return custom.deleteNamespacedCustomObject({ group, version, namespace: ref.namespace, plural: pluralOf(ref.kind), name: ref.name, propagationPolicy }, options(signal));
    },
    async list(kind: Omit<ObjectRef, 'name'>, labelSelector: string, signal?: AbortSignal): Promise<unknown> {
      const { group, version } = groupVersion(kind.apiVersion);
      if (group === '' && kind.kind === 'Service') return core.listNamespacedService({ namespace: kind.namespace, labelSelector }, options(signal));
      if (group === '' && kind.kind === 'Secret') return core.listNamespacedSecret({ namespace: kind.namespace, labelSelector }, options(signal));
      if (group === '') throw new Error(`H-MAS does not list core ${kind.kind} objects this way.`);
      return custom.listNamespacedCustomObject({ group, version, namespace: kind.namespace, plural: pluralOf(kind.kind), labelSelector }, options(signal));
    },
  };

  const describeRef = (ref: { kind: string; name?: string; namespace: string }) => `${ref.kind} ${ref.namespace}/${ref.name ?? '*'}`;

  return {
    async get(ref, signal) {
      try {
        return checked(await call.get(ref, signal), ref.kind, `GET ${describeRef(ref)}`);
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async apply(object, { replace = false, signal } = {}) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
      try {
        return { created: true, object: checked(await call.create(object, signal), object.kind, `POST ${describeRef(ref)}`) };
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
      if (!replace) return { created: false, object: checked(await call.patch(ref, object, signal), object.kind, `PATCH ${describeRef(ref)}`) };
      const current = checked(await call.get(ref, signal), object.kind, `GET ${describeRef(ref)}`);
      const body = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
      return { created: false, object: checked(await call.replace(ref, body, signal), object.kind, `PUT ${describeRef(ref)}`) };
    },
    async patch(ref, body, signal) {
      try {
        return checked(await call.patch(ref, body, signal), ref.kind, `PATCH ${describeRef(ref)}`);
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async remove(ref, signal) {
      try {
        await call.remove(ref, signal);
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
    async list(kind, labelSelector, signal) {
      const answer = await call.list(kind, labelSelector, signal);
      if (!isObject(answer) || !Array.isArray(answer.items)) throw new UnexpectedAnswerError(`its answer to LIST ${describeRef(kind)} is not a list of items`);
      return answer.items.map((item) => checked(item, kind.kind, `LIST ${describeRef(kind)}`));
    },
    async ensureNamespace(name, labels, signal) {
      try {
        await core.readNamespace({ name }, options(signal));
        return;
      } catch (error) {
        if (!notFound(error)) throw error;
      }
      try {
        await core.createNamespace({ body: { metadata: { name, labels } } }, options(signal));
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    },
    async events(namespace, involved, signal) {
      const list = await core.listNamespacedEvent({ namespace }, options(signal));
      if (!isObject(list) || !Array.isArray(list.items)) throw new UnexpectedAnswerError(`its answer to LIST events in ${namespace} is not a list of items`);
      const wanted = new Set(involved.map((object) => `${object.kind}/${object.name}`));
      return list.items
        .filter((event: CoreV1Event) => isObject(event) && wanted.has(`${event.involvedObject?.kind}/${event.involvedObject?.name}`))
        .map((event: CoreV1Event) => ({
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
