import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './wait-for.js';

/**
 * A real Prometheus for tests: Debian's `prometheus` package (/usr/bin/prometheus; `.ci/run`
 * installs it), on 127.0.0.1 with a free port and a temporary storage directory, scraping every
 * second. Its configuration is `prometheusConfig` — discovery through H-MAS's
 * `/api/prometheus/sd` with a monitoring key read from a file, and H-MAS's own /metrics — the
 * one docs/monitoring.md shows (with production intervals).
 *
 * The server needs `PROMETHEUS_URL` when it starts, and Prometheus needs the server's URL and a
 * monitoring key made after that: `startIdlePrometheus` starts it first, scraping nothing (it holds
 * its port, so the URL given to the server stays true), and `scrapeHmas` then points it at the
 * server — a new configuration file and `POST /-/reload` (`--web.enable-lifecycle`).
 */

export const PROMETHEUS_BIN = process.env.HMAS_TEST_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = path.join(path.dirname(PROMETHEUS_BIN), 'promtool');

/** True — skip, with a loud line — when Prometheus is not installed; under CI that is an error. */
export function withoutPrometheus(suite: string): boolean {
  if (existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN)) return false;
  if (process.env.CI) throw new Error(`CI is set but ${PROMETHEUS_BIN} (or promtool next to it) is missing: .ci/run installs Debian's prometheus package.`);
  console.warn(`⚠ ${suite}: SKIPPED — it needs Prometheus; install it (apt-get install prometheus) or set HMAS_TEST_PROMETHEUS to its binary.`);
  return true;
}

/**
 * The scrape configuration for an H-MAS at `hmas` (its base URL): job `hmas-replicas` discovers
 * the replicas through `/api/prometheus/sd` with the key in `keyFile`; job `hmas` scrapes the
 * server's own /metrics (control API and gateway).
 */
export function prometheusConfig(options: { hmas: string; keyFile: string; scrapeInterval: string; scrapeTimeout: string; refreshInterval: string }): string {
  const hmas = new URL(options.hmas);
  const scheme = hmas.protocol.replace(':', '');
  return `global:
  scrape_interval: ${options.scrapeInterval}
  scrape_timeout: ${options.scrapeTimeout}
  evaluation_interval: ${options.scrapeInterval}

scrape_configs:
  # Every replica of every deployment H-MAS runs, found through H-MAS.
  - job_name: hmas-replicas
    http_sd_configs:
      - url: ${hmas.origin}/api/prometheus/sd
        refresh_interval: ${options.refreshInterval}
        authorization:
          # Explicit: http_sd_configs does not default it (prometheus/docs#2377) and sends the bare key.
          type: Bearer
          credentials_file: ${options.keyFile}

  # H-MAS itself: control API, gateway (hmas_inference_*), background loops.
  - job_name: hmas
    scheme: ${scheme}
    metrics_path: /metrics
    static_configs:
      - targets: ['${hmas.host}']
`;
}

/** One series of an instant query. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface ActiveTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface PrometheusHarness {
  url: string;
  /** An instant query (`/api/v1/query`). */
  query(promql: string): Promise<Sample[]>;
  /** The active targets (`/api/v1/targets`). */
  targets(): Promise<ActiveTarget[]>;
  /** Replaces the configuration with what `configure` writes (given the temporary directory) and reloads it. */
  reconfigure(configure: (dir: string) => Promise<string>): Promise<void>;
  /** What Prometheus printed, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function apiGet<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (response.status !== 200 || body.status !== 'success') throw new Error(`${url}: ${response.status} ${body.error ?? ''}`);
  return body.data;
}

function stop(child: ChildProcess, exited: Promise<unknown>): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(kill));
}

interface HmasTarget {
  hmasUrl: string;
  monitoringKey: string;
}

/** Writes the monitoring key next to the configuration and answers the configuration scraping `hmasUrl`. */
const scrapingHmas = (options: HmasTarget) => async (dir: string) => {
  const keyFile = path.join(dir, 'monitoring-key');
  await writeFile(keyFile, `${options.monitoringKey}\n`, { mode: 0o600 });
  // Everything each second: tests wait for what they look for, never for a fixed time.
  return prometheusConfig({ hmas: options.hmasUrl, keyFile, scrapeInterval: '1s', scrapeTimeout: '1s', refreshInterval: '1s' });
};

/** Starts Prometheus against the H-MAS at `hmasUrl`, with `monitoringKey`; resolves once `/-/ready` answers. */
export async function startPrometheus(options: HmasTarget): Promise<PrometheusHarness> {
  return startPrometheusWith(scrapingHmas(options));
}

/** Starts Prometheus scraping nothing yet, for a server that needs its URL before it starts; `scrapeHmas` points it there. */
export async function startIdlePrometheus(): Promise<PrometheusHarness> {
  return startPrometheusWith(async () => 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n');
}

/** Points a running Prometheus (from `startIdlePrometheus`) at the H-MAS at `hmasUrl`, with `monitoringKey`. */
export async function scrapeHmas(prometheus: PrometheusHarness, options: HmasTarget): Promise<void> {
  await prometheus.reconfigure(scrapingHmas(options));
}

/**
 * Starts Prometheus with the configuration `configure` writes (given the harness's temporary
 * directory, for files the configuration refers to); resolves once `/-/ready` answers.
 */
export async function startPrometheusWith(configure: (dir: string) => Promise<string>): Promise<PrometheusHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hmas-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, await configure(dir));

  // The port is free when asked, and may be taken before Prometheus binds it: then try another.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    try {
      await waitFor(
        'Prometheus to be ready',
        async () => {
          if (gone) throw new Error(`Prometheus exited before it was ready:\n${output}`);
          const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
          return ready?.status === 200 ? true : undefined;
        },
        { timeoutMs: 30_000, pollMs: 100 },
      );
    } catch (error) {
      await stop(child, exited);
      if (attempt < 3 && /address already in use/.test(output)) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      url,
      async query(promql) {
        const data = await apiGet<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
        return data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
      },
      async targets() {
        return (await apiGet<{ activeTargets: ActiveTarget[] }>(`${url}/api/v1/targets?state=active`)).activeTargets;
      },
      async reconfigure(configure) {
        await writeFile(configFile, await configure(dir));
        const reload = await fetch(`${url}/-/reload`, { method: 'POST' });
        if (reload.status !== 200) throw new Error(`Prometheus refused the new configuration: ${reload.status} ${await reload.text()}\n${output}`);
      },
      output: () => output,
      async close() {
        await stop(child, exited);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
