import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, describeConfig, loadConfig } from './config.js';

/** The ConfigError loadConfig throws for `env`; fails the test if it does not throw one. */
function configErrorFor(env: Record<string, string | undefined>, overrides: Parameters<typeof loadConfig>[1] = {}): ConfigError {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.resolve('./.hmas'),
      databaseUrl: undefined,
      jwtSecret: undefined,
      jwtTtlSeconds: 12 * 3600,
      adminPassword: undefined,
      logLevel: 'info',
      logPretty: Boolean(process.stdout.isTTY),
      cookieSecure: false,
      bodyLimitBytes: 1024 * 1024,
      shutdownDrainMs: 10_000,
      loginMaxFailures: 5,
      loginWindowSeconds: 15 * 60,
      auditRetentionDays: 365,
      events: { retentionDays: 30, copyIntervalMs: 60_000 },
      gpuUsageRetentionDays: 400,
      webDir: undefined,
      redisKeyPrefix: 'hmas:',
      rateLimitFailureMode: 'open',
      rolloutGraceSeconds: { Recreate: 180, RollingUpdate: 90 },
    });
  });

  it('reads every variable from the environment it is given', () => {
    const config = loadConfig({
      HMAS_HOST: '0.0.0.0',
      HMAS_PORT: '9090',
      HMAS_DATA_DIR: '/var/lib/hmas',
      DATABASE_URL: 'postgres://hmas@db:5432/hmas',
      HMAS_JWT_SECRET: 'x'.repeat(32),
      HMAS_JWT_TTL_SECONDS: '600',
      HMAS_ADMIN_PASSWORD: 'admin-password',
      HMAS_LOG_LEVEL: 'debug',
      HMAS_LOG_PRETTY: 'false',
      HMAS_COOKIE_SECURE: 'true',
      HMAS_BODY_LIMIT_BYTES: '2048',
      HMAS_SHUTDOWN_DRAIN_MS: '0',
      HMAS_LOGIN_MAX_FAILURES: '3',
      HMAS_LOGIN_WINDOW_SECONDS: '60',
      HMAS_AUDIT_RETENTION_DAYS: '30',
      HMAS_EVENT_RETENTION_DAYS: '7',
      HMAS_GPU_USAGE_RETENTION_DAYS: '90',
      HMAS_EVENT_COPY_INTERVAL_MS: '5000',
      HMAS_WEB_DIR: '/srv/web',
      HMAS_SECRET_KEY: 's'.repeat(32),
      HMAS_LOCAL_CLUSTER: 'false',
      HMAS_NVIDIA_SMI: '/opt/nvidia/bin/nvidia-smi',
      HF_ENDPOINT: 'http://hub.internal:8080/',
      HF_TOKEN: 'hf_token',
      HMAS_MODEL_DOWNLOAD_IDLE_TIMEOUT_MS: '5000',
      HMAS_RECONCILE_INTERVAL_MS: '2000',
      HMAS_FAILOVER_INTERVAL_MS: '3000',
      HMAS_LEADER_ELECTION_INTERVAL_MS: '1500',
      HMAS_ROLLOUT_GRACE_RECREATE_SECONDS: '240',
      HMAS_ROLLOUT_GRACE_ROLLING_UPDATE_SECONDS: '45',
      HMAS_RUNTIME_BIN_VLLM: '/opt/vllm/bin/vllm',
      HMAS_RUNTIME_USER: 'hmas-runtime:hmas',
      HMAS_RUNTIME_API_KEY: 'k'.repeat(16),
      HMAS_HTTP_HEADERS_TIMEOUT_MS: '5000',
      HMAS_HTTP_REQUEST_TIMEOUT_MS: '30000',
      HMAS_HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      HMAS_HTTP_IDLE_TIMEOUT_MS: '120000',
      REDIS_URL: 'redis://cache:6379',
      HMAS_RATE_LIMIT_RPM: '120',
      HMAS_RATE_LIMIT_TPM: '50000',
      HMAS_RATE_LIMIT_FAILURE_MODE: 'closed',
      HMAS_REDIS_KEY_PREFIX: 'hmas-staging:',
      HMAS_GATEWAY_TIMEOUT_MS: '60000',
      HMAS_INFERENCE_LOG_BUFFER: '10',
      HMAS_INFERENCE_LOG_BATCH: '5',
      HMAS_INFERENCE_LOG_FLUSH_MS: '100',
      HMAS_INFERENCE_LOG_RETENTION_DAYS: '7',
      HMAS_INFERENCE_LOG_SPOOL: 'true',
      HMAS_INFERENCE_LOG_SPOOL_MAX_BYTES: '1048576',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9090,
      dataDir: '/var/lib/hmas',
      databaseUrl: 'postgres://hmas@db:5432/hmas',
      jwtSecret: 'x'.repeat(32),
      jwtTtlSeconds: 600,
      adminPassword: 'admin-password',
      logLevel: 'debug',
      logPretty: false,
      cookieSecure: true,
      bodyLimitBytes: 2048,
      shutdownDrainMs: 0,
      loginMaxFailures: 3,
      loginWindowSeconds: 60,
      auditRetentionDays: 30,
      events: { retentionDays: 7, copyIntervalMs: 5000 },
      gpuUsageRetentionDays: 90,
      webDir: '/srv/web',
      secretKey: 's'.repeat(32),
      registerLocalCluster: false,
      nvidiaSmiCommand: '/opt/nvidia/bin/nvidia-smi',
      hfEndpoint: 'http://hub.internal:8080',
      hfToken: 'hf_token',
      modelDownloadIdleTimeoutMs: 5000,
      reconcileIntervalMs: 2000,
      failoverIntervalMs: 3000,
      leaderElectionIntervalMs: 1500,
      rolloutGraceSeconds: { Recreate: 240, RollingUpdate: 45 },
      runtimeBinaries: { vllm: '/opt/vllm/bin/vllm' },
      runtimeUser: 'hmas-runtime:hmas',
      runtimeApiKey: 'k'.repeat(16),
      http: { headersTimeoutMs: 5000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 65000, idleTimeoutMs: 120000 },
      redisUrl: 'redis://cache:6379',
      redisKeyPrefix: 'hmas-staging:',
      rateLimitDefaults: { rpm: 120, tpm: 50000 },
      rateLimitFailureMode: 'closed',
      gatewayTimeoutMs: 60000,
      inferenceLog: { buffer: 10, batch: 5, flushMs: 100, retentionDays: 7, spool: true, spoolMaxBytes: 1048576 },
    });
  });

  it('lets overrides win over the environment, and ignores undefined overrides', () => {
    const config = loadConfig({ HMAS_PORT: '9090', HMAS_HOST: '0.0.0.0' }, { HMAS_PORT: '7070', HMAS_HOST: undefined });
    expect(config.port).toBe(7070);
    expect(config.host).toBe('0.0.0.0');
  });

  it('validates overrides like the environment', () => {
    const error = configErrorFor({ HMAS_PORT: '9090' }, { HMAS_PORT: 'not-a-port' });
    expect(error.issues.join('\n')).toContain('HMAS_PORT');
  });

  it('resolves a relative data directory to an absolute path', () => {
    expect(loadConfig({ HMAS_DATA_DIR: 'relative/data' }).dataDir).toBe(path.resolve('relative/data'));
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it.each(['abc', '70000', '-1', '80.5'])('throws a ConfigError naming HMAS_PORT for the port %j', (port) => {
    const error = configErrorFor({ HMAS_PORT: port });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^HMAS_PORT: /);
    expect(error.message).toContain('HMAS_PORT');
    expect(error.name).toBe('ConfigError');
  });

  it('lists every invalid variable at once', () => {
    const error = configErrorFor({ HMAS_PORT: 'abc', HMAS_LOG_LEVEL: 'loud', HMAS_JWT_SECRET: 'short', HMAS_BODY_LIMIT_BYTES: '10', DATABASE_URL: 'not a url' });
    const variables = error.issues.map((issue) => issue.split(':')[0]).sort();
    expect(variables).toEqual(['DATABASE_URL', 'HMAS_BODY_LIMIT_BYTES', 'HMAS_JWT_SECRET', 'HMAS_LOG_LEVEL', 'HMAS_PORT']);
    expect(error.message.split('\n')).toHaveLength(1 + variables.length);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads the boolean %j as %s', (value, expected) => {
    const config = loadConfig({ HMAS_COOKIE_SECURE: value, HMAS_LOG_PRETTY: value });
    expect(config.cookieSecure).toBe(expected);
    expect(config.logPretty).toBe(expected);
  });

  it.each(['TRUE', 'on', 'maybe', ''])('throws a ConfigError naming HMAS_COOKIE_SECURE for the boolean %j', (value) => {
    const error = configErrorFor({ HMAS_COOKIE_SECURE: value });
    expect(error.issues.map((issue) => issue.split(':')[0])).toEqual(['HMAS_COOKIE_SECURE']);
  });

  it('treats empty optional strings as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', HMAS_JWT_SECRET: '', HMAS_ADMIN_PASSWORD: '', HMAS_WEB_DIR: '', HMAS_LOG_PRETTY: '' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
    expect(config.webDir).toBeUndefined();
    expect(config.logPretty).toBe(Boolean(process.stdout.isTTY));
  });

  it('treats an empty HMAS_PORT as unset (the default port), never as port 0', () => {
    expect(loadConfig({ HMAS_PORT: '' }).port).toBe(8080);
  });

  it('refuses secrets that are too short', () => {
    expect(configErrorFor({ HMAS_JWT_SECRET: 'x'.repeat(31) }).issues[0]).toMatch(/^HMAS_JWT_SECRET: /);
    expect(configErrorFor({ HMAS_ADMIN_PASSWORD: 'short' }).issues[0]).toMatch(/^HMAS_ADMIN_PASSWORD: /);
  });

  it('defaults HMAS_RUNTIME_USER to nobody and refuses one that is not "user" or "user:group"', () => {
    expect(loadConfig({}).runtimeUser).toBe('nobody');
    expect(configErrorFor({ HMAS_RUNTIME_USER: 'a:b:c' }).issues[0]).toContain('HMAS_RUNTIME_USER: Use "user" or "user:group"');
  });

  it('reads Prometheus settings: none without PROMETHEUS_URL, one kind of credentials, both halves of basic auth', () => {
    expect(loadConfig({}).prometheus).toBeUndefined();
    expect(loadConfig({ PROMETHEUS_URL: 'http://prom:9090/' }).prometheus).toEqual({ url: 'http://prom:9090', auth: undefined, timeoutMs: 5000 });
    expect(loadConfig({ PROMETHEUS_URL: 'http://prom:9090', PROMETHEUS_BEARER_TOKEN: 't' }).prometheus?.auth).toEqual({ kind: 'bearer', token: 't' });
    expect(loadConfig({ PROMETHEUS_URL: 'http://p', PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' }).prometheus?.auth).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(configErrorFor({ PROMETHEUS_BEARER_TOKEN: 't', PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' }).issues[0]).toMatch(/^PROMETHEUS_BEARER_TOKEN: /);
    expect(configErrorFor({ PROMETHEUS_USERNAME: 'u' }).issues[0]).toMatch(/^PROMETHEUS_USERNAME: /);
    expect(configErrorFor({ PROMETHEUS_URL: 'not a url' }).issues[0]).toMatch(/^PROMETHEUS_URL: /);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HMAS_UNKNOWN: 'x' }).port).toBe(8080);
  });
});

describe('describeConfig', () => {
  it('describes every variable of the schema with its default', () => {
    const rows = describeConfig();
    expect(rows.map((row) => row.name)).toEqual(Object.keys(configSchema.shape));
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
    expect(rows.find((row) => row.name === 'HMAS_PORT')).toMatchObject({ defaultValue: '8080' });
    expect(rows.find((row) => row.name === 'DATABASE_URL')).toMatchObject({ defaultValue: '' });
  });
});
