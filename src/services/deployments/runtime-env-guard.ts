import type { Optimization } from '../../domain/optimization.js';
import { checkHostRuntimeEnv, describeEnvIssues } from '../../domain/runtime-env-policy.js';
import { AppError } from '../../lib/errors.js';
import { requireRuntime } from '../../runtimes/index.js';

/**
 * 400 ENV_NOT_ALLOWED, naming each variable, when a deployment whose replicas run as host
 * processes (`onHost`: the cluster registry's `runsOnHost`, true for the local host) would give
 * its runtime an environment variable the policy refuses (a loader or interpreter hook, a
 * variable H-MAS sets, one the runtime does not document). Other cluster kinds run replicas in
 * pods, the boundary there: only the schema's format checks apply.
 */
export function assertRuntimeEnvAllowed(onHost: boolean, runtimeId: string, optimization: Optimization): void {
  if (!onHost) return;
  const names = Object.keys(optimization.raw?.extraEnv ?? {});
  if (names.length === 0) return;
  const runtime = requireRuntime(runtimeId);
  const issues = checkHostRuntimeEnv(names, { displayName: runtime.displayName, env: runtime.env });
  if (issues.length === 0) return;
  throw new AppError('ENV_NOT_ALLOWED', describeEnvIssues(issues), {
    statusCode: 400,
    details: { issues: issues.map((issue) => ({ path: `/optimization${issue.path}`, variable: issue.name, refusal: issue.refusal, message: issue.message })) },
  });
}
