import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The user local replicas run as. When H-MAS runs as root, replicas run as an unprivileged user
 * of their own (HMAS_RUNTIME_USER, default `nobody`): a runtime — or whatever a model or a setting
 * makes it run — then cannot read the server's secrets in the data directory (0600, owned by the
 * server) nor its process environment (/proc/PID/environ is readable only by the same user).
 * A server that is not root cannot switch users: replicas then run as the server's own user, and
 * the server says so at start.
 */
export type RuntimeUser =
  | { switching: true; name: string; uid: number; gid: number }
  | { switching: false; reason: string };

/** A user (and group) name or number as HMAS_RUNTIME_USER writes it: `user` or `user:group`. */
export function parseRuntimeUserSetting(setting: string): { user: string; group: string | null } {
  const [user = '', group, ...rest] = setting.split(':');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(user) || rest.length > 0 || (group !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(group))) {
    throw new Error(`HMAS_RUNTIME_USER must be "user" or "user:group" (names or numbers); "${setting}" is not.`);
  }
  return { user, group: group ?? null };
}

/** One entry of getent's or /etc/passwd's (or /etc/group's) colon-separated output. */
export function findColonEntry(text: string, key: string): string[] | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && (fields[0] === key || fields[2] === key)) return fields;
  }
  return null;
}

function getent(database: 'passwd' | 'group', key: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('getent', [database, key], { timeout: 5000 }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** Looks a user or group up through NSS (getent), falling back to /etc/passwd and /etc/group. */
async function lookup(database: 'passwd' | 'group', key: string): Promise<string[] | null> {
  const answer = await getent(database, key);
  if (answer !== null) return findColonEntry(answer, key);
  const file = await readFile(`/etc/${database}`, 'utf8').catch(() => '');
  return findColonEntry(file, key);
}

export interface RuntimeUserOptions {
  /** HMAS_RUNTIME_USER. */
  setting: string;
  /** The server's uid (process.getuid()); undefined where there are no uids (Windows). */
  serverUid: number | undefined;
}

/**
 * Resolves HMAS_RUNTIME_USER. Root: the named user (an unknown name is an error at start, so a
 * typo never silently runs replicas as root). Not root: no switching, with the reason to log.
 */
export async function resolveRuntimeUser(options: RuntimeUserOptions): Promise<RuntimeUser> {
  const { user, group } = parseRuntimeUserSetting(options.setting);
  if (options.serverUid === undefined) return { switching: false, reason: 'this platform has no user ids' };
  if (options.serverUid !== 0) {
    return { switching: false, reason: `the server runs as uid ${options.serverUid}, not root, so it cannot switch to ${options.setting}` };
  }
  const entry = await lookup('passwd', user);
  const uid = entry ? Number(entry[2]) : /^[0-9]+$/.test(user) ? Number(user) : NaN;
  if (!Number.isInteger(uid)) throw new Error(`HMAS_RUNTIME_USER: there is no user "${user}" on this host; create it (e.g. useradd --system --no-create-home hmas-runtime) or name another.`);
  if (uid === 0) throw new Error('HMAS_RUNTIME_USER must not be root: replicas would read the server\'s secrets.');
  let gid = entry ? Number(entry[3]) : uid;
  if (group !== null) {
    const groupEntry = await lookup('group', group);
    gid = groupEntry ? Number(groupEntry[2]) : /^[0-9]+$/.test(group) ? Number(group) : NaN;
    if (!Number.isInteger(gid)) throw new Error(`HMAS_RUNTIME_USER: there is no group "${group}" on this host.`);
  }
  if (gid === 0) throw new Error('HMAS_RUNTIME_USER must not use group root (gid 0).');
  return { switching: true, name: entry?.[0] ?? user, uid, gid };
}

/** What the mode bits let `uid`/`gid` do with a file: the owner's, the group's or the others' triple. */
function allowed(mode: number, ownerUid: number, ownerGid: number, uid: number, gid: number, bit: 4 | 2 | 1): boolean {
  if (ownerUid === uid) return ((mode >> 6) & bit) !== 0;
  if (ownerGid === gid) return ((mode >> 3) & bit) !== 0;
  return (mode & bit) !== 0;
}

/**
 * Why the runtime user cannot reach a file (search permission on every directory above it, then
 * read or execute on the file itself), by the mode bits; null when it can, or when the file is not
 * there (the runtime reports that itself). Supplementary groups do not count: replicas start
 * without them.
 */
export async function accessProblem(user: { name: string; uid: number; gid: number }, file: string, need: 'read' | 'execute'): Promise<string | null> {
  const absolute = path.resolve(file);
  const target = await stat(absolute).catch(() => null);
  if (!target) return null;
  const parts = absolute.split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const info = await stat(dir).catch(() => null);
    if (info && !allowed(info.mode, info.uid, info.gid, user.uid, user.gid, 1)) {
      return `the runtime user ${user.name} cannot enter ${dir} (mode ${(info.mode & 0o777).toString(8)}), so it cannot reach ${absolute}`;
    }
  }
  const bit = need === 'read' ? 4 : 1;
  if (!allowed(target.mode, target.uid, target.gid, user.uid, user.gid, bit)) {
    return `the runtime user ${user.name} cannot ${need} ${absolute} (mode ${(target.mode & 0o777).toString(8)})`;
  }
  return null;
}

/**
 * What keeps the runtime user from starting a replica: the program, the scripts it is given by
 * absolute path (the hmas CLI for the embedded runtime) and the model file, each in words.
 */
export async function replicaAccessProblems(
  user: { name: string; uid: number; gid: number },
  run: { file: string; args: readonly string[]; modelPath: string | null },
): Promise<string[]> {
  const checks = [
    accessProblem(user, run.file, 'execute'),
    ...run.args.filter((arg) => path.isAbsolute(arg)).map((arg) => accessProblem(user, arg, 'read')),
    ...(run.modelPath !== null ? [accessProblem(user, run.modelPath, 'read')] : []),
  ];
  return (await Promise.all(checks)).filter((problem): problem is string => problem !== null);
}
