import type { HostIdentity } from '../../clusters/local/host-identity.js';

/**
 * Replicas on a local cluster listen on 127.0.0.1 of their owner's machine. An instance on
 * another machine (another hostname) cannot reach them there — and its own 127.0.0.1 at that
 * port is some other program, which must never get inference traffic (or a replica's token) —
 * so it routes none of them: its gateway answers that nothing is ready. Instances on the owner's
 * machine route to the endpoints the owner saved.
 */
export function createReachableRows<Row extends { clusterOwnerHostname: string | null; endpoints: string[] }>(deps: {
  deployments: { all(): Promise<Row[]> };
  host: HostIdentity;
}): { all(): Promise<Row[]> } {
  return {
    async all() {
      const rows = await deps.deployments.all();
      return rows.map((row) => (row.clusterOwnerHostname !== null && row.clusterOwnerHostname !== deps.host.hostname ? { ...row, endpoints: [] } : row));
    },
  };
}
