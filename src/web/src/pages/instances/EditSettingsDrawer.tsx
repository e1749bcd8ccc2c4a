import { useState } from 'react';
import { useDryRun, useResumeWithSettings, useUpdateDeployment } from '../../api/deployment-hooks';
import { useResourceProfiles } from '../../api/policy-hooks';
import { useOptimizationPresets, useRuntimes } from '../../api/runtime-hooks';
import type { Deployment, OptimizationPreset, ResourceProfile, RuntimeDescriptor, UpdateDeploymentRequest } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SelectField, TextField } from '../../components/Field';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import { optionalNumber } from '../../lib/form-values';
import { useDebouncedValue } from '../../lib/use-debounced-value';
import { diffConfig, diffLeaves } from '../../../../domain/deployment-plan';
import { OptimizationTierFields } from '../settings/OptimizationTierFields';
import type { OptimizationInputs } from '../settings/optimization-form';
import { inputsFromOptimization, optimizationFromInputs } from '../settings/optimization-form';
import { ConfigDiffList } from './ConfigDiffList';
import { DryRunView } from './DryRunView';

/** How long the form waits after the last keystroke before asking for a dry run. */
const DRY_RUN_DELAY_MS = 400;

export function EditSettingsDrawer({ deployment, open, onClose, onSaved }: { deployment: Deployment; open: boolean; onClose: () => void; onSaved: (summary: string) => void }) {
  return (
    <Drawer
      open={open}
      title={`Edit ${deployment.name}`}
      description="Replicas, resource profile, optimization preset and runtime settings, changed in place. The dry run says whether replicas restart before you save."
      onClose={onClose}
    >
      <EditSettingsLoader deployment={deployment} onClose={onClose} onSaved={onSaved} />
    </Drawer>
  );
}

function EditSettingsLoader({ deployment, onClose, onSaved }: { deployment: Deployment; onClose: () => void; onSaved: (summary: string) => void }) {
  const runtimes = useRuntimes();
  const profiles = useResourceProfiles({ limit: 500, offset: 0 });
  const presets = useOptimizationPresets({ runtime: deployment.runtime, limit: 500, offset: 0 });
  const runtime = runtimes.data?.find((entry) => entry.id === deployment.runtime);
  if (runtime && profiles.data && presets.data) {
    return <EditSettingsForm deployment={deployment} runtime={runtime} profiles={profiles.data.items} presets={presets.data.items} onClose={onClose} onSaved={onSaved} />;
  }
  return (
    <div className="form">
      {(runtimes.isPending || profiles.isPending || presets.isPending) && <p className="muted">Loading the runtime, resource profiles and presets…</p>}
      <ErrorBanner error={runtimes.error ?? profiles.error ?? presets.error} title="Could not load the runtime, resource profiles and presets." />
    </div>
  );
}

/** The settings a PATCH can change, as the API names them. */
interface Settings {
  replicas: number;
  resourceProfileId: string | null;
  optimizationPresetId: string | null;
  optimization: Deployment['optimization'];
}

