import type { ApiKey } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTime } from '../../lib/format';
import { LimitLines } from '../../components/RateLimitFields';
import type { InheritedLimits } from './api-key-format';
import { KEY_STATUS_TONES } from './api-key-format';

/** Deployment chips shown in a row; the rest are counted ("+3 more") and named in its tooltip. */
const SHOWN_DEPLOYMENTS = 2;

function deploymentChips(names: readonly string[]) {
  if (names.length === 0) return <span className="muted">all</span>;
  const more = names.length - SHOWN_DEPLOYMENTS;
  return (
    <ul className="chips key-deployments" aria-label="Allowed deployments" title={more > 0 ? names.join('\n') : undefined}>
      {names.slice(0, SHOWN_DEPLOYMENTS).map((name) => (
        <li key={name} className="chip mono" title={name}>
          {name}
        </li>
      ))}
      {more > 0 && <li className="chip">+{more} more</li>}
    </ul>
  );
}

/**
 * The API keys table, narrow enough for a laptop's panel: the key's prefix under its name, the
 * expiry under its status, both limits in one column, dates on two lines. The owner column only
 * for admins, who see everyone's keys; when a key was created is in the name's tooltip and the
 * edit drawer.
 */
export function apiKeyColumns({ showOwner, inheritedOf }: { showOwner: boolean; inheritedOf: (key: ApiKey) => InheritedLimits | undefined }): ReadonlyArray<Column<ApiKey>> {
  return [
    {
      header: 'Name',
      cell: (key) => (
        <span className="cell-stack key-name" title={`Created ${formatDateTime(key.createdAt)}`}>
          <span>{key.name}</span>
          <span className="mono cell-sub nowrap">{key.keyPrefix}…</span>
          {key.scopes.some((scope) => scope !== 'inference') && <span className="cell-sub nowrap">{key.scopes.join(' · ')}</span>}
        </span>
      ),
    },
    ...(showOwner ? [{ header: 'Owner', cell: (key: ApiKey) => key.username, className: 'mono' }] : []),
    {
      header: 'Status',
      cell: (key) => (
        <span className="cell-stack key-status">
          <Badge tone={KEY_STATUS_TONES[key.status]}>{key.status}</Badge>
          {key.expiresAt && (
            <span className="date-lines muted">
              {Date.parse(key.expiresAt) <= Date.now() ? 'Expired' : 'Expires'} {formatDateTime(key.expiresAt)}
            </span>
          )}
        </span>
      ),
    },
    { header: 'Deployments', cell: (key) => deploymentChips(key.allowedDeployments) },
    {
      header: 'Limits',
      cell: (key) => (
        <LimitLines own={{ rpm: key.rpm, tpm: key.tpm }} inherited={inheritedOf(key)} inheritedTitle="Inherited: the owner's limit, else the server default" />
      ),
    },
    { header: 'Last used', cell: (key) => <span className="date-lines">{formatDateTime(key.lastUsedAt, 'Never')}</span> },
  ];
}
