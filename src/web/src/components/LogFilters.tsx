import type { FormEvent, HTMLAttributes, InputHTMLAttributes, ReactNode } from 'react';
import { useId, useState } from 'react';
import { isoToLocalInput, localInputToIso } from '../lib/format';

type RangeKey = 'from' | 'to';

/** One text filter. */
export interface LogFilterInput<K extends string> {
  key: K;
  label: string;
  placeholder?: string;
  /** Offered as the user types; any other value may still be typed. */
  suggestions?: ReadonlyArray<string | number>;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  narrow?: boolean;
}

/** Why the typed filters cannot be applied, and the input that is wrong. */
export interface FilterProblem<K extends string> {
  key: K | RangeKey;
  message: string;
}

export interface LogFiltersProps<K extends string> {
  /** The form's accessible name: "Audit log filters". */
  label: string;
  inputs: ReadonlyArray<LogFilterInput<K>>;
  /** The filters applied now; from/to as ISO instants. */
  query: Partial<Record<K | RangeKey, string>>;
  /** A page's own rule for the typed (trimmed) values; the time range is checked here. */
  check?: (values: Record<K, string>) => FilterProblem<K> | null;
  /** The filters set (trimmed; from/to as ISO instants), or none on Reset. */
  onApply: (filters: Partial<Record<K | RangeKey, string>>) => void;
}

/**
 * Text filters and a From/To time range above a log, applied together with the button, so typing
 * does not fire a request per key. From/To show local wall time; "To" covers its whole minute.
 */
export function LogFilters<K extends string>({ label, inputs, query, check, onApply }: LogFiltersProps<K>) {
  const [values, setValues] = useState(() => valuesOf(inputs, query));
  const [problem, setProblem] = useState<FilterProblem<K> | null>(null);
  const id = useId();
  const problemId = `${id}-problem`;
  /** One labelled input, and what goes after it (its suggestions). */
  const field = (key: K | RangeKey, text: string, attributes: InputHTMLAttributes<HTMLInputElement>, { narrow = false, after }: { narrow?: boolean; after?: ReactNode } = {}) => (
    <div key={key} className={narrow ? 'filter filter-narrow' : 'filter'}>
      <label htmlFor={`${id}-${key}`} className="field-label">
        {text}
      </label>
      <input
        {...attributes}
        id={`${id}-${key}`}
        className="input"
        autoComplete="off"
        value={values[key]}
        onChange={(event) => setValues((current) => ({ ...current, [key]: event.target.value }))}
        aria-invalid={problem?.key === key ? true : undefined}
        aria-describedby={problem?.key === key ? problemId : undefined}
      />
      {after}
    </div>
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const typed = Object.fromEntries(inputs.map(({ key }) => [key, values[key].trim()])) as Record<K, string>;
    const from = localInputToIso(values.from);
    const to = localInputToIso(values.to, { endOfMinute: true });
    const found = check?.(typed) ?? (from && to && from > to ? { key: 'from' as const, message: '"From" must be before "To".' } : null);
    setProblem(found);
    if (found) return;
    const filters: Partial<Record<K | RangeKey, string>> = {};
    for (const { key } of inputs) if (typed[key]) filters[key] = typed[key];
    if (from) filters.from = from;
    if (to) filters.to = to;
    onApply(filters);
  };

  return (
    <form className="filters log-filters" onSubmit={submit} aria-label={label} noValidate>
      {inputs.map(({ key, label: text, placeholder, suggestions, inputMode, narrow }) => {
        const listId = `${id}-${key}-suggestions`;
        const after = suggestions && (
          <datalist id={listId}>
            {suggestions.map((value) => (
              <option key={value} value={value} />
            ))}
          </datalist>
        );
        return field(key, text, { placeholder, inputMode, spellCheck: false, list: suggestions && listId }, { narrow, after });
      })}
      {field('from', 'From', { type: 'datetime-local' })}
      {field('to', 'To', { type: 'datetime-local' })}
      <div className="filter filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            setProblem(null);
            setValues(valuesOf(inputs, {}));
            onApply({});
          }}
        >
          Reset
        </button>
      </div>
      {problem && (
        <p id={problemId} className="field-error filters-error" role="alert">
          {problem.message}
        </p>
      )}
    </form>
  );
}

/** The filters of a query, ready for the inputs. */
function valuesOf<K extends string>(inputs: ReadonlyArray<LogFilterInput<K>>, query: Partial<Record<K | RangeKey, string>>): Record<K | RangeKey, string> {
  const values = { from: isoToLocalInput(query.from), to: isoToLocalInput(query.to) } as Record<K | RangeKey, string>;
  for (const { key } of inputs) values[key] = query[key] ?? '';
  return values;
}
