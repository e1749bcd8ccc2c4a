import { useId, type ReactNode } from 'react';

/**
 * A titled group of checkboxes: the legend, a hint, whatever comes before the list (loading or
 * empty notes), one `<li>` per option in `children`, and the field's error under it.
 */
export function CheckGroup({
  legend,
  hint,
  before,
  listClassName,
  error,
  children,
}: {
  legend: string;
  hint: ReactNode;
  before?: ReactNode;
  listClassName?: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  const hintId = useId();
  const errorId = useId();
  return (
    <fieldset className="choice-group" aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}>
      <legend className="field-label">{legend}</legend>
      <p id={hintId} className="field-hint">
        {hint}
      </p>
      {before}
      <ul className={listClassName ? `check-options ${listClassName}` : 'check-options'}>{children}</ul>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
