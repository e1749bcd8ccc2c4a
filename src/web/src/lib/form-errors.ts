import { ApiError, isApiError } from '../api/client';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface FormErrors<F extends string> {
  /** Messages to show under each field. */
  fields: FieldErrors<F>;
  /** What is left for the banner above the form, or null when the fields say it all. */
  banner: unknown;
}

/**
 * Splits a failed submit into per-field messages (VALIDATION_FAILED issues whose path ends in
 * a field name, plus error codes that belong to a field, like USERNAME_TAKEN) and a banner.
 */
export function splitFormError<F extends string>(
  error: unknown,
  fields: readonly F[],
  codeToField: Partial<Record<string, F>> = {},
  /** Issues the form shows elsewhere (e.g. under label rows, see keyedIssues): dotted paths. */
  skip: (path: string) => boolean = () => false,
): FormErrors<F> {
  const result: FormErrors<F> = { fields: {}, banner: null };
  if (!error) return result;
  if (!isApiError(error)) return { fields: {}, banner: error };

  const codeField = codeToField[error.code];
  if (codeField) {
    result.fields[codeField] = error.message;
    return result;
  }

  const issues = error.issues.filter((issue) => !skip(issue.path));
  if (issues.length === 0) return error.issues.length > 0 ? result : { fields: {}, banner: error };

  const unmatched: string[] = [];
  for (const issue of issues) {
    const last = issue.path.split('.').pop() ?? '';
    const field = fields.find((f) => f === last || f === issue.path);
    if (field && !result.fields[field]) result.fields[field] = issue.message;
    else if (!field) unmatched.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  if (unmatched.length > 0) {
    result.banner = new ApiError({
      status: error.status,
      code: error.code,
      message: unmatched.join(' '),
      requestId: error.requestId,
    });
  }
  return result;
}

/**
 * Validation messages about the entries of a map in the request body, by entry key: with prefix
 * "/labels/", an issue at "/labels/team/a" is about the label "team/a" (keys may hold "/", so
 * everything after the prefix is the key; "~1" and "~0" are unescaped).
 */
export function keyedIssues(error: unknown, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isApiError(error)) return result;
  const raw = (error.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(raw)) return result;
  for (const issue of raw as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof issue.path !== 'string' || typeof issue.message !== 'string' || !issue.path.startsWith(prefix)) continue;
    const key = issue.path.slice(prefix.length).replace(/~1/g, '/').replace(/~0/g, '~');
    result[key] ??= issue.message;
  }
  return result;
}
