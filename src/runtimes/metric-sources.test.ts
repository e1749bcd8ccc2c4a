import { describe, expect, it } from 'vitest';
import { listRuntimes } from './index.js';

// The shared rules of every adapter's servingMetrics table (docs/monitoring-metrics.md).
describe.each(listRuntimes().map((runtime) => [runtime.id, runtime] as const))('%s servingMetrics', (_id, runtime) => {
  const fields = Object.entries(runtime.servingMetrics.fields);

  it('cites where its names come from', () => {
    expect(runtime.servingMetrics.docs.length).toBeGreaterThan(0);
  });

  it('names only well-formed metrics and label matchers', () => {
    for (const [field, source] of fields) {
      if (source.kind === 'unsupported') continue;
      expect(source.metrics.length, field).toBeGreaterThan(0);
      for (const ref of source.metrics) {
        expect(ref.name, field).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        for (const label of [...Object.keys(ref.match ?? {}), ...Object.keys(ref.matchRegex ?? {})]) expect(label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
      }
    }
  });

  it('gives every field it lacks a reason', () => {
    for (const [field, source] of fields) if (source.kind === 'unsupported') expect(source.reason.length, field).toBeGreaterThan(10);
  });

  it('has series exactly when it has a metrics path', () => {
    const supported = fields.filter(([, source]) => source.kind !== 'unsupported').length;
    if (runtime.metricsPath === null) expect(supported).toBe(0);
    else expect(supported).toBeGreaterThan(0);
  });
});
