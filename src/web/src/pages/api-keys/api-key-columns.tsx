import type { ApiKey } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTime } from '../../lib/format';
import type { InheritedLimits, LimitKind } from './api-key-format';
import { KEY_STATUS_TONES, limitText } from './api-key-format';

const limitColumn = (header: string, kind: LimitKind, inheritedOf: (key: ApiKey) => InheritedLimits | undefined): Column<ApiKey> => ({
  header,
  cell: (key) => (
    <span className={key[kind] === null ? 'muted' : undefined} title={key[kind] === null ? "Inherited: the owner's limit, else the server default" : undefined}>
      {limitText(key[kind], inheritedOf(key)?.[kind])}
    </span>
  ),
  className: 'nowrap',
});

/** The API keys table; the owner column only for admins, who see everyone's keys. */
export function apiKeyColumns({ showOwner, inheritedOf }: { showOwner: boolean; inheritedOf: (key: ApiKey) => InheritedLimits | undefined }): ReadonlyArray<Column<ApiKey>> {
  return [
    { header: 'Name', cell: (key) => key.name },
    { header: 'Key', cell: (key) => `${key.keyPrefix}…`, className: 'mono nowrap' },
    ...(showOwner ? [{ header: 'Owner', cell: (key: ApiKey) => key.username, className: 'mono' }] : []),
    { header: 'Status', cell: (key) => <Badge tone={KEY_STATUS_TONES[key.status]}>{key.status}</Badge> },
    {
      header: 'Deployments',
      cell: (key) =>
        key.allowedDeployments.length === 0 ? (
          <span className="muted">all</span>
        ) : (
          <ul className="chips" aria-label="Allowed deployments">
            {key.allowedDeployments.map((name) => (
              <li key={name} className="chip mono">
                {name}
              </li>
            ))}
          </ul>
        ),
    },
    limitColumn('RPM', 'rpm', inheritedOf),
    limitColumn('TPM', 'tpm', inheritedOf),
    { header: 'Expires', cell: (key) => formatDateTime(key.expiresAt, 'Never'), className: 'nowrap' },
    { header: 'Last used', cell: (key) => formatDateTime(key.lastUsedAt, 'Never'), className: 'nowrap' },
    { header: 'Created', cell: (key) => formatDateTime(key.createdAt), className: 'nowrap' },
  ];
}
