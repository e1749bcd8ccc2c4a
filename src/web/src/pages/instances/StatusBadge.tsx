import type { Deployment } from '../../api/types';
import { Icon } from '../../components/Icon';
import { CACHED_NOTE, STATUS_TONES } from './instance-format';

/**
 * The status as a colored badge. A status read from the database (the cluster did not answer)
 * carries an offline icon and says so in its tooltip and to screen readers.
 */
export function StatusBadge({ deployment }: { deployment: Pick<Deployment, 'status' | 'statusSource' | 'statusReason'> }) {
  const { status, statusSource, statusReason } = deployment;
  const cached = statusSource === 'cached';
  const title = [cached ? CACHED_NOTE : null, statusReason].filter(Boolean).join(' · ') || undefined;
  return (
    <span className={`badge badge-${STATUS_TONES[status]} status-badge`} title={title} data-status={status} data-source={statusSource}>
      {cached && <Icon name="offline" size={13} />}
      {status}
      {cached && <span className="visually-hidden"> ({CACHED_NOTE})</span>}
    </span>
  );
}
