import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { SecretView } from '../../domain/secret.js';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';

const COLUMNS: Array<Column<SecretView>> = [
  { header: 'name', value: (s) => s.name },
  { header: 'description', value: (s) => s.description },
  { header: 'used by', value: (s) => s.usedBy.join(',') },
  { header: 'rotated', value: (s) => s.rotatedAt },
  { header: 'created by', value: (s) => s.createdBy },
];

interface ValueOptions {
  fromStdin?: boolean;
  valueFile?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The value from stdin or a file — never from an argument, which shells keep in their history
 * and `ps` shows to every user. One trailing line break (what `echo` and editors add) is dropped.
 */
async function readValue(options: ValueOptions): Promise<string> {
  if (options.fromStdin === true && options.valueFile !== undefined) throw new Error('Give --from-stdin or --value-file, not both.');
  if (options.fromStdin !== true && options.valueFile === undefined) throw new Error('Give the value with --from-stdin or --value-file FILE: values are never taken from the command line.');
  const text = options.valueFile !== undefined ? await readFile(options.valueFile, 'utf8') : await readStdin();
  return text.replace(/\r?\n$/, '');
}

export function registerSecretCommands(program: Command): void {
  const secret = program.command('secret').description('Named secrets for deployment settings ({ "secretRef": "NAME" }) on a running server (see "hmas login").');

  secret
    .command('create <name>')
    .description('Create a secret. The value is stored encrypted and never shown again.')
    .option('--from-stdin', 'read the value from standard input')
    .option('--value-file <file>', 'read the value from a file')
    .option('--description <text>', 'what the secret is for')
    .action(async (name: string, options: ValueOptions & { description?: string }) => {
      const value = await readValue(options);
      const { client, output } = await remoteClient(program);
      const created = await client.post<SecretView>('/api/secrets', { name, value, ...(options.description !== undefined ? { description: options.description } : {}) });
      printResult(output, created, COLUMNS);
    });

  secret
    .command('list')
    .description('List secrets: names and metadata, never values.')
    .action(async () => {
      const { client, output } = await remoteClient(program);
      const page = await client.get<{ items: SecretView[] }>('/api/secrets?limit=500');
      printResult(output, page.items, COLUMNS);
    });

  secret
    .command('rotate <name>')
    .description('Give a secret a new value; replicas get it when they next start.')
    .option('--from-stdin', 'read the value from standard input')
    .option('--value-file <file>', 'read the value from a file')
    .action(async (name: string, options: ValueOptions) => {
      const value = await readValue(options);
      const { client, output } = await remoteClient(program);
      const rotated = await client.post<SecretView>(`/api/secrets/${encodeURIComponent(name)}/rotate`, { value });
      printResult(output, rotated, COLUMNS);
    });

  secret
    .command('rm <name>')
    .description('Delete a secret (refused while a deployment uses it).')
    .action(async (name: string) => {
      const { client } = await remoteClient(program);
      await client.delete(`/api/secrets/${encodeURIComponent(name)}`);
      console.log(`Removed secret ${name}.`);
    });
}
