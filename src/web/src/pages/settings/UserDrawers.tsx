import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { useCreateUser, useUpdateUser } from '../../api/hooks';
import type { Role, UpdateUserRequest, User } from '../../api/types';
import { ROLES } from '../../api/types';
import { Drawer, DrawerActions } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { CheckboxField, Field } from '../../components/Field';
import { formatLimit, limitInputs, RateLimitFields, readLimitInputs, type LimitKind } from '../../components/RateLimitFields';
import { splitFormError } from '../../lib/form-errors';

const ROLE_HINTS: Record<Role, string> = {
  admin: 'Everything, including managing users.',
  operator: 'Deploys and operates models; cannot manage users.',
  viewer: 'Read-only access.',
};

function RoleSelect({
  value,
  onChange,
  error,
}: {
  value: Role;
  onChange: (role: Role) => void;
  error?: string | undefined;
}) {
  return (
    <Field label="Role" hint={ROLE_HINTS[value]} error={error}>
      {(control) => (
        <select {...control} className="input" value={value} onChange={(event) => onChange(event.target.value as Role)}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

type CreateField = 'username' | 'displayName' | 'role' | 'password';

export function CreateUserDrawer({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (user: User) => void }) {
  return (
    <Drawer open={open} title="New user" description="They can sign in as soon as you create them." onClose={onClose}>
      <CreateUserForm onClose={onClose} onCreated={onCreated} />
    </Drawer>
  );
}

function CreateUserForm({ onClose, onCreated }: { onClose: () => void; onCreated: (user: User) => void }) {
  const create = useCreateUser();
  const formId = useId();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<Partial<Record<CreateField, string>>>({});

  const errors = splitFormError(create.error, ['username', 'displayName', 'role', 'password'] as const, {
    USERNAME_TAKEN: 'username',
  });
  const fieldError = (field: CreateField) => missing[field] ?? errors.fields[field];

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const required: Partial<Record<CreateField, string>> = {};
    if (!username.trim()) required.username = 'Enter a username.';
    if (!password) required.password = 'Enter a password.';
    setMissing(required);
    if (Object.keys(required).length > 0) return;
    create.mutate(
      { username: username.trim(), role, password, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) },
      { onSuccess: onCreated },
    );
  };

  return (
    <>
      <form id={formId} className="form" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={errors.banner} />
        <Field label="Username" hint="Used to sign in. Cannot be changed later." error={fieldError('username')}>
          {(control) => (
            <input
              {...control}
              data-autofocus
              className="input"
              name="username"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          )}
        </Field>
        <Field label="Display name" hint="Optional." error={fieldError('displayName')}>
          {(control) => (
            <input {...control} className="input" name="displayName" autoComplete="off" value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
          )}
        </Field>
        <RoleSelect value={role} onChange={setRole} error={fieldError('role')} />
        <Field label="Password" hint="Share it with them securely; they can change it under Settings → Profile." error={fieldError('password')}>
          {(control) => (
            <input {...control} className="input" type="password" name="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
          )}
        </Field>
      </form>
      <DrawerActions formId={formId} pending={create.isPending} submitLabel="Create user" pendingLabel="Creating…" onCancel={onClose} />
    </>
  );
}

type EditField = 'displayName' | 'role' | 'disabled' | 'password' | 'rateLimitRpm' | 'rateLimitTpm';
type Defaults = Record<LimitKind, number> | undefined;

const userLimitHint = (kind: LimitKind, defaults: Defaults) =>
  `${kind === 'rpm' ? 'Requests' : 'Tokens'} per minute for this user, and for their API keys without a limit of their own. Blank: the server default${defaults ? ` (now ${formatLimit(defaults[kind])})` : ''}. 0: unlimited.`;

export function EditUserDrawer({
  user,
  isSelf,
  defaults,
  onClose,
  onSaved,
}: {
  user: User | null;
  isSelf: boolean;
  /** The server's default rate limits, when known. */
  defaults: Defaults;
  onClose: () => void;
  onSaved: (user: User) => void;
}) {
  return (
    <Drawer open={user !== null} title={user ? `Edit ${user.username}` : 'Edit user'} onClose={onClose}>
      {user && <EditUserForm key={user.id} user={user} isSelf={isSelf} defaults={defaults} onClose={onClose} onSaved={onSaved} />}
    </Drawer>
  );
}

function EditUserForm({ user, isSelf, defaults, onClose, onSaved }: { user: User; isSelf: boolean; defaults: Defaults; onClose: () => void; onSaved: (user: User) => void }) {
  const update = useUpdateUser();
  const formId = useId();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [role, setRole] = useState<Role>(user.role);
  const [disabled, setDisabled] = useState(user.disabled);
  const [password, setPassword] = useState('');
  const [limits, setLimits] = useState(limitInputs(user.rateLimitRpm, user.rateLimitTpm));
  const [limitProblems, setLimitProblems] = useState<Partial<Record<LimitKind, string>>>({});

  const errors = splitFormError(update.error, ['displayName', 'role', 'disabled', 'password', 'rateLimitRpm', 'rateLimitTpm'] as const);
  const fieldError = (field: EditField) => errors.fields[field];
  const limitValues = readLimitInputs(limits);

  // Send only what changed, so an edit never overwrites a concurrent change to another field.
  const patch: UpdateUserRequest = {};
  if (displayName.trim() !== user.displayName) patch.displayName = displayName.trim();
  if (role !== user.role) patch.role = role;
  if (disabled !== user.disabled) patch.disabled = disabled;
  if (password) patch.password = password;
  // A value that is not a number yet counts as a change, so saving says what is wrong with it.
  if (limits.rpm.trim() !== (user.rateLimitRpm?.toString() ?? '')) patch.rateLimitRpm = limitValues.values.rpm;
  if (limits.tpm.trim() !== (user.rateLimitTpm?.toString() ?? '')) patch.rateLimitTpm = limitValues.values.tpm;
  const changed = Object.keys(patch).length > 0;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!changed) return;
    setLimitProblems(limitValues.problems);
    if (Object.keys(limitValues.problems).length > 0) return;
    update.mutate({ id: user.id, patch }, { onSuccess: onSaved });
  };

  return (
    <>
      <form id={formId} className="form" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={errors.banner} />
        <Field label="Display name" error={fieldError('displayName')}>
          {(control) => (
            <input {...control} className="input" autoComplete="off" value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
          )}
        </Field>
        <RoleSelect value={role} onChange={setRole} error={fieldError('role')} />
        <CheckboxField
          label="Disabled"
          hint={isSelf ? 'You cannot sign in again if you disable your own account.' : 'A disabled user cannot sign in; their sessions stop working.'}
          checked={disabled}
          onChange={setDisabled}
        />
        {fieldError('disabled') && <p className="field-error">{fieldError('disabled')}</p>}
        <RateLimitFields
          value={limits}
          onChange={setLimits}
          errors={{ rpm: limitProblems.rpm ?? fieldError('rateLimitRpm'), tpm: limitProblems.tpm ?? fieldError('rateLimitTpm') }}
          hint={(kind) => userLimitHint(kind, defaults)}
        />
        <Field label="New password" hint="Leave empty to keep the current password." error={fieldError('password')}>
          {(control) => (
            <input {...control} className="input" type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
          )}
        </Field>
      </form>
      <DrawerActions formId={formId} pending={update.isPending} disabled={!changed} submitLabel="Save changes" pendingLabel="Saving…" onCancel={onClose} />
    </>
  );
}
