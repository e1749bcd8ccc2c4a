import { describe, expect, it } from 'vitest';
import { planKubeNode, type KubeNodeFacts } from './kube-node-plan.js';

const built: KubeNodeFacts = { external: false, running: false, missingBinaries: [], root: true, neverStart: false, home: '/cache/k8snode' };

describe('planKubeNode', () => {
  it('uses the node HMAS_TEST_KUBECONFIG names, whatever else is there', () => {
    expect(planKubeNode({ ...built, external: true, running: true })).toEqual({ action: 'use-external' });
    expect(planKubeNode({ ...built, external: true, missingBinaries: ['kubelet'] })).toEqual({ action: 'use-external' });
  });

  it('reuses a running node and never starts a second one', () => {
    expect(planKubeNode({ ...built, running: true })).toEqual({ action: 'reuse' });
    expect(planKubeNode({ ...built, running: true, root: false, neverStart: true })).toEqual({ action: 'reuse' });
  });

  it('starts a node that is built but not running', () => {
    expect(planKubeNode(built)).toEqual({ action: 'start' });
  });

  it('names the missing binaries and how to build them when the node is not built', () => {
    const plan = planKubeNode({ ...built, missingBinaries: ['kubelet', 'kubectl'] });
    expect(plan.action).toBe('none');
    expect(plan).toMatchObject({ reason: expect.stringContaining('missing kubelet, kubectl') });
    expect(plan).toMatchObject({ reason: expect.stringContaining('build-all.sh') });
  });

  it('does not start a node without root or when told never to', () => {
    expect(planKubeNode({ ...built, root: false })).toMatchObject({ action: 'none', reason: expect.stringContaining('needs root') });
    expect(planKubeNode({ ...built, neverStart: true })).toMatchObject({ action: 'none', reason: expect.stringContaining('HMAS_TEST_KUBE_NODE=never') });
  });
});
