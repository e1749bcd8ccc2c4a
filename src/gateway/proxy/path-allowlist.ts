/**
 * Which runtime paths `/api/inference/:name/*` may reach: a runtime's inference routes, matched
 * exactly. Nothing is normalised: a path is forwarded only when it is already canonical — `/`
 * then segments of letters, digits, `_` and `-` — so percent-encoding (`%2F`, `%2e%2e`), `.` and
 * `..` segments, doubled or trailing slashes, `;` parameters, backslashes and other spellings
 * never reach a runtime that might read them differently from this check. Case counts (runtimes'
 * routers are case-sensitive). The query string is not part of the match and is passed on as sent.
 */

/** One allowed route, as the runtime adapters list them. */
export interface AllowedRoute {
  method: string;
  path: string;
}

/** Why a request was refused: 404 for a path the runtime does not expose, 405 for another method. */
export interface PathRefusal {
  status: 404 | 405;
  code: 'PATH_NOT_ALLOWED' | 'METHOD_NOT_ALLOWED';
  message: string;
  /** The methods the path takes (405 only), for the `Allow` header. */
  allow?: string;
}

export type PathCheck = { ok: true } | ({ ok: false } & PathRefusal);

export interface PathAllowlist {
  /** `target` is the path after the deployment's name, with its query. */
  check(method: string, target: string): PathCheck;
  /** Allowed paths, sorted (for messages and docs). */
  readonly paths: readonly string[];
}

const CANONICAL_PATH = /^(?:\/[A-Za-z0-9_-]+)+$/;
/** Longest path a refusal message quotes, so an error never echoes a huge request line. */
const QUOTED_MAX = 200;

/** Whether `path` has the one spelling the allowlist compares (exported for the adapters' tests). */
export function isCanonicalPath(path: string): boolean {
  return CANONICAL_PATH.test(path);
}

function quoted(path: string): string {
  return JSON.stringify(path.length > QUOTED_MAX ? `${path.slice(0, QUOTED_MAX)}…` : path);
}

export function createPathAllowlist(runtime: string, routes: readonly AllowedRoute[]): PathAllowlist {
  const methods = new Map<string, Set<string>>();
  for (const route of routes) {
    if (!isCanonicalPath(route.path)) throw new Error(`${runtime}: inference route ${route.path} is not a canonical path.`);
    let set = methods.get(route.path);
    if (!set) methods.set(route.path, (set = new Set()));
    set.add(route.method.toUpperCase());
  }
  const paths = [...methods.keys()].sort();
  const notAllowed = (path: string): PathCheck => ({
    ok: false,
    status: 404,
    code: 'PATH_NOT_ALLOWED',
    message: `The gateway forwards only inference paths to ${runtime}; ${quoted(path)} is not one of them. docs/gateway.md lists the paths each runtime exposes.`,
  });

  return {
    paths,
    check(method, target) {
      const query = target.indexOf('?');
      const path = query === -1 ? target : target.slice(0, query);
      if (!isCanonicalPath(path)) return notAllowed(path);
      const allowed = methods.get(path);
      if (!allowed) return notAllowed(path);
      if (allowed.has(method)) return { ok: true };
      const allow = [...allowed].sort().join(', ');
      return { ok: false, status: 405, code: 'METHOD_NOT_ALLOWED', message: `${path} takes ${allow} on ${runtime}, not ${method}.`, allow };
    },
  };
}

/** What a deployment of an unknown runtime may reach: nothing. */
export const NOTHING_ALLOWED: PathAllowlist = createPathAllowlist('this runtime', []);
