// docs/monitoring.md gives Prometheus configurations to copy. Each must be one Prometheus accepts
// (Debian's promtool checks it), the first must be exactly what the tests run a real Prometheus
// with, and the Kubernetes relabeling may only name pod labels and annotations H-MAS writes.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vllmLikeRuntime } from '../support/container-runtime.js';
import { prometheusConfig, PROMTOOL_BIN, withoutPrometheus } from '../support/prometheus.js';
import { renderWorkloadSpec } from '../../src/domain/workload.js';
import { renderDeployment } from '../../src/clusters/kubernetes/workload-manifests.js';
import { podScheduling } from '../../src/clusters/kubernetes/workload-scheduling.js';

const guide = readFileSync(new URL('../../docs/monitoring.md', import.meta.url), 'utf8');
const blocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** Debian builds Prometheus without Kubernetes discovery: its entries become one static target, the rest is checked as written. */
function withoutKubernetesDiscovery(config: string): string {
  return config.replace(/^( *)kubernetes_sd_configs:\n(?:\1 .*\n)+/gm, (_all, indent: string) => `${indent}static_configs:\n${indent}  - targets: ['127.0.0.1:9']\n`);
}

/** How Prometheus names a pod label or annotation: every character that is not a letter, digit or `_` becomes `_`. */
const metaName = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

describe('docs/monitoring.md', () => {
  it('shows configurations, the first being the tests’ own with production intervals', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks[0]).toBe(
      prometheusConfig({ hmas: 'http://127.0.0.1:8080', keyFile: '/etc/prometheus/hmas-monitoring-key', scrapeInterval: '15s', scrapeTimeout: '10s', refreshInterval: '30s' }),
    );
  });

  it('names only pod labels and annotations H-MAS writes on a replica’s pod', () => {
    const spec = renderWorkloadSpec({ deployment: { id: '0b7c4a52-5d0e-4a36-9a2e-1f6f7c1a9d11', name: 'chat', replicas: 1 }, model: { name: 'm', localPath: '/m' }, runtime: vllmLikeRuntime(), resourceProfile: { gpuCount: 0, cpu: '1', memory: '1Gi' } }).spec;
    const pod = (
      renderDeployment(spec, { namespace: 'hmas', cluster: { name: 'c' }, images: { vllm: { image: 'v', hostCommand: ['vllm'], containerCommand: null } }, settings: {}, scheduling: podScheduling({ scheduler: 'default', type: 'HP' }), secretEnv: [], tokenSecret: null }) as unknown as {
        spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
      }
    ).spec.template.metadata;
    const written = new Set([...Object.keys(pod.labels).map((name) => `label_${metaName(name)}`), ...Object.keys(pod.annotations).map((name) => `annotation_${metaName(name)}`)]);
    const replicaBlock = blocks.find((block) => block.includes('job_name: hmas-replicas-kubernetes'));
    expect(replicaBlock).toBeDefined();
    const named = [...replicaBlock!.matchAll(/__meta_kubernetes_pod_((?:label|annotation)_\w+)/g)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(written, name).toContain(name);
  });

  describe.skipIf(withoutPrometheus('docs/monitoring.md checked with promtool'))('checked with promtool', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hmas-promtool-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it.each(blocks.map((block, index) => ({ index, block })))('block $index is a valid prometheus.yml', async ({ index, block }) => {
      const file = path.join(dir, `block-${index}.yml`);
      await writeFile(file, withoutKubernetesDiscovery(block));
      const checked = await promisify(execFile)(PROMTOOL_BIN, ['check', 'config', '--syntax-only', file]).catch((error: { stdout: string; stderr: string }) => error);
      expect(`${checked.stdout}${checked.stderr}`).toContain('SUCCESS');
    });
  });
});
