import { describe, expect, it } from 'vitest';
import { podDeploymentResolver } from './gpu-pod-deployments.js';

describe('podDeploymentResolver', () => {
  const resolve = podDeploymentResolver(['chat', 'chat-v2', 'embed'], 'hmas');

  it('maps a Deployment pod name (<name>-<template hash>-<5 random>) to its deployment', () => {
    expect(resolve({ name: 'chat-6b7f9c8d54-x2k4q', namespace: 'hmas' })).toBe('chat');
    expect(resolve({ name: 'chat-v2-7c9d8f6b45-zq8rt', namespace: 'hmas' })).toBe('chat-v2');
    expect(resolve({ name: 'embed-58d4b9c7f-m4n2p', namespace: null })).toBe('embed');
  });

  it('answers null for pods of other namespaces, other workloads and names that only start alike', () => {
    expect(resolve({ name: 'chat-6b7f9c8d54-x2k4q', namespace: 'ml' })).toBeNull();
    expect(resolve({ name: 'train-0', namespace: 'hmas' })).toBeNull();
    expect(resolve({ name: 'chatty-6b7f9c8d54-x2k4q', namespace: 'hmas' })).toBeNull();
    expect(resolve({ name: 'chat-x2k4q', namespace: 'hmas' })).toBeNull();
    expect(resolve({ name: '', namespace: 'hmas' })).toBeNull();
  });

  it('maps pods whose generated name Kubernetes cut at 58 characters', () => {
    const long = 'a-deployment-with-a-rather-long-name-for-its-model-x';
    const longer = 'b'.repeat(60);
    const cut = podDeploymentResolver(['a', long, longer], null);
    // `<name>-<hash>-` cut to 58 characters, then 5 random ones.
    expect(cut({ name: `${`${long}-7c9d8f6b45-`.slice(0, 58)}zq8rt`, namespace: null })).toBe(long);
    // The name itself cut.
    expect(cut({ name: `${'b'.repeat(58)}zq8rt`, namespace: null })).toBe(longer);
    // Two names that share the cut base: no guess.
    expect(podDeploymentResolver([`${'c'.repeat(58)}1`, `${'c'.repeat(58)}2`], null)({ name: `${'c'.repeat(58)}zq8rt`, namespace: null })).toBeNull();
  });
});
