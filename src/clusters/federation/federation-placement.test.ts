import { describe, expect, it } from 'vitest';
import { federationPlacementSchema, memberReplicas, singleMemberPlacement, type FederationPlacement } from './federation-placement.js';

const divided = (members: FederationPlacement['members'], dynamicWeight = false): FederationPlacement => ({ members, replicaScheduling: 'Divided', dynamicWeight });

describe('memberReplicas', () => {
  it('gives every member all replicas when duplicated', () => {
    const placement: FederationPlacement = { members: [{ name: 'east' }, { name: 'west' }], replicaScheduling: 'Duplicated', dynamicWeight: false };
    expect([...memberReplicas(placement, 3)]).toEqual([['east', 3], ['west', 3]]);
  });

  it.each([
    { case: 'equal weights, even total', weights: [1, 1], total: 4, want: [2, 2] },
    { case: 'equal weights, odd total: the remainder by name', weights: [1, 1], total: 3, want: [2, 1] },
    { case: 'weights 1:3', weights: [1, 3], total: 8, want: [2, 6] },
    { case: 'weights 1:2, remainder to the heavier member', weights: [1, 2], total: 4, want: [1, 3] },
    { case: 'fewer replicas than members', weights: [1, 1, 1], total: 1, want: [1, 0, 0] },
    { case: 'zero replicas (pause)', weights: [2, 1], total: 0, want: [0, 0] },
  ])('divides by static weight: $case', ({ weights, total, want }) => {
    const names = ['a-east', 'b-west', 'c-north'];
    const placement = divided(weights.map((weight, index) => ({ name: names[index] as string, weight })));
    const shares = memberReplicas(placement, total);
    expect(weights.map((_, index) => shares.get(names[index] as string))).toEqual(want);
    expect([...shares.values()].reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('divides evenly when the weights are dynamic (Karmada decides; this is only the first guess)', () => {
    expect([...memberReplicas(divided([{ name: 'east', weight: 5 }, { name: 'west' }], true), 4).values()]).toEqual([2, 2]);
  });
});

describe('federationPlacementSchema', () => {
  it('accepts a single member', () => {
    expect(federationPlacementSchema.parse(singleMemberPlacement('member-1'))).toEqual({ members: [{ name: 'member-1' }], replicaScheduling: 'Duplicated', dynamicWeight: false });
  });

  it.each([
    { case: 'no member', input: { members: [], replicaScheduling: 'Divided' }, message: 'at least one member' },
    { case: 'a member twice', input: { members: [{ name: 'a' }, { name: 'a' }], replicaScheduling: 'Divided' }, message: 'once' },
    { case: 'a registry with a path', input: { members: [{ name: 'a', imageRegistry: 'mirror.local/library' }], replicaScheduling: 'Divided' }, message: 'host name' },
    { case: 'a zero weight', input: { members: [{ name: 'a', weight: 0 }], replicaScheduling: 'Divided' }, message: '' },
  ])('refuses $case', ({ input, message }) => {
    const result = federationPlacementSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join(' ')).toContain(message);
  });
});
