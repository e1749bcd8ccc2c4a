import type { ClusterConnector } from '../cluster-connector.js';

/**
 * A cluster behind NAT reached through a pull-mode agent that dials out to H-MAS. Until the
 * agent side exists there is nothing to contact: the test says so honestly (not ready)
 * instead of pretending.
 */
export function createAgentConnector(options: { hasToken: boolean }): ClusterConnector {
  return {
    kind: 'agent',
    async test() {
      if (!options.hasToken) {
        return {
          ok: false,
          message: 'Nothing to reach before saving: an agent dials in to H-MAS. Save the cluster to get its agent token, then start the agent with it.',
          checks: [{ name: 'agent connection', ok: false, detail: 'not checked: agents are tested once they connect' }],
          readiness: 'notReady',
          inventory: null,
        };
      }
      return {
        ok: false,
        message: 'Waiting for the agent to connect: start hmas agent next to the cluster with this cluster\'s agent token.',
        checks: [
          { name: 'agent token', ok: true, detail: 'an agent token is stored (encrypted)' },
          { name: 'agent connection', ok: false, detail: 'no agent has connected for this cluster yet' },
        ],
        readiness: 'notReady',
        inventory: null,
      };
    },
    async inventory() {
      throw new Error('The agent reports the inventory once it connects; no agent has connected yet.');
    },
  };
}
