import type { Cluster } from '../../api/types';
import { Facts } from '../../components/Facts';
import { PanelHeader } from '../../components/PanelHeader';
import { formatBytes, formatDateTime } from '../../lib/format';
import { InventoryTable } from './InventoryTable';

/** GPU inventory: totals, then one row per node. */
export function InventorySection({ cluster }: { cluster: Cluster }) {
  const inventory = cluster.inventory;
  return (
    <section className="panel panel-flush" aria-labelledby="cluster-inventory">
      <PanelHeader
        titleId="cluster-inventory"
        title="Inventory"
        description={inventory ? `Collected ${formatDateTime(inventory.collectedAt)}.` : 'Not collected yet: it comes with the first successful test.'}
      />
      {inventory && (
        <>
          <div className="panel-section">
            <Facts
              label="Inventory totals"
              facts={[
                ['Nodes', `${inventory.totals.readyNodes} of ${inventory.totals.nodes} ready`],
                ['GPUs', inventory.totals.gpus],
                ['GPUs allocated', `${inventory.totals.gpuAllocated} of ${inventory.totals.gpuAllocatable}`],
                ['GPU memory', inventory.totals.gpuMemoryMiB > 0 ? formatBytes(inventory.totals.gpuMemoryMiB * 1024 * 1024) : null],
                ['CPU cores', inventory.totals.cpuCores],
                ['Memory', formatBytes(inventory.totals.memoryBytes)],
              ]}
            />
          </div>
          <InventoryTable inventory={inventory} caption={`Nodes of ${cluster.name}`} />
        </>
      )}
    </section>
  );
}
