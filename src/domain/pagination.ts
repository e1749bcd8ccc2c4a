import { z } from 'zod';

export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size (1–500).'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('Rows to skip.'),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
