import { useId } from 'react';
import type { LabelRow } from '../lib/labels';
import { newLabelRow } from '../lib/labels';
import { Icon } from './Icon';

/** Key/value rows with add and remove; `errors` are per row id (see labelRowErrors). */
export function LabelsEditor({
  legend,
  hint,
  rows,
  onChange,
  errors,
}: {
  legend: string;
  hint?: string;
  rows: readonly LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  errors: Record<number, string>;
}) {
  const hintId = useId();
  const update = (id: number, change: Partial<LabelRow>) => onChange(rows.map((row) => (row.id === id ? { ...row, ...change } : row)));
  return (
    <fieldset className="labels-editor" aria-describedby={hint ? hintId : undefined}>
      <legend className="field-label">{legend}</legend>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {rows.length === 0 && <p className="muted labels-empty">No labels.</p>}
      {rows.map((row, index) => {
        const name = `${legend.replace(/s$/, '')} ${index + 1}`;
        const error = errors[row.id];
        const errorId = `${hintId}-${row.id}`;
        const described = error ? errorId : undefined;
        return (
          <div key={row.id} className="label-row">
            <input
              className="input mono"
              aria-label={`${name} key`}
              placeholder="key, e.g. region"
              autoComplete="off"
              spellCheck={false}
              value={row.key}
              aria-invalid={error ? true : undefined}
              aria-describedby={described}
              onChange={(event) => update(row.id, { key: event.target.value })}
            />
            <span aria-hidden="true">=</span>
            <input
              className="input mono"
              aria-label={`${name} value`}
              placeholder="value"
              autoComplete="off"
              spellCheck={false}
              value={row.value}
              aria-invalid={error ? true : undefined}
              aria-describedby={described}
              onChange={(event) => update(row.id, { value: event.target.value })}
            />
            <button type="button" className="btn btn-icon btn-ghost" aria-label={`Remove ${name.toLowerCase()}`} onClick={() => onChange(rows.filter((r) => r.id !== row.id))}>
              <Icon name="close" />
            </button>
            {error && (
              <p id={errorId} className="field-error label-row-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onChange([...rows, newLabelRow()])}>
          <Icon name="plus" size={16} />
          Add {legend.replace(/s$/, '').toLowerCase()}
        </button>
      </div>
    </fieldset>
  );
}
