// Steps of the browser tests that run a real deployment of the tiny test model (generated, never
// downloaded) on the local host: registering the model, and deleting whatever a test left running.
import { rm } from 'node:fs/promises';
import { writeTinyModel } from '../support/tiny-model.js';
import type { BrowserHarness } from './browser-harness.js';

/** Writes a tiny model file and registers it as a model; the id of the model. */
export async function registerTinyModel(h: BrowserHarness, file: string, { name = 'tiny-model', seed }: { name?: string; seed?: number } = {}): Promise<string> {
  await writeTinyModel(file, { seed });
  const model = await h.api<{ id: string }>('POST', '/api/models', { localPath: file, name });
  if (model.status !== 201) throw new Error(`Registering ${name} answered ${model.status}.`);
  return model.body.id;
}

/**
 * Deletes every deployment through the API (signing in as admin first: a test may have ended
 * signed in as someone else), so no replica outlives the suite. For afterAll; never throws.
 */
export async function deleteEveryDeployment(h: BrowserHarness): Promise<void> {
  await h.signIn('admin', h.server.adminPassword).catch(() => undefined);
  const left = await h.api<{ items: Array<{ id: string }> }>('GET', '/api/deployments?limit=500').catch(() => null);
  for (const deployment of left?.body.items ?? []) await h.api('DELETE', `/api/deployments/${deployment.id}`).catch(() => undefined);
}

/** For afterAll of a suite that deploys: deletes what it left running, stops the browser and server, removes its temp dir. */
export async function endDeploymentSuite(h: BrowserHarness | undefined, dir: string | undefined): Promise<void> {
  if (h) {
    await deleteEveryDeployment(h);
    await h.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}
