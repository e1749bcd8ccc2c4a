import type { DeploymentMetricsSnapshot } from '../../api/types';
import { StatTile } from '../../components/charts/StatTile';
import type { MetricUnit } from '../../components/charts/units';
import { unsupportedReason } from './metrics-fields';

type Serving = DeploymentMetricsSnapshot['serving'];
type Gateway = DeploymentMetricsSnapshot['gateway'];

const SCALAR_TILES: ReadonlyArray<{ key: Exclude<keyof Serving, 'ttftSeconds' | 'e2eLatencySeconds' | 'interTokenLatencySeconds'>; label: string; unit: MetricUnit }> = [
  { key: 'requestsPerSecond', label: 'Requests', unit: 'rps' },
  { key: 'errorsPerSecond', label: 'Errors', unit: 'rps' },
  { key: 'generatedTokensPerSecond', label: 'Generated tokens', unit: 'tps' },
  { key: 'promptTokensPerSecond', label: 'Prompt tokens', unit: 'tps' },
  { key: 'runningRequests', label: 'Running requests', unit: 'count' },
  { key: 'waitingRequests', label: 'Waiting requests', unit: 'count' },
  { key: 'kvCacheUsage', label: 'KV cache in use', unit: 'ratio' },
];

const LATENCY_TILES: ReadonlyArray<{ key: 'ttftSeconds' | 'e2eLatencySeconds' | 'interTokenLatencySeconds'; label: string }> = [
  { key: 'ttftSeconds', label: 'Time to first token' },
  { key: 'e2eLatencySeconds', label: 'End-to-end latency' },
  { key: 'interTokenLatencySeconds', label: 'Inter-token latency' },
];

/** The runtime's own numbers now: rates, latencies with p50/p95/p99, queue and KV cache. */
export function ServingTiles({ snapshot }: { snapshot: DeploymentMetricsSnapshot }) {
  return (
    <div className="stat-tiles" role="group" aria-label="Serving metrics">
      {SCALAR_TILES.slice(0, 4).map((tile) => (
        <StatTile key={tile.key} label={tile.label} unit={tile.unit} value={snapshot.serving[tile.key]} unsupported={unsupportedReason(snapshot, tile.key)} />
      ))}
      {LATENCY_TILES.map((tile) => (
        <StatTile key={tile.key} label={tile.label} unit="seconds" percentiles={snapshot.serving[tile.key]} unsupported={unsupportedReason(snapshot, tile.key)} />
      ))}
      {SCALAR_TILES.slice(4).map((tile) => (
        <StatTile key={tile.key} label={tile.label} unit={tile.unit} value={snapshot.serving[tile.key]} unsupported={unsupportedReason(snapshot, tile.key)} />
      ))}
    </div>
  );
}

/** What the H-MAS gateway measured for the instance: the same numbers whatever the runtime. */
export function GatewayTiles({ gateway }: { gateway: Gateway }) {
  return (
    <div className="stat-tiles" role="group" aria-label="Gateway metrics">
      <StatTile label="Requests" unit="rps" value={gateway.requestsPerSecond} />
      <StatTile label="Errors" unit="rps" value={gateway.errorsPerSecond} />
      <StatTile label="Completion tokens" unit="tps" value={gateway.completionTokensPerSecond} />
      <StatTile label="Active requests" unit="count" value={gateway.activeRequests} />
      <StatTile label="Latency" unit="seconds" percentiles={gateway.latencySeconds} />
      <StatTile label="Time to first byte" unit="seconds" percentiles={gateway.ttfbSeconds} />
    </div>
  );
}
