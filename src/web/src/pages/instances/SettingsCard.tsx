import { Link } from 'react-router';
import { useResourceProfiles } from '../../api/policy-hooks';
import { useRuntimes } from '../../api/runtime-hooks';
import type { Deployment } from '../../api/types';
import { Facts } from '../../components/Facts';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime } from '../../lib/format';
import { optimizationSummary } from '../settings/optimization-form';

/** What the instance is made of: model, cluster, runtime, profile, optimization. */
export function SettingsCard({ deployment }: { deployment: Deployment }) {
  const runtimes = useRuntimes();
  const profiles = useResourceProfiles({ limit: 500, offset: 0 });
  const runtime = runtimes.data?.find((entry) => entry.id === deployment.runtime);
  const profile = deployment.resourceProfileId ? profiles.data?.items.find((entry) => entry.id === deployment.resourceProfileId) : undefined;
  return (
    <TitledPanel title="Settings">
      <Facts
        label="Settings"
        facts={[
          ['Model', <Link key="model" to={`/models/${deployment.modelId}`} className="mono">{deployment.modelName}</Link>],
          ['Cluster', <Link key="cluster" to={`/clusters/${encodeURIComponent(deployment.cluster)}`} className="mono">{deployment.cluster}</Link>],
          ['Runtime', runtime?.displayName ?? deployment.runtime],
          ['Replicas asked for', String(deployment.replicas)],
          ['Resource profile', deployment.resourceProfileId ? (profile ? `${profile.name} — ${profile.gpuCount} GPU, ${profile.cpu} CPU, ${profile.memory}` : deployment.resourceProfileId) : 'none (runtime defaults)'],
          ['Optimization preset', deployment.optimizationPresetId ?? 'none'],
          ['Optimization', optimizationSummary(deployment.optimization, runtime)],
          ['Created', formatDateTime(deployment.createdAt)],
        ]}
      />
    </TitledPanel>
  );
}
