import type { User } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTime } from '../../lib/format';

/** The users table; the signed-in user's row says "(you)". */
export function userColumns(myId: string): ReadonlyArray<Column<User>> {
  return [
    {
      header: 'Username',
      cell: (user) => (
        <>
          {user.username}
          {user.id === myId && <span className="muted"> (you)</span>}
        </>
      ),
      className: 'mono',
    },
    { header: 'Display name', cell: (user) => user.displayName || <span className="muted">—</span> },
    { header: 'Role', cell: (user) => <Badge tone={user.role === 'admin' ? 'brand' : 'neutral'}>{user.role}</Badge> },
    { header: 'Status', cell: (user) => (user.disabled ? <Badge tone="error">disabled</Badge> : <Badge tone="ok">active</Badge>) },
    { header: 'Created', cell: (user) => formatDateTime(user.createdAt), className: 'nowrap' },
    { header: 'Last login', cell: (user) => formatDateTime(user.lastLoginAt, 'Never'), className: 'nowrap' },
  ];
}
