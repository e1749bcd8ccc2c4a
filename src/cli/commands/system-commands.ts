import type { Command } from 'commander';
import type { LoopsView, LoopState } from '../../domain/loops.js';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

const COLUMNS: Array<Column<LoopState>> = [
  { header: 'name', value: (loop) => loop.name },
  { header: 'touches', value: (loop) => loop.touches },
  { header: 'leader only', value: (loop) => yesNo(loop.needsLeader) },
  { header: 'running here', value: (loop) => yesNo(loop.runningHere) },
  { header: 'last run', value: (loop) => loop.lastRunAt },
  { header: 'last duration', value: (loop) => (loop.lastDurationMs === null ? null : `${Math.round(loop.lastDurationMs)} ms`) },
  { header: 'runs', value: (loop) => loop.runs },
  { header: 'errors', value: (loop) => loop.errors },
  { header: 'last error', value: (loop) => loop.lastError },
];

/** The line above the table: whether the instance that answered leads, and how it was chosen. */
export function leaderLine(leader: LoopsView['leader']): string {
  const election = leader.election === 'embedded' ? 'embedded database: always the leader' : 'elected through PostgreSQL';
  const since = leader.since ? `, since ${leader.since}` : '';
  return `Leader: ${yesNo(leader.isLeader)} (${election}${since})`;
}

export function registerSystemCommands(program: Command): void {
  const system = program.command('system').description('The server instance itself (admins).');
  system
    .command('loops')
    .description("The background loops of the instance that answers: whether each runs there, its last run and failures, and whether the instance is the leader.")
    .action(async () => {
      const { client, output } = await remoteClient(program);
      const view = await client.get<LoopsView>('/api/system/loops');
      // JSON: the whole answer (leader and loops), as the API gives it.
      if (output === 'json') return printResult(output, view, []);
      console.log(leaderLine(view.leader));
      printResult(output, view.loops, COLUMNS);
    });
}
