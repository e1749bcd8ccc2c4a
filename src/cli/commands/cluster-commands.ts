import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Cluster, ConnectionTest } from '../../domain/cluster.js';
import type { Deployment } from '../../domain/deployment.js';
import type { ImageWarmerStatus } from '../../domain/image-warmer.js';
import { ApiCallError, type ApiClient } from '../api-client.js';
import { printResult, type Column } from '../output.js';
import { collectPairs, remoteClient } from '../remote.js';
import { renderClusterDescription, type ClusterDescription } from './cluster-describe.js';

/** The parts of a cluster the CLI prints. */
interface ClusterView {
  name: string;
  displayName: string;
  type: string;
  scheduler: string;
  labels: Record<string, string>;
  connection: { kind: string; server: string | null; memberCluster: string | null };
  readiness: { state: string; message: string };
  inventory: { totals: { nodes: number; gpus: number; gpuAllocatable: number; gpuAllocated: number; cpuCores: number } } | null;
  lastTest: ConnectionTest | null;
  agentToken?: string;
}

const COLUMNS: Array<Column<ClusterView>> = [
  { header: 'name', value: (c) => c.name },
  { header: 'type', value: (c) => c.type },
  { header: 'kind', value: (c) => c.connection.kind },
  { header: 'ready', value: (c) => c.readiness.state },
  { header: 'nodes', value: (c) => c.inventory?.totals.nodes },
  { header: 'gpus', value: (c) => (c.inventory ? `${c.inventory.totals.gpuAllocated}/${c.inventory.totals.gpuAllocatable}` : undefined) },
  { header: 'cpus', value: (c) => c.inventory?.totals.cpuCores },
  { header: 'scheduler', value: (c) => c.scheduler },
  { header: 'labels', value: (c) => Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(',') },
];

