import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RuntimeId } from '../../domain/optimization.js';
import { WORKLOAD_REASONS, type WorkloadSpec } from '../../domain/workload.js';
import { findExecutable } from './process-tools.js';

/** How to start the hmas CLI itself: a program and the arguments before the subcommand. */
export interface SelfCommand {
  command: string;
  args: string[];
}

/** The setting (environment variable) that points H-MAS at each external runtime's program. */
export const RUNTIME_BINARY_SETTINGS: Readonly<Partial<Record<RuntimeId, string>>> = Object.freeze({
  vllm: 'HMAS_RUNTIME_BIN_VLLM',
  tgi: 'HMAS_RUNTIME_BIN_TGI',
  tei: 'HMAS_RUNTIME_BIN_TEI',
  llamacpp: 'HMAS_RUNTIME_BIN_LLAMACPP',
  ollama: 'HMAS_RUNTIME_BIN_OLLAMA',
});

/**
 * The command that runs this very hmas: `node dist/main/cli.js` when built, `node --import tsx
 * src/main/cli.ts` when running from source. Null when neither exists.
 */
export function defaultSelfCommand(): SelfCommand | null {
  const built = fileURLToPath(new URL('../../main/cli.js', import.meta.url));
  if (existsSync(built)) return { command: process.execPath, args: [built] };
  const source = fileURLToPath(new URL('../../main/cli.ts', import.meta.url));
  if (existsSync(source)) {
    try {
      const loader = createRequire(import.meta.url).resolve('tsx');
      return { command: process.execPath, args: ['--import', pathToFileURL(loader).href, source] };
    } catch {
      return null;
    }
  }
  return null;
}

export type ResolvedProgram = { ok: true; file: string; args: string[] } | { ok: false; reason: string; message: string };

/**
 * The program and leading arguments a replica of `spec` runs, or why it cannot run. The
 * workload's args follow (already expanded by the caller).
 */
export async function resolveProgram(
  spec: Pick<WorkloadSpec, 'runtime' | 'command'>,
  options: { selfCommand: SelfCommand | null; binaryPaths: Readonly<Partial<Record<RuntimeId, string>>>; pathVariable: string | undefined },
): Promise<ResolvedProgram> {
  if (spec.command.type === 'self') {
    if (!options.selfCommand) {
      return {
        ok: false,
        reason: WORKLOAD_REASONS.binaryNotFound,
        message: 'The hmas command that runs the embedded runtime was not found (dist/main/cli.js is missing): build H-MAS with "npm run build".',
      };
    }
    const file = await findExecutable(options.selfCommand.command, options.pathVariable);
    if (!file) return { ok: false, reason: WORKLOAD_REASONS.binaryNotFound, message: `The hmas command's program ${options.selfCommand.command} was not found.` };
    return { ok: true, file, args: [...options.selfCommand.args] };
  }
  const setting = RUNTIME_BINARY_SETTINGS[spec.runtime];
  const configured = options.binaryPaths[spec.runtime];
  const program = configured ?? spec.command.binary;
  const file = await findExecutable(program, options.pathVariable);
  if (file) return { ok: true, file, args: [] };
  const how = setting ? `install it or set ${setting} to the program's full path` : 'install it';
  return {
    ok: false,
    reason: WORKLOAD_REASONS.binaryNotFound,
    message: configured
      ? `${program} (set by ${setting ?? 'configuration'}) is not an executable file: ${how}.`
      : program.includes('/')
        ? `${program} is not an executable file: ${how}.`
        : `${program} was not found on PATH: ${how}.`,
  };
}
