import { Counter, Gauge, type Registry } from 'prom-client';
import type { LoopState } from '../domain/loops.js';
import type { Leadership } from '../lib/leadership.js';

/**
 * The background loops' metrics, read from the loop tracker when Prometheus scrapes: runs and
 * failures per loop, the last run's start and duration, whether the loop runs on this instance,
 * and whether this instance is the leader.
 */
export function installLoopMetrics(registry: Registry, source: { loops(): LoopState[]; leadership: Pick<Leadership, 'isLeader'> }): void {
  const labelNames = ['loop'] as const;
  const perLoop = <M extends { reset(): void }>(write: (metric: M, loop: LoopState) => void) =>
    function (this: M) {
      this.reset();
      for (const loop of source.loops()) write(this, loop);
    };
  new Counter({
    name: 'hmas_loop_runs_total',
    help: 'Runs of each background loop on this instance (failed ones included).',
    labelNames,
    registers: [registry],
    collect: perLoop<Counter<'loop'>>((metric, loop) => metric.inc({ loop: loop.name }, loop.runs)),
  });
  new Counter({
    name: 'hmas_loop_errors_total',
    help: 'Runs of each background loop on this instance that failed.',
    labelNames,
    registers: [registry],
    collect: perLoop<Counter<'loop'>>((metric, loop) => metric.inc({ loop: loop.name }, loop.errors)),
  });
  new Gauge({
    name: 'hmas_loop_last_run_timestamp_seconds',
    help: 'When the last run of each background loop on this instance started (Unix time; loops that have not run are absent).',
    labelNames,
    registers: [registry],
    collect: perLoop<Gauge<'loop'>>((metric, loop) => {
      if (loop.lastRunAt) metric.set({ loop: loop.name }, Date.parse(loop.lastRunAt) / 1000);
    }),
  });
  new Gauge({
    name: 'hmas_loop_last_duration_seconds',
    help: 'How long the last run of each background loop on this instance took.',
    labelNames,
    registers: [registry],
    collect: perLoop<Gauge<'loop'>>((metric, loop) => {
      if (loop.lastDurationMs !== null) metric.set({ loop: loop.name }, loop.lastDurationMs / 1000);
    }),
  });
  new Gauge({
    name: 'hmas_loop_running',
    help: 'Whether each background loop runs on this instance (1) or not (0: stopped, or leader-only on a follower).',
    labelNames,
    registers: [registry],
    collect: perLoop<Gauge<'loop'>>((metric, loop) => metric.set({ loop: loop.name }, loop.runningHere ? 1 : 0)),
  });
  new Gauge({
    name: 'hmas_leader',
    help: 'Whether this instance is the leader that runs the leader-only loops (1) or a follower (0).',
    registers: [registry],
    collect() {
      this.set(source.leadership.isLeader() ? 1 : 0);
    },
  });
}
