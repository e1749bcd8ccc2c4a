import type { AuditRecord } from '../audit/audit-service.js';

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The failover loop's audit entries: no actor (the `system` did it), a deployment as resource. */
export function failoverAudit(audit: { record(entry: AuditRecord): Promise<void> }) {
  return (record: { id: string; name: string }, action: string, outcome: 'success' | 'failure', summary: string) =>
    audit.record({ actorId: null, actorUsername: 'system', action, resourceType: 'deployment', resourceId: record.id, outcome, statusCode: outcome === 'success' ? 200 : 500, clientIp: null, requestId: null, summary });
}
