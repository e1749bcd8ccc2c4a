import type { Raw } from './optimization.js';
import { roleAtLeast, type Role } from './roles.js';

/**
 * Who may set `optimization.raw`. Raw arguments and environment variables reach a runtime as they
 * are, so they are an admin's to write: operators tune with Tier 1 and Tier 2 settings. An
 * operator may still deploy with a preset an admin wrote (the admin vetted its raw settings), and
 * may change other settings of a deployment that has raw ones, as long as the raw ones stay as
 * they are.
 */

/** JSON with object keys sorted, so two equal settings compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, inner]) => inner !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Raw settings without empty lists and maps (they mean "none"). */
function meaningful(raw: Raw | undefined): Raw {
  const out: Raw = {};
  if (raw?.extraArgs && raw.extraArgs.length > 0) out.extraArgs = raw.extraArgs;
  if (raw?.extraEnv && Object.keys(raw.extraEnv).length > 0) out.extraEnv = raw.extraEnv;
  return out;
}

export function rawSettingsDiffer(before: Raw | undefined, after: Raw | undefined): boolean {
  return canonical(meaningful(before)) !== canonical(meaningful(after));
}

/**
 * Whether `role` may turn raw settings `before` (what the deployment or preset has, or what the
 * preset it starts from has) into `after`.
 */
export function mayWriteRawSettings(role: Role, before: Raw | undefined, after: Raw | undefined): boolean {
  return roleAtLeast(role, 'admin') || !rawSettingsDiffer(before, after);
}

export const RAW_SETTINGS_ADMIN_ONLY_MESSAGE =
  'Raw runtime arguments and environment variables (optimization.raw) are admin-only: they reach the runtime unchecked. Use Tier 1 and Tier 2 settings, or a preset an admin made; raw settings already there may stay as they are.';
