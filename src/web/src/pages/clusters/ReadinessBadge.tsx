import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import { formatDateTime } from '../../lib/format';
import { READINESS } from './cluster-format';

/** Green ready, red not ready, amber unknown; the message (and when) in the tooltip. */
export function ReadinessBadge({ readiness }: { readiness: Cluster['readiness'] }) {
  const { label, tone } = READINESS[readiness.state];
  const checked = readiness.lastCheckedAt ? ` (checked ${formatDateTime(readiness.lastCheckedAt)})` : '';
  return (
    <Badge tone={tone} title={`${readiness.message}${checked}`}>
      {label}
    </Badge>
  );
}
