import { useState } from 'react';
import { useRateLimits } from '../../api/gateway-hooks';
import { useDeleteUser, useUsers } from '../../api/hooks';
import type { User } from '../../api/types';
import { useCurrentUser } from '../../auth/current-user';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { AddButton, RowButton } from '../../components/ListButtons';
import { ListPanel } from '../../components/ListPanel';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useNotice } from '../../lib/use-notice';
import { userColumns } from './user-columns';
import { CreateUserDrawer, EditUserDrawer } from './UserDrawers';

export function UsersTab() {
  useDocumentTitle('Users', 'Settings');
  const me = useCurrentUser();
  const isAdmin = me.role === 'admin';
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const users = useUsers(page.limit, page.offset);
  // The server's default rate limits, for users without their own.
  const defaults = useRateLimits([me.id])[0]?.data?.defaults;

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const notice = useNotice();
  const remove = useDeleteUser();

  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };
  const actions = (user: User) => (
    <>
      <RowButton action="Edit" row={user.username} onClick={() => setEditing(user)} />
      <RowButton action="Delete" row={user.username} danger onClick={() => setDeleting(user)} />
    </>
  );

  return (
    <>
      <ListPanel
        title="Users"
        header={{
          description: isAdmin ? 'People who can sign in to H-MAS and what they may do.' : 'Only admins can add or change users.',
          actions: isAdmin && <AddButton onClick={() => setCreating(true)}>New user</AddButton>,
        }}
        list={users}
        errorTitle="Could not load users."
        notice={notice}
        columns={userColumns(me.id, defaults)}
        rowKey={(user) => user.id}
        empty="No users."
        actions={isAdmin ? actions : undefined}
        page={page}
        onPageChange={setPage}
        pagesLabel="User pages"
      />
      {isAdmin && (
        <>
          <CreateUserDrawer
            open={creating}
            onClose={() => setCreating(false)}
            onCreated={(user) => {
              setCreating(false);
              notice.show(`User ${user.username} created.`);
            }}
          />
          <EditUserDrawer
            user={editing}
            isSelf={editing?.id === me.id}
            defaults={defaults}
            onClose={() => setEditing(null)}
            onSaved={(user) => {
              setEditing(null);
              notice.show(`User ${user.username} updated.`);
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
                  notice.show(`User ${username} deleted.`);
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
    </>
  );
}
