import { useState } from 'react';
import { POLICY_PATHS, useDeletePolicy, useResourceProfiles } from '../../api/policy-hooks';
import type { ResourceProfile } from '../../api/types';
import { CollectionPanel } from '../../components/CollectionPanel';
import type { Column } from '../../components/DataTable';
import { useDocumentTitle } from '../../lib/use-document-title';
import { ResourceProfileForm } from './ResourceProfileForm';

const columns: ReadonlyArray<Column<ResourceProfile>> = [
  { header: 'Name', cell: (profile) => profile.name, className: 'mono' },
  { header: 'GPUs', cell: (profile) => `${profile.gpuCount}${profile.gpuType ? ` × ${profile.gpuType}` : ''}` },
  { header: 'GPU memory', cell: (profile) => (profile.gpuMemoryGiB === undefined ? '—' : `${profile.gpuMemoryGiB} GiB`) },
  { header: 'CPU', cell: (profile) => profile.cpu, className: 'mono' },
  { header: 'Memory', cell: (profile) => profile.memory, className: 'mono' },
  { header: 'Cache volume', cell: (profile) => profile.volumeSize ?? '—', className: 'mono' },
  { header: 'Description', cell: (profile) => profile.description || '—', className: 'summary' },
];

export function ResourceProfilesTab() {
  useDocumentTitle('Resource profiles', 'Settings');
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  return (
    <CollectionPanel
      title="Resource profiles"
      description="What one replica gets: GPUs, CPU, memory and a model cache volume."
      noun="resource profile"
      list={useResourceProfiles(page)}
      page={page}
      onPageChange={setPage}
      columns={columns}
      remove={useDeletePolicy(POLICY_PATHS.resourceProfiles)}
      deleteConsequence={<p>Deployments can no longer choose it. A profile still in use cannot be deleted.</p>}
      drawerDescription="What one replica of a deployment gets."
      form={(props) => <ResourceProfileForm {...props} />}
    />
  );
}
