import { Option, type Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printResult, type Column } from '../output.js';
import { remoteClient } from '../remote.js';

/** The parts of a deployment the CLI prints. */
interface DeploymentView {
  id: string;
  name: string;
  modelName: string;
  cluster: string;
  runtime: string;
  replicas: number;
  readyReplicas: number;
  status: string;
  statusSource: string;
  statusReason: string | null;
  statusMessage: string;
  endpoints: string[];
}

interface EventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastTimestamp: string;
}

/** A deployment as one table row (also under `hmas cluster describe`). */
export const COLUMNS: Array<Column<DeploymentView>> = [
  { header: 'name', value: (d) => d.name },
  { header: 'model', value: (d) => d.modelName },
  { header: 'cluster', value: (d) => d.cluster },
  { header: 'runtime', value: (d) => d.runtime },
  { header: 'status', value: (d) => (d.statusSource === 'cached' ? `${d.status} (cached)` : d.status) },
  { header: 'ready', value: (d) => `${d.readyReplicas}/${d.replicas}` },
  { header: 'reason', value: (d) => d.statusReason },
  { header: 'endpoint', value: (d) => d.endpoints[0] },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A deployment by name (or id); an error naming "hmas ps" when there is none. */
export async function findDeployment(client: ApiClient, nameOrId: string): Promise<DeploymentView> {
  if (UUID.test(nameOrId)) return client.get<DeploymentView>(`/api/deployments/${nameOrId}`);
  const page = await client.get<{ items: DeploymentView[] }>(`/api/deployments?limit=500&q=${encodeURIComponent(nameOrId)}`);
  const match = page.items.find((deployment) => deployment.name === nameOrId);
  if (!match) throw new Error(`No deployment named "${nameOrId}". See "hmas ps".`);
  return match;
}

async function findModelId(client: ApiClient, nameOrId: string): Promise<{ id: string; name: string }> {
  if (UUID.test(nameOrId)) return client.get<{ id: string; name: string }>(`/api/models/${nameOrId}`);
  const page = await client.get<{ items: Array<{ id: string; name: string }> }>(`/api/models?limit=500&q=${encodeURIComponent(nameOrId)}`);
  const match = page.items.find((model) => model.name === nameOrId);
  if (!match) throw new Error(`No model named "${nameOrId}". Register it first ("hmas model import", or POST /api/models with a localPath).`);
  return match;
}

/** A DNS-1123 name from a model name: "Qwen2.5-0.5B-Instruct" → "qwen2-5-0-5b-instruct". */
export function deploymentNameFor(modelName: string): string {
  const name = modelName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 63).replace(/-$/, '');
  return name || 'deployment';
}

/** Prints status changes and new events until the deployment runs or fails (or time is up). */
async function waitUntilSettled(client: ApiClient, id: string, timeoutMs: number, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  const seenEvents = new Set<string>();
  let lastLine = '';
  for (;;) {
    const deployment = await client.get<DeploymentView>(`/api/deployments/${id}`);
    const line = `${deployment.status} ${deployment.readyReplicas}/${deployment.replicas} ready${deployment.statusMessage ? ` — ${deployment.statusMessage}` : ''}`;
    if (line !== lastLine) {
      console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
      lastLine = line;
    }
    const events = await client.get<{ items: EventView[] }>(`/api/deployments/${id}/events`).catch(() => ({ items: [] as EventView[] }));
    for (const event of events.items) {
      const key = `${event.reason}|${event.message}|${event.count}`;
      if (seenEvents.has(key)) continue;
      seenEvents.add(key);
      console.log(`  ${event.type === 'Warning' ? '!' : '·'} ${event.reason}: ${event.message}${event.count > 1 ? ` (×${event.count})` : ''}`);
    }
    if (deployment.status === 'running' || deployment.status === 'failed') return deployment;
    if (Date.now() > deadline) throw new Error(`Still ${deployment.status} after ${Math.round(timeoutMs / 1000)} s; "hmas ps" shows it as it goes on.`);
    await sleep(1000);
  }
}

