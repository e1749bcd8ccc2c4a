import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERCENTILE_SERVING_FIELDS, SCALAR_SERVING_FIELDS } from '../../src/domain/monitoring.js';
import { GATEWAY_PERCENTILE_FIELDS, GATEWAY_SCALAR_FIELDS, GATEWAY_SOURCES } from '../../src/metrics/gateway-sources.js';
import { percentileQuery, scalarQuery } from '../../src/metrics/promql.js';
import { RUNTIMES } from '../../src/runtimes/index.js';
import type { MetricRef, PercentileMetricSource, ScalarMetricSource } from '../../src/runtimes/runtime-adapter.js';
import { PROMTOOL_BIN, withoutPrometheus } from '../support/prometheus.js';

// Every query H-MAS builds, run by Prometheus's own engine: `promtool test rules` evaluates
// `promql_expr_test`s against `input_series` without a server (Debian's /usr/bin/promtool). One
// test group per field: two replicas of the deployment, a decoy series of another deployment
// (and, for label-matched series, a decoy of the same deployment that must not match), and the
// value the query must give.

const execFileAsync = promisify(execFile);
const DEPLOYMENT = 'chat-prod';
const EVAL = '8m';
const INTERVAL = '15s';

interface Group {
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  promql_expr_test: Array<{ expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }>;
}

