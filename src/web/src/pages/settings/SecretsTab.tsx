import { useState } from 'react';
import { useDeleteSecret, useSecrets, type SecretRow } from '../../api/secret-hooks';
import { CollectionPanel } from '../../components/CollectionPanel';
import type { Column } from '../../components/DataTable';
import { useDocumentTitle } from '../../lib/use-document-title';
import { SecretForm } from './SecretForm';

const columns: ReadonlyArray<Column<SecretRow>> = [
  { header: 'Name', cell: (secret) => secret.name, className: 'mono' },
  { header: 'Description', cell: (secret) => secret.description || '—', className: 'summary' },
  { header: 'Used by', cell: (secret) => secret.usedBy.join(', ') || '—' },
  { header: 'Value set', cell: (secret) => new Date(secret.rotatedAt).toLocaleString() },
  { header: 'Created by', cell: (secret) => secret.createdBy ?? '—' },
];

export function SecretsTab() {
  useDocumentTitle('Secrets', 'Settings');
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  return (
    <CollectionPanel
      title="Secrets"
      description="Tokens runtimes need (HF_TOKEN, …), referred to in settings as KEY=secretRef:NAME. Values are never shown."
      noun="secret"
      list={useSecrets(page)}
      page={page}
      onPageChange={setPage}
      columns={columns}
      remove={useDeleteSecret()}
      deleteConsequence={<p>Settings can no longer refer to it. A secret a deployment uses cannot be deleted.</p>}
      drawerDescription="Editing sets a new value; the old one cannot be read."
      form={(props) => <SecretForm {...props} />}
    />
  );
}
