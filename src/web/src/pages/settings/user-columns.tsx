import type { User } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { LimitLines } from '../../components/RateLimitFields';
import { formatDateTime } from '../../lib/format';

/**
 * The users table; the signed-in user's row says "(you)", and the username's tooltip when the
 * user was created. `defaults` are the server's rate
 * limits, shown where a user has no limit of their own.
 */
export function userColumns(myId: string, defaults?: { rpm: number; tpm: number }): ReadonlyArray<Column<User>> {
  return [
    {
      header: 'Username',
      cell: (user) => (
        <span title={`Created ${formatDateTime(user.createdAt)}`}>
          {user.username}
          {user.id === myId && <span className="muted"> (you)</span>}
        </span>
      ),
      className: 'mono',
    },
    { header: 'Display name', cell: (user) => user.displayName || <span className="muted">—</span> },
    { header: 'Role', cell: (user) => <Badge tone={user.role === 'admin' ? 'brand' : 'neutral'}>{user.role}</Badge> },
    { header: 'Status', cell: (user) => (user.disabled ? <Badge tone="error">disabled</Badge> : <Badge tone="ok">active</Badge>) },
    {
      header: 'Rate limits',
      cell: (user) => <LimitLines own={{ rpm: user.rateLimitRpm, tpm: user.rateLimitTpm }} inherited={defaults} inheritedTitle="The server default (HMAS_RATE_LIMIT_RPM / HMAS_RATE_LIMIT_TPM)" />,
    },
    { header: 'Last login', cell: (user) => <span className="date-lines">{formatDateTime(user.lastLoginAt, 'Never')}</span> },
  ];
}