export function registerDeploymentCommands(program: Command): void {
  program
    .command('deploy <model>')
    .description('Deploy a registered model (name or id) on a cluster; --wait follows it until it runs or fails.')
    .option('--name <name>', 'deployment name (default: from the model name)')
    .option('--cluster <name>', 'cluster to run on', 'local')
    .addOption(new Option('--runtime <id>', 'serving runtime').choices(['embedded-llamacpp', 'llamacpp', 'vllm', 'tgi', 'tei', 'ollama']).default('embedded-llamacpp'))
    .option('--replicas <n>', 'replicas', (value) => Number.parseInt(value, 10), 1)
    .option('--profile <id>', 'resource profile id')
    .option('--preset <id>', 'optimization preset id (e.g. builtin:vllm:balanced)')
    .option('--threads <n>', 'CPU threads per replica (llama.cpp runtimes)', (value) => Number.parseInt(value, 10))
    .option('--wait', 'follow progress until the deployment runs or fails')
    .option('--timeout <seconds>', 'how long --wait waits', (value) => Number.parseInt(value, 10), 600)
    .action(async (modelRef: string, options: { name?: string; cluster: string; runtime: string; replicas: number; profile?: string; preset?: string; threads?: number; wait?: boolean; timeout: number }) => {
      const { client, output } = await remoteClient(program);
      const model = await findModelId(client, modelRef);
      const created = await client.post<DeploymentView>('/api/deployments', {
        name: options.name ?? deploymentNameFor(model.name),
        modelId: model.id,
        cluster: options.cluster,
        runtime: options.runtime,
        replicas: options.replicas,
        ...(options.profile ? { resourceProfileId: options.profile } : {}),
        ...(options.preset ? { optimizationPresetId: options.preset } : {}),
        ...(options.threads ? { optimization: { tier2: { threads: options.threads } } } : {}),
      });
      if (output === 'table') console.log(`Deployment ${created.name} created (${created.status}).`);
      const final = options.wait ? await waitUntilSettled(client, created.id, options.timeout * 1000) : created;
      printResult(output, final, COLUMNS);
      if (final.status === 'failed') {
        process.exitCode = 1;
        // Status messages are sentences and end with their own full stop.
        const message = final.statusMessage.replace(/\.$/, '');
        if (output === 'table') console.error(`Failed: ${final.statusReason ?? 'unknown reason'} — ${message}. See "hmas logs ${final.name}".`);
      }
    });

  program
    .command('ps')
    .description('List deployments with live status ("(cached)" when a cluster did not answer).')
    .action(async () => {
      const { client, output } = await remoteClient(program);
      const page = await client.get<{ items: DeploymentView[] }>('/api/deployments?limit=500');
      printResult(output, page.items, COLUMNS);
    });

  program
    .command('pause <name>')
    .description('Pause a deployment: scale to 0, keep everything.')
    .action(async (name: string) => {
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      const answer = await client.post<DeploymentView>(`/api/deployments/${deployment.id}/pause`);
      // The answer is the saved state right after the change, not an observation: a sentence
      // says it better than a status row ("hmas ps" shows what the cluster reports).
      if (output === 'json') printResult(output, answer, COLUMNS);
      else console.log(`Paused ${answer.name}: its replicas stop; "hmas resume ${answer.name}" brings them back.`);
    });

  program
    .command('resume <name>')
    .description('Resume a paused deployment; --replicas and --preset start it with new settings (recorded in its config history).')
    .option('--replicas <n>', 'start this many replicas', (value) => Number.parseInt(value, 10))
    .option('--preset <id>', 'switch to this optimization preset (e.g. builtin:vllm:balanced)')
    .action(async (name: string, options: { replicas?: number; preset?: string }) => {
      const { client, output } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      const settings = { ...(options.replicas !== undefined ? { replicas: options.replicas } : {}), ...(options.preset ? { optimizationPresetId: options.preset } : {}) };
      const answer = await client.post<DeploymentView>(`/api/deployments/${deployment.id}/resume`, Object.keys(settings).length > 0 ? settings : undefined);
      if (output === 'json') printResult(output, answer, COLUMNS);
      else console.log(`Resuming ${answer.name}: starting ${answer.replicas} replica(s); "hmas ps" shows when they are ready.`);
    });

  program
    .command('rm <name>')
    .description('Delete a deployment: stops its replicas.')
    .action(async (name: string) => {
      const { client } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      await client.delete(`/api/deployments/${deployment.id}`);
      console.log(`Deleted deployment ${deployment.name}.`);
    });

  program
    .command('logs <name>')
    .description("Print the last lines of a deployment's replicas; -f keeps printing new lines.")
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--tail <n>', 'lines per replica', (value) => Number.parseInt(value, 10), 100)
    .action(async (name: string, options: { follow?: boolean; tail: number }) => {
      const { client } = await remoteClient(program);
      const deployment = await findDeployment(client, name);
      if (!options.follow) {
        const logs = await client.get<{ items: Array<{ replica: string; lines: string[] }> }>(`/api/deployments/${deployment.id}/logs?tailLines=${options.tail}`);
        for (const replica of logs.items) for (const line of replica.lines) console.log(`${replica.replica} | ${line}`);
        return;
      }
      const response = await client.stream(`/api/deployments/${deployment.id}/logs?follow=true&tailLines=${options.tail}`);
      for await (const chunk of response) process.stdout.write(chunk);
    });
}