function printTest(test: ConnectionTest): void {
  console.log(`${test.ok ? 'OK' : 'FAILED'}: ${test.message}`);
  for (const check of test.checks) console.log(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
}

interface AddOptions {
  kind: 'local' | 'kubeconfig' | 'federation' | 'agent';
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  member?: string;
  type: 'HP' | 'GP';
  scheduler: 'default' | 'koordinator';
  label?: Record<string, string>;
  displayName?: string;
  imagePrecache: boolean;
  test: boolean;
}

async function connectionFrom(options: AddOptions): Promise<Record<string, unknown>> {
  if (options.kind === 'local' || options.kind === 'agent') return { kind: options.kind };
  if (!options.kubeconfig) throw new Error(`--kubeconfig FILE is needed for a ${options.kind} connection.`);
  const kubeconfig = await readFile(options.kubeconfig, 'utf8');
  if (options.kind === 'federation' && !options.member) throw new Error('--member NAME (the member cluster in Karmada) is needed for a federation connection.');
  return {
    kind: options.kind,
    kubeconfig,
    ...(options.context ? { context: options.context } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.kind === 'federation' ? { memberCluster: options.member } : {}),
  };
}

/** The cluster, the deployments placed on it (the first 500) and its image warmer; a person's error for an unknown name. */
async function describeCluster(client: ApiClient, name: string): Promise<ClusterDescription> {
  const path = `/api/clusters/${encodeURIComponent(name)}`;
  const cluster = await client.get<Cluster>(path).catch((error: unknown) => {
    if (error instanceof ApiCallError && (error.status === 404 || (error.status === 400 && error.code === 'VALIDATION_FAILED'))) {
      throw new Error(`No cluster named "${name}". "hmas cluster list" shows the registered clusters.`);
    }
    throw error;
  });
  const [page, warmer] = await Promise.all([
    client.get<{ items: Deployment[]; total: number }>(`/api/deployments?limit=500&cluster=${encodeURIComponent(cluster.name)}`),
    client.get<ImageWarmerStatus>(`${path}/warmer`),
  ]);
  return { cluster, deployments: page.items, deploymentsTotal: page.total, warmer };
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('Register and inspect GPU clusters on a running server (see "hmas login").');

  cluster
    .command('add <name>')
    .description('Register a cluster. Tests the connection first unless --no-test.')
    .addOption(new Option('--kind <kind>', 'how H-MAS reaches it').choices(['local', 'kubeconfig', 'federation', 'agent']).default('kubeconfig'))
    .option('--kubeconfig <file>', 'kubeconfig file (kubeconfig and federation kinds); stored encrypted')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option('--namespace <name>', 'namespace to deploy into (default: hmas)')
    .option('--member <name>', 'member cluster name in Karmada (federation kind)')
    .addOption(new Option('--type <type>', 'HP: dedicated multi-GPU nodes; GP: shared GPUs').choices(['HP', 'GP']).default('GP'))
    .addOption(new Option('--scheduler <name>', 'scheduler for workloads').choices(['default', 'koordinator']).default('default'))
    .option('--label <key=value>', 'label (repeatable)', collectPairs)
    .option('--display-name <text>', 'display name')
    .option('--no-image-precache', 'do not pre-pull runtime images on GPU nodes')
    .option('--no-test', 'register without testing the connection first')
    .action(async (name: string, options: AddOptions) => {
      const { client, output } = await remoteClient(program);
      const connection = await connectionFrom(options);
      if (options.test) {
        const test = await client.post<ConnectionTest>('/api/clusters/test', { connection });
        if (output === 'table') printTest(test);
        if (!test.ok) throw new Error('The connection test failed; fix it, or register anyway with --no-test.');
      }
      const created = await client.post<ClusterView>('/api/clusters', {
        name,
        type: options.type,
        scheduler: options.scheduler,
        connection,
        labels: options.label ?? {},
        imagePrecache: options.imagePrecache,
        ...(options.displayName ? { displayName: options.displayName } : {}),
      });
      printResult(output, created, COLUMNS);
      if (created.agentToken && output === 'table') {
        console.log(`\nAgent token (shown once; give it to hmas-agent): ${created.agentToken}`);
      }
    });

  cluster
    .command('list')
    .description('List clusters with readiness and GPU allocation (allocated/allocatable).')
    .action(async () => {
      const { client, output } = await remoteClient(program);
      const page = await client.get<{ items: ClusterView[] }>('/api/clusters?limit=500');
      printResult(output, page.items, COLUMNS);
    });

  cluster
    .command('describe <name>')
    .description('Show a cluster: connection (no secrets), type, scheduler, readiness, last test, image warmer, nodes with their GPUs, totals and the deployments on it.')
    .action(async (name: string) => {
      const { client, output } = await remoteClient(program);
      const description = await describeCluster(client, name);
      if (output === 'json') console.log(JSON.stringify({ ...description.cluster, deployments: description.deployments, deploymentsTotal: description.deploymentsTotal, warmer: description.warmer }, null, 2));
      else console.log(renderClusterDescription(description));
    });

  cluster
    .command('test <name>')
    .description('Test the connection of a registered cluster and refresh its inventory.')
    .action(async (name: string) => {
      const { client, output } = await remoteClient(program);
      // The answer is the cluster, with the new test result, readiness and inventory.
      const tested = await client.post<ClusterView>(`/api/clusters/${encodeURIComponent(name)}/test`);
      if (output === 'json') console.log(JSON.stringify(tested, null, 2));
      else {
        if (tested.lastTest) printTest(tested.lastTest);
        printResult(output, tested, COLUMNS);
      }
      if (!tested.lastTest?.ok) process.exitCode = 1;
    });

  cluster
    .command('rm <name>')
    .description('Remove a cluster from H-MAS (nothing on the cluster itself is touched).')
    .action(async (name: string) => {
      const { client } = await remoteClient(program);
      await client.delete(`/api/clusters/${encodeURIComponent(name)}`);
      console.log(`Removed cluster ${name}.`);
    });
}
