import { useInstanceTab } from './instance-tab-context';
import { LogsPanel } from './LogsPanel';

export function LogsTab() {
  const { deployment, enabled } = useInstanceTab();
  return <LogsPanel deploymentId={deployment.id} enabled={enabled} />;
}