/** A series literal of `ref` with these labels (values are plain; test names need no escaping). */
function series(ref: MetricRef, labels: Record<string, string>, suffix = ''): string {
  const all: Record<string, string> = { ...labels, ...(ref.match ?? {}) };
  // A value the regular expression matches (the gateway's 5xx): the one case H-MAS uses.
  for (const label of Object.keys(ref.matchRegex ?? {})) all[label] = '503';
  return `${ref.name}${suffix}{${Object.entries(all).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** A decoy of the same deployment that a label-matched ref must not select. */
function sameDeploymentDecoy(ref: MetricRef): Record<string, string> | undefined {
  const label = Object.keys(ref.match ?? {})[0] ?? Object.keys(ref.matchRegex ?? {})[0];
  return label ? { deployment: DEPLOYMENT, replica: 'a', [label]: '200-not-matching' } : undefined;
}

/** Counter slopes 15 and 45 per 15 s (rates 1 and 3 → 4); gauges 2 and 3 (sum 5, avg 2.5). */
function scalarGroup(source: Exclude<ScalarMetricSource, { kind: 'unsupported' }>, ref: MetricRef, deployment = DEPLOYMENT): Group {
  const counter = source.kind === 'counter';
  const input = [
    { series: series(ref, { deployment, replica: 'a' }), values: counter ? '0+15x40' : '2x40' },
    { series: series(ref, { deployment, replica: 'b' }), values: counter ? '0+45x40' : '3x40' },
    { series: series(ref, { deployment: 'other', replica: 'a' }), values: counter ? '0+1500x40' : '1000x40' },
  ];
  const decoy = sameDeploymentDecoy(ref);
  if (decoy) input.push({ series: `${ref.name}{${Object.entries(decoy).map(([k, v]) => `${k}="${v}"`).join(',')}}`, values: counter ? '0+150x40' : '100x40' });
  const expected = counter ? 4 : source.aggregate === 'sum' ? 5 : 2.5;
  return { interval: INTERVAL, input_series: input, promql_expr_test: [{ expr: scalarQuery(source, deployment, 60)!, eval_time: EVAL, exp_samples: [{ labels: '{}', value: expected }] }] };
}

/** Buckets growing 0, 5, 10, 10 per 15 s on each replica: p50 0.25, p95 0.475, p99 0.495. */
function histogramGroup(source: Exclude<PercentileMetricSource, { kind: 'unsupported' }>, ref: MetricRef): Group {
  const input: Group['input_series'] = [];
  for (const replica of ['a', 'b']) {
    for (const [le, step] of [['0.1', 0], ['0.25', 5], ['0.5', 10], ['+Inf', 10]] as const) input.push({ series: series(ref, { deployment: DEPLOYMENT, replica, le }, '_bucket'), values: `0+${step}x40` });
  }
  // Another deployment, all slow: it would pull every percentile up to 10 if selected.
  for (const [le, step] of [['0.1', 0], ['10', 100], ['+Inf', 100]] as const) input.push({ series: series(ref, { deployment: 'other', replica: 'a', le }, '_bucket'), values: `0+${step}x40` });
  const tests = ([['p50', 0.25], ['p95', 0.475], ['p99', 0.495]] as const).map(([key, value]) => ({
    expr: percentileQuery(source, DEPLOYMENT, key, 300)!,
    eval_time: EVAL,
    exp_samples: [{ labels: '{}', value }],
  }));
  return { interval: INTERVAL, input_series: input, promql_expr_test: tests };
}

function groupsOf(fields: Record<string, ScalarMetricSource | PercentileMetricSource>, scalars: readonly string[], percentiles: readonly string[]): Group[] {
  const groups: Group[] = [];
  for (const field of scalars) {
    const source = fields[field] as ScalarMetricSource;
    if (source.kind === 'unsupported') continue;
    // Each alternative alone (v1, then v0 for vLLM): the query finds it.
    for (const ref of source.metrics) {
      groups.push(scalarGroup(source, ref));
      const decoy = sameDeploymentDecoy(ref);
      // A labelled counter whose label value never happened (no 5xx yet): a true 0, not nothing.
      if (decoy && source.kind === 'counter') {
        groups.push({
          interval: INTERVAL,
          input_series: [{ series: `${ref.name}{${Object.entries(decoy).map(([k, v]) => `${k}="${v}"`).join(',')}}`, values: '0+15x40' }],
          promql_expr_test: [{ expr: scalarQuery(source, DEPLOYMENT, 60)!, eval_time: EVAL, exp_samples: [{ labels: '{}', value: 0 }] }],
        });
      }
    }
  }
  for (const field of percentiles) {
    const source = fields[field] as PercentileMetricSource;
    if (source.kind === 'unsupported') continue;
    for (const ref of source.metrics) groups.push(histogramGroup(source, ref));
  }
  return groups;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-promtool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs promtool on the groups; resolves with its output, rejects (with the output) on a failed test. */
async function promtool(name: string, groups: Group[]): Promise<string> {
  const file = path.join(dir, `${name}.yml`);
  // JSON is YAML: the file is exactly what the builders produced.
  await writeFile(file, JSON.stringify({ rule_files: [], evaluation_interval: '1m', tests: groups }, null, 1));
  try {
    const { stdout, stderr } = await execFileAsync(PROMTOOL_BIN, ['test', 'rules', file]);
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool failed for ${name}:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

describe.skipIf(withoutPrometheus('PromQL run by promtool'))('PromQL from the runtime tables, run by promtool', { timeout: 60_000 }, () => {
  it.each(Object.keys(RUNTIMES).filter((id) => id !== 'ollama'))('%s: every supported field gives the expected value', async (id) => {
    const map = RUNTIMES[id as keyof typeof RUNTIMES].servingMetrics;
    const groups = groupsOf(map.fields, SCALAR_SERVING_FIELDS, PERCENTILE_SERVING_FIELDS);
    expect(groups.length).toBeGreaterThan(0);
    expect(await promtool(id, groups)).toContain('SUCCESS');
  });

  it("the gateway's hmas_inference_* fields give the expected value", async () => {
    expect(await promtool('gateway', groupsOf(GATEWAY_SOURCES, GATEWAY_SCALAR_FIELDS, GATEWAY_PERCENTILE_FIELDS))).toContain('SUCCESS');
  });

  it('prefers the vLLM v1 series where a replica writes both names', async () => {
    const source = RUNTIMES.vllm.servingMetrics.fields.kvCacheUsage as Exclude<ScalarMetricSource, { kind: 'unsupported' }>;
    const [v1, v0] = source.metrics;
    const group: Group = {
      interval: INTERVAL,
      input_series: [
        { series: series(v1!, { deployment: DEPLOYMENT, replica: 'a' }), values: '0.25x40' },
        { series: series(v0!, { deployment: DEPLOYMENT, replica: 'a' }), values: '0.75x40' },
      ],
      promql_expr_test: [{ expr: scalarQuery(source, DEPLOYMENT, 60)!, eval_time: EVAL, exp_samples: [{ labels: '{}', value: 0.25 }] }],
    };
    expect(await promtool('vllm-both', [group])).toContain('SUCCESS');
  });

  it('a deployment name cannot inject PromQL', async () => {
    const evil = 'x"} or vector(7) or up{a="';
    const source = RUNTIMES.vllm.servingMetrics.fields.requestsPerSecond as Exclude<ScalarMetricSource, { kind: 'unsupported' }>;
    const ref = source.metrics[0]!;
    const group: Group = {
      interval: INTERVAL,
      input_series: [{ series: series(ref, { deployment: 'x', replica: 'a' }), values: '0+15x40' }],
      // No sample at all: an injected `vector(7)` would answer one.
      promql_expr_test: [{ expr: scalarQuery(source, evil, 60)!, eval_time: EVAL, exp_samples: [] }],
    };
    expect(await promtool('injection', [group])).toContain('SUCCESS');
    // And the same name, as a series label, is selected exactly.
    const exact: Group = {
      interval: INTERVAL,
      input_series: [{ series: `${ref.name}{deployment="x\\"} or vector(7) or up{a=\\"",replica="a"}`, values: '0+15x40' }],
      promql_expr_test: [{ expr: scalarQuery(source, evil, 60)!, eval_time: EVAL, exp_samples: [{ labels: '{}', value: 1 }] }],
    };
    expect(await promtool('injection-exact', [exact])).toContain('SUCCESS');
  });
});
