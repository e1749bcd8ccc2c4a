import { InvalidArgumentError, Option, type Command } from 'commander';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';
import { parseSince } from '../since.js';
import { findDeployment } from './deployment-commands.js';

/** One event as both endpoints answer it: the live one (the cluster's) and the history (the database's). */
interface EventRow {
  type: string;
  reason: string;
  message: string;
  count: number;
  involvedObject: { kind: string; name: string };
  /** Live events. */
  lastTimestamp?: string;
  /** History. */
  lastSeen?: string;
}

const COLUMNS: Array<Column<EventRow>> = [
  { header: 'last seen', value: (event) => event.lastSeen ?? event.lastTimestamp },
  { header: 'type', value: (event) => event.type },
  { header: 'reason', value: (event) => event.reason },
  { header: 'object', value: (event) => `${event.involvedObject.kind.toLowerCase()}/${event.involvedObject.name}` },
  { header: 'count', value: (event) => event.count },
  { header: 'message', value: (event) => event.message },
];

function since(value: string): Date {
  try {
    return parseSince(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export function registerEventCommands(program: Command): void {
  program
    .command('events <name>')
    .description("A deployment's events, oldest first: live from its cluster, or --history from the database (kept 30 days by default).")
    .option('--since <duration|time>', 'only events last seen since then: 90s, 30m, 24h, 7d, or an ISO 8601 time', since)
    .option('--history', 'read the events history the server keeps, not the cluster')
    .addOption(new Option('--type <type>', 'only events of this type (with --history)').choices(['Normal', 'Warning']))
    .option('--limit <n>', 'the most recent N events (with --history, 1–500)', (value) => {
      const limit = Number(value);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidArgumentError('Use a whole number from 1 to 500.');
      return limit;
    }, 100)
    .action(async (name: string, options: { since?: Date; history?: boolean; type?: string; limit: number }) => {
      if (options.type && !options.history) throw new InvalidArgumentError('--type filters the history: add --history.');
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      let events: EventRow[];
      if (options.history) {
        const query = new URLSearchParams({ limit: String(options.limit) });
        if (options.since) query.set('from', options.since.toISOString());
        if (options.type) query.set('type', options.type);
        // Newest first from the server; printed oldest first, as the live events are.
        events = (await client.get<{ items: EventRow[] }>(`/api/deployments/${deployment.id}/events/history?${query}`)).items.reverse();
      } else {
        const query = options.since ? `?since=${encodeURIComponent(options.since.toISOString())}` : '';
        events = (await client.get<{ items: EventRow[] }>(`/api/deployments/${deployment.id}/events${query}`)).items;
      }
      printResult(output, events, COLUMNS);
    });
}
