import { execFile } from 'node:child_process';
import os from 'node:os';
import { groupGpus, totalInventory, type ConnectionCheck, type Inventory, type InventoryNode } from '../../domain/cluster.js';
import type { ClusterConnector } from '../cluster-connector.js';
import { secondsText, shortReason } from '../connection-error.js';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv, type NvidiaGpu } from './nvidia-smi.js';

/** What nvidia-smi told (one entry per GPU), or why it could not. */
export type NvidiaSmiOutcome<Gpu = NvidiaGpu> =
  | { state: 'ok'; gpus: Gpu[] }
  | { state: 'absent' }
  | { state: 'failed'; reason: string };

/** Facts about the host; injectable so tests do not depend on the machine they run on. */
export interface HostFacts {
  hostname: string;
  cpuCores: number;
  memoryBytes: number;
}

export function currentHost(): HostFacts {
  return { hostname: os.hostname(), cpuCores: os.availableParallelism(), memoryBytes: os.totalmem() };
}

const MAX_OUTPUT_BYTES = 1024 * 1024;
/** nvidia-smi's exit status when the driver runs but no GPU is visible. */
const NO_DEVICES_EXIT = 6;

/** Runs nvidia-smi's inventory query (argv, no shell) with a timeout and parses its CSV. Never rejects. */
export async function runNvidiaSmi(command: string, timeoutMs: number, signal?: AbortSignal): Promise<NvidiaSmiOutcome> {
  return runNvidiaSmiQuery(command, { args: NVIDIA_SMI_ARGS, parse: parseNvidiaSmiCsv }, timeoutMs, signal);
}

/** Runs nvidia-smi with `query.args` (argv, no shell) and a timeout, and parses its answer with `query.parse`. Never rejects. */
export async function runNvidiaSmiQuery<Gpu>(
  command: string,
  query: { args: readonly string[]; parse: (output: string) => Gpu[] },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<NvidiaSmiOutcome<Gpu>> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...query.args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8', ...(signal ? { signal } : {}) },
      (error, stdout) => {
        if (error) {
          const { code, killed } = error as Omit<NodeJS.ErrnoException, 'code'> & { killed?: boolean; code?: string | number };
          if (code === 'ENOENT') return resolve({ state: 'absent' });
          if (code === 'EACCES') return resolve({ state: 'failed', reason: `${command} cannot be run (permission denied)` });
          if (killed || error.name === 'AbortError') return resolve({ state: 'failed', reason: `${command} did not answer within ${secondsText(timeoutMs)}` });
          if (code === NO_DEVICES_EXIT) return resolve({ state: 'ok', gpus: [] });
          const said = stdout.trim().split('\n')[0] ?? '';
          return resolve({ state: 'failed', reason: `${command} exited with status ${String(code)}${said ? `: ${said.slice(0, 200)}` : ''}` });
        }
        try {
          resolve({ state: 'ok', gpus: query.parse(stdout) });
        } catch (parseError) {
          resolve({ state: 'failed', reason: shortReason(parseError) });
        }
      },
    );
  });
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The inventory of this host: its GPUs when nvidia-smi can say, otherwise CPU and memory only. */
export function localInventory(host: HostFacts, smi: NvidiaSmiOutcome, collectedAt: Date): Inventory {
  const gpus = smi.state === 'ok' ? smi.gpus : [];
  const node: InventoryNode = {
    name: host.hostname,
    ready: true,
    gpus: groupGpus(gpus.map((gpu) => ({ model: gpu.name, memoryMiB: gpu.memoryTotalMiB }))),
    gpuAllocatable: gpus.length,
    gpuAllocated: 0,
    cpuCores: host.cpuCores,
    memoryBytes: host.memoryBytes,
  };
  const notes: string[] = [];
  if (smi.state === 'absent') notes.push('nvidia-smi is not installed: no NVIDIA GPU is reported, only CPU and memory.');
  if (smi.state === 'failed') notes.push(`nvidia-smi failed (${smi.reason}): only CPU and memory are reported.`);
  return { collectedAt: collectedAt.toISOString(), nodes: [node], totals: totalInventory([node]), notes };
}

function smiCheck(command: string, smi: NvidiaSmiOutcome): ConnectionCheck {
  switch (smi.state) {
    case 'absent':
      return { name: 'nvidia-smi', ok: true, detail: `${command} not found: CPU only` };
    case 'failed':
      return { name: 'nvidia-smi', ok: false, detail: smi.reason };
    case 'ok': {
      const models = groupGpus(smi.gpus.map((gpu) => ({ model: gpu.name, memoryMiB: gpu.memoryTotalMiB })));
      return { name: 'nvidia-smi', ok: true, detail: smi.gpus.length === 0 ? 'no GPU visible' : models.map((group) => `${group.count} × ${group.model}`).join(', ') };
    }
  }
}

/** The host H-MAS runs on (cluster `local`). */
export function createLocalConnector(options: { nvidiaSmiCommand: string; timeoutMs: number; now: () => Date; host?: () => HostFacts }): ClusterConnector {
  const host = options.host ?? currentHost;
  const inventory = async (signal?: AbortSignal) => localInventory(host(), await runNvidiaSmi(options.nvidiaSmiCommand, options.timeoutMs, signal), options.now());
  return {
    kind: 'local',
    async test(signal) {
      const facts = host();
      const smi = await runNvidiaSmi(options.nvidiaSmiCommand, options.timeoutMs, signal);
      const found = localInventory(facts, smi, options.now());
      const check = smiCheck(options.nvidiaSmiCommand, smi);
      const hardware = `${found.totals.gpus > 0 ? `${check.detail}, ` : ''}${facts.cpuCores} CPU cores, ${gib(facts.memoryBytes)} memory`;
      return {
        ok: check.ok,
        message: check.ok ? `Local host ${facts.hostname}: ${hardware}.` : `Local host ${facts.hostname} answers, but nvidia-smi failed: ${check.detail}.`,
        checks: [{ name: 'host', ok: true, detail: `${facts.hostname}: ${facts.cpuCores} CPU cores, ${gib(facts.memoryBytes)} memory` }, check],
        readiness: check.ok ? 'ready' : 'notReady',
        inventory: found,
      };
    },
    inventory,
  };
}
