import type { ReactNode } from 'react';
import { useId } from 'react';

/** A panel with a heading that names it (a region screen readers and browser tests find by title). */
export function TitledPanel({ title, children }: { title: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel-title">
        {title}
      </h2>
      {children}
    </section>
  );
}
