import type { ConfigHistoryEntry, Rollout } from '../../api/types';
import { Badge } from '../../components/Badge';
import { formatDateTimeSeconds } from '../../lib/format';
import { ConfigDiffList } from './ConfigDiffList';
import { CAUSE_LABELS, RESULT_LABELS, RESULT_TONES, ROLLOUT_LABELS, ROLLOUT_TONES } from './history-format';
import { diffLeaves } from '../../../../domain/deployment-plan';

export interface HistoryEntryProps {
  entry: ConfigHistoryEntry;
  /** The rollout the change started, when it restarted replicas. */
  rollout: Rollout | undefined;
  /** Whether the deployment runs these settings now (nothing to go back to). */
  current: boolean;
  /** Offered to operators only. */
  onRollback?: (() => void) | undefined;
}

/** One change of the timeline: what, who, when, how it ended (and its rollout), what changed. */
export function HistoryEntry({ entry, rollout, current, onRollback }: HistoryEntryProps) {
  const created = entry.before === null;
  const when = formatDateTimeSeconds(entry.createdAt);
  return (
    <li className="timeline-entry" aria-label={`${created ? 'Created' : CAUSE_LABELS[entry.cause]} at ${when}`}>
      <div className="timeline-head">
        <strong>{created ? 'Created' : CAUSE_LABELS[entry.cause]}</strong>
        <span className="muted">
          {when}
          {entry.actorUsername ? ` by ${entry.actorUsername}` : entry.actorId === null ? ' by H-MAS' : ''}
        </span>
        <Badge tone={RESULT_TONES[entry.result]}>{RESULT_LABELS[entry.result]}</Badge>
        {rollout && (
          <Badge tone={ROLLOUT_TONES[rollout.state]} title={rollout.reason ? `${rollout.reason}: ${rollout.message}` : rollout.message}>
            {ROLLOUT_LABELS[rollout.state]}
            {rollout.reason ? ` (${rollout.reason})` : ''}
          </Badge>
        )}
        {current && <Badge tone="brand">current settings</Badge>}
      </div>
      {onRollback && !current && (
        <button type="button" className="btn btn-secondary btn-small timeline-action" onClick={onRollback} aria-label={`Roll back to ${when}`}>
          Roll back to this
        </button>
      )}
      {created ? <p className="muted">Deployed with {entry.after.replicas} replica(s).</p> : <ConfigDiffList changes={diffLeaves(entry.before, entry.after)} label={`Changes at ${when}`} />}
    </li>
  );
}
