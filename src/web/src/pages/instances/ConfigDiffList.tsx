import { useResourceProfiles } from '../../api/policy-hooks';
import { useOptimizationPresets } from '../../api/runtime-hooks';
import type { ConfigChange } from '../../api/types';
import { fieldLabel, readableChanges, settingValue } from './config-labels';

/** What changed, one setting per line with its label, before → after (a resource profile and a preset by their names). */
export function ConfigDiffList({ changes, label = 'Diff' }: { changes: readonly ConfigChange[]; label?: string }) {
  const profiles = useResourceProfiles({ limit: 500, offset: 0 });
  const presets = useOptimizationPresets({ limit: 500, offset: 0 });
  const named: Record<string, ReadonlyArray<{ id: string; name: string }> | undefined> = { resourceProfileId: profiles.data?.items, optimizationPresetId: presets.data?.items };
  const shown = (change: ConfigChange, value: unknown) => {
    const items = named[change.path];
    if (!items || typeof value !== 'string') return settingValue(value);
    return items.find((item) => item.id === value)?.name ?? value;
  };
  const lines = readableChanges(changes);
  if (lines.length === 0) return <p className="muted">No setting changed.</p>;
  return (
    <ul className="diff-list" aria-label={label}>
      {lines.map((change) => (
        <li key={change.path}>
          <span className="diff-field">{fieldLabel(change.path)}</span>: <span className="diff-before">{shown(change, change.before)}</span> →{' '}
          <span className="diff-after">{shown(change, change.after)}</span>
        </li>
      ))}
    </ul>
  );
}
