import { useState } from 'react';
import { useRotateAgentToken } from '../../api/cluster-hooks';
import type { Cluster } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TitledPanel } from '../../components/TitledPanel';
import { AgentTokenPanel } from './AgentTokenPanel';

/** An agent cluster's token: never shown again after registering, but it can be replaced. */
export function AgentTokenSection({ cluster }: { cluster: Cluster }) {
  const rotate = useRotateAgentToken();
  const [confirming, setConfirming] = useState(false);
  return (
    <TitledPanel title="Agent token">
      {rotate.data ? (
        <AgentTokenPanel clusterName={cluster.name} token={rotate.data.agentToken} />
      ) : (
        <div className="stack-tight">
          <p className="muted">The token was shown once, when the cluster was registered. A new one replaces it: the agent must then use the new one.</p>
          <div>
            <button type="button" className="btn btn-secondary" onClick={() => setConfirming(true)}>
              New agent token
            </button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Replace the agent token of ${cluster.name}?`}
        confirmLabel="Replace token"
        pending={rotate.isPending}
        error={<ErrorBanner error={rotate.error} />}
        onCancel={() => setConfirming(false)}
        onConfirm={() => rotate.mutate(cluster.name, { onSuccess: () => setConfirming(false) })}
      >
        <p>The current token stops working at once; the agent is disconnected until it uses the new one.</p>
      </ConfirmDialog>
    </TitledPanel>
  );
}
