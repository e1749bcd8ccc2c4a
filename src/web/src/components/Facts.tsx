import type { ReactNode } from 'react';

export type Fact = readonly [label: string, value: ReactNode];

/** Label/value pairs in a grid (a <dl>); empty values show as a dash, long texts span the row. */
export function Facts({ facts, label }: { facts: ReadonlyArray<Fact | false | null | undefined>; label?: string }) {
  return (
    <dl className="facts" aria-label={label}>
      {facts.map((fact) =>
        fact ? (
          <div key={fact[0]} className={typeof fact[1] === 'string' && fact[1].length > 60 ? 'fact fact-wide' : 'fact'}>
            <dt>{fact[0]}</dt>
            <dd>{fact[1] === null || fact[1] === undefined || fact[1] === '' ? <span className="muted">—</span> : fact[1]}</dd>
          </div>
        ) : null,
      )}
    </dl>
  );
}
