import { RUNTIME_IDS, type RuntimeId } from '../domain/optimization.js';
import { NotFoundError } from '../lib/errors.js';
import { embeddedLlamacpp } from './embedded-llamacpp.js';
import { llamacpp } from './llamacpp.js';
import { ollama } from './ollama.js';
import type { RuntimeAdapter } from './runtime-adapter.js';
import { tei } from './tei.js';
import { tgi } from './tgi.js';
import { vllm } from './vllm.js';

export type { RenderContext, RenderResult, RuntimeAdapter } from './runtime-adapter.js';

/** Every runtime H-MAS can deploy, by id. A test checks this matches RUNTIME_IDS. */
export const RUNTIMES: Readonly<Record<RuntimeId, RuntimeAdapter>> = Object.freeze({
  vllm,
  tgi,
  tei,
  llamacpp,
  ollama,
  'embedded-llamacpp': embeddedLlamacpp,
});

export function isRuntimeId(id: string): id is RuntimeId {
  return (RUNTIME_IDS as readonly string[]).includes(id);
}

/** The adapter for `id`, or 404 RUNTIME_NOT_FOUND. */
export function requireRuntime(id: string): RuntimeAdapter {
  if (!isRuntimeId(id)) throw new NotFoundError('runtime', id);
  return RUNTIMES[id];
}

/** All adapters in RUNTIME_IDS order. */
export function listRuntimes(): RuntimeAdapter[] {
  return RUNTIME_IDS.map((id) => RUNTIMES[id]);
}
