import { describe, expect, it } from 'vitest';
import { createEndpoint, pickEndpoint, type UpstreamEndpoint } from './balancer.js';

const endpoints = (...inFlight: number[]): UpstreamEndpoint[] =>
  inFlight.map((count, index) => ({ ...createEndpoint(`http://127.0.0.1:${9000 + index}/v1`, '/v1'), inFlight: count }));

describe('createEndpoint', () => {
  it('splits a base URL into pool origin, API path and root path', () => {
    expect(createEndpoint('http://127.0.0.1:8080/v1', '/v1')).toMatchObject({ origin: 'http://127.0.0.1:8080', apiPath: '/v1', rootPath: '' });
    expect(createEndpoint('https://gw.example/proxy/ns/svc/v1/', '/v1')).toMatchObject({ origin: 'https://gw.example', apiPath: '/proxy/ns/svc/v1', rootPath: '/proxy/ns/svc' });
    expect(createEndpoint('http://10.0.0.1:80', '/v1')).toMatchObject({ apiPath: '', rootPath: '' });
  });
});

describe('pickEndpoint', () => {
  it('picks the endpoint with the fewest requests in flight', () => {
    const list = endpoints(3, 1, 2);
    expect(pickEndpoint(list, { turn: 0 }, 0)).toBe(list[1]);
    expect(pickEndpoint(list, { turn: 2 }, 0)).toBe(list[1]);
  });

  it('takes tied endpoints in turn', () => {
    const list = endpoints(0, 0, 0);
    const state = { turn: 0 };
    const picked = [0, 1, 2, 3, 4, 5].map(() => list.indexOf(pickEndpoint(list, state, 0)!));
    expect(picked).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('spreads a burst evenly when each pick counts as in flight', () => {
    const list = endpoints(0, 0, 0);
    const state = { turn: 0 };
    for (let i = 0; i < 30; i += 1) pickEndpoint(list, state, 0)!.inFlight += 1;
    expect(list.map((endpoint) => endpoint.inFlight)).toEqual([10, 10, 10]);
  });

  it('skips the excluded endpoint and answers undefined when none is left', () => {
    const list = endpoints(0, 5);
    expect(pickEndpoint(list, { turn: 0 }, 0, new Set([list[0]!]))).toBe(list[1]);
    expect(pickEndpoint([list[0]!], { turn: 0 }, 0, new Set([list[0]!]))).toBeUndefined();
    expect(pickEndpoint([], { turn: 0 }, 0)).toBeUndefined();
  });

  it('avoids an endpoint that refused a connection until its time is up, unless it is the only choice', () => {
    const list = endpoints(0, 4);
    list[0]!.avoidUntil = 1_000;
    expect(pickEndpoint(list, { turn: 0 }, 500)).toBe(list[1]);
    expect(pickEndpoint(list, { turn: 0 }, 1_000)).toBe(list[0]);
    expect(pickEndpoint(list, { turn: 0 }, 500, new Set([list[1]!]))).toBe(list[0]);
  });
});
