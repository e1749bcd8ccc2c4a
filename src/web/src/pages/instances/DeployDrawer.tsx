import { useState } from 'react';
import { isApiError } from '../../api/client';
import { useClusters } from '../../api/cluster-hooks';
import { useCreateDeployment, useModelDownload } from '../../api/deployment-hooks';
import { useModels } from '../../api/model-hooks';
import { usePlacementStrategies, useResourceProfiles } from '../../api/policy-hooks';
import { useOptimizationPresets, useRuntimes } from '../../api/runtime-hooks';
import type { Cluster, CreateDeploymentRequest, Deployment, Model, RuntimeDescriptor, RuntimeId } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SelectField, TextField } from '../../components/Field';
import { splitFormError } from '../../lib/form-errors';
import { numberProblems, optionalNumber } from '../../lib/form-values';
import { KnobFields } from '../settings/KnobFields';
import type { KnobInputs } from '../settings/optimization-form';
import { optimizationFromInputs } from '../settings/optimization-form';
import { useFitCheck } from './FitCheck';
import { clusterChoiceLabel, podModelFileNote } from './deploy-target';
import { DEPLOYMENT_NAME, deploymentNameFor } from './instance-format';

const ALL = { limit: 500, offset: 0 };
/** The runtime picked first when the model's format allows it: it needs nothing installed. */
const PREFERRED_RUNTIME: RuntimeId = 'embedded-llamacpp';
/** Tier-2 knobs worth offering at deploy time; everything else is in Edit settings. */
const DEPLOY_TIER2_KNOBS = new Set(['threads']);

type Target = 'cluster' | 'strategy';
const FIELDS = ['name', 'modelId', 'cluster', 'placementStrategyId', 'runtime', 'replicas', 'resourceProfileId', 'optimizationPresetId'] as const;
const CODE_FIELDS = { DEPLOYMENT_EXISTS: 'name', PRESET_RUNTIME_MISMATCH: 'optimizationPresetId' } as const;

/** Refusals that are about the whole request: a title that says what is wrong, the server's message under it. */
const REFUSAL_TITLES: Record<string, string> = {
  INSUFFICIENT_GPU: 'Not enough free GPUs on the cluster.',
  RUNTIME_MODEL_MISMATCH: 'This runtime cannot load this model.',
  MODEL_DOWNLOADING: 'The model file is still downloading.',
  MODEL_FILE_NOT_FOUND: 'The model file cannot be read on the H-MAS host.',
  MODEL_NOT_DOWNLOADED: 'The model has no file to load.',
  NO_CLUSTER_MATCHES: 'No cluster matches the placement strategy.',
  CLUSTER_KIND_NOT_SUPPORTED: 'H-MAS cannot deploy to this kind of cluster yet: choose another cluster.',
};

export function DeployDrawer({ open, onClose, onDeployed }: { open: boolean; onClose: () => void; onDeployed: (deployment: Deployment) => void }) {
  return (
    <Drawer open={open} title="Deploy model" description="Serve a registered model on a cluster: the runtime, what each replica gets, and how many replicas." onClose={onClose}>
      <DeployForm onClose={onClose} onDeployed={onDeployed} />
    </Drawer>
  );
}

function DeployForm({ onClose, onDeployed }: { onClose: () => void; onDeployed: (deployment: Deployment) => void }) {
  const models = useModels(ALL);
  const clusters = useClusters(500, 0);
  const runtimes = useRuntimes();
  const loading = models.isPending || clusters.isPending || runtimes.isPending;
  const failed = models.error ?? clusters.error ?? runtimes.error;
  if (models.data && clusters.data && runtimes.data) {
    if (models.data.items.length === 0) {
      return (
        <div className="form">
          <p className="muted">No models are registered yet: add one on the Models page first.</p>
        </div>
      );
    }
    return <Form models={models.data.items} clusters={clusters.data.items} runtimes={runtimes.data} onClose={onClose} onDeployed={onDeployed} />;
  }
  return (
    <div className="form">
      {loading && !failed && <p className="muted">Loading models, clusters and runtimes…</p>}
      <ErrorBanner error={failed} title="Could not load what a deployment is made of." />
    </div>
  );
}

const runtimesFor = (model: Model | undefined, runtimes: RuntimeDescriptor[]) => (model ? runtimes.filter((runtime) => runtime.supportedFormats.includes(model.format)) : runtimes);
const defaultRuntime = (allowed: RuntimeDescriptor[]): RuntimeId | '' => (allowed.find((runtime) => runtime.id === PREFERRED_RUNTIME) ?? allowed[0])?.id ?? '';
const defaultCluster = (clusters: Cluster[]) => (clusters.find((cluster) => cluster.name === 'local') ?? clusters.find((cluster) => cluster.readiness.state === 'ready') ?? clusters[0])?.name ?? '';

