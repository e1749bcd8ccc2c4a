import { useState } from 'react';
import { POLICY_PATHS, useDeletePolicy, useFailoverPolicies, usePlacementStrategies } from '../../api/policy-hooks';
import type { PlacementStrategy } from '../../api/types';
import { CollectionPanel } from '../../components/CollectionPanel';
import type { Column } from '../../components/DataTable';
import { LabelChips } from '../../components/LabelChips';
import { useDocumentTitle } from '../../lib/use-document-title';
import { PlacementStrategyForm } from './PlacementStrategyForm';

const any = <span className="muted">any</span>;

export function PlacementStrategiesTab() {
  useDocumentTitle('Placement strategies', 'Settings');
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const failover = useFailoverPolicies({ limit: 500, offset: 0 });
  const failoverName = (id: string | null) => (id ? (failover.data?.items.find((policy) => policy.id === id)?.name ?? id) : null);
  const columns: ReadonlyArray<Column<PlacementStrategy>> = [
    { header: 'Name', cell: (strategy) => strategy.name, className: 'mono' },
    { header: 'Match labels', cell: (strategy) => (Object.keys(strategy.matchLabels).length ? <LabelChips labels={strategy.matchLabels} /> : any) },
    { header: 'Types', cell: (strategy) => strategy.clusterTypes.join(', ') || any },
    { header: 'Clusters', cell: (strategy) => strategy.clusterNames.join(', ') || any },
    { header: 'Min free GPUs', cell: (strategy) => strategy.minFreeGpus },
    { header: 'Preference', cell: (strategy) => (strategy.preference === 'most-free-gpus' ? 'spread' : 'pack') },
    {
      header: 'Karmada members',
      cell: (strategy) =>
        strategy.federation ? `${strategy.federation.members.map((member) => (member.weight ? `${member.name} ×${member.weight}` : member.name)).join(', ')} (${strategy.federation.replicaScheduling.toLowerCase()})` : <span className="muted">—</span>,
    },
    { header: 'Failover', cell: (strategy) => failoverName(strategy.failoverPolicyId) ?? <span className="muted">none</span> },
  ];
  return (
    <CollectionPanel
      title="Placement strategies"
      description="Which clusters a deployment may land on — by labels, type, name and free GPUs — and which it prefers."
      noun="placement strategy"
      list={usePlacementStrategies(page)}
      page={page}
      onPageChange={setPage}
      columns={columns}
      remove={useDeletePolicy(POLICY_PATHS.placementStrategies)}
      deleteConsequence={<p>Deployments can no longer choose it. A strategy still in use cannot be deleted.</p>}
      drawerDescription="Which clusters a deployment may land on, and which one it prefers."
      form={(props) => <PlacementStrategyForm {...props} />}
    />
  );
}
