// vitest global setup of the `kube` project (vitest.config.ts): runs once per test run, before
// any worker starts, and only when the run includes a Kubernetes suite. It makes sure the one
// node every such suite shares is there:
//  - HMAS_TEST_KUBECONFIG set: that cluster is used as it is;
//  - the node under $K8SNODE_HOME runs (a developer's, another helper's): used and left running;
//  - built but not running: started here (≈ 45 s) and stopped (stop-node.sh --purge) at teardown;
//  - not built, or it cannot start: the reason goes to the workers (KUBE_NODE_UNAVAILABLE_ENV),
//    and describeWithKubeNode skips every suite with it — or fails them under CI=true.
// Workers inherit this process's environment, so HMAS_TEST_KUBECONFIG set here reaches them.
import { ensureRuntimeImage, missingBinaries, startKubeNode, stopKubeNode } from './kube-node-control.js';
import { KUBE_NODE_UNAVAILABLE_ENV, apiServerRunning, kubeNodeLayout } from './kube-node-layout.js';
import { planKubeNode } from './kube-node-plan.js';

const say = (message: string) => console.log(`[kube-node] ${message}`);

function unavailable(reason: string): void {
  process.env[KUBE_NODE_UNAVAILABLE_ENV] = reason;
  console.warn(`\n⚠ [kube-node] ${reason}\n  The Kubernetes suites will ${process.env.CI === 'true' ? 'fail (CI=true: CI must run them)' : 'be skipped'}.\n`);
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const layout = kubeNodeLayout();
  const plan = planKubeNode({
    external: Boolean(process.env.HMAS_TEST_KUBECONFIG),
    running: apiServerRunning(layout.runDir),
    missingBinaries: missingBinaries(layout),
    root: process.getuid?.() === 0,
    neverStart: process.env.HMAS_TEST_KUBE_NODE === 'never',
    home: layout.home,
  });
  switch (plan.action) {
    case 'use-external':
      say(`using the cluster of HMAS_TEST_KUBECONFIG=${process.env.HMAS_TEST_KUBECONFIG}`);
      return undefined;
    case 'none':
      unavailable(plan.reason);
      return undefined;
    case 'reuse': {
      say(`using the node already running under ${layout.home} (left running)`);
      const imageError = await ensureRuntimeImage(layout);
      if (imageError) console.warn(`⚠ [kube-node] ${imageError}`);
      process.env.HMAS_TEST_KUBECONFIG = layout.kubeconfigPath;
      return undefined;
    }
    case 'start': {
      say(`starting the node built under ${layout.home} (≈ 45 s; stopped after the run)`);
      const started = Date.now();
      const startError = await startKubeNode(layout);
      if (startError) {
        unavailable(`no Kubernetes node: ${startError}`);
        return undefined;
      }
      say(`node ready in ${Math.round((Date.now() - started) / 1000)} s`);
      const imageError = await ensureRuntimeImage(layout);
      if (imageError) console.warn(`⚠ [kube-node] ${imageError}`);
      process.env.HMAS_TEST_KUBECONFIG = layout.kubeconfigPath;
      return async () => {
        say('stopping the node this run started');
        await stopKubeNode(layout);
      };
    }
  }
}
