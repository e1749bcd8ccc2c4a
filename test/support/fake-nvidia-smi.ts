import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

const FIXTURES = new URL('../fixtures/nvidia-smi/', import.meta.url).pathname;

/**
 * A fake nvidia-smi in `dir`, printing recorded output: the telemetry query (it asks for `uuid`)
 * gets four H100s (`telemetry-h100-4x.csv`), the inventory query eight (`h100-sxm-8x.csv`).
 * Returns its path, for HMAS_NVIDIA_SMI.
 */
export async function writeFakeNvidiaSmi(dir: string): Promise<string> {
  const script = path.join(dir, 'nvidia-smi');
  await writeFile(script, `#!/bin/sh\ncase "$1" in\n  *uuid*) cat '${FIXTURES}telemetry-h100-4x.csv' ;;\n  *) cat '${FIXTURES}h100-sxm-8x.csv' ;;\nesac\n`);
  await chmod(script, 0o755);
  return script;
}
