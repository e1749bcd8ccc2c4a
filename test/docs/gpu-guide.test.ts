// docs/monitoring-gpus.md states facts the code owns: the DCGM series H-MAS reads, the label
// that names the cluster, and the nvidia-smi query of the local host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_TELEMETRY_ARGS } from '../../src/clusters/local/nvidia-smi.js';
import { CLUSTER_LABEL, DCGM_SERIES } from '../../src/metrics/dcgm-queries.js';

const guide = readFileSync(new URL('../../docs/monitoring-gpus.md', import.meta.url), 'utf8');

describe('docs/monitoring-gpus.md', () => {
  it('names every DCGM series the endpoint reads', () => {
    for (const series of Object.values(DCGM_SERIES)) expect(guide, series).toContain(`\`${series}\``);
  });

  it('tells to label the series with the cluster label the queries select on', () => {
    expect(guide).toContain(`${CLUSTER_LABEL}="<H-MAS cluster name>"`);
    expect(guide).toContain(`labels: { ${CLUSTER_LABEL}: local }`);
  });

  it('quotes the nvidia-smi query the local host is read with', () => {
    expect(guide).toContain(NVIDIA_SMI_TELEMETRY_ARGS.join(' '));
  });
});