function Form({ models, clusters, runtimes, onClose, onDeployed }: { models: Model[]; clusters: Cluster[]; runtimes: RuntimeDescriptor[]; onClose: () => void; onDeployed: (deployment: Deployment) => void }) {
  const create = useCreateDeployment();
  const profiles = useResourceProfiles(ALL);
  const strategies = usePlacementStrategies(ALL);
  const [modelId, setModelId] = useState(models[0]!.id);
  const model = models.find((entry) => entry.id === modelId);
  const allowedRuntimes = runtimesFor(model, runtimes);
  const [runtimeId, setRuntimeId] = useState<RuntimeId | ''>(() => defaultRuntime(allowedRuntimes));
  const runtime = allowedRuntimes.find((entry) => entry.id === runtimeId);
  const [name, setName] = useState(() => deploymentNameFor(models[0]!.name));
  const [nameEdited, setNameEdited] = useState(false);
  const [target, setTarget] = useState<Target>('cluster');
  const [clusterName, setClusterName] = useState(() => defaultCluster(clusters));
  const [strategyId, setStrategyId] = useState('');
  const [profileId, setProfileId] = useState('');
  const [presetId, setPresetId] = useState('');
  const [replicas, setReplicas] = useState('1');
  const [knobs, setKnobs] = useState<KnobInputs>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const presets = useOptimizationPresets({ runtime: runtime?.id, ...ALL });

  const profile = profiles.data?.items.find((entry) => entry.id === profileId) ?? null;
  const cluster = target === 'cluster' ? (clusters.find((entry) => entry.name === clusterName) ?? null) : null;
  const replicaCount = optionalNumber(replicas);
  const validReplicas = replicaCount !== undefined && Number.isInteger(replicaCount) && replicaCount >= 1 ? replicaCount : undefined;
  const deployKnobs = runtime ? [...runtime.knobs.tier1, ...runtime.knobs.tier2.filter((knob) => DEPLOY_TIER2_KNOBS.has(knob.key))] : [];

  const knobKeys = deployKnobs.map((knob) => knob.key);
  const server = splitFormError(create.error, [...FIELDS, ...knobKeys], CODE_FIELDS);
  const refusal = isApiError(create.error) && REFUSAL_TITLES[create.error.code] ? create.error : null;
  const downloading = refusal?.code === 'MODEL_DOWNLOADING';
  const download = useModelDownload(modelId, downloading);
  const errors: Record<string, string | undefined> = { ...server.fields, ...problems };
  const fit = useFitCheck({ model, runtime: runtime?.id, profile, cluster, replicas: validReplicas });

  const change = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    create.reset();
  };
  const chooseRuntime = (id: RuntimeId | '') => {
    setRuntimeId(id);
    // Presets and knobs belong to one runtime.
    setPresetId('');
    setKnobs({});
    create.reset();
  };
  const chooseModel = (id: string) => {
    const next = models.find((entry) => entry.id === id);
    setModelId(id);
    if (next && !nameEdited) setName(deploymentNameFor(next.name));
    const allowed = runtimesFor(next, runtimes);
    if (!allowed.some((entry) => entry.id === runtimeId)) chooseRuntime(defaultRuntime(allowed));
    create.reset();
  };

  const submit = () => {
    const found: Record<string, string> = numberProblems({ replicas: replicaCount }, { replicas: { integer: true, min: 1 } });
    if (replicaCount === undefined) found.replicas = 'Enter the number of replicas.';
    if (!DEPLOYMENT_NAME.test(name.trim())) found.name = 'Use 1–63 lowercase letters, digits and "-", starting and ending with a letter or digit.';
    if (!runtime) found.runtime = 'No runtime loads this model’s format.';
    if (target === 'cluster' && !clusterName) found.cluster = 'Choose a cluster.';
    if (target === 'strategy' && !strategyId) found.placementStrategyId = 'Choose a placement strategy.';
    const built = runtime ? optimizationFromInputs({ knobs, extraArgs: '', extraEnv: '' }, runtime) : null;
    Object.assign(found, built?.problems);
    setProblems(found);
    if (Object.keys(found).length > 0 || !runtime || !built) return;
    const body: CreateDeploymentRequest = {
      name: name.trim(),
      modelId,
      ...(target === 'cluster' ? { cluster: clusterName } : { placementStrategyId: strategyId }),
      runtime: runtime.id,
      replicas: replicaCount!,
      ...(profileId ? { resourceProfileId: profileId } : {}),
      ...(presetId ? { optimizationPresetId: presetId } : {}),
      ...(Object.keys(built.optimization).length > 0 ? { optimization: built.optimization } : {}),
    };
    create.mutate(body, { onSuccess: onDeployed });
  };

  return (
    <DrawerForm
      onSubmit={submit}
      error={refusal ? null : server.banner}
      submitLabel="Deploy"
      pendingLabel="Deploying…"
      pending={create.isPending}
      onCancel={onClose}
      actions={
        // The fit stays in sight next to Deploy while the fields scroll; the fit check says it in full.
        fit.verdict !== null && (
          <span className="dry-run-summary" aria-hidden="true">
            <Badge tone={fit.verdict ? 'ok' : 'error'}>{fit.verdict ? 'fits' : 'does not fit'}</Badge>
          </span>
        )
      }
    >
      {refusal && (
        <div className="alert alert-error" role="alert">
          <strong className="alert-title">{REFUSAL_TITLES[refusal.code]}</strong>
          <span>{refusal.message}</span>
          {downloading && download.data && (
            <span className="download-progress">
              Now: {download.data.state}
              {download.data.percent !== null ? ` ${Math.floor(download.data.percent)}%` : ''} — {download.data.message}
            </span>
          )}
          {downloading && (
            <button type="button" className="btn btn-secondary btn-small" onClick={submit} disabled={create.isPending}>
              Retry
            </button>
          )}
          {refusal.requestId && <span className="alert-meta">Request ID: {refusal.requestId}</span>}
        </div>
      )}
      <SelectField
        label="Model"
        error={errors.modelId}
        value={modelId}
        options={models.map((entry) => ({ value: entry.id, label: `${entry.name}${entry.displaySize ? ` (${entry.displaySize}, ${entry.format})` : ` (${entry.format})`}` }))}
        onChange={chooseModel}
      />
      <TextField
        label="Name"
        hint="The instance’s name on the cluster and in the OpenAI API: lowercase letters, digits and “-”."
        error={errors.name}
        value={name}
        maxLength={63}
        spellCheck={false}
        onChange={(value) => {
          setName(value);
          setNameEdited(true);
          create.reset();
        }}
      />
      <SelectField<Target>
        label="Placement"
        value={target}
        options={[
          { value: 'cluster', label: 'On a cluster I choose' },
          { value: 'strategy', label: 'Where a placement strategy chooses' },
        ]}
        onChange={change(setTarget)}
      />
      {target === 'cluster' ? (
        <SelectField
          label="Cluster"
          error={errors.cluster}
          value={clusterName}
          hint={podModelFileNote(cluster, model, runtime?.id)}
          options={clusters.map((entry) => ({ value: entry.name, label: clusterChoiceLabel(entry) }))}
          onChange={change(setClusterName)}
        />
      ) : (
        <SelectField
          label="Placement strategy"
          error={errors.placementStrategyId}
          hint={strategies.data?.items.length === 0 ? 'None yet: add one under Settings → Placement strategies.' : undefined}
          value={strategyId}
          options={[{ value: '', label: 'Choose…' }, ...(strategies.data?.items ?? []).map((entry) => ({ value: entry.id, label: entry.name }))]}
          onChange={change(setStrategyId)}
        />
      )}
      <SelectField<RuntimeId | ''>
        label="Runtime"
        hint={model ? `Runtimes that load ${model.format} models.` : undefined}
        error={errors.runtime}
        value={runtimeId}
        options={allowedRuntimes.length > 0 ? allowedRuntimes.map((entry) => ({ value: entry.id, label: entry.displayName })) : [{ value: '', label: 'No runtime loads this format' }]}
        onChange={chooseRuntime}
      />
      <SelectField
        label="Resource profile"
        hint="What each replica gets (GPUs, CPU, memory). Without one: no GPU for CPU runtimes, else the GPUs the model’s size needs."
        error={errors.resourceProfileId}
        value={profileId}
        options={[{ value: '', label: 'None (runtime defaults)' }, ...(profiles.data?.items ?? []).map((entry) => ({ value: entry.id, label: `${entry.name} — ${entry.gpuCount} GPU, ${entry.cpu} CPU, ${entry.memory}` }))]}
        onChange={change(setProfileId)}
      />
      <SelectField
        label="Optimization preset"
        hint="Runtime settings to start from; the settings below win over it."
        error={errors.optimizationPresetId}
        value={presetId}
        options={[{ value: '', label: 'None' }, ...(presets.data?.items ?? []).map((entry) => ({ value: entry.id, label: `${entry.name}${entry.builtIn ? ' (built-in)' : ''}` }))]}
        onChange={change(setPresetId)}
      />
      <TextField label="Replicas" hint="Copies serving the model, each on one node." inputMode="numeric" error={errors.replicas} value={replicas} onChange={change(setReplicas)} />
      {fit.view}
      {runtime && deployKnobs.length > 0 && (
        <fieldset className="tier">
          <legend className="tier-title">Runtime settings (optional)</legend>
          <KnobFields knobs={deployKnobs} inputs={knobs} onChange={(key, value) => {
              setKnobs((current) => ({ ...current, [key]: value }));
              create.reset();
            }} errors={errors} />
        </fieldset>
      )}
    </DrawerForm>
  );
}
