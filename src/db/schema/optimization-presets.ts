import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Tier settings are validated against their runtime by the presets service before they are stored.
export const optimizationPresets = pgTable('optimization_presets', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  runtime: text('runtime').notNull(),
  description: text('description').notNull().default(''),
  tier1: jsonb('tier1').$type<Record<string, unknown>>().notNull().default({}),
  tier2: jsonb('tier2').$type<Record<string, unknown>>().notNull().default({}),
  raw: jsonb('raw').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
