import { EndpointCard } from './EndpointCard';
import { useInstanceTab } from './instance-tab-context';
import { SettingsCard } from './SettingsCard';
import { StatusCard } from './StatusCard';

/** The instance at a glance: status, endpoint, settings. */
export function OverviewTab() {
  const { deployment } = useInstanceTab();
  return (
    <div className="stack">
      <div className="panel-grid">
        <StatusCard deployment={deployment} />
        <EndpointCard deployment={deployment} />
      </div>
      <SettingsCard deployment={deployment} />
    </div>
  );
}
