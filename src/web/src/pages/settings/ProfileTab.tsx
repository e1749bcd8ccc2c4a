import type { ChangeEvent, FormEvent } from 'react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useChangePassword, useLogout, useUpdateProfile } from '../../api/hooks';
import type { LoginLocationState } from '../../auth/RequireAuth';
import { useCurrentUser } from '../../auth/current-user';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime } from '../../lib/format';
import { splitFormError } from '../../lib/form-errors';
import { useDocumentTitle } from '../../lib/use-document-title';

export function ProfileTab() {
  useDocumentTitle('Profile', 'Settings');
  const user = useCurrentUser();
  return (
    <div className="stack">
      <TitledPanel title="Account">
        <dl className="facts">
          <div>
            <dt>Username</dt>
            <dd>{user.username}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{user.role}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{formatDateTime(user.createdAt)}</dd>
          </div>
          <div>
            <dt>Last sign-in</dt>
            <dd>{formatDateTime(user.lastLoginAt, 'Never')}</dd>
          </div>
        </dl>
      </TitledPanel>
      <DisplayNameForm key={user.id} initial={user.displayName} />
      <PasswordForm username={user.username} />
    </div>
  );
}

function DisplayNameForm({ initial }: { initial: string }) {
  const update = useUpdateProfile();
  const [displayName, setDisplayName] = useState(initial);
  const [saved, setSaved] = useState(false);
  const errors = splitFormError(update.error, ['displayName'] as const);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    update.mutate({ displayName: displayName.trim() }, { onSuccess: () => setSaved(true) });
  };

  return (
    <TitledPanel title="Name">
      <form className="form" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={errors.banner} />
        {saved && <Notice onDismiss={() => setSaved(false)}>Display name saved.</Notice>}
        <Field label="Display name" hint="Shown in the header and in audit logs." error={errors.fields.displayName}>
          {(control) => (
            <input
              {...control}
              className="input"
              name="displayName"
              autoComplete="name"
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={update.isPending || displayName.trim() === initial}>
            {update.isPending ? 'Saving…' : 'Save name'}
          </button>
        </div>
      </form>
    </TitledPanel>
  );
}

type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword';

function PasswordForm({ username }: { username: string }) {
  const change = useChangePassword();
  const logout = useLogout();
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<PasswordField, string>>({ currentPassword: '', newPassword: '', confirmPassword: '' });
  const [mismatch, setMismatch] = useState(false);
  const errors = splitFormError(change.error, ['currentPassword', 'newPassword'] as const, {
    INVALID_CURRENT_PASSWORD: 'currentPassword',
  });

  const set = (field: PasswordField) => (event: ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [field]: event.target.value }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (values.newPassword !== values.confirmPassword) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword: values.currentPassword, newPassword: values.newPassword },
      {
        // The server ends every session of the user, this one included: sign in again.
        onSuccess: () =>
          logout.mutate(undefined, {
            onSettled: () =>
              void navigate('/login', {
                replace: true,
                state: { notice: 'Password changed. Sign in with your new password.' } satisfies LoginLocationState,
              }),
          }),
      },
    );
  };

  const incomplete = !values.currentPassword || !values.newPassword || !values.confirmPassword;

  return (
    <TitledPanel title="Change password">
      <p className="muted panel-intro">This signs you out everywhere, here included; sign in again with the new password.</p>
      <form className="form" onSubmit={onSubmit} noValidate>
        {/* Lets password managers know whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <ErrorBanner error={errors.banner} />
        <Field label="Current password" error={errors.fields.currentPassword}>
          {(control) => (
            <input {...control} className="input" type="password" autoComplete="current-password" value={values.currentPassword} onChange={set('currentPassword')} />
          )}
        </Field>
        <Field label="New password" error={errors.fields.newPassword}>
          {(control) => (
            <input {...control} className="input" type="password" autoComplete="new-password" value={values.newPassword} onChange={set('newPassword')} />
          )}
        </Field>
        <Field label="Confirm new password" error={mismatch ? 'The passwords do not match.' : undefined}>
          {(control) => (
            <input {...control} className="input" type="password" autoComplete="new-password" value={values.confirmPassword} onChange={set('confirmPassword')} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={change.isPending || logout.isPending || incomplete}>
            {change.isPending || logout.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </TitledPanel>
  );
}
