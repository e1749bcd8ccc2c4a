/**
 * The PromQL H-MAS asks of Prometheus for the GPUs of one cluster, as NVIDIA's dcgm-exporter
 * names them. Every counter below is in dcgm-exporter's default counter list
 * (`etc/default-counters.csv` of github.com/NVIDIA/dcgm-exporter): an exporter installed with its
 * defaults exports all of them.
 */

/** dcgm-exporter's series per field of `GpuMetrics`, with the unit the exporter writes. */
export const DCGM_SERIES = {
  /** Percent (0–100). */
  utilization: 'DCGM_FI_DEV_GPU_UTIL',
  /** MiB. */
  memoryUsed: 'DCGM_FI_DEV_FB_USED',
  /** MiB; used + free is the framebuffer the driver gives applications. */
  memoryFree: 'DCGM_FI_DEV_FB_FREE',
  /** °C. */
  temperatureCelsius: 'DCGM_FI_DEV_GPU_TEMP',
  /** W. */
  powerWatts: 'DCGM_FI_DEV_POWER_USAGE',
  /** MHz. */
  smClockMhz: 'DCGM_FI_DEV_SM_CLOCK',
  /** The last XID error's code, 0 when none since the exporter started. */
  xidErrors: 'DCGM_FI_DEV_XID_ERRORS',
} as const;
export type DcgmField = keyof typeof DCGM_SERIES;

/**
 * The label that tells clusters apart in the central Prometheus: each member cluster's scrape
 * (or remote write) sets `cluster="<H-MAS cluster name>"`; the H-MAS host's own exporter
 * `cluster="local"` (docs/monitoring-gpus.md).
 */
export const CLUSTER_LABEL = 'cluster';

/**
 * A PromQL string literal of any text: backslashes, quotes and control characters escaped, so
 * a value can never end the string and add matchers or operators of its own.
 */
export function promqlString(value: string): string {
  let escaped = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === '"') escaped += `\\${char}`;
    else if (char === '\n') escaped += '\\n';
    else if (char === '\r') escaped += '\\r';
    else if (char === '\t') escaped += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) escaped += `\\u${code.toString(16).padStart(4, '0')}`;
    else escaped += char;
  }
  return `"${escaped}"`;
}

const clusterMatcher = (cluster: string) => `${CLUSTER_LABEL}=${promqlString(cluster)}`;

/** Every DCGM series H-MAS reads of one cluster, in one instant query (the metric name stays a label). */
export function dcgmSeriesQuery(cluster: string): string {
  return `{__name__=~"${Object.values(DCGM_SERIES).join('|')}",${clusterMatcher(cluster)}}`;
}

/**
 * When each node's exporter was last scraped: the newest sample time of the memory series
 * (every GPU has one, MIG or not), per node. An instant query answers the last sample up to
 * five minutes old as if current; this tells how old it really is.
 */
export function dcgmSampleTimeQuery(cluster: string): string {
  return `max by (Hostname, instance) (timestamp(${DCGM_SERIES.memoryUsed}{${clusterMatcher(cluster)}}))`;
}
