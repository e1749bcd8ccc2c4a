import { Fragment } from 'react';
import type { InferenceLogEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Drawer } from '../../components/Drawer';
import { Facts } from '../../components/Facts';
import { formatCount, formatDateTimeSeconds } from '../../lib/format';
import { authMethodText, formatMs, statusTone } from './inference-log-format';

/** Every field of one inference log entry, request id and error message included. */
export function InferenceLogDrawer({ entry, onClose }: { entry: InferenceLogEntry | null; onClose: () => void }) {
  return (
    <Drawer open={entry !== null} title="Inference request" description={entry ? `${entry.method} ${entry.path}` : undefined} onClose={onClose}>
      {entry && (
        <div className="drawer-details stack-tight">
          <Facts
            label="Request"
            facts={[
              ['Request ID', <code key="id" className="mono">{entry.requestId}</code>],
              ['Status', <Badge key="status" tone={statusTone(entry.statusCode)}>{entry.statusCode}</Badge>],
              ['Error message', entry.errorMessage],
              ['Started', formatDateTimeSeconds(entry.startedAt)],
              ['Ended', formatDateTimeSeconds(entry.createdAt)],
              ['TTFB', formatMs(entry.ttfbMs)],
              ['Duration', formatMs(entry.durationMs)],
              ['Streaming', entry.streaming ? 'yes' : 'no'],
              ['Method', entry.method],
              ['Path', <code key="path" className="mono">{entry.path}</code>],
            ]}
          />
          {(
            [
              ['Target', [['Deployment', entry.deploymentName], ['Model', entry.modelName], ['Cluster', entry.clusterName], ['Deployment ID', entry.deploymentId]]],
              ['Caller', [['User', entry.username], ['Auth method', authMethodText(entry.authMethod)], ['API key ID', entry.apiKeyId], ['User ID', entry.userId]]],
              ['Tokens', [['Prompt', formatCount(entry.promptTokens)], ['Completion', formatCount(entry.completionTokens)], ['Total', formatCount(entry.totalTokens)]]],
            ] as const
          ).map(([title, facts]) => (
            <Fragment key={title}>
              <h3 className="details-heading">{title}</h3>
              <Facts label={title} facts={facts} />
            </Fragment>
          ))}
          <p className="muted">Log entry {entry.id}</p>
        </div>
      )}
    </Drawer>
  );
}
