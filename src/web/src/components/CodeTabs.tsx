import type { KeyboardEvent } from 'react';
import { useId, useRef, useState } from 'react';
import { CopyButton } from './CopyButton';

export interface CodeSample {
  /** The tab's name ("curl", "Python"). */
  label: string;
  code: string;
}

/**
 * Code samples of one thing in several languages: a tab each (arrow keys move between them), the
 * chosen one in a block with its copy button.
 */
export function CodeTabs({ label, samples }: { label: string; samples: readonly CodeSample[] }) {
  const id = useId();
  const [selected, setSelected] = useState(0);
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const current = samples[selected] ?? samples[0];
  const move = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = (selected + step + samples.length) % samples.length;
    setSelected(next);
    tabs.current[next]?.focus();
  };
  if (!current) return null;
  return (
    <div className="code-tabs">
      <div className="code-tabs-head">
        <div role="tablist" aria-label={label} className="code-tablist" onKeyDown={move}>
          {samples.map((sample, index) => (
            <button
              key={sample.label}
              ref={(element) => {
                tabs.current[index] = element;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${index}`}
              aria-selected={index === selected}
              aria-controls={`${id}-panel`}
              tabIndex={index === selected ? 0 : -1}
              className="code-tab"
              onClick={() => setSelected(index)}
            >
              {sample.label}
            </button>
          ))}
        </div>
        <CopyButton key={current.label} text={current.code} label={`Copy ${current.label}`} />
      </div>
      <pre id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${selected}`} className="code-block" tabIndex={0}>
        {current.code}
      </pre>
    </div>
  );
}
