import { isApiError } from '../../api/client';
import type { KubernetesWorkloadSettings, RuntimeId } from '../../api/types';

export type PullPolicy = NonNullable<KubernetesWorkloadSettings['imagePullPolicy']>;

/** The Kubernetes workload settings as the cluster form holds them: text fields, '' = unset. */
export interface WorkloadForm {
  registryMirror: string;
  imagePullSecret: string;
  imagePullPolicy: PullPolicy | '';
  /** Image per runtime id; '' = the runtime's official image. */
  images: Partial<Record<RuntimeId, string>>;
  /** JSON of `{ hostPathMounts?, modelVolume? }`, edited as text. */
  advanced: string;
}

/** Settings the form does not edit; kept as they are on save. */
type Kept = Pick<KubernetesWorkloadSettings, 'inCluster' | 'nodeAddress' | 'selfImage'>;

export function workloadFormOf(settings: KubernetesWorkloadSettings | null | undefined): WorkloadForm {
  const advanced = {
    ...(settings?.hostPathMounts && settings.hostPathMounts.length > 0 ? { hostPathMounts: settings.hostPathMounts } : {}),
    ...(settings?.modelVolume ? { modelVolume: settings.modelVolume } : {}),
  };
  return {
    registryMirror: settings?.registryMirror ?? '',
    imagePullSecret: settings?.imagePullSecret ?? '',
    imagePullPolicy: settings?.imagePullPolicy ?? '',
    images: { ...settings?.images },
    advanced: Object.keys(advanced).length === 0 ? '' : JSON.stringify(advanced, null, 2),
  };
}

/** Parses the advanced JSON: an object with at most hostPathMounts and modelVolume (the server checks their shape). */
export function parseAdvanced(text: string): { value: Pick<KubernetesWorkloadSettings, 'hostPathMounts' | 'modelVolume'> } | { error: string } {
  if (!text.trim()) return { value: { hostPathMounts: [] } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'Enter a JSON object: { "hostPathMounts": [...], "modelVolume": {...} }.' };
  const unknown = Object.keys(parsed).filter((key) => key !== 'hostPathMounts' && key !== 'modelVolume');
  if (unknown.length > 0) return { error: `Only hostPathMounts and modelVolume go here, not ${unknown.join(', ')}.` };
  const { hostPathMounts = [], modelVolume } = parsed as Pick<KubernetesWorkloadSettings, 'hostPathMounts' | 'modelVolume'>;
  return { value: { hostPathMounts, ...(modelVolume ? { modelVolume } : {}) } };
}

/** The settings the API takes, or the advanced field's error; empty fields are left out. */
export function workloadsFromForm(form: WorkloadForm, kept: Kept | null | undefined): { settings: KubernetesWorkloadSettings } | { error: string } {
  const advanced = parseAdvanced(form.advanced);
  if ('error' in advanced) return advanced;
  const images = Object.fromEntries(Object.entries(form.images).map(([id, image]) => [id, image?.trim() ?? '']).filter(([, image]) => image !== ''));
  const text = (value: string) => value.trim() || undefined;
  const settings: KubernetesWorkloadSettings = {
    inCluster: kept?.inCluster ?? false,
    ...(kept?.nodeAddress ? { nodeAddress: kept.nodeAddress } : {}),
    ...(kept?.selfImage ? { selfImage: kept.selfImage } : {}),
    images,
    hostPathMounts: advanced.value.hostPathMounts,
    ...(advanced.value.modelVolume ? { modelVolume: advanced.value.modelVolume } : {}),
  };
  const registryMirror = text(form.registryMirror);
  const imagePullSecret = text(form.imagePullSecret);
  if (registryMirror) settings.registryMirror = registryMirror;
  if (imagePullSecret) settings.imagePullSecret = imagePullSecret;
  if (form.imagePullPolicy) settings.imagePullPolicy = form.imagePullPolicy;
  return { settings };
}

/** JSON with object keys sorted: two settings objects compare equal whatever order their keys came in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  );

/** Whether the form says something other than the stored settings (both as the API would take them); a form that does not parse counts as changed. */
export function workloadsChanged(form: WorkloadForm, stored: KubernetesWorkloadSettings | null | undefined): boolean {
  const next = workloadsFromForm(form, stored);
  const current = workloadsFromForm(workloadFormOf(stored), stored);
  return 'error' in next || 'error' in current || canonical(next.settings) !== canonical(current.settings);
}

const WORKLOADS_PATH = 'connection.workloads.';

/**
 * The server's validation issues about the workload settings, keyed by the form field they belong
 * to: registryMirror, imagePullSecret, imagePullPolicy, a runtime id for its image, `advanced`
 * (with the path inside it) for mounts and the model volume.
 */
export function workloadIssues(error: unknown): Partial<Record<string, string>> {
  const result: Partial<Record<string, string>> = {};
  if (!isApiError(error)) return result;
  for (const issue of error.issues) {
    if (!issue.path.startsWith(WORKLOADS_PATH)) continue;
    const [field = '', ...rest] = issue.path.slice(WORKLOADS_PATH.length).split('.');
    const key = field === 'images' && rest.length > 0 ? (rest[0] ?? field) : field === 'hostPathMounts' || field === 'modelVolume' ? 'advanced' : field;
    result[key] ??= key === 'advanced' ? `${[field, ...rest].join('.')}: ${issue.message}` : issue.message;
  }
  return result;
}

/** Whether an issue path is about the workload settings (shown by WorkloadFields, not in a banner). */
export const isWorkloadIssue = (path: string) => path.startsWith(WORKLOADS_PATH);
