import type { ConfigHistoryEntry } from '../../domain/rollout.js';
import { diffLeaves } from '../../domain/deployment-plan.js';
import type { Column } from '../output.js';

/** A config history entry with the state of the rollout it started. */
export type HistoryRow = ConfigHistoryEntry & { rollout?: { state: string; reason: string | null } | null };

/** "optimization.tier1.maxModelLength=512, replicas=2", leaf by leaf (the creation: "created"). */
export function changeSummary(entry: Pick<ConfigHistoryEntry, 'before' | 'after'>): string {
  if (entry.before === null) return 'created';
  const changes = diffLeaves(entry.before, entry.after);
  return changes.length === 0 ? 'no change' : changes.map((change) => `${change.path}=${JSON.stringify(change.after ?? null)}`).join(', ');
}

export const historyColumns: Array<Column<HistoryRow>> = [
  { header: 'id', value: (e) => e.id },
  { header: 'time', value: (e) => e.createdAt },
  { header: 'cause', value: (e) => e.cause },
  { header: 'by', value: (e) => e.actorUsername ?? (e.actorId === null ? 'hmas' : e.actorId) },
  { header: 'result', value: (e) => e.result },
  { header: 'rollout', value: (e) => (e.rollout ? `${e.rollout.state}${e.rollout.reason ? ` (${e.rollout.reason})` : ''}` : null) },
  { header: 'changes', value: changeSummary },
];
