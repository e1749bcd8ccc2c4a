import { useState } from 'react';
import type { SavedApiKey } from '../../api/gateway-hooks';
import { useSaveApiKey } from '../../api/gateway-hooks';
import type { ApiKey, CreateApiKeyRequest } from '../../api/types';
import { DrawerForm } from '../../components/Drawer';
import { CheckboxField, TextField } from '../../components/Field';
import { formatLimit, limitInputs, RateLimitFields, readLimitInputs, type LimitKind } from '../../components/RateLimitFields';
import { saveInputFor } from '../../lib/changes';
import { splitFormError } from '../../lib/form-errors';
import { isoToLocalInput, localInputToIso } from '../../lib/format';
import type { InheritedLimits } from './api-key-format';
import { DeploymentChoices } from './DeploymentChoices';
import { ScopeChoices } from './ScopeChoices';
import type { ApiKeyScope } from '../../../../domain/api-key';
import { useCurrentUser } from '../../auth/current-user';

const FIELDS = ['name', 'expiresAt', 'allowedDeployments', 'rpm', 'tpm', 'active', 'scopes'] as const;
type Field = (typeof FIELDS)[number];

const limitHint = (kind: LimitKind, inherited: InheritedLimits | undefined) =>
  `${kind === 'rpm' ? 'Requests' : 'Tokens'} per minute. Blank: inherit${inherited ? ` (now ${formatLimit(inherited[kind])})` : ''} — the owner’s limit, else the server default. 0: unlimited.`;

/** Create an API key for yourself, or change one (then with the active switch). */
export function ApiKeyForm({
  editing,
  inherited,
  onClose,
  onSaved,
}: {
  editing: ApiKey | null;
  /** What blank limits fall back to for the key's owner, when known. */
  inherited: InheritedLimits | undefined;
  onClose: () => void;
  onSaved: (saved: SavedApiKey) => void;
}) {
  const save = useSaveApiKey();
  const me = useCurrentUser();
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['inference']);
  const [name, setName] = useState(editing?.name ?? '');
  const [expires, setExpires] = useState(isoToLocalInput(editing?.expiresAt));
  const [allowed, setAllowed] = useState<string[]>(editing?.allowedDeployments ?? []);
  const [limits, setLimits] = useState(limitInputs(editing?.rpm, editing?.tpm));
  const [active, setActive] = useState(editing?.active ?? true);
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const errors = splitFormError(save.error, FIELDS);
  const error = (field: Field) => problems[field] ?? errors.fields[field];

  const submit = () => {
    const { values: limitValues, problems: limitProblems } = readLimitInputs(limits);
    // An expiry left as it was keeps its exact instant (the input shows whole minutes only).
    const expiresAt = editing && expires === isoToLocalInput(editing.expiresAt) ? editing.expiresAt : (localInputToIso(expires) ?? null);
    const body: CreateApiKeyRequest = { name: name.trim(), expiresAt, allowedDeployments: allowed, ...limitValues };
    const found: Partial<Record<Field, string>> = { ...limitProblems };
    if (!body.name) found.name = 'Give the key a name.';
    if (!editing && scopes.length === 0) found.scopes = 'Tick at least one scope.';
    if (expires && !expiresAt) found.expiresAt = 'Enter a date and time, or leave it empty.';
    else if (expiresAt && expiresAt !== editing?.expiresAt && Date.parse(expiresAt) <= Date.now()) found.expiresAt = 'Pick a time in the future, or leave it empty.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    // Scopes are fixed at creation: an edit never sends them.
    save.mutate(saveInputFor(editing, editing ? { ...body, active } : { ...body, scopes }), { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel={editing ? 'Save changes' : 'Create key'} pendingLabel={editing ? 'Saving…' : 'Creating…'} pending={save.isPending} onCancel={onClose}>
      <TextField label="Name" hint="What the key is for, e.g. the app that uses it." maxLength={100} error={error('name')} value={name} onChange={setName} />
      <TextField
        label="Expires"
        type="datetime-local"
        hint="Your local time. Empty: the key never expires."
        error={error('expiresAt')}
        value={expires}
        onChange={setExpires}
      />
      {editing ? (
        <p className="field-hint">
          Scopes: <span className="mono">{editing.scopes.join(', ')}</span> (fixed when the key was created).
        </p>
      ) : (
        <ScopeChoices value={scopes} onChange={setScopes} role={me.role} error={error('scopes')} />
      )}
      <DeploymentChoices value={allowed} onChange={setAllowed} error={error('allowedDeployments')} />
      <RateLimitFields value={limits} onChange={setLimits} errors={{ rpm: error('rpm'), tpm: error('tpm') }} hint={(kind) => limitHint(kind, inherited)} />
      {editing && <CheckboxField label="Active" hint="An inactive key is refused (401) until it is turned on again." checked={active} onChange={setActive} />}
    </DrawerForm>
  );
}
