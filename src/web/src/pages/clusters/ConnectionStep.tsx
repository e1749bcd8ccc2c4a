import { useId, useState } from 'react';
import type { ConnectionKind } from '../../api/types';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import { CLUSTER_TYPE_OPTIONS, CONNECTION_KINDS } from './cluster-format';
import type { ConnectionField, ConnectionForm } from './connection-form';
import { MAX_KUBECONFIG_BYTES, usesKubeconfig } from './connection-form';

/** Step 1: name, type and how H-MAS reaches the cluster. */
export function ConnectionStep({
  form,
  onChange,
  errors,
}: {
  form: ConnectionForm;
  onChange: (change: Partial<ConnectionForm>) => void;
  errors: Partial<Record<ConnectionField, string>>;
}) {
  const kind = CONNECTION_KINDS.find((entry) => entry.value === form.kind);
  return (
    <>
      <TextField
        label="Name"
        hint="Unique, lowercase letters, digits and “-”; cannot be changed later."
        error={errors.name}
        value={form.name}
        onChange={(name) => onChange({ name })}
        data-autofocus
        spellCheck={false}
        autoCapitalize="none"
      />
      <TextField label="Display name" hint="Optional; shown in the UI instead of the name." error={errors.displayName} value={form.displayName} onChange={(displayName) => onChange({ displayName })} />
      <SelectField label="Type" value={form.type} options={CLUSTER_TYPE_OPTIONS} onChange={(type) => onChange({ type })} />
      <SelectField<ConnectionKind> label="Connection" hint={kind?.hint} value={form.kind} options={CONNECTION_KINDS} onChange={(next) => onChange({ kind: next })} />
      {usesKubeconfig(form.kind) && (
        <>
          <KubeconfigInput form={form} onChange={onChange} error={errors.kubeconfig} />
          {form.kind === 'federation' && (
            <TextField
              label="Member cluster"
              hint="The cluster’s name in Karmada."
              error={errors.memberCluster}
              value={form.memberCluster}
              onChange={(memberCluster) => onChange({ memberCluster })}
              spellCheck={false}
            />
          )}
          <TextField label="Context" hint="Optional; default: the kubeconfig’s current-context." error={errors.context} value={form.context} onChange={(context) => onChange({ context })} spellCheck={false} />
          <TextField
            label="Namespace"
            hint="Where H-MAS deploys; default: hmas."
            placeholder="hmas"
            error={errors.namespace}
            value={form.namespace}
            onChange={(namespace) => onChange({ namespace })}
            spellCheck={false}
          />
        </>
      )}
    </>
  );
}

/** The kubeconfig as text, pasted or read from a file in the browser (nothing is uploaded yet). */
function KubeconfigInput({ form, onChange, error }: { form: ConnectionForm; onChange: (change: Partial<ConnectionForm>) => void; error: string | undefined }) {
  const fileId = useId();
  const [fileError, setFileError] = useState<string | null>(null);
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_KUBECONFIG_BYTES) {
      setFileError(`${file.name} is larger than ${MAX_KUBECONFIG_BYTES / 1024} KiB: is it a kubeconfig?`);
      return;
    }
    setFileError(null);
    onChange({ kubeconfig: await file.text() });
  };
  return (
    <>
      <TextAreaField
        label="Kubeconfig"
        hint={form.kind === 'federation' ? 'The Karmada API server’s kubeconfig (YAML). Stored encrypted, never shown again.' : 'YAML, e.g. from kubectl config view --raw --minify. Stored encrypted, never shown again.'}
        error={error}
        rows={8}
        mono
        value={form.kubeconfig}
        onChange={(kubeconfig) => onChange({ kubeconfig })}
      />
      <div className="field">
        <label htmlFor={fileId} className="field-label">
          Kubeconfig file
        </label>
        <input id={fileId} type="file" className="file-input" accept=".yaml,.yml,.conf,.config,.kubeconfig,text/plain,application/yaml" onChange={(event) => void readFile(event.target.files?.[0])} />
        {fileError && <p className="field-error">{fileError}</p>}
      </div>
    </>
  );
}
