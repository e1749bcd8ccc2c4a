import { useState } from 'react';
import { useSaveFailoverPolicy } from '../../api/policy-hooks';
import type { CreateFailoverPolicyRequest, FailoverPolicy } from '../../api/types';
import type { CollectionFormProps } from '../../components/CollectionPanel';
import { DrawerForm } from '../../components/Drawer';
import { SelectField, TextField } from '../../components/Field';
import { saveInputFor } from '../../lib/changes';
import { splitFormError } from '../../lib/form-errors';
import { numberProblems, optionalNumber } from '../../lib/form-values';
import { NameDescriptionFields } from './NameDescriptionFields';

type Action = FailoverPolicy['action'];
const FAILOVER_ACTIONS: ReadonlyArray<{ value: Action; label: string }> = [
  { value: 'keep', label: 'Keep: wait for the cluster to come back' },
  { value: 're-place', label: 'Re-place: move the deployment to another cluster' },
];

/** Create or edit a failover policy (in the Failover policies drawer). */
export function FailoverPolicyForm({ editing, initial, initialName, onClose, onSaved }: CollectionFormProps<FailoverPolicy>) {
  const save = useSaveFailoverPolicy();
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState(initial?.description ?? '');
  const [action, setAction] = useState<Action>(initial?.action ?? 'keep');
  const [grace, setGrace] = useState(String(initial?.gracePeriodSeconds ?? 300));
  const [problems, setProblems] = useState<{ name?: string; gracePeriodSeconds?: string }>({});
  const errors = splitFormError(save.error, ['name', 'description', 'action', 'gracePeriodSeconds'] as const, { POLICY_NAME_TAKEN: 'name' });

  const submit = () => {
    const gracePeriodSeconds = optionalNumber(grace);
    const found: typeof problems = numberProblems({ gracePeriodSeconds }, { gracePeriodSeconds: { integer: true, min: 0, max: 7 * 24 * 3600 } });
    if (!name.trim()) found.name = 'Enter a name.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const body: CreateFailoverPolicyRequest = { name: name.trim(), description: description.trim(), action, gracePeriodSeconds: gracePeriodSeconds ?? 300 };
    save.mutate(saveInputFor(editing, body), { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel={editing ? 'Save changes' : 'Create failover policy'} pending={save.isPending} onCancel={onClose}>
      <NameDescriptionFields
        name={name}
        description={description}
        onName={setName}
        onDescription={setDescription}
        errors={{ name: problems.name ?? errors.fields.name, description: errors.fields.description }}
      />
      <SelectField label="Action" value={action} options={FAILOVER_ACTIONS} error={errors.fields.action} onChange={setAction} />
      <TextField
        label="Grace period (seconds)"
        hint="How long a cluster may be unreachable before the action is taken; default 300."
        inputMode="numeric"
        error={problems.gracePeriodSeconds ?? errors.fields.gracePeriodSeconds}
        value={grace}
        onChange={setGrace}
      />
    </DrawerForm>
  );
}
