import type { Role } from '../domain/roles.js';

/** Who is calling: resolved from the session cookie or a bearer token. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  via: 'cookie' | 'bearer';
}

export interface AuditDeclaration {
  /** e.g. `user.create` */
  action: string;
  resourceType: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role that may call the route; `public` needs no sign-in. Every /api route declares it. */
    access?: Role | 'public';
    /** Mutating routes declare what the audit log records about them. */
    audit?: AuditDeclaration;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /**
     * Filled by handlers: what the audit entry names and says. Never put secrets here.
     * `notAChange`: the call changed nothing on purpose (a dry run answered): no entry is written.
     */
    auditNote: { resourceId?: string; summary?: string; actorUsername?: string; notAChange?: boolean };
  }
}
