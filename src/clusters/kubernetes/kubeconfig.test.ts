import { describe, expect, it } from 'vitest';
import { InvalidConnectionError } from '../connection-error.js';
import { parseKubeconfig } from './kubeconfig.js';

const SECRET = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldC10b2tlbi12YWx1ZSJ9.c2VjcmV0';

function kubeconfig(options: { server?: string; user?: string; cluster?: string; current?: string | null; extraContexts?: string } = {}): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: ${options.server ?? 'https://10.0.0.1:6443'}
    certificate-authority-data: LS0tLS1CRUdJTi==
${options.cluster ?? ''}
contexts:
- name: admin@prod
  context:
    cluster: prod
    user: admin
- name: viewer@prod
  context:
    cluster: prod
    user: viewer
${options.extraContexts ?? ''}
${options.current === null ? '' : `current-context: ${options.current ?? 'admin@prod'}`}
users:
- name: admin
  user:
    ${options.user ?? `token: ${SECRET}`}
- name: viewer
  user:
    token: another-token
`;
}

/** The error message, asserting it is an InvalidConnectionError that does not leak the token. */
function refusal(text: string, context?: string): string {
  try {
    parseKubeconfig(text, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConnectionError);
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error('expected the kubeconfig to be refused');
}

describe('parseKubeconfig', () => {
  it('uses the current-context and reports its server without secrets', () => {
    expect(parseKubeconfig(kubeconfig())).toEqual({ text: kubeconfig(), context: 'admin@prod', server: 'https://10.0.0.1:6443', insecureSkipTlsVerify: false });
  });

  it('uses the context asked for', () => {
    expect(parseKubeconfig(kubeconfig(), 'viewer@prod').context).toBe('viewer@prod');
  });

  it('drops user:password and query from the server URL it shows', () => {
    expect(parseKubeconfig(kubeconfig({ server: 'https://bob:hunter2@k8s.example.com:6443/base?x=1' })).server).toBe('https://k8s.example.com:6443/base');
  });

  it('refuses invalid YAML with the line, without quoting it (it may hold the token)', () => {
    const broken = `users:\n- name: admin\n  user:\n    token: ${SECRET}\n  - [unclosed`;
    expect(refusal(broken)).toMatch(/^connection.kubeconfig is not valid YAML: .*\(line \d+\)\.$/);
  });

  it('refuses YAML that is not a kubeconfig', () => {
    expect(refusal('just a string')).toMatch(/not a kubeconfig/);
    expect(refusal('- a\n- b\n')).toMatch(/not a kubeconfig/);
    expect(refusal('clusters: []\n')).toMatch(/has no contexts/);
    expect(refusal('contexts: {a: 1}\n')).toMatch(/"contexts" must be a list/);
  });

  it('names the contexts there are when the one asked for is missing', () => {
    expect(refusal(kubeconfig(), 'nope')).toMatch(/has no context "nope"; it has "admin@prod", "viewer@prod"/);
    expect(refusal(kubeconfig({ current: 'gone' }))).toMatch(/no context "gone" \(its current-context\)/);
    expect(refusal(kubeconfig({ current: null }))).toMatch(/has no current-context; choose one in connection.context/);
  });

  it('refuses contexts that point at missing clusters or users', () => {
    expect(refusal(kubeconfig({ extraContexts: '- name: broken\n  context:\n    cluster: elsewhere\n    user: admin' }), 'broken')).toMatch(/cluster "elsewhere", which is not in the kubeconfig/);
    expect(refusal(kubeconfig({ extraContexts: '- name: broken\n  context:\n    cluster: prod\n    user: ghost' }), 'broken')).toMatch(/user "ghost", which is not in the kubeconfig/);
  });

  it('refuses credential plugins and files on the H-MAS host', () => {
    expect(refusal(kubeconfig({ user: 'exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws' }))).toMatch(/user "admin" runs a credential plugin program/);
    expect(refusal(kubeconfig({ user: 'auth-provider:\n      name: gcp' }))).toMatch(/auth-provider/);
    expect(refusal(kubeconfig({ user: 'token-file: /var/lib/hmas/secret-key' }))).toMatch(/reads a token from a file/);
    expect(refusal(kubeconfig({ user: 'client-certificate: /etc/ssl/admin.crt' }))).toMatch(/use client-certificate-data/);
    expect(refusal(kubeconfig({ cluster: '    certificate-authority: /etc/ssl/ca.crt' }))).toMatch(/reads a CA file/);
  });

  it('refuses plain http unless TLS verification is explicitly off', () => {
    expect(refusal(kubeconfig({ server: 'http://10.0.0.1:8080' }))).toMatch(/uses plain http:\/\/.*insecure-skip-tls-verify: true/);
    const allowed = parseKubeconfig(kubeconfig({ server: 'http://10.0.0.1:8080', cluster: '    insecure-skip-tls-verify: true' }));
    expect(allowed).toMatchObject({ server: 'http://10.0.0.1:8080', insecureSkipTlsVerify: true });
  });

  it('refuses servers that are not http(s) URLs', () => {
    expect(refusal(kubeconfig({ server: 'not a url' }))).toMatch(/server that is not a URL/);
    expect(refusal(kubeconfig({ server: 'file:///etc/passwd' }))).toMatch(/protocol "file:"/);
  });
});
