import { describe, expect, it } from 'vitest';
import type { KubeEvent } from './kube-objects.js';
import { byStorageOrder, eventConcerns, mergeEvents, workloadEventOf, workloadOfEvent } from './workload-events.js';

const event = (kind: string, name: string, reason: string, resourceVersion: string, extra: Partial<KubeEvent> = {}): KubeEvent => ({
  metadata: { name: `${name}.1`, resourceVersion },
  involvedObject: { kind, name },
  type: 'Normal',
  reason,
  message: `${reason} ${name}`,
  count: 1,
  firstTimestamp: '2026-12-04T12:00:00Z',
  lastTimestamp: '2026-12-04T12:00:00Z',
  ...extra,
});

describe('workload events', () => {
  it('takes events of the Deployment, its ReplicaSets and pods, not those of a workload with a longer name', () => {
    const concerns = eventConcerns('chat');
    expect(concerns(event('Deployment', 'chat', 'ScalingReplicaSet', '1'))).toBe(true);
    expect(concerns(event('ReplicaSet', 'chat-7d9f8c6b5', 'SuccessfulCreate', '2'))).toBe(true);
    expect(concerns(event('Pod', 'chat-7d9f8c6b5-x2k4p', 'Started', '3'))).toBe(true);
    expect(concerns(event('Deployment', 'chat-big', 'ScalingReplicaSet', '4'))).toBe(false);
    expect(concerns(event('Pod', 'chat-big-7d9f8c6b5-x2k4p', 'Started', '5'))).toBe(false);
  });

  it('maps pods to replicas and the rest to the workload, in storage order within a second, since a time', () => {
    const events = byStorageOrder([event('Pod', 'chat-7d9f8c6b5-x2k4p', 'Started', '9', { type: 'Normal' }), event('Pod', 'chat-6c8d7b9f4-abcde', 'Killing', '8')])
      .map((entry) => workloadEventOf('chat', entry))
      .filter((entry) => entry !== undefined);
    expect(mergeEvents(events).map((entry) => [entry.reason, entry.involvedObject])).toEqual([
      ['Killing', { kind: 'Replica', name: 'chat-6c8d7b9f4-abcde' }],
      ['Started', { kind: 'Replica', name: 'chat-7d9f8c6b5-x2k4p' }],
    ]);
    const deployment = workloadEventOf('chat', event('Deployment', 'chat', 'ScalingReplicaSet', '1', { type: 'Warning', count: 4 }));
    expect(deployment).toMatchObject({ type: 'Warning', count: 4, involvedObject: { kind: 'Workload', name: 'chat' }, lastTimestamp: '2026-12-04T12:00:00.000Z' });
    expect(mergeEvents(events, new Date('2026-12-04T12:00:01Z'))).toEqual([]);
  });

  it("sorts a namespace's events to their workloads by the involved object, as eventConcerns reads it", () => {
    const names = new Set(['chat', 'chat-big', 'embed-v2']);
    const of = (kind: string, name: string) => workloadOfEvent(event(kind, name, 'Any', '1'), names);
    expect(of('Deployment', 'chat')).toBe('chat');
    expect(of('Service', 'embed-v2')).toBe('embed-v2');
    expect(of('ReplicaSet', 'chat-7d9f8c6b5')).toBe('chat');
    expect(of('Pod', 'chat-7d9f8c6b5-x2k4p')).toBe('chat');
    expect(of('Pod', 'chat-big-7d9f8c6b5-x2k4p')).toBe('chat-big');
    expect(of('ReplicaSet', 'embed-v2-5f6b7c8d9')).toBe('embed-v2');
    // Not H-MAS's workloads, not the shapes Kubernetes names ReplicaSets and pods with, other kinds.
    expect(of('Deployment', 'other')).toBeUndefined();
    expect(of('Pod', 'chat-x')).toBeUndefined();
    expect(of('Pod', 'chat-7d9f8c6b5-TOOLONG')).toBeUndefined();
    expect(of('ConfigMap', 'chat')).toBeUndefined();
    expect(workloadOfEvent({ metadata: { name: 'e' } } as KubeEvent, names)).toBeUndefined();
  });
});
