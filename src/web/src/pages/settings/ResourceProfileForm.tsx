import { useState } from 'react';
import { useSaveResourceProfile } from '../../api/policy-hooks';
import type { CreateResourceProfileRequest, ResourceProfile } from '../../api/types';
import type { CollectionFormProps } from '../../components/CollectionPanel';
import { DrawerForm } from '../../components/Drawer';
import { TextField } from '../../components/Field';
import { clearedOptionals, saveInputFor } from '../../lib/changes';
import { splitFormError } from '../../lib/form-errors';
import { numberProblems, optionalNumber } from '../../lib/form-values';
import { NameDescriptionFields } from './NameDescriptionFields';

const FIELDS = ['name', 'description', 'gpuCount', 'gpuType', 'gpuMemoryGiB', 'cpu', 'memory', 'volumeSize'] as const;
type Field = (typeof FIELDS)[number];
const OPTIONAL = ['gpuType', 'gpuMemoryGiB', 'volumeSize'] as const;

const text = (value: string | number | undefined) => (value === undefined ? '' : String(value));

/** Create or edit a resource profile (in the Resource profiles drawer). */
export function ResourceProfileForm({ editing, initial, initialName, onClose, onSaved }: CollectionFormProps<ResourceProfile>) {
  const save = useSaveResourceProfile();
  const [form, setForm] = useState<Record<Field, string>>({
    name: initialName,
    description: initial?.description ?? '',
    gpuCount: text(initial?.gpuCount ?? 1),
    gpuType: initial?.gpuType ?? '',
    gpuMemoryGiB: text(initial?.gpuMemoryGiB),
    cpu: initial?.cpu ?? '8',
    memory: initial?.memory ?? '32Gi',
    volumeSize: initial?.volumeSize ?? '',
  });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const errors = splitFormError(save.error, FIELDS, { POLICY_NAME_TAKEN: 'name' });
  const error = (field: Field) => problems[field] ?? errors.fields[field];
  const set = (field: Field) => (value: string) => setForm((current) => ({ ...current, [field]: value }));

  const submit = () => {
    const optional = (field: Field) => (form[field].trim() ? form[field].trim() : undefined);
    const gpuCount = optionalNumber(form.gpuCount);
    const gpuMemoryGiB = optionalNumber(form.gpuMemoryGiB);
    const body: CreateResourceProfileRequest = {
      name: form.name.trim(),
      description: form.description.trim(),
      gpuCount: gpuCount ?? 0,
      cpu: form.cpu.trim(),
      memory: form.memory.trim(),
      ...(optional('gpuType') ? { gpuType: optional('gpuType') } : {}),
      ...(gpuMemoryGiB !== undefined ? { gpuMemoryGiB } : {}),
      ...(optional('volumeSize') ? { volumeSize: optional('volumeSize') } : {}),
    };
    const found: Partial<Record<Field, string>> = {
      ...numberProblems({ gpuCount, gpuMemoryGiB }, { gpuCount: { integer: true, min: 0, max: 64 }, gpuMemoryGiB: { min: 1, max: 1024 } }),
      ...clearedOptionals(body, editing, OPTIONAL),
    };
    if (!body.name) found.name = 'Enter a name.';
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate(saveInputFor(editing, body), { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel={editing ? 'Save changes' : 'Create resource profile'} pending={save.isPending} onCancel={onClose}>
      <NameDescriptionFields name={form.name} description={form.description} onName={set('name')} onDescription={set('description')} errors={{ name: error('name'), description: error('description') }} />
      <TextField label="GPUs" hint="GPUs per replica (0 for CPU only)." inputMode="numeric" error={error('gpuCount')} value={form.gpuCount} onChange={set('gpuCount')} />
      <TextField label="GPU type" hint="Optional: the GPU model a replica needs, e.g. NVIDIA-H100-80GB-HBM3; empty = any." error={error('gpuType')} value={form.gpuType} onChange={set('gpuType')} spellCheck={false} />
      <TextField label="GPU memory (GiB)" hint="Optional: memory per GPU the replica expects, for fit checks." inputMode="decimal" error={error('gpuMemoryGiB')} value={form.gpuMemoryGiB} onChange={set('gpuMemoryGiB')} />
      <TextField label="CPU" hint="Kubernetes quantity: 8, or 500m." error={error('cpu')} value={form.cpu} onChange={set('cpu')} spellCheck={false} />
      <TextField label="Memory" hint="Kubernetes quantity: 32Gi." error={error('memory')} value={form.memory} onChange={set('memory')} spellCheck={false} />
      <TextField label="Cache volume" hint="Optional: size of the model cache volume, e.g. 200Gi." error={error('volumeSize')} value={form.volumeSize} onChange={set('volumeSize')} spellCheck={false} />
    </DrawerForm>
  );
}
