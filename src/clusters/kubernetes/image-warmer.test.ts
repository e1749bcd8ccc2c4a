import { describe, expect, it } from 'vitest';
import { IMAGE_WARMER_HASH_ANNOTATION, IMAGE_WARMER_NAME, renderImageWarmer, type DaemonSetManifest } from './image-warmer-manifest.js';
import { ForeignDaemonSetError, planImageWarmer, syncImageWarmer, type DaemonSetApi, type DaemonSetFacts } from './image-warmer.js';

/** An API server in memory: enough of DaemonSets for the warmer's decisions. */
function memoryApi() {
  const objects = new Map<string, { manifest: DaemonSetManifest; facts: DaemonSetFacts }>();
  const namespaces = new Set<string>();
  const calls: string[] = [];
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  const store = (manifest: DaemonSetManifest, generation: number): DaemonSetFacts => {
    const facts: DaemonSetFacts = {
      namespace: manifest.metadata.namespace,
      name: manifest.metadata.name,
      managedByHmas: manifest.metadata.labels['app.kubernetes.io/managed-by'] === 'hmas',
      deleting: false,
      hash: manifest.metadata.annotations[IMAGE_WARMER_HASH_ANNOTATION],
      generation,
      observedGeneration: generation - 1,
      desired: 2,
      ready: 0,
      updated: 0,
    };
    objects.set(key(facts.namespace, facts.name), { manifest, facts });
    return facts;
  };
  const api: DaemonSetApi = {
    async ensureNamespace(namespace) {
      calls.push(`ensureNamespace ${namespace}`);
      namespaces.add(namespace);
    },
    async readDaemonSet(namespace, name) {
      return objects.get(key(namespace, name))?.facts;
    },
    async applyDaemonSet(manifest) {
      if (!namespaces.has(manifest.metadata.namespace)) throw new Error('namespace not found');
      const existing = objects.get(key(manifest.metadata.namespace, manifest.metadata.name));
      calls.push(`${existing ? 'replace' : 'create'} ${manifest.metadata.namespace}`);
      return store(manifest, (existing?.facts.generation ?? 0) + 1);
    },
    async deleteDaemonSet(namespace, name) {
      calls.push(`delete ${namespace}`);
      return objects.delete(key(namespace, name));
    },
  };
  /** Plays the DaemonSet controller: every pod ready and up to date. */
  const settle = () => {
    for (const entry of objects.values()) entry.facts = { ...entry.facts, observedGeneration: entry.facts.generation, ready: entry.facts.desired, updated: entry.facts.desired };
  };
  return { api, objects, calls, settle };
}

const base = { cluster: 'gpu-east', namespace: 'hmas', enabled: true, images: ['vllm/vllm-openai:v0.11.0'] };

describe('planImageWarmer', () => {
  const ours = { hash: 'a', managedByHmas: true, namespace: 'hmas', deleting: false };
  it('creates, keeps, replaces and deletes by hash', () => {
    expect(planImageWarmer('a', undefined)).toBe('create');
    expect(planImageWarmer('a', ours)).toBe('keep');
    expect(planImageWarmer('b', ours)).toBe('replace');
    expect(planImageWarmer('b', { ...ours, hash: undefined })).toBe('replace');
    expect(planImageWarmer(undefined, ours)).toBe('delete');
    expect(planImageWarmer(undefined, undefined)).toBe('none');
  });
  it('waits for a DaemonSet that is being deleted instead of keeping or deleting it again', () => {
    expect(planImageWarmer('a', { ...ours, deleting: true })).toBe('wait');
    expect(planImageWarmer(undefined, { ...ours, deleting: true })).toBe('none');
  });
  it('never touches a DaemonSet of that name that H-MAS does not manage', () => {
    expect(() => planImageWarmer('a', { ...ours, managedByHmas: false })).toThrow(ForeignDaemonSetError);
    expect(() => planImageWarmer(undefined, { ...ours, managedByHmas: false })).toThrow(/not managed by H-MAS/);
  });
});

