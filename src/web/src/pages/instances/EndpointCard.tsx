import type { Deployment } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';

/** A chat completion against the first ready replica, as a shell command. */
export function curlExample(baseUrl: string, model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  return [`curl -s ${baseUrl}/chat/completions \\`, `  -H 'Content-Type: application/json' \\`, `  -d '${body}'`].join('\n');
}

/** The OpenAI base URL of each ready replica, with a copy button, and a curl example. */
export function EndpointCard({ deployment }: { deployment: Deployment }) {
  const [first] = deployment.endpoints;
  return (
    <section className="panel" aria-labelledby="endpoint-title">
      <h2 id="endpoint-title" className="panel-title">
        Endpoint
      </h2>
      {!first ? (
        <p className="muted">
          {deployment.status === 'paused'
            ? 'Paused: there is no endpoint until the instance is resumed.'
            : 'No replica is ready yet: the OpenAI-compatible base URL appears here once one is.'}
        </p>
      ) : (
        <div className="stack-tight">
          <p className="muted">OpenAI-compatible base URL of each ready replica; the model is called {deployment.name}.</p>
          <ul className="endpoint-list" aria-label="Base URLs">
            {deployment.endpoints.map((url) => (
              <li key={url} className="token-row">
                <code className="mono endpoint-url">{url}</code>
                <CopyButton text={url} label="Copy URL" />
              </li>
            ))}
          </ul>
          <div className="curl-example">
            <div className="curl-head">
              <span className="field-label">Chat completion</span>
              <CopyButton text={curlExample(first, deployment.name)} label="Copy command" />
            </div>
            <pre className="code-block">
              {curlExample(first, deployment.name)}
            </pre>
          </div>
        </div>
      )}
    </section>
  );
}
