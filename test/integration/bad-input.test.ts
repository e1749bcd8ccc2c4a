import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema } from '../../src/domain/api-error.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';
import { testBackends, type Backend } from '../support/test-database.js';

/**
 * Every route that takes a body, a query or path parameters, fed with input a client should
 * never send. Each answer must be a 4xx in the control API's error envelope, never a 5xx.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Access = 'public' | 'viewer' | 'operator' | 'admin';
type Caller = 'anonymous' | 'admin' | 'operator' | 'viewer' | 'bogus-token';

interface RouteUnderTest {
  method: Method;
  /** `:id` is replaced by the admin's id. */
  path: string;
  access: Access;
  /** 'any': the route reads no body, so any JSON is fine, but it must still parse. */
  body?:
    | 'any'
    | {
        /** Accepted by the schema; the handler is never reached in these tests. */
        valid: Record<string, unknown>;
        wrongTypes: Record<string, unknown>;
        /** Absent where every field is optional. */
        missingRequired?: Record<string, unknown>;
        /** The body itself may be left out (or be JSON null). */
        optional?: true;
      };
  /** Query strings (without `?`) this route refuses, on top of the pagination ones. */
  badQueries?: string[];
  hasIdParam?: boolean;
  /** The 404 code for a well-formed unknown id (default USER_NOT_FOUND). */
  notFoundCode?: string;
}

/** A well-formed secret name no test creates. */
const MISSING_SECRET = 'bad-input-missing';

const POLICY_PATHS = [
  {
    path: '/api/resource-profiles',
    notFoundCode: 'RESOURCE_PROFILE_NOT_FOUND',
    valid: { name: 'bad-input-profile', gpuCount: 1, cpu: '4', memory: '16Gi' },
    wrongTypes: { name: 'bad-input-profile', gpuCount: '1', cpu: 4, memory: ['16Gi'], gpuMemoryGiB: -80 },
    missingRequired: { name: 'bad-input-profile', gpuCount: 1 },
  },
  {
    path: '/api/placement-strategies',
    notFoundCode: 'PLACEMENT_STRATEGY_NOT_FOUND',
    valid: { name: 'bad-input-strategy' },
    wrongTypes: { name: 'bad-input-strategy', matchLabels: ['a'], clusterTypes: ['XL'], minFreeGpus: -1, failoverPolicyId: 'nope' },
    missingRequired: { description: 'no name' },
  },
  {
    path: '/api/failover-policies',
    notFoundCode: 'FAILOVER_POLICY_NOT_FOUND',
    valid: { name: 'bad-input-failover', action: 'keep' },
    wrongTypes: { name: 'bad-input-failover', action: 'explode', gracePeriodSeconds: '300' },
    missingRequired: { name: 'bad-input-failover' },
  },
];

function policyRoutes(policy: (typeof POLICY_PATHS)[number]): RouteUnderTest[] {
  const { path, notFoundCode, valid, wrongTypes, missingRequired } = policy;
  const item = `${path}/:id`;
  return [
    { method: 'GET', path, access: 'viewer', badQueries: [] },
    { method: 'POST', path, access: 'operator', body: { valid, wrongTypes, missingRequired } },
    { method: 'GET', path: item, access: 'viewer', hasIdParam: true, notFoundCode },
    { method: 'PATCH', path: item, access: 'operator', hasIdParam: true, notFoundCode, body: { valid: { description: 'changed' }, wrongTypes } },
    { method: 'DELETE', path: item, access: 'operator', hasIdParam: true, notFoundCode },
  ];
}

/** A well-formed id of a config history entry that does not exist. */
const NO_SUCH_ENTRY = '00000000-0000-4000-8000-0000000000e1';

