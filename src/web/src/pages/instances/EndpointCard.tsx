import { Link } from 'react-router';
import type { Deployment } from '../../api/types';
import { CodeTabs } from '../../components/CodeTabs';
import { CopyButton } from '../../components/CopyButton';
import { TitledPanel } from '../../components/TitledPanel';
import { clientExamples, gatewayBaseUrl } from './client-examples';

/**
 * How to call the instance: the gateway's base URL (API key, rate limits, inference logs) with
 * curl and OpenAI SDK samples — there even while no replica is ready, since the URL does not
 * change — and the address of each ready replica, for reference: replicas accept only the
 * gateway's per-replica token, so they are not for calling directly.
 */
export function EndpointCard({ deployment }: { deployment: Deployment }) {
  const gateway = gatewayBaseUrl(window.location.origin);
  return (
    <TitledPanel title="Endpoint">
      <div className="stack-tight">
        <p className="muted">
          Call it through the H-MAS gateway with the model <span className="mono">{deployment.name}</span> and an{' '}
          <Link to="/api-keys">API key</Link> (in <code className="mono">HMAS_API_KEY</code> below).
        </p>
        <span className="field-label">Gateway base URL</span>
        <div className="token-row">
          <code className="mono endpoint-url">{gateway}</code>
          <CopyButton text={gateway} label="Copy gateway URL" />
        </div>
        <CodeTabs label="Chat completion examples" samples={clientExamples(gateway, deployment.name)} />
        <span className="field-label">Replica addresses (internal: they answer only the gateway)</span>
        {deployment.endpoints.length === 0 ? (
          <p className="muted">
            {deployment.status === 'paused'
              ? 'Paused: no replica runs, and the gateway answers 503 until the instance is resumed.'
              : 'No replica is ready yet: until one is, the gateway answers 503.'}
          </p>
        ) : (
          <ul className="endpoint-list" aria-label="Base URLs">
            {deployment.endpoints.map((url) => (
              <li key={url} className="token-row">
                <code className="mono endpoint-url muted">{url}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
    </TitledPanel>
  );
}
