import type { FormEvent, InputHTMLAttributes, ReactNode } from 'react';
import { useId, useState } from 'react';
import { isoToLocalInput, localInputToIso } from '../../lib/format';
import type { PagedQuery } from '../../lib/url-query';
import type { LOG_FILTER_KEYS } from './inference-log-format';
import { COMMON_STATUS_CODES } from './inference-log-format';

type FilterKey = (typeof LOG_FILTER_KEYS)[number];
/** What the inputs hold: from/to as datetime-local values (local wall time). */
type FilterValues = Record<FilterKey, string>;

const EMPTY: FilterValues = { deployment: '', user: '', statusCode: '', from: '', to: '' };

/** The filters of a query, ready for the inputs. */
const valuesOf = (query: PagedQuery<FilterKey>): FilterValues => ({
  deployment: query.deployment ?? '',
  user: query.user ?? '',
  statusCode: query.statusCode ?? '',
  from: isoToLocalInput(query.from),
  to: isoToLocalInput(query.to),
});

/**
 * Deployment, user (operators and admins: viewers see only their own requests), status code and
 * time range; applied together with the button, so typing does not fire a request per key.
 */
export function InferenceLogFilters({
  query,
  deployments,
  showUser,
  onApply,
}: {
  query: PagedQuery<FilterKey>;
  /** Names offered in the deployment box; any name can be typed (deleted deployments too). */
  deployments: readonly string[];
  showUser: boolean;
  onApply: (filters: Partial<Record<FilterKey, string>>) => void;
}) {
  const [values, setValues] = useState(() => valuesOf(query));
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { deployment: useId(), deployments: useId(), user: useId(), statusCode: useId(), codes: useId(), from: useId(), to: useId(), problem: useId() };
  /** One labelled input of the form, and what goes after it (its suggestions). */
  const field = (key: FilterKey, label: string, attributes: InputHTMLAttributes<HTMLInputElement>, after?: ReactNode) => (
    <div className={key === 'statusCode' ? 'filter filter-narrow' : 'filter'}>
      <label htmlFor={ids[key]} className="field-label">
        {label}
      </label>
      <input
        {...attributes}
        id={ids[key]}
        className="input"
        autoComplete="off"
        value={values[key]}
        onChange={(event) => setValues((current) => ({ ...current, [key]: event.target.value }))}
      />
      {after}
    </div>
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const from = localInputToIso(values.from);
    const to = localInputToIso(values.to, { endOfMinute: true });
    const code = values.statusCode.trim();
    if (code && !/^[1-5]\d\d$/.test(code)) return setProblem('Status code: a three-digit HTTP code, e.g. 429.');
    if (from && to && from > to) return setProblem('"From" must be before "To".');
    setProblem(null);
    onApply({ deployment: values.deployment.trim(), user: showUser ? values.user.trim() : '', statusCode: code, from: from ?? '', to: to ?? '' });
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Inference log filters" noValidate>
      {field('deployment', 'Deployment', { list: ids.deployments, placeholder: 'name', spellCheck: false }, <Options id={ids.deployments} values={deployments} />)}
      {showUser && field('user', 'User', { placeholder: 'username', spellCheck: false })}
      {field(
        'statusCode',
        'Status code',
        { list: ids.codes, inputMode: 'numeric', placeholder: 'e.g. 429', 'aria-describedby': problem ? ids.problem : undefined },
        <Options id={ids.codes} values={COMMON_STATUS_CODES} />,
      )}
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
            setValues(EMPTY);
            onApply({});
          }}
        >
          Reset
        </button>
      </div>
      {problem && (
        <p id={ids.problem} className="field-error filters-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

/** Suggestions for an input (any other value may still be typed). */
function Options({ id, values }: { id: string; values: ReadonlyArray<string | number> }) {
  return (
    <datalist id={id}>
      {values.map((value) => (
        <option key={value} value={value} />
      ))}
    </datalist>
  );
}
