import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censorSecrets, createLogger } from './logger.js';

function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', pretty: false }, sink), lines };
}

describe('censorSecrets', () => {
  it('returns the same object when nothing is secret', () => {
    const object = { statusCode: 200, deployment: 'qwen', nested: { a: 1 } };
    expect(censorSecrets(object)).toBe(object);
  });

  it('censors secrets at the top and two levels down without touching the original', () => {
    const original = { password: 'p', connection: { kubeconfig: 'k', kind: 'kubeconfig' }, req: { headers: { authorization: 'Bearer x', host: 'h' } }, keep: 'yes' };
    const censored = censorSecrets(original);
    expect(censored).toEqual({
      password: '[redacted]',
      connection: { kubeconfig: '[redacted]', kind: 'kubeconfig' },
      req: { headers: { authorization: '[redacted]', host: 'h' } },
      keep: 'yes',
    });
    expect(original.password).toBe('p');
    expect(original.connection.kubeconfig).toBe('k');
  });

  it('leaves absent secrets absent and ignores class instances', () => {
    const error = Object.assign(new Error('boom'), { code: 'X' });
    const object = { token: undefined, err: error };
    expect(censorSecrets(object)).toBe(object);
  });
});

describe('createLogger', () => {
  it('writes no secret field at any log level', () => {
    const { logger, lines } = captureLogger();
    logger.child({ component: 'test' }).trace({ body: { newPassword: 'hunter2', currentPassword: 'old' }, token: 'tok', accessToken: 'jwt' }, 'changing a password');
    const text = lines.join('');
    for (const secret of ['hunter2', 'old', 'tok', 'jwt']) expect(text).not.toContain(`"${secret}"`);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'test', msg: 'changing a password' });
  });
});
