import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, seriesNotation, type ExpositionSample } from '../../test/support/exposition.js';
import { PROMTOOL_BIN, withoutPrometheus } from '../../test/support/prometheus.js';
import { DCGM_SERIES, dcgmSampleTimeQuery, dcgmSeriesQuery, promqlString } from './dcgm-queries.js';

/**
 * The PromQL is run by a real Prometheus engine: `promtool test rules` loads the recorded
 * dcgm-exporter scrape (test/fixtures/metrics/dcgm.txt, 2 nodes × 2 H100) as input series, the
 * way the documented scrape config labels it, evaluates the queries and compares the answer.
 */

const run = promisify(execFile);
let dir: string;
let recorded: ExpositionSample[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-promtool-'));
  recorded = parseExposition(await readFile(new URL('../../test/fixtures/metrics/dcgm.txt', import.meta.url), 'utf8'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The scrape of one cluster's exporters: the cluster label from the scrape config, instance and job from the target. */
const scraped = (sample: ExpositionSample, cluster: string) => ({
  ...sample.labels,
  cluster,
  instance: `dcgm-exporter-${sample.labels.Hostname}:9400`,
  job: 'dcgm-exporter',
});

interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

/** Runs promtool on one test group (15 s scrape interval); resolves with its output, rejects with it when a comparison fails. */
async function promtool(inputSeries: Array<{ series: string; values: string }>, tests: ExprTest[]): Promise<string> {
  const file = path.join(dir, `test-${Math.random().toString(36).slice(2)}.yml`);
  // JSON is YAML: promtool reads it as its test file.
  await writeFile(file, JSON.stringify({ rule_files: [], evaluation_interval: '15s', tests: [{ interval: '15s', input_series: inputSeries, promql_expr_test: tests }] }));
  try {
    const { stdout } = await run(PROMTOOL_BIN, ['test', 'rules', file]);
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Twenty-one scrapes (5 minutes) of one value. */
const steady = (value: number) => `${value}+0x20`;

describe.skipIf(withoutPrometheus('DCGM PromQL on a real Prometheus engine'))('DCGM PromQL on a real Prometheus engine', () => {
  it('selects the seven DCGM series of one cluster, every GPU of both nodes, and nothing of another cluster or another counter', async () => {
    const input = [
      ...recorded.map((sample) => ({ series: seriesNotation(sample.name, scraped(sample, 'gpu-east')), values: steady(sample.value) })),
      ...recorded.map((sample) => ({ series: seriesNotation(sample.name, scraped(sample, 'gpu-west')), values: steady(sample.value + 1) })),
      { series: 'DCGM_FI_DEV_MEM_CLOCK{cluster="gpu-east",gpu="0",Hostname="gpu-node-a"}', values: steady(2619) },
    ];
    const expected = recorded.map((sample) => ({ labels: seriesNotation(sample.name, scraped(sample, 'gpu-east')), value: sample.value }));
    expect(expected).toHaveLength(2 * 2 * Object.keys(DCGM_SERIES).length);
    expect(new Set(recorded.map((sample) => sample.name))).toEqual(new Set(Object.values(DCGM_SERIES)));
    await expect(promtool(input, [{ expr: dcgmSeriesQuery('gpu-east'), eval_time: '5m', exp_samples: expected }])).resolves.toMatch(/SUCCESS/);
  });

  it('tells when each node was last scraped: a node whose exporter stopped keeps its last sample time', async () => {
    const input = recorded.map((sample) => ({
      series: seriesNotation(sample.name, scraped(sample, 'gpu-east')),
      // gpu-node-b's exporter answers for the first 45 s only.
      values: sample.labels.Hostname === 'gpu-node-b' ? `${sample.value}+0x3` : steady(sample.value),
    }));
    await expect(
      promtool(input, [
        {
          expr: dcgmSampleTimeQuery('gpu-east'),
          eval_time: '5m',
          exp_samples: [
            { labels: '{Hostname="gpu-node-a",instance="dcgm-exporter-gpu-node-a:9400"}', value: 300 },
            { labels: '{Hostname="gpu-node-b",instance="dcgm-exporter-gpu-node-b:9400"}', value: 45 },
          ],
        },
      ]),
    ).resolves.toMatch(/SUCCESS/);
  });

  it('keeps a cluster name inside its string: quotes and backslashes cannot add matchers', async () => {
    const memory = recorded.filter((sample) => sample.name === DCGM_SERIES.memoryUsed && sample.labels.Hostname === 'gpu-node-a');
    const odd = 'we"ird\\name';
    const input = [
      ...memory.map((sample) => ({ series: seriesNotation(sample.name, scraped(sample, 'gpu-east')), values: steady(sample.value) })),
      ...memory.map((sample) => ({ series: seriesNotation(sample.name, scraped(sample, odd)), values: steady(sample.value) })),
    ];
    await expect(
      promtool(input, [
        // Would select every cluster if the quote ended the string.
        { expr: dcgmSeriesQuery('x",cluster=~".+'), eval_time: '5m', exp_samples: [] },
        { expr: dcgmSeriesQuery(odd), eval_time: '5m', exp_samples: memory.map((sample) => ({ labels: seriesNotation(sample.name, scraped(sample, odd)), value: sample.value })) },
      ]),
    ).resolves.toMatch(/SUCCESS/);
  });

  it('fails when the engine answers something else (the comparison is real)', async () => {
    const [first] = recorded;
    const input = [{ series: seriesNotation(first!.name, scraped(first!, 'gpu-east')), values: steady(first!.value) }];
    await expect(promtool(input, [{ expr: dcgmSeriesQuery('gpu-east'), eval_time: '5m', exp_samples: [] }])).rejects.toThrow(/FAILED/);
  });
});

describe('promqlString', () => {
  it('escapes backslashes, quotes and control characters', () => {
    expect(promqlString('gpu-east')).toBe('"gpu-east"');
    expect(promqlString('a"b\\c\nd\u0001')).toBe('"a\\"b\\\\c\\nd\\u0001"');
  });
});
