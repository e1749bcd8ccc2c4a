import { describe, expect, it } from 'vitest';
import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import type { Cluster } from '../../domain/cluster.js';
import type { WorkloadEndpoint } from '../../domain/workload.js';
import { createLogger } from '../../lib/logger.js';
import { createScrapeTargets, type ScrapeDeploymentRow } from './scrape-targets.js';

/** A cluster as discovery sees it: the endpoints its driver answers per workload (a promise that never settles: a cluster that hangs). */
function clusterWith(endpoints: Record<string, WorkloadEndpoint[] | 'hangs' | 'fails'>) {
  return {
    endpoints: (name: string) => {
      const answer = endpoints[name] ?? [];
      if (answer === 'hangs') return new Promise<WorkloadEndpoint[]>(() => undefined);
      if (answer === 'fails') return Promise.reject(new Error('connection refused'));
      return Promise.resolve(answer);
    },
  } as unknown as ClusterDriver;
}

const row = (name: string, extra: Partial<ScrapeDeploymentRow> = {}): ScrapeDeploymentRow => ({ name, clusterName: 'local', runtime: 'vllm', modelName: 'qwen', paused: false, deleting: false, ...extra });
const endpoint = (replica: string, origin: string, balanced = false): WorkloadEndpoint => ({ replica, origin, url: `${origin}/v1`, ...(balanced ? { balanced: true as const } : {}) });

function targetsOf(rows: ScrapeDeploymentRow[], drivers: Record<string, ClusterDriver | null>) {
  return createScrapeTargets({
    deployments: { all: async () => rows },
    clusters: {
      get: async (name) => {
        if (!(name in drivers)) throw new Error(`no cluster ${name}`);
        return { name } as Cluster;
      },
    },
    drivers: { actingDriver: async (cluster) => drivers[cluster.name] ?? null },
    logger: createLogger({ level: 'silent', pretty: false }),
    deadlineMs: 50,
  }).list();
}

describe('Prometheus discovery targets', () => {
  it('gives one group per replica with its labels, ordered by deployment and replica', async () => {
    const local = clusterWith({ b: [endpoint('b-1', 'http://127.0.0.1:4001'), endpoint('b-0', 'http://127.0.0.1:4000')], a: [endpoint('a-0', 'https://10.0.0.5:8443')] });
    expect(await targetsOf([row('b'), row('a', { runtime: 'embedded-llamacpp', modelName: 'tiny' })], { local })).toEqual([
      { targets: ['10.0.0.5:8443'], labels: { __metrics_path__: '/metrics', __scheme__: 'https', deployment: 'a', cluster: 'local', runtime: 'embedded-llamacpp', model: 'tiny', replica: 'a-0' } },
      { targets: ['127.0.0.1:4000'], labels: { __metrics_path__: '/metrics', __scheme__: 'http', deployment: 'b', cluster: 'local', runtime: 'vllm', model: 'qwen', replica: 'b-0' } },
      { targets: ['127.0.0.1:4001'], labels: { __metrics_path__: '/metrics', __scheme__: 'http', deployment: 'b', cluster: 'local', runtime: 'vllm', model: 'qwen', replica: 'b-1' } },
    ]);
  });

  it('leaves out paused and deleting deployments, runtimes without open metrics and balanced endpoints', async () => {
    const local = clusterWith({
      paused: [endpoint('p-0', 'http://127.0.0.1:1')],
      deleting: [endpoint('d-0', 'http://127.0.0.1:2')],
      ollama: [endpoint('o-0', 'http://127.0.0.1:3')],
      llama: [endpoint('l-0', 'http://127.0.0.1:4')],
      service: [endpoint('service/service', 'http://node:30080', true)],
      unknown: [endpoint('u-0', 'http://127.0.0.1:5')],
    });
    const rows = [
      row('paused', { paused: true }),
      row('deleting', { deleting: true }),
      row('ollama', { runtime: 'ollama' }),
      row('llama', { runtime: 'llamacpp' }),
      row('service'),
      row('unknown', { runtime: 'sglang' }),
    ];
    expect(await targetsOf(rows, { local })).toEqual([]);
  });

  it('answers without the clusters it cannot read: no driver here, an unknown cluster, a failing or hanging one', async () => {
    const rows = [row('here'), row('owned-elsewhere', { clusterName: 'other-host' }), row('gone', { clusterName: 'deleted' }), row('fails', { clusterName: 'flaky' }), row('hangs', { clusterName: 'flaky' })];
    const drivers = { local: clusterWith({ here: [endpoint('here-0', 'http://127.0.0.1:7000')] }), 'other-host': null, flaky: clusterWith({ fails: 'fails', hangs: 'hangs' }) };
    expect((await targetsOf(rows, drivers)).map((group) => group.labels.replica)).toEqual(['here-0']);
  });
});
