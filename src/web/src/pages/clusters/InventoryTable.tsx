import type { Inventory } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { Badge } from '../../components/Badge';
import { formatBytes } from '../../lib/format';
import { migSummary } from '../../../../domain/mig-summary';

type Node = Inventory['nodes'][number];

const gpuMemory = (memoryMiB: number | null) => (memoryMiB === null ? '' : ` (${formatBytes(memoryMiB * 1024 * 1024)})`);

const columns = [
  { header: 'Node', cell: (node: Node) => node.name, className: 'mono nowrap' },
  { header: 'Ready', cell: (node: Node) => (node.ready ? <Badge tone="ok">ready</Badge> : <Badge tone="error">not ready</Badge>) },
  {
    header: 'GPUs',
    className: 'gpu-summary',
    cell: (node: Node) =>
      node.gpus.length === 0 ? <span className="muted">none</span> : node.gpus.map((group) => `${group.model} ×${group.count}${gpuMemory(group.memoryMiB)}`).join(', '),
  },
  { header: 'GPUs allocated', cell: (node: Node) => <span title={`${node.gpuAllocated} of ${node.gpuAllocatable} allocatable GPUs held by pods`}>{`${node.gpuAllocated} / ${node.gpuAllocatable}`}</span>, className: 'nowrap' },
  { header: 'MIG', cell: (node: Node) => <MigCell mig={node.mig} /> },
  { header: 'CPU cores', cell: (node: Node) => node.cpuCores },
  { header: 'Memory', cell: (node: Node) => formatBytes(node.memoryBytes), className: 'nowrap' },
];

function MigCell({ mig }: { mig: Node['mig'] }) {
  const summary = migSummary(mig);
  if (!summary) return <span className="muted" title="The node does not report MIG (no GPU Feature Discovery labels, no MIG resources).">—</span>;
  return (
    <span className="mig-cell">
      {summary.devices.map((device) => (
        <span key={device} className="nowrap">
          {device}
        </span>
      ))}
      <span className="muted">{summary.state}</span>
    </span>
  );
}

/** Nodes of a cluster with their GPUs, allocation, CPU and memory; then the inventory's notes. */
export function InventoryTable({ inventory, caption }: { inventory: Inventory; caption: string }) {
  return (
    <>
      <DataTable caption={caption} columns={columns} rows={inventory.nodes} rowKey={(node) => node.name} empty="No nodes reported." dense />
      {inventory.notes.length > 0 && (
        <ul className="notes" aria-label="Inventory notes">
          {inventory.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </>
  );
}
