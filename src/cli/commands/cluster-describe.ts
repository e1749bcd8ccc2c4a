import type { Cluster, InventoryNode } from '../../domain/cluster.js';
import type { Deployment } from '../../domain/deployment.js';
import type { ImageWarmerStatus } from '../../domain/image-warmer.js';
import { migSummary } from '../../domain/mig-summary.js';
import { renderTable, type Column } from '../output.js';
import { COLUMNS as DEPLOYMENT_ROW } from './deployment-commands.js';

/** What `hmas cluster describe` shows: the cluster as the API answers it (no secrets), and its deployments. */
export interface ClusterDescription {
  cluster: Cluster;
  deployments: Deployment[];
  /** All deployments on the cluster; more than `deployments.length` when the list was cut. */
  deploymentsTotal: number;
  /** The cluster's image warmer (GET /api/clusters/:name/warmer). */
  warmer: ImageWarmerStatus;
}

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;
const gpuMemory = (memoryMiB: number | null) => (memoryMiB === null ? '' : ` (${gib(memoryMiB * 2 ** 20)})`);

/** The node's MIG devices, or its MIG state in words; "-" when the node says nothing. */
export function migCell(mig: InventoryNode['mig']): string | undefined {
  const summary = migSummary(mig);
  if (!summary) return undefined;
  return summary.devices.length > 0 ? summary.devices.join(', ') : summary.state;
}

const NODE_COLUMNS: Array<Column<InventoryNode>> = [
  { header: 'node', value: (node) => node.name },
  { header: 'ready', value: (node) => (node.ready ? 'ready' : 'not ready') },
  { header: 'gpus', value: (node) => (node.gpus.length === 0 ? 'none' : node.gpus.map((group) => `${group.model} ×${group.count}${gpuMemory(group.memoryMiB)}`).join(', ')) },
  { header: 'allocated', value: (node) => `${node.gpuAllocated}/${node.gpuAllocatable}` },
  { header: 'mig', value: (node) => migCell(node.mig) },
  { header: 'cpus', value: (node) => node.cpuCores },
  { header: 'memory', value: (node) => gib(node.memoryBytes) },
];

/** The deployment columns of "hmas ps" less the cluster (this one), reason and endpoint; the id to act on it. */
const SHOWN = new Set(['name', 'model', 'runtime', 'status', 'ready']);
const DEPLOYMENT_COLUMNS: Array<Column<Deployment>> = [...DEPLOYMENT_ROW.filter((column) => SHOWN.has(column.header)), { header: 'id', value: (d) => d.id }];

