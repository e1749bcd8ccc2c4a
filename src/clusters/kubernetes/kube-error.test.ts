import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { DeadlineError, UnexpectedAnswerError } from '../connection-error.js';
import { describeKubeError } from './kube-error.js';

const SERVER = 'https://k8s.example:6443';
const errno = (code: string, message = `internal ${code} detail`) => Object.assign(new Error(message), { code });

function describeLogged(error: unknown): { text: string; logged: unknown[] } {
  const logged: unknown[] = [];
  return { text: describeKubeError(error, SERVER, 10_000, (unexpected) => logged.push(unexpected)), logged };
}

describe('describeKubeError', () => {
  it.each([
    [errno('ENOTFOUND'), `the host of ${SERVER} cannot be resolved (DNS)`],
    [errno('ECONNREFUSED'), `connection refused by ${SERVER}: nothing listens there`],
    [errno('ECONNRESET'), `${SERVER} closed the connection`],
    [errno('ETIMEDOUT'), `connecting to ${SERVER} timed out`],
    [errno('DEPTH_ZERO_SELF_SIGNED_CERT'), `the TLS certificate of ${SERVER} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); add certificate-authority-data to the kubeconfig`],
    [errno('ERR_SSL_WRONG_VERSION_NUMBER'), `the TLS handshake with ${SERVER} failed (ERR_SSL_WRONG_VERSION_NUMBER): check that it serves HTTPS`],
    [Object.assign(errno('ERR_OSSL_PEM_NO_START_LINE', 'error:0480006C:PEM routines::no start line'), { library: 'PEM routines' }), expect.stringMatching(/^the certificate or key data in the kubeconfig cannot be read/)],
    [Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), `no answer from ${SERVER} within 10 s`],
    [new DeadlineError('the test did not finish within 15 s'), 'the test did not finish within 15 s'],
    [new ApiException(401, 'Unauthorized', '{"message":"Unauthorized"}', {}), expect.stringMatching(/^the API server refused the credentials \(HTTP 401/)],
    [new ApiException(403, 'Forbidden', '{"message":"nodes is forbidden"}', {}), 'the credentials are not allowed to do this (HTTP 403 Forbidden): nodes is forbidden'],
    [new UnexpectedAnswerError('its answer to GET /version has no gitVersion'), `${SERVER} answered, but not like a Kubernetes API server (its answer to GET /version has no gitVersion): check that this is the API server's address`],
  ])('says %s in words, without logging it as unexpected', (error, expected) => {
    const { text, logged } = describeLogged(error);
    expect(text).toEqual(expected);
    expect(logged).toEqual([]);
  });

  it('never echoes an exception of H-MAS or the client library, and logs it instead', () => {
    const typeError = new TypeError("Cannot read properties of undefined (reading 'map')");
    const reading = describeLogged(typeError);
    expect(reading.text).toBe(`${SERVER} answered, but not like a Kubernetes API server: check that this is the API server's address`);
    expect(reading.logged).toEqual([typeError]);

    const odd = new Error('secret internal state: /var/lib/hmas/secret-key');
    const unknown = describeLogged(odd);
    expect(unknown.text).toBe(`the request to ${SERVER} failed for a reason H-MAS does not recognise; the server log has the details`);
    expect(unknown.text).not.toContain('secret');
    expect(unknown.logged).toEqual([odd]);
  });
});
