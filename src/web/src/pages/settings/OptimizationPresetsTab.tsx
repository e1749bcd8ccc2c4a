import { useState } from 'react';
import { useDeleteOptimizationPreset, useOptimizationPresets, useRuntimes } from '../../api/runtime-hooks';
import type { OptimizationPreset, RuntimeId } from '../../api/types';
import { Badge } from '../../components/Badge';
import { CollectionPanel } from '../../components/CollectionPanel';
import type { Column } from '../../components/DataTable';
import { SelectField } from '../../components/Field';
import { useDocumentTitle } from '../../lib/use-document-title';
import { OptimizationPresetForm } from './OptimizationPresetForm';
import { optimizationSummary } from './optimization-form';

export function OptimizationPresetsTab() {
  useDocumentTitle('Optimization presets', 'Settings');
  const runtimes = useRuntimes();
  const [runtime, setRuntime] = useState<RuntimeId | ''>('');
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const list = useOptimizationPresets({ ...page, runtime: runtime || undefined });
  const descriptor = (id: RuntimeId) => runtimes.data?.find((entry) => entry.id === id);

  const columns: ReadonlyArray<Column<OptimizationPreset>> = [
    {
      header: 'Name',
      cell: (preset) => (
        <>
          <span className="mono">{preset.name}</span> {preset.builtIn && <Badge title="Ships with H-MAS; copy it to change it">built-in</Badge>}
        </>
      ),
      className: 'nowrap',
    },
    { header: 'Runtime', cell: (preset) => descriptor(preset.runtime)?.displayName ?? preset.runtime },
    { header: 'Settings', cell: (preset) => optimizationSummary(preset.optimization, descriptor(preset.runtime)), className: 'summary' },
    { header: 'Description', cell: (preset) => preset.description || '—', className: 'summary' },
  ];

  return (
    <CollectionPanel
      title="Optimization presets"
      description="Runtime settings in tiers — common, advanced and raw — ready to apply to deployments. Built-in presets are read-only: copy one to change it."
      noun="optimization preset"
      list={list}
      page={page}
      onPageChange={setPage}
      columns={columns}
      toolbar={
        <div className="filters">
          <div className="filter filter-narrow">
            <SelectField<RuntimeId | ''>
              label="Runtime"
              value={runtime}
              options={[{ value: '', label: 'All runtimes' }, ...(runtimes.data ?? []).map((entry) => ({ value: entry.id, label: entry.displayName }))]}
              onChange={(next) => {
                setRuntime(next);
                setPage((current) => ({ ...current, offset: 0 }));
              }}
            />
          </div>
        </div>
      }
      readOnly={(preset) => preset.builtIn}
      remove={useDeleteOptimizationPreset()}
      deleteConsequence={<p>Deployments keep the settings they were given; the preset can no longer be chosen.</p>}
      drawerDescription="Runtime settings in tiers, rendered into the runtime’s own flags and environment."
      form={(props) => <OptimizationPresetForm {...props} />}
    />
  );
}
