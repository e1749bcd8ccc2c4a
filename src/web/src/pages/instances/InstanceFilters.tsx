import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import type { DeploymentStatus } from '../../api/types';
import { DEPLOYMENT_STATUSES } from './instance-format';

export interface InstanceFilterValues {
  status: DeploymentStatus | '';
  cluster: string;
  q: string;
}

export const NO_INSTANCE_FILTERS: InstanceFilterValues = { status: '', cluster: '', q: '' };

/** Status and cluster apply at once; the search on submit (Enter or the button). */
export function InstanceFilters({ value, clusters, onChange }: { value: InstanceFilterValues; clusters: readonly string[]; onChange: (next: InstanceFilterValues) => void }) {
  const ids = { status: useId(), cluster: useId(), q: useId() };
  const [q, setQ] = useState(value.q);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onChange({ ...value, q: q.trim() });
  };
  return (
    <form className="filters" aria-label="Instance filters" onSubmit={submit} noValidate>
      <div className="filter">
        <label htmlFor={ids.status} className="field-label">
          Status
        </label>
        <select id={ids.status} className="input" value={value.status} onChange={(event) => onChange({ ...value, status: event.target.value as DeploymentStatus | '' })}>
          <option value="">All statuses</option>
          {DEPLOYMENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={ids.cluster} className="field-label">
          Cluster
        </label>
        <select id={ids.cluster} className="input" value={value.cluster} onChange={(event) => onChange({ ...value, cluster: event.target.value })}>
          <option value="">All clusters</option>
          {clusters.map((cluster) => (
            <option key={cluster} value={cluster}>
              {cluster}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={ids.q} className="field-label">
          Search
        </label>
        <input id={ids.q} className="input" type="search" placeholder="Part of the name" maxLength={63} value={q} onChange={(event) => setQ(event.target.value)} />
      </div>
      <div className="filter-actions">
        <button type="submit" className="btn btn-secondary">
          Search
        </button>
      </div>
    </form>
  );
}