// The one table of routes. Add a route here and every bad-input case below covers it.
const ROUTES: RouteUnderTest[] = [
  {
    method: 'POST',
    path: '/api/auth/login',
    access: 'public',
    body: {
      valid: { username: 'admin', password: 'not-the-admin-password' },
      wrongTypes: { username: 42, password: true },
      missingRequired: { username: 'admin' },
    },
  },
  { method: 'POST', path: '/api/auth/logout', access: 'public', body: 'any' },
  { method: 'GET', path: '/api/auth/me', access: 'viewer' },
  {
    method: 'GET',
    path: '/api/users',
    access: 'viewer',
    badQueries: [],
  },
  {
    method: 'POST',
    path: '/api/users',
    access: 'admin',
    body: {
      valid: { username: 'bad-input-user', role: 'viewer', password: 'long-enough-password' },
      wrongTypes: { username: ['bad-input-user'], role: 7, password: 12345678, disabled: 'yes' },
      missingRequired: { username: 'bad-input-user' },
    },
  },
  {
    method: 'PATCH',
    path: '/api/users/me',
    access: 'viewer',
    body: { valid: { displayName: 'Administrator' }, wrongTypes: { displayName: 5 }, missingRequired: {} },
  },
  {
    method: 'POST',
    path: '/api/users/me/password',
    access: 'viewer',
    body: {
      valid: { currentPassword: 'not-the-current-password', newPassword: 'another-long-password' },
      wrongTypes: { currentPassword: 1, newPassword: ['another-long-password'] },
      missingRequired: { newPassword: 'another-long-password' },
    },
  },
  { method: 'GET', path: '/api/users/:id', access: 'viewer', hasIdParam: true },
  {
    method: 'PATCH',
    path: '/api/users/:id',
    access: 'admin',
    hasIdParam: true,
    body: { valid: { displayName: 'Administrator' }, wrongTypes: { role: 'root', disabled: 'no', displayName: null, rateLimitRpm: 'many', rateLimitTpm: -1 } },
  },
  { method: 'DELETE', path: '/api/users/:id', access: 'admin', hasIdParam: true },
  {
    method: 'GET',
    path: '/api/audit-logs',
    access: 'viewer',
    badQueries: ['from=yesterday', 'to=yesterday', 'from=2024-13-45T99:00:00Z', 'from=0000-01-01T00:00:00Z', `action=${'a'.repeat(101)}`, `actor=${'a'.repeat(101)}`, 'actor=a%00b', 'action=user.%00'],
  },
  ...POLICY_PATHS.flatMap(policyRoutes),
  { method: 'GET', path: '/api/runtimes', access: 'viewer', badQueries: ['unknown=1'] },
  { method: 'GET', path: '/api/runtimes/vllm', access: 'viewer' },
  {
    method: 'POST',
    path: '/api/runtimes/vllm/render',
    access: 'viewer',
    body: {
      valid: { optimization: { tier1: { maxModelLength: 4096 } } },
      wrongTypes: { optimization: { tier1: { maxModelLength: '4096' }, tier2: { tensorParallelSize: 3 } }, presetId: 5, context: { port: 'x' } },
    },
  },
  { method: 'GET', path: '/api/optimization-presets', access: 'viewer', badQueries: ['runtime=sglang', 'runtime=', `runtime=${'a'.repeat(200)}`] },
  {
    method: 'POST',
    path: '/api/optimization-presets',
    access: 'operator',
    body: {
      valid: { name: 'bad-input-preset', runtime: 'vllm', optimization: {} },
      wrongTypes: { name: 5, runtime: 'sglang', optimization: { tier1: { gpuMemoryUtilization: 'high' }, raw: { extraArgs: 'a b' } } },
      missingRequired: { name: 'bad-input-preset' },
    },
  },
  { method: 'GET', path: '/api/optimization-presets/:id', access: 'viewer', hasIdParam: true, notFoundCode: 'OPTIMIZATION_PRESET_NOT_FOUND' },
  {
    method: 'PATCH',
    path: '/api/optimization-presets/:id',
    access: 'operator',
    hasIdParam: true,
    notFoundCode: 'OPTIMIZATION_PRESET_NOT_FOUND',
    body: { valid: { description: 'changed' }, wrongTypes: { name: ['x'], optimization: { tier2: { tensorParallelSize: 'two' } } } },
  },
  { method: 'DELETE', path: '/api/optimization-presets/:id', access: 'operator', hasIdParam: true, notFoundCode: 'OPTIMIZATION_PRESET_NOT_FOUND' },
  { method: 'GET', path: '/api/models', access: 'viewer', badQueries: ['category=Audio', 'category=', 'q=', `q=${'a'.repeat(101)}`] },
  {
    method: 'POST',
    path: '/api/models',
    access: 'operator',
    body: {
      valid: { name: 'bad-input-model', hfRepoId: 'Qwen/Qwen2.5-0.5B-Instruct' },
      wrongTypes: { name: 5, hfRepoId: 'not a repo', sizeB: '7', category: 'Audio', architecture: { numLayers: 'many' } },
      missingRequired: { name: 'bad-input-model' },
    },
  },
  { method: 'GET', path: '/api/models/:id', access: 'viewer', hasIdParam: true, notFoundCode: 'MODEL_NOT_FOUND' },
  {
    method: 'PATCH',
    path: '/api/models/:id',
    access: 'operator',
    hasIdParam: true,
    notFoundCode: 'MODEL_NOT_FOUND',
    body: { valid: { description: 'changed' }, wrongTypes: { sizeB: -1, contextLength: 'long', category: 'Audio', name: '../x' } },
  },
  { method: 'DELETE', path: '/api/models/:id', access: 'operator', hasIdParam: true, notFoundCode: 'MODEL_NOT_FOUND' },
  { method: 'GET', path: '/api/models/:id/fit?gpuMemoryGiB=80&freeGpus=8', access: 'viewer', hasIdParam: true, notFoundCode: 'MODEL_NOT_FOUND' },
  { method: 'POST', path: '/api/models/:id/download', access: 'operator', hasIdParam: true, notFoundCode: 'MODEL_NOT_FOUND', body: 'any' },
  { method: 'GET', path: '/api/models/:id/download', access: 'viewer', hasIdParam: true, notFoundCode: 'MODEL_NOT_FOUND' },
  {
    method: 'GET',
    path: '/api/models/:id/fit',
    access: 'viewer',
    badQueries: [
      'freeGpus=8',
      'gpuMemoryGiB=80',
      'gpuMemoryGiB=0&freeGpus=8',
      'gpuMemoryGiB=eighty&freeGpus=8',
      'gpuMemoryGiB=80&freeGpus=8,,4',
      'gpuMemoryGiB=80&freeGpus=-1',
      'gpuMemoryGiB=80&freeGpus=8&replicas=0',
      'gpuMemoryGiB=80&freeGpus=8&concurrency=1.5',
      'gpuMemoryGiB=80&freeGpus=8&contextLength=-1',
      'gpuMemoryGiB=80&freeGpus=8&dtype=fp7',
      'gpuMemoryGiB=80&freeGpus=8&kvCacheDtype=int2',
      'gpuMemoryGiB=80&freeGpus=8&unknown=1',
    ],
  },
  {
    method: 'POST',
    path: '/api/models/import/huggingface',
    access: 'operator',
    body: {
      valid: { repoId: 'Qwen/Qwen2.5-0.5B-Instruct' },
      wrongTypes: { repoId: 'Qwen', revision: 5, hfFile: 'model.bin', name: '-x' },
      missingRequired: { revision: 'main' },
    },
    badQueries: ['dryRun=yes', 'unknown=1'],
  },
  { method: 'GET', path: '/api/model-presets', access: 'viewer', badQueries: ['category=Audio', 'unknown=1'] },
  { method: 'POST', path: '/api/model-presets/qwen2.5-7b-instruct/add', access: 'operator', body: { valid: { name: 'bad-input-preset-model' }, wrongTypes: { name: 42 } } },
  { method: 'POST', path: '/api/model-presets/NOT%20A%20PRESET/add', access: 'operator', body: { valid: {}, wrongTypes: { name: ['x'] } } },
  // Clusters are addressed by name; bad names are covered in clusters.test.ts.
  { method: 'GET', path: '/api/clusters', access: 'viewer', badQueries: [] },
  {
    method: 'POST',
    path: '/api/clusters',
    access: 'admin',
    body: {
      valid: { name: 'bad-input-cluster', connection: { kind: 'agent' } },
      wrongTypes: { name: 42, type: 'XL', connection: { kind: 'kubeconfig', kubeconfig: 7 }, labels: ['a'], imagePrecache: 'yes' },
      missingRequired: { name: 'bad-input-cluster' },
    },
  },
  {
    method: 'POST',
    path: '/api/clusters/test',
    access: 'admin',
    body: { valid: { connection: { kind: 'agent' } }, wrongTypes: { connection: { kind: 'federation', kubeconfig: ['x'], memberCluster: 'Bad_Name' } }, missingRequired: {} },
  },
  { method: 'GET', path: '/api/clusters/no-such-cluster', access: 'viewer' },
  {
    method: 'PATCH',
    path: '/api/clusters/no-such-cluster',
    access: 'operator',
    body: { valid: { displayName: 'changed' }, wrongTypes: { scheduler: 'volcano', labels: { 'bad key!': 1 }, connection: { kind: 'local', extra: true } } },
  },
  { method: 'DELETE', path: '/api/clusters/no-such-cluster', access: 'operator' },
  { method: 'POST', path: '/api/clusters/no-such-cluster/test', access: 'admin', body: 'any' },
  { method: 'POST', path: '/api/clusters/no-such-cluster/agent-token', access: 'admin', body: 'any' },
  { method: 'GET', path: '/api/clusters/no-such-cluster/gpu-metrics', access: 'viewer' },
  { method: 'GET', path: '/api/metrics/summary', access: 'viewer' },
  { method: 'GET', path: '/api/deployments', access: 'viewer', badQueries: ['status=sleeping', 'cluster=Bad_Name', 'modelId=nope', `q=${'a'.repeat(64)}`] },
  {
    method: 'POST',
    path: '/api/deployments',
    access: 'operator',
    body: {
      valid: { name: 'bad-input-deployment', modelId: '00000000-0000-4000-8000-000000000000', cluster: 'local', runtime: 'embedded-llamacpp' },
      wrongTypes: { name: 'Bad_Name', modelId: 7, cluster: ['local'], runtime: 'triton', replicas: -1, optimization: { tier1: { gpuMemoryUtilization: 2 } } },
      missingRequired: { name: 'bad-input-deployment' },
    },
  },
  { method: 'GET', path: '/api/deployments/:id', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND' },
  {
    method: 'PATCH',
    path: '/api/deployments/:id',
    access: 'operator',
    hasIdParam: true,
    notFoundCode: 'DEPLOYMENT_NOT_FOUND',
    body: { valid: { replicas: 1 }, wrongTypes: { replicas: 'two', resourceProfileId: 5, optimizationPresetId: 7, optimization: { raw: { extraArgs: 'not-a-list' } } } },
    badQueries: ['dryRun=maybe'],
  },

  { method: 'DELETE', path: '/api/deployments/:id', access: 'operator', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND' },
  { method: 'POST', path: '/api/deployments/:id/pause', access: 'operator', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', body: 'any' },
  {
    method: 'POST',
    path: '/api/deployments/:id/resume',
    access: 'operator',
    hasIdParam: true,
    notFoundCode: 'DEPLOYMENT_NOT_FOUND',
    body: {
      valid: { optimizationPresetId: 'builtin:vllm:balanced', replicas: 1 },
      wrongTypes: { replicas: 'two', resourceProfileId: 'not-a-uuid', optimizationPresetId: 7, optimization: { tier1: { gpuMemoryUtilization: 2 } } },
      optional: true,
    },
  },

  { method: 'GET', path: '/api/deployments/:id/events', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', badQueries: ['since=yesterday'] },
  {
    method: 'GET',
    path: '/api/deployments/:id/events/history',
    access: 'viewer',
    hasIdParam: true,
    notFoundCode: 'DEPLOYMENT_NOT_FOUND',
    badQueries: ['type=Error', 'type=', 'from=yesterday', 'to=2024-13-45T99:00:00Z', 'from=0000-01-01T00:00:00Z', 'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'unknown=1'],
  },
  { method: 'GET', path: '/api/deployments/:id/metrics', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND' },
  {
    method: 'GET',
    path: '/api/deployments/:id/metrics/history',
    access: 'viewer',
    hasIdParam: true,
    notFoundCode: 'DEPLOYMENT_NOT_FOUND',
    badQueries: ['range=1w', 'range=0', 'range=-1h', 'step=0', 'step=abc', 'from=yesterday', 'range=1h&from=2030-01-01T00:00:00Z', 'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'unknown=1'],
  },
  { method: 'GET', path: '/api/deployments/:id/logs', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', badQueries: ['tailLines=0', 'tailLines=abc', 'follow=maybe'] },
  { method: 'GET', path: '/api/deployments/:id/rollout', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND' },
  { method: 'GET', path: '/api/deployments/:id/rollouts', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', badQueries: [] },
  { method: 'POST', path: '/api/deployments/:id/rollout/rollback', access: 'operator', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', body: 'any' },
  { method: 'GET', path: '/api/deployments/:id/config-history', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', badQueries: [] },
  { method: 'GET', path: `/api/deployments/:id/config-history/${NO_SUCH_ENTRY}`, access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND' },
  {
    method: 'POST',
    path: `/api/deployments/:id/config-history/${NO_SUCH_ENTRY}/rollback`,
    access: 'operator',
    hasIdParam: true,
    notFoundCode: 'DEPLOYMENT_NOT_FOUND',
    body: 'any',
    badQueries: ['dryRun=maybe'],
  },
  { method: 'GET', path: '/api/deployments/:id/failovers', access: 'viewer', hasIdParam: true, notFoundCode: 'DEPLOYMENT_NOT_FOUND', badQueries: ['limit=0', 'limit=abc', 'offset=-1', 'unknown=1'] },
  { method: 'GET', path: '/api/api-keys', access: 'viewer', badQueries: ['userId=not-a-uuid', 'userId=', "userId=00000000-0000-4000-8000-000000000000'--", 'userId=a&userId=b'] },
  {
    method: 'POST',
    path: '/api/api-keys',
    access: 'viewer',
    body: {
      valid: { name: 'bad-input-key' },
      wrongTypes: { name: 5, expiresAt: 'tomorrow', allowedDeployments: ['Bad_Name'], rpm: -1, tpm: 1.5, scopes: ['admin'] },
      missingRequired: { rpm: 10 },
    },
  },
  { method: 'GET', path: '/api/api-keys/:id', access: 'viewer', hasIdParam: true, notFoundCode: 'API_KEY_NOT_FOUND' },
  {
    method: 'PATCH',
    path: '/api/api-keys/:id',
    access: 'viewer',
    hasIdParam: true,
    notFoundCode: 'API_KEY_NOT_FOUND',
    body: { valid: { name: 'changed' }, wrongTypes: { name: '', active: 'no', rpm: '10', expiresAt: 5, allowedDeployments: 'qwen' } },
  },
  { method: 'DELETE', path: '/api/api-keys/:id', access: 'viewer', hasIdParam: true, notFoundCode: 'API_KEY_NOT_FOUND' },
  { method: 'GET', path: '/api/api-keys/:id/metrics', access: 'viewer', hasIdParam: true, notFoundCode: 'API_KEY_NOT_FOUND', badQueries: ['range=0', 'range=1w', 'range=-1h', 'range=abc', 'unknown=1', 'range=1h&range=2h'] },
  {
    method: 'GET',
    path: '/api/inference-logs',
    access: 'viewer',
    badQueries: [
      'statusCode=abc',
      'statusCode=99',
      'statusCode=600',
      'statusCode=200.5',
      'from=yesterday',
      'to=2024-13-45T99:00:00Z',
      'from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z',
      'deployment=',
      `deployment=${'a'.repeat(254)}`,
      `user=${'a'.repeat(101)}`,
      'user=a&user=b',
      'user=a%00b',
      'deployment=a%00b',
      'from=0000-01-01T00:00:00Z',
      'to=0001-01-01T00:30:00%2B01:00',
    ],
  },
  { method: 'GET', path: '/api/secrets', access: 'viewer', badQueries: [] },
  {
    method: 'POST',
    path: '/api/secrets',
    access: 'operator',
    body: {
      valid: { name: 'bad-input-secret', value: 'hf_value' },
      wrongTypes: { name: 'Bad Name', value: 5, description: ['x'] },
      missingRequired: { name: 'bad-input-secret' },
    },
  },
  { method: 'GET', path: `/api/secrets/${MISSING_SECRET}`, access: 'viewer' },
  {
    method: 'POST',
    path: `/api/secrets/${MISSING_SECRET}/rotate`,
    access: 'operator',
    body: { valid: { value: 'new-value' }, wrongTypes: { value: ['x'] }, missingRequired: {} },
  },
  { method: 'DELETE', path: `/api/secrets/${MISSING_SECRET}`, access: 'operator' },
  { method: 'GET', path: '/api/prometheus/sd', access: 'operator', badQueries: ['unknown=1', 'refresh=1s'] },
  {
    method: 'GET',
    path: '/api/costs',
    access: 'viewer',
    badQueries: [
      'groupBy=model',
      'groupBy=',
      'from=yesterday',
      'to=2024-13-45T99:00:00Z',
      'from=0000-01-01T00:00:00Z',
      'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
      'from=2030-01-01T00:00:00Z&to=2030-01-01T00:00:00Z',
      'from=2020-01-01T00:00:00Z&to=2021-02-05T00:00:01Z',
      'format=xml',
      'groupBy=cluster&groupBy=apiKey',
      'unknown=1',
    ],
  },
  { method: 'GET', path: '/api/settings/gpu-prices', access: 'viewer' },
  {
    method: 'PUT',
    path: '/api/settings/gpu-prices/NVIDIA%20H100%2080GB%20HBM3',
    access: 'admin',
    body: {
      valid: { pricePerGpuHour: 2.5, currency: 'USD' },
      wrongTypes: { pricePerGpuHour: '2.5', currency: 'usd' },
      missingRequired: { currency: 'USD' },
    },
  },
  { method: 'DELETE', path: '/api/settings/gpu-prices/NVIDIA%20No%20Such%20GPU', access: 'admin' },
  { method: 'GET', path: '/api/rate-limits', access: 'viewer', badQueries: ['userId=not-a-uuid', 'userId=', `userId=${'a'.repeat(150)}`, "userId=00000000-0000-4000-8000-000000000000'--", 'userId=a&userId=b', 'unknown=1'] },
];

/** Pagination values every listing refuses. */
const BAD_PAGINATION = ['limit=0', 'limit=abc', 'limit=100000', 'limit=1.5', 'limit=', 'limit=1&limit=2', 'offset=-1', 'offset=abc', 'unknown=1'];
const LISTINGS = new Set(['/api/users', '/api/audit-logs', ...POLICY_PATHS.map((policy) => policy.path), '/api/optimization-presets', '/api/clusters', '/api/models', '/api/deployments', '/api/api-keys', '/api/inference-logs', '/api/secrets', '/api/deployments/:id/rollouts', '/api/deployments/:id/config-history']);

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const JSON_TYPE = { 'content-type': 'application/json' };

interface BadRequestCase {
  name: string;
  method: Method;
  url: string;
  caller: Caller;
  headers?: Record<string, string>;
  payload?: string;
  status: number | readonly number[];
  code: string | readonly string[];
}

const json = (value: unknown) => JSON.stringify(value);
const callerFor = (access: Access): Caller => (access === 'public' ? 'anonymous' : 'admin');
const withId = (route: RouteUnderTest, id: string) => route.path.replace(':id', id);

/** `body` with text the database cannot store (`bad`) in its first string field, or under a new key when it has none. */
function withUnstorableText(body: Record<string, unknown>, bad: string): Record<string, unknown> {
  const field = Object.keys(body).find((key) => typeof body[key] === 'string');
  return field ? { ...body, [field]: `${String(body[field])}${bad}` } : { ...body, [`key${bad}`]: 'x' };
}

function bodyCases(route: RouteUnderTest): BadRequestCase[] {
  if (!route.body) return [];
  const base = { method: route.method, url: route.path, caller: callerFor(route.access) };
  const invalid = (what: string, payload: string, headers: Record<string, string> = JSON_TYPE) => ({
    ...base,
    name: `answers 400 VALIDATION_FAILED to ${route.method} ${route.path} with ${what}`,
    headers,
    payload,
    status: 400,
    code: 'VALIDATION_FAILED',
  });
  const cases: BadRequestCase[] = [
    { ...base, name: `answers 400 INVALID_JSON to ${route.method} ${route.path} with malformed JSON`, headers: JSON_TYPE, payload: '{"username": ', status: 400, code: 'INVALID_JSON' },
    { ...base, name: `answers 400 INVALID_JSON to ${route.method} ${route.path} with an empty JSON body`, headers: JSON_TYPE, payload: '', status: 400, code: 'INVALID_JSON' },
    { ...base, name: `answers 400 INVALID_JSON to ${route.method} ${route.path} with a __proto__ key`, headers: JSON_TYPE, payload: '{"__proto__": {"role": "admin"}}', status: 400, code: 'INVALID_JSON' },
    {
      ...base,
      name: `answers 413 PAYLOAD_TOO_LARGE to ${route.method} ${route.path} with a body over the 1 MiB default limit`,
      headers: JSON_TYPE,
      payload: json({ filler: 'x'.repeat(DEFAULT_BODY_LIMIT) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    { ...base, name: `answers 415 UNSUPPORTED_MEDIA_TYPE to ${route.method} ${route.path} with an XML body`, headers: { 'content-type': 'application/xml' }, payload: '<user/>', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    {
      ...base,
      name: `answers 415 UNSUPPORTED_MEDIA_TYPE to ${route.method} ${route.path} with a form-encoded body`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=admin&password=x',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ];
  if (route.body === 'any') return cases;
  cases.push(
    invalid('a JSON array instead of an object', json([route.body.valid])),
    invalid('a JSON number instead of an object', '42'),
    invalid('a JSON string instead of an object', json('hello')),
    ...(route.body.optional ? [] : [invalid('JSON null instead of an object', 'null'), invalid('no body at all', '', {})]),
    invalid('fields of the wrong type', json(route.body.wrongTypes)),
    invalid('an unknown field', json({ ...route.body.valid, isSuperuser: true })),
    // PostgreSQL text cannot hold NUL, and a lone surrogate is not text: refused before any query.
    invalid('a NUL character in a text field', json(withUnstorableText(route.body.valid, '\u0000'))),
    invalid('an unpaired surrogate in a text field', json(withUnstorableText(route.body.valid, '\ud800'))),
    // The API speaks JSON only: a text/plain body is refused before validation.
    { ...invalid('a text/plain body', json(route.body.valid), { 'content-type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  );
  if (route.body.missingRequired) cases.push(invalid('a required field missing', json(route.body.missingRequired)));
  return cases;
}

function queryCases(route: RouteUnderTest): BadRequestCase[] {
  if (route.badQueries === undefined) return [];
  const queries = [...(LISTINGS.has(route.path) ? BAD_PAGINATION : []), ...route.badQueries];
  return queries.map((query) => ({
    name: `answers 400 VALIDATION_FAILED to ${route.method} ${route.path}?${query.length > 40 ? `${query.slice(0, 40)}…` : query}`,
    method: route.method,
    // An id route gets a well-formed id, so only the query can be what is refused.
    url: `${route.hasIdParam ? withId(route, UNKNOWN_UUID) : route.path}?${query}`,
    caller: callerFor(route.access),
    status: 400,
    code: 'VALIDATION_FAILED',
  }));
}

function idCases(route: RouteUnderTest): BadRequestCase[] {
  if (!route.hasIdParam) return [];
  const body = route.body && route.body !== 'any' ? { headers: JSON_TYPE, payload: json(route.body.valid) } : {};
  const at = (id: string) => ({ method: route.method, url: withId(route, id), caller: callerFor(route.access), ...body });
  return [
    { ...at('not-a-uuid'), name: `answers 400 VALIDATION_FAILED to ${route.method} ${route.path} with an id that is not a UUID`, status: 400, code: 'VALIDATION_FAILED' },
    { ...at('a'.repeat(150)), name: `answers 400 VALIDATION_FAILED to ${route.method} ${route.path} with a 150-character id`, status: 400, code: 'VALIDATION_FAILED' },
    { ...at(`${UNKNOWN_UUID}'--`), name: `answers 400 VALIDATION_FAILED to ${route.method} ${route.path} with SQL after a UUID`, status: 400, code: 'VALIDATION_FAILED' },
    { ...at(UNKNOWN_UUID), name: `answers 404 ${route.notFoundCode ?? 'USER_NOT_FOUND'} to ${route.method} ${route.path} with a well-formed unknown UUID`, status: 404, code: route.notFoundCode ?? 'USER_NOT_FOUND' },
  ];
}

/** Anonymous callers are refused before the body, query or id is looked at. */
function authFirstCases(route: RouteUnderTest): BadRequestCase[] {
  if (route.access === 'public') return [];
  const worst = route.body
    ? { url: withId(route, 'not-a-uuid'), headers: JSON_TYPE, payload: '{"username": ' }
    : { url: route.hasIdParam ? withId(route, 'not-a-uuid') : `${route.path}?limit=abc&unknown=1` };
  const cases: BadRequestCase[] = [
    { ...worst, method: route.method, caller: 'anonymous', name: `answers 401 UNAUTHENTICATED to an anonymous ${route.method} ${route.path} before validating its input`, status: 401, code: 'UNAUTHENTICATED' },
    { ...worst, method: route.method, caller: 'bogus-token', name: `answers 401 INVALID_TOKEN to ${route.method} ${route.path} with a bogus bearer token before validating its input`, status: 401, code: 'INVALID_TOKEN' },
  ];
  if (route.body) {
    cases.push({
      method: route.method,
      url: withId(route, UNKNOWN_UUID),
      caller: 'anonymous',
      headers: JSON_TYPE,
      payload: json({ filler: 'x'.repeat(DEFAULT_BODY_LIMIT) }),
      name: `answers 401 UNAUTHENTICATED to an anonymous ${route.method} ${route.path} with an oversized body without reading it`,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  }
  if (route.access === 'admin' || route.access === 'operator') {
    cases.push({ ...worst, method: route.method, caller: 'viewer', name: `answers 403 FORBIDDEN to a viewer's ${route.method} ${route.path} before validating its input`, status: 403, code: 'FORBIDDEN' });
  }
  if (route.access === 'admin') {
    cases.push({ ...worst, method: route.method, caller: 'operator', name: `answers 403 FORBIDDEN to an operator's ${route.method} ${route.path} before validating its input`, status: 403, code: 'FORBIDDEN' });
  }
  return cases;
}

const CASES: BadRequestCase[] = ROUTES.flatMap((route) => [...bodyCases(route), ...queryCases(route), ...idCases(route), ...authFirstCases(route)]);

/** Secrets are addressed by name, not by UUID: malformed names are 400, unknown ones 404. */
function secretNameCases(): BadRequestCase[] {
  const rotate = { headers: JSON_TYPE, payload: json({ value: 'new-value' }) };
  const bad = ['HF-TOKEN', 'a_b', '-a', 'a'.repeat(64), 'a%00b', 'a.b', 'a%2Fb', `${MISSING_SECRET}'--`];
  return [
    ...bad.flatMap((name): BadRequestCase[] => [
      { name: `answers 400 VALIDATION_FAILED to GET /api/secrets/${name.slice(0, 20)}`, method: 'GET', url: `/api/secrets/${name}`, caller: 'admin', status: 400, code: 'VALIDATION_FAILED' },
      { name: `answers 400 VALIDATION_FAILED to DELETE /api/secrets/${name.slice(0, 20)}`, method: 'DELETE', url: `/api/secrets/${name}`, caller: 'admin', status: 400, code: 'VALIDATION_FAILED' },
      { name: `answers 400 VALIDATION_FAILED to POST /api/secrets/${name.slice(0, 20)}/rotate`, method: 'POST', url: `/api/secrets/${name}/rotate`, caller: 'admin', ...rotate, status: 400, code: 'VALIDATION_FAILED' },
    ]),
    { name: 'answers 404 SECRET_NOT_FOUND to GET an unknown secret', method: 'GET', url: `/api/secrets/${MISSING_SECRET}`, caller: 'admin', status: 404, code: 'SECRET_NOT_FOUND' },
    { name: 'answers 404 SECRET_NOT_FOUND to DELETE an unknown secret', method: 'DELETE', url: `/api/secrets/${MISSING_SECRET}`, caller: 'admin', status: 404, code: 'SECRET_NOT_FOUND' },
    { name: 'answers 404 SECRET_NOT_FOUND to rotating an unknown secret', method: 'POST', url: `/api/secrets/${MISSING_SECRET}/rotate`, caller: 'admin', ...rotate, status: 404, code: 'SECRET_NOT_FOUND' },
    {
      name: 'answers 400 VALIDATION_FAILED to a secret value with NUL',
      method: 'POST',
      url: '/api/secrets',
      caller: 'admin',
      headers: JSON_TYPE,
      payload: json({ name: 'bad-input-nul', value: 'a\u0000b' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'answers 400 VALIDATION_FAILED to an empty secret value',
      method: 'POST',
      url: '/api/secrets',
      caller: 'admin',
      headers: JSON_TYPE,
      payload: json({ name: 'bad-input-empty', value: '' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
  ];
}


/** Paths the router itself has to cope with; what happens depends on whether the web UI is served. */
function weirdPathCases(): BadRequestCase[] {
  return [
    { name: 'answers 404 ROUTE_NOT_FOUND to GET /api/nope', method: 'GET', url: '/api/nope', caller: 'admin', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'answers 404 ROUTE_NOT_FOUND to an anonymous GET /api/nope', method: 'GET', url: '/api/nope?limit=abc', caller: 'anonymous', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'answers 404 ROUTE_NOT_FOUND to DELETE /api/nope', method: 'DELETE', url: '/api/nope', caller: 'admin', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'answers 404 ROUTE_NOT_FOUND to GET /api', method: 'GET', url: '/api', caller: 'admin', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'answers 400 INVALID_JSON to POST /api/nope with malformed JSON', method: 'POST', url: '/api/nope', caller: 'anonymous', headers: JSON_TYPE, payload: '{', status: 400, code: 'INVALID_JSON' },
    { name: 'answers 400 BAD_REQUEST to a path with broken percent-encoding', method: 'GET', url: '/api/users/%E0%A4%A', caller: 'admin', status: 400, code: 'BAD_REQUEST' },
    {
      name: 'answers 404 or 414 to an id longer than the router accepts',
      method: 'GET',
      url: `/api/users/${'a'.repeat(300)}`,
      caller: 'admin',
      status: [404, 414],
      code: ['ROUTE_NOT_FOUND', 'BAD_REQUEST', 'URI_TOO_LONG'],
      // With the UI built, the static wildcard route catches the path and it reaches the
      // not-found handler; without it, find-my-way reports the over-long parameter.
    },
  ];
}

/** The assertion every case shares: a 4xx (a 5xx fails here), the envelope, a matching request id. */
function expectErrorEnvelope(response: LightMyRequestResponse, status: number | readonly number[], code: string | readonly string[]): void {
  const statuses = typeof status === 'number' ? [status] : status;
  const codes = typeof code === 'string' ? [code] : code;
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, response.body).toBeLessThan(500);
  expect(statuses, response.body).toContain(response.statusCode);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const parsed = apiErrorSchema.strict().safeParse(response.json());
  expect(parsed.success, response.body).toBe(true);
  const error = parsed.data!.error;
  expect(codes).toContain(error.code);
  expect(error.message.trim()).not.toBe('');
  const requestIdHeader = response.headers['x-request-id'];
  expect(requestIdHeader, 'x-request-id header').toBeTypeOf('string');
  expect(error.requestId).toBe(requestIdHeader);
}

interface Session {
  app: TestApp;
  adminId: string;
  headers: Record<Caller, Record<string, string>>;
  close(): Promise<void>;
}

/**
 * An app with its own web directory, holding a minimal index.html or nothing, so unknown paths
 * behave the same whether or not dist/web has been built.
 */
async function openSession(backend: Backend, options: { webUiBuilt: boolean; env?: Record<string, string> }): Promise<Session> {
  const webDir = await mkdtemp(path.join(tmpdir(), 'hmas-web-'));
  if (options.webUiBuilt) await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>H-MAS</title>');
  const app = await createTestApp(backend, { ...options.env, HMAS_WEB_DIR: webDir });
  const admin = await app.admin();
  const me = await app.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin });
  const adminId = me.json<{ user: { id: string } }>().user.id;
  const viewer = await app.userWithRole('viewer');
  const operator = await app.userWithRole('operator');
  return {
    app,
    adminId,
    headers: { anonymous: {}, admin, operator: operator.headers, viewer: viewer.headers, 'bogus-token': { authorization: 'Bearer not.a.token' } },
    async close() {
      await app.close();
      await rm(webDir, { recursive: true, force: true });
    },
  };
}

async function send(session: Session, testCase: BadRequestCase): Promise<LightMyRequestResponse> {
  return session.app.app.inject({
    method: testCase.method,
    url: testCase.url.replace(':id', session.adminId),
    headers: { ...session.headers[testCase.caller], ...testCase.headers },
    ...(testCase.payload !== undefined ? { payload: testCase.payload } : {}),
  });
}

function runCases(session: () => Session, cases: BadRequestCase[]): void {
  for (const testCase of cases) {
    const run = async () => expectErrorEnvelope(await send(session(), testCase), testCase.status, testCase.code);
    it(testCase.name, run);
  }
}

describe.each(testBackends())('bad input (%s)', (backend) => {
  // Each app costs seconds of database start-up, so the two weird-path variants ride along
  // with the two body limits instead of starting apps of their own.
  describe('with the default body limit and a built web UI', () => {
    let session: Session;
    beforeAll(async () => {
      session = await openSession(backend, { webUiBuilt: true });
    });
    afterAll(async () => {
      await session?.close();
    });

    runCases(() => session, CASES);
    runCases(() => session, weirdPathCases());
    runCases(() => session, secretNameCases());

    it('echoes a caller-supplied x-request-id in the error envelope', async () => {
      const response = await session.app.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { ...session.headers.admin, ...JSON_TYPE, 'x-request-id': 'trace-bad-input-1' },
        payload: '[',
      });
      expectErrorEnvelope(response, 400, 'INVALID_JSON');
      expect(response.json<{ error: { requestId: string } }>().error.requestId).toBe('trace-bad-input-1');
    });

    it('replaces an unsafe x-request-id with one of its own', async () => {
      const response = await session.app.app.inject({
        method: 'GET',
        url: '/api/users?limit=0',
        headers: { ...session.headers.admin, 'x-request-id': 'has spaces <and> markup' },
      });
      expectErrorEnvelope(response, 400, 'VALIDATION_FAILED');
      expect(response.headers['x-request-id']).not.toBe('has spaces <and> markup');
    });

    it('leaves the users untouched after all the bad requests', async () => {
      const response = await session.app.app.inject({ method: 'GET', url: '/api/users', headers: session.headers.admin });
      expect(response.statusCode).toBe(200);
      const users = response.json<{ items: Array<{ username: string; displayName: string }> }>().items;
      expect(users.map((user) => user.username).sort()).toEqual(['admin', 'operator-2', 'viewer-1']);
    });

    it('still signs the admin in with the original password after all the bad requests', async () => {
      await expect(session.app.login('admin', TEST_ADMIN_PASSWORD)).resolves.toHaveProperty('authorization');
    });
  });

  describe('with HMAS_BODY_LIMIT_BYTES=2048 and no built web UI', () => {
    const LIMIT = 2048;
    let session: Session;
    beforeAll(async () => {
      session = await openSession(backend, { webUiBuilt: false, env: { HMAS_BODY_LIMIT_BYTES: String(LIMIT) } });
    });
    afterAll(async () => {
      await session?.close();
    });

    runCases(() => session, weirdPathCases());

    /** A JSON login body of exactly `bytes` bytes that the schema refuses (username too long). */
    const loginBodyOf = (bytes: number) => {
      const payload = json({ username: '', password: 'x' });
      return json({ username: 'u'.repeat(bytes - payload.length), password: 'x' });
    };

    it('answers 413 PAYLOAD_TOO_LARGE to a body one byte over the limit', async () => {
      const payload = loginBodyOf(LIMIT + 1);
      expect(Buffer.byteLength(payload)).toBe(LIMIT + 1);
      const response = await session.app.app.inject({ method: 'POST', url: '/api/auth/login', headers: JSON_TYPE, payload });
      expectErrorEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('reads a body of exactly the limit and validates it', async () => {
      const payload = loginBodyOf(LIMIT);
      expect(Buffer.byteLength(payload)).toBe(LIMIT);
      const response = await session.app.app.inject({ method: 'POST', url: '/api/auth/login', headers: JSON_TYPE, payload });
      expectErrorEnvelope(response, 400, 'VALIDATION_FAILED');
    });

    it('answers 413 PAYLOAD_TOO_LARGE to an authenticated route with a 3 KiB body', async () => {
      const response = await session.app.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { ...session.headers.admin, ...JSON_TYPE },
        payload: json({ username: 'big', role: 'viewer', password: 'long-enough-password', displayName: 'd'.repeat(3 * 1024) }),
      });
      expectErrorEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 PAYLOAD_TOO_LARGE to a body with multi-byte characters over the limit in bytes but not in characters', async () => {
      const payload = json({ username: 'é'.repeat(1500), password: 'x' });
      expect(payload.length).toBeLessThan(LIMIT);
      expect(Buffer.byteLength(payload)).toBeGreaterThan(LIMIT);
      const response = await session.app.app.inject({ method: 'POST', url: '/api/auth/login', headers: JSON_TYPE, payload });
      expectErrorEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('still accepts a normal sign-in under the small limit', async () => {
      await expect(session.app.admin()).resolves.toHaveProperty('authorization');
    });
  });
});
