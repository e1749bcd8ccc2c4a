import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';

/** The parts of a model the CLI prints. */
interface ModelView {
  id: string;
  name: string;
  category: string;
  displaySize: string | null;
  format: string;
  dtype: string | null;
  contextLength: number | null;
  license: string | null;
  hfRepoId: string | null;
  localPath: string | null;
}

const COLUMNS: Array<Column<ModelView>> = [
  { header: 'name', value: (m) => m.name },
  { header: 'category', value: (m) => m.category },
  { header: 'size', value: (m) => m.displaySize },
  { header: 'format', value: (m) => m.format },
  { header: 'dtype', value: (m) => m.dtype },
  { header: 'context', value: (m) => m.contextLength },
  { header: 'license', value: (m) => m.license },
  { header: 'source', value: (m) => m.hfRepoId ?? m.localPath },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A model by id or by exact name. */
async function findModel(client: ApiClient, nameOrId: string): Promise<ModelView> {
  if (UUID.test(nameOrId)) return client.get<ModelView>(`/api/models/${nameOrId}`);
  const page = await client.get<{ items: ModelView[] }>(`/api/models?limit=500&q=${encodeURIComponent(nameOrId)}`);
  const match = page.items.find((model) => model.name === nameOrId);
  if (!match) throw new Error(`No model named "${nameOrId}". See "hmas model list".`);
  return match;
}

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('Register and inspect models on a running server (see "hmas login").');

  model
    .command('import <repoId>')
    .description('Import a model from Hugging Face (or the hub HF_ENDPOINT points the server at): fills name, category, size, license, dtype, context length and more.')
    .option('--revision <rev>', 'branch, tag or commit (default: main)')
    .option('--name <name>', 'register under this name instead of the repo name')
    .option('--file <file.gguf>', 'for a GGUF repo: which file (default: Q4_K_M or the closest)')
    .option('--dry-run', 'show what would be filled, save nothing')
    .action(async (repoId: string, options: { revision?: string; name?: string; file?: string; dryRun?: boolean }) => {
      const { client, output } = await remoteClient(program);
      const imported = await client.post<ModelView>(`/api/models/import/huggingface${options.dryRun ? '?dryRun=true' : ''}`, {
        repoId,
        ...(options.revision ? { revision: options.revision } : {}),
        ...(options.name ? { name: options.name } : {}),
        ...(options.file ? { hfFile: options.file } : {}),
      });
      printResult(output, imported, COLUMNS);
    });

  model
    .command('list')
    .description('List registered models.')
    .action(async () => {
      const { client, output } = await remoteClient(program);
      const page = await client.get<{ items: ModelView[] }>('/api/models?limit=500');
      printResult(output, page.items, COLUMNS);
    });

  model
    .command('rm <nameOrId>')
    .description('Remove a model from the registry.')
    .action(async (nameOrId: string) => {
      const { client } = await remoteClient(program);
      const found = await findModel(client, nameOrId);
      await client.delete(`/api/models/${found.id}`);
      console.log(`Removed model ${found.name}.`);
    });
}
