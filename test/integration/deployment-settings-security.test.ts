import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

// Deployment settings must never run code on the control plane. The attack this reproduces: an
// embedded-runtime replica given NODE_OPTIONS=--import=data:… printed the JWT secret and the
// credential key from the data directory into its log, which any viewer can read.

const ATTACK = `--import=data:text/javascript,${encodeURIComponent("import fs from 'node:fs'; console.log(fs.readFileSync(process.cwd() + '/../../../jwt-secret', 'utf8'))")}`;

/** The tiny model in a directory the runtime user may enter (operators keep models where runtimes can read them). */
async function modelDir(): Promise<string> {
  const dir = await modelDirForRuntimes('hmas-settings-');
  await writeTinyModel(path.join(dir, 'tiny.gguf'));
  return dir;
}

describe.each(testBackends())('deployment settings that could run code on the host (%s)', { timeout: 120_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let admin: { authorization: string };
  let operator: { authorization: string };
  let viewer: { authorization: string };
  let modelId: string;
  let counter = 0;

  const call = (method: 'POST' | 'PATCH', url: string, headers: { authorization: string }, payload: unknown) => t.app.inject({ method, url, headers, payload: payload as object });
  // llama-server is not installed here (and the setting points nowhere): a created deployment starts no process.
  const deployment = (optimization: unknown, extra: Record<string, unknown> = {}) => {
    counter += 1;
    return { name: `settings-${counter}`, modelId, cluster: 'local', runtime: 'llamacpp', replicas: 1, optimization, ...extra };
  };

  beforeAll(async () => {
    dir = await modelDir();
    t = await createTestApp(backend, { HMAS_RUNTIME_BIN_LLAMACPP: '/nonexistent/llama-server' });
    admin = await t.admin();
    operator = (await t.userWithRole('operator')).headers;
    viewer = (await t.userWithRole('viewer')).headers;
    const model = await call('POST', '/api/models', admin, { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-settings' });
    expect(model.statusCode, model.body).toBe(201);
    modelId = model.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses NODE_OPTIONS=--import=data:… for the embedded runtime on cluster local with 400 ENV_NOT_ALLOWED naming it, even for an admin', async () => {
    const response = await call('POST', '/api/deployments', admin, { ...deployment({ raw: { extraEnv: { NODE_OPTIONS: ATTACK } } }), runtime: 'embedded-llamacpp' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'ENV_NOT_ALLOWED',
      message: expect.stringContaining('NODE_OPTIONS is not allowed on the local host'),
      details: { issues: [{ path: '/optimization/raw/extraEnv/NODE_OPTIONS', variable: 'NODE_OPTIONS', refusal: 'hook' }] },
    });
    const listed = await t.app.inject({ method: 'GET', url: '/api/deployments', headers: admin });
    expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it.each(['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'PYTHONPATH', 'PYTHONSTARTUP', 'BASH_ENV', 'PERL5OPT', 'JAVA_TOOL_OPTIONS', 'GCONV_PATH'])(
    'refuses the loader or interpreter hook %s with 400 naming it',
    async (name) => {
      const response = await call('POST', '/api/deployments', admin, deployment({ raw: { extraEnv: { [name]: '/tmp/x' } } }));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'ENV_NOT_ALLOWED', message: expect.stringContaining(`${name} is not allowed`) });
    },
  );

  it('refuses variables H-MAS sets and ones the runtime does not document, and allows documented ones', async () => {
    const reserved = await call('POST', '/api/deployments', admin, deployment({ raw: { extraEnv: { PATH: '/tmp', CUDA_VISIBLE_DEVICES: '0', LLAMA_ARG_PORT: '1' } } }));
    expect(reserved.statusCode).toBe(400);
    expect(reserved.json().error.details.issues.map((issue: { variable: string; refusal: string }) => [issue.variable, issue.refusal])).toEqual([
      ['PATH', 'reserved'],
      ['CUDA_VISIBLE_DEVICES', 'reserved'],
      ['LLAMA_ARG_PORT', 'reserved'],
    ]);
    const undocumented = await call('POST', '/api/deployments', admin, deployment({ raw: { extraEnv: { VLLM_LOGGING_LEVEL: 'DEBUG' } } }));
    expect(undocumented.statusCode).toBe(400);
    expect(undocumented.json().error.message).toContain('llama.cpp does not document it');
    const allowed = await call('POST', '/api/deployments', admin, deployment({ raw: { extraEnv: { LLAMA_ARG_THREADS_HTTP: '2', OMP_NUM_THREADS: '1', HF_HUB_OFFLINE: '1' } } }));
    expect(allowed.statusCode, allowed.body).toBe(201);
  });

  it('refuses operators who add raw settings to a deployment (403), dry runs included, and viewers always', async () => {
    const created = await call('POST', '/api/deployments', operator, deployment({ raw: { extraArgs: ['--verbose'] } }));
    expect(created.statusCode).toBe(403);
    expect(created.json().error).toMatchObject({ code: 'RAW_SETTINGS_ADMIN_ONLY', message: expect.stringContaining('Tier 1 and Tier 2') });
    expect((await call('POST', '/api/deployments', viewer, deployment({ tier2: { threads: 1 } }))).statusCode).toBe(403);

    const plain = await call('POST', '/api/deployments', operator, deployment({ tier2: { threads: 1 } }));
    expect(plain.statusCode, plain.body).toBe(201);
    const url = `/api/deployments/${plain.json<{ id: string }>().id}`;
    for (const query of ['?dryRun=true', '']) {
      const patched = await call('PATCH', `${url}${query}`, operator, { optimization: { tier2: { threads: 1 }, raw: { extraEnv: { LLAMA_ARG_THREADS_HTTP: '2' } } } });
      expect(patched.statusCode, `${query}: ${patched.body}`).toBe(403);
      expect(patched.json().error.code).toBe('RAW_SETTINGS_ADMIN_ONLY');
    }
    // An admin's PATCH with a hook is refused too, dry run or not.
    for (const query of ['?dryRun=true', '']) {
      const hooked = await call('PATCH', `${url}${query}`, admin, { optimization: { raw: { extraEnv: { NODE_OPTIONS: ATTACK } } } });
      expect(hooked.statusCode, hooked.body).toBe(400);
      expect(hooked.json().error.code).toBe('ENV_NOT_ALLOWED');
    }
  });

  it("lets an operator deploy with a preset an admin wrote raw settings into, and change other settings while the raw ones stay", async () => {
    const preset = await call('POST', '/api/optimization-presets', admin, { name: 'vetted-raw', runtime: 'llamacpp', optimization: { raw: { extraEnv: { GGML_SCHED_MAX_COPIES: '1' } } } });
    expect(preset.statusCode, preset.body).toBe(201);
    const created = await call('POST', '/api/deployments', operator, deployment(undefined, { optimizationPresetId: preset.json<{ id: string }>().id }));
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<{ id: string; optimization: unknown }>();
    expect(body.optimization).toEqual({ raw: { extraEnv: { GGML_SCHED_MAX_COPIES: '1' } } });
    const tuned = await call('PATCH', `/api/deployments/${body.id}?dryRun=true`, operator, { optimization: { tier2: { threads: 2 }, raw: { extraEnv: { GGML_SCHED_MAX_COPIES: '1' } } } });
    expect(tuned.statusCode, tuned.body).toBe(200);
  });
});

// The second layer: even a runtime that prints its whole environment and reads every file of the
// data directory it can name finds no secret, because it runs as the runtime user (root switches
// to it; this machine and CI run tests as root).
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI === 'true') throw new Error('The runtime user test needs root (to switch users), and CI runs as root: it must not be skipped there.');
if (!isRoot) console.warn('SKIPPED: the runtime user test needs root to switch users; run the suite as root (as CI does) to check that replicas cannot read the server’s secrets.');

/** A "runtime" that dumps what it can see into its log, then serves /health so the deployment is running. */
const NOSY_RUNTIME = `#!${process.execPath}
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const argv = process.argv.slice(2);
const option = (name) => argv[argv.indexOf(name) + 1];
const dataDir = path.resolve(process.cwd(), '../../..');
console.log('UID ' + process.getuid() + ' GID ' + process.getgid() + ' GROUPS ' + JSON.stringify(process.getgroups()));
console.log('ENV ' + JSON.stringify(process.env));
const attempt = (label, read) => {
  try { console.log('READ ' + label + ' OK ' + JSON.stringify(String(read()))); } catch (error) { console.log('READ ' + label + ' ' + error.code); }
};
attempt('data-dir-listing', () => fs.readdirSync(dataDir).join(','));
for (const name of ['jwt-secret', 'secret-key']) attempt(name, () => fs.readFileSync(path.join(dataDir, name), 'utf8'));
attempt('server-environ', () => fs.readFileSync('/proc/' + process.ppid + '/environ', 'utf8'));
attempt('home-write', () => { fs.writeFileSync(path.join(process.env.HOME, 'probe'), 'x'); return 'written'; });
console.log('NOSY DONE');
http.createServer((request, response) => response.end('{}')).listen(Number(option('--port')), option('--host'));
`;

describe.runIf(isRoot)('a runtime that reads everything it can (pglite)', { timeout: 120_000 }, () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await modelDir();
    const program = path.join(dir, 'nosy-runtime.cjs');
    await writeFile(program, NOSY_RUNTIME, { mode: 0o755 });
    // No HMAS_JWT_SECRET: the server generates it into the data directory, as on a default install.
    t = await createTestApp('pglite', { HMAS_JWT_SECRET: '', HMAS_RUNTIME_BIN_LLAMACPP: program });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds no secret in its environment nor in the data directory: the reads fail with EACCES', async () => {
    const admin = await t.admin();
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers: admin, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-nosy' } });
    expect(model.statusCode, model.body).toBe(201);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/deployments',
      headers: admin,
      payload: { name: 'nosy', modelId: model.json<{ id: string }>().id, cluster: 'local', runtime: 'llamacpp', replicas: 1, optimization: { raw: { extraEnv: { LLAMA_ARG_THREADS_HTTP: '1' } } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const viewer = (await t.userWithRole('viewer')).headers;
    const lines = await waitFor('the nosy runtime to finish looking', async () => {
      const logs = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/logs?tailLines=50`, headers: viewer });
      const all = logs.statusCode === 200 ? logs.json<{ items: Array<{ lines: string[] }> }>().items.flatMap((replica) => replica.lines) : [];
      return all.includes('NOSY DONE') ? all : undefined;
    });
    const log = lines.join('\n');
    const jwtSecret = (await readFile(path.join(t.config.dataDir, 'jwt-secret'), 'utf8')).trim();
    const secretKey = (await readFile(path.join(t.config.dataDir, 'secret-key'), 'utf8')).trim();
    expect(jwtSecret.length).toBeGreaterThan(30);
    expect(log).not.toContain(jwtSecret);
    expect(log).not.toContain(secretKey);
    expect(lines).toEqual(
      expect.arrayContaining([
        // getgroups() lists the effective group too: no supplementary group is left.
        'UID 65534 GID 65534 GROUPS [65534]',
        'READ data-dir-listing EACCES',
        'READ jwt-secret EACCES',
        'READ secret-key EACCES',
        'READ server-environ EACCES',
        'READ home-write OK "written"',
      ]),
    );
    const env = JSON.parse(lines.find((line) => line.startsWith('ENV '))!.slice(4)) as Record<string, string>;
    expect(Object.keys(env).filter((name) => name.startsWith('HMAS_') && !['HMAS_RUNTIME_HOST', 'HMAS_RUNTIME_PORT'].includes(name))).toEqual([]);
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env.HOME).toBe(path.join(t.config.dataDir, 'workloads', 'nosy', 'home'));
  });
});
