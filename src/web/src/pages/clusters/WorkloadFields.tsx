import { useRuntimes } from '../../api/runtime-hooks';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import type { PullPolicy, WorkloadForm } from './workload-form';

const PULL_POLICIES: ReadonlyArray<{ value: PullPolicy | ''; label: string }> = [
  { value: '', label: 'Kubernetes default' },
  { value: 'IfNotPresent', label: 'IfNotPresent' },
  { value: 'Always', label: 'Always' },
  { value: 'Never', label: 'Never (images must be on the nodes)' },
];

const ADVANCED_EXAMPLE = '{ "hostPathMounts": [{ "hostPath": "/data/models", "mountPath": "/models" }], "modelVolume": { "type": "hostPath", "path": "/data/models" } }';

/**
 * The Kubernetes workload settings an admin sets on a kubeconfig cluster: registry mirror, pull
 * secret and policy, an image per runtime (empty: the official one), and mounts and the model
 * volume as JSON. The server validates them; its issues land under the field they name.
 */
export function WorkloadFields({
  form,
  onChange,
  errors,
}: {
  form: WorkloadForm;
  onChange: (change: Partial<WorkloadForm>) => void;
  /** Messages by field: registryMirror, imagePullSecret, imagePullPolicy, advanced, or a runtime id. */
  errors: Partial<Record<string, string>>;
}) {
  const runtimes = useRuntimes();
  return (
    <fieldset className="tier">
      <legend className="tier-title">Kubernetes workloads</legend>
      <TextField
        label="Registry mirror"
        hint="Optional; every image is pulled through this registry (air-gapped clusters), e.g. mirror.example.com:5000."
        error={errors.registryMirror}
        value={form.registryMirror}
        onChange={(registryMirror) => onChange({ registryMirror })}
        spellCheck={false}
      />
      <TextField
        label="Image pull secret"
        hint="Optional; a docker-registry Secret in the cluster’s namespace."
        error={errors.imagePullSecret}
        value={form.imagePullSecret}
        onChange={(imagePullSecret) => onChange({ imagePullSecret })}
        spellCheck={false}
      />
      <SelectField<PullPolicy | ''> label="Image pull policy" value={form.imagePullPolicy} options={PULL_POLICIES} onChange={(imagePullPolicy) => onChange({ imagePullPolicy })} />
      {runtimes.data?.map((runtime) => (
        <TextField
          key={runtime.id}
          label={`${runtime.displayName} image`}
          placeholder={runtime.image ? `${runtime.image.repository}:${runtime.image.tag}` : 'H-MAS image'}
          error={errors[runtime.id]}
          value={form.images[runtime.id] ?? ''}
          onChange={(image) => onChange({ images: { ...form.images, [runtime.id]: image } })}
          spellCheck={false}
        />
      ))}
      <TextAreaField
        label="Mounts and model volume (JSON)"
        hint={`Optional, advanced. ${ADVANCED_EXAMPLE}`}
        error={errors.advanced}
        rows={4}
        mono
        value={form.advanced}
        onChange={(advanced) => onChange({ advanced })}
      />
    </fieldset>
  );
}
