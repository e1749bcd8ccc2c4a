import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { createPolicyReader } from './policy-reader.js';

const META = { id: 'p1', name: 'big', description: '', createdAt: '2030-01-01T00:00:00Z', updatedAt: '2030-01-01T00:00:00Z' };

function readerOf(stored: Record<string, Record<string, unknown>>) {
  return createPolicyReader({ get: async (kind, id) => ({ ...META, ...stored[`${kind}/${id}`] }) });
}

describe('policy reader', () => {
  it('answers a resource profile as its spec alone, typed, and null without an id', async () => {
    const reader = readerOf({ 'resource_profile/p1': { gpuCount: 2, cpu: '8', memory: '32Gi', gpuType: 'H100' } });
    expect(await reader.resourceProfile('p1')).toEqual({ gpuCount: 2, cpu: '8', memory: '32Gi', gpuType: 'H100' });
    expect(await reader.resourceProfile(null)).toBeNull();
  });

  it('answers a placement strategy with its name and the defaults of settings it was saved without', async () => {
    const reader = readerOf({ 'placement_strategy/p1': { clusterTypes: ['HP'] } });
    expect(await reader.placementStrategy('p1')).toEqual({
      name: 'big',
      matchLabels: {},
      clusterTypes: ['HP'],
      clusterNames: [],
      minFreeGpus: 0,
      preference: 'most-free-gpus',
      failoverPolicyId: null,
      federation: null,
    });
  });

  it('answers a failover policy with its name and the default grace period', async () => {
    const reader = readerOf({ 'failover_policy/p1': { action: 're-place' } });
    expect(await reader.failoverPolicy('p1')).toEqual({ name: 'big', action: 're-place', gracePeriodSeconds: 300 });
  });

  it('refuses a stored policy that no longer has its shape with 409 POLICY_UNREADABLE, not a crash', async () => {
    const reader = readerOf({ 'resource_profile/p1': { gpuCount: 'two', cpu: '8', memory: '32Gi' } });
    const error = await reader.resourceProfile('p1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'POLICY_UNREADABLE', statusCode: 409 });
  });
});
