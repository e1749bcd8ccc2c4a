import { describe, expect, it } from 'vitest';
import { createReachableRows } from './reachable-endpoints.js';

describe('createReachableRows', () => {
  const rows = [
    { name: 'here', clusterOwnerHostname: 'gpu-box-1', endpoints: ['http://127.0.0.1:40001/v1'] },
    { name: 'elsewhere', clusterOwnerHostname: 'gpu-box-2', endpoints: ['http://127.0.0.1:40002/v1'] },
    { name: 'kubernetes', clusterOwnerHostname: null, endpoints: ['http://10.0.0.7:8000/v1'] },
  ];
  const load = (hostname: string) => createReachableRows({ deployments: { all: async () => rows }, host: { id: 'x', hostname } }).all();

  it("keeps the owner's loopback endpoints on the owner's machine and drops them on another", async () => {
    expect((await load('gpu-box-1')).map((row) => [row.name, row.endpoints.length])).toEqual([
      ['here', 1],
      ['elsewhere', 0],
      ['kubernetes', 1],
    ]);
  });
});
