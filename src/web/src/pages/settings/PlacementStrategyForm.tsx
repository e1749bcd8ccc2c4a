import { useState } from 'react';
import { useFailoverPolicies, useSavePlacementStrategy } from '../../api/policy-hooks';
import type { ClusterType, CreatePlacementStrategyRequest, PlacementStrategy } from '../../api/types';
import type { CollectionFormProps } from '../../components/CollectionPanel';
import { DrawerForm } from '../../components/Drawer';
import { CheckboxField, SelectField, TextField } from '../../components/Field';
import { LabelsEditor } from '../../components/LabelsEditor';
import { saveInputFor } from '../../lib/changes';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import { numberProblems, optionalNumber } from '../../lib/form-values';
import { labelRowErrors, labelsFromRows, rowsFromLabels } from '../../lib/labels';
import { FederationMembersEditor, spreadDraftOf, spreadIssues, spreadOfDraft } from './FederationMembersEditor';
import { NameDescriptionFields } from './NameDescriptionFields';

type Preference = PlacementStrategy['preference'];
const PREFERENCES: ReadonlyArray<{ value: Preference; label: string }> = [
  { value: 'most-free-gpus', label: 'Spread: the cluster with the most free GPUs' },
  { value: 'least-free-gpus', label: 'Pack: the cluster with the fewest free GPUs that still fit' },
];
const FIELDS = ['name', 'description', 'clusterTypes', 'clusterNames', 'minFreeGpus', 'preference', 'failoverPolicyId', 'federation'] as const;

/** Create or edit a placement strategy (in the Placement strategies drawer). */
export function PlacementStrategyForm({ editing, initial, initialName, onClose, onSaved }: CollectionFormProps<PlacementStrategy>) {
  const save = useSavePlacementStrategy();
  const failover = useFailoverPolicies({ limit: 500, offset: 0 });
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState(initial?.description ?? '');
  const [labels, setLabels] = useState(() => rowsFromLabels(initial?.matchLabels ?? {}));
  const [types, setTypes] = useState<ClusterType[]>(initial?.clusterTypes ?? []);
  const [clusterNames, setClusterNames] = useState((initial?.clusterNames ?? []).join(', '));
  const [minFreeGpus, setMinFreeGpus] = useState(String(initial?.minFreeGpus ?? 0));
  const [preference, setPreference] = useState<Preference>(initial?.preference ?? 'most-free-gpus');
  const [failoverPolicyId, setFailoverPolicyId] = useState(initial?.failoverPolicyId ?? '');
  const [spread, setSpread] = useState(() => spreadDraftOf(initial?.federation));
  const [problems, setProblems] = useState<{ name?: string; minFreeGpus?: string }>({});

  const errors = splitFormError(save.error, FIELDS, { POLICY_NAME_TAKEN: 'name' }, (path) => path.startsWith('matchLabels.') || path.startsWith('federation.'));
  const rowErrors = labelRowErrors(labels, keyedIssues(save.error, '/matchLabels/'));
  const toggleType = (type: ClusterType, on: boolean) => setTypes((current) => (on ? [...current.filter((t) => t !== type), type] : current.filter((t) => t !== type)));

  const submit = () => {
    const minFree = optionalNumber(minFreeGpus);
    const found: typeof problems = numberProblems({ minFreeGpus: minFree }, { minFreeGpus: { integer: true, min: 0, max: 4096 } });
    if (!name.trim()) found.name = 'Enter a name.';
    setProblems(found);
    if (Object.keys(found).length > 0 || Object.keys(labelRowErrors(labels)).length > 0) return;
    const body: CreatePlacementStrategyRequest = {
      name: name.trim(),
      description: description.trim(),
      matchLabels: labelsFromRows(labels),
      clusterTypes: types,
      clusterNames: clusterNames
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
      minFreeGpus: minFree ?? 0,
      preference,
      failoverPolicyId: failoverPolicyId || null,
      federation: spreadOfDraft(spread),
    };
    save.mutate(saveInputFor(editing, body), { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel={editing ? 'Save changes' : 'Create placement strategy'} pending={save.isPending} onCancel={onClose}>
      <NameDescriptionFields
        name={name}
        description={description}
        onName={setName}
        onDescription={setDescription}
        errors={{ name: problems.name ?? errors.fields.name, description: errors.fields.description }}
      />
      <LabelsEditor legend="Match labels" hint="Clusters must carry all of these labels. None = any cluster." rows={labels} onChange={setLabels} errors={rowErrors} />
      <fieldset className="choice-group">
        <legend className="field-label">Cluster types</legend>
        <CheckboxField label="HP — High Performance" checked={types.includes('HP')} onChange={(on) => toggleType('HP', on)} />
        <CheckboxField label="GP — General Performance" checked={types.includes('GP')} onChange={(on) => toggleType('GP', on)} />
        <p className="field-hint">None checked = any type.</p>
        {errors.fields.clusterTypes && <p className="field-error">{errors.fields.clusterTypes}</p>}
      </fieldset>
      <TextField label="Cluster names" hint="Only these clusters, separated by commas; empty = any." error={errors.fields.clusterNames} value={clusterNames} onChange={setClusterNames} spellCheck={false} />
      <TextField label="Minimum free GPUs" inputMode="numeric" hint="Clusters need at least this many free GPUs." error={problems.minFreeGpus ?? errors.fields.minFreeGpus} value={minFreeGpus} onChange={setMinFreeGpus} />
      <SelectField label="Preference" value={preference} options={PREFERENCES} error={errors.fields.preference} onChange={setPreference} />
      <SelectField
        label="Failover policy"
        hint="What to do when the chosen cluster is lost."
        value={failoverPolicyId}
        error={errors.fields.failoverPolicyId}
        options={[{ value: '', label: 'None' }, ...(failover.data?.items ?? []).map((policy) => ({ value: policy.id, label: `${policy.name} (${policy.action})` }))]}
        onChange={setFailoverPolicyId}
      />
      <FederationMembersEditor draft={spread} onChange={setSpread} error={spreadIssues(save.error) ?? errors.fields.federation} />
    </DrawerForm>
  );
}
