import { describe, expect, it } from 'vitest';
import type { WorkloadStatus } from '../../domain/workload.js';
import type { FederationPlacement } from './federation-placement.js';
import { federatedStatus, federationPending, type BindingFacts, type FederatedStatusInput, type TemplateFacts } from './federation-status.js';

const divided: FederationPlacement = { members: [{ name: 'east' }, { name: 'west' }], replicaScheduling: 'Divided', dynamicWeight: false };
const caughtUp = (replicas: number, ready = replicas): TemplateFacts => ({ generation: 2, replicas, status: { observedGeneration: 2, replicas, readyReplicas: ready, updatedReplicas: replicas, availableReplicas: ready } });
const bound = (overrides: Partial<BindingFacts> = {}): BindingFacts => ({
  clusters: [{ name: 'east', replicas: 1 }, { name: 'west', replicas: 1 }],
  conditions: [{ type: 'Scheduled', status: 'True' }, { type: 'FullyApplied', status: 'True' }],
  aggregatedStatus: [{ clusterName: 'east', applied: true, health: 'Healthy' }, { clusterName: 'west', applied: true, health: 'Healthy' }],
  ...overrides,
});
const input = (overrides: Partial<FederatedStatusInput>): FederatedStatusInput => ({
  name: 'chat',
  deploymentId: 'd-1',
  specHash: '0123456789abcdef',
  placement: divided,
  template: caughtUp(2),
  binding: bound(),
  members: new Map(),
  observedAt: '2026-12-04T15:00:00.000Z',
  ...overrides,
});
const memberStatus = (ready: number, overrides: Partial<WorkloadStatus> = {}): WorkloadStatus => ({
  name: 'chat',
  deploymentId: 'd-1',
  specHash: '0123456789abcdef',
  phase: ready > 0 ? 'Available' : 'Stopped',
  reason: null,
  message: null,
  replicas: { desired: ready, current: ready, ready, available: ready, updated: ready },
  replicaStatuses: [],
  observedAt: '2026-12-04T15:00:00.000Z',
  ...overrides,
});

describe('federatedStatus', () => {
  it('is Available from Karmada\'s aggregated template status once every member reports', () => {
    expect(federatedStatus(input({}))).toMatchObject({ phase: 'Available', reason: null, replicas: { desired: 2, current: 2, ready: 2, available: 2, updated: 2 } });
  });

  it('expects every replica on every member when duplicated', () => {
    const duplicated: FederationPlacement = { ...divided, replicaScheduling: 'Duplicated' };
    expect(federatedStatus(input({ placement: duplicated, template: caughtUp(2) }))).toMatchObject({ phase: 'Progressing', replicas: { desired: 4, current: 2 } });
    const template: TemplateFacts = { generation: 1, replicas: 2, status: { observedGeneration: 1, replicas: 4, readyReplicas: 4, updatedReplicas: 4, availableReplicas: 4 } };
    expect(federatedStatus(input({ placement: duplicated, template }))).toMatchObject({ phase: 'Available', replicas: { desired: 4, ready: 4 } });
  });

  it('waits for Karmada while it has not observed the template, saying so', () => {
    const template: TemplateFacts = { generation: 3, replicas: 2, status: { observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 } };
    const status = federatedStatus(input({ template }));
    expect(status).toMatchObject({ phase: 'Progressing', reason: null });
    expect(status.message).toBe('Waiting for Karmada to propagate chat to east, west');
    expect(federatedStatus(input({ binding: undefined })).phase).toBe('Progressing');
  });

  it('asks the members directly while Karmada lags, when all of them are registered (paused: Stopped at once)', () => {
    const template: TemplateFacts = { generation: 3, replicas: 0, status: { observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 } };
    const members = new Map([
      ['east', memberStatus(0)],
      ['west', memberStatus(0)],
    ]);
    expect(federatedStatus(input({ template, members }))).toMatchObject({ phase: 'Stopped', replicas: { desired: 0, current: 0 } });
    // One member unknown to H-MAS: the sum would be wrong, so Karmada's word is awaited.
    expect(federatedStatus(input({ template, members: new Map([['east', memberStatus(0)]]) })).phase).toBe('Progressing');
  });

  it('reports a member\'s own failure reason with its replicas under "<member>/<id>"', () => {
    const replica = { id: 'chat-7d9-abc', index: 0, specHash: '0123456789abcdef', state: 'crashloop' as const, ready: false, pid: null, port: null, gpus: null, restarts: 4, lastExitCode: 1, lastSignal: null, lastTerminationReason: 'Error', reason: 'CrashLoopBackOff', message: 'back-off', startedAt: null, readyAt: null };
    const members = new Map([
      ['east', memberStatus(1)],
      ['west', memberStatus(0, { phase: 'Failed', reason: 'CrashLoopBackOff', message: 'chat-7d9-abc: back-off', replicaStatuses: [replica] })],
    ]);
    const status = federatedStatus(input({ template: caughtUp(2, 1), members }));
    expect(status).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff', message: 'west: chat-7d9-abc: back-off' });
    expect(status.replicaStatuses.map((entry) => entry.id)).toEqual(['west/chat-7d9-abc']);
  });

  it('fails with Karmada\'s reason when the binding cannot be scheduled or applied', () => {
    const unschedulable = bound({ clusters: [], aggregatedStatus: [], conditions: [{ type: 'Scheduled', status: 'False', reason: 'NoClusterFit', message: '0/2 clusters are available' }] });
    expect(federatedStatus(input({ binding: unschedulable, template: caughtUp(2, 0) }))).toMatchObject({ phase: 'Failed', reason: 'NoClusterFit', message: 'Karmada could not schedule chat: 0/2 clusters are available' });
    const refused = bound({ aggregatedStatus: [{ clusterName: 'east', applied: true, health: 'Healthy' }, { clusterName: 'west', applied: false, appliedMessage: 'namespaces "hmas" not found' }] });
    expect(federatedStatus(input({ binding: refused, template: caughtUp(2, 1) }))).toMatchObject({ phase: 'Degraded', reason: 'ApplyFailed', message: 'west: Karmada could not apply chat: namespaces "hmas" not found' });
  });

  it('passes on Karmada\'s health of members H-MAS cannot ask', () => {
    const sick = bound({ aggregatedStatus: [{ clusterName: 'east', applied: true, health: 'Healthy' }, { clusterName: 'west', applied: true, health: 'Unhealthy' }] });
    expect(federatedStatus(input({ binding: sick, template: caughtUp(2, 1) }))).toMatchObject({ phase: 'Degraded', reason: 'Unhealthy', message: 'west: Karmada reports chat unhealthy' });
  });
});

describe('federationPending', () => {
  it('is pending until every member Karmada placed reports', () => {
    const partial = bound({ aggregatedStatus: [{ clusterName: 'east', applied: true }] });
    expect(federationPending({ template: caughtUp(2), binding: partial, placement: divided })).toBe(true);
    expect(federationPending({ template: caughtUp(2), binding: bound(), placement: divided })).toBe(false);
  });
});
