import { auditEntrySchema, auditQuerySchema } from '../../domain/audit.js';
import { pageSchema } from '../../domain/pagination.js';
import type { AuditService } from '../../services/audit/audit-service.js';
import type { ZodApp } from './route-types.js';

export function registerAuditLogRoutes(app: ZodApp, deps: { audit: AuditService }): void {
  app.get('/api/audit-logs', {
    schema: {
      tags: ['audit'],
      summary: 'Audit log, newest first, with filters.',
      querystring: auditQuerySchema,
      response: { 200: pageSchema(auditEntrySchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.audit.list(request.query),
  });
}
