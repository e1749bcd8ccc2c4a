import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { readOrCreateSecretFile } from '../../lib/secret-file.js';

/**
 * Who runs the local cluster's replicas. `id` is generated once and kept in the data directory
 * (`<dataDir>/host-id`); `hostname` is for people and for telling whether another instance
 * shares this machine's loopback addresses.
 *
 * Why the data directory and not /etc/machine-id: the replicas' state (pids, ports, logs) lives
 * in `<dataDir>/workloads`, so only an instance with that directory can supervise or adopt them —
 * two instances on one machine with different data directories are two owners as far as
 * replicas go, yet share a machine id. Machine ids are also often copied into container images
 * (every container the same) or missing there. A data directory restored onto another machine
 * keeps its id, together with the workload state that goes with it.
 */
export interface HostIdentity {
  id: string;
  hostname: string;
}

export const HOST_ID_FILE = 'host-id';

/** This instance's identity: the id in `<dataDir>/host-id` (created on first call) and the hostname. */
export async function readOrCreateHostIdentity(dataDir: string, hostname: string = osHostname()): Promise<HostIdentity> {
  // Created atomically once, like the generated secrets: instances started together agree on it.
  const id = await readOrCreateSecretFile(path.join(dataDir, HOST_ID_FILE), 16);
  return { id, hostname };
}
