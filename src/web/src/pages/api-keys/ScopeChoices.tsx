import { API_KEY_SCOPES, SCOPE_MINIMUM_ROLE, type ApiKeyScope } from '../../../../domain/api-key';
import { roleAtLeast, type Role } from '../../../../domain/roles';
import { CheckGroup } from '../../components/CheckGroup';

const SCOPE_TEXT: Record<ApiKeyScope, { label: string; hint: string }> = {
  inference: { label: 'Inference', hint: 'Call models through the gateway (/v1, /api/inference).' },
  monitoring: { label: 'Monitoring', hint: 'Let Prometheus read the list of replicas to scrape (GET /api/prometheus/sd). Nothing else.' },
};

/** What a new key may do: one checkbox per scope; scopes the user's role may not hold are shown disabled, saying why. */
export function ScopeChoices({ value, onChange, role, error }: { value: readonly ApiKeyScope[]; onChange: (scopes: ApiKeyScope[]) => void; role: Role; error?: string | undefined }) {
  const toggle = (scope: ApiKeyScope, on: boolean) => onChange(API_KEY_SCOPES.filter((entry) => (entry === scope ? on : value.includes(entry))));
  return (
    <CheckGroup legend="Scopes" hint="Fixed once the key exists. Give Prometheus a key with Monitoring only." listClassName="scope-options" error={error}>
      {API_KEY_SCOPES.map((scope) => {
        const allowed = roleAtLeast(role, SCOPE_MINIMUM_ROLE[scope]);
        return (
          <li key={scope}>
            <label className="check-option">
              <input type="checkbox" checked={value.includes(scope)} disabled={!allowed} onChange={(event) => toggle(scope, event.target.checked)} />
              <span>
                {SCOPE_TEXT[scope].label} <span className="muted">— {allowed ? SCOPE_TEXT[scope].hint : 'operators and admins only'}</span>
              </span>
            </label>
          </li>
        );
      })}
    </CheckGroup>
  );
}
