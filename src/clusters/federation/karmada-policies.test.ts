import { describe, expect, it } from 'vitest';
import { renderWorkloadSpec } from '../../domain/workload.js';
import { RUNTIMES } from '../../runtimes/index.js';
import type { FederationPlacement } from './federation-placement.js';
import { renderOverridePolicy, renderPropagationPolicy, type TemplateRef } from './karmada-policies.js';

const { spec } = renderWorkloadSpec({
  deployment: { id: '4f7f6a3e-2f7e-4a53-9a47-5b8e8c0e9d11', name: 'chat', replicas: 3 },
  model: { name: 'qwen2.5-7b', localPath: '/models/qwen2.5-7b', hfRepoId: null },
  runtime: RUNTIMES.vllm,
  resourceProfile: { gpuCount: 1, cpu: '8', memory: '32Gi' },
});
const deployment: TemplateRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' };
const templates: TemplateRef[] = [deployment, { apiVersion: 'v1', kind: 'Service', name: 'chat' }, { apiVersion: 'v1', kind: 'Secret', name: 'chat-secrets' }];

describe('renderPropagationPolicy', () => {
  it('selects the workload\'s objects by name and divides replicas by static weight over the members', () => {
    const placement: FederationPlacement = { members: [{ name: 'gpu-east', weight: 2 }, { name: 'gpu-west' }], replicaScheduling: 'Divided', dynamicWeight: false };
    const policy = renderPropagationPolicy(spec, templates, placement, 'hmas');
    expect(policy).toMatchObject({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'chat', namespace: 'hmas', annotations: { 'hmas.io/spec-hash': spec.specHash, 'hmas.io/deployment-id': spec.deploymentId } },
    });
    expect(policy.metadata.labels).toEqual(spec.labels);
    expect(policy.spec).toEqual({
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'hmas', name: 'chat' },
        { apiVersion: 'v1', kind: 'Service', namespace: 'hmas', name: 'chat' },
        { apiVersion: 'v1', kind: 'Secret', namespace: 'hmas', name: 'chat-secrets' },
      ],
      placement: {
        clusterAffinity: { clusterNames: ['gpu-east', 'gpu-west'] },
        replicaScheduling: {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ['gpu-east'] }, weight: 2 },
              { targetCluster: { clusterNames: ['gpu-west'] }, weight: 1 },
            ],
          },
        },
      },
    });
    expect(JSON.parse(policy.metadata.annotations['hmas.io/placement'] ?? '')).toEqual(placement);
  });

  it('divides by available replicas with dynamic weights', () => {
    const policy = renderPropagationPolicy(spec, [deployment], { members: [{ name: 'a' }, { name: 'b' }], replicaScheduling: 'Divided', dynamicWeight: true }, 'hmas');
    expect(policy.spec.placement.replicaScheduling).toEqual({ replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } });
  });

  it('duplicates replicas on every member', () => {
    const policy = renderPropagationPolicy(spec, [deployment], { members: [{ name: 'a' }, { name: 'b' }], replicaScheduling: 'Duplicated', dynamicWeight: false }, 'hmas');
    expect(policy.spec.placement).toEqual({ clusterAffinity: { clusterNames: ['a', 'b'] }, replicaScheduling: { replicaSchedulingType: 'Duplicated' } });
  });
});

describe('renderOverridePolicy', () => {
  it('overrides the resources and the image registry of the members that differ, and only theirs', () => {
    const placement: FederationPlacement = {
      members: [
        { name: 'gpu-east', resources: { gpuCount: 2, cpu: '16', memory: '64Gi' } },
        { name: 'air-gapped', imageRegistry: 'registry.internal:5000' },
        { name: 'plain' },
      ],
      replicaScheduling: 'Divided',
      dynamicWeight: false,
    };
    const policy = renderOverridePolicy(spec, deployment, placement, 'hmas');
    expect(policy).toMatchObject({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'chat', namespace: 'hmas' } });
    expect(policy?.spec).toEqual({
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'hmas', name: 'chat' }],
      overrideRules: [
        {
          targetCluster: { clusterNames: ['gpu-east'] },
          overriders: {
            plaintext: [
              {
                path: '/spec/template/spec/containers/0/resources',
                operator: 'replace',
                value: { requests: { cpu: '16', memory: '64Gi' }, limits: { cpu: '16', memory: '64Gi', 'nvidia.com/gpu': '2' } },
              },
            ],
          },
        },
        { targetCluster: { clusterNames: ['air-gapped'] }, overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'registry.internal:5000' }] } },
      ],
    });
  });

  it('leaves out GPUs from a CPU-only member profile', () => {
    const policy = renderOverridePolicy(spec, deployment, { members: [{ name: 'cpu', resources: { gpuCount: 0, cpu: '2', memory: '4Gi' } }], replicaScheduling: 'Duplicated', dynamicWeight: false }, 'hmas');
    expect(policy?.spec.overrideRules[0]?.overriders.plaintext?.[0]?.value).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  it('is null when no member differs', () => {
    expect(renderOverridePolicy(spec, deployment, { members: [{ name: 'a' }, { name: 'b', weight: 3 }], replicaScheduling: 'Divided', dynamicWeight: false }, 'hmas')).toBeNull();
  });
});
