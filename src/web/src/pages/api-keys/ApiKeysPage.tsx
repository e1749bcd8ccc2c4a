import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { SavedApiKey } from '../../api/gateway-hooks';
import { useApiKeys, useRateLimits, useRevokeApiKey } from '../../api/gateway-hooks';
import type { ApiKey, CreatedApiKey } from '../../api/types';
import { useCurrentUser } from '../../auth/current-user';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { AddButton, RowButton } from '../../components/ListButtons';
import { ListPanel } from '../../components/ListPanel';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useNotice } from '../../lib/use-notice';
import type { InheritedLimits } from './api-key-format';
import { inheritedLimits } from './api-key-format';
import { apiKeyColumns } from './api-key-columns';
import { ApiKeyForm } from './ApiKeyForm';
import { ApiKeyUsage } from './ApiKeyUsage';
import { CreatedKeyDialog } from './CreatedKeyDialog';

type DrawerState = { editing: ApiKey | null } | null;

/**
 * API keys for the inference gateway. Everyone manages their own keys (viewers too); admins see
 * and change everyone's. The plain key is shown once, right after it is created.
 */
export function ApiKeysPage() {
  useDocumentTitle('API keys');
  const me = useCurrentUser();
  const isAdmin = me.role === 'admin';
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const keys = useApiKeys(page);
  const [drawer, setDrawer] = useState<DrawerState>(null);
  const [created, setCreated] = useState<Pick<CreatedApiKey, 'name' | 'key'> | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const notice = useNotice();
  const revoke = useRevokeApiKey();

  // What a key without limits of its own inherits, per owner on this page (and for new keys, mine).
  const owners = useMemo(() => [...new Set([me.id, ...(keys.data?.items.map((key) => key.userId) ?? [])])], [me.id, keys.data]);
  const overviews = useRateLimits(owners);
  const inheritedOf = (userId: string): InheritedLimits | undefined => inheritedLimits(overviews[owners.indexOf(userId)]?.data);
  const columns = apiKeyColumns({ showOwner: isAdmin, inheritedOf: (key) => inheritedOf(key.userId) });

  const onSaved = (saved: SavedApiKey) => {
    const wasEditing = drawer?.editing;
    setDrawer(null);
    if (saved.key) setCreated({ name: saved.name, key: saved.key });
    notice.show(wasEditing ? `API key ${saved.name} saved.` : `API key ${saved.name} created.`);
  };
  const closeRevoke = () => {
    setRevoking(null);
    revoke.reset();
  };

  const actions = (key: ApiKey) =>
    key.status === 'revoked' ? null : (
      <>
        <RowButton action="Edit" row={key.name} onClick={() => setDrawer({ editing: key })} />
        <RowButton action="Revoke" row={key.name} danger onClick={() => setRevoking(key)} />
      </>
    );

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for the OpenAI-compatible API at <code className="mono">{window.location.origin}/v1</code>.{' '}
            {isAdmin ? 'As an admin you see everyone’s keys.' : 'You see and manage your own keys.'} Requests made with them are in the{' '}
            <Link to="/inference-logs">inference logs</Link>.
          </>
        }
        actions={<AddButton onClick={() => setDrawer({ editing: null })}>New API key</AddButton>}
      />
      <ListPanel
        title="API keys"
        list={keys}
        errorTitle="Could not load the API keys."
        notice={notice}
        columns={columns}
        rowKey={(key) => key.id}
        empty="No API keys yet: create one to call the gateway."
        actions={actions}
        dense
        page={page}
        onPageChange={setPage}
        pagesLabel="API key pages"
      />

      <Drawer
        open={drawer !== null}
        title={drawer?.editing ? `Edit ${drawer.editing.name}` : 'New API key'}
        description={
          drawer?.editing
            ? `${drawer.editing.keyPrefix}…, created ${formatDateTime(drawer.editing.createdAt)}${isAdmin ? ` by ${drawer.editing.username}` : ''}. Changes apply to the next request made with the key.`
            : 'The key is shown once, when it is created.'
        }
        onClose={() => setDrawer(null)}
      >
        {drawer?.editing && <ApiKeyUsage id={drawer.editing.id} />}
        {drawer && <ApiKeyForm editing={drawer.editing} inherited={inheritedOf(drawer.editing?.userId ?? me.id)} onClose={() => setDrawer(null)} onSaved={onSaved} />}
      </Drawer>
      <CreatedKeyDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke API key ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={<ErrorBanner error={revoke.error} />}
        onCancel={closeRevoke}
        onConfirm={() => {
          if (!revoking) return;
          const { name } = revoking;
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              closeRevoke();
              notice.show(`API key ${name} revoked.`);
            },
          });
        }}
      >
        <p>Requests with it are refused from now on (401). This cannot be undone; it stays listed as revoked.</p>
      </ConfirmDialog>
    </>
  );
}
