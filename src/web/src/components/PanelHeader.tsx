import type { ReactNode } from 'react';

/** Title, one line about it, and the panel's buttons (e.g. "New …"). */
export function PanelHeader({ titleId, title, description, actions }: { titleId: string; title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="panel-header">
      <div>
        <h2 id={titleId} className="panel-title">
          {title}
        </h2>
        {description && <p className="muted">{description}</p>}
      </div>
      {actions}
    </div>
  );
}
