import { useEffect, useState } from 'react';
import { useDeleteUser, useUsers } from '../../api/hooks';
import { useCurrentUser } from '../../auth/current-user';
import type { User } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { Pagination } from '../../components/Pagination';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';
import { CreateUserDrawer, EditUserDrawer } from './UserDrawers';

export function UsersTab() {
  useDocumentTitle('Users', 'Settings');
  const me = useCurrentUser();
  const isAdmin = me.role === 'admin';
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const users = useUsers(page.limit, page.offset);

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useDeleteUser();

  // Deleting the last row of the last page leaves an empty page: step back one.
  const pageIsEmpty = users.data !== undefined && users.data.items.length === 0 && page.offset > 0;
  useEffect(() => {
    if (pageIsEmpty) setPage((p) => ({ ...p, offset: Math.max(0, p.offset - p.limit) }));
  }, [pageIsEmpty]);

  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };

  return (
    <section className="panel panel-flush" aria-labelledby="users-title">
      <div className="panel-header">
        <div>
          <h2 id="users-title" className="panel-title">
            Users
          </h2>
          <p className="muted">
            {isAdmin ? 'People who can sign in to H-MAS and what they may do.' : 'Only admins can add or change users.'}
          </p>
        </div>
        {isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" />
            New user
          </button>
        )}
      </div>

      {notice && (
        <div className="panel-section">
          <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>
        </div>
      )}
      {users.isError && (
        <div className="panel-section">
          <ErrorBanner error={users.error} title="Could not load users." />
        </div>
      )}

      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Display name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Last login</th>
              {isAdmin && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {users.isPending && (
              <tr>
                <td colSpan={isAdmin ? 7 : 6} className="table-empty">
                  Loading users…
                </td>
              </tr>
            )}
            {users.data?.items.length === 0 && (
              <tr>
                <td colSpan={isAdmin ? 7 : 6} className="table-empty">
                  No users.
                </td>
              </tr>
            )}
            {users.data?.items.map((user) => (
              <tr key={user.id}>
                <td className="mono">
                  {user.username}
                  {user.id === me.id && <span className="muted"> (you)</span>}
                </td>
                <td>{user.displayName || <span className="muted">—</span>}</td>
                <td>
                  <Badge tone={user.role === 'admin' ? 'brand' : 'neutral'}>{user.role}</Badge>
                </td>
                <td>{user.disabled ? <Badge tone="error">disabled</Badge> : <Badge tone="ok">active</Badge>}</td>
                <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                <td className="nowrap">{formatDateTime(user.lastLoginAt, 'Never')}</td>
                {isAdmin && (
                  <td className="table-actions">
                    <button type="button" className="btn btn-ghost btn-small" aria-label={`Edit ${user.username}`} onClick={() => setEditing(user)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small btn-danger-text"
                      aria-label={`Delete ${user.username}`}
                      onClick={() => setDeleting(user)}
                    >
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {users.data && (
        <Pagination
          label="User pages"
          total={users.data.total}
          limit={page.limit}
          offset={page.offset}
          onChange={setPage}
          disabled={users.isFetching && users.isPlaceholderData}
        />
      )}

      {isAdmin && (
        <>
          <CreateUserDrawer
            open={creating}
            onClose={() => setCreating(false)}
            onCreated={(user) => {
              setCreating(false);
              setNotice(`User ${user.username} created.`);
            }}
          />
          <EditUserDrawer
            user={editing}
            isSelf={editing?.id === me.id}
            onClose={() => setEditing(null)}
            onSaved={(user) => {
              setEditing(null);
              setNotice(`User ${user.username} updated.`);
            }}
          />
          <ConfirmDialog
            open={deleting !== null}
            title={`Delete ${deleting?.username ?? 'user'}?`}
            confirmLabel="Delete user"
            pending={remove.isPending}
            error={<ErrorBanner error={remove.error} />}
            onCancel={closeDelete}
            onConfirm={() => {
              if (!deleting) return;
              const { username } = deleting;
              remove.mutate(deleting.id, {
                onSuccess: () => {
                  closeDelete();
                  setNotice(`User ${username} deleted.`);
                },
              });
            }}
          >
            <p>
              {deleting?.id === me.id
                ? 'This is your own account: you will lose access to H-MAS.'
                : 'They will no longer be able to sign in. Their audit log entries are kept.'}
            </p>
          </ConfirmDialog>
        </>
      )}
    </section>
  );
}