function EditSettingsForm({
  deployment,
  runtime,
  profiles,
  presets,
  onClose,
  onSaved,
}: {
  deployment: Deployment;
  runtime: RuntimeDescriptor;
  profiles: ResourceProfile[];
  presets: OptimizationPreset[];
  onClose: () => void;
  onSaved: (summary: string) => void;
}) {
  const paused = deployment.status === 'paused';
  const update = useUpdateDeployment();
  const resume = useResumeWithSettings();
  // A paused instance is changed by resuming it with the settings ("Save and resume").
  const save = paused ? resume : update;
  // Preloaded once with the current values; polling the page does not overwrite what is being edited.
  const [current] = useState<Settings>(() => ({
    replicas: deployment.replicas,
    resourceProfileId: deployment.resourceProfileId,
    optimizationPresetId: deployment.optimizationPresetId,
    optimization: deployment.optimization,
  }));
  const [replicas, setReplicas] = useState(String(current.replicas));
  const [profileId, setProfileId] = useState(current.resourceProfileId ?? '');
  const [presetId, setPresetId] = useState(current.optimizationPresetId ?? '');
  const [inputs, setInputs] = useState<OptimizationInputs>(() => inputsFromOptimization(current.optimization));
  const chosenPreset = presets.find((preset) => preset.id === presetId);

  // What the form holds, as settings, and the problems an input has.
  const replicaCount = optionalNumber(replicas);
  const problems: Record<string, string> = {};
  if (replicaCount === undefined) problems.replicas = 'Enter the number of replicas.';
  else if (!Number.isInteger(replicaCount) || replicaCount < 0) problems.replicas = 'Enter a whole number (0 or more).';
  const built = optimizationFromInputs(inputs, runtime);
  Object.assign(problems, built.problems);
  const valid = Object.keys(problems).length === 0;
  const next: Settings = { replicas: replicaCount ?? current.replicas, resourceProfileId: profileId || null, optimizationPresetId: presetId || null, optimization: built.optimization };
  const changes = valid ? diffConfig(current, next) : [];

  // PATCH sends only what changed; optimization is replaced whole. A preset switched to is sent as
  // its id (the server resolves its settings): the fields go along only where they differ from it.
  const presetChanged = next.optimizationPresetId !== current.optimizationPresetId;
  const optimizationChanged = presetChanged && chosenPreset ? diffLeaves(chosenPreset.optimization, next.optimization).length > 0 : diffConfig(current.optimization, next.optimization).length > 0;
  const patch: UpdateDeploymentRequest | null =
    valid && changes.length > 0
      ? {
          ...(next.replicas !== current.replicas ? { replicas: next.replicas } : {}),
          ...(next.resourceProfileId !== current.resourceProfileId ? { resourceProfileId: next.resourceProfileId } : {}),
          ...(presetChanged ? { optimizationPresetId: next.optimizationPresetId } : {}),
          ...(optimizationChanged ? { optimization: next.optimization } : {}),
        }
      : null;
  const asked = useDebouncedValue(paused ? null : patch, DRY_RUN_DELAY_MS);
  const dryRun = useDryRun(deployment.id, asked);
  const settled = patch !== null && JSON.stringify(asked) === JSON.stringify(patch);
  const answer = settled && dryRun.data && !dryRun.isPlaceholderData && !dryRun.isError ? dryRun.data : null;

  const knobKeys = [...runtime.knobs.tier1, ...runtime.knobs.tier2].map((knob) => knob.key);
  const failed = save.error ?? (settled ? dryRun.error : null);
  const server = splitFormError(failed, ['replicas', 'resourceProfileId', 'optimizationPresetId', ...knobKeys], { PRESET_RUNTIME_MISMATCH: 'optimizationPresetId', OPTIMIZATION_PRESET_NOT_FOUND: 'optimizationPresetId' }, (path) =>
    /^optimization\.raw\./.test(path),
  );
  const rawIssue = (what: 'extraArgs' | 'extraEnv') => Object.values(keyedIssues(failed, `/optimization/raw/${what}`))[0];
  const errors: Record<string, string | undefined> = { ...server.fields, extraArgs: rawIssue('extraArgs'), extraEnv: rawIssue('extraEnv'), ...problems };

  const submit = () => {
    const summary = (answer?.diff ?? changes).map((change) => change.path).join(', ');
    if (paused) {
      // Nothing changed: a plain resume.
      resume.mutate({ id: deployment.id, settings: patch }, { onSuccess: () => onSaved(patch ? `${deployment.name} resumed with new settings (${summary}).` : `${deployment.name} resumed.`) });
      return;
    }
    if (!patch) return;
    update.mutate({ id: deployment.id, patch }, { onSuccess: () => onSaved(`Settings of ${deployment.name} saved (${summary}).`) });
  };
  /** The preset picked: its settings fill the fields (what the server starts from); None keeps them. */
  const choosePreset = (id: string) => {
    setPresetId(id);
    const preset = presets.find((entry) => entry.id === id);
    if (preset) setInputs(inputsFromOptimization(preset.optimization));
    save.reset();
  };
  /** An input's change: a failed save's message no longer applies. */
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    save.reset();
  };
  const setKnob = (key: string, value: string) => {
    setInputs((before) => ({ ...before, knobs: { ...before.knobs, [key]: value } }));
    save.reset();
  };

  return (
    <DrawerForm
      onSubmit={submit}
      error={server.banner}
      submitLabel={paused ? 'Save and resume' : 'Save'}
      pending={save.isPending}
      disabled={!paused && patch === null}
      onCancel={onClose}
      actions={
        // The verdict stays in sight next to Save while the fields scroll; the preview below says it in full.
        answer && (
          <span className="dry-run-summary" aria-hidden="true">
            <Badge tone={answer.restartRequired ? 'warning' : 'ok'}>{answer.restartRequired ? `restart (${answer.strategy})` : 'no restart'}</Badge>
            <Badge tone={answer.fit.fits ? 'ok' : 'error'}>{answer.fit.fits ? 'fits' : 'does not fit'}</Badge>
          </span>
        )
      }
    >
      {paused && (
        <div className="alert alert-warning" role="status">
          <strong className="alert-title">Paused</strong>
          <span>Save and resume starts the replicas with the settings below (unchanged ones: a plain resume).</span>
        </div>
      )}
      <TextField label="Replicas" inputMode="numeric" hint={`Now ${current.replicas}.`} error={errors.replicas} value={replicas} onChange={edit(setReplicas)} />
      <SelectField
        label="Resource profile"
        hint="What each replica gets; changing it restarts the replicas."
        error={errors.resourceProfileId}
        value={profileId}
        options={[{ value: '', label: 'None (runtime defaults)' }, ...profiles.map((profile) => ({ value: profile.id, label: `${profile.name} — ${profile.gpuCount} GPU, ${profile.cpu} CPU, ${profile.memory}` }))]}
        onChange={edit(setProfileId)}
      />
      <SelectField
        label="Optimization preset"
        hint="Picking one fills the runtime settings below with its own; what you change on top wins over it. None keeps the settings."
        error={errors.optimizationPresetId}
        value={presetId}
        options={[
          { value: '', label: 'None' },
          ...presets.map((preset) => ({ value: preset.id, label: `${preset.name}${preset.builtIn ? ' (built-in)' : ''}` })),
          // A preset deleted since stays shown as what the instance came from.
          ...(current.optimizationPresetId && !presets.some((preset) => preset.id === current.optimizationPresetId) ? [{ value: current.optimizationPresetId, label: `${current.optimizationPresetId} (deleted)` }] : []),
        ]}
        onChange={choosePreset}
      />
      <OptimizationTierFields
        runtime={runtime}
        inputs={inputs}
        errors={errors}
        onKnob={setKnob}
        onRaw={(field, value) => edit((next: string) => setInputs((before) => ({ ...before, [field]: next })))(value)}
      />
      <section className="preview change-preview" aria-label="Change preview" aria-live="polite">
        <h3 className="preview-title">Changes</h3>
        {!valid ? (
          <p className="muted">Fix the fields above to see what changes.</p>
        ) : changes.length === 0 ? (
          <p className="muted">Nothing changed yet.</p>
        ) : (
          <>
            <ConfigDiffList changes={answer?.diff ?? changes} />
            {paused ? null : answer ? <DryRunView answer={answer} /> : dryRun.isError && settled ? null : <p className="muted">Asking the server what this change would do…</p>}
          </>
        )}
      </section>
    </DrawerForm>
  );
}
