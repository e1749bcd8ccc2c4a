import { useId } from 'react';
import { useResourceProfiles } from '../../api/policy-hooks';
import type { PlacementStrategy } from '../../api/types';
import { CheckboxField, SelectField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { keyedIssues } from '../../lib/form-errors';

type Spread = NonNullable<PlacementStrategy['federation']>;
type Scheduling = Spread['replicaScheduling'];

/** One member row as typed (weight kept as text until saved). */
export interface MemberRow {
  id: number;
  name: string;
  weight: string;
  resourceProfileId: string;
  imageRegistry: string;
}

export interface SpreadDraft {
  members: MemberRow[];
  replicaScheduling: Scheduling;
  dynamicWeight: boolean;
}

let nextRowId = 1;
const newMemberRow = (member?: Spread['members'][number]): MemberRow => ({
  id: nextRowId++,
  name: member?.name ?? '',
  weight: member?.weight !== undefined ? String(member.weight) : '',
  resourceProfileId: member?.resourceProfileId ?? '',
  imageRegistry: member?.imageRegistry ?? '',
});

export function spreadDraftOf(spread: PlacementStrategy['federation'] | undefined): SpreadDraft {
  return { members: (spread?.members ?? []).map(newMemberRow), replicaScheduling: spread?.replicaScheduling ?? 'Divided', dynamicWeight: spread?.dynamicWeight ?? false };
}

/** The body's `federation`: null without members (the federation cluster's own member runs everything). */
export function spreadOfDraft(draft: SpreadDraft): Spread | null {
  const members = draft.members.filter((row) => row.name.trim() !== '');
  if (members.length === 0) return null;
  return {
    members: members.map((row) => ({
      name: row.name.trim(),
      ...(row.weight.trim() !== '' ? { weight: Number(row.weight) } : {}),
      ...(row.resourceProfileId ? { resourceProfileId: row.resourceProfileId } : {}),
      ...(row.imageRegistry.trim() !== '' ? { imageRegistry: row.imageRegistry.trim() } : {}),
    })),
    replicaScheduling: draft.replicaScheduling,
    dynamicWeight: draft.dynamicWeight,
  };
}

/** The server's messages about the federation block, in words ("Member 2 name: …"), or undefined. */
export function spreadIssues(error: unknown): string | undefined {
  const lines = Object.entries(keyedIssues(error, '/federation/')).map(([where, message]) => {
    const [list, index, field] = where.split('/');
    return list === 'members' && index !== undefined ? `Member ${Number(index) + 1}${field ? ` ${field}` : ''}: ${message}` : `${where}: ${message}`;
  });
  return lines.length > 0 ? lines.join(' ') : undefined;
}

const SCHEDULING: ReadonlyArray<{ value: Scheduling; label: string }> = [
  { value: 'Divided', label: 'Divided: the replicas are shared out over the members' },
  { value: 'Duplicated', label: 'Duplicated: every member runs all replicas' },
];

/** Karmada member clusters of a placement strategy (used only when it places on a federation cluster). */
export function FederationMembersEditor({ draft, onChange, error }: { draft: SpreadDraft; onChange: (draft: SpreadDraft) => void; error?: string | undefined }) {
  const hintId = useId();
  const profiles = useResourceProfiles({ limit: 500, offset: 0 });
  const update = (id: number, change: Partial<MemberRow>) => onChange({ ...draft, members: draft.members.map((row) => (row.id === id ? { ...row, ...change } : row)) });
  const divided = draft.replicaScheduling === 'Divided';
  return (
    <fieldset className="labels-editor" aria-describedby={hintId}>
      <legend className="field-label">Karmada member clusters</legend>
      <p id={hintId} className="field-hint">
        Federation clusters only: the members a deployment propagates to. None = the federation cluster&apos;s own member runs every replica; with members, this strategy
        places only on federation clusters.
      </p>
      {draft.members.length === 0 && <p className="muted labels-empty">No members.</p>}
      {draft.members.map((row, index) => {
        const label = `Member ${index + 1}`;
        return (
          <div key={row.id} className="member-row">
            <input className="input mono" aria-label={`${label} name`} placeholder="member name" autoComplete="off" spellCheck={false} value={row.name} onChange={(event) => update(row.id, { name: event.target.value })} />
            <input
              className="input"
              aria-label={`${label} weight`}
              placeholder="weight"
              inputMode="numeric"
              disabled={!divided || draft.dynamicWeight}
              value={row.weight}
              onChange={(event) => update(row.id, { weight: event.target.value })}
            />
            <select className="input" aria-label={`${label} resource profile`} value={row.resourceProfileId} onChange={(event) => update(row.id, { resourceProfileId: event.target.value })}>
              <option value="">Same profile</option>
              {(profiles.data?.items ?? []).map((profile) => (
                <option key={profile.id} value={profile.id}>
                  {profile.name}
                </option>
              ))}
            </select>
            <input className="input mono" aria-label={`${label} registry mirror`} placeholder="registry mirror" autoComplete="off" spellCheck={false} value={row.imageRegistry} onChange={(event) => update(row.id, { imageRegistry: event.target.value })} />
            <button type="button" className="btn btn-icon btn-ghost" aria-label={`Remove ${label.toLowerCase()}`} onClick={() => onChange({ ...draft, members: draft.members.filter((r) => r.id !== row.id) })}>
              <Icon name="close" />
            </button>
          </div>
        );
      })}
      {error && <p className="field-error">{error}</p>}
      <div>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onChange({ ...draft, members: [...draft.members, newMemberRow()] })}>
          <Icon name="plus" size={16} />
          Add member
        </button>
      </div>
      {draft.members.length > 0 && (
        <>
          <SelectField label="Replicas over the members" value={draft.replicaScheduling} options={SCHEDULING} onChange={(replicaScheduling) => onChange({ ...draft, replicaScheduling })} />
          {divided && (
            <CheckboxField
              label="Divide by what each member can still run (dynamic weight) instead of the weights above"
              checked={draft.dynamicWeight}
              onChange={(dynamicWeight) => onChange({ ...draft, dynamicWeight })}
            />
          )}
        </>
      )}
    </fieldset>
  );
}
