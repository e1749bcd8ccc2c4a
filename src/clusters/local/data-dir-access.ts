import { chmod, chown, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a replica running as the runtime user may reach of H-MAS's data directory, and nothing
 * more:
 *
 *   <dataDir>/                   0711  enter only: no listing, nothing readable by name
 *     jwt-secret, secret-key     0600  the server's secrets
 *     db/, db.lock, the rest     go-rwx (0700 / 0600): the database and other server state
 *     models/                    0711  downloaded weights (files 0644): runtimes load them by path
 *     workloads/                 0711
 *       <name>/                  0711  state.json and logs 0600 (logs reach the replica as open files)
 *         home/                  0700, owned by the runtime user: its HOME and working directory
 *
 * When replicas run as the server's own user (H-MAS is not root) nobody else needs to enter, so
 * the data directory is 0700.
 */

/** Entries of the data directory a replica may pass through to reach what it was given by path. */
export const RUNTIME_REACHABLE_ENTRIES = ['models', 'workloads'] as const;

/** The directory in a workload's folder that the runtime user owns. */
export const REPLICA_HOME = 'home';

async function chmodIfOwned(file: string, mode: number): Promise<void> {
  const info = await lstat(file).catch(() => null);
  if (!info || info.isSymbolicLink() || (info.mode & 0o777) === mode) return;
  // A file the server does not own (an operator's mount) is left as it is: chmod would fail.
  if (process.getuid && info.uid !== process.getuid() && process.getuid() !== 0) return;
  await chmod(file, mode);
}

/**
 * Makes the data directory private to the server: enterable by the runtime user only where it
 * must be (`traversable`), every other entry without group and other permissions. Runs at start
 * and before each replica starts, so files created since (by any part of H-MAS) are covered too.
 */
export async function protectDataDir(dataDir: string, options: { traversable: boolean }): Promise<void> {
  const dirMode = options.traversable ? 0o711 : 0o700;
  await mkdir(dataDir, { recursive: true, mode: dirMode });
  await chmodIfOwned(dataDir, dirMode);
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    const file = path.join(dataDir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if ((RUNTIME_REACHABLE_ENTRIES as readonly string[]).includes(entry.name) && entry.isDirectory()) {
      await chmodIfOwned(file, dirMode);
      continue;
    }
    const info = await lstat(file).catch(() => null);
    if (info && (info.mode & 0o077) !== 0) await chmodIfOwned(file, info.mode & 0o700);
  }
}

/**
 * The runtime user's home in a workload's folder (created, owned by it, 0700), with the folders
 * above it enterable. Its path is the replica's HOME and working directory.
 */
export async function prepareReplicaHome(stateDir: string, workloadDir: string, user: { uid: number; gid: number }): Promise<string> {
  await mkdir(workloadDir, { recursive: true, mode: 0o711 });
  await chmodIfOwned(stateDir, 0o711);
  await chmodIfOwned(workloadDir, 0o711);
  const home = path.join(workloadDir, REPLICA_HOME);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const info = await lstat(home);
  if (info.isSymbolicLink() || !info.isDirectory()) throw new Error(`${home} is not a directory.`);
  if (info.uid !== user.uid || info.gid !== user.gid) await chown(home, user.uid, user.gid);
  await chmod(home, 0o700);
  return home;
}
