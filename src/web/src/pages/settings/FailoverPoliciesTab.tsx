import { useState } from 'react';
import { POLICY_PATHS, useDeletePolicy, useFailoverPolicies } from '../../api/policy-hooks';
import type { FailoverPolicy } from '../../api/types';
import { Badge } from '../../components/Badge';
import { CollectionPanel } from '../../components/CollectionPanel';
import type { Column } from '../../components/DataTable';
import { useDocumentTitle } from '../../lib/use-document-title';
import { FailoverPolicyForm } from './FailoverPolicyForm';

const columns: ReadonlyArray<Column<FailoverPolicy>> = [
  { header: 'Name', cell: (policy) => policy.name, className: 'mono' },
  { header: 'Action', cell: (policy) => <Badge tone={policy.action === 're-place' ? 'brand' : 'neutral'}>{policy.action}</Badge> },
  { header: 'Grace period', cell: (policy) => `${policy.gracePeriodSeconds} s` },
  { header: 'Description', cell: (policy) => policy.description || '—', className: 'summary' },
];

export function FailoverPoliciesTab() {
  useDocumentTitle('Failover policies', 'Settings');
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  return (
    <CollectionPanel
      title="Failover policies"
      description="What happens to deployments when their cluster is lost: keep them, or re-place them elsewhere."
      noun="failover policy"
      list={useFailoverPolicies(page)}
      page={page}
      onPageChange={setPage}
      columns={columns}
      remove={useDeletePolicy(POLICY_PATHS.failoverPolicies)}
      deleteConsequence={<p>A policy that a placement strategy still uses cannot be deleted.</p>}
      drawerDescription="What happens to a deployment when its cluster stops answering."
      form={(props) => <FailoverPolicyForm {...props} />}
    />
  );
}
