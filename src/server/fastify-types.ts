import type { ApiKeyScope } from '../domain/api-key.js';
import type { Role } from '../domain/roles.js';

/** Who is calling: resolved from the session cookie, a bearer token, or (routes with `apiKeyScope`) an API key. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  via: 'cookie' | 'bearer' | 'api_key';
  /** An API key's allowed deployments (empty: all); absent for sessions. */
  allowedDeployments?: readonly string[];
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
    /**
     * Read-only routes may also take an API key holding this scope (`Authorization: Bearer
     * sk-hmas-…`), acting as the key's owner: `access` still applies to the owner's role.
     */
    apiKeyScope?: ApiKeyScope;
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
