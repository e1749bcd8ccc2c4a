import { useId } from 'react';
import { useDocumentTitle } from '../lib/use-document-title';
import { Icon } from './Icon';
import { PageHeader } from './PageHeader';

export interface PlannedFeature {
  title: string;
  /** One sentence: what the page is for. */
  summary: string;
  /** What will be on it. */
  planned: readonly string[];
}

/** The one panel every not-yet-built page shows, so they all read the same. */
export function NotAvailable({ feature }: { feature: PlannedFeature }) {
  useDocumentTitle(feature.title);
  const titleId = useId();
  return (
    <>
      <PageHeader title={feature.title} description={feature.summary} />
      <section className="panel not-available" aria-labelledby={titleId}>
        <div className="not-available-icon" aria-hidden="true">
          <Icon name="construction" size={28} />
        </div>
        <div>
          <h2 id={titleId} className="panel-title">
            Not available yet
          </h2>
          <p className="muted">{feature.title} is not part of this build. When it lands, this page will have:</p>
          <ul className="not-available-list">
            {feature.planned.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </div>
      </section>
    </>
  );
}
