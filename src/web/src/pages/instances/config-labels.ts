import type { ConfigChange } from '../../api/types';
import { diffLeaves } from '../../../../domain/deployment-plan';

/**
 * Config changes as people read them: one line per setting with its label ("Context length"),
 * not its JSON path (`optimization.tier1.maxModelLength`).
 */

const LABELS: Record<string, string> = {
  replicas: 'Replicas',
  cluster: 'Cluster',
  resourceProfileId: 'Resource profile',
  optimizationPresetId: 'Optimization preset',
  'optimization.tier1.maxModelLength': 'Context length',
  'optimization.tier1.gpuMemoryUtilization': 'GPU memory utilization',
  'optimization.tier1.maxConcurrentSequences': 'Max concurrent sequences',
  'optimization.tier1.dtype': 'Data type',
  'optimization.tier1.quantization': 'Quantization',
  'optimization.tier2.tensorParallelSize': 'Tensor parallel size',
  'optimization.tier2.prefixCaching': 'Prefix caching',
  'optimization.tier2.chunkedPrefill': 'Chunked prefill',
  'optimization.tier2.speculativeDecoding': 'Speculative decoding',
  'optimization.tier2.kvCacheDtype': 'KV cache data type',
  'optimization.tier2.maxBatchTokens': 'Max batch tokens',
  'optimization.tier2.enforceEager': 'Eager mode',
  'optimization.tier2.gpuLayers': 'GPU layers',
  'optimization.tier2.flashAttention': 'Flash attention',
  'optimization.tier2.pooling': 'Pooling',
  'optimization.tier2.threads': 'CPU threads',
  'optimization.tier2.keepAlive': 'Keep alive',
  'optimization.tier2.maxLoadedModels': 'Max loaded models',
  'optimization.raw.extraArgs': 'Extra runtime arguments',
  'optimization.raw.extraEnv': 'Environment variable',
};

/** "maxModelLength" → "max model length". */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** The label of a setting's path; below a labelled one, the rest follows it ("Environment variable HF_HOME"). */
export function fieldLabel(path: string): string {
  const parts = path.split('.');
  for (let length = parts.length; length > 0; length--) {
    const label = LABELS[parts.slice(0, length).join('.')];
    if (!label) continue;
    const rest = parts.slice(length);
    if (rest.length === 0) return label;
    return path.startsWith('optimization.raw.extraEnv.') ? `${label} ${rest.join('.')}` : `${label}: ${rest.map(words).join(' ')}`;
  }
  const last = words(parts.at(-1) ?? path);
  return last.charAt(0).toUpperCase() + last.slice(1);
}

/** A server diff, one line per leaf. */
export const readableChanges = (changes: readonly ConfigChange[]): ConfigChange[] => changes.flatMap((change) => diffLeaves(change.before, change.after, change.path));

/** A value in a diff: "on"/"off", arguments joined, "not set" for none. */
export function settingValue(value: unknown): string {
  if (value === null || value === undefined) return 'not set';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}
