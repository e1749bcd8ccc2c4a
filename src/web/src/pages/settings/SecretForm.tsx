import { useState } from 'react';
import { useSaveSecret, type SecretRow } from '../../api/secret-hooks';
import type { CollectionFormProps } from '../../components/CollectionPanel';
import { DrawerForm } from '../../components/Drawer';
import { TextField } from '../../components/Field';
import { splitFormError } from '../../lib/form-errors';
import { NameDescriptionFields } from './NameDescriptionFields';

const FIELDS = ['name', 'description', 'value'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Create a secret, or (editing) give it a new value. The value field is a password input that
 * starts empty: no value is ever loaded into the page.
 */
export function SecretForm({ editing, initialName, onClose, onSaved }: CollectionFormProps<SecretRow>) {
  const save = useSaveSecret();
  const [form, setForm] = useState<Record<Field, string>>({ name: editing ? editing.name : initialName, description: '', value: '' });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const errors = splitFormError(save.error, FIELDS, { SECRET_NAME_TAKEN: 'name' });
  const error = (field: Field) => problems[field] ?? errors.fields[field];
  const set = (field: Field) => (value: string) => setForm((current) => ({ ...current, [field]: value }));

  const submit = () => {
    const found: Partial<Record<Field, string>> = {};
    if (!editing && !form.name.trim()) found.name = 'Enter a name.';
    if (!form.value) found.value = 'Enter the value.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const input = editing ? { rotate: editing.name, value: form.value } : { create: { name: form.name.trim(), description: form.description.trim(), value: form.value } };
    save.mutate(input, { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel={editing ? 'Set new value' : 'Create secret'} pending={save.isPending} onCancel={onClose}>
      {!editing && (
        <NameDescriptionFields name={form.name} description={form.description} onName={set('name')} onDescription={set('description')} errors={{ name: error('name'), description: error('description') }} />
      )}
      <TextField
        label={editing ? 'New value' : 'Value'}
        hint={editing ? 'Replicas get it when they next start.' : 'Stored encrypted; never shown again. Use it in settings as KEY=secretRef:NAME.'}
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        error={error('value')}
        value={form.value}
        onChange={set('value')}
      />
    </DrawerForm>
  );
}
