import { useDeployments } from '../../api/deployment-hooks';
import { CheckGroup } from '../../components/CheckGroup';

/**
 * Which deployments a key may call: one checkbox per deployment; none ticked means all. Names
 * the key already allows but that no longer exist stay listed, so saving does not drop them
 * unnoticed.
 */
export function DeploymentChoices({ value, onChange, error }: { value: readonly string[]; onChange: (names: string[]) => void; error?: string | undefined }) {
  const deployments = useDeployments({ limit: 500, offset: 0 });
  const existing = deployments.data?.items.map((deployment) => deployment.name) ?? [];
  const names = [...new Set([...existing, ...value])].sort((a, b) => a.localeCompare(b));
  const toggle = (name: string, on: boolean) => onChange(on ? [...value, name] : value.filter((entry) => entry !== name));
  return (
    <CheckGroup
      legend="Allowed deployments"
      hint={value.length === 0 ? 'None ticked: the key may call every deployment, including later ones.' : `Only these ${value.length}; others answer 403.`}
      before={
        <>
          {deployments.isPending && <p className="muted">Loading deployments…</p>}
          {deployments.data && names.length === 0 && <p className="muted">No deployments yet.</p>}
        </>
      }
      error={error}
    >
      {names.map((name) => (
        <li key={name}>
          <label className="check-option">
            <input type="checkbox" checked={value.includes(name)} onChange={(event) => toggle(name, event.target.checked)} />
            <span className="mono">{name}</span>
            {deployments.data && !existing.includes(name) && <span className="muted"> (deleted)</span>}
          </label>
        </li>
      ))}
    </CheckGroup>
  );
}
