import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const policies = pgTable('policies', {
  id: uuid('id').primaryKey(),
  kind: text('kind', { enum: ['resource_profile', 'placement_strategy', 'failover_policy'] }).notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  spec: jsonb('spec').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
