// One file per area; every table is listed here so Drizzle knows it.
import { auditLogs, users } from './users.js';

export { auditLogs, users };
export const schema = { users, auditLogs };
export type Schema = typeof schema;
