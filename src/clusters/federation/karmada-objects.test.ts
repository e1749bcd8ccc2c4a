import { describe, expect, it } from 'vitest';
import { bindingFacts, policyFacts, templateFacts } from './karmada-objects.js';

const meta = (extra: Record<string, unknown> = {}) => ({ name: 'chat', namespace: 'hmas', ...extra });

describe('reading Karmada objects back', () => {
  it('takes the spec hash, deployment id, placement and templates from H-MAS\'s PropagationPolicy', () => {
    const placement = { members: [{ name: 'east', weight: 2 }], replicaScheduling: 'Divided', dynamicWeight: false };
    const facts = policyFacts({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: meta({ annotations: { 'hmas.io/spec-hash': '0123456789abcdef', 'hmas.io/deployment-id': 'd-1', 'hmas.io/placement': JSON.stringify(placement) } }),
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'hmas', name: 'chat' }, { apiVersion: 'v1', kind: 'Service' }] },
    });
    expect(facts).toEqual({ specHash: '0123456789abcdef', deploymentId: 'd-1', placement, templates: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' }] });
  });

  it('has no placement when the annotation is missing or not a placement', () => {
    for (const annotation of [undefined, 'not json', '{"members":[]}']) {
      const annotations = annotation === undefined ? {} : { 'hmas.io/placement': annotation };
      expect(policyFacts({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: meta({ annotations }) }).placement).toBeUndefined();
    }
  });

  it('reads the template\'s replicas, generation and the status Karmada aggregated', () => {
    const template = templateFacts({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta({ generation: 4 }), spec: { replicas: 3 }, status: { observedGeneration: 3, replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } });
    expect(template).toEqual({ generation: 4, replicas: 3, status: { observedGeneration: 3, replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } });
    expect(templateFacts({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: {} })).toEqual({ generation: 0, replicas: 1, status: undefined });
  });

  it('reads the binding\'s scheduled clusters, conditions and per-member status, skipping malformed entries', () => {
    const binding = bindingFacts({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: meta({ name: 'chat-deployment' }),
      spec: { clusters: [{ name: 'east', replicas: 2 }, { replicas: 1 }, 'junk'] },
      status: {
        conditions: [{ type: 'Scheduled', status: 'True', reason: 'Success' }, { type: 7 }],
        aggregatedStatus: [{ clusterName: 'east', applied: true, health: 'Healthy', status: { readyReplicas: 2 } }, { applied: false }],
      },
    });
    expect(binding).toEqual({
      clusters: [{ name: 'east', replicas: 2 }],
      conditions: [{ type: 'Scheduled', status: 'True', reason: 'Success', message: undefined }],
      aggregatedStatus: [{ clusterName: 'east', applied: true, appliedMessage: undefined, health: 'Healthy' }],
    });
  });
});
