import { useId } from 'react';
import { CopyButton } from '../../components/CopyButton';

/** A freshly made agent token, shown this once. */
export function AgentTokenPanel({ clusterName, token }: { clusterName: string; token: string }) {
  const id = useId();
  return (
    <section className="token-panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="token-title">
        Agent token for {clusterName}
      </h3>
      <p className="muted">
        The H-MAS agent next to the cluster dials in with this token. Copy it now: it is not shown again. If it is lost, make a new one
        on the cluster’s page (the old one then stops working).
      </p>
      <label htmlFor={id} className="field-label">
        Agent token
      </label>
      <div className="token-row">
        <input id={id} className="input mono" readOnly value={token} onFocus={(event) => event.target.select()} />
        <CopyButton text={token} label="Copy token" />
      </div>
    </section>
  );
}
