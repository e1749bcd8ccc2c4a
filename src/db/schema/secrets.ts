import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

// Mirrors ../migrations/0012_secrets.sql. `valueSealed` is `SecretBox.seal(value)`.
export const secrets = pgTable('secrets', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  valueSealed: text('value_sealed').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  rotatedAt: timestamp('rotated_at', { withTimezone: true }).notNull().defaultNow(),
});
