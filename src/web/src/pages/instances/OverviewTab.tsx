import { EndpointCard } from './EndpointCard';
import { useInstanceTab } from './instance-tab-context';
import { MetricsBar } from './MetricsBar';
import { SettingsCard } from './SettingsCard';
import { StatusCard } from './StatusCard';

/** The instance at a glance: its numbers now, status, endpoint, settings. */
export function OverviewTab() {
  const { deployment, enabled } = useInstanceTab();
  return (
    <div className="stack">
      <MetricsBar deploymentId={deployment.id} enabled={enabled} />
      <div className="panel-grid">
        <StatusCard deployment={deployment} />
        <EndpointCard deployment={deployment} />
      </div>
      <SettingsCard deployment={deployment} />
    </div>
  );
}
