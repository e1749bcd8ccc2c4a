// A kubeconfig with its CA file inlined: H-MAS refuses kubeconfigs that read files, and the
// node's admin kubeconfig names its CA by path.
import { readFile } from 'node:fs/promises';
import { loadYaml } from '@kubernetes/client-node';

export async function inlineKubeconfig(text: string): Promise<string> {
  const config = loadYaml<{ clusters: Array<{ cluster: Record<string, unknown> }> }>(text);
  for (const { cluster } of config.clusters) {
    const file = cluster['certificate-authority'];
    if (typeof file === 'string') {
      cluster['certificate-authority-data'] = (await readFile(file)).toString('base64');
      delete cluster['certificate-authority'];
    }
  }
  return JSON.stringify(config);
}
