import { InvalidArgumentError, type Command } from 'commander';
import type { RolloutWithProgress } from '../../domain/rollout.js';
import { ApiCallError, type ApiClient } from '../api-client.js';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';
import { findDeployment } from './deployment-commands.js';
import { historyColumns, type HistoryRow } from './rollout-history.js';
import { diffLeaves } from '../../domain/deployment-plan.js';

const STATUS_COLUMNS: Array<Column<RolloutWithProgress>> = [
  { header: 'state', value: (r) => r.state },
  { header: 'cause', value: (r) => r.cause },
  { header: 'strategy', value: (r) => r.strategy },
  { header: 'ready', value: (r) => (r.progress ? `${r.progress.ready}/${r.progress.desired}` : '?') },
  { header: 'updated', value: (r) => r.progress?.updated },
  { header: 'old', value: (r) => r.progress?.old },
  { header: 'reason', value: (r) => r.reason ?? r.progress?.reason },
  { header: 'started', value: (r) => r.startedAt },
  { header: 'finished', value: (r) => r.finishedAt },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The current (or last) rollout; null before the first. */
async function currentRollout(client: ApiClient, id: string): Promise<RolloutWithProgress | null> {
  try {
    return await client.get<RolloutWithProgress>(`/api/deployments/${id}/rollout`);
  } catch (error) {
    if (error instanceof ApiCallError && error.code === 'ROLLOUT_NOT_FOUND') return null;
    throw error;
  }
}

/** One line of `--watch`: "progressing 1/2 ready, 1 updated, 1 old (CrashLoopBackOff)". */
const progressLine = (r: RolloutWithProgress) =>
  `${r.state} ${r.progress ? `${r.progress.ready}/${r.progress.desired} ready, ${r.progress.updated} updated, ${r.progress.old} old` : '(the cluster did not answer)'}${(r.reason ?? r.progress?.reason) ? ` (${r.reason ?? r.progress?.reason})` : ''}`;

const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.2 || n > 600) throw new InvalidArgumentError('Use a number of seconds from 0.2 to 600.');
  return n;
};

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('Rollouts of a deployment: follow one, list the changes, undo one.');

  rollout
    .command('status <name>')
    .description('The rollout in progress (else the last one) with its replicas: desired, updated, ready, old. --watch follows it until it ends.')
    .option('--watch', 'print each change until the rollout is no longer progressing')
    .option('--interval <seconds>', 'how often --watch asks', seconds, 2)
    .action(async (name: string, options: { watch?: boolean; interval: number }) => {
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      let current = await currentRollout(client, deployment.id);
      if (!current) {
        if (output === 'json') console.log('null');
        else console.log(`${deployment.name} has had no rollout yet: only changes that restart replicas start one.`);
        return;
      }
      if (options.watch && output === 'table') {
        let last = '';
        for (;;) {
          const line = progressLine(current);
          if (line !== last) console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
          last = line;
          if (current.state !== 'progressing') break;
          await sleep(options.interval * 1000);
          current = (await currentRollout(client, deployment.id)) ?? current;
        }
        if (current.message) console.log(current.message);
        return;
      }
      while (options.watch && current.state === 'progressing') {
        await sleep(options.interval * 1000);
        current = (await currentRollout(client, deployment.id)) ?? current;
      }
      printResult(output, current, STATUS_COLUMNS);
    });

  rollout
    .command('history <name>')
    .description('Every change of the deployment\'s settings, newest first: id (for "undo --to"), cause, who, result, its rollout, what changed.')
    .option('--limit <n>', 'the newest N changes (1–500)', (value) => {
      const limit = Number(value);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidArgumentError('Use a whole number from 1 to 500.');
      return limit;
    }, 50)
    .action(async (name: string, options: { limit: number }) => {
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      const [history, rollouts] = await Promise.all([
        client.get<{ items: HistoryRow[] }>(`/api/deployments/${deployment.id}/config-history?limit=${options.limit}`),
        client.get<{ items: Array<{ id: string; state: string; reason: string | null }> }>(`/api/deployments/${deployment.id}/rollouts?limit=500`),
      ]);
      const byId = new Map(rollouts.items.map((item) => [item.id, item]));
      printResult(output, history.items.map((entry) => ({ ...entry, rollout: entry.rolloutId ? (byId.get(entry.rolloutId) ?? null) : null })), historyColumns);
    });

  rollout
    .command('undo <name>')
    .description('Roll back the current (or last) rollout to the settings before it; with --to, back to a config history entry ("hmas rollout history" lists them).')
    .option('--to <historyId>', 'the config history entry to go back to')
    .option('--dry-run', 'with --to: what the rollback would change, changing nothing')
    .action(async (name: string, options: { to?: string; dryRun?: boolean }) => {
      if (options.dryRun && !options.to) throw new InvalidArgumentError('--dry-run previews a rollback to a history entry: add --to.');
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      if (options.to && options.dryRun) {
        const answer = await client.post<{ restartRequired: boolean; strategy: string; diff: Array<{ path: string; before: unknown; after: unknown }> }>(
          `/api/deployments/${deployment.id}/config-history/${encodeURIComponent(options.to)}/rollback?dryRun=true`,
        );
        if (output === 'json') return console.log(JSON.stringify(answer, null, 2));
        for (const change of answer.diff.flatMap((one) => diffLeaves(one.before, one.after, one.path))) console.log(`${change.path}: ${JSON.stringify(change.before ?? null)} -> ${JSON.stringify(change.after ?? null)}`);
        console.log(answer.restartRequired ? `Restarts the replicas (${answer.strategy}).` : 'No restart.');
        return;
      }
      const path = options.to ? `/api/deployments/${deployment.id}/config-history/${encodeURIComponent(options.to)}/rollback` : `/api/deployments/${deployment.id}/rollout/rollback`;
      const answer = await client.post<{ name: string; replicas: number }>(path);
      if (output === 'json') return console.log(JSON.stringify(answer, null, 2));
      console.log(`${answer.name} rolls back${options.to ? ` to history entry ${options.to}` : ' to the settings before its last rollout'}; "hmas rollout status ${answer.name} --watch" follows it.`);
    });
}
