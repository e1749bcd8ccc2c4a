import type { FormEvent } from 'react';
import { useId, useState } from 'react';

/** A choice among fixed values ("All …" or one of them). */
export interface SelectFilter<K extends string> {
  key: K;
  label: string;
  /** The option for no filter: "All statuses". */
  allLabel: string;
  options: readonly string[];
}

export interface SearchFiltersProps<V extends { [P in keyof V]: string } & { q: string }> {
  /** The form's accessible name: "Instance filters". */
  label: string;
  selects: ReadonlyArray<SelectFilter<Exclude<keyof V, 'q'> & string>>;
  search: { placeholder: string; maxLength?: number };
  value: V;
  onChange: (next: V) => void;
}

/** Filters above a list: the selects apply at once, the search (`q`) on submit (Enter or the button). */
export function SearchFilters<V extends { [P in keyof V]: string } & { q: string }>({ label, selects, search, value, onChange }: SearchFiltersProps<V>) {
  const id = useId();
  const [q, setQ] = useState(value.q);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onChange({ ...value, q: q.trim() });
  };
  return (
    <form className="filters" aria-label={label} onSubmit={submit} noValidate>
      {selects.map((select) => (
        <div key={select.key} className="filter">
          <label htmlFor={`${id}-${select.key}`} className="field-label">
            {select.label}
          </label>
          <select id={`${id}-${select.key}`} className="input" value={value[select.key]} onChange={(event) => onChange({ ...value, [select.key]: event.target.value })}>
            <option value="">{select.allLabel}</option>
            {select.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
      ))}
      <div className="filter">
        <label htmlFor={`${id}-q`} className="field-label">
          Search
        </label>
        <input id={`${id}-q`} className="input" type="search" placeholder={search.placeholder} maxLength={search.maxLength} value={q} onChange={(event) => setQ(event.target.value)} />
      </div>
      <div className="filter-actions">
        <button type="submit" className="btn btn-secondary">
          Search
        </button>
      </div>
    </form>
  );
}
