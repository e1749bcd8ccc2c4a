import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import type { ModelCategory } from '../../api/types';
import { MODEL_CATEGORIES } from './model-format';

export interface ModelFilterValues {
  category: ModelCategory | '';
  q: string;
}

/** Category applies at once; the search on submit (Enter or the button). */
export function ModelFilters({ value, onChange }: { value: ModelFilterValues; onChange: (next: ModelFilterValues) => void }) {
  const ids = { category: useId(), q: useId() };
  const [q, setQ] = useState(value.q);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onChange({ ...value, q: q.trim() });
  };
  return (
    <form className="filters" aria-label="Model filters" onSubmit={submit} noValidate>
      <div className="filter">
        <label htmlFor={ids.category} className="field-label">
          Category
        </label>
        <select id={ids.category} className="input" value={value.category} onChange={(event) => onChange({ ...value, category: event.target.value as ModelCategory | '' })}>
          <option value="">All categories</option>
          {MODEL_CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {category}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={ids.q} className="field-label">
          Search
        </label>
        <input id={ids.q} className="input" type="search" placeholder="Name or repository" value={q} onChange={(event) => setQ(event.target.value)} />
      </div>
      <div className="filter-actions">
        <button type="submit" className="btn btn-secondary">
          Search
        </button>
      </div>
    </form>
  );
}