describe('syncImageWarmer', () => {
  it('creates the namespace and the DaemonSet, then reports warming until every node is ready, then ready', async () => {
    const { api, calls, settle } = memoryApi();
    const first = await syncImageWarmer(api, base);
    expect(first).toMatchObject({ phase: 'warming', change: 'created', daemonSet: IMAGE_WARMER_NAME, images: ['vllm/vllm-openai:v0.11.0'] });
    expect(calls).toEqual(['ensureNamespace hmas', 'create hmas']);
    const again = await syncImageWarmer(api, base);
    expect(again).toMatchObject({ phase: 'warming', change: undefined });
    settle();
    expect(await syncImageWarmer(api, base)).toMatchObject({ phase: 'ready', change: undefined, nodes: { desired: 2, ready: 2, updated: 2 } });
    expect(calls).toEqual(['ensureNamespace hmas', 'create hmas']);
  });

  it('replaces the DaemonSet when the image set changes, and only then', async () => {
    const { api, calls, objects, settle } = memoryApi();
    await syncImageWarmer(api, base);
    settle();
    await syncImageWarmer(api, { ...base, images: [...base.images, ...base.images] });
    expect(calls).toEqual(['ensureNamespace hmas', 'create hmas']);
    const changed = await syncImageWarmer(api, { ...base, images: [...base.images, 'ollama/ollama:0.12.6'] });
    expect(changed).toMatchObject({ phase: 'warming', change: 'replaced' });
    expect(calls.at(-1)).toBe('replace hmas');
    expect(objects.get(`hmas/${IMAGE_WARMER_NAME}`)?.manifest.spec.template.spec.initContainers.map((c) => c.image)).toEqual(['ollama/ollama:0.12.6', 'vllm/vllm-openai:v0.11.0']);
  });

  it('removes the DaemonSet when no image is in use (idle) or the warmer is turned off (off)', async () => {
    const { api, objects } = memoryApi();
    await syncImageWarmer(api, base);
    expect(await syncImageWarmer(api, { ...base, images: [] })).toMatchObject({ phase: 'idle', change: 'removed', daemonSet: undefined });
    expect(objects.size).toBe(0);
    await syncImageWarmer(api, base);
    expect(await syncImageWarmer(api, { ...base, enabled: false })).toMatchObject({ phase: 'off', change: 'removed', images: [] });
    expect(objects.size).toBe(0);
    expect(await syncImageWarmer(api, { ...base, enabled: false })).toMatchObject({ phase: 'off', change: undefined });
  });

  it('moves the DaemonSet when the cluster namespace changed', async () => {
    const { api, objects } = memoryApi();
    await syncImageWarmer(api, base);
    const moved = await syncImageWarmer(api, { ...base, namespace: 'llm', previousNamespace: 'hmas' });
    expect(moved.change).toBe('created');
    expect([...objects.keys()]).toEqual([`llm/${IMAGE_WARMER_NAME}`]);
  });

  it('reports no nodes when the DaemonSet selects none', async () => {
    const { api, objects } = memoryApi();
    await syncImageWarmer(api, base);
    const entry = objects.get(`hmas/${IMAGE_WARMER_NAME}`)!;
    entry.facts = { ...entry.facts, desired: 0, observedGeneration: entry.facts.generation };
    expect(await syncImageWarmer(api, base)).toMatchObject({ phase: 'noNodes', nodes: { desired: 0, ready: 0, updated: 0 } });
  });

  it('leaves a foreign DaemonSet of the same name alone', async () => {
    const { api, objects, calls } = memoryApi();
    await api.ensureNamespace('hmas');
    const { daemonSet } = renderImageWarmer({ ...base });
    await api.applyDaemonSet({ ...daemonSet, metadata: { ...daemonSet.metadata, labels: { app: 'theirs' } } });
    await expect(syncImageWarmer(api, { ...base, images: ['other/image:1'] })).rejects.toThrow(ForeignDaemonSetError);
    await expect(syncImageWarmer(api, { ...base, enabled: false })).rejects.toThrow(ForeignDaemonSetError);
    expect(objects.size).toBe(1);
    expect(calls.filter((call) => call.startsWith('delete') || call.startsWith('replace'))).toEqual([]);
  });
});
