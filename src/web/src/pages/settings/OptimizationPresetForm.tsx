import { useState } from 'react';
import { useRenderPreview, useRuntimes, useSaveOptimizationPreset } from '../../api/runtime-hooks';
import type { OptimizationPreset, RuntimeDescriptor, RuntimeId } from '../../api/types';
import type { CollectionFormProps } from '../../components/CollectionPanel';
import { DrawerForm } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SelectField } from '../../components/Field';
import { changedFields } from '../../lib/changes';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import { FlagsPreview } from './FlagsPreview';
import { NameDescriptionFields } from './NameDescriptionFields';
import { OptimizationTierFields } from './OptimizationTierFields';
import type { OptimizationInputs } from './optimization-form';
import { EMPTY_OPTIMIZATION_INPUTS, inputsFromOptimization, optimizationFromInputs, SPECULATIVE } from './optimization-form';

/** Create or edit an optimization preset; its fields come from the runtimes' descriptors. */
export function OptimizationPresetForm(props: CollectionFormProps<OptimizationPreset>) {
  const runtimes = useRuntimes();
  if (runtimes.data) return <PresetForm runtimes={runtimes.data} {...props} />;
  return (
    <div className="form">
      {runtimes.isPending && <p className="muted">Loading the runtimes…</p>}
      <ErrorBanner error={runtimes.error} title="Could not load the runtimes." />
    </div>
  );
}

/** Server issue paths end in the knob's key; speculative decoding's parts map to their inputs. */
const ISSUE_FIELDS = { method: SPECULATIVE.method, draftModel: SPECULATIVE.draftModel, numSpeculativeTokens: SPECULATIVE.tokens } as const;

function PresetForm({ runtimes, editing, initial, initialName, onClose, onSaved }: CollectionFormProps<OptimizationPreset> & { runtimes: RuntimeDescriptor[] }) {
  const save = useSaveOptimizationPreset();
  const preview = useRenderPreview();
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState(initial?.description ?? '');
  const [runtimeId, setRuntimeId] = useState<RuntimeId>(initial?.runtime ?? 'vllm');
  const [inputs, setInputs] = useState<OptimizationInputs>(() => (initial ? inputsFromOptimization(initial.optimization) : EMPTY_OPTIMIZATION_INPUTS));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const runtime = runtimes.find((entry) => entry.id === runtimeId) ?? runtimes[0]!;

  const knobKeys = [...runtime.knobs.tier1, ...runtime.knobs.tier2].map((knob) => knob.key);
  const failed = save.error ?? preview.error;
  const server = splitFormError(failed, ['name', 'description', ...knobKeys, ...(Object.keys(ISSUE_FIELDS) as Array<keyof typeof ISSUE_FIELDS>)], { PRESET_NAME_TAKEN: 'name' }, (path) =>
    /^optimization\.raw\./.test(path),
  );
  const serverFields: Record<string, string | undefined> = { ...server.fields };
  for (const [from, to] of Object.entries(ISSUE_FIELDS)) serverFields[to] = server.fields[from as keyof typeof ISSUE_FIELDS];
  const rawIssue = (what: 'extraArgs' | 'extraEnv') => Object.values(keyedIssues(failed, `/optimization/raw/${what}`))[0];
  const errors: Record<string, string | undefined> = { ...serverFields, extraArgs: rawIssue('extraArgs'), extraEnv: rawIssue('extraEnv'), ...problems };

  const setKnob = (key: string, value: string) => {
    setInputs((current) => ({ ...current, knobs: { ...current.knobs, [key]: value } }));
    preview.reset();
  };
  /** The optimization, or null (and the problems shown) when an input is not valid. */
  const build = () => {
    const { optimization, problems: found } = optimizationFromInputs(inputs, runtime);
    setProblems(found);
    return Object.keys(found).length > 0 ? null : optimization;
  };

  const submit = () => {
    const optimization = build();
    if (!name.trim()) setProblems((current) => ({ ...current, name: 'Enter a name.' }));
    if (!optimization || !name.trim()) return;
    const body = { name: name.trim(), description: description.trim(), optimization };
    save.mutate(editing ? { id: editing.id, patch: changedFields(body, editing) } : { create: { ...body, runtime: runtime.id } }, { onSuccess: onSaved });
  };

  return (
    <DrawerForm onSubmit={submit} error={server.banner} submitLabel={editing ? 'Save changes' : 'Create optimization preset'} pending={save.isPending} onCancel={onClose}>
      <NameDescriptionFields name={name} description={description} onName={setName} onDescription={setDescription} errors={{ name: errors.name, description: errors.description }} />
      {editing ? (
        <p className="field-hint">Runtime: {runtime.displayName} (a preset keeps its runtime).</p>
      ) : (
        <SelectField<RuntimeId>
          label="Runtime"
          hint={`Supports ${runtime.supportedFormats.join(' and ')} models.`}
          value={runtimeId}
          options={runtimes.map((entry) => ({ value: entry.id, label: entry.displayName }))}
          onChange={(next) => {
            setRuntimeId(next);
            preview.reset();
          }}
        />
      )}
      <OptimizationTierFields runtime={runtime} inputs={inputs} errors={errors} onKnob={setKnob} onRaw={(field, value) => setInputs((current) => ({ ...current, [field]: value }))} />
      <div className="preview">
        <button
          type="button"
          className="btn btn-secondary"
          disabled={preview.isPending}
          onClick={() => {
            const optimization = build();
            if (optimization) preview.mutate({ runtime: runtime.id, optimization });
          }}
        >
          {preview.isPending ? 'Rendering…' : 'Preview flags'}
        </button>
        {preview.data && <FlagsPreview result={preview.data} />}
      </div>
    </DrawerForm>
  );
}
