import type { ZodApp } from './routes/route-types.js';
import type { AuditService } from '../services/audit/audit-service.js';

/**
 * Writes one audit entry for every call to a route that declares `config.audit`, whatever
 * the outcome (refusals included) — except answered dry runs, which change nothing. The entry is written before the response leaves, so a
 * client that sees the answer can find the entry.
 */
export function installAudit(app: ZodApp, deps: { audit: AuditService }): void {
  app.decorateRequest('auditNote', null as never);
  app.addHook('onRequest', async (request) => {
    request.auditNote = {};
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const declared = request.routeOptions.config.audit;
    if (!declared) return payload;
    const note = request.auditNote ?? {};
    // A dry run that was answered is a question, not a change (refused ones are still recorded).
    if (note.notAChange && reply.statusCode < 400) return payload;
    const params = request.params as Record<string, unknown> | undefined;
    const paramId = typeof params?.id === 'string' ? params.id : undefined;
    const statusCode = reply.statusCode;
    const outcome = statusCode < 400 ? 'success' : 'failure';
    try {
      await deps.audit.record({
        actorId: request.principal?.userId ?? null,
        actorUsername: request.principal?.username ?? note.actorUsername ?? null,
        action: declared.action,
        resourceType: declared.resourceType,
        resourceId: note.resourceId ?? paramId ?? null,
        outcome,
        statusCode,
        clientIp: request.ip ?? null,
        requestId: String(request.id),
        summary: note.summary ?? (outcome === 'success' ? `${declared.action} succeeded` : `${declared.action} refused (HTTP ${statusCode})`),
      });
    } catch (error) {
      request.log.error({ err: error, action: declared.action }, 'audit entry could not be written');
    }
    return payload;
  });
}
