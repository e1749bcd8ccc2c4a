import type { ChangeCause, HistoryResult, RolloutState } from '../../../../domain/rollout';
import type { BadgeTone } from '../../components/Badge';

/** How the history names why settings changed. */
export const CAUSE_LABELS: Record<ChangeCause, string> = {
  manual: 'Settings changed',
  preset: 'Preset applied',
  rollback: 'Rolled back',
  failover: 'Failed over to another cluster',
  auto_tuning: 'Automatic tuning',
};

export const RESULT_TONES: Record<HistoryResult, BadgeTone> = { applied: 'ok', rolled_back: 'warning', failed: 'error' };
export const RESULT_LABELS: Record<HistoryResult, string> = { applied: 'applied', rolled_back: 'rolled back', failed: 'failed' };

export const ROLLOUT_TONES: Record<RolloutState, BadgeTone> = { progressing: 'brand', succeeded: 'ok', failed: 'error', rolled_back: 'warning', superseded: 'neutral' };
export const ROLLOUT_LABELS: Record<RolloutState, string> = {
  progressing: 'rollout in progress',
  succeeded: 'rollout succeeded',
  failed: 'rollout failed',
  rolled_back: 'rollout rolled back',
  superseded: 'rollout superseded',
};
