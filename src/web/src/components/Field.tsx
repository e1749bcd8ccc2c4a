import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';
import { useId } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

export interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Render the control with the given id and ARIA wiring. */
  children: (control: FieldControlProps) => ReactNode;
}

/** Label, control, hint and the (server's) error message for one form field. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label to the right. */
export function CheckboxField({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <div>
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="field-hint">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

interface ValueFieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}

type TextFieldProps = ValueFieldProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'className' | 'children'>;

/** A labelled text (or number, …) input; `value` and `onChange` deal in strings. */
export function TextField({ label, hint, error, value, onChange, ...input }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => <input autoComplete="off" {...input} {...control} className="input" value={value} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}

type TextAreaFieldProps = ValueFieldProps &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'value' | 'onChange' | 'className' | 'children'> & {
    /** Monospace, for YAML, flags and KEY=VALUE lines. */
    mono?: boolean;
  };

export function TextAreaField({ label, hint, error, value, onChange, mono = false, ...textarea }: TextAreaFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => (
        <textarea
          spellCheck={false}
          {...textarea}
          {...control}
          className={mono ? 'input textarea mono' : 'input textarea'}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

export interface SelectOption<V extends string> {
  value: V;
  label: string;
}

/** A labelled select; options are values, or value + label pairs. */
export function SelectField<V extends string>({
  label,
  hint,
  error,
  value,
  onChange,
  options,
}: Omit<ValueFieldProps, 'value' | 'onChange'> & { value: V; onChange: (value: V) => void; options: ReadonlyArray<V | SelectOption<V>> }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => (
        <select {...control} className="input" value={value} onChange={(event) => onChange(event.target.value as V)}>
          {options.map((option) => {
            const { value: optionValue, label: optionLabel } = typeof option === 'string' ? { value: option, label: option } : option;
            return (
              <option key={optionValue} value={optionValue}>
                {optionLabel}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}