/** Label: value lines, the values aligned; empty values are left out. */
function facts(pairs: Array<[string, string | null | undefined]>, indent = ''): string[] {
  const shown = pairs.filter((pair): pair is [string, string] => pair[1] !== null && pair[1] !== undefined && pair[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value}`);
}

const indentBlock = (text: string) => text.split('\n').map((line) => `  ${line}`);

/** The image warmer: phase and what it means, the DaemonSet and its nodes, the sync, then one line per image. */
export function renderWarmer(warmer: ImageWarmerStatus): string[] {
  const lines = [`Image warmer: ${warmer.phase} — ${warmer.message}`];
  if (warmer.phase === 'unsupported') return lines;
  const { nodes } = warmer;
  lines.push(
    ...facts(
      [
        ['DaemonSet', warmer.daemonSet === null ? null : `${warmer.namespace ?? ''}/${warmer.daemonSet}`],
        ['GPU nodes', warmer.daemonSet === null ? null : `${nodes.desired} selected, ${nodes.ready} ready, ${nodes.updated} up to date`],
        ['Last sync', warmer.lastSyncAt ?? 'never'],
        ['Last change', warmer.lastChangeAt],
        ['Last error', warmer.phase === 'error' ? null : warmer.lastError],
      ],
      '  ',
    ),
  );
  if (warmer.images.length > 0) lines.push('  Images:', ...warmer.images.map((entry) => `    ${entry.image} (${entry.runtimes.join(', ')})`));
  return lines;
}

/** The Kubernetes workload settings of a kubeconfig connection, as Connection facts; unset ones say the default. */
function workloadFacts(settings: Cluster['connection']['workloads']): Array<[string, string | null]> {
  if (!settings) return [];
  const images = Object.entries(settings.images).map(([runtime, image]) => `${runtime}=${image}`);
  return [
    ['Images', images.length > 0 ? images.join(', ') : 'official image of each runtime'],
    ['H-MAS image', settings.selfImage ?? null],
    ['Registry mirror', settings.registryMirror ?? 'none'],
    ['Pull secret', settings.imagePullSecret ?? 'none'],
    ['Pull policy', settings.imagePullPolicy ?? 'Kubernetes default'],
    ['Host mounts', settings.hostPathMounts.map((mount) => `${mount.hostPath}:${mount.mountPath}${mount.readOnly ? ':ro' : ''}`).join(', ') || null],
    ['Model volume', settings.modelVolume ? (settings.modelVolume.type === 'hostPath' ? `hostPath ${settings.modelVolume.path}` : `pvc ${settings.modelVolume.claimName}`) + (settings.modelVolume.mountPath ? ` at ${settings.modelVolume.mountPath}` : '') : null],
    ['Services', settings.inCluster ? 'ClusterIP (H-MAS runs in the cluster)' : `NodePort${settings.nodeAddress ? ` on ${settings.nodeAddress}` : ''}`],
  ];
}

/** The whole description for a person: connection, readiness, last test, image warmer, nodes, totals, deployments. */
export function renderClusterDescription({ cluster, deployments, deploymentsTotal, warmer }: ClusterDescription): string {
  const { connection, readiness, lastTest, inventory } = cluster;
  const lines: string[] = [
    ...facts([
      ['Name', cluster.displayName === cluster.name ? cluster.name : `${cluster.name} (${cluster.displayName})`],
      ['Type', `${cluster.type} — ${cluster.type === 'HP' ? 'High Performance' : 'General Performance'}`],
      ['Scheduler', cluster.scheduler],
      ['Image pre-cache', cluster.imagePrecache ? 'on' : 'off'],
      ['Labels', Object.entries(cluster.labels).map(([key, value]) => `${key}=${value}`).join(', ') || 'none'],
      ['Readiness', `${readiness.state}${readiness.lastCheckedAt ? ` (checked ${readiness.lastCheckedAt})` : ''} — ${readiness.message}`],
    ]),
    '',
    'Connection:',
    ...facts(
      [
        ['Kind', connection.kind],
        ['API server', connection.server],
        ['Context', connection.context],
        ['Namespace', connection.namespace],
        ['Member cluster', connection.memberCluster],
        ['TLS verification', connection.server === null ? null : connection.insecureSkipTlsVerify ? 'off (insecure-skip-tls-verify)' : 'on'],
        ['Credentials', connection.hasCredentials ? 'stored, encrypted' : 'none'],
        ['Owner host', cluster.ownerHost?.hostname],
        ...workloadFacts(connection.workloads),
      ],
      '  ',
    ),
    '',
    lastTest ? `Last test: ${lastTest.ok ? 'passed' : 'FAILED'} at ${lastTest.checkedAt} — ${lastTest.message}` : 'Last test: none since it was registered or its connection changed.',
    ...(lastTest?.checks.map((check) => `  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`) ?? []),
    '',
    ...renderWarmer(warmer),
    '',
  ];
  if (inventory) {
    const { totals } = inventory;
    lines.push(`Nodes (inventory collected ${inventory.collectedAt}):`, ...indentBlock(renderTable(inventory.nodes, NODE_COLUMNS)));
    lines.push(
      '',
      `Totals: ${totals.readyNodes}/${totals.nodes} nodes ready, ${totals.gpus} GPUs (${totals.gpuAllocated}/${totals.gpuAllocatable} allocated)` +
        `${totals.gpuMemoryMiB > 0 ? `, ${gib(totals.gpuMemoryMiB * 2 ** 20)} GPU memory` : ''}, ${totals.cpuCores} CPU cores, ${gib(totals.memoryBytes)} memory`,
    );
    if (inventory.notes.length > 0) lines.push('Notes:', ...inventory.notes.map((note) => `  - ${note}`));
  } else {
    lines.push('Nodes: not collected yet (the inventory comes with the first successful test: "hmas cluster test NAME").');
  }
  const cut = deploymentsTotal > deployments.length ? ` — the first ${deployments.length}` : '';
  lines.push('', `Deployments (${deploymentsTotal}${cut}):`, ...indentBlock(renderTable(deployments, DEPLOYMENT_COLUMNS)));
  return lines.join('\n');
}
