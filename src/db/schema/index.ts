// One file per area; every table is listed here so Drizzle knows it.
import { policies } from './policies.js';
import { auditLogs, users } from './users.js';

export { auditLogs, policies, users };
export const schema = { users, auditLogs, policies };
export type Schema = typeof schema;
