import { bigint, doublePrecision, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors ../migrations/0004_models.sql.

/** The architecture JSON (domain/model.ts validates it on the way in). */
export interface ModelArchitectureColumn {
  name: string | null;
  numLayers: number | null;
  numAttentionHeads: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
  hiddenSize: number | null;
  kvLatentDim: number | null;
}

export const models = pgTable('models', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  format: text('format', { enum: ['safetensors', 'gguf'] }).notNull(),
  source: text('source', { enum: ['huggingface', 'local'] }).notNull(),
  hfRepoId: text('hf_repo_id'),
  revision: text('revision'),
  hfFile: text('hf_file'),
  localPath: text('local_path'),
  category: text('category', { enum: ['LLM', 'Vision', 'Code', 'Embedding'] }).notNull(),
  sizeB: doublePrecision('size_b'),
  parameterCount: bigint('parameter_count', { mode: 'number' }),
  displaySize: text('display_size'),
  description: text('description').notNull().default(''),
  license: text('license'),
  dtype: text('dtype'),
  contextLength: integer('context_length'),
  architecture: jsonb('architecture').$type<ModelArchitectureColumn>(),
  weightBytes: bigint('weight_bytes', { mode: 'number' }),
  presetId: text('preset_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
