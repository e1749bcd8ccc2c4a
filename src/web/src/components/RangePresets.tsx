import type { ReactNode } from 'react';

export interface RangePresetsProps<K extends string> {
  options: ReadonlyArray<{ key: K; label: string }>;
  /** The pressed preset; none while a custom range is set. */
  selected: K | null;
  onSelect: (key: K) => void;
  /** A line after the buttons (e.g. how to set a custom range). */
  children?: ReactNode;
}

/** Time range presets as toggle buttons in a group named "Time range" (the pressed one filled). */
export function RangePresets<K extends string>({ options, selected, onSelect, children }: RangePresetsProps<K>) {
  return (
    <div className="range-presets" role="group" aria-label="Time range">
      {options.map((option) => (
        <button key={option.key} type="button" className="btn btn-secondary btn-small" aria-pressed={option.key === selected} onClick={() => onSelect(option.key)}>
          {option.label}
        </button>
      ))}
      {children}
    </div>
  );
}
