import type { ClusterType, ConnectionKind, ConnectionRequest } from '../../api/types';
import { DNS_LABEL } from './cluster-format';

/** Step 1 of registering a cluster, as the form holds it. */
export interface ConnectionForm {
  name: string;
  displayName: string;
  type: ClusterType;
  kind: ConnectionKind;
  kubeconfig: string;
  context: string;
  namespace: string;
  memberCluster: string;
}

export const CONNECTION_FIELDS = ['name', 'displayName', 'kubeconfig', 'context', 'namespace', 'memberCluster'] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

export const EMPTY_CONNECTION_FORM: ConnectionForm = {
  name: '',
  displayName: '',
  type: 'GP',
  kind: 'kubeconfig',
  kubeconfig: '',
  context: '',
  namespace: '',
  memberCluster: '',
};

/** Same limit as the server: kubeconfigs are a few KiB, inline certificates make them bigger. */
export const MAX_KUBECONFIG_BYTES = 256 * 1024;

export const usesKubeconfig = (kind: ConnectionKind) => kind === 'kubeconfig' || kind === 'federation';

/** The connection the API takes; empty optional fields are left out (server defaults apply). */
export function connectionFromForm(form: ConnectionForm): ConnectionRequest {
  if (form.kind === 'local' || form.kind === 'agent') return { kind: form.kind };
  const optional = {
    ...(form.context.trim() ? { context: form.context.trim() } : {}),
    ...(form.namespace.trim() ? { namespace: form.namespace.trim() } : {}),
  };
  if (form.kind === 'federation') return { kind: 'federation', kubeconfig: form.kubeconfig, memberCluster: form.memberCluster.trim(), ...optional };
  return { kind: 'kubeconfig', kubeconfig: form.kubeconfig, ...optional };
}

/** What can be told before asking the server: required fields and the name's shape. */
export function checkConnectionForm(form: ConnectionForm): Partial<Record<ConnectionField, string>> {
  const errors: Partial<Record<ConnectionField, string>> = {};
  const name = form.name.trim();
  if (!name) errors.name = 'Enter a name.';
  else if (!DNS_LABEL.test(name)) errors.name = 'Use 1–63 lowercase letters, digits and "-", starting and ending with a letter or digit.';
  if (usesKubeconfig(form.kind) && !form.kubeconfig.trim()) errors.kubeconfig = 'Paste the kubeconfig or choose its file.';
  if (form.kind === 'federation' && !form.memberCluster.trim()) errors.memberCluster = 'Enter the member cluster’s name in Karmada.';
  if (form.namespace.trim() && !DNS_LABEL.test(form.namespace.trim())) errors.namespace = 'Use a Kubernetes namespace name (lowercase letters, digits and "-").';
  return errors;
}
